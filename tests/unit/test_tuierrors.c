/*
 * The terminal UI's sink marks error lines without a terminal: released
 * events pass the error detector, then the UI's sink, which marks each
 * error's first line, the rest of a traceback and warnings, and keeps
 * each error's first line for the keys that jump to it. Events come as
 * one line each and as whole multi-line events.
 */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "rules.h"
#include "tui.h"
#include "tui_state.h"
#include "unit.h"

static const char g[] = "train", h1[] = "algo-1", h2[] = "algo-2";

/* One event through the detector and the UI's sink. */
static void
event(struct errors *es, struct tui *t, const char *host, const char *msg,
    int64_t ts)
{
	struct out_event ev = unit_event(g, host, msg, ts);
	char *cause = NULL;

	errors_event(es, &ev);
	UNIT_CHECK(tui_sink.event(t, &ev, &cause) == SINK_OK, "sink");
}

/* The marks of lines from seq 1 on, as characters: . | ~ ! */
static void
marks(struct tui *t, char *out, size_t size)
{
	static const char ch[] = {'.', '|', '~', '!'};
	const struct spool_line *l;
	uint64_t seq = 0;
	size_t n = 0;

	while (n + 1 < size &&
	    (l = spool_next(t->spool, SPOOL_ALL, seq)) != NULL) {
		out[n++] = l->mark < 4 ? ch[l->mark] : '?';
		seq = l->seq;
	}
	out[n] = '\0';
}

static void
test_marks(void)
{
	struct rules *rules = rules_new();
	struct tui_options o;
	struct errors *es;
	struct tui *t;
	char *cause = NULL, got[64];

	UNIT_CHECK(rules_load_default(rules, &cause) == 0, "rules: %s",
	    cause == NULL ? "" : cause);
	es = errors_new(rules);
	memset(&o, 0, sizeof o);
	o.scrollback = 100;
	o.errors = es;
	t = tui_new(&o, &cause);
	UNIT_CHECK(t != NULL, "tui_new: %s", cause != NULL ? cause : "");
	if (t == NULL)
		return;
	/* 1-2: plain; 3-7: a traceback in one event with a plain line. */
	event(es, t, h1, "step 1 loss=2.3", 1000);
	event(es, t, h2, "step 1 loss=2.4", 1000);
	event(es, t, h1,
	    "before\nTraceback (most recent call last):\n"
	    "  File \"x.py\", line 1, in <module>\n"
	    "ValueError: bad",
	    2000);
	/* 7-10: one line an event. */
	event(es, t, h2, "Traceback (most recent call last):", 3000);
	event(es, t, h2, "  File \"y.py\", line 2, in f", 3000);
	event(es, t, h2, "RuntimeError: worse", 3000);
	event(es, t, h2, "after", 3000);
	/* 11, 12: a warning, then an error of one line. */
	event(es, t, h1, "UserWarning: slow", 4000);
	event(es, t, h1, "Segmentation fault", 5000);
	marks(t, got, sizeof got);
	UNIT_STREQ(got, "...!||!||.~!", "marks");
	UNIT_CHECK(t->nerr == errors_count(es), "every error kept: %zu of %zu",
	    t->nerr, errors_count(es));
	UNIT_CHECK(t->nerr >= 3 && t->err_seq[0] == 4 && t->err_seq[1] == 7,
	    "first lines: %llu %llu",
	    t->nerr > 0 ? (unsigned long long)t->err_seq[0] : 0ULL,
	    t->nerr > 1 ? (unsigned long long)t->err_seq[1] : 0ULL);
	UNIT_CHECK(t->nerr >= 3 && t->err_seq[t->nerr - 1] == 12,
	    "the segfault's line");
	tui_free(t);
	errors_free(es);
	rules_free(rules);
}

static void
test_line_of(void)
{
	static const struct {
		const char *msg;
		size_t off, want;
	} v[] = {
	    {"", 0, 0}, {"abc", 2, 0}, {"a\nb\nc", 2, 1}, {"a\nb\nc", 4, 2},
	    {"a\n\n\nd", 4, 3},
	    {"a\nb", 99, 1}, /* past the end: the last line */
	};
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		UNIT_CHECK(tui_line_of(v[i].msg, strlen(v[i].msg), v[i].off) ==
			v[i].want,
		    "line of %zu in %s", v[i].off, v[i].msg);
}

/* A line as shown (#15): one CR of its line end off, unless --raw. */
static void
test_shown(void)
{
	static const struct {
		const char *in;
		int raw;
		const char *want;
	} v[] = {
	    {"loss 1\r", 0, "loss 1"},
	    {"loss 1\r\r", 0, "loss 1\r"},
	    {"plain", 0, "plain"},
	    {"", 0, ""},
	    {"\r", 0, ""},
	    {"loss 1\r", 1, "loss 1\r"},
	};
	struct tui_options o;
	struct mpi_tag tag;
	struct tui *t;
	char *cause = NULL;
	const char *s;
	size_t i, len;
	int tagged;

	memset(&o, 0, sizeof o);
	o.scrollback = 100;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		o.raw = v[i].raw;
		t = tui_new(&o, &cause);
		UNIT_CHECK(
		    t != NULL, "tui_new: %s", cause != NULL ? cause : "");
		if (t == NULL)
			return;
		s = tui_shown(
		    t, v[i].in, strlen(v[i].in), 1, &len, &tag, &tagged);
		UNIT_MEMEQ(s, len, v[i].want, strlen(v[i].want), "shown");
		tui_free(t);
	}
}

int
main(void)
{
	test_marks();
	test_line_of();
	test_shown();
	return (unit_done("tuierrors"));
}
