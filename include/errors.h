/*
 * errors: which lines are errors, and which host failed first. The
 * pipeline passes every released event through errors_event(), which runs
 * the error rules (rules.h) over its lines, marks the event (the mark and
 * error members of struct out_event) and keeps the errors found, in the
 * order they were released, with counts per group and per host.
 *
 * A Python traceback is one error (one per MPI rank, when ranks' tagged
 * lines share a stream): it opens at a line an "open" rule
 * matches, takes every following line of its stream that is empty,
 * indented or starts with 'File "', and ends at the exception line after
 * them ("ValueError: bad"), which is its summary and decides its severity
 * and role by the rules. It may come as one multi-line event or as one
 * event a line.
 *
 * The first failure is the error (not warning) with the earliest timestamp
 * among likely causes, or among likely consequences when no cause was
 * seen; ties go to the one released first. It is kept up to date as errors
 * arrive, so one that arrives late with an earlier timestamp (a skewed
 * clock, late ingestion) takes over. Each group has its first error by the
 * same rule.
 *
 * Ownership: struct errors owns its records and their strings. A pointer
 * to a struct errors_entry, group or host stays valid until errors_free();
 * an entry's summary may change while the error is open (read it anew).
 * It borrows the rules.
 */
#ifndef ERRORS_H
#define ERRORS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rules.h"
#include "sink.h"

/* Errors kept with their text; past this they are only counted. */
#define ERRORS_KEEP_MAX 100000
/* The longest summary kept, in bytes (a longer line is cut). */
#define ERRORS_SUMMARY_MAX 1024
/* Lines after which an open traceback is closed anyway. */
#define ERRORS_TRACE_MAX 10000

struct errors;

/* One error or warning, as found in the logs. */
struct errors_entry {
	size_t id; /* its index: errors_at(id) */
	int64_t timestamp; /* of its first line, ms since the epoch */
	const char *group, *host, *stream; /* NUL-terminated, any bytes */
	size_t group_len, host_len, stream_len;
	enum rule_severity severity;
	enum rule_role role;
	const char *rule_file; /* the rule that decided its kind */
	unsigned rule_line;
	char *summary; /* its line; a traceback's last line */
	size_t summary_len;
	unsigned lines; /* lines in it (a traceback has many) */
	int open; /* a traceback still waiting for its last line */
	/* Where its first line starts in the event that began it, in bytes
	 * (the UI finds the line to mark). */
	size_t offset;
	/* An MPI rank's error (its lines tagged with rank). host is where the
	 * rank ran when rank_placed, else the master that carried it. */
	int ranked;
	unsigned rank;
	int rank_placed;
};

/* Counts for one group, or for one host within a group. */
struct errors_counts {
	const char *name; /* the group or host name, NUL-terminated */
	size_t len;
	unsigned long long events, warnings, errors;
	unsigned hosts; /* groups: hosts seen in it */
	const struct errors_entry *first; /* groups: first error, or NULL */
};

struct errors *errors_new(struct rules *);
void errors_free(struct errors *);

/*
 * Look at one released event: fills ev->mark and ev->error (see sink.h)
 * and counts it. Called by the pipeline before the sinks see ev. Group and
 * host names must be interned: one name, one address, for as long as the
 * errors object lives (classify's names are).
 */
void errors_event(struct errors *, struct out_event *ev);
/* The same, when the caller knows whether an error rule may match (may:
 * 0 no, 1 perhaps, -1 unknown: errors scans for itself). */
void errors_event_known(struct errors *, struct out_event *ev, int may);
/* End of input: close open tracebacks at their last line. */
void errors_finish(struct errors *);

/* Errors and warnings found, in release order; NULL past the end. */
size_t errors_count(const struct errors *);
const struct errors_entry *errors_at(const struct errors *, size_t);
/* Errors and warnings found but not kept (past ERRORS_KEEP_MAX). */
unsigned long long errors_dropped(const struct errors *);
/* The first failure of the whole job, or NULL when there is no error. */
const struct errors_entry *errors_first(const struct errors *);

/* Groups in the order first seen, and the hosts of each; NULL past end. */
const struct errors_counts *errors_group_at(const struct errors *, size_t);
const struct errors_counts *
errors_host_at(const struct errors *, size_t group, size_t host);

/* The job's FailureReason from DescribeTrainingJob (copied), or NULL. */
void errors_set_reason(struct errors *, const char *);
const char *errors_reason(const struct errors *);

/*
 * Append the summary table (one line per group: hosts, events, warnings,
 * errors, first error) and the first failure, made safe for a terminal,
 * times in the --timezone (timefmt.h); an MPI rank's error names the rank.
 */
void errors_summary(const struct errors *, struct buf *);
/*
 * Append the "errors" JSON members of the export manifest for group g
 * (",\n      \"warnings\": ..."), and the job's first failure and reason.
 */
void errors_json_group(const struct errors *, const char *group, size_t len,
    struct buf *, const char *indent);
void errors_json_job(const struct errors *, struct buf *, const char *indent);

#endif
