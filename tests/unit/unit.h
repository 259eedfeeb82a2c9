/*
 * A tiny table-test harness. Each unit test program checks its tables with
 * these macros and ends with unit_done(), which prints one summary line
 * "# unit NAME: N passed, N failed" that tests/run adds up.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sink.h"

static int unit_passed;
static int unit_failed;

#define UNIT_CHECK(cond, ...) do {					\
	if (cond)							\
		unit_passed++;						\
	else {								\
		unit_failed++;						\
		fprintf(stdout, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stdout, __VA_ARGS__);				\
		fputc('\n', stdout);					\
	}								\
} while (0)

/* Compares two byte strings, printing both when they differ. */
#define UNIT_STREQ(got, want, name) do {				\
	const char *g_ = (got), *w_ = (want);				\
	UNIT_CHECK(g_ != NULL && strcmp(g_, w_) == 0,			\
	    "%s:\n  got  [%s]\n  want [%s]", (name),			\
	    g_ == NULL ? "(null)" : g_, w_);				\
} while (0)

#define UNIT_MEMEQ(got, glen, want, wlen, name) do {			\
	UNIT_CHECK((glen) == (wlen) && memcmp((got), (want), (glen)) == 0,	\
	    "%s: got %zu bytes [%.*s], want %zu bytes [%.*s]", (name),	\
	    (size_t)(glen), (int)(glen), (const char *)(got),		\
	    (size_t)(wlen), (int)(wlen), (const char *)(want));		\
} while (0)

/* A released event of host (its stream named like it) in group. */
static inline struct out_event
unit_event(const char *group, const char *host, const char *msg, int64_t ts)
{
	struct out_event ev;

	memset(&ev, 0, sizeof ev);
	ev.timestamp = ts;
	ev.group = group;
	ev.group_len = strlen(group);
	ev.host = host;
	ev.host_len = strlen(host);
	ev.stream = host;
	ev.stream_len = strlen(host);
	ev.msg = msg;
	ev.len = strlen(msg);
	return (ev);
}

static inline int
unit_done(const char *name)
{
	printf("# unit %s: %d passed, %d failed\n", name, unit_passed,
	    unit_failed);
	return (unit_failed == 0 ? 0 : 1);
}

#endif
