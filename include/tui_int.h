/*
 * tui_int: what the files of the terminal UI share (tui.c: state, sink,
 * terminal, export; tui_text.c: log bytes to safe screen cells;
 * tui_draw.c: the screens; tui_keys.c: keys and prompts). Nothing outside
 * tui*.c includes it.
 */
#ifndef TUI_INT_H
#define TUI_INT_H

#define NCURSES_WIDECHAR 1
#define PCRE2_CODE_UNIT_WIDTH 8

#include <curses.h>
#include <pcre2.h>
#include <stdint.h>
#include <wchar.h>

#include "buf.h"
#include "scrollback.h"
#include "tui.h"

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
};

/* A regular expression the user typed (search, filter). */
struct tui_regex {
	pcre2_code *re; /* NULL: none */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	char *pattern;
};

enum tui_screen {
	SCREEN_OVERVIEW, /* one pane per group */
	SCREEN_GROUP, /* one group */
	SCREEN_ALL, /* every group interleaved */
};

enum tui_prompt {
	PROMPT_NONE,
	PROMPT_SEARCH,
	PROMPT_FILTER_IN,
	PROMPT_FILTER_OUT,
	PROMPT_EXPORT,
};

/* A group as the screens list them: described by the job, or seen. */
struct tui_pane {
	const char *name;
	size_t len;
	int sb; /* scrollback index, or -1: no line yet */
	const char *type; /* instance type, or NULL */
	int expected; /* hosts, or -1 */
};

#define DIRTY_HEADER 0x1
#define DIRTY_BODY 0x2
#define DIRTY_STATUS 0x4
#define DIRTY_ALL 0x7

struct tui {
	struct tui_options opt;
	struct scrollback *sb;
	int started, ended;
	int quit;
	unsigned dirty;
	struct tui_info info;
	attr_t attrs[ROLE_COUNT]; /* attributes of roles */
	short pairs[ROLE_COUNT]; /* colour pairs of roles, 0: none */

	enum tui_screen screen;
	char *focus; /* the focused or selected group's name, or NULL */
	size_t focus_len;
	int help;
	struct tui_pane *panes;
	size_t npanes, panes_cap;

	int follow; /* at the end, new lines scroll in */
	uint64_t bottom; /* not following: seq of the bottom line */
	uint64_t drawn_top, drawn_bottom; /* seqs shown by the last draw */
	int body_rows;
	int timestamps, wrap;
	struct tui_regex search, filter;
	int filter_out; /* hide matching lines instead of others */
	const char *host; /* narrowed to this host (interned), or NULL */
	uint64_t match; /* seq of the current search match, or 0 */

	/* Errors (opt.errors), by id: the seq of each one's first line. */
	uint64_t *err_seq;
	size_t nerr, err_cap;
	long cur_err; /* the error last jumped to, or -1 */
	uint64_t err_line; /* seq of its line, highlighted; 0: none */
	/* What the header showed of the first failure, to see it change. */
	const struct errors_entry *shown_first;
	size_t shown_count, shown_len;
	int shown_open;

	enum tui_prompt prompt;
	struct buf input; /* the prompt's text, UTF-8 */
	char *notice; /* a message on the last line, or NULL */
	int notice_error;

	uint64_t events;
	int64_t newest; /* newest event time, ms */
	int64_t started_ms; /* monotonic */
	int64_t rate_at; /* when rates were last computed, monotonic */
	uint64_t rate_events, rate_requests;
	double ev_rate, req_rate;

	struct tui_cells cells; /* scratch for drawing */
	struct buf scratch;
};

/* tui_text.c */
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

/* tui.c */
void tui_notice(struct tui *, int error, const char *, ...)
    __attribute__((format(printf, 3, 4)));
void tui_export(struct tui *, const char *dir);
/* The line (0 from the first) that byte offset off of msg is on. */
size_t tui_line_of(const char *msg, size_t len, size_t off);
/* A line passes the view's host narrowing and filter. */
int tui_visible(struct tui *, const struct sb_line *);
/* The scrollback group the view shows: SCROLLBACK_ALL for all, below
 * that for a group with no line yet. */
int tui_view_group(struct tui *);
const struct sb_line *tui_prev(struct tui *, int group, uint64_t before);
const struct sb_line *tui_next(struct tui *, int group, uint64_t after);
void tui_panes(struct tui *);
int tui_pane_index(struct tui *);
void tui_focus(struct tui *, const char *name, size_t len);

/* Counts of the group named name, or NULL when it has none yet. */
const struct errors_counts *
tui_group_errors(struct tui *, const char *name, size_t len, size_t *index);

/* tui_draw.c */
void tui_draw_colors(struct tui *);
void tui_draw(struct tui *);

/* tui_keys.c */
void tui_keys(struct tui *);

#endif
