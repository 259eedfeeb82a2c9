/*
 * The event-stream decoder. Bytes fed are appended to one buffer; a
 * message is taken from its front once all of it is there. The prelude
 * (lengths and their CRC) is checked as soon as its 12 bytes arrive, so a
 * corrupt length never makes the decoder wait for, or buffer, megabytes
 * that will not come. Consumed bytes are dropped when they make up half
 * the buffer, so the buffer stays about one message long.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "eventstream.h"
#include "xmalloc.h"

#define PRELUDE_LEN 12
#define OVERHEAD 16 /* prelude and message CRC */

struct eventstream {
	struct buf in; /* bytes received and not yet consumed from off */
	size_t off;
	char *broken; /* why the stream cannot go on, or NULL */
	struct eventstream_header headers[EVENTSTREAM_MAX_HEADERS];
};

struct eventstream *
eventstream_new(void)
{
	return (xcalloc(1, sizeof(struct eventstream)));
}

void
eventstream_free(struct eventstream *es)
{
	if (es == NULL)
		return;
	buf_free(&es->in);
	free(es->broken);
	free(es);
}

static uint32_t
be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static uint64_t
be64(const unsigned char *p)
{
	return ((uint64_t)be32(p) << 32 | be32(p + 4));
}

static uint32_t
crc(const unsigned char *p, size_t len)
{
	return ((uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)len));
}

