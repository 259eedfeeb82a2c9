/*
 * Rule files and rule matching with PCRE2.
 *
 * Patterns are compiled in UTF mode with PCRE2_MATCH_INVALID_UTF, because
 * log lines may hold any bytes: invalid sequences simply never match a
 * character. Captures are found through precomputed group numbers (several
 * per name, since PCRE2_DUPNAMES lets alternatives share a name), so the
 * match loop does no name look-ups.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Memcheck cannot follow JIT-compiled code (it reports the JIT's word-wide
 * reads as uninitialised), so under valgrind the rules are interpreted.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

#include "buf.h"
#include "hash.h"
#include "json.h"
#include "litscan.h"
#include "log.h"
#include "rules.h"
#include "xmalloc.h"

#define RULES_MATCH_LIMIT 10000000
#define RULES_DEPTH_LIMIT 2000
#define RULES_HEAP_LIMIT_KIB 65536
#define RULES_JIT_STACK_MAX (4 * 1024 * 1024)
/* Limit errors a rule may cause before it is switched off. */
#define RULES_MAX_LIMIT_HITS 100
#define RULES_MAX_DUPNAMES 8
/* Matches of one hostmap rule looked at in one event. */
#define RULES_MAX_MATCHES 16
#define RULES_FILE_MAX (16 * 1024 * 1024)

/* The group numbers that carry one capture name. */
struct capture {
	int n;
	uint32_t num[RULES_MAX_DUPNAMES];
};

struct rule {
	enum rule_kind kind;
	int json; /* captures are JSON string bodies */
	char *file;
	unsigned line;
	pcre2_code *re;
	pcre2_match_data *md;
	struct capture group, host, map;
	unsigned limit_hits;
	int disabled;
	int first; /* an anchored rule's first byte, or -1 */
	enum rule_severity severity; /* error rules */
	enum rule_role role;
	int flags; /* RULE_OPEN, RULE_CONTINUE */
	int filtered; /* runs only where its kind's litscan finds one */
};

struct rules {
	struct rule *v;
	size_t n, cap;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	struct buf group; /* decoded captures of the current hit */
	struct buf host;
	/*
	 * Literals that error rules require: a line holding none of them
	 * (nearly every line) needs no PCRE2 match for those rules.
	 */
	struct litscan *lits;
	/* Each kind's rules, in load order, as indexes into v. */
	struct {
		size_t *v;
		size_t n, cap;
	} kinds[RULE_ERROR + 1];
	/* The same for marker and hostmap rules, which run on every line
	 * and every event too (one litscan for each kind). */
	struct litscan *kind_lits[RULE_ERROR + 1];
	size_t kind_unfiltered[RULE_ERROR + 1];
	/* Both kinds' literals: an event holding none needs no rule. */
	struct litscan *classify_lits;
	/* Those and the error rules' literals. */
	struct litscan *all_lits;
	size_t nerror;
	size_t nunfiltered; /* error rules litscan knows nothing of */
	uint64_t digest; /* of every text loaded, in order */
};

static const struct {
	const char *name;
	enum rule_kind kind;
	const char *needs;
} rule_kinds[] = {
    {"stream", RULE_STREAM, "host"},
    {"marker", RULE_MARKER, "group"},
    {"hostmap", RULE_HOSTMAP, "map"},
    {"error", RULE_ERROR, NULL},
};

struct rules *
rules_new(void)
{
	struct rules *rs;

	rs = xcalloc(1, sizeof *rs);
	rs->lits = litscan_new();
	rs->kind_lits[RULE_MARKER] = litscan_new();
	rs->kind_lits[RULE_HOSTMAP] = litscan_new();
	rs->classify_lits = litscan_new();
	rs->all_lits = litscan_new();
	if ((rs->mctx = pcre2_match_context_create(NULL)) == NULL)
		xalloc_failed("PCRE2 match context");
	pcre2_set_match_limit(rs->mctx, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, RULES_DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, RULES_HEAP_LIMIT_KIB);
	rs->jit_stack =
	    pcre2_jit_stack_create(32 * 1024, RULES_JIT_STACK_MAX, NULL);
	if (rs->jit_stack != NULL)
		pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit_stack);
	return (rs);
}

