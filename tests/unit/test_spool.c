/*
 * spool: events split into raw lines on disk, walks of one group or all
 * interleaved (by links, across long gaps), the disk budget that drops the
 * oldest segment and counts its lines, a cache smaller than a walk, marks,
 * and the files: 0600, removed at the end unless the directory was given.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "unit.h"

static struct spool *
open_spool(const char *dir, uint64_t limit, size_t cache)
{
	struct spool_options o = {dir, limit, cache};
	struct spool *sp;
	char *cause = NULL;

	sp = spool_new(&o, &cause);
	UNIT_CHECK(sp != NULL, "spool_new: %s", cause != NULL ? cause : "");
	free(cause);
	return (sp);
}

static void
add(struct spool *sp, const char *group, const char *host, const char *msg)
{
	spool_add(sp, group, strlen(group), host, strlen(host), "s/1", 3, NULL,
	    0, 1000, msg, strlen(msg));
}

static int
files_in(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return (n);
}

static void
test_lines(void)
{
	struct spool *sp = open_spool(NULL, 0, 0);
	const struct spool_line *l;
	const char raw[] = "a\033]52;c;eA==\007\xff\0nul";
	char *dir;
	struct stat st;

	add(sp, "train", "algo-1", "one\ntwo\n");
	spool_add(sp, "train", 5, "algo-1", 6, "s/2", 3, "algo-9", 6, 5, raw,
	    sizeof raw - 1);
	UNIT_CHECK(spool_groups(sp) == 1, "one group");
	UNIT_CHECK(spool_group_lines(sp, 0) == 4, "three lines + 1: %llu",
	    (unsigned long long)spool_group_lines(sp, 0));
	/* Read from the write buffer, then from the file. */
	l = spool_next(sp, 0, 0);
	UNIT_MEMEQ(l->text, l->len, "one", 3, "first line");
	UNIT_CHECK(l->via == NULL, "no carrier");
	UNIT_CHECK(l->cont == 0 && l->seq == 1, "first starts an event");
	spool_flush(sp);
	l = spool_next(sp, 0, l->seq);
	UNIT_MEMEQ(l->text, l->len, "two", 3, "second line");
	UNIT_CHECK(l->cont == 1, "second continues");
	l = spool_next(sp, 0, l->seq);
	UNIT_CHECK(l->len == 0 && l->cont == 1, "trailing empty line kept");
	l = spool_next(sp, 0, l->seq);
	UNIT_MEMEQ(l->text, l->len, raw, sizeof raw - 1, "raw bytes kept");
	UNIT_CHECK(l->mark == 0 && l->ts == 5, "mark 0, time kept");
	UNIT_STREQ(l->host, "algo-1", "host interned");
	UNIT_MEMEQ(l->stream, l->stream_len, "s/2", 3, "stream kept");
	UNIT_MEMEQ(l->via, l->via_len, "algo-9", 6, "carrier kept");
	UNIT_CHECK(spool_next(sp, 0, l->seq) == NULL, "end");
	spool_mark(sp, 2, SPOOL_MARKS, 3);
	spool_mark(sp, 2, 8, 8);
	UNIT_CHECK(spool_prev(sp, SPOOL_ALL, 3)->mark == 11, "marked");
	UNIT_CHECK(spool_dropped(sp) == 0 && spool_error(sp) == NULL,
	    "nothing dropped");
	dir = strdup(spool_dir(sp));
	UNIT_CHECK(stat(dir, &st) == 0 && (st.st_mode & 077) == 0,
	    "private directory");
	spool_free(sp);
	UNIT_CHECK(access(dir, F_OK) != 0, "removed at the end");
	free(dir);
}

static int
is_rare0(void *arg, uint64_t seq, unsigned mark, const char *s, size_t len)
{
	(void)arg;
	(void)seq;
	(void)mark;
	return (len == 6 && memcmp(s, "rare 0", 6) == 0);
}

