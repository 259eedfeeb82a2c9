/*
 * Required literals of a regular expression, and a scanner for them.
 *
 * The pattern is read as alternations of branches of items. A branch
 * requires its longest run of plain characters that no quantifier makes
 * optional or, failing that, its first unquantified group all of whose
 * branches require something; an alternation requires what each of its
 * branches does. Anything not understood makes the whole pattern fail.
 *
 * Each literal is found through its rarest pair of adjacent bytes (by a
 * rough frequency table for log text): a line is scanned for the first
 * bytes of those pairs by a table look-up a byte, then for the pair, and
 * only then is a literal compared.
 */
#include <stdlib.h>
#include <string.h>

#include "litscan.h"
#include "xmalloc.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LITSCAN_SIMD_CHECK 1
#endif

struct lit {
	char *s;
	size_t len;
	size_t at; /* offset of its trigger pair */
	unsigned char trigger; /* the pair's first byte */
};

struct litscan {
	struct lit *v; /* sorted by trigger byte */
	size_t n, cap;
	unsigned char trig[256]; /* first bytes of trigger pairs */
	unsigned char pairs[65536 / 8]; /* trigger pairs, a bit each */
	size_t first[256]; /* the first literal of each trigger byte */
	unsigned char lo[16], hi[16]; /* nibble tables of trigger bytes */
	unsigned char lo2[16], hi2[16]; /* and of the bytes after them */
	int simd; /* the CPU has SSSE3 (1) or AVX2 (2) */
};

/* One literal being read: its bytes, and which are its own. */
struct run {
	struct buf cur, best;
};

struct litscan *
litscan_new(void)
{
	struct litscan *ls = xcalloc(1, sizeof *ls);

#ifdef LITSCAN_SIMD_CHECK
	ls->simd = __builtin_cpu_supports("avx2") ? 2
	    : __builtin_cpu_supports("ssse3")	  ? 1
						  : 0;
#endif
	return (ls);
}

void
litscan_free(struct litscan *ls)
{
	size_t i;

	if (ls == NULL)
		return;
	for (i = 0; i < ls->n; i++)
		free(ls->v[i].s);
	free(ls->v);
	free(ls);
}

static int
is_alnum(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

/*
 * Constructs the reader does not follow anywhere in the pattern: option
 * settings (case!), quoting, character codes, references, verbs.
 */
static int
unsupported(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] == '\\') {
			if (is_alnum(p[i + 1]) &&
			    strchr("sSdDwWbBhHvVRAzZGnrtfeK", p[i + 1]) == NULL)
				return (1);
			i++;
		} else if (p[i] == '(' && p[i + 1] == '*')
			return (1);
		else if (p[i] == '(' && p[i + 1] == '?' && i + 2 < len &&
		    strchr(":<P'>|=!#", p[i + 2]) == NULL)
			return (1);
	}
	return (0);
}

/* The end of the class that starts at p[i] == '[', or len. */
static size_t
class_end(const char *p, size_t i, size_t len)
{
	i++;
	if (i < len && p[i] == '^')
		i++;
	if (i < len && p[i] == ']')
		i++;
	while (i < len && p[i] != ']') {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '[' && i + 1 < len && p[i + 1] == ':') {
			while (i + 1 < len && !(p[i] == ':' && p[i + 1] == ']'))
				i++;
			i++;
		}
		i++;
	}
	return (i < len ? i + 1 : len);
}

/* The end of the group that starts at p[i] == '(', or len. */
static size_t
group_end(const char *p, size_t i, size_t len)
{
	int depth = 0;

	while (i < len) {
		if (p[i] == '\\')
			i += 2;
		else if (p[i] == '[')
			i = class_end(p, i, len);
		else {
			if (p[i] == '(')
				depth++;
			else if (p[i] == ')' && --depth == 0)
				return (i + 1);
			i++;
		}
	}
	return (len);
}

/*
 * Where a group's alternation starts, or 0 for a group that requires
 * nothing of the subject (lookaround, comment).
 */
static size_t
group_body(const char *p, size_t i, size_t end)
{
	size_t j;

	if (i + 1 < end && p[i + 1] != '?')
		return (i + 1);
	if (i + 2 >= end)
		return (0);
	switch (p[i + 2]) {
	case ':':
	case '>':
	case '|':
		return (i + 3);
	case 'P':
	case '<':
	case '\'':
		if (p[i + 2] == 'P' && (i + 3 >= end || p[i + 3] != '<'))
			return (0);
		j = i + (p[i + 2] == 'P' ? 4 : 3);
		if (j >= end || !(is_alnum(p[j]) || p[j] == '_'))
			return (0); /* lookbehind, or not a name */
		while (j < end && p[j] != '>' && p[j] != '\'')
			j++;
		return (j < end ? j + 1 : 0);
	}
	return (0);
}

