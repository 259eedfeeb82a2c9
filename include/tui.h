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

struct selection;

/* What the header and the status line show, filled by the caller. */
struct tui_info {
	const struct sagemaker_job *job; /* as last described, or NULL */
	int live; /* reading CloudWatch (else files) */
	int done; /* nothing more will come */
	size_t streams, behind;
	size_t held; /* streams whose host's group is not known yet */
	uint64_t requests, throttled, retries;
	double rate; /* the request budget now, calls a second */
	const char *live_tail; /* Live Tail's word for the header, or NULL */
};

struct tui_options {
	const char *job; /* for the header and the export default, or NULL */
	size_t scrollback; /* lines of the spool cached in memory, 0: default */
	const char *spool_dir; /* --spool: keep the spool there, or NULL */
	/* What the command line selects (--include, --host...; borrowed):
	 * the view starts with only its events shown; NULL: all. */
	struct selection *selection;
	int export_filtered; /* the UI's export too is of those only */
	int raw; /* --raw: text as CloudWatch holds it */
	int raw_progress; /* --raw-progress: every state of a bar */
	uint64_t spool_limit; /* --spool-limit: bytes on disk, 0: default */
	int color; /* 0: monochrome (NO_COLOR, --color=never) */
	int timestamps; /* show times from the start */
	const struct errors *errors; /* for exports' manifests (borrowed) */
	/* Fills *info; may be NULL. */
	void (*info)(void *arg, struct tui_info *info);
	/* Hosts seen in a group (the pipeline knows); may be NULL. */
	int (*hosts)(void *arg, const char *group, size_t len);
	/* The L key: Live Tail on or off; what to tell the user. May be
	 * NULL. */
	const char *(*live_tail)(void *arg);
	void *arg;
};

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
