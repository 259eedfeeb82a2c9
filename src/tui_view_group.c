/*
 * One group: its title row (with errors by host) and its lines, scrolled
 * by the keys; narrowed to a host with "h".
 */
#include "tui_draw.h"
#include "tui_move.h"
#include "tui_views.h"

static void
group_title(struct tui *t, int y)
{
	int i = tui_pane_index(t);

	/* No group yet (nothing read): the title of all of them. */
	if (i < 0)
		tui_view_all.title(t, y);
	else
		tui_draw_title(t, y, &t->panes[i], 1, 1);
}

static void
group_draw(struct tui *t, int y0, int y1)
{
	t->drawn_bottom =
	    tui_draw_lines(t, y0, y1, tui_walked(t), &t->drawn_top);
}

const struct tui_view tui_view_group = {
    .name = "group",
    .all = 0,
    .scrolls = 1,
    .title = group_title,
    .draw = group_draw,
    .key = tui_move_key,
};
