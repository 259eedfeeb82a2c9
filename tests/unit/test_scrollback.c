/*
 * scrollback: events split into raw lines, per-group limits that drop the
 * oldest lines and count them, and walking one group or all interleaved.
 */
#include <stdint.h>
#include <string.h>

#include "scrollback.h"
#include "unit.h"

static void
add(struct scrollback *sb, const char *group, const char *host, const char *msg)
{
	scrollback_add(sb, group, strlen(group), host, strlen(host), "s/1", 3,
	    1000, msg, strlen(msg));
}

static void
test_lines(void)
{
	struct scrollback *sb = scrollback_new(100, 0);
	const struct sb_line *l;
	const char raw[] = "a\033]52;c;eA==\007\xff";

	add(sb, "train", "algo-1", "one\ntwo\n");
	scrollback_add(
	    sb, "train", 5, "algo-1", 6, "s/1", 3, 5, raw, sizeof raw - 1);
	UNIT_CHECK(scrollback_groups(sb) == 1, "one group");
	UNIT_CHECK(scrollback_group_lines(sb, 0) == 4, "three lines + 1: %zu",
	    scrollback_group_lines(sb, 0));
	l = scrollback_next(sb, 0, 0);
	UNIT_MEMEQ(l->text, l->len, "one", 3, "first line");
	UNIT_CHECK(l->cont == 0 && l->seq == 1, "first starts an event");
	l = scrollback_next(sb, 0, l->seq);
	UNIT_MEMEQ(l->text, l->len, "two", 3, "second line");
	UNIT_CHECK(l->cont == 1, "second continues");
	l = scrollback_next(sb, 0, l->seq);
	UNIT_CHECK(l->len == 0 && l->cont == 1, "trailing empty line kept");
	l = scrollback_next(sb, 0, l->seq);
	UNIT_MEMEQ(l->text, l->len, raw, sizeof raw - 1, "raw bytes kept");
	UNIT_CHECK(l->mark == 0 && l->ts == 5, "mark 0, time kept");
	UNIT_STREQ(l->host, "algo-1", "host interned");
	UNIT_CHECK(scrollback_next(sb, 0, l->seq) == NULL, "end");
	UNIT_CHECK(scrollback_dropped(sb) == 0, "nothing dropped");
	scrollback_free(sb);
}

static void
test_limits(void)
{
	struct scrollback *sb = scrollback_new(3, 0);
	const struct sb_line *l;
	char msg[16];
	size_t before;
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(msg, sizeof msg, "line %d", i);
		add(sb, "g", "h", msg);
	}
	UNIT_CHECK(scrollback_group_lines(sb, 0) == 3, "limit held");
	UNIT_CHECK(scrollback_group_dropped(sb, 0) == 7, "7 dropped: %llu",
	    (unsigned long long)scrollback_group_dropped(sb, 0));
	UNIT_CHECK(scrollback_group_added(sb, 0) == 10, "10 added");
	l = scrollback_next(sb, 0, 0);
	UNIT_STREQ(l->text, "line 7", "oldest kept");
	l = scrollback_prev(sb, 0, UINT64_MAX);
	UNIT_STREQ(l->text, "line 9", "newest");
	before = scrollback_bytes(sb);
	for (i = 0; i < 1000; i++)
		add(sb, "g", "h", "xxxxxxxx");
	UNIT_CHECK(scrollback_bytes(sb) <= before + 3 * 8,
	    "memory bounded: %zu then %zu", before, scrollback_bytes(sb));
	scrollback_free(sb);

	/* The byte limit: a huge line pushes the old ones out. */
	sb = scrollback_new(100, 64);
	add(sb, "g", "h", "0123456789");
	add(sb, "g", "h", "0123456789");
	{
		char big[60];

		memset(big, 'b', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		add(sb, "g", "h", big);
	}
	UNIT_CHECK(scrollback_group_lines(sb, 0) == 1 &&
		scrollback_group_dropped(sb, 0) == 2,
	    "bytes bound: %zu held", scrollback_group_lines(sb, 0));
	scrollback_free(sb);
}

static void
test_interleave(void)
{
	struct scrollback *sb = scrollback_new(2, 0);
	const struct sb_line *l;
	const char *want[] = {"b2", "a3", "b3"};
	const char *name;
	size_t len, i;

	add(sb, "a", "h1", "a1");
	add(sb, "b", "h2", "b1");
	add(sb, "a", "h1", "a2");
	add(sb, "b", "h2", "b2");
	add(sb, "a", "h1", "a3");
	add(sb, "b", "h2", "b3");
	name = scrollback_group_name(sb, 1, &len);
	UNIT_MEMEQ(name, len, "b", 1, "group name");
	UNIT_CHECK(scrollback_group_find(sb, "b", 1) == 1, "find b");
	UNIT_CHECK(scrollback_group_find(sb, "c", 1) == -1, "no c");
	/* a keeps a2 a3, b keeps b2 b3: all interleaved from a3 back. */
	l = scrollback_prev(sb, SCROLLBACK_ALL, UINT64_MAX);
	UNIT_STREQ(l->text, "b3", "newest of all");
	l = scrollback_next(sb, SCROLLBACK_ALL, 0);
	UNIT_STREQ(l->text, "a2", "oldest held of all");
	for (i = 0; i < 3; i++) {
		l = scrollback_next(sb, SCROLLBACK_ALL, l->seq);
		UNIT_STREQ(l != NULL ? l->text : NULL, want[i], "walk forward");
	}
	UNIT_CHECK(
	    scrollback_next(sb, SCROLLBACK_ALL, l->seq) == NULL, "end of all");
	UNIT_CHECK(scrollback_prev(sb, 0, 3) == NULL, "a: nothing before a2");
	UNIT_CHECK(scrollback_prev(sb, 7, 100) == NULL, "no group 7");
	UNIT_CHECK(scrollback_last_seq(sb) == 6, "six lines");
	scrollback_free(sb);
}

int
main(void)
{
	test_lines();
	test_limits();
	test_interleave();
	return (unit_done("scrollback"));
}
