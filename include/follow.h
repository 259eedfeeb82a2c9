/*
 * follow: the reader of a job's streams with FilterLogEvents, for a job that
 * has ended (draining: --no-follow) and for one that runs (following). It
 * reads the backlog first: one query over the stream prefix, full pages of
 * up to 10,000 events, so what a job has logged costs about one call per
 * 10,000 events whatever the number of streams, and memory is one page.
 * Draining ends there. Following then asks batches of up to 100 named
 * streams a call, so one call a second shows new events of every stream
 * within about a second (GetLogEvents would need one call per stream).
 *
 * Each batch of streams is asked, again and again, for the events from a
 * little before the newest it has seen; every few seconds the question
 * looks back a whole window instead, which finds events ingested late with
 * older timestamps. Answers overlap; the event ids seen within the window
 * (per stream) make each event come out once. The guarantee: every event
 * ingested at most the window later than a newer event of its stream comes
 * out exactly once, in the order the service lists them.
 *
 * Ownership: borrows the aws client and the pipeline; copies the names.
 */
#ifndef FOLLOW_H
#define FOLLOW_H

#include <stdint.h>

#include "aws.h"
#include "pipeline.h"
#include "reconcile.h"
#include "source.h"

struct follow_options {
	const char *log_group;
	const char *prefix; /* the job's streams start with it; NULL: all */
	int drain; /* read the backlog and end (--no-follow) */
	int64_t since; /* ms since the epoch, or -1: from the start */
	int64_t until; /* ms since the epoch (events before it), or -1 */
	double rate; /* FilterLogEvents calls a second, at most (budget.h) */
	int64_t window_ms; /* how late an event may be ingested */
	int64_t poll_ms; /* ask a busy batch again this soon */
	int64_t idle_max_ms; /* longest back-off of a quiet batch */
	int64_t sweep_ms; /* look back the whole window this often */
	const char *filter_pattern; /* --filter-pattern, or NULL */
};

struct follow;

struct follow *
follow_new(struct aws *, struct pipeline *, const struct follow_options *);
void follow_free(struct follow *);

/*
 * Read stream name (the pipeline's handle st) from --since on, unless the
 * backlog found it already.
 */
void follow_add_stream(struct follow *, const char *name, struct stream *st);

/*
 * Release the answers in hand and ask what is due, within the budget;
 * *deadline is lowered to when something is next due. SOURCE_MORE,
 * SOURCE_DONE once a drain has read the backlog, or why not (cause set for
 * the errors).
 */
enum source_status
follow_step(struct follow *, int64_t now, int64_t *deadline, char **cause);

/*
 * A drain's backlog may be read in a few slices of time at once, released
 * in their order: the job logged from about first to about last (ms since
 * the epoch). Before the first follow_step() only; a wrong span costs
 * speed, never an event.
 */
void follow_set_span(struct follow *, int64_t first, int64_t last);
/* Look back the whole window now, in every batch (the job ended). */
void follow_sweep_now(struct follow *);
/*
 * From now on an event goes out only when reconcile says Live Tail has not
 * shown it (source_live.h); the table is borrowed.
 */
void follow_set_reconcile(struct follow *, struct reconcile *);
/*
 * While held, the backlog does not begin (Live Tail is starting: a backlog
 * that begins after its session began shows which streams have history).
 */
void follow_hold_backlog(struct follow *, int held);
/* Ask every batch now (Live Tail sampled a second). */
void follow_poll_now(struct follow *);
/*
 * While Live Tail is live, every batch looks back its window once every
 * pace_ms instead of polling at its own pace; 0 returns to that.
 */
void follow_set_pace(struct follow *, int64_t pace_ms);
/*
 * Every batch finished a look-back that began at or after t (monotonic
 * ms), and nothing is out or in hand.
 */
int follow_swept_since(const struct follow *, int64_t t);
/*
 * When the oldest of the batches' last complete look-backs began
 * (monotonic ms; 0 when a batch has none yet): every event ingested before
 * then, within the window, has been read.
 */
int64_t follow_swept_at(const struct follow *);

/*
 * Events released; streams known (listed or found by the backlog); streams
 * whose first answer has not come in yet.
 */
uint64_t follow_events(const struct follow *);
size_t follow_streams(const struct follow *);
size_t follow_behind(const struct follow *);
/* The SOURCE_ERROR was AccessDenied: GetLogEvents may still be allowed. */
int follow_denied(const struct follow *);
/*
 * The stream's events ingested before since (monotonic ms) are out: a
 * query naming it came to its end, or the backlog, which found every
 * stream that had logged, began at or after since and ended.
 */
int follow_stream_read(
    const struct follow *, const char *name, size_t len, int64_t since);
/* The FilterLogEvents budget now, calls a second. */
double follow_rate(const struct follow *);
/*
 * A FilterLogEvents retry may go at now (1), within the budget; else 0 with
 * *deadline lowered to when it may (budget_take()).
 */
int follow_take(struct follow *, int64_t now, int64_t *deadline);
/* A FilterLogEvents answer came, throttled or not: the rate adapts. */
void follow_answer(struct follow *, int throttled, int64_t now);

#endif