void
rules_free(struct rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		pcre2_match_data_free(rs->v[i].md);
		pcre2_code_free(rs->v[i].re);
		free(rs->v[i].file);
	}
	free(rs->v);
	for (i = 0; i <= RULE_ERROR; i++)
		free(rs->kinds[i].v);
	litscan_free(rs->lits);
	litscan_free(rs->kind_lits[RULE_MARKER]);
	litscan_free(rs->kind_lits[RULE_HOSTMAP]);
	litscan_free(rs->classify_lits);
	litscan_free(rs->all_lits);
	pcre2_jit_stack_free(rs->jit_stack);
	pcre2_match_context_free(rs->mctx);
	buf_free(&rs->group);
	buf_free(&rs->host);
	free(rs);
}

/* Collect the group numbers named name in re. */
static void
capture_find(pcre2_code *re, const char *name, struct capture *c)
{
	PCRE2_SPTR first, last, p;
	uint32_t entry;
	int size;

	c->n = 0;
	size =
	    pcre2_substring_nametable_scan(re, (PCRE2_SPTR)name, &first, &last);
	if (size <= 0)
		return;
	if (pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &entry) != 0)
		return;
	for (p = first; p <= last && c->n < RULES_MAX_DUPNAMES; p += entry)
		c->num[c->n++] = (uint32_t)(p[0] << 8 | p[1]);
}

static int
kind_parse(const char *s, size_t len, enum rule_kind *kind, const char **needs)
{
	size_t i;

	for (i = 0; i < sizeof rule_kinds / sizeof rule_kinds[0]; i++) {
		if (strlen(rule_kinds[i].name) == len &&
		    memcmp(rule_kinds[i].name, s, len) == 0) {
			*kind = rule_kinds[i].kind;
			*needs = rule_kinds[i].needs;
			return (0);
		}
	}
	return (-1);
}

/* Whether the pattern text sets options inline ("(?i)", "(?x-i:"). */
static int
sets_options(const char *re, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i++) {
		if (re[i] == '\\')
			i++;
		else if (re[i] == '(' && re[i + 1] == '?' &&
		    strchr("imnsxJU^-", re[i + 2]) != NULL)
			return (1);
	}
	return (0);
}

/*
 * The byte every match must start with, for a rule anchored at the start
 * of the subject (most markers: "^SM_..."), or -1. Checking it before
 * calling PCRE2 skips most lines for the price of one comparison. PCRE2
 * reports a first letter under an inline (?i) without saying it is
 * caseless, so such patterns get no first byte.
 */
static int
anchored_first_byte(pcre2_code *re, const char *src, size_t len)
{
	uint32_t options, type, unit;

	if (pcre2_pattern_info(re, PCRE2_INFO_ALLOPTIONS, &options) != 0 ||
	    pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 ||
	    pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODEUNIT, &unit) != 0)
		return (-1);
	if (!(options & PCRE2_ANCHORED) || (options & PCRE2_CASELESS) ||
	    type != 1 || unit > 0x7f)
		return (-1);
	if (((unit >= 'a' && unit <= 'z') || (unit >= 'A' && unit <= 'Z')) &&
	    sets_options(src, len))
		return (-1);
	return ((int)unit);
}

int
rules_may_jit(void)
{
	return (!UNDER_VALGRIND());
}

static int
compile_rule(struct rules *rs, struct rule *r, const char *re, size_t len,
    size_t column, char **cause)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int err;

	r->re = pcre2_compile((PCRE2_SPTR)re, len,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DUPNAMES, &err, &off,
	    NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "%s line %u column %zu: %s", r->file, r->line,
		    column + off, (char *)msg);
		return (-1);
	}
	/* Without JIT the interpreter runs the same pattern, only slower. */
	if (rules_may_jit())
		(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	r->md = pcre2_match_data_create_from_pattern(r->re, NULL);
	if (r->md == NULL)
		xalloc_failed("PCRE2 match data");
	r->first = anchored_first_byte(r->re, re, len);
	capture_find(r->re, "group", &r->group);
	capture_find(r->re, "host", &r->host);
	capture_find(r->re, "map", &r->map);
	(void)rs;
	return (0);
}

