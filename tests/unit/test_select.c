/*
 * Table tests of what the user asks to see: --include/--exclude over whole
 * events, --host and --group globs, --rank ranges, and the selection sink
 * that hands only the chosen events on.
 */
#include <stdlib.h>
#include <string.h>

#include "evfilter.h"
#include "selection.h"
#include "unit.h"

static void
test_evfilter(void)
{
	static const struct {
		const char *include, *exclude; /* NULL: none */
		const char *msg;
		int keep;
	} t[] = {
	    {NULL, NULL, "anything", 1},
	    {"loss", NULL, "step 3 loss=2.1", 1},
	    {"loss", NULL, "step 3 acc=0.9", 0},
	    {NULL, "DEBUG", "DEBUG noise", 0},
	    {NULL, "DEBUG", "INFO fine", 1},
	    {"Error", "Retry", "Error: x\nRetry later", 0},
	    /* A traceback is one event: a match in any line keeps it all. */
	    {"^ValueError", NULL,
		"Traceback (most recent call last):\n  File \"x.py\"\n"
		"ValueError: bad",
		1},
	    {"^File", NULL, "Traceback\n  File \"x.py\"", 0},
	    {"x\\.py\"$", NULL, "Traceback\n  File \"x.py\"\nmore", 1},
	    {"caf\\x{e9}", NULL, "caf\xc3\xa9 ok", 1},
	    {"ok", NULL, "invalid \xff\xfe utf-8 ok", 1},
	};
	struct evfilter *f;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		f = evfilter_new();
		if (t[i].include != NULL)
			evfilter_add(f, 0, t[i].include, &cause);
		if (t[i].exclude != NULL)
			evfilter_add(f, 1, t[i].exclude, &cause);
		UNIT_CHECK(
		    evfilter_keep(f, t[i].msg, strlen(t[i].msg)) == t[i].keep,
		    "include %s exclude %s on [%s]", t[i].include, t[i].exclude,
		    t[i].msg);
		evfilter_free(f);
	}
	f = evfilter_new();
	UNIT_CHECK(evfilter_empty(f), "empty");
	UNIT_CHECK(evfilter_add(f, 0, "a(b", &cause) == -1 &&
		strstr(cause, "--include a(b: column 4") != NULL,
	    "bad pattern named: %s", cause);
	free(cause);
	cause = NULL;
	evfilter_add(f, 0, "one", &cause);
	evfilter_add(f, 0, "two", &cause);
	UNIT_CHECK(evfilter_keep(f, "two", 3) && evfilter_keep(f, "one", 3) &&
		!evfilter_keep(f, "three", 5),
	    "any include keeps");
	/* A pattern that backtracks without end is stopped, no match. */
	evfilter_add(f, 1, "(a+)+$", &cause);
	{
		char hostile[4096];

		memset(hostile, 'a', sizeof hostile - 2);
		hostile[sizeof hostile - 2] = '!';
		hostile[sizeof hostile - 1] = 'o';
		memcpy(hostile, "one", 3);
		UNIT_CHECK(evfilter_keep(f, hostile, sizeof hostile),
		    "a runaway exclude is no match");
	}
	evfilter_free(f);
}

static struct out_event
ranked(const char *group, const char *host, const char *msg, unsigned rank)
{
	struct out_event ev = unit_event(group, host, msg, 0);

	ev.ranked = 1;
	ev.rank = rank;
	return (ev);
}

