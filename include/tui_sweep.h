/*
 * tui_sweep: the view's narrowing (a host, an MPI rank, a text filter in
 * or out) over every line of the spool, which may be millions. Deciding
 * whether a line passes reads its text, so it is decided once a line, by a
 * sweep from the oldest held line to the newest in slices of
 * SWEEP_SLICE_MS between the loop's passes (the UI keeps drawing and
 * reading keys), and kept as one bit a line. Lines the sweep has not
 * reached yet are not shown: the view fills in as it goes, the status
 * line says how far it got, and Esc drops the narrowing. New lines (a live
 * job) are swept as they come.
 *
 * The sweep follows the narrowing by itself: when the host, rank or
 * filter of the view is no longer what it swept for, it starts again.
 * What the spool's index already says (a superseded progress bar, a line
 * the command line did not select) is read from there at each walk.
 *
 * Ownership: struct tui holds the sweep (tui_sweep_new/tui_sweep_free).
 */
#ifndef TUI_SWEEP_H
#define TUI_SWEEP_H

#include <stdint.h>

struct tui;
struct tui_sweep;

struct tui_sweep *tui_sweep_new(void);
void tui_sweep_free(struct tui_sweep *);

/* Nonzero when the view is narrowed (the walks go through the sweep). */
int tui_sweep_active(struct tui *);
/* One slice of the sweep; nonzero while lines are left to sweep. */
int tui_sweep_step(struct tui *);
/* Nonzero while the narrowing has lines left to sweep. */
int tui_sweep_running(struct tui *);
/* How far the sweep got, in percent of the held lines. */
int tui_sweep_progress(struct tui *);
/*
 * The seq of the view's visible line of group (or SPOOL_ALL) before
 * before, or after after, among the lines swept; 0 when there is none.
 * Only while tui_sweep_active().
 */
uint64_t tui_sweep_prev(struct tui *, int group, uint64_t before);
uint64_t tui_sweep_next(struct tui *, int group, uint64_t after);

#endif
