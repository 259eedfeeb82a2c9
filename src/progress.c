/*
 * Progress bars. Recognition is deliberately narrow: a line is a bar's
 * state only when it has the shape tqdm or Keras draw, so ordinary lines
 * that mention a percentage are never taken for one. A bar is named by the
 * text before its count (tqdm's description, such as "Epoch 1:"), which
 * stays the same while the count moves.
 */
#include <string.h>

#include "progress.h"

static int
is_digit(char c)
{
	return (c >= '0' && c <= '9');
}

/* Parse a whole number of at most 18 digits at *p; -1 when none. */
static long long
number(const char **p, const char *end)
{
	const char *s = *p, *start = *p;
	const char *stop = end - s > 18 ? s + 18 : end;
	long long v = 0;

	for (; s < stop && is_digit(*s); s++)
		v = v * 10 + (*s - '0');
	*p = s;
	return (s == start || (s < end && is_digit(*s)) ? -1 : v);
}

/* The bar's name: the text before at, without its trailing blanks. */
static void
set_key(struct progress_bar *pb, const char *s, const char *at)
{
	while (at > s && (at[-1] == ' ' || at[-1] == '\t'))
		at--;
	pb->key = s;
	pb->key_len = (size_t)(at - s);
}

/*
 * tqdm: "[desc: ]NNN%|bar| n/total [...]", percentage right-aligned. The
 * first '|' after a '%' is looked for by '|', rarer in logs than '%'.
 */
static int
tqdm(const char *s, size_t len, struct progress_bar *pb)
{
	const char *end = s + len, *pct = NULL, *bar, *digits, *p, *bar_end;
	long long percent, n, total;

	for (bar = s; (bar = memchr(bar, '|', (size_t)(end - bar))) != NULL;
	     bar++) {
		if (bar > s && bar[-1] == '%') {
			pct = bar - 1;
			break;
		}
	}
	if (pct == NULL)
		return (0);
	for (digits = pct; digits > s && is_digit(digits[-1]); digits--)
		;
	if (digits == pct || pct - digits > 3)
		return (0);
	p = digits;
	percent = number(&p, pct);
	/* The bar itself, then "| n/total". */
	bar_end = memchr(pct + 2, '|', (size_t)(end - (pct + 2)));
	if (bar_end == NULL || bar_end + 2 >= end || bar_end[1] != ' ')
		return (0);
	p = bar_end + 2;
	if ((n = number(&p, end)) < 0 || p >= end || *p != '/')
		return (0);
	p++;
	total = number(&p, end);
	set_key(pb, s, digits);
	pb->done = percent >= 100 || (total > 0 && n >= total);
	return (1);
}

/* Keras: "[blanks]n/total [=====>....]". */
static int
keras(const char *s, size_t len, struct progress_bar *pb)
{
	const char *end = s + len, *p = s;
	long long n, total;

	while (p < end && *p == ' ')
		p++;
	if (p == end || !is_digit(*p) || (n = number(&p, end)) < 0 ||
	    p >= end || *p != '/')
		return (0);
	p++;
	if ((total = number(&p, end)) <= 0 || end - p < 3 || p[0] != ' ' ||
	    p[1] != '[')
		return (0);
	for (p += 2; p < end && (*p == '=' || *p == '>' || *p == '.'); p++)
		;
	if (p >= end || *p != ']')
		return (0);
	set_key(pb, s, s);
	pb->done = n >= total;
	return (1);
}

int
progress_parse(const char *s, size_t len, struct progress_bar *pb)
{
	return (tqdm(s, len, pb) || keras(s, len, pb));
}

int
progress_parse_unpiped(const char *s, size_t len, struct progress_bar *pb)
{
	return (keras(s, len, pb));
}

int
progress_same(const struct progress_bar *a, const struct progress_bar *b)
{
	return (a->key_len == b->key_len &&
	    memcmp(a->key, b->key, a->key_len) == 0);
}

const char *
progress_collapse(
    const char *s, size_t len, size_t *out_len, struct progress_bar *pb)
{
	const char *end = s + len, *cr, *last = NULL;
	struct progress_bar first, state;
	size_t n;

	while (s < end) {
		cr = memchr(s, '\r', (size_t)(end - s));
		n = (size_t)((cr != NULL ? cr : end) - s);
		if (n > 0) {
			if (!progress_parse(s, n, &state) ||
			    (last != NULL && !progress_same(&first, &state)))
				return (NULL);
			if (last == NULL)
				first = state;
			last = s;
			*out_len = n;
			*pb = state;
		}
		s += n + (cr != NULL);
	}
	return (last);
}
