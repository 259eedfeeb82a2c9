/*
 * The frame. Rows from top: the header (job, status, elapsed; a row of
 * groups with instance types and hosts seen / expected), the body (the
 * shown screen's title row and what it draws), the status line and the
 * line for prompts and messages. Each part is drawn again only
 * when marked dirty, into curses' virtual screen; one doupdate() per pass
 * then sends only the cells that changed, so nothing flickers.
 *
 * Every string that came from outside (log text, host, group and job
 * names, AWS's failure reason, the user's input) goes through
 * tui_cells_add(), so it is shown, never obeyed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "palette.h"
#include "sagemaker.h"
#include "sgr.h"
#include "tui_draw.h"
#include "tui_sweep.h"
#include "tui_walk.h"

struct role_style {
	short fg, bg;
	attr_t color; /* with colours */
	attr_t mono; /* without */
};

/* The one place roles become colours; NO_COLOR swaps to the mono column. */
static const struct role_style styles[ROLE_COUNT] = {
    [ROLE_TEXT] = {-1, -1, A_NORMAL, A_NORMAL},
    [ROLE_HEADER] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [ROLE_TITLE] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [ROLE_SELECTED] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_STATUS] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    [ROLE_HOST] = {COLOR_CYAN, -1, A_NORMAL, A_BOLD},
    [ROLE_TIME] = {COLOR_GREEN, -1, A_NORMAL, A_DIM},
    [ROLE_ESCAPE] = {COLOR_MAGENTA, -1, A_BOLD, A_UNDERLINE},
    [ROLE_MATCH] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE},
    [ROLE_PROMPT] = {-1, -1, A_BOLD, A_BOLD},
    [ROLE_NOTICE] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [ROLE_MARK] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_WARN] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE},
    [ROLE_ERRTEXT] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_GROUP0] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
    [ROLE_GROUP1] = {COLOR_YELLOW, -1, A_BOLD, A_UNDERLINE},
    [ROLE_GROUP2] = {COLOR_BLUE, -1, A_BOLD, A_BOLD},
    [ROLE_GROUP3] = {COLOR_MAGENTA, -1, A_BOLD, A_UNDERLINE},
    [ROLE_GROUP4] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_GROUP5] = {COLOR_RED, -1, A_BOLD, A_UNDERLINE},
};

static const char *const help_text[] = {
    "Keys",
    "",
    "  ?            this help (any key closes it)",
    "  q            quit (the terminal is restored)",
    "  o  Esc       overview (Esc while narrowing: stop it)",
    "  Enter        focus the selected group",
    "  Tab  S-Tab   next / previous group",
    "  1 ... 9      focus group 1 to 9",
    "  a            all groups interleaved, tagged by group",
    "  Up  Down     scroll a line (overview: select a group)",
    "  PgUp  PgDn   scroll a page (also mouse wheel)",
    "  Home  g      the oldest line: the job's first",
    "  End  G       the newest line, following again",
    "  p  Space     pause / resume following",
    "  L            Live Tail on / off (billed by AWS per minute)",
    "  /            search every line (regex; empty clears)",
    "  n  N         next older / newer match",
    "  f  F         show only / hide lines matching a regex; empty:",
    "               every line (the command line's selection too)",
    "  h  H         narrow to the next / previous host; all again",
    "  r  R         narrow to the next / previous MPI rank; all again",
    "  c            ranks in a column of their own (tags off the text)",
    "  t            toggle timestamps (--timezone)",
    "  w            toggle line wrapping",
    "  e            export every line to per-group files",
    "  !            the first failure (header's last row)",
    "  ]  [         next / previous error (this group or all)",
    "  Ctrl-L       redraw the screen",
};

void
tui_draw_colors(struct tui *t)
{
	int i, color = t->opt.color && has_colors();

	if (color) {
		start_color();
		use_default_colors();
		t->palette = palette_new(COLORS);
	}
	t->colored = color;
	for (i = 0; i < ROLE_COUNT; i++) {
		t->pairs[i] = 0;
		t->attrs[i] = color ? styles[i].color : styles[i].mono;
		if (color && (styles[i].fg != -1 || styles[i].bg != -1) &&
		    i < COLOR_PAIRS) {
			init_pair((short)i, styles[i].fg, styles[i].bg);
			t->pairs[i] = (short)i;
		}
	}
}

