/*
 * cwdemux: show the CloudWatch logs of a SageMaker training job grouped by
 * instance group. main() parses the command line, builds the pipeline
 * (rules, classify, store, sinks), runs the source into it and turns the
 * outcome into an exit status. It is the only place that decides how an
 * error is shown.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "log.h"
#include "out_json.h"
#include "out_lines.h"
#include "pipeline.h"
#include "rules.h"
#include "source_files.h"
#include "xmalloc.h"

static int
want_color(enum color_when when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when != COLOR_AUTO)
		return (when == COLOR_ALWAYS);
	if (nc != NULL && *nc != '\0')
		return (0);
	if (term != NULL && strcmp(term, "dumb") == 0)
		return (0);
	return (isatty(STDOUT_FILENO));
}

static int
load_rules(const struct options *o, struct rules *rules, char **cause)
{
	size_t i;

	if (!o->no_default_rules && rules_load_default(rules, cause) != 0)
		return (-1);
	for (i = 0; i < o->rules.n; i++)
		if (rules_load_file(rules, o->rules.v[i], cause) != 0)
			return (-1);
	return (0);
}

static void
add_assignments(const struct options *o, struct pipeline *p)
{
	const char *a, *eq;
	size_t i;

	for (i = 0; i < o->assign.n; i++) {
		a = o->assign.v[i];
		eq = strchr(a, '=');
		pipeline_assign(p, a, (size_t)(eq - a), eq + 1, strlen(eq + 1));
	}
}

static int
add_sinks(const struct options *o, struct pipeline *p, char **cause)
{
	struct out_lines_options lo;
	void *ex;

	if (o->output == OUTPUT_LINES) {
		lo.fd = STDOUT_FILENO;
		lo.timestamps = o->timestamps;
		lo.color = want_color(o->color);
		lo.sanitize = isatty(STDOUT_FILENO);
		pipeline_add_sink(p, &out_lines_sink, out_lines_new(&lo));
	} else if (o->output == OUTPUT_JSON)
		pipeline_add_sink(
		    p, &out_json_sink, out_json_new(STDOUT_FILENO));
	if (o->export_dir != NULL) {
		if ((ex = export_new(o->export_dir, cause)) == NULL)
			return (-1);
		pipeline_add_sink(p, &export_sink, ex);
	}
	return (0);
}

/* The job's streams are "JOB/...": the slash keeps job-2 out of job. */
static char *
job_prefix(const char *job)
{
	char *prefix;

	if (job == NULL)
		return (NULL);
	xasprintf(&prefix, "%s/", job);
	return (prefix);
}

static int
run(const struct options *o, char **cause)
{
	struct rules *rules;
	struct pipeline *p = NULL;
	struct source_files *sf = NULL;
	char *prefix = NULL;
	enum sink_status rc;
	int status = EXIT_USAGE;

	rules = rules_new();
	if (load_rules(o, rules, cause) != 0)
		goto out;
	if (o->from.n == 0) {
		xasprintf(cause,
		    "reading from CloudWatch is not available in "
		    "this build; use --from PATH");
		goto out;
	}
	prefix = job_prefix(o->job);
	sf = source_files_new(o->from.v, o->from.n, prefix, cause);
	if (sf == NULL)
		goto out;
	if (source_files_count(sf) == 0 && source_files_skipped(sf) != 0)
		log_warn(
		    "none of the %zu streams under --from starts with "
		    "\"%s\" (stream names are paths relative to the --from "
		    "directory; give the directory above %s/, or no JOB)",
		    source_files_skipped(sf), prefix, o->job);
	else if (source_files_count(sf) == 0)
		log_warn("no log streams found under --from");
	p = pipeline_new(rules, STORE_ORDERED, o->hold_limit);
	add_assignments(o, p);
	status = EXIT_RUNTIME;
	if (add_sinks(o, p, cause) != 0)
		goto out;
	/* SINK_CLOSED: every reader went away, nothing is left to finish. */
	rc = source_files_run(sf, p, cause);
	if (rc == SINK_OK)
		rc = pipeline_finish(p, cause);
	status = rc == SINK_ERROR ? EXIT_RUNTIME : EXIT_OK;
out:
	pipeline_free(p);
	source_files_free(sf);
	rules_free(rules);
	free(prefix);
	return (status);
}

int
main(int argc, char **argv)
{
	struct options o;
	char *cause = NULL;
	int status;

	/* A closed pipe is seen as EPIPE from write(2), then a quiet stop. */
	signal(SIGPIPE, SIG_IGN);
	if (cli_parse(argc, argv, &o, &cause) != 0) {
		log_error("%s", cause);
		fprintf(stderr, "Try 'cwdemux --help'.\n");
		free(cause);
		cli_free(&o);
		return (EXIT_USAGE);
	}
	if (o.help || o.version) {
		if (o.help)
			cli_usage();
		else
			printf("cwdemux %s\n", CWDEMUX_VERSION);
		cli_free(&o);
		return (fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK
							       : EXIT_RUNTIME);
	}
	status = run(&o, &cause);
	if (cause != NULL) {
		log_error("%s", cause);
		free(cause);
	}
	cli_free(&o);
	return (status);
}