/*
 * Set the error rule option s: 0, or -1 when there is none of that name,
 * or 1 when it contradicts an option set before (named in *other).
 */
static int
error_option(struct rule *r, const char *s, size_t len, const char **set,
    const char **other)
{
	static const struct {
		const char *name;
		int severity, role, flags;
		int slot; /* options in one slot exclude each other */
	} opts[] = {
	    {"error", RULE_SEV_ERROR, -1, 0, 0},
	    {"warning", RULE_SEV_WARNING, -1, 0, 0},
	    {"cause", -1, RULE_CAUSE, 0, 1},
	    {"consequence", -1, RULE_CONSEQUENCE, 0, 1},
	    {"open", -1, -1, RULE_OPEN, 2},
	    {"continue", -1, -1, RULE_CONTINUE, 2},
	};
	size_t i;

	for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (strlen(opts[i].name) != len ||
		    memcmp(opts[i].name, s, len) != 0)
			continue;
		if (set[opts[i].slot] != NULL &&
		    strcmp(set[opts[i].slot], opts[i].name) != 0) {
			*other = set[opts[i].slot];
			return (1);
		}
		set[opts[i].slot] = opts[i].name;
		if (opts[i].severity >= 0)
			r->severity = (enum rule_severity)opts[i].severity;
		if (opts[i].role >= 0)
			r->role = (enum rule_role)opts[i].role;
		r->flags |= opts[i].flags;
		return (0);
	}
	return (-1);
}

/* Parse the options after "KIND," (comma separated). */
static int
options_parse(
    struct rule *r, const char *s, size_t len, size_t column, char **cause)
{
	const char *set[3] = {NULL, NULL, NULL}, *other = NULL;
	size_t i = 0, start;
	int rc;

	while (i < len) {
		start = ++i;
		while (i < len && s[i] != ',')
			i++;
		if (r->kind != RULE_ERROR && i - start == 4 &&
		    memcmp(s + start, "json", 4) == 0) {
			r->json = 1;
			continue;
		}
		rc = r->kind != RULE_ERROR
		    ? -1
		    : error_option(r, s + start, i - start, set, &other);
		if (rc == 1) {
			xasprintf(cause,
			    "%s line %u column %zu: options \"%s\" and "
			    "\"%.*s\" contradict each other",
			    r->file, r->line, column + start, other,
			    (int)(i - start), s + start);
			return (-1);
		}
		if (rc != 0) {
			xasprintf(cause,
			    "%s line %u column %zu: unknown option \"%.*s\" "
			    "(known: %s)",
			    r->file, r->line, column + start, (int)(i - start),
			    s + start,
			    r->kind == RULE_ERROR
				? "error, warning, cause, consequence, open, "
				  "continue"
				: "json");
			return (-1);
		}
	}
	return (0);
}

static int
is_blank(char c)
{
	return (c == ' ' || c == '\t');
}

/*
 * The literal a pattern starts with, when every match must start so: the
 * pattern has no '|' outside a group, and the literal ends before the
 * first character with a meaning (and before a quantified last one).
 * litscan gives up on patterns it does not follow (a recursion such as
 * the host maps' (?&map)); their leading literal still spares the work.
 */
