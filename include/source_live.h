/*
 * source_live: Live Tail as a source of the pipeline, beside the
 * FilterLogEvents reader (follow.h), which goes on as its backstop. Each
 * second's update goes to the pipeline at once; the backstop's copies and
 * Live Tail's are matched as multisets (reconcile.h), so every event
 * comes out once whichever source brings it first.
 *
 * While a session is live the backstop reads at a low pace (a look-back
 * every BACKSTOP_MS); an update marked sampled makes it read at once (the
 * second's other events); a session that ends or breaks makes it look
 * back its whole window at once and read at its usual pace until the next
 * session is live. Events released by the backstop after Live Tail missed
 * them arrive late, as late-ingested events do.
 *
 * Nothing is asked of AWS until Live Tail is first turned on; from then
 * on the backstop checks its events against the reconcile table too.
 *
 * Ownership: borrows the aws client, the pipeline and the follow reader
 * (which must outlive it, or be freed first); copies the group and
 * prefix.
 */
#ifndef SOURCE_LIVE_H
#define SOURCE_LIVE_H

#include <stdint.h>

#include "aws.h"
#include "follow.h"
#include "livetail.h"
#include "pipeline.h"
#include "reconcile.h"

/* The backstop's pace while Live Tail is live. */
#define SOURCE_LIVE_BACKSTOP_MS 30000

/* The pipeline's handle of the stream called name, made known to the
 * backstop too (a stream Live Tail shows first). */
typedef struct stream *(*source_live_stream_fn)(
    void *arg, const char *name, size_t len);

struct source_live_options {
	const char *log_group;
	const char *prefix; /* the job's streams start with it */
	const char *filter_pattern; /* --filter-pattern, or NULL */
	source_live_stream_fn stream;
	void *arg;
};

struct source_live;

struct source_live *source_live_new(struct aws *, struct pipeline *,
    struct follow *, const struct source_live_options *);
void source_live_free(struct source_live *);

/* Live Tail on (a session starts) or off (the session ends). */
void source_live_set(struct source_live *, int on);

/*
 * The loop's turn: start a session when due, forget what reconcile no
 * longer needs. *deadline is lowered to when it next wants a turn. An
 * output's failure during an update is returned (cause set) once.
 */
enum sink_status source_live_step(
    struct source_live *, int64_t now, int64_t *deadline, char **cause);

/*
 * The run ends (the job is read, or it was interrupted): the events still
 * waiting for their stream's history go out now, in order of arrival.
 */
enum sink_status source_live_release(struct source_live *, char **cause);

enum livetail_state source_live_state(const struct source_live *);
/* Events Live Tail released (the backstop's are follow_events()). */
uint64_t source_live_events(const struct source_live *);
const struct livetail_stats *source_live_stats(const struct source_live *);

#endif
