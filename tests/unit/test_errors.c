/*
 * Unit tests of the error detector's pure parts: the literals litscan finds
 * in patterns, its scanner at every offset, and the summary table and
 * manifest members made safe from hostile names and lines.
 */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "litscan.h"
#include "rules.h"
#include "unit.h"

static void
test_required(void)
{
	static const struct {
		const char *pattern;
		const char *want; /* literals, one a line; NULL: none */
	} t[] = {
	    {"CUDA out of memory", "CUDA out of memory\n"},
	    {"NCCL error|ExitCode [1-9]", "NCCL error\nExitCode \n"},
	    {"^Traceback \\(most recent call last\\):\\s*$",
		"Traceback (most recent call last):\n"},
	    /* A required group of longer literals beats a short run. */
	    {"\\bnccl(?:SystemError|RemoteError)\\b",
		"SystemError\nRemoteError\n"},
	    {"^(?:During handling|The above exception):$",
		"During handling\nThe above exception\n"},
	    /* Optional items end a run and are not part of it. */
	    {"Signals?\\.?SIGTERM", "SIGTERM\n"},
	    {"abcx*def", "abc\n"},
	    {"ab+cdef", "cdef\n"},
	    {"abc{2}defg", "defg\n"},
	    {"(?:Gloo|gloo) timeout", " timeout\n"},
	    {"(?<name>Killed)|oom", "Killed\noom\n"},
	    {"\\*\\*\\* Process", "*** Process\n"},
	    /* Nothing certain: no literals. */
	    {"ab", NULL},
	    {"(?i)fatal error", NULL},
	    {"^(a+)x\\1$", NULL},
	    {"\\x{41}BCDEF", NULL},
	    {"\\QNCCL\\E", NULL},
	    {"(*LIMIT_MATCH=10)abcdef", NULL},
	    {"(?:abcdef)?xy", NULL},
	    {"abcdef|x", NULL},
	    {"(?=abcdef)x", NULL},
	    {"[abc]def[g]", "def\n"},
	    {"[]abcd]xy", NULL},
	};
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		rc = litscan_required(t[i].pattern, strlen(t[i].pattern), &b);
		if (t[i].want == NULL)
			UNIT_CHECK(rc == -1 && b.len == 0,
			    "%s: want no literals, got rc %d [%s]",
			    t[i].pattern, rc, b.data == NULL ? "" : b.data);
		else {
			UNIT_CHECK(rc == 0, "%s: rc %d", t[i].pattern, rc);
			UNIT_STREQ(b.data == NULL ? "" : b.data, t[i].want,
			    t[i].pattern);
		}
	}
	buf_free(&b);
}

/* Every literal at every offset of lines of many lengths is found. */
static void
test_scan(void)
{
	static const char *const lits[] = {"ExitCode ", "Killed", "oom",
	    "\xe2\x96\x88\xe2\x96\x88x", "SIG", "Warning: ", "WARN",
	    "Segmentation fault", "AlgorithmError", "Bus error"};
	struct litscan *ls = litscan_new();
	const char *pat;
	char line[100];
	size_t i, len, off;
	int misses = 0, false_hits = 0;

	UNIT_CHECK(litscan_add(ls, "ExitCode [1-9]|Killed", 21) == 0, "add");
	UNIT_CHECK(litscan_add(ls, "oom", 3) == 0, "add oom");
	UNIT_CHECK(
	    litscan_add(ls, "\xe2\x96\x88\xe2\x96\x88x", 7) == 0, "add UTF-8");
	UNIT_CHECK(litscan_add(ls, "(?i)x", 5) == -1, "add caseless");
	/* Literals whose trigger bytes share a bucket (high nibble). */
	pat = "\\bSIG(?:SEGV|BUS)\\b|\\b[A-Z][A-Za-z]*Warning: |"
	      "\\bWARN(?:ING)?\\b|Segmentation fault|AlgorithmError|Bus error";
	UNIT_CHECK(
	    litscan_add(ls, pat, strlen(pat)) == 0, "add shared buckets");
	for (i = 0; i < sizeof lits / sizeof lits[0]; i++) {
		for (len = strlen(lits[i]); len < sizeof line; len++) {
			for (off = 0; off + strlen(lits[i]) <= len; off++) {
				memset(line, '.', len);
				memcpy(line + off, lits[i], strlen(lits[i]));
				misses += !litscan_any(ls, line, len);
				/* One byte short of the literal is no hit. */
				false_hits += litscan_any(
				    ls, line + off + 1, strlen(lits[i]) - 1);
			}
		}
	}
	UNIT_CHECK(misses == 0, "%d literals missed", misses);
	UNIT_CHECK(false_hits == 0, "%d false hits", false_hits);
	UNIT_CHECK(!litscan_any(ls, "Epoch 2/2 step 49908 loss=0.12 oo m", 35),
	    "plain line");
	UNIT_CHECK(
	    !litscan_any(ls, "", 0) && !litscan_any(ls, "o", 1), "short lines");
	UNIT_CHECK(litscan_any(ls, "KILLED Killed", 13), "second word");
	litscan_free(ls);
}

