/*
 * idset: the event ids of one stream seen within a look-back window, so
 * overlapping FilterLogEvents reads hand out each event once. An id is
 * kept as a 64-bit hash with the event's timestamp; two events are taken
 * for one only when both the hash and the timestamp agree.
 *
 * Ownership: the set copies nothing it is given.
 */
#ifndef IDSET_H
#define IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset;

struct idset *idset_new(void);
void idset_free(struct idset *);

/* Add an event's id: 1 when it is new, 0 when it was seen. */
int idset_add(struct idset *, const char *id, size_t len, int64_t ts);
/* Forget the events older than ts (they will not be read again). */
void idset_prune(struct idset *, int64_t ts);
size_t idset_count(const struct idset *);
/* Bytes of memory the set holds. */
size_t idset_bytes(const struct idset *);

#endif
