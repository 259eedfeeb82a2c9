/*
 * The event-stream decoder against known frames: those of
 * awslabs/aws-c-event-stream's tests (data only), the one in the
 * reference notes, and one with every header type that botocore's
 * EventStreamBuffer decoded to the values below. Every stream is also
 * fed split at every byte and one byte at a time, and broken ones must
 * fail with the reason, never yield a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eventstream.h"
#include "unit.h"
#include "xmalloc.h"

#define S(lit) lit, sizeof lit - 1

/* aws-c-event-stream: no headers, no payload. */
static const char no_op[] = "\x00\x00\x00\x10\x00\x00\x00\x00"
			    "\x05\xc2\x48\xeb\x7d\x98\xc8\xff";
/* aws-c-event-stream: no headers, payload {'foo':'bar'}. */
static const char foo_bar[] = "\x00\x00\x00\x1d\x00\x00\x00\x00"
			      "\xfd\x52\x8c\x5a{'foo':'bar'}\xc3\x65\x39\x36";
/* aws-c-event-stream: one string header, content-type. */
static const char one_header[] =
    "\x00\x00\x00\x3d\x00\x00\x00\x20\x07\xfd\x83\x96"
    "\x0c"
    "content-type\x07\x00\x10"
    "application/json{'foo':'bar'}\x8d\x9c\x08\xb1";
/* aws-c-event-stream: an int32 header "event" = 0x20. */
static const char int32_header[] = "\x00\x00\x00\x1b\x00\x00\x00\x0b"
				   "\xe5\xc0\xa0\x72\x05"
				   "event\x04\x00\x00\x00\x20"
				   "\x04\xa1\xd4\x7c";
/* aws-c-event-stream: empty byte array and empty string values. */
static const char empty_values[] = "\x00\x00\x00\x22\x00\x00\x00\x12"
				   "\x2d\x9a\xd2\x45\x04"
				   "buff\x06\x00\x00\x06"
				   "string\x07\x00\x00"
				   "\xc8\x4c\xf8\x53";
/* aws-c-event-stream: a bool header "event" = true. */
static const char bool_header[] = "\x00\x00\x00\x17\x00\x00\x00\x07"
				  "\x29\x86\x01\x58\x05"
				  "event\x00"
				  "\x4b\x4d\x2b\xe7";
/* The reference notes (and the Elixir event_stream package). */
static const char ref_foo[] = "\x00\x00\x00\x1e\x00\x00\x00\x00\xba\xf2\xf6\x8a"
			      "{\"foo\": \"bar\"}\xae\x72\x58\xe4";
/* Every header type, payload "pay"; botocore decodes it to t=True,
 * f=False, i8=-2, i16=-300, i32=-70000, i64=-5000000000, b=00ff, s=str,
 * ts=1700000000123, u=00..0f. */
static const char all_types[] =
    "\x00\x00\x00\x69\x00\x00\x00\x56\x73\x08\x3e\x94\x01\x74\x00\x01\x66"
    "\x01\x02\x69\x38\x02\xfe\x03\x69\x31\x36\x03\xfe\xd4\x03\x69\x33\x32"
    "\x04\xff\xfe\xee\x90\x03\x69\x36\x34\x05\xff\xff\xff\xfe\xd5\xfa\x0e"
    "\x00\x01\x62\x06\x00\x02\x00\xff\x01\x73\x07\x00\x03\x73\x74\x72\x02"
    "\x74\x73\x08\x00\x00\x01\x8b\xcf\xe5\x68\x7b\x01\x75\x09\x00\x01\x02"
    "\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x70\x61\x79\x9c"
    "\x7e\xd5\xe0";

/* Decode s fed in pieces of step bytes (0: all at once); the messages'
 * payloads joined by '|' into out. Returns the number of messages, or -1
 * with the cause in *cause. */
static int
decode(const char *s, size_t len, size_t step, struct buf *out, char **cause)
{
	struct eventstream *es = eventstream_new();
	struct eventstream_message m;
	size_t off = 0, n;
	int count = 0, r;

	*cause = NULL;
	buf_reset(out);
	while (off < len || off == 0) {
		n = step == 0 || len - off < step ? len - off : step;
		if (eventstream_feed(es, s + off, n, cause) != 0) {
			count = -1;
			break;
		}
		off += n;
		while ((r = eventstream_next(es, &m, cause)) == 1) {
			if (count++ > 0)
				buf_addc(out, '|');
			buf_add(out, m.payload, m.payload_len);
		}
		if (r < 0) {
			count = -1;
			break;
		}
		if (len == 0)
			break;
	}
	if (count >= 0 && eventstream_pending(es) != 0) {
		xasprintf(cause, "%zu bytes left", eventstream_pending(es));
		count = -1;
	}
	eventstream_free(es);
	return (count);
}