/* Draw cells from index *from on row y, columns x to maxx (excluded). */
static int
put_cells(struct tui *t, int y, int x, int maxx, size_t *from)
{
	struct tui_cell *c;
	cchar_t cc;
	size_t i;

	for (i = *from; i < t->cells.n; i++) {
		c = &t->cells.v[i];
		if (x + c->width > maxx)
			break;
		setcchar(
		    &cc, c->wc, t->attrs[c->role], t->pairs[c->role], NULL);
		mvadd_wch(y, x, &cc);
		x += c->width;
	}
	*from = i;
	return (x);
}

/* Blank the rest of row y from x, in role. */
static void
fill(struct tui *t, int y, int x, int role)
{
	cchar_t cc;
	wchar_t sp[2] = {L' ', L'\0'};

	setcchar(&cc, sp, t->attrs[role], t->pairs[role], NULL);
	for (; x < COLS; x++)
		mvadd_wch(y, x, &cc);
}

static void
text(struct tui *t, const char *s, int role)
{
	tui_cells_add(&t->cells, s, strlen(s), role, (size_t)COLS * 4);
}

static void
textn(struct tui *t, const char *s, size_t len, int role)
{
	tui_cells_add(&t->cells, s, len, role, (size_t)COLS * 4);
}

/* The cells built so far as one row (cut at the edge), then reset. */
static void
flush_row(struct tui *t, int y, int role)
{
	size_t from = 0;
	int x;

	x = put_cells(t, y, 0, COLS, &from);
	fill(t, y, x, role);
	tui_cells_reset(&t->cells);
}

static int
group_role(unsigned group)
{
	return (ROLE_GROUP0 + (int)(group % TUI_GROUP_ROLES));
}

/* An xterm colour index the terminal can show, or -1. */
static short
shown_color(short c)
{
	if (c < 0)
		return (-1);
	if (c < COLORS)
		return (c);
	/* 8 colours: the bright forms as the plain ones. */
	return (c < 16 ? (short)(c % 8) : -1);
}

/*
 * A role for text in colour fg on bg (xterm indexes, -1: default) with
 * palette attributes: made on first use (a colour pair each), fallback
 * when colours are off or the pairs run out.
 */
static int
color_role(struct tui *t, short fg, short bg, unsigned pattr, int fallback)
{
	struct tui_dyn *d;
	int i, r;

	fg = shown_color(fg);
	bg = shown_color(bg);
	if (!t->colored || (fg < 0 && bg < 0 && pattr == 0))
		return (fallback);
	for (i = 0; i < t->ndyn; i++) {
		d = &t->dyn[i];
		if (d->fg == fg && d->bg == bg && d->pattr == pattr)
			return (ROLE_COUNT + i);
	}
	r = ROLE_COUNT + t->ndyn;
	if (r >= TUI_ROLES || r >= COLOR_PAIRS)
		return (fallback);
	d = &t->dyn[t->ndyn++];
	d->fg = fg;
	d->bg = bg;
	d->pattr = pattr;
	init_pair((short)r, fg, bg);
	t->pairs[r] = (short)r;
	t->attrs[r] = ((pattr & PALETTE_BOLD) ? A_BOLD : 0) |
	    ((pattr & PALETTE_UNDERLINE) ? A_UNDERLINE : 0) |
	    ((pattr & PALETTE_DIM) ? A_DIM : 0);
	return (r);
}

static int
palette_role(struct tui *t, struct palette_color c, int fallback)
{
	return (color_role(t, c.fg, -1, c.attr, fallback));
}

static void
add_time(struct tui *t, int64_t ms, int role)
{
	char s[TUI_CLOCK_LEN + 2];

	tui_clock(ms, s);
	strcat(s, " ");
	text(t, s, role);
}

