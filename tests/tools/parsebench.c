/*
 * parsebench: how fast cwdemux parses GetLogEvents pages, against a bare
 * yajl parse of the same bytes (no callbacks) measured in the same run.
 *
 *   parsebench PAGE.json [SECONDS]
 *
 * Prints "cwdemux MB/s, yajl MB/s, ratio", each from its fastest page. PAGE.json is a recorded or
 * generated page (tests/bench/run.sh writes one of 1 MB and 10,000 events).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "cwlogs.h"
#include "xmalloc.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
bare_yajl(const char *body, size_t len)
{
	yajl_handle h;

	if ((h = yajl_alloc(NULL, NULL, NULL)) == NULL)
		xalloc_failed("yajl");
	if (yajl_parse(h, (const unsigned char *)body, len) != yajl_status_ok ||
	    yajl_complete_parse(h) != yajl_status_ok) {
		fprintf(stderr, "parsebench: not JSON\n");
		exit(1);
	}
	yajl_free(h);
}

static void
cwdemux_parse(const char *body, size_t len, struct cwlogs_page *page)
{
	char *cause = NULL;

	if (cwlogs_parse_events(body, len, page, &cause) != 0) {
		fprintf(stderr, "parsebench: %s\n", cause);
		exit(1);
	}
}

/*
 * The two parses alternate, one page each, for about SECONDS; each keeps
 * its fastest page. On a shared machine the minimum is the figure that
 * other load disturbs least, and alternating exposes both to the same
 * conditions.
 */
static void
race(const char *body, size_t len, double seconds, struct cwlogs_page *page,
    double *ours, double *bare)
{
	double start = now_s(), t0, t1;

	*ours = *bare = 1e9;
	do {
		t0 = now_s();
		bare_yajl(body, len);
		t1 = now_s();
		if (t1 - t0 < *bare)
			*bare = t1 - t0;
		cwdemux_parse(body, len, page);
		t0 = now_s();
		if (t0 - t1 < *ours)
			*ours = t0 - t1;
	} while (t0 - start < seconds);
	*ours = len / 1e6 / *ours;
	*bare = len / 1e6 / *bare;
}

int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	struct cwlogs_page page;
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
	memset(&page, 0, sizeof page);
	race(b.data, b.len, seconds, &page, &ours, &bare);
	events = page.n;
	cwlogs_page_free(&page);
	printf("page %zu bytes, %zu events: cwdemux %.1f MB/s, bare yajl "
	       "%.1f MB/s, ratio %.2f\n",
	    b.len, events, ours, bare, ours / bare);
	buf_free(&b);
	return (0);
}
