/*
 * source_cw: read every stream of a job from CloudWatch Logs once
 * (--no-follow). It lists the streams (DescribeLogStreams, by prefix, all
 * pages), reads each from its head with GetLogEvents until the service
 * hands back the token it was given, and feeds the events to the pipeline
 * merged by time, as the offline source does: a stream's next page is
 * fetched before any later event of another stream is released.
 *
 * Requests are spread over a budget of calls per second, with a few in
 * flight at once. The live engine (following) replaces this reader; the
 * API layer (aws, cwlogs) does not depend on it.
 *
 * Ownership: the source borrows the aws client and the pipeline.
 */
#ifndef SOURCE_CW_H
#define SOURCE_CW_H

#include <stdint.h>

#include "aws.h"
#include "pipeline.h"

struct source_cw_options {
	const char *log_group;
	const char *prefix; /* streams whose names start with it */
	const char *job; /* for DescribeTrainingJob, or NULL */
	double get_rate; /* GetLogEvents calls per second */
	unsigned max_in_flight;
};

enum source_status {
	SOURCE_MORE, /* call again when *deadline passes or I/O happens */
	SOURCE_DONE,
	SOURCE_CLOSED, /* every output went away */
	SOURCE_ERROR, /* AWS failed; cause is set */
	SOURCE_OUTPUT_ERROR, /* an output failed; cause is set */
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

/* After SOURCE_DONE: a one-line summary ("3 streams, 180 events"). */
const char *source_cw_summary(struct source_cw *);

#endif