/*
 * The text of a line in the colours its SGR sequences give (only colours
 * are taken from them; any other sequence is shown neutralised), or all
 * in role when it is not plain text or colours are off.
 */
static void
text_cells(struct tui *t, const char *s, size_t len, int role, size_t max)
{
	struct sgr_attr a = SGR_ATTR_INIT;
	const char *p = s, *run;
	size_t n;

	if (t->opt.raw) {
		tui_cells_add(&t->cells, s, len, role, max);
		return;
	}
	while (t->cells.cols < max && sgr_next(&p, s + len, &a, &run, &n)) {
		t->cells.base = (size_t)(run - s);
		tui_cells_add(&t->cells, run, n,
		    role == ROLE_TEXT ? color_role(t, a.fg, a.bg, 0, role)
				      : role,
		    max);
	}
	t->cells.base = 0;
}

/*
 * Build the cells of one log line: mark ("!" an error's first line, "|"
 * the rest of it, "~" a warning), time, group tag, host (in a shade of
 * its group's colour), rank, text as shown (tui_shown()).
 */
static void
line_cells(struct tui *t, const struct spool_line *l, int tag, size_t max)
{
	const char *name, *s;
	size_t len, start, so, eo, pos, i, n;
	int role = ROLE_TEXT, tagged, grole;
	unsigned mark = l->mark & TUI_MARK_EVENT;
	struct mpi_tag mt;
	char r[32];

	tui_cells_reset(&t->cells);
	if (mark == EVENT_ERROR || mark == EVENT_TRACE) {
		text(t, mark == EVENT_ERROR ? "!" : "|", ROLE_MARK);
		role = ROLE_ERRTEXT;
	} else if (mark == EVENT_WARNING)
		text(t, "~", ROLE_WARN);
	if (t->timestamps)
		add_time(t, l->ts, ROLE_TIME);
	name = spool_group_name(t->spool, l->group, &len);
	if (tag) {
		grole = t->palette != NULL
		    ? palette_role(t, palette_group(t->palette, name, len),
			  group_role(l->group))
		    : group_role(l->group);
		text(t, "[", grole);
		textn(t, name, len, grole);
		text(t, "] ", grole);
	}
	tui_cells_add(&t->cells, l->host, l->host_len,
	    t->palette != NULL
		? palette_role(t,
		      palette_host(t->palette, name, len, l->host, l->host_len),
		      ROLE_HOST)
		: ROLE_HOST,
	    t->cells.cols + 40);
	text(t, " ", ROLE_TEXT);
	/* Forwarded through the master's stream (an MPI rank's output). */
	if (l->via != NULL) {
		text(t, "via ", ROLE_TIME);
		textn(t, l->via, l->via_len, ROLE_TIME);
		text(t, " ", ROLE_TEXT);
	}
	s = tui_shown(t, l->text, l->len, 0, &n, &mt, &tagged);
	if (t->rank_column && tagged) {
		snprintf(r, sizeof r, "r%u ", mt.rank);
		text(t, r, ROLE_TIME);
	}
	start = t->cells.n;
	text_cells(t, s, n, role, max);
	/* Matches of the search are highlighted in the text as shown. */
	pos = 0;
	while (t->search.re != NULL && pos <= n &&
	    tui_regex_find(&t->search, s, n, pos, &so, &eo)) {
		tui_cells_mark(
		    &t->cells, start, so, eo == so ? so + 1 : eo, ROLE_MATCH);
		pos = eo > so ? eo : eo + 1;
	}
	/* The error a key jumped to stands out whole. */
	if (l->seq == t->err_line)
		for (i = 0; i < t->cells.n; i++)
			t->cells.v[i].role = ROLE_MARK;
}

/* Rows the built cells take at width w. */
static int
cell_rows(struct tui *t, int w)
{
	size_t i;
	int x = 0, rows = 1;

	if (!t->wrap)
		return (1);
	for (i = 0; i < t->cells.n; i++) {
		if (x + t->cells.v[i].width > w) {
			rows++;
			x = 0;
		}
		x += t->cells.v[i].width;
	}
	return (rows);
}

