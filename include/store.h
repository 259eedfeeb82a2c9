/*
 * store: the demultiplexer. It knows every stream and holds the events of
 * streams whose host has no group yet, in order, releasing them the moment
 * the group is known. Nothing is dropped: held events are bounded by a
 * memory budget, past which the oldest held stream is released under the
 * group "unassigned" with a warning; at the end of input, streams still
 * unknown are released as "unassigned".
 *
 * In ORDERED mode (finite input that arrives merged by time) a held event
 * also holds back every later event, so the output stays in time order. In
 * LIVE mode only the unknown stream waits.
 *
 * Ownership: the store owns its streams and held events; it borrows the
 * classify object. Events passed in are copied only when they must wait.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "sink.h"

struct store;
struct stream;

enum store_order {
	STORE_ORDERED,
	STORE_LIVE,
};

/* Hands one released event to the outputs. */
typedef enum sink_status (*store_emit_fn)(
    void *arg, const struct out_event *, char **cause);

struct store *store_new(struct classify *, enum store_order, size_t hold_limit,
    store_emit_fn, void *arg);
void store_free(struct store *);

/* The stream named name, created (with its host) on first sight. */
struct stream *store_stream(struct store *, const char *name, size_t len);
const char *store_stream_name(const struct stream *);
size_t store_stream_len(const struct stream *);
struct host *store_stream_host(const struct stream *);
/* Lines of the stream seen so far; add_lines counts an event's lines. */
uint64_t store_stream_lines(const struct stream *);
void store_stream_add_lines(struct stream *, uint64_t);

/*
 * Add one event of a stream; it is released now or held. at (or NULL)
 * says where msg lies on disk; its path must outlive the store. lacks:
 * what the reader's textscan() said of msg (0: nothing known).
 */
enum sink_status
store_add(struct store *, struct stream *, int64_t ts, const char *msg,
    size_t len, const struct out_origin *at, unsigned lacks, char **cause);
/* Release what newly assigned hosts allow (call after an assignment). */
enum sink_status store_release(struct store *, char **cause);
/* Streams with events held now (their host's group is not known yet). */
size_t store_held_streams(const struct store *);
/* End of input: release everything, unknown streams as "unassigned". */
enum sink_status store_finish(struct store *, char **cause);

#endif