static void
event(struct errors *es, const char *group, const char *host, const char *msg,
    int64_t ts)
{
	struct out_event ev = unit_event(group, host, msg, ts);

	errors_event(es, &ev);
}

/* The table and the manifest never carry a raw control byte. */
static void
test_summary(void)
{
	static const char group[] = "g\x1b[31m";
	static const char host[] = "h \x07";
	struct rules *rules = rules_new();
	struct errors *es;
	struct buf b = BUF_INIT;
	char *cause = NULL;
	size_t i;
	int raw = 0;

	UNIT_CHECK(rules_load_default(rules, &cause) == 0, "rules: %s",
	    cause == NULL ? "" : cause);
	es = errors_new(rules);
	event(es, group, host, "Segmentation fault \x1b]52;c;aGk=\x07", 1000);
	event(es, "data", "algo-2",
	    "NCCL error: \x9b"
	    "bad",
	    500);
	errors_finish(es);
	errors_set_reason(es, "AlgorithmError: \x1b[2J see logs");
	errors_summary(es, &b);
	for (i = 0; i < b.len; i++)
		raw += (unsigned char)b.data[i] < 0x20 && b.data[i] != '\n';
	UNIT_CHECK(
	    raw == 0, "summary has %d raw control bytes:\n%s", raw, b.data);
	UNIT_CHECK(strstr(b.data, "first failure: group g\\x1b[31m, ") != NULL,
	    "first failure line:\n%s", b.data);
	UNIT_CHECK(strstr(b.data, "Segmentation fault ^[]52;c;aGk=^G") != NULL,
	    "summary shown safely:\n%s", b.data);
	UNIT_CHECK(
	    strstr(b.data, "failure reason: AlgorithmError: ^[[2J") != NULL,
	    "reason shown safely:\n%s", b.data);
	buf_reset(&b);
	errors_json_job(es, &b, "  ");
	raw = 0;
	for (i = 0; i < b.len; i++)
		raw += (unsigned char)b.data[i] < 0x20 && b.data[i] != '\n';
	UNIT_CHECK(raw == 0, "manifest has %d raw control bytes", raw);
	UNIT_CHECK(strstr(b.data,
		       "\"summary\": \"Segmentation fault "
		       "\\u001b]52;c;aGk=\\u0007\"") != NULL,
	    "manifest summary escaped:\n%s", b.data);
	UNIT_CHECK(
	    errors_first(es) != NULL && errors_first(es)->timestamp == 1000,
	    "the cause is first, though the consequence is earlier");
	UNIT_CHECK(errors_group_at(es, 0) != NULL &&
		errors_group_at(es, 0)->errors == 1 &&
		errors_group_at(es, 0)->events == 1 &&
		errors_host_at(es, 0, 0) != NULL &&
		errors_host_at(es, 0, 1) == NULL,
	    "counts");
	buf_free(&b);
	errors_free(es);
	rules_free(rules);
	free(cause);
}

/* Past ERRORS_KEEP_MAX errors are counted; only a new first one is kept. */
static void
test_cap(void)
{
	struct rules *rules = rules_new();
	struct errors *es;
	char *cause = NULL;
	int i;

	UNIT_CHECK(rules_load_default(rules, &cause) == 0, "rules");
	es = errors_new(rules);
	for (i = 0; i < ERRORS_KEEP_MAX + 50; i++)
		event(es, "g", "h", "ExitCode 1", 1000 + i);
	event(es, "g", "h", "Segmentation fault", 999);
	UNIT_CHECK(errors_count(es) == ERRORS_KEEP_MAX + 1, "kept %zu errors",
	    errors_count(es));
	UNIT_CHECK(
	    errors_dropped(es) == 50, "dropped %llu", errors_dropped(es));
	UNIT_CHECK(
	    errors_first(es) != NULL && errors_first(es)->timestamp == 999,
	    "a first failure past the cap is kept");
	UNIT_CHECK(errors_group_at(es, 0)->errors == ERRORS_KEEP_MAX + 51,
	    "every error is counted");
	errors_free(es);
	rules_free(rules);
	free(cause);
}

int
main(void)
{
	test_required();
	test_scan();
	test_summary();
	test_cap();
	return (unit_done("errors"));
}
