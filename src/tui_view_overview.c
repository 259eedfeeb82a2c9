/*
 * The overview: one pane per group, each a title row and its newest
 * lines; Up and Down select a pane, which Enter shows alone. When the
 * panes do not all fit, those around the selected one are shown.
 */
#include "tui_draw.h"
#include "tui_move.h"
#include "tui_views.h"

static void
overview_draw(struct tui *t, int y0, int y1)
{
	int h = y1 - y0 + 1, n, per, i, first = 0, sel, y, end;
	uint64_t top;

	if (t->npanes == 0) {
		tui_draw_message(t, y0, y1,
		    t->info.done ? "  no log lines" : "  waiting for logs...");
		return;
	}
	/* Each pane needs a title and a line; show those that fit. */
	n = (int)t->npanes;
	if (n * 2 > h)
		n = h / 2 > 0 ? h / 2 : 1;
	sel = tui_pane_index(t);
	if (sel >= n)
		first = sel - n + 1;
	per = h / n;
	for (i = 0, y = y0; i < n; i++) {
		end = i == n - 1 ? y1 : y + per - 1;
		tui_draw_title(t, y, &t->panes[first + i], first + i == sel, 0);
		if (end > y)
			tui_draw_lines(
			    t, y + 1, end, t->panes[first + i].sb, &top);
		y = end + 1;
	}
}

static int
overview_key(struct tui *t, int k)
{
	MEVENT ev;

	switch (k) {
	case KEY_UP:
	case KEY_DOWN:
		tui_move_pane(t, tui_pane_index(t) + (k == KEY_UP ? -1 : 1));
		return (1);
	case KEY_MOUSE:
		/* Panes do not scroll: the event is read and dropped. */
		(void)getmouse(&ev);
		return (1);
	}
	return (0);
}

const struct tui_view tui_view_overview = {
    .name = "overview",
    .all = 0,
    .scrolls = 0,
    .title = NULL,
    .draw = overview_draw,
    .key = overview_key,
};
