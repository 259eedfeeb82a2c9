/*
 * tui_text: log bytes to screen cells, and the user's regular
 * expressions (search, filter) that match the same raw bytes. The
 * bottom of the terminal UI's files: it knows no other part of the UI.
 * Nothing outside tui*.c includes it.
 *
 * Ownership: cells and regexes are the caller's structs; *_free() and
 * tui_regex_clear() release what they hold.
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#define NCURSES_WIDECHAR 1
#define PCRE2_CODE_UNIT_WIDTH 8

#include <curses.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Colour roles, mapped to attributes once (tui_draw_colors()). */
enum tui_role {
	ROLE_TEXT,
	ROLE_HEADER,
	ROLE_TITLE, /* a pane's title bar */
	ROLE_SELECTED, /* the selected pane's title bar */
	ROLE_STATUS,
	ROLE_HOST,
	ROLE_TIME,
	ROLE_ESCAPE, /* a neutralised control or invalid byte */
	ROLE_MATCH, /* a search match */
	ROLE_PROMPT,
	ROLE_NOTICE, /* messages and warnings on the last line */
	ROLE_MARK, /* an error's mark; the current error; the first failure */
	ROLE_WARN, /* a warning's mark */
	ROLE_ERRTEXT, /* the text of an error's lines */
	ROLE_GROUP0, /* group tags, cycling */
	ROLE_GROUP1,
	ROLE_GROUP2,
	ROLE_GROUP3,
	ROLE_GROUP4,
	ROLE_GROUP5,
	ROLE_COUNT,
};
#define TUI_GROUP_ROLES 6

/* One screen cell: a spacing character and up to 3 combining ones. */
#define TUI_CELL_WC 5
struct tui_cell {
	wchar_t wc[TUI_CELL_WC]; /* NUL-terminated */
	unsigned char width; /* 1 or 2 columns */
	unsigned char role;
	uint32_t off; /* byte offset in the source text */
};

struct tui_cells {
	struct tui_cell *v;
	size_t n, cap;
	size_t cols; /* columns used */
	size_t base; /* added to the offsets of the cells added next */
};

/* A regular expression the user typed (search, filter). */
struct tui_regex {
	pcre2_code *re; /* NULL: none */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	char *pattern;
};

void tui_cells_reset(struct tui_cells *);
void tui_cells_free(struct tui_cells *);
/*
 * Append the cells that show s (untrusted bytes) until max columns are
 * used: printable characters as they are, TAB as spaces, a C0 control or
 * DEL as "^X", a C1 or bidi/invisible formatting character as "<U+XXXX>",
 * an invalid byte as "\xNN" (these in ROLE_ESCAPE).
 */
void tui_cells_add(
    struct tui_cells *, const char *s, size_t len, int role, size_t max);
/* Give the cells from byte so to eo of their source text role. */
void
tui_cells_mark(struct tui_cells *, size_t from, size_t so, size_t eo, int role);

int tui_regex_set(struct tui_regex *, const char *pattern, char **cause);
void tui_regex_clear(struct tui_regex *);
/* Next match at or after start: 1 with [*so, *eo), else 0. */
int tui_regex_find(struct tui_regex *, const char *s, size_t len, size_t start,
    size_t *so, size_t *eo);

#endif
