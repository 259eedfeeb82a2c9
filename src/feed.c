/*
 * Two queues under one mutex: empty batches waiting for the reader, full
 * ones waiting for the main thread, in order. A batch moves a few
 * thousand events, so the lock is taken a few hundred times a second at
 * most, never once an event.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "xmalloc.h"

struct feed {
	pthread_mutex_t lock;
	pthread_cond_t
	    changed; /* a batch moved, or the feed closed or stopped */
	struct feed_batch *empty; /* a stack */
	struct feed_batch *full, **full_tail; /* a queue */
	struct feed_batch **all; /* every batch, to free */
	int nall;
	int closed; /* the reader is done */
	int stopped; /* the main thread takes no more */
};

struct feed *
feed_new(int depth)
{
	struct feed *f;
	int i;

	f = xcalloc(1, sizeof *f);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->changed, NULL);
	f->full_tail = &f->full;
	f->all = xreallocarray(NULL, (size_t)depth, sizeof *f->all);
	for (i = 0; i < depth; i++) {
		f->all[i] = xcalloc(1, sizeof *f->all[i]);
		f->all[i]->next = f->empty;
		f->empty = f->all[i];
	}
	f->nall = depth;
	return (f);
}

void
feed_free(struct feed *f)
{
	struct feed_batch *b;
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nall; i++) {
		b = f->all[i];
		free(b->ev);
		free(b->names);
		buf_free(&b->text);
		free(b);
	}
	free(f->all);
	pthread_cond_destroy(&f->changed);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

struct feed_batch *
feed_empty(struct feed *f)
{
	struct feed_batch *b = NULL;

	pthread_mutex_lock(&f->lock);
	while (!f->stopped && f->empty == NULL)
		pthread_cond_wait(&f->changed, &f->lock);
	if (!f->stopped) {
		b = f->empty;
		f->empty = b->next;
		b->next = NULL;
		b->n = b->nnames = 0;
		buf_reset(&b->text);
	}
	pthread_mutex_unlock(&f->lock);
	return (b);
}

void
feed_put(struct feed *f, struct feed_batch *b)
{
	pthread_mutex_lock(&f->lock);
	b->next = NULL;
	*f->full_tail = b;
	f->full_tail = &b->next;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

void
feed_close(struct feed *f)
{
	pthread_mutex_lock(&f->lock);
	f->closed = 1;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

struct feed_batch *
feed_take(struct feed *f)
{
	struct feed_batch *b = NULL;

	pthread_mutex_lock(&f->lock);
	while (f->full == NULL && !f->closed)
		pthread_cond_wait(&f->changed, &f->lock);
	if (f->full != NULL) {
		b = f->full;
		f->full = b->next;
		if (f->full == NULL)
			f->full_tail = &f->full;
	}
	pthread_mutex_unlock(&f->lock);
	return (b);
}

void
feed_give_back(struct feed *f, struct feed_batch *b)
{
	pthread_mutex_lock(&f->lock);
	b->next = f->empty;
	f->empty = b;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

void
feed_stop(struct feed *f)
{
	pthread_mutex_lock(&f->lock);
	f->stopped = 1;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

void
feed_add(struct feed_batch *b, uint32_t sid, int64_t ts, const char *msg,
    size_t len, const struct pipeline_scan *scan)
{
	struct feed_event *e;

	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? FEED_BATCH_EVENTS : b->cap * 2;
		b->ev = xreallocarray(b->ev, b->cap, sizeof *b->ev);
	}
	e = &b->ev[b->n++];
	e->ts = ts;
	e->sid = sid;
	e->scan = *scan;
	e->off = b->text.len;
	e->len = len;
	buf_add(&b->text, msg, len);
}

void
feed_add_name(struct feed_batch *b, uint32_t sid, const char *name, size_t len)
{
	struct feed_name *nm;

	if (b->nnames == b->names_cap) {
		b->names_cap = b->names_cap == 0 ? 16 : b->names_cap * 2;
		b->names =
		    xreallocarray(b->names, b->names_cap, sizeof *b->names);
	}
	nm = &b->names[b->nnames++];
	nm->sid = sid;
	nm->off = b->text.len;
	nm->len = len;
	buf_add(&b->text, name, len);
}

int
feed_full(const struct feed_batch *b)
{
	return (b->n >= FEED_BATCH_EVENTS || b->text.len >= FEED_BATCH_BYTES);
}
