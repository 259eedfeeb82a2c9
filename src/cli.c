/*
 * Command-line parsing with getopt_long. Every option is long, as AWS CLI
 * users expect; the common ones also have the short forms that stern and
 * tail users reach for (-i/-e include/exclude and -s since as in stern, -f
 * follow as in tail -f, -o output, -t timestamps), and none of ours means
 * something else in those tools. Every value is validated here and a bad
 * one is named in the error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "cli.h"
#include "clock.h"
#include "isotime.h"
#include "logfile.h"
#include "spool.h"
#include "timefmt.h"
#include "utf8.h"
#include "xmalloc.h"

#define DEFAULT_HOLD_LIMIT ((size_t)64 << 20)

enum {
	OPT_FROM = 256,
	OPT_FROM_FORMAT,
	OPT_JOBS,
	OPT_OUTPUT,
	OPT_EXPORT,
	OPT_SUMMARY,
	OPT_RULES,
	OPT_NO_DEFAULT_RULES,
	OPT_ASSIGN,
	OPT_TIMESTAMPS,
	OPT_COLOR,
	OPT_HOLD_LIMIT,
	OPT_NO_FOLLOW,
	OPT_LIVE_TAIL,
	OPT_NO_LIVE_TAIL,
	OPT_LOG_GROUP,
	OPT_STREAM_PREFIX,
	OPT_PROFILE,
	OPT_REGION,
	OPT_ENDPOINT_URL,
	OPT_DEBUG,
	OPT_CHECK,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_GRACE,
	OPT_STATUS_INTERVAL,
	OPT_GET_RATE,
	OPT_FILTER_RATE,
	OPT_LATE_WINDOW,
	OPT_NO_UI,
	OPT_SCROLLBACK,
	OPT_SPOOL,
	OPT_SPOOL_LIMIT,
	OPT_VERSION,
	OPT_HELP,
	OPT_FOLLOW,
	OPT_FIELDS,
	OPT_TIMEZONE,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_HOST,
	OPT_GROUP,
	OPT_RANK,
	OPT_EXPORT_FILTERED,
	OPT_RAW,
	OPT_RAW_PROGRESS,
	OPT_LIST,
	OPT_STATUS,
	OPT_COMPLETION,
	OPT_FILTER_PATTERN,
	OPT_TAIL,
};

/* Short options and the long ones they stand for. */
static const struct {
	int c, opt;
} shorts[] = {
    {'h', OPT_HELP},
    {'V', OPT_VERSION},
    {'o', OPT_OUTPUT},
    {'s', OPT_SINCE},
    {'t', OPT_TIMESTAMPS},
    {'f', OPT_FOLLOW},
    {'i', OPT_INCLUDE},
    {'e', OPT_EXCLUDE},
    {'g', OPT_GROUP},
};
#define SHORT_OPTIONS ":hVo:s:tfi:e:g:"

