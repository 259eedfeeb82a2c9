/*
 * rankmap: MPI ranks of released events, and the hosts they ran on. Every
 * event whose first line carries an OpenMPI tag (mpi.h) gets its rank; the
 * host whose stream carried it becomes its "via", and its host becomes the
 * host the rank ran on, when the carrier's own log said where: the
 * launcher's command line, or its job map. Without that evidence the event
 * stays under the carrier, with rank_placed 0 ("rank R (host unknown)"):
 * the toolkit's host label in the tag is never believed.
 *
 * The pipeline calls rankmap_event() on each released event before the
 * error detector and the sinks see it, in each stream's order, so the
 * command line (printed before any rank's output) is known in time.
 *
 * Ownership: struct rankmap owns the host names it hands out (ev->host),
 * which live until rankmap_free().
 */
#ifndef RANKMAP_H
#define RANKMAP_H

#include "sink.h"

struct rankmap;

struct rankmap *rankmap_new(void);
void rankmap_free(struct rankmap *);

/* Learn from one released event and place its rank (see sink.h). */
void rankmap_event(struct rankmap *, struct out_event *ev);
/*
 * Learn from an event of host's stream that is read only to learn from
 * (pipeline_learn()): a command line or a job map in a stream's head.
 */
void rankmap_learn(struct rankmap *, const char *host, size_t host_len,
    const char *msg, size_t len);

#endif
