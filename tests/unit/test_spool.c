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
	struct spool_event ev = {.group = group,
	    .group_len = strlen(group),
	    .host = host,
	    .host_len = strlen(host),
	    .stream = "s/1",
	    .stream_len = 3,
	    .ts = 1000,
	    .msg = msg,
	    .len = strlen(msg)};

	spool_add(sp, &ev);
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
	struct spool_event ev = {"train", "algo-1", "s/2", "algo-9", 5, 6, 3, 6,
	    5, raw, sizeof raw - 1, NULL, 0};
	char *dir;
	struct stat st;

	add(sp, "train", "algo-1", "one\ntwo\n");
	spool_add(sp, &ev);

	UNIT_CHECK(spool_groups(sp) == 1, "one group");
	UNIT_CHECK(spool_group_lines(sp, 0) == 3,
	    "three lines (no empty one after the last line end): %llu",
	    (unsigned long long)spool_group_lines(sp, 0));
	/* Read from the write buffer, then from the file. */
	l = spool_next(sp, 0, 0);
	UNIT_MEMEQ(l->text, l->len, "one", 3, "first line");
	UNIT_CHECK(l->via == NULL, "no carrier");
	UNIT_CHECK(l->cont == 0 && l->seq == 1, "first starts an event");
	UNIT_CHECK(l->eol == 0, "first: a line end between lines");
	spool_flush(sp);
	l = spool_next(sp, 0, l->seq);
	UNIT_MEMEQ(l->text, l->len, "two", 3, "second line");
	UNIT_CHECK(l->cont == 1, "second continues");
	UNIT_CHECK(l->eol == 1, "the event's own last line end kept as eol");
	l = spool_next(sp, 0, l->seq);
	UNIT_MEMEQ(l->text, l->len, raw, sizeof raw - 1, "raw bytes kept");
	UNIT_CHECK(l->mark == 0 && l->ts == 5, "mark 0, time kept");
	UNIT_CHECK(l->eol == 0 && l->cont == 0, "no line end: no eol");
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

/* Add the event of file path that starts at its byte off, len bytes. */
static void
add_at(struct spool *sp, const char *host, const char *path, const char *data,
    size_t off, size_t len)
{
	struct spool_event ev = {.group = "g",
	    .group_len = 1,
	    .host = host,
	    .host_len = strlen(host),
	    .stream = host,
	    .stream_len = strlen(host),
	    .ts = 7,
	    .msg = data + off,
	    .len = len,
	    .file = path,
	    .off = off};

	spool_add(sp, &ev);
}

static int
has_text(void *arg, uint64_t seq, unsigned mark, const char *s, size_t len)
{
	(void)seq;
	(void)mark;
	return (len == strlen(arg) && memcmp(s, arg, len) == 0);
}

/*
 * Lines of plain files indexed where they lie: read back from the files
 * (each through its own window, interleaved), records of 32 bytes on disk;
 * a short line, a file that does not hold the text and a file given no
 * path are copied; a file removed is still read (its descriptor is held);
 * a file cut short gives lines said missing, passed over by a scan.
 */
