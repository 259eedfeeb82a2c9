/*
 * esdump: decode an event stream from stdin with the program's decoder
 * and print each message on one line, in the form tests/tools/
 * escheck.py prints botocore's decoding, so the two can be compared:
 *     name=b:1 name=i:-5 name=x:00ff name=s:6869 | payload-hex
 * A broken stream ends with "error after N messages". The input is fed
 * in pieces of 1 to 64 bytes drawn from the seed (argument 1), as a
 * network would split it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream.h"

static void
hex(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", (unsigned char)p[i]);
}

static void
print_message(const struct eventstream_message *m)
{
	const struct eventstream_header *h;
	size_t i;

	for (i = 0; i < m->nheaders; i++) {
		h = &m->headers[i];
		printf("%.*s=", (int)h->name_len, h->name);
		switch (h->type) {
		case EVENTSTREAM_TRUE:
		case EVENTSTREAM_FALSE:
			printf("b:%d", (int)h->integer);
			break;
		case EVENTSTREAM_BYTES:
		case EVENTSTREAM_UUID:
			printf("x:");
			hex(h->value, h->value_len);
			break;
		case EVENTSTREAM_STRING:
			printf("s:");
			hex(h->value, h->value_len);
			break;
		default:
			printf("i:%lld", (long long)h->integer);
			break;
		}
		putchar(' ');
	}
	printf("| ");
	hex(m->payload, m->payload_len);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	static char data[1 << 16];
	struct eventstream *es = eventstream_new();
	struct eventstream_message m;
	unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1;
	size_t n, want;
	int r = 0, count = 0;
	char *cause = NULL;

	srand(seed);
	for (;;) {
		want = 1 + (size_t)rand() % 64;
		if ((n = fread(data, 1, want, stdin)) == 0)
			break;
		if (eventstream_feed(es, data, n, &cause) != 0)
			break;
		while ((r = eventstream_next(es, &m, &cause)) == 1) {
			print_message(&m);
			count++;
		}
		if (r < 0)
			break;
	}
	if (cause != NULL)
		printf("error after %d messages\n", count);
	else if (eventstream_pending(es) != 0)
		printf("truncated after %d messages\n", count);
	fprintf(stderr, "%s\n", cause != NULL ? cause : "ok");
	free(cause);
	eventstream_free(es);
	return (ferror(stdout) || fclose(stdout) != 0 ? 1 : 0);
}