/*
 * The quantifier after an item at p[i]: sets *optional when the item may
 * be absent, *some when it may repeat, and returns the index past it.
 */
static size_t
quantifier(const char *p, size_t i, size_t len, int *optional, int *some)
{
	*optional = *some = 0;
	if (i >= len)
		return (i);
	if (p[i] == '?' || p[i] == '*')
		*optional = 1;
	else if (p[i] == '+')
		*some = 1;
	else if (p[i] == '{' && i + 1 < len && p[i + 1] >= '0' &&
	    p[i + 1] <= '9') {
		*optional = p[i + 1] == '0';
		*some = 1;
		while (i < len && p[i] != '}')
			i++;
	} else
		return (i);
	i++;
	if (i < len && (p[i] == '?' || p[i] == '+'))
		i++;
	return (i);
}

static void
run_end(struct run *r)
{
	if (r->cur.len > r->best.len) {
		buf_reset(&r->best);
		buf_add(&r->best, r->cur.data, r->cur.len);
	}
	buf_reset(&r->cur);
}

static int alternation(const char *, size_t, size_t, struct buf *);

/* The length of the shortest of the literals in b, one a line. */
static size_t
shortest(const struct buf *b)
{
	size_t i, start = 0, min = b->len;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] != '\n')
			continue;
		if (i - start < min)
			min = i - start;
		start = i + 1;
	}
	return (min);
}

/* The literals branch p[i..end) requires, appended to out. */
static int
branch(const char *p, size_t i, size_t end, struct buf *out)
{
	struct run r = {BUF_INIT, BUF_INIT};
	struct buf group = BUF_INIT;
	size_t next, body, group_min = 0;
	int optional, some, rc = -1;
	char c;

	while (i < end) {
		c = p[i];
		if (c == '(') {
			next = group_end(p, i, end);
			body = group_body(p, i, next);
			next = quantifier(p, next, end, &optional, &some);
			run_end(&r);
			if (body != 0 && !optional && group_min == 0 &&
			    alternation(
				p, body, group_end(p, i, end) - 1, &group) == 0)
				group_min = shortest(&group);
			i = next;
			continue;
		}
		if (c == '[')
			next = class_end(p, i, end);
		else if (c == '\\' && i + 1 < end)
			next = i + 2;
		else
			next = i + 1;
		next = quantifier(p, next, end, &optional, &some);
		if (c == '[' || strchr(".^$|{", c) != NULL ||
		    (c == '\\' && is_alnum(p[i + 1])) || optional)
			run_end(&r);
		else {
			buf_addc(&r.cur, c == '\\' ? p[i + 1] : c);
			if (some)
				run_end(&r);
		}
		i = next;
	}
	run_end(&r);
	/* The set of longer literals is found less often by chance. */
	if (group_min > r.best.len) {
		buf_add(out, group.data, group.len);
		rc = 0;
	} else if (r.best.len >= LITSCAN_MIN) {
		buf_add(out, r.best.data, r.best.len);
		buf_addc(out, '\n');
		rc = 0;
	}
	buf_free(&r.cur);
	buf_free(&r.best);
	buf_free(&group);
	return (rc);
}

/* The literals alternation p[i..end) requires: something of each branch. */
static int
alternation(const char *p, size_t i, size_t end, struct buf *out)
{
	size_t start = i, mark = out->len;

	for (;;) {
		if (i >= end || p[i] == '|') {
			if (branch(p, start, i < end ? i : end, out) != 0) {
				out->len = mark;
				return (-1);
			}
			if (i >= end)
				return (0);
			start = ++i;
		} else if (p[i] == '\\')
			i += 2;
		else if (p[i] == '[')
			i = class_end(p, i, end);
		else if (p[i] == '(')
			i = group_end(p, i, end);
		else
			i++;
	}
}

int
litscan_required(const char *pattern, size_t len, struct buf *out)
{
	size_t mark = out->len;

	if (unsupported(pattern, len) || memchr(pattern, '\n', len) != NULL ||
	    alternation(pattern, 0, len, out) != 0) {
		out->len = mark;
		if (out->data != NULL)
			out->data[mark] = '\0';
		return (-1);
	}
	return (0);
}

/*
 * How common a byte is in log text, per mille, roughly (English words,
 * numbers and paths, as in training logs). Only the order matters.
 */
