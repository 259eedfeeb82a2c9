/*
 * logfile: read one stream's events from files on disk (plain or gzip),
 * in the layouts CloudWatch's export to S3 and saved logs use: a line that
 * starts with an ISO-8601 time starts an event at that time; in a stream
 * whose lines carry times, a line without one continues the previous event;
 * a stream without times is one event a line, at the file's modification
 * time.
 *
 * Ownership: logfile_open() copies the stream name and paths. The message
 * returned by logfile_next() is valid until the next call.
 */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <stddef.h>
#include <stdint.h>

/* Longer lines are cut into several events, with a warning. */
#define LOGFILE_LINE_MAX (16 * 1024 * 1024)

struct logfile;

/* A stream made of the files paths[0..n-1], read in that order. */
struct logfile *
logfile_open(const char *stream, char *const *paths, size_t n, size_t bufsize);
void logfile_close(struct logfile *);

/* The next event: 1, or 0 at the end, or -1 with cause on a read error. */
int logfile_next(
    struct logfile *, int64_t *ts, const char **msg, size_t *len, char **cause);

const char *logfile_stream(const struct logfile *);

#endif
