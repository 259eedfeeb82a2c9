/*
 * Open addressing with linear probing, at most half full. Pruning rebuilds
 * the table from the survivors, which keeps probing simple (no tombstones)
 * and costs no more than the growth it replaces.
 */
#include <stdlib.h>

#include "hash.h"
#include "idset.h"
#include "xmalloc.h"

struct slot {
	uint64_t hash; /* 0: empty */
	int64_t ts;
};

struct idset {
	struct slot *slots;
	size_t size; /* a power of two */
	size_t count;
};

/* FNV-1a, then a finaliser so the low bits (the probe start) mix well. */
static uint64_t
hash_id(const char *id, size_t len)
{
	uint64_t h = hash_fnv1a(id, len);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (h == 0 ? 1 : h);
}

struct idset *
idset_new(void)
{
	struct idset *s;

	s = xcalloc(1, sizeof *s);
	s->size = 64;
	s->slots = xcalloc(s->size, sizeof *s->slots);
	return (s);
}

void
idset_free(struct idset *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s);
}

/* The slot holding (hash, ts), or the empty slot where it would go. */
static struct slot *
find(const struct idset *s, uint64_t hash, int64_t ts)
{
	size_t i = hash & (s->size - 1);

	while (s->slots[i].hash != 0 &&
	    (s->slots[i].hash != hash || s->slots[i].ts != ts))
		i = (i + 1) & (s->size - 1);
	return (&s->slots[i]);
}

/* Move the entries at or after ts into a table of size slots. */
static void
rebuild(struct idset *s, size_t size, int64_t ts)
{
	struct slot *old = s->slots;
	size_t i, n = s->size;

	s->slots = xcalloc(size, sizeof *s->slots);
	s->size = size;
	s->count = 0;
	for (i = 0; i < n; i++)
		if (old[i].hash != 0 && old[i].ts >= ts) {
			*find(s, old[i].hash, old[i].ts) = old[i];
			s->count++;
		}
	free(old);
}

int
idset_add(struct idset *s, const char *id, size_t len, int64_t ts)
{
	uint64_t hash = hash_id(id, len);
	struct slot *sl;

	sl = find(s, hash, ts);
	if (sl->hash != 0)
		return (0);
	if ((s->count + 1) * 2 > s->size) {
		rebuild(s, s->size * 2, INT64_MIN);
		sl = find(s, hash, ts);
	}
	sl->hash = hash;
	sl->ts = ts;
	s->count++;
	return (1);
}

void
idset_prune(struct idset *s, int64_t ts)
{
	size_t i, kept = 0, size = 64;

	/*
	 * Shrink with what survives, so a burst does not pin memory (sized
	 * by the count before pruning, the table came out larger than it
	 * went in: 8192 slots, 128 KB, for a stream's minute of ids).
	 */
	for (i = 0; i < s->size; i++)
		if (s->slots[i].hash != 0 && s->slots[i].ts >= ts)
			kept++;
	while (size < SIZE_MAX / 4 && size < kept * 4)
		size *= 2;
	rebuild(s, size, ts);
}

size_t
idset_count(const struct idset *s)
{
	return (s->count);
}

size_t
idset_bytes(const struct idset *s)
{
	return (sizeof *s + s->size * sizeof *s->slots);
}