uint64_t
tui_draw_lines(struct tui *t, int y0, int y1, int g, uint64_t *top)
{
	const struct spool_line *l;
	uint64_t bottom = 0;
	size_t from, max;
	int y = y1, rows, r, first, x;

	*top = 0;
	max = t->wrap ? (size_t)COLS * (size_t)(y1 - y0 + 1) : (size_t)COLS;
	l = tui_walk_prev(t, g, t->follow ? UINT64_MAX : t->bottom + 1);
	if (l != NULL)
		bottom = l->seq;
	for (; l != NULL && y >= y0; l = tui_walk_prev(t, g, l->seq)) {
		line_cells(t, l, g == SPOOL_ALL, max);
		rows = cell_rows(t, COLS);
		first = y - rows + 1;
		from = 0;
		for (r = 0; r < rows; r++) {
			if (first + r < y0) {
				/* Skip the part above the region. */
				x = 0;
				while (from < t->cells.n &&
				    x + t->cells.v[from].width <= COLS)
					x += t->cells.v[from++].width;
				continue;
			}
			x = put_cells(t, first + r, 0, COLS, &from);
			fill(t, first + r, x,
			    l->seq == t->match		? ROLE_MATCH
				: l->seq == t->err_line ? ROLE_MARK
							: ROLE_TEXT);
		}
		*top = l->seq;
		y = first - 1;
	}
	for (; y >= y0; y--)
		fill(t, y, 0, ROLE_TEXT);
	tui_cells_reset(&t->cells);
	return (bottom);
}

/*
 * A pane's errors and warnings; with hosts, those of each host that has
 * some (the focused group's view).
 */
static void
title_errors(struct tui *t, const struct tui_pane *p, int role, int hosts)
{
	const struct errors_counts *c, *h;
	char s[64];
	size_t gi, i;
	int any = 0;

	if ((c = tui_group_errors(t, p->name, p->len, &gi)) == NULL)
		return;
	if (c->errors > 0) {
		snprintf(s, sizeof s, "  %llu error%s", c->errors,
		    c->errors == 1 ? "" : "s");
		text(t, s, role);
	}
	if (c->warnings > 0) {
		snprintf(s, sizeof s, "  %llu warning%s", c->warnings,
		    c->warnings == 1 ? "" : "s");
		text(t, s, role);
	}
	for (i = 0; hosts && (h = errors_host_at(t->opt.errors, gi, i)) != NULL;
	     i++) {
		if (h->errors == 0)
			continue;
		text(t, any ? ", " : "  by host: ", role);
		textn(t, h->name, h->len, role);
		snprintf(s, sizeof s, " %llu", h->errors);
		text(t, s, role);
		any = 1;
	}
}

/* What a pane's title counts: hosts seen and expected, lines held and
 * dropped. The pane of all groups (sb SPOOL_ALL) adds them up. */
struct pane_counts {
	int seen, expected; /* expected -1: not known */
	size_t lines;
	uint64_t dropped;
};

static void
pane_counts(struct tui *t, const struct tui_pane *p, struct pane_counts *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	c->expected = p->expected;
	if (p->sb >= 0) {
		c->lines = spool_group_lines(t->spool, (unsigned)p->sb);
		c->dropped = spool_group_dropped(t->spool, (unsigned)p->sb);
	}
	if (p->sb != SPOOL_ALL) {
		if (t->opt.hosts != NULL)
			c->seen = t->opt.hosts(t->opt.arg, p->name, p->len);
		return;
	}
	for (i = 0; i < spool_groups(t->spool); i++)
		c->lines += spool_group_lines(t->spool, (unsigned)i);
	c->dropped = spool_dropped(t->spool);
	c->expected = t->npanes > 0 ? 0 : -1;
	for (i = 0; i < t->npanes; i++) {
		if (t->opt.hosts != NULL)
			c->seen += t->opt.hosts(
			    t->opt.arg, t->panes[i].name, t->panes[i].len);
		if (t->panes[i].expected < 0)
			c->expected = -1;
		else if (c->expected >= 0)
			c->expected += t->panes[i].expected;
	}
}

