/*
 * Command-line parsing with getopt_long. Only long options, as the AWS
 * CLI users we serve are used to; every value is validated here and a bad
 * one is named in the error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "isotime.h"
#include "logfile.h"
#include "spool.h"
#include "xmalloc.h"

#define DEFAULT_HOLD_LIMIT ((size_t)64 << 20)

enum {
	OPT_FROM = 256,
	OPT_FROM_FORMAT,
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
	OPT_LOG_GROUP,
	OPT_STREAM_PREFIX,
	OPT_PROFILE,
	OPT_REGION,
	OPT_ENDPOINT_URL,
	OPT_DEBUG,
	OPT_SINCE,
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
};

static const struct option long_options[] = {
    {"from", required_argument, NULL, OPT_FROM},
    {"from-format", required_argument, NULL, OPT_FROM_FORMAT},
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
    {"log-group", required_argument, NULL, OPT_LOG_GROUP},
    {"stream-prefix", required_argument, NULL, OPT_STREAM_PREFIX},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"region", required_argument, NULL, OPT_REGION},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT_URL},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"since", required_argument, NULL, OPT_SINCE},
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
    {NULL, 0, NULL, 0},
};

void
cli_usage(void)
{
	printf(
	    "usage: cwdemux [OPTIONS] JOB\n"
	    "       cwdemux --from PATH [OPTIONS] [JOB]\n"
	    "\n"
	    "Follow the CloudWatch logs of a SageMaker training job, grouped "
	    "by\n"
	    "instance group: a terminal UI, or GROUP HOST MESSAGE lines.\n"
	    "\n"
	    "  --no-follow          read what the job has logged and exit\n"
	    "  --since WHEN         start at 10m, 2h, 1d ago, or an ISO time\n"
	    "  --output FORMAT      lines, json or none (no terminal UI)\n"
	    "  --export DIR         one file per group, and a manifest\n"
	    "  --summary            errors per group and the first failure\n"
	    "  --from PATH          read logs saved on disk (repeatable)\n"
	    "  --from-format NAME   export, tail, tail-short or json "
	    "(default:\n"
	    "                       sniffed per file)\n"
	    "  --rules FILE         rules of your own (repeatable)\n"
	    "  --profile, --region, --endpoint-url   as for the AWS CLI\n"
	    "\n"
	    "Every option, the outputs and the exit status: man cwdemux\n"
	    "(cwdemux(1)); the rule format: man cwdemux-rules.\n");
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
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0')
		return (-1);
	*ms = (int64_t)v * unit;
	return (0);
}

int
cli_parse_since(const char *s, int64_t now_ms, int64_t *ms)
{
	int64_t back;
	size_t used;

	if (isotime_parse(s, strlen(s), ms, &used) == 0 && used == strlen(s))
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

	*rate = strtod(arg, &end);
	if (*arg == '\0' || *end != '\0' || !(*rate >= 0.1) || *rate > 100) {
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

static int
parse_option(int c, const char *arg, struct options *o, char **cause)
{
	switch (c) {
	case OPT_FROM:
		strlist_add(&o->from, arg);
		break;
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
	case OPT_LOG_GROUP:
		o->log_group = arg;
		break;
	case OPT_STREAM_PREFIX:
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
	case OPT_SINCE:
		if (cli_parse_since(arg, clock_wall_ms(), &o->since) != 0) {
			xasprintf(cause,
			    "--since %s: expected a duration such as "
			    "10m, 2h, 1d, or an ISO-8601 time",
			    arg);
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
	}
	return (0);
}

int
cli_parse(int argc, char **argv, struct options *o, char **cause)
{
	int c;

	memset(o, 0, sizeof *o);
	o->hold_limit = DEFAULT_HOLD_LIMIT;
	o->since = -1;
	o->grace_ms = -1;
	o->scrollback = SPOOL_DEFAULT_CACHE;
	o->spool_limit = SPOOL_DEFAULT_LIMIT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		if (c == '?') {
			xasprintf(cause, "unknown option %s", argv[optind - 1]);
			return (-1);
		}
		if (c == ':') {
			xasprintf(
			    cause, "option %s needs a value", argv[optind - 1]);
			return (-1);
		}
		if (parse_option(c, optarg, o, cause) != 0)
			return (-1);
	}
	if (o->help || o->version)
		return (0);
	if (optind < argc)
		o->job = argv[optind++];
	if (optind < argc) {
		xasprintf(cause, "unexpected argument %s (one JOB only)",
		    argv[optind]);
		return (-1);
	}
	if (o->log_group != NULL && *o->log_group == '\0') {
		xasprintf(cause, "--log-group: empty name");
		return (-1);
	}
	if (o->job == NULL && o->from.n == 0 && o->stream_prefix == NULL) {
		xasprintf(cause, "no job given (cwdemux JOB, or --from PATH)");
		return (-1);
	}
	if (o->log_group == NULL)
		o->log_group = "/aws/sagemaker/TrainingJobs";
	if (o->job != NULL && (*o->job == '\0' || strchr(o->job, '/'))) {
		xasprintf(cause, "job name \"%s\" is not valid", o->job);
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
}
