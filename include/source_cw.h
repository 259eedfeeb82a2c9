/*
 * source_cw: read a job's streams from CloudWatch Logs, once (--no-follow)
 * or following the job until it ends.
 *
 * Streams are listed with DescribeLogStreams by prefix (every page; in
 * follow mode again every few seconds, so streams that appear later are
 * read too). DescribeTrainingJob is asked first, then every half minute
 * while following.
 *
 * Once: every stream is read from its head with GetLogEvents, following
 * its forward token until the service hands the same token back (exact:
 * nothing is written any more), and events go to the pipeline merged by
 * time (a stream's next page is fetched before a later event of another
 * stream is released).
 *
 * Following: the streams are read with FilterLogEvents, a hundred a call,
 * de-duplicated by event id (see follow.h), each stream in the service's
 * order. When the job has ended, the streams are read for a grace period
 * (late ingestion), listed again, and looked back over once more.
 *
 * Calls are spread over a budget per API (calls per second, budget.h),
 * halved on throttling and raised again after calm periods; throttling
 * never ends a run. Answers that are not the JSON they should be are asked
 * for again.
 *
 * Ownership: the source borrows the aws client and the pipeline.
 */
#ifndef SOURCE_CW_H
#define SOURCE_CW_H

#include <stdint.h>

#include "aws.h"
#include "livetail.h"
#include "pipeline.h"
#include "sagemaker.h"
#include "source.h"

struct source_cw_options {
	const char *log_group;
	const char *prefix; /* streams whose names start with it */
	const char *job; /* for DescribeTrainingJob, or NULL */
	int follow;
	int live_tail; /* following: Live Tail beside FilterLogEvents */
	int64_t since; /* ms since the epoch, or -1: from the start */
	int64_t until; /* ms since the epoch (events before it), or -1 */
	double get_rate; /* GetLogEvents calls per second (once) */
	double filter_rate; /* FilterLogEvents calls per second (follow) */
	int64_t late_window_ms; /* follow: how late events may be ingested */
	unsigned max_in_flight;
	int progress; /* show a status line on stderr (a terminal) */
	int64_t grace_ms; /* follow: reading on after the job ended; -1: 20 s */
	int64_t list_interval_ms; /* follow: DescribeLogStreams again */
	int64_t job_interval_ms; /* follow: DescribeTrainingJob again */
	const char *filter_pattern; /* --filter-pattern, or NULL */
	int tailing; /* --tail was given: */
	int tail; /* the newest events read first, this many */
};

/* The job's state as last described. */
enum source_job {
	JOB_UNKNOWN, /* no job, or it could not be described */
	JOB_RUNNING,
	JOB_COMPLETED,
	JOB_FAILED,
	JOB_STOPPED,
};

struct source_cw;

struct source_cw *source_cw_new(
    struct aws *, struct pipeline *, const struct source_cw_options *);
void source_cw_free(struct source_cw *);

/*
 * Issue what may be issued and release what may be released. *deadline
 * is set to the monotonic time of the next thing it wants to do (-1 for
 * nothing but answers).
 */
enum source_status source_cw_step(
    struct source_cw *, int64_t now, int64_t *deadline, char **cause);

/*
 * The job as last described (status, groups with their instance types
 * and host counts, failure reason), or NULL before the first answer or
 * without a job. Valid until the next source_cw_step().
 */
const struct sagemaker_job *source_cw_described(const struct source_cw *);

/* Counters for status lines and the terminal UI. */
struct source_cw_stats {
	size_t streams; /* known */
	size_t behind; /* not caught up with their end */
	uint64_t events; /* read */
	double rate; /* the budget now, calls a second (of the API in use) */
	int ended; /* the job was seen to end */
	enum livetail_state live_tail; /* LIVETAIL_OFF without --live-tail */
	uint64_t live_events; /* of events, those Live Tail released */
};
void source_cw_stats(const struct source_cw *, struct source_cw_stats *);

/*
 * The run ends, however: what the source holds back (Live Tail's events
 * waiting for their stream's history) goes to the pipeline now.
 */
enum sink_status source_cw_release(struct source_cw *, char **cause);

/*
 * Live Tail on or off (the UI's key): -1 when it cannot be (not asked for
 * with --live-tail, refused, or the job has ended).
 */
int source_cw_set_live_tail(struct source_cw *, int on);

/* The job's state, and a one-line summary of the run. */
enum source_job source_cw_job(const struct source_cw *);
const char *source_cw_summary(struct source_cw *);

#endif