static const struct {
	const char *name;
	const char *s;
	size_t len;
	const char *payloads;
} good[] = {
    {"no-op", S(no_op), ""},
    {"foo-bar", S(foo_bar), "{'foo':'bar'}"},
    {"one header", S(one_header), "{'foo':'bar'}"},
    {"int32 header", S(int32_header), ""},
    {"empty values", S(empty_values), ""},
    {"bool header", S(bool_header), ""},
    {"reference", S(ref_foo), "{\"foo\": \"bar\"}"},
    {"all types", S(all_types), "pay"},
};

static void
test_good(void)
{
	struct buf out = BUF_INIT, all = BUF_INIT, want = BUF_INIT;
	size_t i, step;
	char *cause;
	int n;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		for (step = 0; step <= good[i].len; step++) {
			n = decode(good[i].s, good[i].len, step, &out, &cause);
			UNIT_CHECK(n == 1, "%s in %zu-byte pieces: %d (%s)",
			    good[i].name, step, n, cause ? cause : "");
			free(cause);
			if (n == 1 && strcmp(out.data, good[i].payloads) != 0)
				UNIT_STREQ(
				    out.data, good[i].payloads, good[i].name);
		}
		buf_add(&all, good[i].s, good[i].len);
		if (i > 0)
			buf_addc(&want, '|');
		buf_adds(&want, good[i].payloads);
	}
	/* All of them back to back, split at every size. */
	for (step = 0; step <= 40; step++) {
		n = decode(all.data, all.len, step, &out, &cause);
		UNIT_CHECK(n == (int)(sizeof good / sizeof good[0]),
		    "all in %zu-byte pieces: %d (%s)", step, n,
		    cause ? cause : "");
		free(cause);
		if (n > 0 && strcmp(out.data, want.data) != 0)
			UNIT_STREQ(out.data, want.data, "all payloads");
	}
	buf_free(&out);
	buf_free(&all);
	buf_free(&want);
}

static void
test_headers(void)
{
	struct eventstream *es = eventstream_new();
	const struct eventstream_header *h;
	struct eventstream_message m;
	char *cause = NULL, s[8];

	UNIT_CHECK(eventstream_feed(
		       es, all_types, sizeof all_types - 1, &cause) == 0 &&
		eventstream_next(es, &m, &cause) == 1,
	    "all types decodes");
	UNIT_CHECK(m.nheaders == 10, "10 headers, got %zu", m.nheaders);
	h = eventstream_header(&m, "t");
	UNIT_CHECK(h && h->type == EVENTSTREAM_TRUE && h->integer == 1, "t");
	h = eventstream_header(&m, "f");
	UNIT_CHECK(h && h->type == EVENTSTREAM_FALSE && h->integer == 0, "f");
	h = eventstream_header(&m, "i8");
	UNIT_CHECK(h && h->integer == -2, "i8");
	h = eventstream_header(&m, "i16");
	UNIT_CHECK(h && h->integer == -300, "i16");
	h = eventstream_header(&m, "i32");
	UNIT_CHECK(h && h->integer == -70000, "i32");
	h = eventstream_header(&m, "i64");
	UNIT_CHECK(h && h->integer == -5000000000LL, "i64");
	h = eventstream_header(&m, "b");
	UNIT_CHECK(h && h->type == EVENTSTREAM_BYTES && h->value_len == 2 &&
		memcmp(h->value, "\x00\xff", 2) == 0,
	    "b");
	UNIT_STREQ(eventstream_header_string(&m, "s", s, sizeof s), "str",
	    "string header");
	UNIT_CHECK(eventstream_header_string(&m, "b", s, sizeof s) == NULL,
	    "a byte array is not a string");
	UNIT_STREQ(eventstream_header_string(&m, "s", s, 3), "st",
	    "string header cut to fit");
	h = eventstream_header(&m, "ts");
	UNIT_CHECK(h && h->type == EVENTSTREAM_TIMESTAMP &&
		h->integer == 1700000000123LL,
	    "ts");
	h = eventstream_header(&m, "u");
	UNIT_CHECK(h && h->value_len == 16 && h->value[15] == 15, "uuid");
	UNIT_CHECK(eventstream_header(&m, "nope") == NULL, "no such header");
	UNIT_CHECK(m.prelude_crc == 0x73083e94 && m.message_crc == 0x9c7ed5e0,
	    "CRCs %08x %08x", m.prelude_crc, m.message_crc);
	UNIT_CHECK(eventstream_next(es, &m, &cause) == 0, "then nothing");
	free(cause);
	eventstream_free(es);
}

/* A copy of s with byte i xor-ed with x. */
static char *
flip(const char *s, size_t len, size_t i, int x)
{
	char *c = xmemdup(s, len);

	c[i] = (char)(c[i] ^ x);
	return (c);
}

