/*
 * Completion scripts. Each option's values come from one table, written
 * once for both shells: a word list, or files or directories; an option
 * not in the table takes a value nothing can guess (a time, a pattern).
 * Job names come from "cwdemux --list PREFIX" (NAME is its first column),
 * with the --profile, --region and --endpoint-url already typed.
 */
#include <string.h>

#include "cli.h"
#include "completion.h"

enum values {
	VALUES_NONE, /* free text */
	VALUES_WORDS,
	VALUES_FILES,
	VALUES_DIRS,
	VALUES_FIELDS, /* a comma-separated list of words */
	VALUES_PROFILES,
};

static const struct {
	const char *option;
	enum values kind;
	const char *words;
} values[] = {
    {"output", VALUES_WORDS, "lines json none"},
    {"color", VALUES_WORDS, "auto always never"},
    {"status", VALUES_WORDS, "InProgress Completed Failed Stopping Stopped"},
    {"completion", VALUES_WORDS, "bash zsh"},
    {"timezone", VALUES_WORDS, "utc local"},
    {"fields", VALUES_FIELDS, "time group host stream rank message"},
    {"from", VALUES_FILES, NULL},
    {"rules", VALUES_FILES, NULL},
    {"export", VALUES_DIRS, NULL},
    {"profile", VALUES_PROFILES, NULL},
};

static int
values_of(const char *option)
{
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++)
		if (strcmp(values[i].option, option) == 0)
			return ((int)i);
	return (-1);
}

/* Words the scripts share: profiles and job names. */
static const char helpers[] =
    "_cwdemux_profiles() {\n"
    "\tsed -n 's/^\\[profile  *\\([^] ]*\\).*/\\1/p; s/^\\[default\\].*/"
    "default/p' \\\n"
    "\t    \"${AWS_CONFIG_FILE:-$HOME/.aws/config}\" 2>/dev/null\n"
    "}\n"
    "# Job names: cwdemux --list PREFIX, with the AWS options typed so "
    "far.\n"
    "_cwdemux_jobs() {\n"
    "\tcwdemux --list \"$@\" 2>/dev/null | awk 'NR > 1 { print $1 }'\n"
    "}\n";

static void
bash_script(struct buf *b)
{
	struct cli_option o;
	size_t i;
	int v;

	buf_adds(
	    b, "# bash completion for cwdemux: cwdemux --completion bash\n");
	buf_adds(b, helpers);
	buf_adds(b,
	    "_cwdemux() {\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i aws=\n"
	    "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\t# bash splits \"--output=js\" at '='.\n"
	    "\tif [ \"$cur\" = = ]; then\n"
	    "\t\tcur=\n"
	    "\telif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
	    "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	    "\tfi\n"
	    "\tcase $prev in\n");
	for (i = 0; cli_option_at(i, &o) != NULL; i++) {
		if (o.value == 0 || (v = values_of(o.name)) < 0)
			continue;
		buf_printf(b, "\t--%s", o.name);
		if (o.short_name != 0)
			buf_printf(b, "|-%c", o.short_name);
		buf_adds(b, ")\n\t\t");
		switch (values[v].kind) {
		case VALUES_WORDS:
			buf_printf(b,
			    "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))",
			    values[v].words);
			break;
		case VALUES_FILES:
			buf_adds(b, "COMPREPLY=($(compgen -f -- \"$cur\"))");
			break;
		case VALUES_DIRS:
			buf_adds(b, "COMPREPLY=($(compgen -d -- \"$cur\"))");
			break;
		case VALUES_FIELDS:
			buf_printf(b,
			    "local done=\n"
			    "\t\tcase $cur in *,*) done=${cur%%,*}, ;; esac\n"
			    "\t\tCOMPREPLY=($(compgen -P \"$done\" -W \"%s\" "
			    "-- \"${cur##*,}\"))",
			    values[v].words);
			break;
		case VALUES_PROFILES:
			buf_adds(b,
			    "COMPREPLY=($(compgen -W \"$(_cwdemux_"
			    "profiles)\" -- \"$cur\"))");
			break;
		case VALUES_NONE:
			break;
		}
		buf_adds(b, "\n\t\treturn ;;\n");
	}
	/* Options whose value cannot be guessed: nothing to offer. */
	buf_adds(b, "\t");
	for (i = 0; cli_option_at(i, &o) != NULL; i++) {
		if (o.value != 1 || values_of(o.name) >= 0)
			continue;
		buf_printf(b, "--%s|", o.name);
		if (o.short_name != 0)
			buf_printf(b, "-%c|", o.short_name);
	}
	b->len--; /* the last '|' */
	buf_adds(b,
	    ")\n\t\treturn ;;\n\tesac\n"
	    "\tcase $cur in\n\t-*)\n\t\tCOMPREPLY=($(compgen -W \"");
	for (i = 0; cli_option_at(i, &o) != NULL; i++)
		buf_printf(b, "%s--%s%s", i > 0 ? " " : "", o.name,
		    o.value == 2 ? "=" : "");
	buf_adds(b,
	    "\" -- \"$cur\"))\n"
	    "\t\treturn ;;\n\tesac\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tcase ${COMP_WORDS[i]} in\n"
	    "\t\t--profile|--region|--endpoint-url)\n"
	    "\t\t\taws=\"$aws ${COMP_WORDS[i]} ${COMP_WORDS[i+1]}\" ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tCOMPREPLY=($(compgen -W \"$(_cwdemux_jobs $aws \"$cur\")\" -- "
	    "\"$cur\"))\n"
	    "}\n"
	    "complete -F _cwdemux cwdemux\n");
}