static void
test_selection(void)
{
	static const char nul_host[7] = "algo-1";
	struct selection *s = selection_new();
	struct out_event ev;
	char *cause = NULL;
	struct mpi_range r;

	ev = unit_event("train_group", "algo-2", "hello", 0);
	UNIT_CHECK(selection_empty(s) && selection_keep(s, &ev), "empty");
	selection_add_group(s, "train*");
	UNIT_CHECK(selection_keep(s, &ev), "group glob");
	ev = unit_event("data_group", "algo-1", "hello", 0);
	UNIT_CHECK(!selection_keep(s, &ev), "other group dropped");
	UNIT_CHECK(!selection_keep(s, &ev), "cached verdict");
	selection_add_group(s, "data_group");
	ev = unit_event("data_group", "algo-3", "hello", 0);
	UNIT_CHECK(selection_keep(s, &ev), "second group glob");
	selection_add_host(s, "algo-[12]");
	UNIT_CHECK(!selection_keep(s, &ev), "host glob drops algo-3");
	ev = unit_event("data_group", "algo-1", "hello", 0);
	UNIT_CHECK(selection_keep(s, &ev), "host glob keeps algo-1");
	ev = unit_event("data_group", nul_host, "hello", 0);
	ev.host_len = sizeof nul_host; /* a NUL never matches */
	UNIT_CHECK(!selection_keep(s, &ev), "a name with NUL");
	selection_free(s);

	s = selection_new();
	r.lo = 8;
	r.hi = 15;
	selection_add_rank(s, &r);
	r.lo = r.hi = 3;
	selection_add_rank(s, &r);
	ev = ranked("g", "algo-1", "x", 8);
	UNIT_CHECK(selection_keep(s, &ev), "rank 8 in 8-15");
	ev = ranked("g", "algo-1", "x", 15);
	UNIT_CHECK(selection_keep(s, &ev), "rank 15 in 8-15");
	ev = ranked("g", "algo-1", "x", 3);
	UNIT_CHECK(selection_keep(s, &ev), "rank 3");
	ev = ranked("g", "algo-1", "x", 16);
	UNIT_CHECK(!selection_keep(s, &ev), "rank 16 dropped");
	ev = unit_event("g", "algo-1", "no rank", 0);
	UNIT_CHECK(!selection_keep(s, &ev), "no rank dropped");
	selection_free(s);

	/* Text filters see escapes decoded, unless --raw. */
	s = selection_new();
	selection_add_text(s, 0, "step 71\tloss", &cause);
	ev = unit_event("g", "h", "step 71#011loss=2.2", 0);
	UNIT_CHECK(selection_keep(s, &ev), "decoded TAB matches");
	selection_set_raw(s, 1);
	UNIT_CHECK(!selection_keep(s, &ev), "raw does not");
	selection_free(s);
}

/* A sink that counts what reaches it. */
static int seen, finished, flushed, freed;

static enum sink_status
count_event(void *state, const struct out_event *ev, char **cause)
{
	(void)state;
	(void)ev;
	(void)cause;
	seen++;
	return (SINK_OK);
}

static enum sink_status
count_flush(void *state, char **cause)
{
	(void)state;
	(void)cause;
	flushed++;
	return (SINK_OK);
}

static enum sink_status
count_finish(void *state, char **cause)
{
	(void)state;
	(void)cause;
	finished++;
	return (SINK_CLOSED);
}

static void
count_free(void *state)
{
	free(state);
	freed++;
}

static const struct sink counting = {
    .name = "count",
    .event = count_event,
    .flush = count_flush,
    .finish = count_finish,
    .free = count_free,
};

static void
test_sink(void)
{
	struct selection *s = selection_new();
	struct out_event a = unit_event("g", "algo-1", "keep me", 1);
	struct out_event b = unit_event("g", "algo-2", "drop me", 2);
	char *cause = NULL;
	void *st;

	selection_add_host(s, "algo-1");
	st = selection_sink_new(s, &counting, malloc(1));
	UNIT_CHECK(selection_sink.event(st, &a, &cause) == SINK_OK &&
		selection_sink.event(st, &b, &cause) == SINK_OK && seen == 1,
	    "one of two events reaches the sink (%d)", seen);
	UNIT_CHECK(selection_sink.flush(st, &cause) == SINK_OK && flushed == 1,
	    "flush passes");
	UNIT_CHECK(
	    selection_sink.finish(st, &cause) == SINK_CLOSED && finished == 1,
	    "finish passes the inner answer");
	selection_sink.free(st);
	UNIT_CHECK(freed == 1, "the inner state is freed");
	selection_free(s);
}

int
main(void)
{
	test_evfilter();
	test_selection();
	test_sink();
	return (unit_done("select"));
}
