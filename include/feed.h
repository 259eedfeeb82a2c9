/*
 * feed: events handed from the offline reader's thread to the main thread
 * in batches, so that reading, decompressing, parsing and merging run on
 * one core while grouping and output run on another. The order of events
 * is the reader's alone: the main thread takes batches in the order they
 * were put, so the output is the same as a single-threaded run's.
 *
 * At most depth batches exist; the reader waits for one to come back when
 * all are full, so memory is bounded whatever the input.
 *
 * Ownership: the feed owns its batches; a batch taken is lent until it is
 * given back. A batch's strings live in its text.
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pipeline.h"

/* A batch is handed over when it holds this many events or bytes. */
#define FEED_BATCH_EVENTS 4096
#define FEED_BATCH_BYTES (512 * 1024)

struct feed_event {
	int64_t ts;
	uint32_t sid; /* the reader's number for the stream */
	struct pipeline_scan scan; /* made by the reader */
	size_t off, len; /* the message, in text */
};

/* A stream the main thread has not heard of: its number and name. */
struct feed_name {
	uint32_t sid;
	size_t off, len; /* in text */
};

struct feed_batch {
	struct feed_event *ev;
	size_t n, cap;
	struct feed_name *names; /* come before the events that use them */
	size_t nnames, names_cap;
	struct buf text;
	struct feed_batch *next; /* in the feed's queues */
};

struct feed;

struct feed *feed_new(int depth);
void feed_free(struct feed *);

/* Reader: an empty batch, waiting for one; NULL when the main thread
 * stopped taking them. */
struct feed_batch *feed_empty(struct feed *);
/* Reader: hand a batch over (it may be empty). */
void feed_put(struct feed *, struct feed_batch *);
/* Reader: nothing more comes. */
void feed_close(struct feed *);

/* Main: the next batch, waiting for it; NULL at the end. */
struct feed_batch *feed_take(struct feed *);
/* Main: a batch done with. */
void feed_give_back(struct feed *, struct feed_batch *);
/* Main: take no more; the reader stops at its next batch. */
void feed_stop(struct feed *);

/* Add an event (and a name) to a batch. */
void feed_add(struct feed_batch *, uint32_t sid, int64_t ts, const char *msg,
    size_t len, const struct pipeline_scan *);
void
feed_add_name(struct feed_batch *, uint32_t sid, const char *name, size_t len);
/* Is the batch full enough to hand over? */
int feed_full(const struct feed_batch *);

#endif