static const struct {
	const char *name;
	const char *s;
	size_t len;
	const char *cause;
} bad[] = {
    /* aws-c-event-stream: headers longer than the message allows. */
    {"headers past message",
	S("\x00\x00\x00\x14\x00\x00\x00\x08\xfe\x99\x66\x19\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00"),
	"headers length 8 exceeds message length 20"},
    /* aws-c-event-stream: a total length under 16. */
    {"too short", S("\x00\x00\x00\x0c\x00\x00\x00\x00\xa0\xd2\x32\x68\x00"),
	"message length 12 is shorter than 16"},
    /* A header type 10 (no such type), CRCs right. */
    {"unknown type",
	S("\x00\x00\x00\x13\x00\x00\x00\x03\xdb\x6b\x63\x81\x01\x78\x0a\x64"
	  "\xab\x3f\x3a"),
	"header x has unknown type 10"},
    /* The same name twice, CRCs right. */
    {"duplicate",
	S("\x00\x00\x00\x16\x00\x00\x00\x06\x63\xe1\x18\x7e\x01\x78\x00\x01"
	  "\x78\x01\x7e\x7f\x34\x74"),
	"header x appears twice"},
    /* A string header whose length runs past the headers, CRCs right. */
    {"string overrun",
	S("\x00\x00\x00\x16\x00\x00\x00\x06\x63\xe1\x18\x7e\x01\x73\x07\x00"
	  "\x09\x61\xee\x2c\x7e\x04"),
	"header s runs past the headers"},
    /* A payload over botocore's 24 MiB, refused before it arrives. */
    {"huge payload", S("\x02\x00\x00\x00\x00\x00\x00\x00\x27\x07\xd8\x14"),
	"payload length 33554416 over 25165824"},
};

static void
test_bad(void)
{
	struct buf out = BUF_INIT;
	size_t i, step;
	char *cause, *c;
	int n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		for (step = 0; step <= bad[i].len; step += 3) {
			n = decode(bad[i].s, bad[i].len, step, &out, &cause);
			UNIT_CHECK(n == -1 && cause != NULL &&
				strstr(cause, bad[i].cause) != NULL,
			    "%s in %zu-byte pieces: %d, [%s], want [%s]",
			    bad[i].name, step, n, cause ? cause : "",
			    bad[i].cause);
			free(cause);
		}
	/* Any flipped bit of a good frame is caught by a CRC (or, in the
	 * total length, by the prelude CRC before the wait). */
	for (i = 0; i < sizeof all_types - 1; i++) {
		c = flip(all_types, sizeof all_types - 1, i, 1 << (i % 8));
		n = decode(c, sizeof all_types - 1, 7, &out, &cause);
		UNIT_CHECK(n == -1 && cause != NULL &&
			strstr(cause, " CRC 0x") != NULL,
		    "bit flipped at %zu: %d [%s]", i, n, cause ? cause : "");
		free(cause);
		free(c);
	}
	/* A truncated stream is not a message: bytes stay pending. */
	n = decode(foo_bar, sizeof foo_bar - 2, 1, &out, &cause);
	UNIT_CHECK(n == -1 && cause && strstr(cause, "bytes left") != NULL,
	    "truncated: %d [%s]", n, cause ? cause : "");
	free(cause);
	buf_free(&out);
}

/* Once broken, the decoder refuses everything after, good frames too. */
static void
test_stays_broken(void)
{
	struct eventstream *es = eventstream_new();
	struct eventstream_message m;
	char *cause = NULL, *c;

	c = flip(foo_bar, sizeof foo_bar - 1, 14, 0x20);
	eventstream_feed(es, c, sizeof foo_bar - 1, NULL);
	UNIT_CHECK(eventstream_next(es, &m, &cause) == -1, "bad CRC fails");
	free(cause);
	cause = NULL;
	UNIT_CHECK(eventstream_feed(es, no_op, sizeof no_op - 1, &cause) == -1,
	    "feed after a failure fails");
	UNIT_CHECK(cause != NULL && strstr(cause, "message CRC") != NULL,
	    "with the first reason: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	UNIT_CHECK(eventstream_next(es, &m, &cause) == -1 && cause != NULL,
	    "next after a failure fails");
	free(cause);
	free(c);
	eventstream_free(es);
}

/* The buffer stays about one message long over a long stream. */
static void
test_bounded(void)
{
	struct eventstream *es = eventstream_new();
	struct eventstream_message m;
	char *cause = NULL;
	int i, got = 0, r;

	for (i = 0; i < 100000; i++) {
		eventstream_feed(es, one_header, sizeof one_header - 1, &cause);
		while ((r = eventstream_next(es, &m, &cause)) == 1)
			got++;
	}
	UNIT_CHECK(got == 100000, "%d of 100000 messages", got);
	UNIT_CHECK(eventstream_pending(es) == 0, "nothing pending");
	free(cause);
	eventstream_free(es);
}

int
main(void)
{
	test_good();
	test_headers();
	test_bad();
	test_stays_broken();
	test_bounded();
	return (unit_done("eventstream"));
}
