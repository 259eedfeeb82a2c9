/*
 * The terminal UI's edges: the sink that fills the spool, taking and
 * giving back the terminal (on every exit path), and the loop's per-pass
 * hook, which reads keys (tui_keys.c) and draws (tui_draw.c). The state
 * the parts share is in tui_state.c, the screens in tui_view_*.c.
 */
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "palette.h"
#include "progress.h"
#include "selection.h"
#include "strmap.h"
#include "tui.h"
#include "tui_draw.h"
#include "tui_keys.h"
#include "tui_search.h"
#include "tui_state.h"
#include "tui_sweep.h"
#include "tui_views.h"
#include "xmalloc.h"

/* A progress bar's state and the host (and rank) it came from. */
struct tui_bar {
	uint64_t seq; /* the line of its last state; 0: the host went on */
	struct buf key; /* what names the bar */
};

/* The UI whose terminal must be restored on a fatal path. */
static struct tui *active;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
/* SIGHUP (the terminal closed) kills the process too: caught the same way,
 * so the spool goes with it, unless it was ignored (nohup). */
static int hup_caught;

/* The terminal back, and the spool's files gone (the process dies). */
static void
restore_terminal(void)
{
	if (active != NULL && active->started && !active->ended) {
		active->ended = 1;
		endwin();
	}
	if (active != NULL)
		spool_abandon(active->spool);
}

/* Allocation failed: the terminal back, then what was held. */
static void
on_nomem(void)
{
	restore_terminal();
	log_release();
}

/* A crash, or the terminal gone: give the terminal back (and remove the
 * spool), then die of the same signal. */
static void
on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct tui *
tui_new(const struct tui_options *opt, char **cause)
{
	struct spool_options so;
	struct tui *t;

	so.dir = opt->spool_dir;
	so.limit = opt->spool_limit;
	so.cache = opt->scrollback;
	t = xcalloc(1, sizeof *t);
	if ((t->spool = spool_new(&so, cause)) == NULL) {
		free(t);
		return (NULL);
	}
	t->opt = *opt;
	t->timestamps = opt->timestamps;
	t->wrap = 0;
	t->follow = 1;
	t->view = &tui_view_overview;
	t->dirty = DIRTY_ALL;
	t->started_ms = clock_mono_ms();
	t->rate_at = t->started_ms;
	t->cur_err = -1;
	t->rank = -1;
	t->selecting = opt->selection != NULL;
	t->bars = strmap_new();
	t->sweep = tui_sweep_new();
	return (t);
}

int
tui_start(struct tui *t, char **cause)
{
	size_t i;

	setlocale(LC_CTYPE, "");
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
	hup_caught = signal(SIGHUP, on_fatal) != SIG_IGN;
	if (!hup_caught)
		signal(SIGHUP, SIG_IGN);
	log_hold();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* No poll of the keyboard between rows: keys are read after the
	 * draw anyway. */
	typeahead(-1);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	tui_draw_colors(t);
	/*
	 * ncurses 6.4 writes out its buffer after every cursor move until
	 * the screen has once been left and taken again (mvcur flushes while
	 * the screen is "initial"): some 40 write(2)s a redraw, each a chance
	 * for a loaded machine to switch to the terminal before the rest (a
	 * PgUp took 95 ms). Leaving and retaking it now, before anything is
	 * drawn, makes every redraw one write.
	 */
	endwin();
	refresh();
	return (0);
}

int
tui_busy(void *arg)
{
	return (tui_search_running(arg) || tui_sweep_running(arg));
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
	if (hup_caught)
		signal(SIGHUP, SIG_DFL);
	xmalloc_set_fatal_hook(NULL);
	active = NULL;
	log_release();
}