static const struct option long_options[] = {
    {"from", required_argument, NULL, OPT_FROM},
    {"from-format", required_argument, NULL, OPT_FROM_FORMAT},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"export", required_argument, NULL, OPT_EXPORT},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES},
    {"assign", required_argument, NULL, OPT_ASSIGN},
    {"timestamps", no_argument, NULL, OPT_TIMESTAMPS},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"hold-limit", required_argument, NULL, OPT_HOLD_LIMIT},
    {"no-follow", no_argument, NULL, OPT_NO_FOLLOW},
    {"live-tail", no_argument, NULL, OPT_LIVE_TAIL},
    {"no-live-tail", no_argument, NULL, OPT_NO_LIVE_TAIL},
    {"log-group", required_argument, NULL, OPT_LOG_GROUP},
    {"stream-prefix", required_argument, NULL, OPT_STREAM_PREFIX},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT_URL},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"check", no_argument, NULL, OPT_CHECK},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"grace", required_argument, NULL, OPT_GRACE},
    {"status-interval", required_argument, NULL, OPT_STATUS_INTERVAL},
    {"get-rate", required_argument, NULL, OPT_GET_RATE},
    {"filter-rate", required_argument, NULL, OPT_FILTER_RATE},
    {"late-window", required_argument, NULL, OPT_LATE_WINDOW},
    {"no-ui", no_argument, NULL, OPT_NO_UI},
    {"scrollback", required_argument, NULL, OPT_SCROLLBACK},
    {"spool", required_argument, NULL, OPT_SPOOL},
    {"spool-limit", required_argument, NULL, OPT_SPOOL_LIMIT},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"fields", required_argument, NULL, OPT_FIELDS},
    {"timezone", required_argument, NULL, OPT_TIMEZONE},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"host", required_argument, NULL, OPT_HOST},
    {"group", required_argument, NULL, OPT_GROUP},
    {"rank", required_argument, NULL, OPT_RANK},
    {"export-filtered", no_argument, NULL, OPT_EXPORT_FILTERED},
    {"raw", no_argument, NULL, OPT_RAW},
    {"raw-progress", no_argument, NULL, OPT_RAW_PROGRESS},
    {"list", no_argument, NULL, OPT_LIST},
    {"status", required_argument, NULL, OPT_STATUS},
    {"completion", required_argument, NULL, OPT_COMPLETION},
    {"filter-pattern", required_argument, NULL, OPT_FILTER_PATTERN},
    {"tail", required_argument, NULL, OPT_TAIL},
    {NULL, 0, NULL, 0},
};

/* Every option, grouped, in two screens at most (tests/integ/examples.sh
 * checks that each long option is here). */
void
cli_usage(void)
{
	/* One source line per printed line, as the user sees it. */
	/* clang-format off */
	printf(
	    "usage: cwdemux [OPTIONS] JOB               follow a job's logs, by group\n"
	    "       cwdemux --from PATH [OPTIONS] [JOB] logs saved on disk\n"
	    "       cwdemux --list [PATTERN]            recent training jobs\n"
	    "       cwdemux --check [OPTIONS] [JOB]     AWS settings, permissions tried\n"
	    "\n"
	    "Reading\n"
	    "  -f, --follow          follow the job to its end (the default)\n"
	    "      --no-follow       read what the streams hold, and exit\n"
	    "  -s, --since WHEN      events from 10m, 2h, 1d, 1w ago, or a time\n"
	    "      --until WHEN      events before then (same forms)\n"
	    "      --tail N          the last N events of each host, then on\n"
	    "      --live-tail       lines in about 1 s by Live Tail (billed) --no-live-tail\n"
	    "      --from PATH       logs on disk, not CloudWatch (repeatable)\n"
	    "      --from-format F   export, tail, tail-short or json (sniffed)\n"
	    "      --jobs N          threads for --from (default: the cores)\n"
	    "      --log-group NAME  --stream-prefix PREFIX   other streams\n"
	    "Choosing what to see (repeatable; not the export, unless --export-filtered)\n"
	    "  -i, --include RE      only events matching RE (PCRE2)\n"
	    "  -e, --exclude RE      no events matching RE\n"
	    "  -g, --group GLOB      only these groups     --host GLOB  these hosts\n"
	    "      --rank N[-M]      only these MPI ranks\n"
	    "      --filter-pattern P  CloudWatch filters first (its syntax)\n"
	    "Output\n"
	    "  -o, --output FORMAT   lines, json or none (and no terminal UI)\n"
	    "      --fields LIST     of time,group,host,stream,rank,message\n"
	    "  -t, --timestamps      time first (as --fields time,group,host,message)\n"
	    "      --timezone ZONE   utc (the default), local, +05:30, Europe/Paris\n"
	    "      --color[=WHEN]    auto, always or never (NO_COLOR: not auto)\n"
	    "      --raw             messages as CloudWatch holds them (#011 escapes)\n"
	    "      --raw-progress    every state of a progress bar, not the latest\n"
	    "      --export DIR      one file per group, and a manifest\n"
	    "      --export-filtered the export keeps only what is chosen\n"
	    "      --summary         errors per group and the first failure\n"
	    "      --no-ui           lines even on a terminal   --scrollback N  UI cache\n"
	    "      --spool DIR  --spool-limit SIZE   the UI's lines on disk\n"
	    "Groups\n"
	    "      --rules FILE  --no-default-rules  --assign HOST=GROUP  --hold-limit SIZE\n"
	    "AWS\n"
	    "      --profile NAME  --region REGION  --endpoint-url URL  --debug\n"
	    "      --status-interval TIME  --grace TIME  --late-window TIME\n"
	    "      --get-rate CALLS  --filter-rate CALLS\n"
	    "Other\n"
	    "      --list [PATTERN]  --status STATUS    jobs, newest first\n"
	    "      --completion bash|zsh  a completion script   -h, --help  -V, --version\n"
	    "\n"
	    "Every option, the outputs and the exit status: man cwdemux\n"
	    "(cwdemux(1)); the rule format: man cwdemux-rules.\n");
	/* clang-format on */
}

