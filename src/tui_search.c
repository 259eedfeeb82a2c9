/*
 * The search over the spool (tui_search.h). A slice walks visible lines
 * from where the last one stopped, matching each against the search
 * regex (PCRE2, JIT when the platform has it), and looks at the clock
 * every SEARCH_CHECK lines.
 */
#include <stdlib.h>

#include "clock.h"
#include "tui_search.h"
#include "tui_sweep.h"
#include "tui_walk.h"

#define SEARCH_SLICE_MS 30
#define SEARCH_CHECK 512

/* How far the search went, in percent of the lines it may look at. */
static int
progress(const struct tui *t)
{
	const struct tui_hunt *h = &t->hunt;
	uint64_t span, done;

	if (h->older) {
		span = h->start > h->oldest ? h->start - h->oldest : 1;
		done = h->start > h->at ? h->start - h->at : 0;
	} else {
		span = h->newest > h->start ? h->newest - h->start : 1;
		done = h->at > h->start ? h->at - h->start : 0;
	}
	return ((int)(done >= span ? 99 : done * 100 / span));
}

void
tui_search_start(struct tui *t, int older)
{
	struct tui_hunt *h = &t->hunt;

	if (t->search.re == NULL) {
		tui_notice(t, 1, "no search: type / and a regex");
		return;
	}
	h->on = 1;
	h->older = older;
	h->g = tui_walked(t);
	h->at = t->match != 0 ? t->match
	    : t->follow	      ? UINT64_MAX
			      : t->bottom + 1;
	h->start = h->at == UINT64_MAX ? spool_last_seq(t->spool) + 1 : h->at;
	h->oldest = spool_dropped(t->spool) + 1;
	h->newest = spool_last_seq(t->spool);
	tui_search_step(t);
}

/* Found at seq: the view stops there, the match highlighted. */
static void
found(struct tui *t, uint64_t seq)
{
	t->hunt.on = 0;
	t->follow = 0;
	t->match = seq;
	t->bottom = seq;
	free(t->notice);
	t->notice = NULL;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

/* A line the fast walk looked at: hidden lines do not match. */
static int
scanned(void *arg, uint64_t seq, unsigned mark, const char *s, size_t len)
{
	struct tui *t = arg;
	size_t so, eo;

	(void)seq;
	if ((mark & TUI_MARK_SUPERSEDED) && !t->opt.raw_progress)
		return (0);
	if (t->selecting && (mark & TUI_MARK_UNSELECTED))
		return (0);
	return (tui_regex_find(&t->search, s, len, 0, &so, &eo));
}

/*
 * Without a host, rank or filter narrowing the view, what hides a line is
 * in the spool's index: the spool's own walk looks at each line without
 * caching it, several times faster over millions of lines.
 */
static int
fast_step(struct tui *t, int64_t until)
{
	struct tui_hunt *h = &t->hunt;
	uint64_t seq, at;

	for (;;) {
		seq = spool_scan(t->spool, h->g, h->at, h->older, SEARCH_CHECK,
		    scanned, t, &at);
		if (seq != 0) {
			found(t, seq);
			return (0);
		}
		if (at == 0) {
			h->on = 0;
			tui_notice(t, 1, "no %s match for /%s/",
			    h->older ? "older" : "newer", t->search.pattern);
			return (0);
		}
		h->at = at;
		if (clock_mono_ms() >= until)
			return (1);
	}
}

int
tui_search_step(struct tui *t)
{
	struct tui_hunt *h = &t->hunt;
	const struct spool_line *l;
	int64_t until = clock_mono_ms() + SEARCH_SLICE_MS;
	size_t so, eo;
	unsigned n = 0;

	if (!h->on)
		return (0);
	/* Narrowed, the lines not swept yet cannot be told: wait. */
	if (tui_sweep_running(t)) {
		tui_notice(t, 0,
		    "searching %s for /%s/: narrowing first, %d%% (any key "
		    "stops)",
		    h->older ? "back" : "on", t->search.pattern,
		    tui_sweep_progress(t));
		return (1);
	}
	if (t->host == NULL && t->rank < 0 && t->filter.re == NULL) {
		if (!fast_step(t, until))
			return (0);
		goto progress;
	}
	for (;;) {
		l = h->older ? tui_walk_prev(t, h->g, h->at)
			     : tui_walk_next(t, h->g, h->at);
		if (l == NULL) {
			h->on = 0;
			tui_notice(t, 1, "no %s match for /%s/",
			    h->older ? "older" : "newer", t->search.pattern);
			return (0);
		}
		h->at = l->seq;
		if (tui_regex_find(&t->search, l->text, l->len, 0, &so, &eo)) {
			found(t, l->seq);
			return (0);
		}
		if (++n % SEARCH_CHECK == 0 && clock_mono_ms() >= until)
			break;
	}
progress:
	tui_notice(t, 0, "searching %s for /%s/: %d%% (any key stops)",
	    h->older ? "back" : "on", t->search.pattern, progress(t));
	return (1);
}

void
tui_search_stop(struct tui *t)
{
	if (!t->hunt.on)
		return;
	t->hunt.on = 0;
	tui_notice(t, 0, "search stopped");
}

int
tui_search_running(const struct tui *t)
{
	return (t->hunt.on);
}