void
tui_draw_title(struct tui *t, int y, const struct tui_pane *p, int selected,
    int host_errors)
{
	int role = selected ? ROLE_SELECTED : ROLE_TITLE;
	struct pane_counts c;
	char s[128];

	pane_counts(t, p, &c);
	text(t, selected ? "> " : "  ", role);
	textn(t, p->name, p->len, role);
	if (p->type != NULL) {
		text(t, "  ", role);
		text(t, p->type, role);
	}
	if (t->opt.hosts != NULL) {
		if (c.expected >= 0)
			snprintf(
			    s, sizeof s, "  hosts %d/%d", c.seen, c.expected);
		else
			snprintf(s, sizeof s, "  hosts %d", c.seen);
		text(t, s, role);
	}
	snprintf(s, sizeof s, "  %zu lines", c.lines);
	text(t, s, role);
	if (c.dropped > 0) {
		snprintf(s, sizeof s, " (%llu older dropped)",
		    (unsigned long long)c.dropped);
		text(t, s, role);
	}
	title_errors(t, p, role, host_errors);
	flush_row(t, y, role);
}

void
tui_draw_message(struct tui *t, int y0, int y1, const char *s)
{
	int y;

	text(t, s, ROLE_NOTICE);
	flush_row(t, y0, ROLE_TEXT);
	for (y = y0 + 1; y <= y1; y++)
		fill(t, y, 0, ROLE_TEXT);
}

/* The shown screen: its title row, then what it draws below. */
static void
draw_body(struct tui *t, int y0, int y1)
{
	t->body_rows = y1 - y0;
	if (t->view->title != NULL)
		t->view->title(t, y0++);
	t->view->draw(t, y0, y1);
}

static void
elapsed(char *s, size_t size, int64_t ms)
{
	int64_t sec = ms < 0 ? 0 : ms / 1000;

	snprintf(s, size, "%lld:%02d:%02d", (long long)(sec / 3600),
	    (int)(sec / 60 % 60), (int)(sec % 60));
}

/* The cells built so far as row y, or only dropped when not drawing. */
static void
header_row(struct tui *t, int y, int draw, int role)
{
	if (draw)
		flush_row(t, y, role);
	else
		tui_cells_reset(&t->cells);
}

/*
 * The header's last rows, when the job failed or its logs have an error:
 * the first failure (time, group, host, summary) and the job's own
 * FailureReason beside it, or on a row of its own when both do not fit.
 * Returns the rows used (0 to 2).
 */
static int
failure_row(struct tui *t, int y, int draw)
{
	const struct errors_entry *e = NULL;
	const char *reason = NULL;
	size_t n, cols;
	char rank[48];

	if (t->opt.errors != NULL) {
		e = errors_first(t->opt.errors);
		reason = errors_reason(t->opt.errors);
	}
	if (t->info.job != NULL && t->info.job->failure_reason != NULL)
		reason = t->info.job->failure_reason;
	if (e == NULL && reason == NULL)
		return (0);
	if (e != NULL) {
		text(t, " first failure ", ROLE_MARK);
		add_time(t, e->timestamp, ROLE_MARK);
		textn(t, e->group, e->group_len, ROLE_MARK);
		text(t, " ", ROLE_MARK);
		textn(t, e->host, e->host_len, ROLE_MARK);
		tui_error_rank(e, rank, sizeof rank);
		text(t, rank, ROLE_MARK);
		text(t, "  ", ROLE_MARK);
		textn(t, e->summary, e->summary_len, ROLE_MARK);
	} else
		text(t, " no error found in the logs", ROLE_MARK);
	if (reason == NULL) {
		header_row(t, y, draw, ROLE_MARK);
		return (1);
	}
	n = t->cells.n;
	cols = t->cells.cols;
	text(t, "  | reason: ", ROLE_MARK);
	text(t, reason, ROLE_MARK);
	if (t->cells.cols <= (size_t)COLS) {
		header_row(t, y, draw, ROLE_MARK);
		return (1);
	}
	/* Both do not fit: the reason gets a row of its own. */
	t->cells.n = n;
	t->cells.cols = cols;
	header_row(t, y, draw, ROLE_MARK);
	text(t, " reason: ", ROLE_MARK);
	text(t, reason, ROLE_MARK);
	header_row(t, y + 1, draw, ROLE_MARK);
	return (2);
}

