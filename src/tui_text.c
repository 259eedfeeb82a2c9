/*
 * Log bytes to screen cells. Nothing from a log reaches the terminal as
 * bytes: every character becomes a wide character in a cell that curses
 * draws, and everything that could act on the terminal (C0 and C1
 * controls, DEL, so every escape sequence; bidi overrides and invisible
 * formatting characters; invalid UTF-8; characters the locale cannot
 * show) is replaced by text that names it, in its own colour. The user's
 * regular expressions live here too, as they match the same raw bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_text.h"
#include "utf8.h"
#include "xmalloc.h"

/* A user's pattern cannot make one line's match take long. */
#define TUI_MATCH_LIMIT 200000

static const char hexdigits[] = "0123456789abcdef";

void
tui_cells_reset(struct tui_cells *c)
{
	c->n = 0;
	c->cols = 0;
	c->base = 0;
}

void
tui_cells_free(struct tui_cells *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

static struct tui_cell *
cell_new(struct tui_cells *c, int role, size_t off)
{
	struct tui_cell *cell;

	c->v = xgrow(c->v, c->n, &c->cap, 256, sizeof *c->v);
	cell = &c->v[c->n++];
	memset(cell, 0, sizeof *cell);
	cell->width = 1;
	cell->role = (unsigned char)role;
	cell->off = (uint32_t)(c->base + off);
	c->cols++;
	return (cell);
}

/* Visible ASCII text for a neutralised byte or character. */
static void
add_ascii(struct tui_cells *c, const char *s, size_t off, size_t max)
{
	struct tui_cell *cell;

	for (; *s != '\0' && c->cols < max; s++) {
		cell = cell_new(c, ROLE_ESCAPE, off);
		cell->wc[0] = (wchar_t)(unsigned char)*s;
	}
}

/* Characters that reorder or hide text: bidi controls and invisibles. */
static int
is_format_char(uint32_t cp)
{
	return (cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	    cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x2028 ||
	    cp == 0x2029 || (cp >= 0xe0000 && cp <= 0xe007f) ||
	    (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000);
}

/* One decoded character; cp is a valid scalar value. */
static void
add_char(struct tui_cells *c, uint32_t cp, int role, size_t off, size_t max)
{
	struct tui_cell *last;
	char name[16];
	int w, i;

	w = cp >= 0x80 && cp <= 0x9f ? -1 : wcwidth((wchar_t)cp);
	if (w < 0 || is_format_char(cp)) {
		snprintf(name, sizeof name, "<U+%04X>", (unsigned)cp);
		add_ascii(c, name, off, max);
		return;
	}
	if (w == 0) {
		/* Combining: joins the previous cell, if there is room. */
		last = c->n > 0 ? &c->v[c->n - 1] : NULL;
		if (last == NULL || last->role == ROLE_ESCAPE) {
			snprintf(name, sizeof name, "<U+%04X>", (unsigned)cp);
			add_ascii(c, name, off, max);
			return;
		}
		for (i = 1; i < TUI_CELL_WC - 1; i++)
			if (last->wc[i] == 0) {
				last->wc[i] = (wchar_t)cp;
				break;
			}
		return;
	}
	if (c->cols + (size_t)w > max) {
		c->cols = max; /* stop: a wide character does not fit */
		return;
	}
	last = cell_new(c, role, off);
	last->wc[0] = (wchar_t)cp;
	last->width = (unsigned char)w;
	c->cols += (size_t)w - 1;
}

void
tui_cells_add(
    struct tui_cells *c, const char *s, size_t len, int role, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, col0 = c->cols;
	struct tui_cell *cell;
	char esc[8];
	uint32_t cp;

	while (i < len && c->cols < max) {
		if (p[i] == '\t') {
			do {
				cell = cell_new(c, role, i);
				cell->wc[0] = L' ';
			} while ((c->cols - col0) % 8 != 0 && c->cols < max);
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			esc[0] = '^';
			esc[1] = (char)(p[i] ^ 0x40);
			esc[2] = '\0';
			add_ascii(c, esc, i, max);
			i++;
		} else if (p[i] < 0x80) {
			cell = cell_new(c, role, i);
			cell->wc[0] = (wchar_t)p[i];
			i++;
		} else if ((n = utf8_decode(p + i, len - i, &cp)) == 0) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hexdigits[p[i] >> 4];
			esc[3] = hexdigits[p[i] & 15];
			esc[4] = '\0';
			add_ascii(c, esc, i, max);
			i++;
		} else {
			add_char(c, cp, role, i, max);
			i += n;
		}
	}
}

void
tui_cells_mark(struct tui_cells *c, size_t from, size_t so, size_t eo, int role)
{
	size_t i;

	for (i = from; i < c->n; i++)
		if (c->v[i].off >= so && c->v[i].off < eo)
			c->v[i].role = (unsigned char)role;
}

void
tui_regex_clear(struct tui_regex *r)
{
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->re);
	pcre2_match_context_free(r->mctx);
	free(r->pattern);
	memset(r, 0, sizeof *r);
}

int
tui_regex_set(struct tui_regex *r, const char *pattern, char **cause)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	int err;

	re = pcre2_compile((PCRE2_SPTR)pattern, strlen(pattern),
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "regex at offset %zu: %s", (size_t)off,
		    (const char *)msg);
		return (-1);
	}
	tui_regex_clear(r);
	r->re = re;
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	if ((r->md = pcre2_match_data_create_from_pattern(re, NULL)) == NULL ||
	    (r->mctx = pcre2_match_context_create(NULL)) == NULL)
		xalloc_failed("PCRE2 match data");
	pcre2_set_match_limit(r->mctx, TUI_MATCH_LIMIT);
	r->pattern = xstrdup(pattern);
	return (0);
}

int
tui_regex_find(struct tui_regex *r, const char *s, size_t len, size_t start,
    size_t *so, size_t *eo)
{
	PCRE2_SIZE *ov;
	int rc;

	if (r->re == NULL || start > len)
		return (0);
	rc = pcre2_match(r->re, (PCRE2_SPTR)s, len, start, 0, r->md, r->mctx);
	if (rc < 0)
		return (0);
	ov = pcre2_get_ovector_pointer(r->md);
	*so = ov[0];
	*eo = ov[1];
	return (1);
}
