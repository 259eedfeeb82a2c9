/*
 * strmap: a hash map from byte strings (any bytes, with a length) to
 * pointers. Used to intern streams, hosts and groups.
 *
 * Ownership: the map copies keys and owns the copies; values belong to the
 * caller. strmap_free() frees keys, never values.
 */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);
void strmap_free(struct strmap *);

/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *, const char *key, size_t len);
/*
 * Store value under key (replacing any value there) and return the map's
 * own copy of the key, which lives as long as the map.
 */
const char *
strmap_put(struct strmap *, const char *key, size_t len, void *value);
size_t strmap_count(const struct strmap *);

#endif
