/*
 * cli: the command line. cli_parse() turns argv into struct options and
 * checks every value, so the rest of the program sees only valid settings.
 *
 * Ownership: struct options points into argv (never freed) and owns its
 * arrays; cli_free() releases them.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdint.h>

#include "exitstatus.h"
#include "fields.h"
#include "mpi.h"

enum output_kind {
	OUTPUT_DEFAULT, /* lines, unless --export alone */
	OUTPUT_LINES,
	OUTPUT_JSON,
	OUTPUT_NONE,
};

enum color_when {
	COLOR_AUTO,
	COLOR_ALWAYS,
	COLOR_NEVER,
};

/* A list of strings from a repeatable option. */
struct strlist {
	const char **v;
	size_t n;
};

struct options {
	const char *job; /* JOB, or NULL; with --list, the PATTERN */
	struct strlist from; /* --from */
	int from_format; /* --from-format: enum logfile_format, 0 = auto */
	int jobs; /* --jobs, 0: as many as the cores */
	struct strlist rules; /* --rules */
	struct strlist assign; /* --assign HOST=GROUP */
	int no_default_rules;
	enum output_kind output;
	int output_set; /* --output was given */
	int no_ui; /* --no-ui */
	size_t scrollback; /* --scrollback: lines the UI caches in memory */
	const char *spool_dir; /* --spool: keep the UI's spool there */
	uint64_t spool_limit; /* --spool-limit: its disk budget, bytes */
	const char *export_dir;
	int summary; /* --summary: errors per group at the end, on stderr */
	int timestamps;
	struct fields fields; /* --fields, or the default (--timestamps) */
	int fields_set; /* --fields was given */
	struct strlist include; /* --include: keep events that match */
	struct strlist exclude; /* --exclude: drop events that match */
	struct strlist hosts; /* --host: globs */
	struct strlist groups; /* --group: globs */
	struct mpi_range *ranks; /* --rank */
	size_t nranks;
	int export_filtered; /* the selection applies to --export too */
	int raw; /* messages as CloudWatch holds them */
	int raw_progress; /* every state of a progress bar */
	int list; /* --list [PATTERN]: recent training jobs */
	const char *status; /* --status with --list, or NULL */
	const char *completion; /* --completion SHELL */
	const char *filter_pattern; /* --filter-pattern: CloudWatch's syntax */
	int tail; /* --tail N: the last N events of each stream; -1: off */
	enum color_when color;
	size_t hold_limit; /* bytes */
	int no_follow;
	int live_tail; /* --live-tail (CWDEMUX_LIVE_TAIL); --no-live-tail */
	const char *log_group; /* --log-group */
	const char *stream_prefix; /* --stream-prefix, default "JOB/" */
	const char *profile; /* --profile */
	const char *region; /* --region */
	const char *endpoint_url; /* --endpoint-url */
	int debug;
	int check; /* --check: resolve the AWS settings, try each call */
	int64_t since; /* --since: ms since the epoch, or -1 */
	int64_t until; /* --until: ms since the epoch, or -1 */
	int64_t grace_ms; /* --grace */
	int64_t status_interval_ms; /* --status-interval */
	double get_rate; /* --get-rate: GetLogEvents calls a second */
	double filter_rate; /* --filter-rate: FilterLogEvents calls a second */
	int64_t late_window_ms; /* --late-window */
	int help, version;
};

/* Parse argv; -1 with cause (naming the bad argument) on error. */
int cli_parse(int argc, char **argv, struct options *, char **cause);
void cli_free(struct options *);
/*
 * Parse --since and --until: a duration back from now ("90s", "10m", "2h",
 * "3d", "1w") or a time: "2026-06-01" (its midnight), "2026-06-01 12:00",
 * "2026-06-01T12:00:05.250", each with an optional zone (Z, +HH, +HH:MM;
 * none is UTC). now_ms is the current time.
 */
int cli_parse_when(const char *, int64_t now_ms, int64_t *ms);
/* Parse "20s", "2m", "1w" or a number of seconds, into milliseconds. */
int cli_parse_duration(const char *, int64_t *ms);
/* Parse "64M", "512k", "1G" or a byte count. */
int cli_parse_size(const char *, size_t *);
void cli_usage(void);

/* One option, for shell completion. */
struct cli_option {
	const char *name; /* the long name, without "--" */
	char short_name; /* its letter, or 0 */
	int value; /* 0: none; 1: required; 2: optional, attached with '=' */
};
/* The options in the order of the table; NULL past the end. */
const struct cli_option *cli_option_at(size_t, struct cli_option *);

#endif