/* Mark the stream broken with a sentence; always -1. */
static int breaks(struct eventstream *es, char **cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
breaks(struct eventstream *es, char **cause, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	xasprintf(&es->broken, "event stream: %s", what);
	free(what);
	if (cause != NULL)
		*cause = xstrdup(es->broken);
	return (-1);
}

static int
still_broken(const struct eventstream *es, char **cause)
{
	if (es->broken == NULL)
		return (0);
	if (cause != NULL)
		*cause = xstrdup(es->broken);
	return (1);
}

int
eventstream_feed(
    struct eventstream *es, const void *data, size_t len, char **cause)
{
	if (still_broken(es, cause))
		return (-1);
	if (es->off > 0 && es->off * 2 >= es->in.len) {
		memmove(
		    es->in.data, es->in.data + es->off, es->in.len - es->off);
		es->in.len -= es->off;
		es->off = 0;
	}
	buf_add(&es->in, data, len);
	return (0);
}

size_t
eventstream_pending(const struct eventstream *es)
{
	return (es->in.len - es->off);
}

/* Bytes a value of type needs after its type byte, or -1 if unknown. */
static int
fixed_size(unsigned type)
{
	switch (type) {
	case EVENTSTREAM_TRUE:
	case EVENTSTREAM_FALSE:
		return (0);
	case EVENTSTREAM_INT8:
		return (1);
	case EVENTSTREAM_INT16:
	case EVENTSTREAM_BYTES: /* the 2-byte length */
	case EVENTSTREAM_STRING:
		return (2);
	case EVENTSTREAM_INT32:
		return (4);
	case EVENTSTREAM_INT64:
	case EVENTSTREAM_TIMESTAMP:
		return (8);
	case EVENTSTREAM_UUID:
		return (16);
	default:
		return (-1);
	}
}

/* Decode one header at *pp (before end) into h. */
static int
parse_header(struct eventstream *es, const unsigned char **pp,
    const unsigned char *end, struct eventstream_header *h, char **cause)
{
	const unsigned char *p = *pp;
	size_t nlen;
	int need;

	nlen = *p++;
	if ((size_t)(end - p) < nlen + 1)
		return (breaks(es, cause, "a header runs past the headers"));
	h->name = (const char *)p;
	h->name_len = nlen;
	p += nlen;
	h->type = (enum eventstream_type) * p++;
	if ((need = fixed_size(h->type)) < 0)
		return (breaks(es, cause, "header %.*s has unknown type %u",
		    (int)nlen, h->name, (unsigned)h->type));
	if (end - p < need)
		return (breaks(es, cause, "header %.*s runs past the headers",
		    (int)nlen, h->name));
	h->integer = 0;
	h->value = NULL;
	h->value_len = 0;
	switch (h->type) {
	case EVENTSTREAM_TRUE:
		h->integer = 1;
		break;
	case EVENTSTREAM_FALSE:
		break;
	case EVENTSTREAM_INT8:
		h->integer = (int8_t)p[0];
		break;
	case EVENTSTREAM_INT16:
		h->integer = (int16_t)(uint16_t)(p[0] << 8 | p[1]);
		break;
	case EVENTSTREAM_INT32:
		h->integer = (int32_t)be32(p);
		break;
	case EVENTSTREAM_INT64:
	case EVENTSTREAM_TIMESTAMP:
		h->integer = (int64_t)be64(p);
		break;
	case EVENTSTREAM_BYTES:
	case EVENTSTREAM_STRING:
		h->value_len = (size_t)(p[0] << 8 | p[1]);
		if ((size_t)(end - p - 2) < h->value_len)
			return (breaks(es, cause,
			    "header %.*s runs past the headers", (int)nlen,
			    h->name));
		h->value = (const char *)p + 2;
		p += h->value_len;
		break;
	case EVENTSTREAM_UUID:
		h->value = (const char *)p;
		h->value_len = 16;
		break;
	}
	*pp = p + need;
	return (0);
}

static int
parse_headers(struct eventstream *es, const unsigned char *p, size_t len,
    struct eventstream_message *msg, char **cause)
{
	const unsigned char *end = p + len;
	struct eventstream_header *h;
	size_t n = 0, i;

	while (p < end) {
		if (n == EVENTSTREAM_MAX_HEADERS)
			return (breaks(es, cause, "more than %d headers",
			    EVENTSTREAM_MAX_HEADERS));
		h = &es->headers[n];
		if (parse_header(es, &p, end, h, cause) != 0)
			return (-1);
		/* A name appears once (botocore: DuplicateHeader). */
		for (i = 0; i < n; i++)
			if (es->headers[i].name_len == h->name_len &&
			    memcmp(es->headers[i].name, h->name, h->name_len) ==
				0)
				return (breaks(es, cause,
				    "header %.*s appears twice",
				    (int)h->name_len, h->name));
		n++;
	}
	msg->headers = es->headers;
	msg->nheaders = n;
	return (0);
}

int
eventstream_next(
    struct eventstream *es, struct eventstream_message *msg, char **cause)
{
	const unsigned char *p;
	uint32_t total, hlen, want;
	size_t avail;

	if (still_broken(es, cause))
		return (-1);
	p = (const unsigned char *)es->in.data + es->off;
	avail = es->in.len - es->off;
	if (avail < PRELUDE_LEN)
		return (0);
	total = be32(p);
	hlen = be32(p + 4);
	if ((want = crc(p, 8)) != be32(p + 8))
		return (breaks(es, cause, "prelude CRC 0x%08x, computed 0x%08x",
		    be32(p + 8), want));
	if (total < OVERHEAD)
		return (breaks(es, cause,
		    "message length %u is shorter than %d", total, OVERHEAD));
	if (hlen > total - OVERHEAD)
		return (breaks(es, cause,
		    "headers length %u exceeds message length %u", hlen,
		    total));
	if (hlen > EVENTSTREAM_MAX_HEADERS_LEN)
		return (breaks(es, cause, "headers length %u over %d", hlen,
		    EVENTSTREAM_MAX_HEADERS_LEN));
	if (total - OVERHEAD - hlen > EVENTSTREAM_MAX_PAYLOAD_LEN)
		return (breaks(es, cause, "payload length %u over %d",
		    total - OVERHEAD - hlen, EVENTSTREAM_MAX_PAYLOAD_LEN));
	if (avail < total)
		return (0);
	if ((want = crc(p, total - 4)) != be32(p + total - 4))
		return (breaks(es, cause, "message CRC 0x%08x, computed 0x%08x",
		    be32(p + total - 4), want));
	memset(msg, 0, sizeof *msg);
	if (parse_headers(es, p + PRELUDE_LEN, hlen, msg, cause) != 0)
		return (-1);
	msg->payload = (const char *)p + PRELUDE_LEN + hlen;
	msg->payload_len = total - OVERHEAD - hlen;
	msg->prelude_crc = be32(p + 8);
	msg->message_crc = be32(p + total - 4);
	es->off += total;
	return (1);
}

const struct eventstream_header *
eventstream_header(const struct eventstream_message *msg, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < msg->nheaders; i++)
		if (msg->headers[i].name_len == len &&
		    memcmp(msg->headers[i].name, name, len) == 0)
			return (&msg->headers[i]);
	return (NULL);
}

const char *
eventstream_header_string(const struct eventstream_message *msg,
    const char *name, char *dst, size_t size)
{
	const struct eventstream_header *h;
	size_t len;

	h = eventstream_header(msg, name);
	if (h == NULL || h->type != EVENTSTREAM_STRING || size == 0)
		return (NULL);
	len = h->value_len < size ? h->value_len : size - 1;
	memcpy(dst, h->value, len);
	dst[len] = '\0';
	return (dst);
}