static int
leading_literal(const char *p, size_t len, struct buf *lit)
{
	size_t i = p[0] == '^', depth = 0, j;
	int in_class = 0;

	for (j = 0; j < len; j++) {
		if (p[j] == '\\')
			j++;
		else if (in_class)
			in_class = p[j] != ']';
		else if (p[j] == '[')
			in_class = 1;
		else if (p[j] == '(')
			depth++;
		else if (p[j] == ')' && depth > 0)
			depth--;
		else if (p[j] == '|' && depth == 0)
			return (-1);
	}
	for (j = i; j < len && strchr("\\.[](){}*+?^$|", p[j]) == NULL; j++)
		;
	if (j < len && strchr("*+?{", p[j]) != NULL && j > i)
		j--;
	if (j - i < LITSCAN_MIN)
		return (-1);
	buf_add(lit, p + i, j - i);
	return (0);
}

/* Add a rule's literals to its kind's scanner: 0, or -1 for none. */
static int
add_literals(struct rules *rs, enum rule_kind kind, const char *p, size_t len)
{
	struct buf lit = BUF_INIT;
	int rc = 0;

	if (litscan_add(rs->kind_lits[kind], p, len) == 0) {
		litscan_add(rs->classify_lits, p, len);
		litscan_add(rs->all_lits, p, len);
	} else if (leading_literal(p, len, &lit) == 0) {
		litscan_add(rs->kind_lits[kind], lit.data, lit.len);
		litscan_add(rs->classify_lits, lit.data, lit.len);
		litscan_add(rs->all_lits, lit.data, lit.len);
	} else
		rc = -1;
	buf_free(&lit);
	return (rc);
}

/* Note rule i under its kind; lines run only the rules of one kind. */
static void
kind_add(struct rules *rs, enum rule_kind kind, size_t i)
{
	rs->kinds[kind].v = xgrow(rs->kinds[kind].v, rs->kinds[kind].n,
	    &rs->kinds[kind].cap, 8, sizeof *rs->kinds[kind].v);
	rs->kinds[kind].v[rs->kinds[kind].n++] = i;
}

