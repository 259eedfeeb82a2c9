/*
 * The event-id set that de-duplicates overlapping FilterLogEvents answers:
 * an id is new once, pruning forgets only what is older, and the set
 * grows and shrinks without losing what it keeps.
 */
#include <stdio.h>
#include <stdlib.h>

#include "idset.h"
#include "unit.h"

static void
test_add(void)
{
	struct idset *s = idset_new();

	UNIT_CHECK(idset_add(s, "1", 1, 100) == 1, "first add is new");
	UNIT_CHECK(idset_add(s, "1", 1, 100) == 0, "second add is seen");
	UNIT_CHECK(idset_add(s, "2", 1, 100) == 1, "another id is new");
	/* The same id at another time is another event (ids are per
	 * stream and the timestamp guards against hash collisions). */
	UNIT_CHECK(idset_add(s, "1", 1, 101) == 1, "same id, other time");
	UNIT_CHECK(idset_count(s) == 3, "count %zu, want 3", idset_count(s));
	idset_free(s);
}

static void
test_grow_and_prune(void)
{
	struct idset *s = idset_new();
	char id[64];
	int i, n, fresh = 0, seen = 0;

	for (i = 0; i < 100000; i++) {
		n = snprintf(id, sizeof id, "%056d", i);
		fresh += idset_add(s, id, (size_t)n, i);
	}
	UNIT_CHECK(fresh == 100000, "%d of 100000 new", fresh);
	idset_prune(s, 90000);
	UNIT_CHECK(idset_count(s) == 10000, "after prune %zu, want 10000",
	    idset_count(s));
	UNIT_CHECK(idset_bytes(s) <= 64 + 65536 * 16,
	    "sized for the 10000 kept: %zu bytes", idset_bytes(s));
	for (i = 0; i < 100000; i++) {
		n = snprintf(id, sizeof id, "%056d", i);
		if (i >= 90000)
			seen += !idset_add(s, id, (size_t)n, i);
	}
	UNIT_CHECK(seen == 10000, "%d of the kept 10000 still seen", seen);
	n = snprintf(id, sizeof id, "%056d", 5);
	UNIT_CHECK(
	    idset_add(s, id, (size_t)n, 5) == 1, "a pruned id is new again");
	idset_free(s);
}

/* A prune that keeps few ids gives a small table back (the soak found
 * 128 KB a stream kept for a minute's ids). */
static void
test_prune_shrinks(void)
{
	struct idset *s = idset_new();
	char id[64];
	int i, n;

	for (i = 0; i < 1200; i++) {
		n = snprintf(id, sizeof id, "%056d", i);
		idset_add(s, id, (size_t)n, i);
	}
	idset_prune(s, 1140);
	UNIT_CHECK(idset_count(s) == 60, "%zu kept, want 60", idset_count(s));
	UNIT_CHECK(idset_bytes(s) <= 64 + 256 * 16, "60 ids in %zu bytes",
	    idset_bytes(s));
	idset_free(s);
}

int
main(void)
{
	test_add();
	test_grow_and_prune();
	test_prune_shrinks();
	return (unit_done("idset"));
}