/* The header; returns its height. */
static int
draw_header(struct tui *t, int draw)
{
	const struct sagemaker_job *job = t->info.job;
	const struct errors_counts *c;
	char s[160], e[32];
	size_t i, from;
	int rows, y, x, seen;
	int64_t end;

	text(t, " cwdemux  ", ROLE_HEADER);
	text(t, t->opt.job != NULL ? t->opt.job : "(all streams)", ROLE_HEADER);
	if (job != NULL) {
		text(t, "  ", ROLE_HEADER);
		text(t, job->status != NULL ? job->status : "?", ROLE_HEADER);
		if (job->secondary != NULL) {
			text(t, " (", ROLE_HEADER);
			text(t, job->secondary, ROLE_HEADER);
			text(t, ")", ROLE_HEADER);
		}
		end = job->ended > 0 ? job->ended : clock_wall_ms();
		if (job->started > 0 || job->created > 0) {
			elapsed(e, sizeof e,
			    end -
				(job->started > 0 ? job->started
						  : job->created));
			snprintf(s, sizeof s, "  elapsed %s", e);
			text(t, s, ROLE_HEADER);
		}
	} else if (!t->info.live) {
		text(t, "  from files", ROLE_HEADER);
		text(t, t->info.done ? " (all read)" : " (reading)",
		    ROLE_HEADER);
	} else {
		elapsed(e, sizeof e, clock_mono_ms() - t->started_ms);
		snprintf(s, sizeof s, "  following for %s", e);
		text(t, s, ROLE_HEADER);
	}
	if (t->info.live) {
		snprintf(s, sizeof s, "  %zu streams", t->info.streams);
		text(t, s, ROLE_HEADER);
		if (t->info.behind > 0) {
			snprintf(s, sizeof s, " (%zu behind)", t->info.behind);
			text(t, s, ROLE_HEADER);
		}
		if (t->info.done)
			text(t, " (all read)", ROLE_HEADER);
		if (t->info.live_tail != NULL) {
			text(t, "  ", ROLE_HEADER);
			text(t, t->info.live_tail, ROLE_HEADER);
		}
	}
	if (t->info.held > 0) {
		snprintf(s, sizeof s, "  %zu stream%s held (group unknown)",
		    t->info.held, t->info.held == 1 ? "" : "s");
		text(t, s, ROLE_HEADER);
	}
	if (draw)
		flush_row(t, 0, ROLE_HEADER);
	else
		tui_cells_reset(&t->cells);
	/* The groups, wrapped over at most two rows. */
	for (i = 0; i < t->npanes; i++) {
		text(t, i == 0 ? " " : "  | ", ROLE_HEADER);
		textn(t, t->panes[i].name, t->panes[i].len, ROLE_HEADER);
		if (t->panes[i].type != NULL) {
			text(t, " ", ROLE_HEADER);
			text(t, t->panes[i].type, ROLE_HEADER);
		}
		if (t->opt.hosts != NULL) {
			seen = t->opt.hosts(
			    t->opt.arg, t->panes[i].name, t->panes[i].len);
			if (t->panes[i].expected >= 0)
				snprintf(s, sizeof s, " %d/%d", seen,
				    t->panes[i].expected);
			else
				snprintf(s, sizeof s, " %d", seen);
			text(t, s, ROLE_HEADER);
		}
		c = tui_group_errors(
		    t, t->panes[i].name, t->panes[i].len, NULL);
		if (c != NULL && c->errors > 0) {
			snprintf(s, sizeof s, ", %llu error%s", c->errors,
			    c->errors == 1 ? "" : "s");
			text(t, s, ROLE_HEADER);
		}
	}
	if (t->npanes == 0)
		text(t, " no groups yet", ROLE_HEADER);
	rows = t->cells.cols > (size_t)COLS ? 2 : 1;
	from = 0;
	for (y = 1; y <= rows; y++) {
		if (draw) {
			x = put_cells(t, y, 0, COLS, &from);
			fill(t, y, x, ROLE_HEADER);
		}
	}
	tui_cells_reset(&t->cells);
	return (1 + rows + failure_row(t, 1 + rows, draw));
}

