/*
 * The sweep of the view's narrowing over the spool (tui_sweep.h). Bit
 * seq - base says whether line seq passes the host, rank and filter the
 * sweep was made for; lines base to hi are swept. A host alone is decided
 * from the spool's index (no line read); a rank or a filter reads each
 * line's text once, through the spool's own walk, which caches nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "tui_state.h"
#include "tui_sweep.h"
#include "xmalloc.h"

#define SWEEP_SLICE_MS 20
/* Lines swept between looks at the clock: of the index alone, and read
 * (a filter can take a millisecond a line before PCRE2's match limit). */
#define SWEEP_CHECK 4096
#define SWEEP_CHECK_TEXT 16

struct tui_sweep {
	int on; /* the bits hold the narrowing below */
	const char *host; /* what was swept for: as struct tui has them */
	long rank;
	char *pattern; /* the filter's, or NULL */
	int filter_out;
	uint64_t base; /* the seq of bit 0 */
	uint64_t hi; /* lines base to hi are swept; base - 1: none */
	uint64_t *bits;
	size_t nwords;
	int64_t until; /* when the slice ends, monotonic ms */
	unsigned read; /* lines read in this slice */
};

struct tui_sweep *
tui_sweep_new(void)
{
	return (xcalloc(1, sizeof(struct tui_sweep)));
}

void
tui_sweep_free(struct tui_sweep *sw)
{
	if (sw == NULL)
		return;
	free(sw->pattern);
	free(sw->bits);
	free(sw);
}

static int
narrowed(const struct tui *t)
{
	return (t->host != NULL || t->rank >= 0 || t->filter.re != NULL);
}

/* The sweep was made for the view's narrowing as it is now. */
static int
current(const struct tui_sweep *sw, const struct tui *t)
{
	if (!sw->on || sw->host != t->host || sw->rank != t->rank)
		return (0);
	if (t->filter.re == NULL)
		return (sw->pattern == NULL);
	return (sw->pattern != NULL && sw->filter_out == t->filter_out &&
	    strcmp(sw->pattern, t->filter.pattern) == 0);
}

/* Start again when the narrowing changed; off when there is none. */
static struct tui_sweep *
sync(struct tui *t)
{
	struct tui_sweep *sw = t->sweep;

	if (!narrowed(t)) {
		sw->on = 0;
		return (sw);
	}
	if (current(sw, t))
		return (sw);
	free(sw->pattern);
	sw->pattern = t->filter.re != NULL ? xstrdup(t->filter.pattern) : NULL;
	sw->host = t->host;
	sw->rank = t->rank;
	sw->filter_out = t->filter_out;
	sw->base = spool_dropped(t->spool) + 1;
	sw->hi = sw->base - 1;
	if (sw->bits != NULL)
		memset(sw->bits, 0, sw->nwords * sizeof *sw->bits);
	sw->on = 1;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
	return (sw);
}

/* Room for the bit of seq. */
static void
reserve(struct tui_sweep *sw, uint64_t seq)
{
	size_t need = (size_t)((seq - sw->base) / 64 + 1), n = sw->nwords;

	if (need <= n)
		return;
	n = n < 1024 ? 1024 : n;
	while (n < need)
		n *= 2;
	sw->bits = xreallocarray(sw->bits, n, sizeof *sw->bits);
	memset(sw->bits + sw->nwords, 0, (n - sw->nwords) * sizeof *sw->bits);
	sw->nwords = n;
}

