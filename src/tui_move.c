/*
 * Moving the view over the lines (tui_move.h). The view's place is the
 * seq of its bottom line while paused; following, the newest line is the
 * bottom.
 */
#include <stdlib.h>

#include "tui_move.h"
#include "tui_walk.h"
#include "xmalloc.h"

/* Stop following: the view stays where it is. */
void
tui_move_pause(struct tui *t)
{
	if (!t->follow)
		return;
	t->follow = 0;
	/* The overview's panes end at the newest line of all. */
	if (t->view->scrolls && t->drawn_bottom != 0)
		t->bottom = t->drawn_bottom;
	else
		t->bottom = spool_last_seq(t->spool);
}

void
tui_move_follow(struct tui *t)
{
	t->follow = 1;
	t->match = 0;
	t->cur_err = -1;
	t->err_line = 0;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

void
tui_move_scroll(struct tui *t, int n)
{
	const struct spool_line *l;
	int g = tui_walked(t);
	uint64_t s;

	tui_move_pause(t);
	s = t->bottom;
	for (; n < 0; n++) {
		if ((l = tui_walk_prev(t, g, s)) == NULL)
			break;
		s = l->seq;
	}
	for (; n > 0; n--) {
		if ((l = tui_walk_next(t, g, s)) == NULL) {
			tui_move_follow(t);
			return;
		}
		s = l->seq;
	}
	t->bottom = s;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

void
tui_move_home(struct tui *t)
{
	const struct spool_line *l;
	int g = tui_walked(t), i;

	tui_move_pause(t);
	if ((l = tui_walk_next(t, g, 0)) == NULL)
		return;
	t->bottom = l->seq;
	/* The oldest line at the top: a page below it at the bottom. */
	for (i = 1; i < t->body_rows; i++) {
		if ((l = tui_walk_next(t, g, t->bottom)) == NULL)
			break;
		t->bottom = l->seq;
	}
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

void
tui_move_page(struct tui *t, int down)
{
	tui_move_pause(t);
	if (!down && t->drawn_top != 0) {
		t->bottom = t->drawn_top;
		tui_move_scroll(t, -1);
	} else
		tui_move_scroll(
		    t, down ? t->body_rows - 1 : -(t->body_rows - 1));
}

void
tui_move_pane(struct tui *t, int i)
{
	tui_panes(t);
	if (t->npanes == 0)
		return;
	i = (i % (int)t->npanes + (int)t->npanes) % (int)t->npanes;
	tui_focus(t, t->panes[i].name, t->panes[i].len);
}

/*
 * The hosts of the view, in the order first seen (from the spool's index,
 * no line read); cycle through them.
 */
void
tui_move_host(struct tui *t, int dir)
{
	const char **hosts = NULL, *host;
	size_t n = 0, cap = 0, i, cur = 0;
	int g = tui_walked(t);
	uint64_t s, last = spool_last_seq(t->spool);
	unsigned group, mark;

	for (s = spool_dropped(t->spool) + 1; s <= last; s++) {
		if (spool_peek(t->spool, s, &group, &host, &mark) != 0 ||
		    (g != SPOOL_ALL && (int)group != g))
			continue;
		for (i = n; i > 0 && hosts[i - 1] != host; i--)
			;
		if (i > 0)
			continue;
		hosts = xgrow(hosts, n, &cap, 16, sizeof *hosts);
		hosts[n++] = host;
	}
	/* Positions 0..n-1 are hosts, n is "every host". */
	cur = n;
	for (i = 0; i < n; i++)
		if (hosts[i] == t->host)
			cur = i;
	cur = (cur + (size_t)(dir > 0 ? 1 : (int)n)) % (n + 1);
	t->host = cur == n ? NULL : hosts[cur];
	free(hosts);
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

static int
rank_known(const struct tui *t, long r)
{
	return (r >= 0 && (size_t)r / 8 < t->ranks_len &&
	    (t->ranks[r / 8] & (1u << (r % 8))) != 0);
}

void
tui_move_rank(struct tui *t, int dir)
{
	long r = t->rank, end = (long)t->ranks_len * 8;

	if (end == 0) {
		tui_notice(t, 1, "no MPI rank seen");
		return;
	}
	/* -1 is "every rank", between the last and the first. */
	do {
		r += dir > 0 ? 1 : -1;
		if (r >= end)
			r = -1;
		else if (r < -1)
			r = end - 1;
	} while (r != -1 && !rank_known(t, r));
	t->rank = r;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

int
tui_move_key(struct tui *t, int k)
{
	MEVENT ev;

	switch (k) {
	case KEY_UP:
	case KEY_DOWN:
		tui_move_scroll(t, k == KEY_UP ? -1 : 1);
		return (1);
	case KEY_MOUSE:
		if (getmouse(&ev) != OK)
			return (1);
		if (ev.bstate & BUTTON4_PRESSED)
			tui_move_scroll(t, -3);
		else if (ev.bstate & BUTTON5_PRESSED)
			tui_move_scroll(t, 3);
		return (1);
	}
	return (0);
}