/* The narrowed host's errors, in the status line. */
static void
host_errors(struct tui *t)
{
	const struct errors_counts *h;
	char s[64];
	size_t gi, i;

	if (t->focus == NULL ||
	    tui_group_errors(t, t->focus, t->focus_len, &gi) == NULL)
		return;
	for (i = 0; (h = errors_host_at(t->opt.errors, gi, i)) != NULL; i++)
		if (h->len == strlen(t->host) &&
		    memcmp(h->name, t->host, h->len) == 0) {
			snprintf(s, sizeof s, " (%llu error%s)", h->errors,
			    h->errors == 1 ? "" : "s");
			text(t, s, ROLE_STATUS);
			return;
		}
}

static void
draw_status(struct tui *t, int y)
{
	char s[160];
	const char *last = log_last();
	int64_t lag;

	text(t, t->follow ? " FOLLOW " : " PAUSED ", ROLE_STATUS);
	snprintf(s, sizeof s, "| %.1f ev/s ", t->ev_rate);
	text(t, s, ROLE_STATUS);
	if (t->info.live) {
		snprintf(s, sizeof s, "| %.1f req/s, budget %.1f/s ",
		    t->req_rate, t->info.rate);
		text(t, s, ROLE_STATUS);
		snprintf(s, sizeof s, "| throttled %llu ",
		    (unsigned long long)t->info.throttled);
		text(t, s, ROLE_STATUS);
		if (t->newest > 0) {
			lag = (clock_wall_ms() - t->newest) / 1000;
			snprintf(s, sizeof s, "| lag %llds ",
			    (long long)(lag < 0 ? 0 : lag));
			text(t, s, ROLE_STATUS);
		}
	}
	snprintf(s, sizeof s, "| %llu events ", (unsigned long long)t->events);
	text(t, s, ROLE_STATUS);
	if (spool_dropped(t->spool) > 0) {
		snprintf(s, sizeof s, "| %llu lines dropped (--spool-limit) ",
		    (unsigned long long)spool_dropped(t->spool));
		text(t, s, ROLE_STATUS);
	}
	if (spool_lost(t->spool) > 0) {
		snprintf(s, sizeof s, "| %llu lines not kept (spool) ",
		    (unsigned long long)spool_lost(t->spool));
		text(t, s, ROLE_STATUS);
	}
	if (t->host != NULL) {
		text(t, "| host ", ROLE_STATUS);
		text(t, t->host, ROLE_STATUS);
		host_errors(t);
		text(t, " ", ROLE_STATUS);
	}
	if (t->rank >= 0) {
		snprintf(s, sizeof s, "| rank %ld ", t->rank);
		text(t, s, ROLE_STATUS);
	}
	if (t->selecting)
		text(t, "| selected by the command line ", ROLE_STATUS);
	if (t->filter.re != NULL) {
		text(t, t->filter_out ? "| hiding /" : "| only /", ROLE_STATUS);
		text(t, t->filter.pattern, ROLE_STATUS);
		text(t, "/ ", ROLE_STATUS);
	}
	if (tui_sweep_running(t)) {
		snprintf(s, sizeof s, "| narrowing %d%% (Esc stops) ",
		    tui_sweep_progress(t));
		text(t, s, ROLE_STATUS);
	}
	if (t->search.re != NULL) {
		text(t, "| search /", ROLE_STATUS);
		text(t, t->search.pattern, ROLE_STATUS);
		text(t, "/ ", ROLE_STATUS);
	}
	if (t->wrap)
		text(t, "| wrap ", ROLE_STATUS);
	snprintf(s, sizeof s, "| warnings %u", log_warnings());
	text(t, s, ROLE_STATUS);
	if (last != NULL) {
		text(t, ": ", ROLE_STATUS);
		text(t, last, ROLE_STATUS);
	}
	flush_row(t, y, ROLE_STATUS);
}