static void
bit_set(struct tui_sweep *sw, uint64_t seq)
{
	uint64_t i = seq - sw->base;

	sw->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* The largest seq at or below seq (base to hi) whose bit is set; 0. */
static uint64_t
bit_prev(const struct tui_sweep *sw, uint64_t seq)
{
	uint64_t i = seq - sw->base, w;
	size_t k = (size_t)(i / 64);

	w = sw->bits[k] & (~(uint64_t)0 >> (63 - i % 64));
	for (;;) {
		if (w != 0)
			return (sw->base + (uint64_t)k * 64 + 63 -
			    (uint64_t)__builtin_clzll(w));
		if (k == 0)
			return (0);
		w = sw->bits[--k];
	}
}

/* The smallest seq at or above seq (base to hi) whose bit is set; 0. */
static uint64_t
bit_next(const struct tui_sweep *sw, uint64_t seq)
{
	uint64_t i = seq - sw->base, w, r;
	size_t k = (size_t)(i / 64), last = (size_t)((sw->hi - sw->base) / 64);

	w = sw->bits[k] & (~(uint64_t)0 << (i % 64));
	for (;;) {
		if (w != 0) {
			r = sw->base + (uint64_t)k * 64 +
			    (uint64_t)__builtin_ctzll(w);
			return (r <= sw->hi ? r : 0);
		}
		if (k >= last)
			return (0);
		w = sw->bits[++k];
	}
}

/* What the index says of line seq: held, of the group, not hidden. */
static int
shown(struct tui *t, int group, uint64_t seq)
{
	const char *host;
	unsigned g, mark;

	if (spool_peek(t->spool, seq, &g, &host, &mark) != 0)
		return (0);
	if (group != SPOOL_ALL && (int)g != group)
		return (0);
	if ((mark & TUI_MARK_SUPERSEDED) && !t->opt.raw_progress)
		return (0);
	return (!(t->selecting && (mark & TUI_MARK_UNSELECTED)));
}

int
tui_sweep_active(struct tui *t)
{
	return (sync(t)->on);
}

uint64_t
tui_sweep_prev(struct tui *t, int group, uint64_t before)
{
	struct tui_sweep *sw = sync(t);
	uint64_t s, oldest = spool_dropped(t->spool) + 1;

	if (!sw->on || before < 2 || sw->hi < sw->base)
		return (0);
	s = before - 1 < sw->hi ? before - 1 : sw->hi;
	while (s >= sw->base && s >= oldest && (s = bit_prev(sw, s)) != 0) {
		if (s >= oldest && shown(t, group, s))
			return (s);
		s--;
	}
	return (0);
}

uint64_t
tui_sweep_next(struct tui *t, int group, uint64_t after)
{
	struct tui_sweep *sw = sync(t);
	uint64_t s, oldest = spool_dropped(t->spool) + 1;

	if (!sw->on || after == UINT64_MAX || sw->hi < sw->base)
		return (0);
	s = after + 1;
	if (s < sw->base)
		s = sw->base;
	if (s < oldest)
		s = oldest;
	while (s <= sw->hi && (s = bit_next(sw, s)) != 0) {
		if (shown(t, group, s))
			return (s);
		s++;
	}
	return (0);
}

/* A line the spool's walk read: does it pass the narrowing? Nonzero
 * stops the walk there: the slice is over. */
static int
swept(void *arg, uint64_t seq, unsigned mark, const char *s, size_t len)
{
	struct tui *t = arg;
	struct mpi_tag tag;
	const char *host;
	unsigned g, m;
	size_t so, eo;
	int pass;

	(void)mark;
	pass = t->host == NULL ||
	    (spool_peek(t->spool, seq, &g, &host, &m) == 0 && host == t->host);
	if (pass && t->rank >= 0)
		pass = mpi_tag_parse(s, len, &tag) &&
		    tag.rank == (unsigned long)t->rank;
	if (pass && t->filter.re != NULL) {
		pass = tui_regex_find(&t->filter, s, len, 0, &so, &eo);
		pass = t->filter_out ? !pass : pass;
	}
	if (pass)
		bit_set(t->sweep, seq);
	return (++t->sweep->read % SWEEP_CHECK_TEXT == 0 &&
	    clock_mono_ms() >= t->sweep->until);
}

/* Up to SWEEP_CHECK lines, up to last. */
static void
sweep_some(struct tui *t, uint64_t last)
{
	struct tui_sweep *sw = t->sweep;
	const char *host;
	uint64_t s, end, at;
	unsigned g, mark;

	if (t->filter.re == NULL && t->rank < 0) {
		/* A host alone: the index says. */
		end = last - sw->hi > SWEEP_CHECK ? sw->hi + SWEEP_CHECK : last;
		for (s = sw->hi + 1; s <= end; s++)
			if (spool_peek(t->spool, s, &g, &host, &mark) == 0 &&
			    host == t->host)
				bit_set(sw, s);
		sw->hi = end;
		return;
	}
	if ((s = spool_scan(t->spool, SPOOL_ALL, sw->hi, 0, SWEEP_CHECK, swept,
		 t, &at)) != 0)
		sw->hi = s;
	else
		sw->hi = at != 0 && at < last ? at : last;
}

int
tui_sweep_step(struct tui *t)
{
	struct tui_sweep *sw = sync(t);
	uint64_t last = spool_last_seq(t->spool);

	if (!sw->on)
		return (0);
	/* A full disk takes the newest lines back out of the spool. */
	if (sw->hi > last)
		sw->hi = last < sw->base ? sw->base - 1 : last;
	if (sw->hi >= last)
		return (0);
	reserve(sw, last);
	sw->until = clock_mono_ms() + SWEEP_SLICE_MS;
	sw->read = 0;
	do
		sweep_some(t, last);
	while (sw->hi < last && clock_mono_ms() < sw->until);
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
	return (sw->hi < last);
}

int
tui_sweep_running(struct tui *t)
{
	struct tui_sweep *sw = sync(t);

	return (sw->on && sw->hi < spool_last_seq(t->spool));
}

int
tui_sweep_progress(struct tui *t)
{
	struct tui_sweep *sw = sync(t);
	uint64_t last = spool_last_seq(t->spool), span, done;

	if (!sw->on || sw->hi >= last)
		return (100);
	span = last + 1 - sw->base;
	done = sw->hi + 1 - sw->base;
	return ((int)(done * 100 / span));
}