const struct cli_option *
cli_option_at(size_t i, struct cli_option *o)
{
	size_t j;

	if (i >= sizeof long_options / sizeof long_options[0] - 1)
		return (NULL);
	o->name = long_options[i].name;
	o->value = long_options[i].has_arg == required_argument ? 1
	    : long_options[i].has_arg == optional_argument	? 2
								: 0;
	o->short_name = 0;
	for (j = 0; j < sizeof shorts / sizeof shorts[0]; j++)
		if (shorts[j].opt == long_options[i].val)
			o->short_name = (char)shorts[j].c;
	return (o);
}

int
cli_parse_duration(const char *s, int64_t *ms)
{
	long long v;
	char *end;
	int64_t unit = 1000;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v > 100LL * 365 * 86400)
		return (-1);
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 86400 * 1000;
		break;
	case 'w':
		unit = 7 * 86400 * 1000;
		break;
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0')
		return (-1);
	*ms = (int64_t)v * unit;
	return (0);
}

/*
 * A time as people type it, made ISO-8601 for isotime_parse(): a space for
 * the T, a date alone is its midnight, seconds may be left out. -1 when s
 * cannot be one (the parse then decides the rest).
 */
static int
complete_time(const char *s, char *out, size_t size)
{
	size_t len = strlen(s);

	if (len < 10 || len + 9 >= size)
		return (-1);
	memcpy(out, s, len + 1);
	if (len == 10) {
		memcpy(out + 10, "T00:00:00", 10);
		return (0);
	}
	if (out[10] == ' ')
		out[10] = 'T';
	/* "YYYY-MM-DDTHH:MM", then the end or a zone: add ":00". */
	if (len >= 16 &&
	    (out[16] == '\0' || out[16] == 'Z' || out[16] == '+' ||
		out[16] == '-')) {
		memmove(out + 19, out + 16, len - 16 + 1);
		memcpy(out + 16, ":00", 3);
	}
	return (0);
}

int
cli_parse_when(const char *s, int64_t now_ms, int64_t *ms)
{
	char iso[64];
	int64_t back;
	size_t used;

	if (complete_time(s, iso, sizeof iso) == 0 &&
	    isotime_parse(iso, strlen(iso), ms, &used) == 0 &&
	    used == strlen(iso))
		return (0);
	if (cli_parse_duration(s, &back) != 0 || back > now_ms)
		return (-1);
	*ms = now_ms - back;
	return (0);
}

int
cli_parse_size(const char *s, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return (-1);
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	default:
		return (-1);
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v > SIZE_MAX / mult)
		return (-1);
	*out = (size_t)(v * mult);
	return (0);
}

static void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

/* A request rate: calls a second, 0.1 to 100. */
static int
parse_rate(const char *opt, const char *arg, double *rate, char **cause)
{
	char *end;

	/* Decimal only: strtod would take "0x10", "1e1" and "inf". */
	*rate = strtod(arg, &end);
	if (*arg == '\0' || strspn(arg, "0123456789.") != strlen(arg) ||
	    *end != '\0' || !(*rate >= 0.1) || *rate > 100) {
		xasprintf(cause, "%s %s: expected calls a second, 0.1 to 100",
		    opt, arg);
		return (-1);
	}
	return (0);
}

/* --scrollback: lines the UI caches in memory, 1 to 100000000 (the
 * spool caps the cache). */
