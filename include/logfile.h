/*
 * logfile: read one stream's events from files on disk (plain or gzip),
 * in the layouts CloudWatch's export to S3 and saved logs use: a line that
 * starts with an ISO-8601 time starts an event at that time; in a stream
 * whose lines carry times, a line without one continues the previous event;
 * a stream without times is one event a line, at the file's modification
 * time.
 *
 * A file that cannot be read or decompressed ends where it fails; the
 * stream goes on with its next file, and logfile_failed() says why.
 *
 * Ownership: logfile_open() copies the stream name and paths and borrows
 * the pool. The message returned by logfile_next() is valid until the next
 * call; logfile_failed() hands its string to the caller.
 */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"

/* Longer lines are cut into several events, with a warning. */
#define LOGFILE_LINE_MAX (16 * 1024 * 1024)

struct logfile;

/* A stream made of the files paths[0..n-1], read in that order. */
struct logfile *logfile_open(const char *stream, char *const *paths, size_t n,
    size_t bufsize, struct input_pool *);
void logfile_close(struct logfile *);

/* What logfile_next() returns when the pool's stop() said to stop. */
#define LOGFILE_STOPPED (-2)

/* The next event: 1, or 0 at the end, or LOGFILE_STOPPED. */
int logfile_next(struct logfile *, int64_t *ts, const char **msg, size_t *len);

/* Why a file of the stream failed since the last call, or NULL. */
char *logfile_failed(struct logfile *);

const char *logfile_stream(const struct logfile *);

#endif
