/*
 * An open-addressed table with linear probing, at most half full, whose
 * slots hold a key and a signed balance: above zero, copies Live Tail
 * brought that the backstop has not; below zero, the reverse. A copy from
 * one side first cancels the other side's balance; a slot at zero is
 * empty again. Pruning rebuilds the table from the survivors, so probing
 * needs no tombstones (as idset does).
 */
#include <stdlib.h>

#include "hash.h"
#include "reconcile.h"
#include "xmalloc.h"

struct slot {
	uint64_t hash; /* 0: empty */
	int64_t ts;
	uint32_t len; /* the message's length (cut to 32 bits) */
	int32_t balance; /* > 0: live copies unmatched; < 0: polled */
	int64_t added; /* monotonic ms the latest unmatched copy came */
};

struct reconcile {
	struct slot *slots;
	size_t size; /* a power of two */
	size_t count;
};

#define INITIAL_SIZE 64

struct reconcile *
reconcile_new(void)
{
	struct reconcile *r;

	r = xcalloc(1, sizeof *r);
	r->size = INITIAL_SIZE;
	r->slots = xcalloc(r->size, sizeof *r->slots);
	return (r);
}

void
reconcile_free(struct reconcile *r)
{
	if (r == NULL)
		return;
	free(r->slots);
	free(r);
}

/* Stream and message hashed apart and mixed, so "ab"+"c" != "a"+"bc". */
static uint64_t
key_hash(const char *stream, size_t slen, const char *msg, size_t len)
{
	uint64_t h = hash_fnv1a(stream, slen) * 0x9e3779b97f4a7c15ULL;

	h ^= hash_fnv1a(msg, len);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (h == 0 ? 1 : h);
}

static struct slot *
find(const struct reconcile *r, uint64_t hash, int64_t ts, uint32_t len)
{
	size_t i = hash & (r->size - 1);
	const struct slot *s;

	for (;; i = (i + 1) & (r->size - 1)) {
		s = &r->slots[i];
		if (s->hash == 0 ||
		    (s->hash == hash && s->ts == ts && s->len == len))
			return (&r->slots[i]);
	}
}

/* Move the slots that keep a balance and pass keep() into size slots. */
static void
rebuild(struct reconcile *r, size_t size, int64_t live_ms, int64_t poll_ms)
{
	struct slot *old = r->slots, *s;
	size_t i, n = r->size;

	r->slots = xcalloc(size, sizeof *r->slots);
	r->size = size;
	r->count = 0;
	for (i = 0; i < n; i++) {
		s = &old[i];
		if (s->hash == 0 || s->balance == 0 ||
		    (s->balance > 0 && s->added < live_ms) ||
		    (s->balance < 0 && s->added < poll_ms))
			continue;
		*find(r, s->hash, s->ts, s->len) = *s;
		r->count++;
	}
	free(old);
}

int
reconcile_add(struct reconcile *r, enum reconcile_source src,
    const char *stream, size_t slen, int64_t ts, const char *msg, size_t len,
    int64_t now)
{
	uint64_t h = key_hash(stream, slen, msg, len);
	int32_t step = src == RECONCILE_LIVE ? 1 : -1;
	struct slot *s;

	s = find(r, h, ts, (uint32_t)len);
	if (s->hash != 0 && s->balance != 0 && (s->balance > 0) != (step > 0)) {
		/* The other side brought this one: drop the copy. Slots
		 * at zero stay until the next rebuild. */
		s->balance += step;
		return (0);
	}
	if (s->hash == 0) {
		if ((r->count + 1) * 2 > r->size) {
			rebuild(r, r->size * 2, INT64_MIN, INT64_MIN);
			s = find(r, h, ts, (uint32_t)len);
		}
		s->hash = h;
		s->ts = ts;
		s->len = (uint32_t)len;
		s->balance = 0;
		r->count++;
	}
	if (s->balance != INT32_MAX && s->balance != INT32_MIN)
		s->balance += step;
	s->added = now;
	return (1);
}

void
reconcile_prune(struct reconcile *r, int64_t live_ms, int64_t poll_ms)
{
	size_t size = INITIAL_SIZE;
	size_t i, keep = 0;
	const struct slot *s;

	for (i = 0; i < r->size; i++) {
		s = &r->slots[i];
		if (s->hash != 0 && s->balance != 0 &&
		    !(s->balance > 0 && s->added < live_ms) &&
		    !(s->balance < 0 && s->added < poll_ms))
			keep++;
	}
	while (size < keep * 4)
		size *= 2;
	rebuild(r, size, live_ms, poll_ms);
}

size_t
reconcile_count(const struct reconcile *r)
{
	return (r->count);
}

size_t
reconcile_bytes(const struct reconcile *r)
{
	return (sizeof *r + r->size * sizeof *r->slots);
}