static int
parse_scrollback(const char *arg, size_t *lines, char **cause)
{
	char *end;

	*lines = (size_t)strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || *lines == 0 ||
	    *lines > 100000000) {
		xasprintf(cause,
		    "--scrollback %s: expected a number of lines, 1 to "
		    "100000000",
		    arg);
		return (-1);
	}
	return (0);
}

/* --spool-limit: a size, 64K at least (a segment of the spool). */
static int
parse_spool_limit(const char *arg, uint64_t *limit, char **cause)
{
	size_t n;

	if (cli_parse_size(arg, &n) != 0 || n < ((size_t)64 << 10)) {
		xasprintf(cause,
		    "--spool-limit %s: expected a size of 64K or more, such as "
		    "4G",
		    arg);
		return (-1);
	}
	*limit = n;
	return (0);
}

/* --tail: 0 to 10000 events (one GetLogEvents page at most). */
static int
parse_tail(const char *arg, int *tail, char **cause)
{
	char *end;
	long v;

	v = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || v > 10000) {
		xasprintf(cause,
		    "--tail %s: expected a number of events, 0 to 10000", arg);
		return (-1);
	}
	*tail = (int)v;
	return (0);
}

/* --status: a TrainingJobStatus, as SageMaker spells it. */
static int
parse_status(const char *arg, char **cause)
{
	static const char *const statuses[] = {
	    "InProgress", "Completed", "Failed", "Stopping", "Stopped"};
	size_t i;

	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(arg, statuses[i]) == 0)
			return (0);
	xasprintf(cause,
	    "--status %s: expected InProgress, Completed, Failed, Stopping or "
	    "Stopped",
	    arg);
	return (-1);
}

/* The options of issues #16 and #19: what to see, and how. */
static int
parse_option2(int c, const char *arg, struct options *o, char **cause)
{
	struct mpi_range r;

	switch (c) {
	case OPT_FOLLOW:
		o->no_follow = 0;
		break;
	case OPT_FIELDS:
		if (fields_parse(arg, &o->fields, cause) != 0)
			return (-1);
		o->fields_set = 1;
		break;
	case OPT_TIMEZONE:
		return (timefmt_set(arg, cause));
	case OPT_INCLUDE:
		strlist_add(&o->include, arg);
		break;
	case OPT_EXCLUDE:
		strlist_add(&o->exclude, arg);
		break;
	case OPT_HOST:
		strlist_add(&o->hosts, arg);
		break;
	case OPT_GROUP:
		strlist_add(&o->groups, arg);
		break;
	case OPT_RANK:
		if (mpi_range_parse(arg, &r) != 0) {
			xasprintf(cause,
			    "--rank %s: expected a rank or a range such as "
			    "8-15 (0 to %d)",
			    arg, MPI_RANK_MAX);
			return (-1);
		}
		o->ranks =
		    xreallocarray(o->ranks, o->nranks + 1, sizeof *o->ranks);
		o->ranks[o->nranks++] = r;
		break;
	case OPT_EXPORT_FILTERED:
		o->export_filtered = 1;
		break;
	case OPT_RAW:
		o->raw = 1;
		break;
	case OPT_RAW_PROGRESS:
		o->raw_progress = 1;
		break;
	case OPT_LIST:
		o->list = 1;
		break;
	case OPT_STATUS:
		if (parse_status(arg, cause) != 0)
			return (-1);
		o->status = arg;
		break;
	case OPT_FILTER_PATTERN:
		/* CloudWatch's own limits: 0 to 1024 characters. */
		if (*arg == '\0' || strlen(arg) > 1024) {
			xasprintf(cause,
			    "--filter-pattern: expected a pattern of 1 to 1024 "
			    "characters");
			return (-1);
		}
		o->filter_pattern = arg;
		break;
	case OPT_TAIL:
		return (parse_tail(arg, &o->tail, cause));
	case OPT_COMPLETION:
		if (strcmp(arg, "bash") != 0 && strcmp(arg, "zsh") != 0) {
			xasprintf(cause,
			    "--completion %s: expected bash or zsh", arg);
			return (-1);
		}
		o->completion = arg;
		break;
	}
	return (0);
}

