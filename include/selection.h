/*
 * selection: what the user asked to see. --include/--exclude (evfilter.h)
 * keep or drop events by their text, --host and --group by shell globs
 * (fnmatch(3): "algo-[12]", "train*"), --rank by MPI rank ranges. An event
 * is shown when it passes every kind of option given; within one kind,
 * any one pattern or range is enough. Grouping is not affected: every
 * stream is still read, and markers are still seen, so "--group
 * train_group" is right even for hosts that print no marker of their own.
 *
 * selection_sink wraps another sink and gives it only the events shown,
 * so one selection serves lines and JSON output, and the export when
 * --export-filtered asks for it.
 *
 * Ownership: struct selection owns its patterns. A selection sink's state
 * owns the inner sink's state (freed with it) and borrows the selection.
 */
#ifndef SELECTION_H
#define SELECTION_H

#include <stddef.h>

#include "mpi.h"
#include "sink.h"

struct selection;

struct selection *selection_new(void);
void selection_free(struct selection *);

/* --include and --exclude; -1 with cause for a bad pattern. */
int selection_add_text(
    struct selection *, int exclude, const char *pattern, char **cause);
/* --host and --group: shell globs. */
void selection_add_host(struct selection *, const char *glob);
void selection_add_group(struct selection *, const char *glob);
/* --rank: events of ranks in r. */
void selection_add_rank(struct selection *, const struct mpi_range *r);
/* Match --include/--exclude against the text as CloudWatch holds it
 * (--raw), instead of with collector escapes decoded. */
void selection_set_raw(struct selection *, int raw);

/* Nonzero when nothing was asked for (every event is shown). */
int selection_empty(const struct selection *);
/* Nonzero when ev is shown. */
int selection_keep(struct selection *, const struct out_event *ev);

extern const struct sink selection_sink;

/* A sink giving the shown events to inner; takes inner_state. */
void *selection_sink_new(
    struct selection *, const struct sink *inner, void *inner_state);

#endif
