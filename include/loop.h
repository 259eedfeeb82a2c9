/*
 * loop: the event loop, the one place that waits. Each pass lets the
 * source issue requests and release events, then sleeps in
 * curl_multi_poll() until a transfer needs work, a signal arrives (through
 * a self-pipe) or the nearest deadline (the source's, or a retry's)
 * passes, then reaps answers and starts due retries.
 *
 * Ownership: the loop borrows everything it is given.
 */
#ifndef LOOP_H
#define LOOP_H

#include "aws.h"
#include "http.h"
#include "source_cw.h"

enum loop_status {
	LOOP_DONE,
	LOOP_CLOSED, /* every output went away */
	LOOP_INTERRUPTED, /* SIGINT or SIGTERM */
	LOOP_ERROR, /* AWS failed; cause is set */
	LOOP_OUTPUT_ERROR, /* an output failed; cause is set */
};

/* Catch SIGINT and SIGTERM into the self-pipe; -1 with cause. */
int loop_signals_init(char **cause);
/* The signal that interrupted the loop, or 0. */
int loop_signal(void);

enum loop_status
loop_run(struct http *, struct aws *, struct source_cw *, char **cause);

#endif
