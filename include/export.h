/*
 * export: per-group log files. DIR/NAME.log holds one group's lines as
 * "TIME HOST MESSAGE"; DIR/manifest.json lists every group with its file,
 * hosts, streams, event and line counts and first and last timestamps.
 *
 * File names come from untrusted group names, so they are encoded (see
 * export_file_name()): no name can leave DIR, hide as a dot file or clash
 * with the manifest, and no symbolic link inside DIR is followed.
 *
 * The manifest also holds each group's warning and error counts and first
 * error, and the job's first failure (errors.h), and whether the run was
 * complete (not interrupted).
 *
 * A resumable export keeps DIR/.cwdemux-state: the files' lengths and per
 * stream how many events they hold, so the same command run again writes
 * each event exactly once (see export_resume()).
 *
 * Ownership: export_new() returns a state for export_sink; it borrows the
 * errors object, which must outlive it.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stddef.h>

#include "buf.h"
#include "errors.h"
#include "sink.h"

extern const struct sink export_sink;

/* Create DIR if needed and open it; NULL with cause on failure. */
void *export_new(const char *dir, const struct errors *, char **cause);

/*
 * Make the export resumable (--export): if DIR holds a state file, load it
 * (it must be for the same job, NULL for none, and placement: what placed
 * lines in groups, one setting a line; see export_state.h) and cut each
 * file back to its recorded length; then write the state, so an export is
 * resumable from its start. 1 when resumed, 0 when new, -1 with cause on
 * failure (*usage is set when the directory's content is at fault, not
 * the disk).
 */
int export_resume(
    void *, const char *job, const char *placement, int *usage, char **cause);
/* Events the files held when the export was resumed. */
unsigned long long export_resumed_events(const void *);
/*
 * Whether the run read everything (default yes), said before the outputs
 * are finished. The manifest says it; a resumable export that is not
 * complete writes none of the events released at the end (they were held,
 * their host unknown): the resumed run writes them in their groups.
 */
void export_set_complete(void *, int complete);
/* Events a resumable export did not write for that reason. */
unsigned long long export_withheld(const void *);

/*
 * A one-shot export of what a reader holds (the terminal UI's "e"): the
 * events next() gives, in the order they arrived, until it returns 0.
 * *complete is what the manifest says, read after the last event (the
 * reader may learn while it walks that something is missing). DIR is locked as a resumable export
 * locks it, and must be new or empty: a directory that holds anything (an
 * export above all, finished or running) is refused and left as it was.
 * 0, or -1 with cause.
 */
int export_write(const char *dir, const struct errors *, const int *complete,
    int (*next)(void *arg, struct out_event *), void *arg, char **cause);

/*
 * Append the file name for a group: bytes A-Z a-z 0-9 '_' '-' are kept,
 * '.' is kept except first, every other byte is "%XX", then ".log". A name
 * whose encoding would exceed 200 bytes is cut and given a hash suffix
 * ("~" and 16 hex digits), so every name fits in NAME_MAX. An empty
 * name is "%.log", never the dot file ".log".
 */
void export_file_name(struct buf *, const char *group, size_t len);

#endif
