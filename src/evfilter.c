/*
 * Event filters with PCRE2, compiled as the rules are (UTF with invalid
 * sequences allowed, JIT when it is there) and run under the same kind of
 * limits, since a user's pattern may backtrack badly on a hostile 1 MB
 * line: a match that hits a limit counts as no match, and the first such
 * failure of a pattern is reported.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "evfilter.h"
#include "log.h"
#include "rules.h"
#include "xmalloc.h"

#define EVFILTER_MATCH_LIMIT 10000000
#define EVFILTER_DEPTH_LIMIT 10000
#define EVFILTER_HEAP_LIMIT_KIB 65536

struct pattern {
	pcre2_code *re;
	pcre2_match_data *md;
	char *text; /* for messages */
	int exclude;
	int failed; /* a limit was hit and reported */
};

struct evfilter {
	struct pattern *v;
	size_t n;
	size_t nincludes;
	pcre2_match_context *mctx;
};

struct evfilter *
evfilter_new(void)
{
	struct evfilter *f;

	f = xcalloc(1, sizeof *f);
	if ((f->mctx = pcre2_match_context_create(NULL)) == NULL)
		xalloc_failed("PCRE2 match context");
	pcre2_set_match_limit(f->mctx, EVFILTER_MATCH_LIMIT);
	pcre2_set_depth_limit(f->mctx, EVFILTER_DEPTH_LIMIT);
	pcre2_set_heap_limit(f->mctx, EVFILTER_HEAP_LIMIT_KIB);
	return (f);
}

void
evfilter_free(struct evfilter *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		pcre2_match_data_free(f->v[i].md);
		pcre2_code_free(f->v[i].re);
		free(f->v[i].text);
	}
	free(f->v);
	pcre2_match_context_free(f->mctx);
	free(f);
}

int
evfilter_add(struct evfilter *f, int exclude, const char *pattern, char **cause)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	struct pattern *p;
	pcre2_code *re;
	int err;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE, &err, &off,
	    NULL);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "--%s %s: column %zu: %s",
		    exclude ? "exclude" : "include", pattern, (size_t)off + 1,
		    (char *)msg);
		return (-1);
	}
	if (rules_may_jit())
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
	p = &f->v[f->n++];
	memset(p, 0, sizeof *p);
	p->re = re;
	if ((p->md = pcre2_match_data_create(1, NULL)) == NULL)
		xalloc_failed("PCRE2 match data");
	p->text = xstrdup(pattern);
	p->exclude = exclude;
	f->nincludes += !exclude;
	return (0);
}

int
evfilter_empty(const struct evfilter *f)
{
	return (f->n == 0);
}

static int
matches(struct evfilter *f, struct pattern *p, const char *s, size_t len)
{
	int rc;

	rc = pcre2_match(p->re, (PCRE2_SPTR)s, len, 0, 0, p->md, f->mctx);
	if (rc >= 0)
		return (1);
	if (rc != PCRE2_ERROR_NOMATCH && !p->failed) {
		PCRE2_UCHAR msg[256];

		p->failed = 1;
		pcre2_get_error_message(rc, msg, sizeof msg);
		log_warn("--%s %s: %s (taken as no match)",
		    p->exclude ? "exclude" : "include", p->text, (char *)msg);
	}
	return (0);
}

int
evfilter_keep(struct evfilter *f, const char *msg, size_t len)
{
	size_t i;
	int included = f->nincludes == 0;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].exclude) {
			if (matches(f, &f->v[i], msg, len))
				return (0);
		} else if (!included && matches(f, &f->v[i], msg, len))
			included = 1;
	}
	return (included);
}