static int
rules_add_line(struct rules *rs, const char *name, unsigned lineno,
    const char *line, size_t len, char **cause)
{
	struct rule r;
	const char *needs;
	size_t i = 0, word, comma;

	while (len > 0 && (is_blank(line[len - 1]) || line[len - 1] == '\r'))
		len--;
	while (i < len && is_blank(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return (0);
	memset(&r, 0, sizeof r);
	r.file = xstrdup(name);
	r.line = lineno;
	word = i;
	while (i < len && !is_blank(line[i]))
		i++;
	for (comma = word; comma < i && line[comma] != ','; comma++)
		;
	if (kind_parse(line + word, comma - word, &r.kind, &needs) != 0) {
		xasprintf(cause,
		    "%s line %u column %zu: unknown rule kind \"%.*s\" "
		    "(known: stream, marker, hostmap, error)",
		    name, lineno, word + 1, (int)(comma - word), line + word);
		goto fail;
	}
	if (options_parse(&r, line + comma, i - comma, comma + 1, cause) != 0)
		goto fail;
	while (i < len && is_blank(line[i]))
		i++;
	if (i == len) {
		xasprintf(cause,
		    "%s line %u column %zu: missing regular "
		    "expression after \"%.*s\"",
		    name, lineno, i + 1, (int)(comma - word), line + word);
		goto fail;
	}
	if (compile_rule(rs, &r, line + i, len - i, i + 1, cause) != 0)
		goto fail;
	if (needs != NULL &&
	    ((strcmp(needs, "host") == 0 && r.host.n == 0) ||
		(strcmp(needs, "group") == 0 && r.group.n == 0) ||
		(strcmp(needs, "map") == 0 && r.map.n == 0))) {
		xasprintf(cause,
		    "%s line %u column %zu: a %s rule needs a "
		    "named capture (?<%s>...)",
		    name, lineno, i + 1, rule_kinds[r.kind].name, needs);
		goto fail;
	}
	if (r.kind == RULE_ERROR) {
		r.filtered = litscan_add(rs->lits, line + i, len - i) == 0;
		if (r.filtered)
			litscan_add(rs->all_lits, line + i, len - i);
		rs->nerror++;
		rs->nunfiltered += !r.filtered;
	} else if (rs->kind_lits[r.kind] != NULL) {
		r.filtered = add_literals(rs, r.kind, line + i, len - i) == 0;
		rs->kind_unfiltered[r.kind] += !r.filtered;
	}
	rs->v = xgrow(rs->v, rs->n, &rs->cap, 16, sizeof *rs->v);
	kind_add(rs, r.kind, rs->n);
	rs->v[rs->n++] = r;
	return (0);

fail:
	pcre2_match_data_free(r.md);
	pcre2_code_free(r.re);
	free(r.file);
	return (-1);
}

int
rules_load(struct rules *rs, const char *name, const char *text, size_t len,
    char **cause)
{
	size_t start = 0, end, n;
	unsigned lineno = 0;

	rs->digest = rs->digest * 0x100000001b3ULL ^ hash_fnv1a(text, len);
	/* Editors on Windows start UTF-8 with a byte order mark. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		start = 3;
	while (start < len) {
		end = start;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		if (memchr(text + start, '\0', end - start) != NULL) {
			xasprintf(cause, "%s line %u: NUL byte in rule file",
			    name, lineno);
			return (-1);
		}
		/* A CR LF line end is a line end. */
		n = end - start;
		n -= n > 0 && end < len && text[end - 1] == '\r';
		if (rules_add_line(rs, name, lineno, text + start, n, cause) !=
		    0)
			return (-1);
		start = end + 1;
	}
	return (0);
}

/* A loop of symbolic links: name the links in it, as far as they go. */
static void
link_loop(const char *path, char **cause)
{
	struct buf chain = BUF_INIT;
	char target[PATH_MAX], *cur, *dir, *next, *seen[8];
	ssize_t n;
	int i, j, again = 0;

	buf_adds(&chain, path);
	cur = xstrdup(path);
	for (i = 0; i < 8 && !again; i++) {
		seen[i] = xstrdup(cur);
		if ((n = readlink(cur, target, sizeof target - 1)) < 0)
			break;
		target[n] = '\0';
		buf_printf(&chain, " -> %s", target);
		if (target[0] == '/' || strrchr(cur, '/') == NULL)
			next = xstrdup(target);
		else {
			dir = xstrndup(cur, (size_t)(strrchr(cur, '/') - cur));
			xasprintf(&next, "%s/%s", dir, target);
			free(dir);
		}
		free(cur);
		cur = next;
		for (j = 0; j <= i; j++)
			again |= strcmp(cur, seen[j]) == 0;
	}
	if (!again)
		buf_adds(&chain, " -> ...");
	for (j = 0; j < i; j++)
		free(seen[j]);
	free(cur);
	xasprintf(cause, "rules file %s: a loop of symbolic links (%s)", path,
	    chain.data);
	buf_free(&chain);
}

int
rules_load_file(struct rules *rs, const char *path, char **cause)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ELOOP)
			link_loop(path, cause);
		else
			xasprintf(
			    cause, "rules file %s: %s", path, strerror(errno));
		return (-1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > RULES_FILE_MAX) {
			xasprintf(cause, "rules file %s: larger than %d MB",
			    path, RULES_FILE_MAX / (1024 * 1024));
			goto out;
		}
	}
	if (ferror(f)) {
		xasprintf(cause, "rules file %s: %s", path, strerror(errno));
		goto out;
	}
	rc = rules_load(rs, path, b.data == NULL ? "" : b.data, b.len, cause);
out:
	fclose(f);
	buf_free(&b);
	return (rc);
}

uint64_t
rules_digest(const struct rules *rs)
{
	return (rs->digest);
}

int
rules_load_default(struct rules *rs, char **cause)
{
	char *name;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < rules_nbuiltin; i++) {
		xasprintf(&name, "(built-in) %s", rules_builtin[i].name);
		rc = rules_load(rs, name, rules_builtin[i].text,
		    rules_builtin[i].len, cause);
		free(name);
	}
	return (rc);
}

