/*
 * tui_options: what the caller gives the terminal UI (struct
 * tui_options) and what its info function tells it each pass (struct
 * tui_info). A header of its own so that the UI's files below tui.c
 * (tui_state.h) know them without knowing tui.h, which sits on top of
 * them (no include cycle: tests/tools/inccycles.py).
 *
 * Ownership: every pointer in them is borrowed from the caller.
 */
#ifndef TUI_OPTIONS_H
#define TUI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct errors;
struct sagemaker_job;
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

#endif
