/*
 * eventstream: an incremental decoder of AWS's binary event stream
 * (content type application/vnd.amazon.eventstream), the framing of
 * StartLiveTail's answer. Bytes go in as the network hands them over,
 * split anywhere; whole messages come out, each with its prelude CRC and
 * message CRC checked and its headers decoded. A stream that fails any
 * check is broken for good: the decoder says why once and refuses all
 * that follows (a frame is never guessed at).
 *
 * Limits are botocore's (headers 128 KiB, payload 24 MiB), plus at most
 * EVENTSTREAM_MAX_HEADERS headers a message (AWS sends three or four).
 *
 * Ownership: the decoder copies what it is fed. A message returned by
 * eventstream_next() points into the decoder and is valid until the next
 * eventstream_feed(), eventstream_next() or eventstream_free().
 */
#ifndef EVENTSTREAM_H
#define EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define EVENTSTREAM_MAX_HEADERS_LEN (128 * 1024)
#define EVENTSTREAM_MAX_PAYLOAD_LEN (24 * 1024 * 1024)
#define EVENTSTREAM_MAX_HEADERS 64

/* Header value types, as numbered on the wire. */
enum eventstream_type {
	EVENTSTREAM_TRUE = 0,
	EVENTSTREAM_FALSE = 1,
	EVENTSTREAM_INT8 = 2,
	EVENTSTREAM_INT16 = 3,
	EVENTSTREAM_INT32 = 4,
	EVENTSTREAM_INT64 = 5,
	EVENTSTREAM_BYTES = 6,
	EVENTSTREAM_STRING = 7,
	EVENTSTREAM_TIMESTAMP = 8, /* milliseconds since the epoch */
	EVENTSTREAM_UUID = 9, /* 16 bytes */
};

struct eventstream_header {
	const char *name; /* not NUL-terminated */
	size_t name_len;
	enum eventstream_type type;
	int64_t integer; /* booleans (1/0), integers and timestamps */
	const char *value; /* bytes, strings and UUIDs; not NUL-terminated */
	size_t value_len;
};

struct eventstream_message {
	const struct eventstream_header *headers;
	size_t nheaders;
	const char *payload;
	size_t payload_len;
	uint32_t prelude_crc;
	uint32_t message_crc;
};

struct eventstream;

struct eventstream *eventstream_new(void);
void eventstream_free(struct eventstream *);

/* Append bytes received; -1 with cause once the stream is broken. */
int eventstream_feed(struct eventstream *, const void *, size_t, char **cause);

/*
 * The next whole message: 1 and *msg filled, 0 when more bytes are needed,
 * -1 with cause when the stream is broken (and for every call after).
 */
int eventstream_next(
    struct eventstream *, struct eventstream_message *, char **cause);

/* Bytes of a message begun but not yet complete (0 at a boundary). */
size_t eventstream_pending(const struct eventstream *);

/* The header called name, or NULL. */
const struct eventstream_header *
eventstream_header(const struct eventstream_message *, const char *name);

/*
 * The value of a string header called name, NUL-terminated into dst (cut
 * to size), or NULL when there is no such string header.
 */
const char *eventstream_header_string(const struct eventstream_message *,
    const char *name, char *dst, size_t size);

#endif
