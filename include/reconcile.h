/*
 * reconcile: every event once across two sources of the same events.
 * Live Tail pushes events without ids; the FilterLogEvents backstop reads
 * them again, with ids (which de-duplicate the backstop against itself,
 * see idset). The two are matched as multisets keyed by stream, timestamp
 * and message: identical events in one millisecond count separately, so n
 * copies from one source cancel at most n from the other. An event is
 * released by whichever source brings it first; the other's copy is then
 * dropped.
 *
 * A key is a 64-bit hash of stream and message with the timestamp and
 * message length beside it; two events are taken for one only when all
 * three agree.
 *
 * Entries are forgotten by reconcile_prune(), by the time their latest
 * unmatched copy came: a Live Tail copy once the backstop will not read it
 * again; a backstop copy once Live Tail can no longer bring it (it pushes
 * within seconds of ingestion).
 *
 * Ownership: nothing given is kept.
 */
#ifndef RECONCILE_H
#define RECONCILE_H

#include <stddef.h>
#include <stdint.h>

enum reconcile_source {
	RECONCILE_LIVE, /* Live Tail */
	RECONCILE_POLL, /* the FilterLogEvents backstop (new by event id) */
};

struct reconcile;

struct reconcile *reconcile_new(void);
void reconcile_free(struct reconcile *);

/*
 * One copy of an event from source, at monotonic time now_ms: 1 to
 * release it, 0 when the other source already released it.
 */
int reconcile_add(struct reconcile *, enum reconcile_source, const char *stream,
    size_t stream_len, int64_t timestamp, const char *msg, size_t len,
    int64_t now_ms);

/*
 * Forget the unmatched Live Tail copies that came before live_ms and the
 * backstop copies that came before poll_ms (monotonic ms, as now_ms).
 */
void reconcile_prune(struct reconcile *, int64_t live_ms, int64_t poll_ms);

/* Keys held (events one source has and the other not yet). */
size_t reconcile_count(const struct reconcile *);
/* Bytes of memory the table holds. */
size_t reconcile_bytes(const struct reconcile *);

#endif
