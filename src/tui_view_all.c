/*
 * Every group interleaved in the order lines arrived, each line tagged
 * with its group.
 */
#include "tui_draw.h"
#include "tui_move.h"
#include "tui_views.h"

static void
all_title(struct tui *t, int y)
{
	struct tui_pane all = {"all groups, interleaved", 23, -1, NULL, -1};

	tui_draw_title(t, y, &all, 1, 0);
}

static void
all_draw(struct tui *t, int y0, int y1)
{
	t->drawn_bottom = tui_draw_lines(t, y0, y1, SPOOL_ALL, &t->drawn_top);
}

const struct tui_view tui_view_all = {
    .name = "all groups",
    .all = 1,
    .scrolls = 1,
    .title = all_title,
    .draw = all_draw,
    .key = tui_move_key,
};
