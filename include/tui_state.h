/*
 * tui_state: the terminal UI's state, shared by its files, and what they
 * all ask of it: which lines the view shows (host narrowing, filter), the
 * groups as panes, the focused group, the message on the last line. The
 * files of the UI are layered, each knowing only those below it: tui_text,
 * tui_state, tui_sweep, then tui_walk (the walk over the lines shown);
 * then tui_draw and tui_move;
 * then the screens (tui_view_*.c, one struct tui_view each); then tui_keys
 * and tui_export; tui.c on top. Nothing outside tui*.c includes it.
 *
 * Ownership: struct tui is created and freed by tui.c; panes' names point
 * into the job's last description or the spool, valid for one pass.
 */
#ifndef TUI_STATE_H
#define TUI_STATE_H

#include "buf.h"
#include "errors.h"
#include "mpi.h"
#include "spool.h"
#include "tui_options.h"
#include "tui_text.h"

struct tui;

/*
 * A screen, as tmux's window modes and htop's panel classes: what it
 * draws, the keys it takes before the common ones, and its title row.
 */
struct tui_view {
	const char *name;
	/* Walks every group interleaved (else the focused group). */
	int all;
	/* One scrolled body (else the overview's panes, one per group). */
	int scrolls;
	/* The title row at y, or NULL for none. */
	void (*title)(struct tui *, int y);
	/* The body, rows y0 to y1. */
	void (*draw)(struct tui *, int y0, int y1);
	/* A function key or character; nonzero when taken. */
	int (*key)(struct tui *, int key);
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
	int sb; /* spool group, SPOOL_ALL (all), or below: no line yet */
	const char *type; /* instance type, or NULL */
	int expected; /* hosts, or -1 */
};

/* A line's mark in the spool: the error detector's (enum event_mark), and
 * the UI's own bits. */
#define TUI_MARK_EVENT 0x3
#define TUI_MARK_SUPERSEDED 0x4 /* a progress bar's older state */
#define TUI_MARK_UNSELECTED 0x8 /* not selected by the command line */

/* Roles: the named ones, then those made for colours (tui_draw.c). */
#define TUI_ROLES 256

#define DIRTY_HEADER 0x1
#define DIRTY_BODY 0x2
#define DIRTY_STATUS 0x4
#define DIRTY_ALL 0x7

/* A search running in slices (tui_search.c). */
struct tui_hunt {
	int on;
	int older; /* towards older lines */
	int g; /* the group walked */
	uint64_t at; /* the last line looked at (seq) */
	uint64_t start, oldest, newest; /* for its progress */
};

struct tui {
	struct tui_options opt;
	struct spool *spool; /* every line shown */
	int spool_said; /* its error was shown */
	int started, ended;
	int quit;
	unsigned dirty;
	struct tui_info info;
	attr_t attrs[TUI_ROLES]; /* attributes of roles */
	short pairs[TUI_ROLES]; /* colour pairs of roles, 0: none */
	int colored; /* colours are on */
	struct palette *palette; /* groups' and hosts' colours, or NULL */
	struct tui_dyn {
		short fg, bg;
		unsigned pattr;
	} dyn[TUI_ROLES - ROLE_COUNT]; /* roles made for colours */
	int ndyn;

	const struct tui_view *view; /* the screen shown */
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
	/* The host, rank and filter over every line (tui_sweep.h). */
	struct tui_sweep *sweep;
	const char *host; /* narrowed to this host (interned), or NULL */
	long rank; /* narrowed to this MPI rank, or -1 */
	int rank_column; /* ranks in a column, their tags off the text */
	unsigned char *ranks; /* a bit for each rank seen */
	size_t ranks_len;
	int selecting; /* the command line's selection hides lines */
	struct strmap *bars; /* host and rank -> struct tui_bar */
	struct tui_bar **barv;
	size_t nbars;
	struct buf shown; /* a line's text as shown (tui_shown()) */
	uint64_t match; /* seq of the current search match, or 0 */
	struct tui_hunt hunt;

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

void tui_notice(struct tui *, int error, const char *, ...)
    __attribute__((format(printf, 3, 4)));
/* Show view v (everything is drawn again). */
void tui_show(struct tui *, const struct tui_view *v);
/* The line (0 from the first) that byte offset off of msg is on. */
size_t tui_line_of(const char *msg, size_t len, size_t off);
/*
 * The text of a line as it is shown, s (len bytes) as received: the CR of
 * its line end off (#15), collector escapes decoded, the MPI tag off
 * (strip_tag, or the rank column shown), a progress bar's states collapsed
 * to the last (unless --raw-progress); with --raw, s as it is. Sets
 * *tagged and *tag. Valid until the next call.
 */
const char *tui_shown(struct tui *, const char *s, size_t len, int strip_tag,
    size_t *out_len, struct mpi_tag *tag, int *tagged);
/* What names an MPI rank's error after its host: " rank 3", with
 * " (host unknown)" when the launcher did not place it; "" for others. */
void tui_error_rank(const struct errors_entry *, char *, size_t);
/* The time of day of ms in the --timezone zone, "hh:mm:ss.mmm". */
#define TUI_CLOCK_LEN 12
void tui_clock(int64_t ms, char out[TUI_CLOCK_LEN + 1]);
/* A line passes the view's host narrowing and filter. */
int tui_visible(struct tui *, const struct spool_line *);
/* The spool group the view walks: SPOOL_ALL for all, below
 * that for a group with no line yet. */
int tui_walked(struct tui *);
/* The groups as panes, again (names may have moved since last pass). */
void tui_panes(struct tui *);
/* The focused pane's index, or -1. */
int tui_pane_index(struct tui *);
void tui_focus(struct tui *, const char *name, size_t len);
/* Counts of the group named name, or NULL when it has none yet. */
const struct errors_counts *
tui_group_errors(struct tui *, const char *name, size_t len, size_t *index);

#endif
