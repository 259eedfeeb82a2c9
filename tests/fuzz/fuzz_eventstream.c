/*
 * Fuzz the event-stream decoder. The input is decoded twice, once whole
 * and once in pieces whose sizes come from the input's first byte: both
 * must yield the same messages and the same verdict, since the network
 * splits a stream anywhere. Every header a message gives back lies inside
 * its message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eventstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Decode in pieces of step bytes (0: whole); payloads and header names
 * appended to out. Returns the message count, -1 when broken. */
static int
decode(const uint8_t *data, size_t size, size_t step, struct buf *out)
{
	struct eventstream *es = eventstream_new();
	struct eventstream_message m;
	size_t off = 0, n, i;
	int count = 0, r = 0;
	char *cause = NULL;

	do {
		n = step == 0 || size - off < step ? size - off : step;
		if (eventstream_feed(es, data + off, n, &cause) != 0)
			abort(); /* a failure is reported by next() first */
		off += n;
		while ((r = eventstream_next(es, &m, &cause)) == 1) {
			count++;
			if (m.nheaders > EVENTSTREAM_MAX_HEADERS ||
			    m.payload_len > EVENTSTREAM_MAX_PAYLOAD_LEN)
				abort();
			for (i = 0; i < m.nheaders; i++) {
				buf_add(out, m.headers[i].name,
				    m.headers[i].name_len);
				buf_add(out, m.headers[i].value,
				    m.headers[i].value_len);
			}
			buf_add(out, m.payload, m.payload_len);
		}
	} while (r == 0 && off < size);
	if (r < 0) {
		if (cause == NULL || strncmp(cause, "event stream: ", 14) != 0)
			abort();
		count = -1;
	}
	free(cause);
	eventstream_free(es);
	return (count);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = BUF_INIT, pieces = BUF_INIT;
	size_t step;
	int a, b;

	if (size == 0)
		return (0);
	step = 1 + data[0] % 17;
	a = decode(data + 1, size - 1, 0, &whole);
	b = decode(data + 1, size - 1, step, &pieces);
	if (a != b || whole.len != pieces.len ||
	    (whole.len > 0 && memcmp(whole.data, pieces.data, whole.len) != 0))
		abort();
	buf_free(&whole);
	buf_free(&pieces);
	return (0);
}