static int
commonness(unsigned char c)
{
	static const struct {
		const char *bytes;
		int n;
	} table[] = {
	    {.bytes = " ", .n = 150},
	    {.bytes = "e", .n = 80},
	    {.bytes = "t", .n = 60},
	    {.bytes = "aoinsr", .n = 50},
	    {.bytes = "ldc", .n = 32},
	    {.bytes = "umh", .n = 25},
	    {.bytes = "0123456789", .n = 20},
	    {.bytes = "pg", .n = 18},
	    {.bytes = "f.:/-_,=", .n = 14},
	    {.bytes = "bywv\"", .n = 10},
	    {.bytes = "k", .n = 7},
	    {.bytes = "EINOSTAR()[]", .n = 6},
	    {.bytes = "x'{}CDLMPFGUB", .n = 4},
	    {.bytes = "z", .n = 2},
	};
	size_t i;

	if (c >= 0x80)
		return (5);
	if (c == '\0')
		return (1);
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strchr(table[i].bytes, c) != NULL)
			return (table[i].n);
	return (c >= 0x20 && c < 0x7f ? 2 : 1);
}

static int
lit_cmp(const void *a, const void *b)
{
	const struct lit *la = a, *lb = b;

	return ((int)la->trigger - (int)lb->trigger);
}

static void
lit_add(struct litscan *ls, const char *s, size_t len)
{
	struct lit *l;
	size_t i;
	int best = 1000, score;
	unsigned char bit;

	ls->v = xgrow(ls->v, ls->n, &ls->cap, 32, sizeof *ls->v);
	l = &ls->v[ls->n++];
	l->s = xmalloc(len);
	memcpy(l->s, s, len);
	l->len = len;
	l->at = 0;
	/* The rarest pair; a first byte already in use costs less. */
	for (i = 0; i + 1 < len; i++) {
		score = commonness((unsigned char)s[i]) * 4 +
		    commonness((unsigned char)s[i + 1]) -
		    (ls->trig[(unsigned char)s[i]] != 0) * 4;
		if (score < best) {
			best = score;
			l->at = i;
		}
	}
	l->trigger = (unsigned char)s[l->at];
	/*
	 * A bucket for each high nibble of the first byte (shared past
	 * eight): its bit marks the nibbles of the pair's first byte, which
	 * the tables then find exactly, and of the second bytes of the
	 * bucket's pairs alone, so a byte after a trigger byte is only taken
	 * for a second byte of a pair that trigger starts (nearly).
	 */
	bit = (unsigned char)(1 << ((l->trigger >> 4) & 7));
	ls->lo[l->trigger & 15] |= bit;
	ls->hi[l->trigger >> 4] |= bit;
	ls->lo2[(unsigned char)s[l->at + 1] & 15] |= bit;
	ls->hi2[(unsigned char)s[l->at + 1] >> 4] |= bit;
	ls->trig[l->trigger] = 1;
	i = (size_t)l->trigger << 8 | (unsigned char)s[l->at + 1];
	ls->pairs[i >> 3] |= (unsigned char)(1 << (i & 7));
}

