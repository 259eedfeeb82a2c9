/*
 * tui_text: untrusted log bytes become screen cells that show, never act:
 * controls in caret notation, C1 and bidi characters by name, invalid
 * bytes in hex, wide and combining characters in one cell; and the UI's
 * regular expressions on raw bytes.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tui_state.h"
#include "unit.h"

/* The cells as UTF-8 text, each escape role cell wrapped in nothing. */
static char *
shown(struct tui_cells *c, size_t *escapes)
{
	static char out[1024];
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t i, j, n, len = 0;

	*escapes = 0;
	for (i = 0; i < c->n; i++) {
		*escapes += c->v[i].role == ROLE_ESCAPE;
		for (j = 0; j < TUI_CELL_WC && c->v[i].wc[j] != 0; j++) {
			memset(&ps, 0, sizeof ps);
			n = wcrtomb(mb, c->v[i].wc[j], &ps);
			if (n == (size_t)-1 || len + n >= sizeof out)
				return (NULL);
			memcpy(out + len, mb, n);
			len += n;
		}
	}
	out[len] = '\0';
	return (out);
}

static const struct {
	const char *in;
	size_t max;
	const char *want;
	size_t escapes; /* cells in ROLE_ESCAPE */
	size_t cols;
} cases[] = {
    {"plain text", 80, "plain text", 0, 10},
    {"a\033[31mb", 80, "a^[[31mb", 2, 8},
    {"\033]52;c;ZXZpbA==\007x", 80, "^[]52;c;ZXZpbA==^Gx", 4, 19},
    {"\xff\xfe", 80, "\\xff\\xfe", 8, 8},
    {"\xc3(", 80, "\\xc3(", 4, 5},
    {"\xc2\x9b"
     "31m",
	80, "<U+009B>31m", 8, 11},
    {"\xe2\x80\xae"
     "exe",
	80, "<U+202E>exe", 8, 11},
    {"\xe2\x80\xa8", 80, "<U+2028>", 8, 8},
    {"a\tb", 80, "a       b", 0, 9},
    {"NUL\0x", 80, "NUL^@x", 2, 6},
    {"del\x7f", 80, "del^?", 2, 5},
    {"\xe4\xb8\xad", 80, "\xe4\xb8\xad", 0, 2},
    {"e\xcc\x81!", 80, "e\xcc\x81!", 0, 2},
    {"abcdef", 3, "abc", 0, 3},
    {"a\xe4\xb8\xad", 2, "a", 0, 2},
    {"\033[2J", 2, "^[", 2, 2},
};

static void
test_cells(void)
{
	struct tui_cells c;
	size_t i, esc, len;
	char *got;

	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tui_cells_reset(&c);
		len = strlen(cases[i].in);
		if (strncmp(cases[i].in, "NUL", 3) == 0)
			len = 5;
		tui_cells_add(&c, cases[i].in, len, ROLE_TEXT, cases[i].max);
		got = shown(&c, &esc);
		UNIT_STREQ(got, cases[i].want, cases[i].want);
		UNIT_CHECK(esc == cases[i].escapes, "%s: %zu escape cells",
		    cases[i].want, esc);
		UNIT_CHECK(c.cols == cases[i].cols, "%s: %zu columns",
		    cases[i].want, c.cols);
	}
	tui_cells_free(&c);
}

static void
test_regex(void)
{
	struct tui_regex r;
	struct tui_cells c;
	char *cause = NULL;
	size_t so, eo, i, n = 0;
	const char line[] = "loss=2.5 \xff loss=1.25";

	memset(&r, 0, sizeof r);
	memset(&c, 0, sizeof c);
	UNIT_CHECK(tui_regex_set(&r, "(", &cause) == -1 && cause != NULL,
	    "invalid regex refused");
	free(cause);
	UNIT_CHECK(r.re == NULL, "nothing kept");
	UNIT_CHECK(tui_regex_set(&r, "loss=[0-9.]+", &cause) == 0, "valid");
	UNIT_CHECK(tui_regex_find(&r, line, sizeof line - 1, 0, &so, &eo) &&
		so == 0 && eo == 8,
	    "first match");
	UNIT_CHECK(tui_regex_find(&r, line, sizeof line - 1, eo, &so, &eo) &&
		so == 11 && eo == 20,
	    "past the invalid byte: %zu %zu", so, eo);
	tui_cells_add(&c, line, sizeof line - 1, ROLE_TEXT, 80);
	tui_cells_mark(&c, 0, 11, 20, ROLE_MATCH);
	for (i = 0; i < c.n; i++)
		n += c.v[i].role == ROLE_MATCH;
	UNIT_CHECK(n == 9, "9 cells highlighted: %zu", n);
	tui_regex_clear(&r);
	tui_cells_free(&c);
}

int
main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
	test_cells();
	test_regex();
	return (unit_done("tuitext"));
}
