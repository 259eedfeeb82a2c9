/*
 * Open addressing with linear probing over a power-of-two table kept at
 * most half full; keys are hashed with 64-bit FNV-1a. Nothing is ever
 * removed: the program only learns streams, hosts and groups.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strmap.h"
#include "xmalloc.h"

struct slot {
	char *key;
	size_t len;
	uint64_t hash;
	void *value;
};

struct strmap {
	struct slot *slots;
	size_t size; /* a power of two */
	size_t count;
};

struct strmap *
strmap_new(void)
{
	struct strmap *m;

	m = xcalloc(1, sizeof *m);
	m->size = 16;
	m->slots = xcalloc(m->size, sizeof *m->slots);
	return (m);
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->size; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static struct slot *
find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (m->size - 1);
	struct slot *s;

	for (;;) {
		s = &m->slots[i];
		if (s->key == NULL ||
		    (s->hash == h && s->len == len &&
			memcmp(s->key, key, len) == 0))
			return (s);
		i = (i + 1) & (m->size - 1);
	}
}

static void
grow(struct strmap *m)
{
	struct slot *old = m->slots, *s;
	size_t oldsize = m->size, i;

	m->size *= 2;
	m->slots = xcalloc(m->size, sizeof *m->slots);
	for (i = 0; i < oldsize; i++) {
		if (old[i].key == NULL)
			continue;
		s = find(m, old[i].key, old[i].len, old[i].hash);
		*s = old[i];
	}
	free(old);
}

void *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct slot *s;

	s = find(m, key, len, hash_fnv1a(key, len));
	return (s->key == NULL ? NULL : s->value);
}

const char *
strmap_put(struct strmap *m, const char *key, size_t len, void *value)
{
	uint64_t h = hash_fnv1a(key, len);
	struct slot *s;

	if ((m->count + 1) * 2 > m->size)
		grow(m);
	s = find(m, key, len, h);
	if (s->key == NULL) {
		s->key = xmalloc(len + 1);
		memcpy(s->key, key, len);
		s->key[len] = '\0';
		s->len = len;
		s->hash = h;
		m->count++;
	}
	s->value = value;
	return (s->key);
}

size_t
strmap_count(const struct strmap *m)
{
	return (m->count);
}
