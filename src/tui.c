/*
 * The terminal UI's state and its edges: the sink that fills the
 * scrollback, taking and giving back the terminal (on every exit path),
 * the loop's per-pass hook, the views' walk over visible lines, and the
 * export from inside the UI. Drawing is in tui_draw.c, keys in
 * tui_keys.c, the handling of untrusted text in tui_text.c.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"
#include "export.h"
#include "log.h"
#include "loop.h"
#include "tui_int.h"
#include "xmalloc.h"

/* The UI whose terminal must be restored on a fatal path. */
static struct tui *active;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void
restore_terminal(void)
{
	if (active != NULL && active->started && !active->ended) {
		active->ended = 1;
		endwin();
	}
}

/* Allocation failed: the terminal back, then what was held. */
static void
on_nomem(void)
{
	restore_terminal();
	log_release();
}

/* A crash: give the terminal back, then die of the same signal. */
static void
on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct tui *
tui_new(const struct tui_options *opt)
{
	struct tui *t;

	t = xcalloc(1, sizeof *t);
	t->opt = *opt;
	t->sb = scrollback_new(opt->scrollback, 0);
	t->timestamps = opt->timestamps;
	t->wrap = 0;
	t->follow = 1;
	t->screen = SCREEN_OVERVIEW;
	t->dirty = DIRTY_ALL;
	t->started_ms = clock_mono_ms();
	t->rate_at = t->started_ms;
	t->cur_err = -1;
	return (t);
}