/* One option's _arguments spec: "(-o --output)"{-o+,--output=}... */
static void
zsh_spec(struct buf *b, const struct cli_option *o)
{
	int v = values_of(o->name);
	const char *eq = o->value == 1 ? "=" : o->value == 2 ? "=-" : "";

	buf_adds(b, "\t");
	if (o->short_name != 0)
		buf_printf(b, "'(-%c --%s)'{-%c%s,--%s%s}'", o->short_name,
		    o->name, o->short_name, o->value ? "+" : "", o->name, eq);
	else
		buf_printf(b, "'--%s%s", o->name, eq);
	if (o->value != 0) {
		buf_printf(b, ":%s:", o->name);
		if (v < 0)
			buf_adds(b, " ");
		else
			switch (values[v].kind) {
			case VALUES_WORDS:
				buf_printf(b, "(%s)", values[v].words);
				break;
			case VALUES_FILES:
				buf_adds(b, "_files");
				break;
			case VALUES_DIRS:
				buf_adds(b, "_files -/");
				break;
			case VALUES_FIELDS:
				buf_printf(b, "_sequence compadd - %s",
				    values[v].words);
				break;
			case VALUES_PROFILES:
				buf_adds(b, "{compadd - $(_cwdemux_profiles)}");
				break;
			case VALUES_NONE:
				break;
			}
	}
	buf_adds(b, "' \\\n");
}

static void
zsh_script(struct buf *b)
{
	struct cli_option o;
	size_t i;

	buf_adds(b,
	    "#compdef cwdemux\n"
	    "# zsh completion for cwdemux: cwdemux --completion zsh\n");
	buf_adds(b, helpers);
	buf_adds(b,
	    "_cwdemux_job() {\n"
	    "\tlocal -a jobs aws\n"
	    "\tlocal i\n"
	    "\tfor ((i = 2; i < CURRENT; i++)); do\n"
	    "\t\tcase $words[i] in\n"
	    "\t\t--profile|--region|--endpoint-url)\n"
	    "\t\t\taws+=($words[i] $words[i+1]) ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tjobs=(${(f)\"$(_cwdemux_jobs $aws \"$PREFIX\")\"})\n"
	    "\tcompadd -a jobs\n"
	    "}\n"
	    "_cwdemux() {\n"
	    "\t_arguments -s -S \\\n");
	for (i = 0; cli_option_at(i, &o) != NULL; i++)
		zsh_spec(b, &o);
	buf_adds(b,
	    "\t'1:job:_cwdemux_job'\n"
	    "}\n"
	    "if [ \"$funcstack[1]\" = _cwdemux ]; then\n"
	    "\t_cwdemux \"$@\"\n"
	    "else\n"
	    "\tcompdef _cwdemux cwdemux\n"
	    "fi\n");
}

int
completion_script(const char *shell, struct buf *b)
{
	if (strcmp(shell, "bash") == 0)
		bash_script(b);
	else if (strcmp(shell, "zsh") == 0)
		zsh_script(b);
	else
		return (-1);
	return (0);
}