static void
draw_bottom(struct tui *t, int y)
{
	static const char *const prompts[] = {
	    [PROMPT_SEARCH] = "search /",
	    [PROMPT_FILTER_IN] = "show only lines matching /",
	    [PROMPT_FILTER_OUT] = "hide lines matching /",
	    [PROMPT_EXPORT] = "export to directory: ",
	};
	size_t from = 0;
	int x;

	if (t->prompt != PROMPT_NONE) {
		text(t, prompts[t->prompt], ROLE_PROMPT);
		textn(t, t->input.data != NULL ? t->input.data : "",
		    t->input.len, ROLE_TEXT);
		/* The end of the input stays in sight. */
		while (t->cells.cols >= (size_t)COLS && from < t->cells.n)
			t->cells.cols -= t->cells.v[from++].width;
		x = put_cells(t, y, 0, COLS, &from);
		fill(t, y, x, ROLE_TEXT);
		tui_cells_reset(&t->cells);
		curs_set(1);
		move(y, x < COLS ? x : COLS - 1);
		return;
	}
	curs_set(0);
	if (t->notice != NULL)
		text(t, t->notice, t->notice_error ? ROLE_NOTICE : ROLE_PROMPT);
	else
		text(t,
		    "? help  q quit  Tab group  a all  o overview  / search  "
		    "f filter  h host  p pause  e export  ! failure  ] [ "
		    "errors",
		    ROLE_TEXT);
	flush_row(t, y, ROLE_TEXT);
}

static void
draw_help(struct tui *t)
{
	size_t n = sizeof help_text / sizeof help_text[0], i;
	int w = 60, h = (int)n + 2, y0, x0, y;

	if (w > COLS)
		w = COLS;
	y0 = (LINES - h) / 2 > 0 ? (LINES - h) / 2 : 0;
	x0 = (COLS - w) / 2 > 0 ? (COLS - w) / 2 : 0;
	for (y = 0; y < h && y0 + y < LINES; y++) {
		i = (size_t)y;
		if (y > 0 && i - 1 < n)
			text(t, help_text[i - 1],
			    y == 1 ? ROLE_HEADER : ROLE_STATUS);
		{
			size_t from = 0;
			int x = put_cells(t, y0 + y, x0, x0 + w, &from);
			cchar_t cc;
			wchar_t sp[2] = {L' ', L'\0'};

			setcchar(&cc, sp, t->attrs[ROLE_STATUS],
			    t->pairs[ROLE_STATUS], NULL);
			for (; x < x0 + w; x++)
				mvadd_wch(y0 + y, x, &cc);
		}
		tui_cells_reset(&t->cells);
	}
}

void
tui_draw(struct tui *t)
{
	int hh;

	if (t->dirty == 0 && t->prompt == PROMPT_NONE)
		return;
	tui_panes(t);
	/* The body needs a title and a line below a header of up to 5 rows. */
	if (LINES < 5 || COLS < 20 || LINES - 3 - draw_header(t, 0) < 1) {
		erase();
		mvaddstr(0, 0, "too small");
		doupdate();
		refresh();
		t->dirty = 0;
		return;
	}
	hh = draw_header(t, (t->dirty & DIRTY_HEADER) != 0);
	if (t->dirty & (DIRTY_BODY | DIRTY_HEADER))
		draw_body(t, hh, LINES - 3);
	if (t->dirty & DIRTY_STATUS)
		draw_status(t, LINES - 2);
	draw_bottom(t, LINES - 1);
	if (t->help)
		draw_help(t);
	refresh();
	t->dirty = 0;
}