static int
parse_option(int c, const char *arg, struct options *o, char **cause)
{
	const char *eq;

	switch (c) {
	case OPT_FROM:
		strlist_add(&o->from, arg);
		break;
	case OPT_JOBS: {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || v < 1 ||
		    v > 1024) {
			xasprintf(cause,
			    "--jobs %s: expected a number from 1 to 1024", arg);
			return (-1);
		}
		o->jobs = (int)v;
		break;
	}
	case OPT_FROM_FORMAT:
		if ((o->from_format = logfile_format_parse(arg)) < 0) {
			xasprintf(cause,
			    "--from-format %s: expected auto, export, tail, "
			    "tail-short or json",
			    arg);
			return (-1);
		}
		break;
	case OPT_OUTPUT:
		if (strcmp(arg, "lines") == 0)
			o->output = OUTPUT_LINES;
		else if (strcmp(arg, "json") == 0)
			o->output = OUTPUT_JSON;
		else if (strcmp(arg, "none") == 0)
			o->output = OUTPUT_NONE;
		else {
			xasprintf(cause,
			    "--output %s: expected lines, json or none", arg);
			return (-1);
		}
		o->output_set = 1;
		break;
	case OPT_NO_UI:
		o->no_ui = 1;
		break;
	case OPT_SCROLLBACK:
		return (parse_scrollback(arg, &o->scrollback, cause));
	case OPT_SPOOL:
		o->spool_dir = arg;
		break;
	case OPT_SPOOL_LIMIT:
		return (parse_spool_limit(arg, &o->spool_limit, cause));
	case OPT_EXPORT:
		o->export_dir = arg;
		break;
	case OPT_SUMMARY:
		o->summary = 1;
		break;
	case OPT_RULES:
		strlist_add(&o->rules, arg);
		break;
	case OPT_NO_DEFAULT_RULES:
		o->no_default_rules = 1;
		break;
	case OPT_ASSIGN:
		if (strchr(arg, '=') == NULL || *arg == '=' ||
		    arg[strlen(arg) - 1] == '=') {
			xasprintf(
			    cause, "--assign %s: expected HOST=GROUP", arg);
			return (-1);
		}
		/* The limit classify keeps to, said here, not ignored later. */
		eq = strchr(arg, '=') + 1;
		if (utf8_width(eq, strlen(eq)) > CLASSIFY_GROUP_MAX) {
			xasprintf(cause,
			    "--assign %s: the group is wider than %d "
			    "columns",
			    arg, CLASSIFY_GROUP_MAX);
			return (-1);
		}
		strlist_add(&o->assign, arg);
		break;
	case OPT_TIMESTAMPS:
		o->timestamps = 1;
		break;
	case OPT_COLOR:
		if (arg == NULL || strcmp(arg, "always") == 0)
			o->color = COLOR_ALWAYS;
		else if (strcmp(arg, "auto") == 0)
			o->color = COLOR_AUTO;
		else if (strcmp(arg, "never") == 0)
			o->color = COLOR_NEVER;
		else {
			xasprintf(cause,
			    "--color=%s: expected auto, always or "
			    "never",
			    arg);
			return (-1);
		}
		break;
	case OPT_HOLD_LIMIT:
		if (cli_parse_size(arg, &o->hold_limit) != 0 ||
		    o->hold_limit == 0) {
			xasprintf(cause,
			    "--hold-limit %s: expected a size such "
			    "as 64M",
			    arg);
			return (-1);
		}
		break;
	case OPT_NO_FOLLOW:
		o->no_follow = 1;
		break;
	case OPT_LIVE_TAIL:
		o->live_tail = 1;
		break;
	case OPT_NO_LIVE_TAIL:
		o->live_tail = 0;
		break;
	case OPT_LOG_GROUP:
		o->log_group = arg;
		break;
	case OPT_STREAM_PREFIX:
		if (*arg == '\0') {
			xasprintf(cause,
			    "--stream-prefix is empty: it would read every "
			    "stream of the log group (give the streams' common "
			    "start, such as JOB/)");
			return (-1);
		}
		o->stream_prefix = arg;
		break;
	case OPT_PROFILE:
		o->profile = arg;
		break;
	case OPT_REGION:
		o->region = arg;
		break;
	case OPT_ENDPOINT_URL:
		o->endpoint_url = arg;
		break;
	case OPT_DEBUG:
		o->debug = 1;
		break;
	case OPT_CHECK:
		o->check = 1;
		break;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (cli_parse_when(arg, clock_wall_ms(),
			c == OPT_SINCE ? &o->since : &o->until) != 0) {
			xasprintf(cause,
			    "--%s %s: expected a duration back from now "
			    "(10m, 2h, 1d, 1w) or a time (2026-06-01, "
			    "2026-06-01 12:00[:SS][Z|+HH:MM])",
			    c == OPT_SINCE ? "since" : "until", arg);
			return (-1);
		}
		break;
	case OPT_GRACE:
		if (cli_parse_duration(arg, &o->grace_ms) != 0) {
			xasprintf(cause,
			    "--grace %s: expected a duration such "
			    "as 20s or 2m",
			    arg);
			return (-1);
		}
		break;
	case OPT_STATUS_INTERVAL:
		if (cli_parse_duration(arg, &o->status_interval_ms) != 0 ||
		    o->status_interval_ms == 0) {
			xasprintf(cause,
			    "--status-interval %s: expected a "
			    "duration such as 30s",
			    arg);
			return (-1);
		}
		break;
	case OPT_GET_RATE:
		return (parse_rate("--get-rate", arg, &o->get_rate, cause));
	case OPT_FILTER_RATE:
		return (
		    parse_rate("--filter-rate", arg, &o->filter_rate, cause));
	case OPT_LATE_WINDOW:
		if (cli_parse_duration(arg, &o->late_window_ms) != 0 ||
		    o->late_window_ms < 1000) {
			xasprintf(cause,
			    "--late-window %s: expected a duration of "
			    "at least 1s, such as 60s or 5m",
			    arg);
			return (-1);
		}
		break;
	case OPT_VERSION:
		o->version = 1;
		break;
	case OPT_HELP:
		o->help = 1;
		break;
	default:
		return (parse_option2(c, arg, o, cause));
	}
	return (0);
}

