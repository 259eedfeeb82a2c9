/*
 * Exactly once across Live Tail and the backstop: whichever source brings
 * an event first releases it, the other's copy is dropped; identical
 * events in one millisecond count separately; pruning forgets only what
 * it is told to, and the table grows and shrinks without losing keys.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reconcile.h"
#include "unit.h"

#define LIVE RECONCILE_LIVE
#define POLL RECONCILE_POLL

static int
add(struct reconcile *r, enum reconcile_source src, const char *stream,
    int64_t ts, const char *msg, int64_t now)
{
	return (reconcile_add(
	    r, src, stream, strlen(stream), ts, msg, strlen(msg), now));
}

static void
test_pairs(void)
{
	struct reconcile *r = reconcile_new();

	UNIT_CHECK(add(r, LIVE, "j/a", 5, "m", 0) == 1, "live first: shown");
	UNIT_CHECK(add(r, POLL, "j/a", 5, "m", 0) == 0, "then polled: dropped");
	UNIT_CHECK(add(r, POLL, "j/a", 6, "n", 0) == 1, "polled first: shown");
	UNIT_CHECK(add(r, LIVE, "j/a", 6, "n", 0) == 0, "then live: dropped");
	UNIT_CHECK(add(r, POLL, "j/a", 6, "n", 0) == 1,
	    "a second polled copy is another event");
	UNIT_CHECK(add(r, LIVE, "j/b", 5, "m", 0) == 1, "another stream");
	UNIT_CHECK(add(r, LIVE, "j/a", 7, "m", 0) == 1, "another millisecond");
	UNIT_CHECK(add(r, POLL, "j/a", 5, "mm", 0) == 1, "another message");
	UNIT_CHECK(add(r, LIVE, "ab", 1, "c", 0) == 1 &&
		add(r, POLL, "a", 1, "bc", 0) == 1,
	    "stream and message are not run together");
	reconcile_free(r);
}

/* 1,000 identical events in one millisecond of one stream: Live Tail
 * brings 500 (sampled), the backstop all 1,000; 1,000 are shown. */
static void
test_identical(void)
{
	struct reconcile *r = reconcile_new();
	int i, shown = 0, live = 0, polled = 0;

	for (i = 0; i < 500; i++)
		live += add(r, LIVE, "j/a", 42, "same", 0);
	for (i = 0; i < 1000; i++)
		polled += add(r, POLL, "j/a", 42, "same", 0);
	shown = live + polled;
	UNIT_CHECK(live == 500 && polled == 500 && shown == 1000,
	    "live %d, polled %d, shown %d of 1000", live, polled, shown);
	/* Live Tail late with the other 500: all dropped. */
	for (i = 0, live = 0; i < 500; i++)
		live += add(r, LIVE, "j/a", 42, "same", 0);
	UNIT_CHECK(live == 0, "%d late live copies shown", live);
	UNIT_CHECK(add(r, LIVE, "j/a", 42, "same", 0) == 1,
	    "a 1,001st copy is a new event");
	reconcile_free(r);
}

static void
test_prune(void)
{
	struct reconcile *r = reconcile_new();

	add(r, LIVE, "j/a", 100, "old", 100);
	add(r, LIVE, "j/a", 200, "new", 3000);
	add(r, POLL, "j/a", 150, "p-early", 1000);
	add(r, POLL, "j/a", 50, "p-late", 5000);
	reconcile_prune(r, 2000, 2000);
	UNIT_CHECK(
	    reconcile_count(r) == 2, "count %zu, want 2", reconcile_count(r));
	UNIT_CHECK(add(r, POLL, "j/a", 200, "new", 0) == 0,
	    "a live copy that came after live_ms is kept");
	UNIT_CHECK(add(r, POLL, "j/a", 100, "old", 0) == 1,
	    "one that came before it is forgotten");
	UNIT_CHECK(add(r, LIVE, "j/a", 50, "p-late", 0) == 0,
	    "a polled copy added after poll_ms is kept");
	UNIT_CHECK(add(r, LIVE, "j/a", 150, "p-early", 0) == 1,
	    "one added before it is forgotten");
	reconcile_free(r);
}

static void
test_grow_and_shrink(void)
{
	struct reconcile *r = reconcile_new();
	char msg[32];
	int i, shown = 0, dropped = 0;

	for (i = 0; i < 100000; i++) {
		snprintf(msg, sizeof msg, "line %d", i);
		shown += add(r, LIVE, "j/a", i, msg, i);
	}
	UNIT_CHECK(shown == 100000, "%d of 100000 shown", shown);
	reconcile_prune(r, 90000, 0);
	UNIT_CHECK(
	    reconcile_count(r) == 10000, "after prune %zu", reconcile_count(r));
	UNIT_CHECK(reconcile_bytes(r) <= 64 + 65536 * 32,
	    "sized for the 10000 kept: %zu bytes", reconcile_bytes(r));
	for (i = 90000; i < 100000; i++) {
		snprintf(msg, sizeof msg, "line %d", i);
		dropped += add(r, POLL, "j/a", i, msg, 0) == 0;
	}
	UNIT_CHECK(
	    dropped == 10000, "%d of 10000 kept copies matched", dropped);
	reconcile_prune(r, 0, 0);
	UNIT_CHECK(reconcile_count(r) == 0, "matched keys go: %zu left",
	    reconcile_count(r));
	reconcile_free(r);
}

int
main(void)
{
	test_pairs();
	test_identical();
	test_prune();
	test_grow_and_shrink();
	return (unit_done("reconcile"));
}
