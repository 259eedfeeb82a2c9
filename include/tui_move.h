/*
 * tui_move: moving the view over the lines: scrolling, pausing and
 * following, the oldest line, a page, another group or host. A move
 * changes the state and marks what must be drawn again; it never draws.
 */
#ifndef TUI_MOVE_H
#define TUI_MOVE_H

#include "tui_state.h"

/* Stop following: the view stays where it is. */
void tui_move_pause(struct tui *);
/* Follow the newest line again. */
void tui_move_follow(struct tui *);
/* Move the bottom line by n visible lines (up when n < 0). */
void tui_move_scroll(struct tui *, int n);
/* The oldest line at the top. */
void tui_move_home(struct tui *);
void tui_move_page(struct tui *, int down);
/* Focus pane i (wrapping around). */
void tui_move_pane(struct tui *, int i);
/* Narrow to the view's next (dir > 0) or previous host; all after the
 * last. */
void tui_move_host(struct tui *, int dir);
/* Narrow to the next (dir > 0) or previous MPI rank seen; all after the
 * last. */
void tui_move_rank(struct tui *, int dir);
/* The keys of a scrolled body: Up, Down, the mouse wheel; 0: none. */
int tui_move_key(struct tui *, int key);

#endif
