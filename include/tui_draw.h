/*
 * tui_draw: the frame around the screens (header, status line, the line
 * for prompts and messages, help) and the pieces screens draw their body
 * with (a pane's title row, a run of log lines). Each part is drawn again
 * only when marked dirty; every string from outside goes through
 * tui_cells_add(), so it is shown, never obeyed.
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include "tui_state.h"

/* Map colour roles to attributes (once; NO_COLOR: the mono column). */
void tui_draw_colors(struct tui *);
/* Draw what is dirty: header, the view's title and body, status. */
void tui_draw(struct tui *);

/* A pane's title row at y: name, type, hosts, lines, errors. */
void tui_draw_title(struct tui *, int y, const struct tui_pane *, int selected,
    int host_errors);
/*
 * Lines of group g (or SPOOL_ALL, tagged by group) ending at the
 * view's bottom, upwards from row y1 to row y0. Returns the seq of the
 * bottom line drawn (0: none) and sets *top to the topmost one.
 */
uint64_t tui_draw_lines(struct tui *, int y0, int y1, int g, uint64_t *top);
/* Row y0 says text (in the notice role); rows below it to y1 blank. */
void tui_draw_message(struct tui *, int y0, int y1, const char *text);

#endif
