/*
 * loop: the event loop, the one place that waits. Each pass lets the
 * source issue requests and release events, then sleeps in
 * curl_multi_poll() until a transfer needs work, a signal arrives (through
 * a self-pipe) or the nearest deadline (the source's, or a retry's)
 * passes, then reaps answers and starts due retries.
 *
 * A user interface joins the loop through struct loop_hooks: one more
 * descriptor to wait on (the terminal) and a callback once per pass, after
 * the pass's I/O, where it reads keys and redraws what changed. SIGWINCH
 * wakes the loop too (loop_watch_resize()).
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
	LOOP_QUIT, /* the user asked to quit (the hooks said so) */
};

struct loop_hooks {
	int fd; /* waited on for reading, or -1 */
	/* Once per pass; nonzero ends the loop with LOOP_QUIT. */
	int (*pass)(void *arg);
	/* Nonzero when the next pass has work (no sleep); may be NULL. */
	int (*busy)(void *arg);
	void *arg;
};

/* Catch SIGINT and SIGTERM into the self-pipe; -1 with cause. */
int loop_signals_init(char **cause);
/*
 * From now on SIGINT and SIGTERM interrupt a blocking system call (EINTR)
 * instead of restarting it, so a reader blocked in open() of a FIFO or a
 * read() of a pipe can stop. Only for code that handles EINTR everywhere
 * (the offline reader and the outputs do).
 */
void loop_signals_interrupt_io(void);
/* The signal that interrupted the loop, or 0. */
int loop_signal(void);
/* Catch SIGWINCH into the self-pipe too (call after loop_signals_init). */
void loop_watch_resize(void);
/* Nonzero once after each SIGWINCH. */
int loop_resized(void);

/*
 * Run the source until it is done; hooks may be NULL. p is the pipeline
 * the source feeds: when standard output is a pipe whose reader goes away
 * (a quiet follow writes nothing that would meet EPIPE), the loop flushes
 * it so the sinks on stdout close.
 */
enum loop_status loop_run(struct http *, struct aws *, struct source_cw *,
    struct pipeline *, const struct loop_hooks *, char **cause);
/*
 * Run the transport until *pending, the caller's count of calls in flight
 * (aws_call()s whose callbacks decrement it), is zero: LOOP_DONE,
 * LOOP_INTERRUPTED or LOOP_ERROR.
 */
enum loop_status
loop_calls(struct http *, struct aws *, const size_t *pending, char **cause);
/*
 * Wait on the hooks' descriptor and signals only (nothing left to read,
 * the user still looks): LOOP_QUIT or LOOP_INTERRUPTED. The wait is
 * http_wait() on http, or (http NULL, reading files) on one of its own.
 */
enum loop_status loop_idle(struct http *, const struct loop_hooks *);

#endif
