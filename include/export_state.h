/*
 * export_state: the resume state of an export, DIR/.cwdemux-state. It
 * holds what the same command run again needs to write each event exactly
 * once: the job it was written for, what placed its lines in groups (the
 * rules and --assign, as the caller describes them: a rerun placed
 * otherwise would split a host over two files, so it is refused), each
 * group's file with its length and counts, and per stream how many of the
 * stream's events the files hold.
 *
 * A rerun reads every stream again from its start; the per-stream counts
 * say how many of each stream's first events to pass over (the store
 * hands a stream's events over in the stream's order), and each group's
 * file is cut back to its recorded length first, dropping whatever a kill
 * left after the last checkpoint. The export module decides when to write
 * the state (after syncing the files it names) and writes it atomically;
 * this module only builds and reads its text and keeps the positions.
 *
 * Names in the file are hex, so any bytes (a NUL, invalid UTF-8) come back
 * exactly and nothing needs escaping.
 *
 * Ownership: export_state_new() copies dir, job and placement and borrows
 * dirfd; the
 * groups export_state_groups() returns belong to the state.
 */
#ifndef EXPORT_STATE_H
#define EXPORT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define EXPORT_STATE_FILE ".cwdemux-state"
#define EXPORT_STATE_TMP ".cwdemux-state.tmp"

/* A group as the state records it. */
struct export_state_group {
	const char *name; /* any bytes */
	size_t len;
	const char *file; /* its file's name in DIR */
	unsigned long long bytes, events, lines;
	int64_t first, last; /* timestamps, ms */
	const char **hosts; /* NUL-terminated names */
	size_t nhosts;
	const char **streams;
	size_t nstreams;
};

struct export_state;

/*
 * The state of the export in dir (open as dirfd) of job (NULL: none),
 * placed by what placement says (one setting a line, such as "--assign
 * algo-3=eval"; NULL: nothing to check).
 */
struct export_state *export_state_new(
    const char *dir, int dirfd, const char *job, const char *placement);
void export_state_free(struct export_state *);

/*
 * Read DIR's state file if there is one. It must be of the same job and
 * placement (a state written before placements were recorded has none,
 * and is taken as it is); each
 * group's file must hold at least what the state says (checked for all
 * before any is touched, so a refused directory is left as it was), and is
 * then cut back to that length. 1 when loaded, 0 when there is none, -1
 * with cause (*usage is set when the directory's content is at fault, not
 * the disk).
 */
int export_state_load(struct export_state *, int *usage, char **cause);
/* The groups the loaded state lists (none before a load). */
const struct export_state_group *
export_state_groups(const struct export_state *, size_t *n);

/*
 * Count one more event of stream (in the stream's order); nonzero when
 * the files already hold it (a resumed run passes it over).
 */
int export_state_seen(struct export_state *, const char *stream, size_t len);
/*
 * A stream's handle, for export_state_seen_at(): the same count without
 * a lookup by name, for callers that keep handles by stream (an export
 * of merged events switches stream at almost every event). A handle
 * lives as long as the state.
 */
struct spos;
struct spos *
export_state_stream(struct export_state *, const char *stream, size_t len);
int export_state_seen_at(struct export_state *, struct spos *);
/* Take back the count of the event export_state_seen() or
 * export_state_seen_at() saw last. */
void export_state_unsee(struct export_state *);
/* Events the files held when the state was loaded. */
unsigned long long export_state_held(const struct export_state *);

/* The state's text, with groups g[0] to g[n - 1], into b. */
void export_state_build(const struct export_state *,
    const struct export_state_group *g, size_t n, struct buf *b);

#endif