void
tui_free(struct tui *t)
{
	size_t i;

	if (t == NULL)
		return;
	tui_end(t);
	spool_free(t->spool);
	for (i = 0; i < t->nbars; i++) {
		buf_free(&t->barv[i]->key);
		free(t->barv[i]);
	}
	free(t->barv);
	strmap_free(t->bars);
	free(t->ranks);
	palette_free(t->palette);
	buf_free(&t->shown);
	tui_regex_clear(&t->search);
	tui_regex_clear(&t->filter);
	tui_sweep_free(t->sweep);
	free(t->focus);
	free(t->panes);
	free(t->err_seq);
	free(t->notice);
	buf_free(&t->input);
	buf_free(&t->scratch);
	tui_cells_free(&t->cells);
	free(t);
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

void
tui_resized(struct tui *t)
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

/*
 * Write out the lines of this pass (a quiet moment for the disk); a spool
 * that stopped keeping lines (a full disk) is said once, on the last line
 * and among the warnings printed at the end. The run goes on.
 */
static void
spool_check(struct tui *t)
{
	spool_flush(t->spool);
	if (spool_error(t->spool) == NULL || t->spool_said)
		return;
	t->spool_said = 1;
	log_warn("%s", spool_error(t->spool));
	tui_notice(t, 1, "%s", spool_error(t->spool));
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
	spool_check(t);
	/* Pane names may point into the job's last description. */
	tui_panes(t);
	update_rates(t);
	tui_keys(t);
	if (t->quit)
		return (1);
	/* The narrowing first: a search waits for it. */
	tui_sweep_step(t);
	tui_search_step(t);
	tui_draw(t);
	return (0);
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
			spool_mark(t->spool, line, TUI_MARK_EVENT, ev->mark);
	for (; es != NULL && t->nerr < errors_count(es); t->nerr++) {
		e = errors_at(es, t->nerr);
		t->err_seq = xgrow(
		    t->err_seq, t->nerr, &t->err_cap, 64, sizeof *t->err_seq);
		line = first + tui_line_of(ev->msg, ev->len, e->offset);
		if (line > last) /* past the event's own last line end */
			line = last;
		t->err_seq[t->nerr] = line;
		spool_mark(t->spool, line, TUI_MARK_EVENT,
		    e->severity == RULE_SEV_ERROR ? EVENT_ERROR
						  : EVENT_WARNING);
		for (k = 1; k < e->lines && line + k <= last; k++)
			spool_mark(
			    t->spool, line + k, TUI_MARK_EVENT, EVENT_TRACE);
	}
}

/*
 * A progress bar shows its latest state: when a host's (and rank's) line
 * is a state of the bar its previous line was, that line is superseded
 * (hidden unless --raw-progress; the spool and exports keep it).
 */
static void
supersede(struct tui *t, const struct out_event *ev, uint64_t seq)
{
	struct progress_bar pb;
	struct mpi_tag tag;
	struct tui_bar *b;
	struct buf key = BUF_INIT;
	const char *s;
	size_t len = ev->len;
	int tagged, bar;

	/* One line: the event's own last line end ends it (spool.h). */
	if (len > 0 && ev->msg[len - 1] == '\n')
		len--;
	if (t->opt.raw || t->opt.raw_progress ||
	    memchr(ev->msg, '\n', len) != NULL)
		return;
	s = tui_shown(t, ev->msg, len, 1, &len, &tag, &tagged);
	bar = progress_parse(s, len, &pb);
	buf_add(&key, ev->host, ev->host_len);
	if (ev->ranked)
		buf_printf(&key, "@%u", ev->rank);
	b = strmap_get(t->bars, key.data, key.len);
	if (b == NULL && bar) {
		b = xcalloc(1, sizeof *b);
		strmap_put(t->bars, key.data, key.len, b);
		t->barv = xreallocarray(t->barv, t->nbars + 1, sizeof *t->barv);
		t->barv[t->nbars++] = b;
	}
	buf_free(&key);
	if (b == NULL)
		return;
	if (!bar) {
		b->seq = 0;
		return;
	}
	if (b->seq != 0 && b->key.len == pb.key_len &&
	    memcmp(b->key.data, pb.key, pb.key_len) == 0)
		spool_mark(
		    t->spool, b->seq, TUI_MARK_SUPERSEDED, TUI_MARK_SUPERSEDED);
	b->seq = seq;
	buf_reset(&b->key);
	buf_add(&b->key, pb.key, pb.key_len);
}

/* Note a rank seen, for the keys that narrow to one. */
static void
rank_seen(struct tui *t, unsigned rank)
{
	size_t need = rank / 8 + 1;

	if (rank > MPI_RANK_MAX)
		return;
	if (need > t->ranks_len) {
		t->ranks = xreallocarray(t->ranks, need, 1);
		memset(t->ranks + t->ranks_len, 0, need - t->ranks_len);
		t->ranks_len = need;
	}
	t->ranks[rank / 8] |= (unsigned char)(1u << (rank % 8));
}

/* The sink: every line into the spool. */
static enum sink_status
tui_event(void *state, const struct out_event *ev, char **cause)
{
	struct tui *t = state;
	uint64_t first = spool_last_seq(t->spool) + 1, last, line;
	struct spool_event se;

	(void)cause;
	se.group = ev->group;
	se.group_len = ev->group_len;
	se.host = ev->host;
	se.host_len = ev->host_len;
	se.stream = ev->stream;
	se.stream_len = ev->stream_len;
	se.via = NULL;
	se.via_len = 0;
	/* A placed rank's line: under its host, carried by the master. */
	if (ev->ranked && ev->rank_placed && ev->via != NULL &&
	    (ev->via_len != ev->host_len ||
		memcmp(ev->via, ev->host, ev->host_len) != 0)) {
		se.via = ev->via;
		se.via_len = ev->via_len;
	}
	se.ts = ev->timestamp;
	se.msg = ev->msg;
	se.len = ev->len;
	/* A plain file's text is indexed where it lies. */
	se.file = ev->origin.path;
	se.off = ev->origin.off;
	spool_add(t->spool, &se);
	last = spool_last_seq(t->spool);
	mark_lines(t, ev, first, last);
	if (t->opt.selection != NULL && !selection_keep(t->opt.selection, ev))
		for (line = first; line <= last; line++)
			spool_mark(t->spool, line, TUI_MARK_UNSELECTED,
			    TUI_MARK_UNSELECTED);
	if (ev->ranked)
		rank_seen(t, ev->rank);
	if (first == last)
		supersede(t, ev, first);
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