int
tui_start(struct tui *t, char **cause)
{
	size_t i;

	setlocale(LC_CTYPE, "");
	/* Ours before initscr(), so curses leaves SIGWINCH to the loop. */
	loop_watch_resize();
	if (newterm(NULL, stdout, stdin) == NULL) {
		xasprintf(cause, "cannot start the terminal UI (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return (-1);
	}
	active = t;
	t->started = 1;
	xmalloc_set_fatal_hook(on_nomem);
	for (i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		signal(fatal_signals[i], on_fatal);
	log_hold();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	tui_draw_colors(t);
	return (0);
}

int
tui_fd(const struct tui *t)
{
	(void)t;
	return (STDIN_FILENO);
}

void
tui_end(struct tui *t)
{
	size_t i;

	if (t == NULL || !t->started)
		return;
	if (!t->ended) {
		t->ended = 1;
		endwin();
	}
	for (i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		signal(fatal_signals[i], SIG_DFL);
	xmalloc_set_fatal_hook(NULL);
	active = NULL;
	log_release();
}

void
tui_free(struct tui *t)
{
	if (t == NULL)
		return;
	tui_end(t);
	scrollback_free(t->sb);
	tui_regex_clear(&t->search);
	tui_regex_clear(&t->filter);
	free(t->focus);
	free(t->panes);
	free(t->err_seq);
	free(t->notice);
	buf_free(&t->input);
	buf_free(&t->scratch);
	tui_cells_free(&t->cells);
	free(t);
}

void
tui_notice(struct tui *t, int error, const char *fmt, ...)
{
	va_list ap;

	free(t->notice);
	va_start(ap, fmt);
	xvasprintf(&t->notice, fmt, ap);
	va_end(ap);
	t->notice_error = error;
	t->dirty |= DIRTY_STATUS;
}

/* Counters once a second, for the status line. */
static void
update_rates(struct tui *t)
{
	int64_t now = clock_mono_ms(), dt = now - t->rate_at;

	if (dt < 1000)
		return;
	t->ev_rate = (double)(t->events - t->rate_events) * 1000 / (double)dt;
	t->req_rate =
	    (double)(t->info.requests - t->rate_requests) * 1000 / (double)dt;
	t->rate_events = t->events;
	t->rate_requests = t->info.requests;
	t->rate_at = now;
	t->dirty |= DIRTY_HEADER | DIRTY_STATUS;
}

static void
resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	t->dirty = DIRTY_ALL;
}

/*
 * New errors change the counts in the header and the titles; the first
 * failure can be replaced, and an open traceback's summary grows.
 */
static void
errors_changed(struct tui *t)
{
	const struct errors *es = t->opt.errors;
	const struct errors_entry *first;

	if (es == NULL)
		return;
	first = errors_first(es);
	/* Open, it may change in place: read it again each pass. */
	if ((first == NULL || !first->open) && first == t->shown_first &&
	    errors_count(es) == t->shown_count &&
	    (first == NULL ||
		(first->summary_len == t->shown_len &&
		    first->open == t->shown_open)))
		return;
	t->shown_first = first;
	t->shown_count = errors_count(es);
	t->shown_len = first != NULL ? first->summary_len : 0;
	t->shown_open = first != NULL ? first->open : 0;
	t->dirty |= DIRTY_HEADER;
}

int
tui_pass(void *arg)
{
	struct tui *t = arg;
	struct tui_info old = t->info;

	if (!t->started || t->ended)
		return (1);
	if (t->opt.info != NULL)
		t->opt.info(t->opt.arg, &t->info);
	if (memcmp(&old, &t->info, sizeof old) != 0)
		t->dirty |= DIRTY_HEADER | DIRTY_STATUS;
	errors_changed(t);
	/* Pane names may point into the job's last description. */
	tui_panes(t);
	if (loop_resized())
		resize(t);
	update_rates(t);
	tui_keys(t);
	if (t->quit)
		return (1);
	tui_draw(t);
	return (0);
}

size_t
tui_line_of(const char *msg, size_t len, size_t off)
{
	const char *p = msg, *end = msg + (off < len ? off : len), *nl;
	size_t n = 0;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = nl + 1;
	}
	return (n);
}

/*
 * Mark the lines of an event the error detector looked at (lines first
 * to last): each error or warning it began on its first line, the rest of
 * a traceback begun here, and all of an event that carries one on. Each
 * error's first line is kept by id, for the keys that jump to errors.
 */
static void
mark_lines(
    struct tui *t, const struct out_event *ev, uint64_t first, uint64_t last)
{
	const struct errors *es = t->opt.errors;
	const struct errors_entry *e;
	uint64_t line, k;

	if (ev->mark == EVENT_TRACE || first == last)
		for (line = first; line <= last; line++)
			scrollback_mark(t->sb, line, ev->mark);
	for (; es != NULL && t->nerr < errors_count(es); t->nerr++) {
		e = errors_at(es, t->nerr);
		if (t->nerr == t->err_cap) {
			t->err_cap = t->err_cap == 0 ? 64 : t->err_cap * 2;
			t->err_seq = xreallocarray(
			    t->err_seq, t->err_cap, sizeof *t->err_seq);
		}
		line = first + tui_line_of(ev->msg, ev->len, e->offset);
		t->err_seq[t->nerr] = line;
		scrollback_mark(t->sb, line,
		    e->severity == RULE_SEV_ERROR ? EVENT_ERROR
						  : EVENT_WARNING);
		for (k = 1; k < e->lines && line + k <= last; k++)
			scrollback_mark(t->sb, line + k, EVENT_TRACE);
	}
}

/* The sink: every line into the scrollback. */
static enum sink_status
tui_event(void *state, const struct out_event *ev, char **cause)
{
	struct tui *t = state;
	uint64_t first = scrollback_last_seq(t->sb) + 1;

	(void)cause;
	scrollback_add(t->sb, ev->group, ev->group_len, ev->host, ev->host_len,
	    ev->stream, ev->stream_len, ev->timestamp, ev->msg, ev->len);
	mark_lines(t, ev, first, scrollback_last_seq(t->sb));
	t->events++;
	if (ev->timestamp > t->newest)
		t->newest = ev->timestamp;
	if (t->follow)
		t->dirty |= DIRTY_BODY;
	t->dirty |= DIRTY_STATUS;
	return (SINK_OK);
}

static enum sink_status
tui_finish(void *state, char **cause)
{
	struct tui *t = state;

	(void)cause;
	t->info.done = 1;
	t->dirty |= DIRTY_ALL;
	return (SINK_OK);
}

/* The UI belongs to its caller, who frees it after the pipeline. */
static void
tui_sink_free(void *state)
{
	(void)state;
}

const struct sink tui_sink = {
    .name = "terminal UI",
    .event = tui_event,
    .flush = NULL,
    .finish = tui_finish,
    .free = tui_sink_free,
};

int
tui_view_group(struct tui *t)
{
	int g;

	if (t->screen == SCREEN_ALL || t->focus == NULL)
		return (SCROLLBACK_ALL);
	g = scrollback_group_find(t->sb, t->focus, t->focus_len);
	return (g < 0 ? SCROLLBACK_ALL - 1 : g);
}

int
tui_visible(struct tui *t, const struct sb_line *l)
{
	size_t so, eo;
	int m;

	if (t->host != NULL && l->host != t->host)
		return (0);
	if (t->filter.re == NULL)
		return (1);
	m = tui_regex_find(&t->filter, l->text, l->len, 0, &so, &eo);
	return (t->filter_out ? !m : m);
}

/* A group with no line yet has nothing to walk. */
const struct sb_line *
tui_prev(struct tui *t, int group, uint64_t before)
{
	const struct sb_line *l;

	if (group < SCROLLBACK_ALL)
		return (NULL);
	while ((l = scrollback_prev(t->sb, group, before)) != NULL &&
	    !tui_visible(t, l))
		before = l->seq;
	return (l);
}

const struct sb_line *
tui_next(struct tui *t, int group, uint64_t after)
{
	const struct sb_line *l;

	if (group < SCROLLBACK_ALL)
		return (NULL);
	while ((l = scrollback_next(t->sb, group, after)) != NULL &&
	    !tui_visible(t, l))
		after = l->seq;
	return (l);
}

static int
pane_known(struct tui *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->npanes; i++)
		if (t->panes[i].len == len &&
		    memcmp(t->panes[i].name, name, len) == 0)
			return (1);
	return (0);
}