/*
 * Run one rule. A limit error counts against the rule and is reported once;
 * past RULES_MAX_LIMIT_HITS the rule is switched off.
 */
static int
rule_exec(
    struct rules *rs, struct rule *r, const char *s, size_t len, size_t start)
{
	int rc;

	if (r->disabled)
		return (0);
	if (r->first >= 0 && (len == 0 || (unsigned char)s[0] != r->first))
		return (0);
	rc = pcre2_match(r->re, (PCRE2_SPTR)s, len, start, 0, r->md, rs->mctx);
	if (rc >= 0)
		return (1);
	if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
		return (0);
	if (r->limit_hits++ == 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof msg);
		log_warn("rule %s line %u: %s (the line is skipped)", r->file,
		    r->line, (char *)msg);
	}
	if (r->limit_hits >= RULES_MAX_LIMIT_HITS) {
		r->disabled = 1;
		log_warn("rule %s line %u: switched off after %u failed "
			 "matches",
		    r->file, r->line, r->limit_hits);
	}
	return (0);
}

/* The first set capture among c's groups; 0 when none is set. */
static int
capture_get(struct rule *r, const struct capture *c, const char *s,
    const char **p, size_t *len)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	int i;

	for (i = 0; i < c->n; i++) {
		if (ov[2 * c->num[i]] == PCRE2_UNSET)
			continue;
		*p = s + ov[2 * c->num[i]];
		*len = ov[2 * c->num[i] + 1] - ov[2 * c->num[i]];
		return (1);
	}
	return (0);
}

/*
 * Fetch capture c into b, decoding JSON escapes for json rules: 1, or 0
 * when the capture is not set, or -1 when its escapes are malformed.
 */
static int
capture_decode(struct rule *r, const struct capture *c, const char *s,
    struct buf *b, const char **p, size_t *len)
{
	if (!capture_get(r, c, s, p, len))
		return (0);
	if (!r->json)
		return (1);
	buf_reset(b);
	if (json_unescape(b, *p, *len) != 0)
		return (-1);
	*p = b->data == NULL ? "" : b->data;
	*len = b->len;
	return (1);
}

static int
hit_fill(struct rules *rs, struct rule *r, const char *s, struct rules_hit *hit)
{
	memset(hit, 0, sizeof *hit);
	hit->kind = r->kind;
	hit->file = r->file;
	hit->line = r->line;
	switch (r->kind) {
	case RULE_STREAM:
		/* An empty host names nothing: the next rule may. */
		return (capture_decode(r, &r->host, s, &rs->host, &hit->host,
			    &hit->host_len) == 1 &&
		    hit->host_len > 0);
	case RULE_MARKER:
		if (capture_decode(r, &r->group, s, &rs->group, &hit->group,
			&hit->group_len) != 1)
			return (0);
		/* A host that cannot be decoded must not fall back to self. */
		switch (capture_decode(
		    r, &r->host, s, &rs->host, &hit->host, &hit->host_len)) {
		case -1:
			return (0);
		case 0:
			hit->host = NULL;
			break;
		}
		return (1);
	case RULE_HOSTMAP:
		return (capture_get(r, &r->map, s, &hit->map, &hit->map_len));
	case RULE_ERROR:
		hit->severity = r->severity;
		hit->role = r->role;
		hit->flags = r->flags;
		return (1);
	}
	return (0);
}

int
rules_match_stream(
    struct rules *rs, const char *name, size_t len, rules_hit_fn fn, void *arg)
{
	struct rules_hit hit;
	struct rule *r;
	size_t i;

	for (i = 0; i < rs->kinds[RULE_STREAM].n; i++) {
		r = &rs->v[rs->kinds[RULE_STREAM].v[i]];
		if (!rule_exec(rs, r, name, len, 0))
			continue;
		if (hit_fill(rs, r, name, &hit)) {
			fn(arg, &hit);
			return (1);
		}
	}
	return (0);
}

/*
 * Run the rules of one kind over s. Markers stop at their first match in a
 * line; a hostmap rule looks at every match in the event, since the same
 * key can appear more than once (the Training Env JSON has a top-level
 * "instance_groups" list of names before resource_config's list of maps).
 */