int
litscan_add(struct litscan *ls, const char *pattern, size_t len)
{
	struct buf b = BUF_INIT;
	char *p, *nl;
	size_t i;

	if (litscan_required(pattern, len, &b) != 0) {
		buf_free(&b);
		return (-1);
	}
	for (p = b.data; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		lit_add(ls, p, (size_t)(nl - p));
	buf_free(&b);
	qsort(ls->v, ls->n, sizeof *ls->v, lit_cmp);
	for (i = ls->n; i-- > 0;)
		ls->first[ls->v[i].trigger] = i;
	return (0);
}

/* Whether a literal with trigger pair s[i..i+1] is at its place. */
static int
check(const struct litscan *ls, const char *s, size_t len, size_t i)
{
	const struct lit *l;
	size_t j;

	for (j = ls->first[(unsigned char)s[i]];
	     j < ls->n && ls->v[j].trigger == (unsigned char)s[i]; j++) {
		l = &ls->v[j];
		if (i >= l->at && len - (i - l->at) >= l->len &&
		    s[i + 1] == l->s[l->at + 1] &&
		    memcmp(s + i - l->at, l->s, l->len) == 0)
			return (1);
	}
	return (0);
}

/* Whether s[i..i+1] is a trigger pair, and then a literal is there. */
static inline int
at(const struct litscan *ls, const unsigned char *p, size_t len, size_t i)
{
	size_t pair = (size_t)p[i] << 8 | p[i + 1];

	return ((ls->pairs[pair >> 3] & (1 << (pair & 7))) != 0 &&
	    check(ls, (const char *)p, len, i));
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define LITSCAN_SIMD 1

/*
 * The positions among 16 at p where a trigger pair may start: the byte
 * there and the byte after it both look up their bucket bits in the
 * nibble tables, and a position is a candidate when one bucket holds both
 * (see lit_add()). p[16] must be readable.
 */
__attribute__((target("ssse3"))) static inline unsigned
pairs16(const unsigned char *p, const __m128i t[4])
{
	const __m128i nib = _mm_set1_epi8(0x0f);
	__m128i v, w, a;

	v = _mm_loadu_si128((const __m128i *)p);
	w = _mm_loadu_si128((const __m128i *)(p + 1));
	a = _mm_and_si128(_mm_shuffle_epi8(t[0], _mm_and_si128(v, nib)),
	    _mm_shuffle_epi8(t[1], _mm_and_si128(_mm_srli_epi16(v, 4), nib)));
	a = _mm_and_si128(a, _mm_shuffle_epi8(t[2], _mm_and_si128(w, nib)));
	a = _mm_and_si128(a,
	    _mm_shuffle_epi8(t[3], _mm_and_si128(_mm_srli_epi16(w, 4), nib)));
	return ((unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(a, _mm_setzero_si128())) ^
	    0xffffu);
}

/*
 * Sixteen bytes at a time with SSSE3; the exact pair table and the
 * literals then decide each candidate. The last 16 bytes are loaded
 * again, so no byte is left to a slower loop. len >= 16, and p[len] is
 * the last byte, which starts no pair.
 */
__attribute__((target("ssse3"))) static int
scan_ssse3(const struct litscan *ls, const unsigned char *p, size_t len)
{
	__m128i t[4];
	unsigned mask;
	size_t i, base;

	t[0] = _mm_loadu_si128((const __m128i *)ls->lo);
	t[1] = _mm_loadu_si128((const __m128i *)ls->hi);
	t[2] = _mm_loadu_si128((const __m128i *)ls->lo2);
	t[3] = _mm_loadu_si128((const __m128i *)ls->hi2);
	for (i = 0; i + 16 <= len; i += 16)
		for (mask = pairs16(p + i, t); mask != 0; mask &= mask - 1)
			if (at(ls, p, len + 1, i + (size_t)__builtin_ctz(mask)))
				return (1);
	if (i == len)
		return (0);
	/* Again the last 16, minus what was looked at. */
	base = len - 16;
	mask = pairs16(p + base, t) & (0xffffu << (i - base));
	for (; mask != 0; mask &= mask - 1)
		if (at(ls, p, len + 1, base + (size_t)__builtin_ctz(mask)))
			return (1);
	return (0);
}

/* pairs16() for 32 positions, with AVX2. */
__attribute__((target("avx2"))) static inline unsigned
pairs32(const unsigned char *p, const __m256i t[4])
{
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i v, w, a;

	v = _mm256_loadu_si256((const __m256i *)p);
	w = _mm256_loadu_si256((const __m256i *)(p + 1));
	a = _mm256_and_si256(
	    _mm256_shuffle_epi8(t[0], _mm256_and_si256(v, nib)),
	    _mm256_shuffle_epi8(
		t[1], _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
	a = _mm256_and_si256(
	    a, _mm256_shuffle_epi8(t[2], _mm256_and_si256(w, nib)));
	a = _mm256_and_si256(a,
	    _mm256_shuffle_epi8(
		t[3], _mm256_and_si256(_mm256_srli_epi16(w, 4), nib)));
	return ((unsigned)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(a, _mm256_setzero_si256())) ^
	    0xffffffffu);
}

/* scan_ssse3() 32 bytes at a time, for len >= 32. */
__attribute__((target("avx2"))) static int
scan_avx2(const struct litscan *ls, const unsigned char *p, size_t len)
{
	__m256i t[4];
	unsigned mask;
	size_t i, base;

	t[0] = _mm256_broadcastsi128_si256(
	    _mm_loadu_si128((const __m128i *)ls->lo));
	t[1] = _mm256_broadcastsi128_si256(
	    _mm_loadu_si128((const __m128i *)ls->hi));
	t[2] = _mm256_broadcastsi128_si256(
	    _mm_loadu_si128((const __m128i *)ls->lo2));
	t[3] = _mm256_broadcastsi128_si256(
	    _mm_loadu_si128((const __m128i *)ls->hi2));
	for (i = 0; i + 32 <= len; i += 32)
		for (mask = pairs32(p + i, t); mask != 0; mask &= mask - 1)
			if (at(ls, p, len + 1, i + (size_t)__builtin_ctz(mask)))
				return (1);
	if (i == len)
		return (0);
	base = len - 32;
	mask = pairs32(p + base, t) & (0xffffffffu << (i - base));
	for (; mask != 0; mask &= mask - 1)
		if (at(ls, p, len + 1, base + (size_t)__builtin_ctz(mask)))
			return (1);
	return (0);
}
#endif

/* The last byte has no pair: literals are found by their pairs' starts. */
int
litscan_any(const struct litscan *ls, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *t = ls->trig;
	size_t i = 0;

	if (len < 2)
		return (0);
	len--;
#ifdef LITSCAN_SIMD
	if (ls->simd == 2 && len >= 32)
		return (scan_avx2(ls, p, len));
	if (ls->simd && len >= 16)
		return (scan_ssse3(ls, p, len));
#endif
	for (; i < len; i++)
		if (t[p[i]] && at(ls, p, len + 1, i))
			return (1);
	return (0);
}
