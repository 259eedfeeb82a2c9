/*
 * tui_search: "/", "n" and "N" over every line of the spool, which may be
 * millions: a search runs in slices of SEARCH_SLICE_MS between the loop's
 * passes (the UI keeps drawing and reading keys), shows how far it got on
 * the last line, and stops at the first match, at the end, or at a key.
 */
#ifndef TUI_SEARCH_H
#define TUI_SEARCH_H

#include "tui_state.h"

/* Look for the next older (or newer) match from the view's place. */
void tui_search_start(struct tui *, int older);
/* One slice of a running search; nonzero while one runs. */
int tui_search_step(struct tui *);
/* Stop a running search (a key was pressed). */
void tui_search_stop(struct tui *);
/* Nonzero while a search runs. */
int tui_search_running(const struct tui *);

#endif