static void
test_in_place(void)
{
	char dir[] = "/tmp/cwdemux-test-inplace.XXXXXX";
	char a[600], b[600], c[600], d[600];
	static const char da[] = "first line of a\nsecond line of a, longer\n"
				 "ok\nthe last line of file a\n";
	static const char db[] = "a line of file b, which is removed\n";
	static const char dc[] = "a line of file c, which is cut short\n";
	char first[] = "first line of a";
	char cut[] = "a line of file c, which is cut short";
	struct spool *sp = open_spool(NULL, 0, 4);
	const struct spool_line *l;
	uint64_t at, seq;
	FILE *f;

	UNIT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(c, sizeof c, "%s/c", dir);
	snprintf(d, sizeof d, "%s/d", dir);
	UNIT_CHECK(
	    (f = fopen(a, "w")) != NULL && fputs(da, f) >= 0 && fclose(f) == 0,
	    "file a");
	UNIT_CHECK(
	    (f = fopen(b, "w")) != NULL && fputs(db, f) >= 0 && fclose(f) == 0,
	    "file b");
	UNIT_CHECK(
	    (f = fopen(c, "w")) != NULL && fputs(dc, f) >= 0 && fclose(f) == 0,
	    "file c");
	UNIT_CHECK(
	    (f = fopen(d, "w")) != NULL && fputs(db, f) >= 0 && fclose(f) == 0,
	    "file d");
	/* One event of two lines, a short line, the last line. */
	add_at(sp, "ha", a, da, 0, 40);
	add_at(sp, "hb", b, db, 0, strlen(db) - 1);
	add_at(sp, "ha", a, da, 41, 2);
	add(sp, "g", "hx", "a line copied into the spool");
	add_at(sp, "ha", a, da, 44, 23);
	add_at(sp, "hc", c, dc, 0, strlen(dc) - 1);
	/* A file that does not hold the text (replaced): copied. */
	add_at(sp, "ha", d, "not what file d holds", 0, 21);
	spool_flush(sp);
	UNIT_CHECK(spool_in_place(sp) == 5, "lines in place: %llu",
	    (unsigned long long)spool_in_place(sp));
	UNIT_CHECK(spool_disk_bytes(sp) == 5 * 32 + (20 + 2) + (20 + 28) + 41,
	    "records of 32 bytes in place: %llu",
	    (unsigned long long)spool_disk_bytes(sp));
	unlink(b);
	l = spool_next(sp, SPOOL_ALL, 0);
	UNIT_STREQ(l->text, "first line of a", "in place, first");
	l = spool_next(sp, SPOOL_ALL, l->seq);
	UNIT_STREQ(l->text, "second line of a, longer", "in place, cont");
	UNIT_CHECK(l->cont == 1 && l->missing == 0, "continues");
	l = spool_next(sp, SPOOL_ALL, l->seq);
	UNIT_STREQ(l->text, "a line of file b, which is removed",
	    "a removed file still read");
	l = spool_next(sp, SPOOL_ALL, l->seq);
	UNIT_STREQ(l->text, "ok", "a short line (copied)");
	l = spool_next(sp, SPOOL_ALL, l->seq);
	UNIT_STREQ(l->text, "a line copied into the spool", "copied");
	l = spool_next(sp, SPOOL_ALL, l->seq);
	UNIT_STREQ(l->text, "the last line of file a", "in place, again");
	l = spool_prev(sp, SPOOL_ALL, UINT64_MAX);
	UNIT_STREQ(l->text, "not what file d holds", "a wrong file: copied");
	UNIT_CHECK(truncate(c, 5) == 0, "cut c short");
	seq = l->seq;
	l = spool_prev(sp, SPOOL_ALL, seq);
	UNIT_CHECK(
	    l != NULL && l->missing && strstr(l->text, "no longer") != NULL,
	    "a cut file's line is said missing: %s", l != NULL ? l->text : "");
	at = UINT64_MAX;
	UNIT_CHECK(
	    spool_scan(sp, SPOOL_ALL, at, 1, 100, has_text, first, &at) == 1,
	    "a scan back reads the files");
	UNIT_CHECK(spool_scan(sp, SPOOL_ALL, UINT64_MAX, 1, 100, has_text, cut,
		       &at) == 0 &&
		at == 0,
	    "a scan passes a missing line over");
	spool_free(sp);
	unlink(a);
	unlink(c);
	unlink(d);
	rmdir(dir);
}

/*
 * Line ends (#15): each event's lines as "text|" with "$" after a line its
 * event's own last line end followed (eol); a CR stays in the raw text.
 */
static const struct {
	const char *msg;
	const char *want;
} line_ends[] = {
    {"loss 1\r\n", "loss 1\r$|"},
    {"loss 2\r", "loss 2\r|"},
    {"two\r\nlines\r\n", "two\r|lines\r$|"},
    {"plain", "plain|"},
    {"", "|"},
    {"\n", "$|"},
    {"\n\n", "|$|"},
    {"a\n\nb", "a||b|"},
    {"a\n\n", "a|$|"},
};

static void
test_line_ends(void)
{
	struct spool *sp = open_spool(NULL, 0, 0);
	const struct spool_line *l;
	uint64_t seq = 0;
	char got[64], name[64];
	size_t i, n;

	for (i = 0; i < sizeof line_ends / sizeof line_ends[0]; i++) {
		add(sp, "g", "h", line_ends[i].msg);
		n = 0;
		while ((l = spool_next(sp, SPOOL_ALL, seq)) != NULL &&
		    n + l->len + 3 < sizeof got) {
			if (l->cont != (n > 0))
				break;
			memcpy(got + n, l->text, l->len);
			n += l->len;
			if (l->eol)
				got[n++] = '$';
			got[n++] = '|';
			seq = l->seq;
		}
		got[n] = '\0';
		snprintf(name, sizeof name, "line ends of event %zu", i);
		UNIT_STREQ(got, line_ends[i].want, name);
	}
	spool_free(sp);
}

int
main(void)
{
	test_lines();
	test_line_ends();
	test_groups();
	test_limit();
	test_in_place();
	return (unit_done("spool"));
}
