/*
 * logfile: read events from files on disk (plain or gzip), in the formats
 * users keep logs in. Each file's format is sniffed from its first bytes,
 * unless one is forced:
 *
 *   export      CloudWatch's export to S3, and per-stream files: a line
 *               that starts with an ISO 8601 time starts an event at that
 *               time; in a stream whose lines carry times, a line without
 *               one continues the previous event; a stream without times
 *               is one event a line, at the file's modification time.
 *   tail        "aws logs tail" (detailed): TIME STREAM MESSAGE, the time
 *               as Python's isoformat() writes it (an offset, +00:00); a
 *               line that does not start so continues the event.
 *   tail-short  "aws logs tail --format short": TIME MESSAGE with a time
 *               to the second; one stream, with a warning.
 *   json        the JSON of "aws logs filter-log-events" and
 *               "get-log-events", and cwdemux's --output json (logjson.h).
 *
 * An event ends where the next starts, and at the end of its file.
 *
 * A file that cannot be read, decompressed or parsed in its format ends
 * where it fails; the stream goes on with its next file, and
 * logfile_failed() says why.
 *
 * Ownership: logfile_open() copies the stream name and paths and borrows
 * the pool. The strings of an event returned by logfile_next() are valid
 * until the next call; logfile_failed() hands its string to the caller.
 */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"

/* Longer lines are cut into several events, with a warning. */
#define LOGFILE_LINE_MAX (16 * 1024 * 1024)

enum logfile_format {
	LOGFILE_AUTO, /* sniffed per file */
	LOGFILE_EXPORT,
	LOGFILE_TAIL,
	LOGFILE_TAIL_SHORT,
	LOGFILE_JSON,
};

/* The format named name (as --from-format takes it), or -1. */
int logfile_format_parse(const char *name);
/* Its name. */
const char *logfile_format_name(enum logfile_format);

struct logfile;

struct logfile_event {
	int64_t ts; /* ms since the epoch */
	const char *msg;
	size_t len;
	/* The stream the file names for the event; NULL: the file's own. */
	const char *stream;
	size_t stream_len;
	/* An id the format carries (CloudWatch's eventId), or NULL. */
	const char *id;
	size_t id_len;
	/* msg is the bytes at this offset of the stream's file number file
	 * (of the paths given to logfile_open()), or at is -1. */
	int64_t at;
	size_t file;
};

/* A stream made of the files paths[0..n-1], read in that order. */
struct logfile *logfile_open(const char *stream, char *const *paths, size_t n,
    size_t bufsize, struct input_pool *, enum logfile_format);
void logfile_close(struct logfile *);

/* What logfile_next() returns when the pool's stop() said to stop. */
#define LOGFILE_STOPPED (-2)

/* The next event: 1, or 0 at the end, or LOGFILE_STOPPED. */
int logfile_next(struct logfile *, struct logfile_event *);

/* Why a file of the stream failed since the last call, or NULL. */
char *logfile_failed(struct logfile *);

const char *logfile_stream(const struct logfile *);

#endif