static struct tui_pane *
pane_add(struct tui *t, const char *name, size_t len)
{
	struct tui_pane *p;

	if (t->npanes == t->panes_cap) {
		t->panes_cap = t->panes_cap == 0 ? 8 : t->panes_cap * 2;
		t->panes = xreallocarray(t->panes, t->panes_cap, sizeof *p);
	}
	p = &t->panes[t->npanes++];
	p->name = name;
	p->len = len;
	p->sb = scrollback_group_find(t->sb, name, len);
	if (p->sb < 0)
		p->sb = SCROLLBACK_ALL - 1; /* no line yet: nothing to walk */
	p->type = NULL;
	p->expected = -1;
	return (p);
}

/*
 * The groups, for the header and the panes: the job's own (in its order,
 * with instance types and counts), then those only the logs named
 * (unassigned, or groups a rule invented). Names point into the job or
 * the scrollback, valid during this pass.
 */
void
tui_panes(struct tui *t)
{
	const struct sagemaker_job *job = t->info.job;
	struct tui_pane *p;
	const char *name;
	size_t i, len;

	t->npanes = 0;
	for (i = 0; job != NULL && i < job->ngroups; i++) {
		if (job->groups[i].name == NULL)
			continue;
		p = pane_add(
		    t, job->groups[i].name, strlen(job->groups[i].name));
		p->type = job->groups[i].instance_type;
		p->expected = job->groups[i].count;
	}
	for (i = 0; i < scrollback_groups(t->sb); i++) {
		name = scrollback_group_name(t->sb, (unsigned)i, &len);
		if (!pane_known(t, name, len))
			pane_add(t, name, len);
	}
	/* An unnamed group (a job that is not heterogeneous): its type. */
	if (job != NULL && job->ngroups == 1 && job->groups[0].name == NULL &&
	    t->npanes == 1) {
		t->panes[0].type = job->groups[0].instance_type;
		t->panes[0].expected = job->groups[0].count;
	}
	if (t->focus == NULL && t->npanes > 0)
		tui_focus(t, t->panes[0].name, t->panes[0].len);
}

