/*
 * tui: the full-screen terminal UI (ncursesw). It is a sink: released
 * events reach it like any output, and every line is kept in a spool on
 * disk (spool.h), so the whole job can be scrolled, searched and exported. The event loop calls tui_pass() once per pass (keys,
 * resize, redraw of what changed); the caller's info function tells it
 * what the header and status line show (job, counters), so the UI never
 * talks to the network.
 *
 * The UI does not catch SIGWINCH itself (the event loop owns signals):
 * its caller catches it before tui_start(), so curses leaves it alone,
 * and calls tui_resized() when it came.
 *
 * The terminal is restored on every exit path: tui_end(), a fatal signal
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, and SIGHUP unless ignored:
 * restored, the spool removed, then re-raised) and allocation failure
 * (the xmalloc fatal hook). Messages logged while the
 * UI runs are held and printed by tui_end().
 *
 * Ownership: the caller owns the struct tui (tui_new/tui_free); the state
 * given to the pipeline with tui_sink is the same pointer, and the sink's
 * free function leaves it alone, so the UI can outlive the pipeline's
 * reading (to be looked at until the user quits).
 */
#ifndef TUI_H
#define TUI_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "sagemaker.h"
#include "sink.h"
#include "tui_options.h"

extern const struct sink tui_sink;

/* NULL with cause when the spool cannot be made. */
struct tui *tui_new(const struct tui_options *, char **cause);
/* Take the terminal; -1 with cause when it cannot. */
int tui_start(struct tui *, char **cause);
/* Keys, resize and redraw; nonzero when the user quit. */
int tui_pass(void *tui);
/* Nonzero while the UI has work left for its next pass (a search, a
 * narrowing being swept):
 * the loop should not sleep. */
int tui_busy(void *tui);
/* The terminal changed size: lay the screen out again. */
void tui_resized(struct tui *);
/* The descriptor keys arrive on. */
int tui_fd(const struct tui *);
/* Give the terminal back and print the held messages. Idempotent. */
void tui_end(struct tui *);
void tui_free(struct tui *);

#endif
