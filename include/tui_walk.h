/*
 * tui_walk: the walk over the lines the view shows, one group or all
 * interleaved. While the view is narrowed (a host, a rank, a filter) the
 * walk goes through the sweep (tui_sweep.h) and sees only the lines swept
 * so far; otherwise it asks tui_visible() of each line of the spool.
 *
 * Ownership: a line returned is the spool's (spool.h): valid until the
 * spool's cache has been round.
 */
#ifndef TUI_WALK_H
#define TUI_WALK_H

#include <stdint.h>

struct spool_line;
struct tui;

/*
 * The visible line of group (SPOOL_ALL: all) before before, or after
 * after, or NULL; a group with no line yet (below SPOOL_ALL) has none.
 */
const struct spool_line *
tui_walk_prev(struct tui *, int group, uint64_t before);
const struct spool_line *tui_walk_next(struct tui *, int group, uint64_t after);

#endif
