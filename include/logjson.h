/*
 * logjson: log events from JSON text as users save it: the output of
 * "aws logs filter-log-events" and "aws logs get-log-events" (one document
 * or several concatenated, as a loop over pages writes them; an array of
 * events, as --query events gives), and cwdemux's own --output json (JSON
 * Lines). Any object with a "timestamp" and a "message" (or cwdemux's
 * "message_base64") is an event; its stream is "logStreamName" or
 * "stream" when it has one, and its id "eventId".
 *
 * Text is fed in chunks as it is read; events queue up and are taken in
 * order.
 *
 * Ownership: the strings of an event taken are valid until the next
 * logjson_feed() or logjson_free().
 */
#ifndef LOGJSON_H
#define LOGJSON_H

#include <stddef.h>
#include <stdint.h>

struct logjson;

struct logjson_event {
	int64_t ts; /* ms since the epoch */
	const char *msg;
	size_t len;
	const char *stream; /* NULL: the event names none */
	size_t stream_len;
	const char *id; /* NULL: no eventId */
	size_t id_len;
};

struct logjson *logjson_new(void);
void logjson_free(struct logjson *);

/*
 * Parse the next len bytes: 0, or -1 with cause (naming neither file nor
 * line: "not JSON at byte N: ...") when the text is not JSON.
 */
int logjson_feed(struct logjson *, const char *text, size_t len, char **cause);
/* The text ended: 0, or -1 with cause when a document is cut short. */
int logjson_end(struct logjson *, char **cause);
/* The next queued event: 1, or 0 when none is queued. */
int logjson_next(struct logjson *, struct logjson_event *);

/* Kinds of document seen so far ("aws", "cwdemux"), for --debug. */
const char *logjson_kind(const struct logjson *);

#endif
