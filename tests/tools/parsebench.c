/*
 * parsebench: how fast cwdemux parses GetLogEvents pages, against a bare
 * yajl parse of the same bytes (no callbacks) measured in the same run.
 *
 *   parsebench PAGE.json [SECONDS]
 *
 * Prints "cwdemux MB/s, yajl MB/s, ratio". PAGE.json is a recorded or
 * generated page (tests/bench/run.sh writes one of 1 MB and 10,000 events).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "clock.h"
#include "cwlogs.h"
#include "xmalloc.h"

static double
bare_yajl(const char *body, size_t len, double seconds)
{
	int64_t start = clock_mono_ms(), now;
	unsigned long n = 0;
	yajl_handle h;

	do {
		if ((h = yajl_alloc(NULL, NULL, NULL)) == NULL)
			xalloc_failed("yajl");
		if (yajl_parse(h, (const unsigned char *)body, len) !=
			yajl_status_ok ||
		    yajl_complete_parse(h) != yajl_status_ok) {
			fprintf(stderr, "parsebench: not JSON\n");
			exit(1);
		}
		yajl_free(h);
		n++;
		now = clock_mono_ms();
	} while (now - start < seconds * 1000);
	return ((double)len * n / 1e6 / ((now - start) / 1000.0));
}

static double
cwdemux_parse(const char *body, size_t len, double seconds, size_t *events)
{
	int64_t start = clock_mono_ms(), now;
	struct cwlogs_page page;
	unsigned long n = 0;
	char *cause = NULL;

	memset(&page, 0, sizeof page);
	do {
		if (cwlogs_parse_events(body, len, &page, &cause) != 0) {
			fprintf(stderr, "parsebench: %s\n", cause);
			exit(1);
		}
		n++;
		now = clock_mono_ms();
	} while (now - start < seconds * 1000);
	*events = page.n;
	cwlogs_page_free(&page);
	return ((double)len * n / 1e6 / ((now - start) / 1000.0));
}

int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	double seconds = argc > 2 ? atof(argv[2]) : 3, ours, bare;
	size_t n, events;
	FILE *f;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: parsebench PAGE.json [SECONDS]\n");
		return (2);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	bare = bare_yajl(b.data, b.len, seconds);
	ours = cwdemux_parse(b.data, b.len, seconds, &events);
	printf("page %zu bytes, %zu events: cwdemux %.1f MB/s, bare yajl "
	       "%.1f MB/s, ratio %.2f\n",
	    b.len, events, ours, bare, ours / bare);
	buf_free(&b);
	return (0);
}