const struct errors_counts *
tui_group_errors(struct tui *t, const char *name, size_t len, size_t *index)
{
	const struct errors_counts *c;
	size_t i;

	for (i = 0; t->opt.errors != NULL &&
	     (c = errors_group_at(t->opt.errors, i)) != NULL;
	     i++)
		if (c->len == len && memcmp(c->name, name, len) == 0) {
			if (index != NULL)
				*index = i;
			return (c);
		}
	return (NULL);
}

int
tui_pane_index(struct tui *t)
{
	size_t i;

	for (i = 0; t->focus != NULL && i < t->npanes; i++)
		if (t->panes[i].len == t->focus_len &&
		    memcmp(t->panes[i].name, t->focus, t->focus_len) == 0)
			return ((int)i);
	return (-1);
}

void
tui_focus(struct tui *t, const char *name, size_t len)
{
	free(t->focus);
	t->focus = xmemdup(name, len);
	t->focus_len = len;
	t->host = NULL;
	t->dirty = DIRTY_ALL;
}

/* Feed one event (lines from first to last) to the export sink. */
static enum sink_status
export_one(void *ex, struct buf *msg, const struct sb_line *first,
    struct tui *t, char **cause)
{
	struct out_event ev;

	memset(&ev, 0, sizeof ev);
	ev.timestamp = first->ts;
	ev.group = scrollback_group_name(t->sb, first->group, &ev.group_len);
	ev.host = first->host;
	ev.host_len = first->host_len;
	ev.stream = first->stream;
	ev.stream_len = first->stream_len;
	ev.msg = msg->data != NULL ? msg->data : "";
	ev.len = msg->len;
	return (export_sink.event(ex, &ev, cause));
}

/*
 * Write the scrollback as --export would: events are put together again
 * from their lines, in the order they arrived. What the scrollback
 * dropped is missing, and the user is told so.
 */
void
tui_export(struct tui *t, const char *dir)
{
	const struct sb_line *l, *first = NULL;
	struct buf msg = BUF_INIT;
	enum sink_status rc = SINK_OK;
	char *cause = NULL;
	uint64_t seq = 0, lines = 0, dropped;
	void *ex;

	if ((ex = export_new(dir, t->opt.errors, &cause)) == NULL) {
		tui_notice(t, 1, "export: %s", cause);
		free(cause);
		return;
	}
	while (rc == SINK_OK &&
	    (l = scrollback_next(t->sb, SCROLLBACK_ALL, seq)) != NULL) {
		if (first != NULL && !l->cont)
			rc = export_one(ex, &msg, first, t, &cause);
		if (first == NULL || !l->cont) {
			first = l;
			buf_reset(&msg);
		} else
			buf_addc(&msg, '\n');
		buf_add(&msg, l->text, l->len);
		seq = l->seq;
		lines++;
	}
	if (rc == SINK_OK && first != NULL)
		rc = export_one(ex, &msg, first, t, &cause);
	if (rc == SINK_OK)
		rc = export_sink.finish(ex, &cause);
	export_sink.free(ex);
	buf_free(&msg);
	if (rc != SINK_OK) {
		tui_notice(t, 1, "export: %s", cause);
		free(cause);
		return;
	}
	dropped = scrollback_dropped(t->sb);
	if (dropped > 0)
		tui_notice(t, 1,
		    "exported %llu lines to %s, INCOMPLETE: the oldest %llu "
		    "lines were dropped from the scrollback (--scrollback); "
		    "use --export for the whole job",
		    (unsigned long long)lines, dir,
		    (unsigned long long)dropped);
	else
		tui_notice(t, 0, "exported %llu lines to %s",
		    (unsigned long long)lines, dir);
}