/* Two groups far apart: walks follow links, or scan past gaps. */
static void
test_groups(void)
{
	struct spool *sp = open_spool(NULL, 0, 16);
	const struct spool_line *l;
	uint64_t seq, n = 0;
	char msg[32];
	int i;

	add(sp, "rare", "h9", "rare 0");
	for (i = 0; i < 100000; i++) {
		snprintf(msg, sizeof msg, "busy %d", i);
		add(sp, "busy", i % 2 ? "h1" : "h2", msg);
		if (i == 70000)
			add(sp, "rare", "h9", "rare 1");
	}
	add(sp, "rare", "h9", "rare 2");
	UNIT_CHECK(spool_group_find(sp, "rare", 4) == 0, "find rare");
	l = spool_prev(sp, 0, UINT64_MAX);
	UNIT_STREQ(l->text, "rare 2", "newest rare");
	l = spool_prev(sp, 0, l->seq);
	UNIT_STREQ(l->text, "rare 1", "rare 1, 30000 lines back (a link)");
	l = spool_prev(sp, 0, l->seq);
	UNIT_STREQ(l->text, "rare 0", "rare 0, 70000 back (too far: scan)");
	UNIT_CHECK(spool_prev(sp, 0, l->seq) == NULL, "nothing before");
	l = spool_next(sp, 0, 0);
	UNIT_STREQ(l->text, "rare 0", "oldest rare");
	l = spool_next(sp, 0, l->seq);
	UNIT_STREQ(l->text, "rare 1", "forward, far: scan");
	l = spool_next(sp, 0, l->seq);
	UNIT_STREQ(l->text, "rare 2", "forward");
	/* The whole busy group backwards through a cache of 16. */
	for (seq = UINT64_MAX; (l = spool_prev(sp, 1, seq)) != NULL;
	     seq = l->seq) {
		snprintf(msg, sizeof msg, "busy %llu",
		    (unsigned long long)(99999 - n));
		if (strcmp(l->text, msg) != 0)
			break;
		n++;
	}
	UNIT_CHECK(
	    n == 100000, "busy walked back whole: %llu", (unsigned long long)n);
	UNIT_CHECK(spool_index_bytes(sp) <= 16 * 65536 * 2 + 64,
	    "16 bytes a line: %zu", spool_index_bytes(sp));
	UNIT_CHECK(spool_prev(sp, 7, 100) == NULL, "no group 7");
	/* The uncached walk: back from the end, in slices, as a search. */
	{
		uint64_t at = UINT64_MAX, got = 0;
		int slices = 0;

		while (got == 0 && at != 0) {
			got = spool_scan(
			    sp, SPOOL_ALL, at, 1, 4096, is_rare0, NULL, &at);
			slices++;
		}
		UNIT_CHECK(got == 1 && slices == 25,
		    "scan back: seq %llu in %d slices", (unsigned long long)got,
		    slices);
		got = spool_scan(sp, 0, 0, 0, 10, is_rare0, NULL, &at);
		UNIT_CHECK(got == 1, "scan a group forward");
		got = spool_scan(sp, 0, 1, 0, 10, is_rare0, NULL, &at);
		UNIT_CHECK(got == 0 && at == 0, "scan to the end");
	}
	spool_free(sp);
}

/* A small budget: the oldest segments go, their lines counted. */
static void
test_limit(void)
{
	char dir[] = "/tmp/cwdemux-test-spool.XXXXXX";
	struct spool *sp;
	const struct spool_line *l;
	char msg[64];
	int i, files;

	UNIT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	sp = open_spool(dir, 1 << 20, 0);
	for (i = 0; i < 40000; i++) {
		snprintf(msg, sizeof msg, "line %05d of a job that goes on", i);
		add(sp, i % 3 ? "a" : "b", "h", msg);
	}
	spool_flush(sp);
	UNIT_CHECK(spool_disk_bytes(sp) <= 1 << 20, "within budget: %llu",
	    (unsigned long long)spool_disk_bytes(sp));
	UNIT_CHECK(spool_dropped(sp) > 0 &&
		spool_dropped(sp) + spool_lines(sp) == 40000,
	    "dropped %llu + held %llu", (unsigned long long)spool_dropped(sp),
	    (unsigned long long)spool_lines(sp));
	UNIT_CHECK(spool_group_dropped(sp, 0) + spool_group_dropped(sp, 1) ==
		spool_dropped(sp),
	    "dropped per group");
	l = spool_next(sp, SPOOL_ALL, 0);
	snprintf(msg, sizeof msg, "line %05llu of a job that goes on",
	    (unsigned long long)spool_dropped(sp));
	UNIT_STREQ(l != NULL ? l->text : NULL, msg, "oldest held");
	l = spool_next(sp, spool_group_find(sp, "b", 1), 0);
	UNIT_CHECK(l != NULL && strncmp(l->text, "line ", 5) == 0 &&
		atoi(l->text + 5) % 3 == 0 && l->seq > spool_dropped(sp),
	    "group b's oldest held");
	files = files_in(dir);
	UNIT_CHECK(files >= 2 && files <= 9, "segments: %d", files);
	spool_free(sp);
	UNIT_CHECK(files_in(dir) == files, "kept: a directory given");
	{
		struct dirent *de;
		DIR *d = opendir(dir);
		char path[512];

		while (d != NULL && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			unlink(path);
		}
		if (d != NULL)
			closedir(d);
		rmdir(dir);
	}
}

int
main(void)
{
	test_lines();
	test_groups();
	test_limit();
	return (unit_done("spool"));
}
