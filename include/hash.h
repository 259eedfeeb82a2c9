/*
 * hash: the one string hash of the program, 64-bit FNV-1a. It is used by
 * the hash tables (strmap, idset) and by export file names, whose
 * shortened form embeds it: changing it renames exported files.
 *
 * Inline because the hash tables call it on every event.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
hash_fnv1a(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

#endif