static void
match_kind(struct rules *rs, enum rule_kind kind, const char *s, size_t len,
    rules_hit_fn fn, void *arg)
{
	struct litscan *lits = rs->kind_lits[kind];
	struct rules_hit hit;
	struct rule *r;
	PCRE2_SIZE *ov;
	size_t i, start;
	int n, lit = -1; /* a literal of the kind is in s: not asked yet */

	/* Nearly no line holds a marker: one scan spares PCRE2 the rest. */
	if (lits != NULL && rs->kinds[kind].n > 0 &&
	    rs->kind_unfiltered[kind] == 0 &&
	    !(lit = litscan_any(lits, s, len)))
		return;
	for (i = 0; i < rs->kinds[kind].n; i++) {
		r = &rs->v[rs->kinds[kind].v[i]];
		if (r->filtered && lit < 0)
			lit = litscan_any(lits, s, len);
		if (r->filtered && !lit)
			continue;
		for (start = 0, n = 0;
		     n < RULES_MAX_MATCHES && rule_exec(rs, r, s, len, start);
		     n++) {
			if (hit_fill(rs, r, s, &hit) && fn(arg, &hit))
				return;
			if (kind != RULE_HOSTMAP)
				break;
			ov = pcre2_get_ovector_pointer(r->md);
			start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			if (start > len)
				break;
		}
	}
}

void
rules_match_line(
    struct rules *rs, const char *line, size_t len, rules_hit_fn fn, void *arg)
{
	match_kind(rs, RULE_MARKER, line, len, fn, arg);
}

void
rules_match_event(
    struct rules *rs, const char *msg, size_t len, rules_hit_fn fn, void *arg)
{
	match_kind(rs, RULE_HOSTMAP, msg, len, fn, arg);
}

int
rules_may_classify(const struct rules *rs, const char *msg, size_t len)
{
	if (rs->kind_unfiltered[RULE_MARKER] > 0 ||
	    rs->kind_unfiltered[RULE_HOSTMAP] > 0)
		return (1);
	if (rs->kinds[RULE_MARKER].n == 0 && rs->kinds[RULE_HOSTMAP].n == 0)
		return (0);
	return (litscan_any(rs->classify_lits, msg, len));
}

int
rules_may_match(const struct rules *rs, const char *msg, size_t len)
{
	if (rs->kind_unfiltered[RULE_MARKER] > 0 ||
	    rs->kind_unfiltered[RULE_HOSTMAP] > 0 || rs->nunfiltered > 0)
		return (1);
	if (rs->kinds[RULE_MARKER].n == 0 && rs->kinds[RULE_HOSTMAP].n == 0 &&
	    rs->nerror == 0)
		return (0);
	return (litscan_any(rs->all_lits, msg, len));
}

int
rules_have_errors(const struct rules *rs)
{
	return (rs->nerror > 0);
}

int
rules_may_error(const struct rules *rs, const char *s, size_t len)
{
	if (rs->nerror == 0)
		return (0);
	return (rs->nunfiltered > 0 || litscan_any(rs->lits, s, len));
}

int
rules_match_error(
    struct rules *rs, const char *line, size_t len, struct rules_hit *hit)
{
	struct rule *r;
	size_t i;
	int lit = -1; /* a required literal is in the line: not asked yet */

	if (rs->nerror == 0)
		return (0);
	if (rs->nunfiltered == 0 && !litscan_any(rs->lits, line, len))
		return (0);
	for (i = 0; i < rs->kinds[RULE_ERROR].n; i++) {
		r = &rs->v[rs->kinds[RULE_ERROR].v[i]];
		if (r->filtered && lit < 0)
			lit = litscan_any(rs->lits, line, len);
		if ((!r->filtered || lit) && rule_exec(rs, r, line, len, 0))
			return (hit_fill(rs, r, line, hit));
	}
	return (0);
}
