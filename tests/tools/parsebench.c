/*
 * parsebench: how fast cwdemux parses GetLogEvents pages, against a bare
 * yajl parse of the same bytes (no callbacks) measured in the same run.
 *
 *   parsebench PAGE.json [SECONDS]
 *
 * Also times yajl with callbacks that do nothing, installed for the same
 * events cwdemux's parser wants: with any string callback, yajl decodes
 * every string that holds an escape, which a parse without callbacks
 * skips, so this is the ceiling of any parser built on yajl's callbacks.
 * Prints one line of NAME=VALUE pairs: the page's bytes and events, MB/s
 * of each parse (its fastest page) and each one's ratio to the bare parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "cwlogs.h"
#include "xmalloc.h"

enum { BARE, NOOP, CWDEMUX, NPARSES };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
noop(void *ctx)
{
	(void)ctx;
	return (1);
}

static int
noop_string(void *ctx, const unsigned char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return (1);
}

static int
noop_number(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	(void)s;
	(void)len;
	return (1);
}

static const yajl_callbacks noop_callbacks = {
    .yajl_number = noop_number,
    .yajl_string = noop_string,
    .yajl_start_map = noop,
    .yajl_map_key = noop_string,
    .yajl_end_map = noop,
    .yajl_start_array = noop,
    .yajl_end_array = noop,
};

static void
yajl_only(const char *body, size_t len, const yajl_callbacks *cb)
{
	yajl_handle h;

	if ((h = yajl_alloc(cb, NULL, NULL)) == NULL)
		xalloc_failed("yajl");
	if (yajl_parse(h, (const unsigned char *)body, len) != yajl_status_ok ||
	    yajl_complete_parse(h) != yajl_status_ok) {
		fprintf(stderr, "parsebench: not JSON\n");
		exit(1);
	}
	yajl_free(h);
}

static void
parse(int which, const char *body, size_t len, struct cwlogs_page *page)
{
	char *cause = NULL;

	if (which == BARE)
		yajl_only(body, len, NULL);
	else if (which == NOOP)
		yajl_only(body, len, &noop_callbacks);
	else if (cwlogs_parse_events(body, len, page, &cause) != 0) {
		fprintf(stderr, "parsebench: %s\n", cause);
		exit(1);
	}
}

/*
 * The parses take turns, one page each, for about SECONDS; each keeps its
 * fastest page. On a shared machine the minimum is the figure other load
 * disturbs least, and taking turns exposes all to the same conditions.
 */
static void
race(const char *body, size_t len, double seconds, struct cwlogs_page *page,
    double mbs[NPARSES])
{
	double start = now_s(), t0, t, best[NPARSES];
	int i;

	for (i = 0; i < NPARSES; i++)
		best[i] = 1e9;
	do {
		for (i = 0; i < NPARSES; i++) {
			t0 = now_s();
			parse(i, body, len, page);
			t = now_s() - t0;
			if (t < best[i])
				best[i] = t;
		}
	} while (now_s() - start < seconds);
	for (i = 0; i < NPARSES; i++)
		mbs[i] = len / 1e6 / best[i];
}

int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	struct cwlogs_page page;
	char chunk[65536];
	double seconds = argc > 2 ? atof(argv[2]) : 3, mbs[NPARSES];
	size_t n;
	FILE *f;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: parsebench PAGE.json [SECONDS]\n");
		return (2);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	memset(&page, 0, sizeof page);
	race(b.data, b.len, seconds, &page, mbs);
	printf("bytes=%zu events=%zu yajl_mbs=%.1f noop_mbs=%.1f "
	       "noop_ratio=%.2f cwdemux_mbs=%.1f ratio=%.2f\n",
	    b.len, page.n, mbs[BARE], mbs[NOOP], mbs[NOOP] / mbs[BARE],
	    mbs[CWDEMUX], mbs[CWDEMUX] / mbs[BARE]);
	cwlogs_page_free(&page);
	buf_free(&b);
	return (0);
}
