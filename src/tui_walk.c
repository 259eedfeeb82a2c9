/*
 * The walk over the lines the view shows (tui_walk.h): through the sweep's
 * bits while the view is narrowed, else over the spool's index, each line
 * asked tui_visible(). Apart from tui_state so that the state, which the
 * sweep reads, does not depend on the sweep.
 */
#include "spool.h"
#include "tui_state.h"
#include "tui_sweep.h"
#include "tui_walk.h"

/* Line seq as the sweep found it, read; NULL if it cannot be. */
static const struct spool_line *
swept_line(struct tui *t, uint64_t seq)
{
	const struct spool_line *l;

	if (seq == 0)
		return (NULL);
	l = spool_next(t->spool, SPOOL_ALL, seq - 1);
	return (l != NULL && l->seq == seq ? l : NULL);
}

const struct spool_line *
tui_walk_prev(struct tui *t, int group, uint64_t before)
{
	const struct spool_line *l;

	if (group < SPOOL_ALL)
		return (NULL);
	if (tui_sweep_active(t))
		return (swept_line(t, tui_sweep_prev(t, group, before)));
	while ((l = spool_prev(t->spool, group, before)) != NULL &&
	    !tui_visible(t, l))
		before = l->seq;
	return (l);
}

const struct spool_line *
tui_walk_next(struct tui *t, int group, uint64_t after)
{
	const struct spool_line *l;

	if (group < SPOOL_ALL)
		return (NULL);
	if (tui_sweep_active(t))
		return (swept_line(t, tui_sweep_next(t, group, after)));
	while ((l = spool_next(t->spool, group, after)) != NULL &&
	    !tui_visible(t, l))
		after = l->seq;
	return (l);
}