/* The long option a short one stands for. */
static int
long_of(int c)
{
	size_t i;

	for (i = 0; i < sizeof shorts / sizeof shorts[0]; i++)
		if (shorts[i].c == c)
			return (shorts[i].opt);
	return (c);
}

/*
 * getopt_long said '?': name the option as it was written. For a short
 * option in a cluster ("-tx"), argv[optind - 1] is the cluster: name the
 * letter.
 */
static void
unknown(int argc, char **argv, char **cause)
{
	const char *arg = argv[optind - 1 < argc ? optind - 1 : argc - 1];

	if (optopt != 0 && optopt < 256 && (arg[0] != '-' || arg[1] != '-'))
		xasprintf(cause, "unknown option -%c", optopt);
	else
		xasprintf(cause, "unknown option %s", arg);
}

/* --list [PATTERN] [--status S]: the job is the pattern; no reading. */
static int
check_list(int argc, char **argv, struct options *o, char **cause)
{
	if (optind < argc)
		o->job = argv[optind++];
	if (optind < argc) {
		xasprintf(cause,
		    "unexpected argument %s (--list takes one "
		    "PATTERN)",
		    argv[optind]);
		return (-1);
	}
	if (o->from.n > 0) {
		xasprintf(cause,
		    "--list asks SageMaker: it does not go with "
		    "--from");
		return (-1);
	}
	return (0);
}

/* CWDEMUX_LIVE_TAIL turns Live Tail on unless an option says otherwise. */
static int
live_tail_default(int *on, char **cause)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"", "0", "false", "no", "off"};
	const char *v = getenv("CWDEMUX_LIVE_TAIL");
	size_t i;

	*on = 0;
	if (v == NULL)
		return (0);
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcasecmp(v, yes[i]) == 0) {
			*on = 1;
			return (0);
		}
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		if (strcasecmp(v, no[i]) == 0)
			return (0);
	xasprintf(cause,
	    "CWDEMUX_LIVE_TAIL=%s: expected 1, true, yes or on (or 0, false, "
	    "no, off)",
	    v);
	return (-1);
}

