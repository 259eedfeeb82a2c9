/*
 * source_files: the offline source. It finds the streams under the paths
 * given with --from (a tree of per-stream files, or the tree CloudWatch's
 * export to S3 writes: STREAM/000000.gz, 000001.gz, ..., possibly below a
 * key prefix and the export task's id), and feeds their events to the
 * pipeline merged by time: stable, and in each stream's own order. A part
 * file named directly, or "-" (standard input), is a stream too. Files in
 * formats that name a stream for each event (logfile.h: aws logs tail,
 * the AWS CLI's JSON, cwdemux's JSON Lines) feed every stream they name;
 * an event whose id was seen before is passed over. A file that cannot be
 * read is named on stderr once and the rest is read.
 *
 * Ownership: source_files_new() copies what it keeps.
 */
#ifndef SOURCE_FILES_H
#define SOURCE_FILES_H

#include <stddef.h>

#include "logfile.h"
#include "pipeline.h"

struct source_files;

/*
 * Find the streams under paths[0..n-1]. With prefix non-NULL only streams
 * whose names start with it are kept, but a file named in paths is always
 * read. Returns NULL with cause when a path cannot be read.
 */
struct source_files *source_files_new(const char *const *paths, size_t n,
    const char *prefix, enum logfile_format, char **cause);
void source_files_free(struct source_files *);

size_t source_files_count(const struct source_files *);
/* Streams found but left out because their names lack the prefix. */
size_t source_files_skipped(const struct source_files *);

/*
 * Read with a thread for reading, decompressing, parsing and merging, and
 * the calling thread for the pipeline, when jobs is 2 or more and every
 * input is a regular file (the output is the same either way).
 */
void source_files_set_jobs(struct source_files *, int jobs);
/* Events fed to the pipeline so far. */
unsigned long long source_files_events(const struct source_files *);
/* Files that could not be read (or decompressed) during the run. */
size_t source_files_failed(const struct source_files *);

/*
 * Feed every event to the pipeline; stops early when every sink is closed,
 * or (returning SINK_OK) when stop(arg) says so (a signal arrived; stop()
 * is also asked when a blocking open or read is interrupted).
 */
enum sink_status source_files_run(struct source_files *, struct pipeline *,
    int (*stop)(void *), void *arg, char **cause);

/*
 * The stream a file belongs to, from its path relative to the --from
 * path: what follows an export task id (a UUID folder) if there is one,
 * without a trailing part file name (000000, 000001.gz) or ".gz". Returns
 * NULL for files that are no log (hidden files, aws-logs-write-test).
 */
char *source_files_stream_name(const char *relpath);

#endif