int
cli_parse(int argc, char **argv, struct options *o, char **cause)
{
	int c;

	memset(o, 0, sizeof *o);
	o->hold_limit = DEFAULT_HOLD_LIMIT;
	o->since = -1;
	o->tail = -1;
	o->until = -1;
	o->grace_ms = -1;
	o->scrollback = SPOOL_DEFAULT_CACHE;
	o->spool_limit = SPOOL_DEFAULT_LIMIT;
	if (live_tail_default(&o->live_tail, cause) != 0)
		return (-1);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(
		    argc, argv, SHORT_OPTIONS, long_options, NULL)) != -1) {
		if (c == '?') {
			unknown(argc, argv, cause);
			return (-1);
		}
		if (c == ':') {
			xasprintf(
			    cause, "option %s needs a value", argv[optind - 1]);
			return (-1);
		}
		if (parse_option(long_of(c), optarg, o, cause) != 0)
			return (-1);
	}
	if (o->help || o->version || o->completion != NULL)
		return (0);
	if (!o->fields_set)
		fields_default(&o->fields, o->timestamps);
	else if (o->timestamps && !fields_has(&o->fields, FIELD_TIME))
		fields_prepend(&o->fields, FIELD_TIME);
	if (o->list)
		return (check_list(argc, argv, o, cause));
	if (optind < argc)
		o->job = argv[optind++];
	if (optind < argc) {
		xasprintf(cause, "unexpected argument %s (one JOB only)",
		    argv[optind]);
		return (-1);
	}
	if (o->since >= 0 && o->until >= 0 && o->until <= o->since) {
		xasprintf(cause,
		    "--until is not after --since: no event "
		    "can be in the window");
		return (-1);
	}
	if (o->log_group != NULL && *o->log_group == '\0') {
		xasprintf(cause, "--log-group: empty name");
		return (-1);
	}
	if (o->check && o->from.n > 0) {
		xasprintf(
		    cause, "--check checks AWS access; --from reads files");
		return (-1);
	}
	if (!o->check && o->job == NULL && o->from.n == 0 &&
	    o->stream_prefix == NULL) {
		xasprintf(cause, "no job given (cwdemux JOB, or --from PATH)");
		return (-1);
	}
	if (o->log_group == NULL)
		o->log_group = "/aws/sagemaker/TrainingJobs";
	if (o->job != NULL && (*o->job == '\0' || strchr(o->job, '/'))) {
		xasprintf(cause, "job name \"%s\" is not valid", o->job);
		return (-1);
	}
	if (o->status != NULL) {
		xasprintf(cause, "--status goes with --list");
		return (-1);
	}
	if (o->export_filtered && o->export_dir == NULL) {
		xasprintf(cause, "--export-filtered goes with --export DIR");
		return (-1);
	}
	/* CloudWatch has no "the newest N events that match". */
	if (o->filter_pattern != NULL && o->tail >= 0) {
		xasprintf(cause,
		    "--tail and --filter-pattern do not go together "
		    "(CloudWatch "
		    "cannot give the newest N events that match; use --tail "
		    "with --include)");
		return (-1);
	}
	/* Both ask CloudWatch; on disk, --include and | tail do the same. */
	if (o->from.n > 0 && (o->filter_pattern != NULL || o->tail >= 0)) {
		xasprintf(cause,
		    "%s reads from CloudWatch: it does not go with --from "
		    "(use %s)",
		    o->filter_pattern != NULL ? "--filter-pattern" : "--tail",
		    o->filter_pattern != NULL ? "--include" : "| tail");
		return (-1);
	}
	if (o->output == OUTPUT_DEFAULT)
		o->output = o->export_dir != NULL ? OUTPUT_NONE : OUTPUT_LINES;
	return (0);
}

void
cli_free(struct options *o)
{
	free(o->from.v);
	free(o->rules.v);
	free(o->assign.v);
	free(o->include.v);
	free(o->exclude.v);
	free(o->hosts.v);
	free(o->groups.v);
	free(o->ranks);
}
