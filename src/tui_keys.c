/*
 * Keys. Everything the user can do is a key (listed by "?" and in
 * cwdemux(1)); a key changes the view's state and marks what must be
 * drawn again, never draws itself. Keys arrive without blocking, so one
 * pass takes all that are waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "tui_int.h"
#include "xmalloc.h"

#define CTRL(c) ((c)&0x1f)

/* Stop following: the view stays where it is. */
static void
pause_here(struct tui *t)
{
	if (!t->follow)
		return;
	t->follow = 0;
	/* The overview's panes end at the newest line of all. */
	if (t->screen != SCREEN_OVERVIEW && t->drawn_bottom != 0)
		t->bottom = t->drawn_bottom;
	else
		t->bottom = scrollback_last_seq(t->sb);
}

static void
resume(struct tui *t)
{
	t->follow = 1;
	t->match = 0;
	t->cur_err = -1;
	t->err_line = 0;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

/* Move the bottom line by n visible lines (up when n < 0). */
static void
scroll_by(struct tui *t, int n)
{
	const struct sb_line *l;
	int g = tui_view_group(t);
	uint64_t s;

	pause_here(t);
	s = t->bottom;
	for (; n < 0; n++) {
		if ((l = tui_prev(t, g, s)) == NULL)
			break;
		s = l->seq;
	}
	for (; n > 0; n--) {
		if ((l = tui_next(t, g, s)) == NULL) {
			resume(t);
			return;
		}
		s = l->seq;
	}
	t->bottom = s;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

static void
scroll_home(struct tui *t)
{
	const struct sb_line *l;
	int g = tui_view_group(t), i;

	pause_here(t);
	if ((l = tui_next(t, g, 0)) == NULL)
		return;
	t->bottom = l->seq;
	/* The oldest line at the top: a page below it at the bottom. */
	for (i = 1; i < t->body_rows; i++) {
		if ((l = tui_next(t, g, t->bottom)) == NULL)
			break;
		t->bottom = l->seq;
	}
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

static void
page(struct tui *t, int down)
{
	pause_here(t);
	if (!down && t->drawn_top != 0) {
		t->bottom = t->drawn_top;
		scroll_by(t, -1);
	} else
		scroll_by(t, down ? t->body_rows - 1 : -(t->body_rows - 1));
}

/* Focus pane i (wrapping around). */
static void
focus_pane(struct tui *t, int i)
{
	tui_panes(t);
	if (t->npanes == 0)
		return;
	i = (i % (int)t->npanes + (int)t->npanes) % (int)t->npanes;
	tui_focus(t, t->panes[i].name, t->panes[i].len);
}

/* The next or previous search match from the view's bottom. */
static void
find(struct tui *t, int older)
{
	const struct sb_line *l;
	int g = tui_view_group(t);
	uint64_t s;
	size_t so, eo;

	if (t->search.re == NULL) {
		tui_notice(t, 1, "no search: type / and a regex");
		return;
	}
	if (t->screen == SCREEN_OVERVIEW)
		t->screen = SCREEN_GROUP;
	g = tui_view_group(t);
	s = t->match != 0 ? t->match : t->follow ? UINT64_MAX : t->bottom + 1;
	for (;;) {
		l = older ? tui_prev(t, g, s) : tui_next(t, g, s);
		if (l == NULL) {
			tui_notice(t, 1, "no %s match for /%s/",
			    older ? "older" : "newer", t->search.pattern);
			return;
		}
		s = l->seq;
		if (tui_regex_find(&t->search, l->text, l->len, 0, &so, &eo))
			break;
	}
	t->follow = 0;
	t->match = l->seq;
	t->bottom = l->seq;
	free(t->notice);
	t->notice = NULL;
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

/* Whether the view steps through error e: errors of its group, or all. */
static int
error_in_view(struct tui *t, const struct errors_entry *e)
{
	if (e->severity != RULE_SEV_ERROR)
		return (0);
	if (t->screen == SCREEN_ALL || t->focus == NULL)
		return (1);
	return (e->group_len == t->focus_len &&
	    memcmp(e->group, t->focus, t->focus_len) == 0);
}

/* Say which error is shown: its place among the view's, time, where. */
static void
error_notice(struct tui *t, const char *what, const struct errors_entry *e)
{
	const struct errors_entry *o;
	size_t i, nth = 0, all = 0;
	char ts[32];
	time_t sec = (time_t)(e->timestamp / 1000);
	struct tm tm;

	for (i = 0; i < t->nerr; i++) {
		o = errors_at(t->opt.errors, i);
		if (o == NULL || !error_in_view(t, o))
			continue;
		all++;
		nth += o->id <= e->id;
	}
	if (e->timestamp < 0 || gmtime_r(&sec, &tm) == NULL)
		snprintf(ts, sizeof ts, "--:--:--.---");
	else
		snprintf(ts, sizeof ts, "%02d:%02d:%02d.%03d", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (int)(e->timestamp % 1000));
	tui_notice(t, 0, "%s%s %zu/%zu: %s %.*s %.*s %.*s", what,
	    *what != '\0' ? ", error" : "error", nth, all, ts,
	    (int)e->group_len, e->group, (int)e->host_len, e->host,
	    (int)e->summary_len, e->summary);
}

/* The first line of error id, or NULL when the scrollback dropped it. */
static const struct sb_line *
error_line(struct tui *t, size_t id)
{
	const struct sb_line *l;

	if (id >= t->nerr)
		return (NULL);
	l = scrollback_next(t->sb, SCROLLBACK_ALL, t->err_seq[id] - 1);
	return (l != NULL && l->seq == t->err_seq[id] ? l : NULL);
}

/*
 * Show error id: in its group's view (the all-groups view stays), its
 * first line a third down the body and highlighted. A host narrowing or
 * filter that would hide it is dropped.
 */
static void
show_error(struct tui *t, size_t id, const char *what)
{
	const struct errors_entry *e = errors_at(t->opt.errors, id);
	const struct sb_line *l, *n;
	const char *name;
	size_t len;
	int i, g;

	if (e == NULL)
		return;
	if ((l = error_line(t, id)) == NULL) {
		tui_notice(t, 1,
		    "that error's line is no longer in the scrollback "
		    "(--scrollback)");
		return;
	}
	name = scrollback_group_name(t->sb, l->group, &len);
	if (t->screen != SCREEN_ALL) {
		if (t->focus == NULL || t->focus_len != len ||
		    memcmp(t->focus, name, len) != 0)
			tui_focus(t, name, len);
		t->screen = SCREEN_GROUP;
	}
	if (t->host != NULL && t->host != l->host)
		t->host = NULL;
	if (!tui_visible(t, l))
		tui_regex_clear(&t->filter);
	t->follow = 0;
	t->match = 0;
	t->cur_err = (long)id;
	t->err_line = l->seq;
	t->bottom = l->seq;
	g = tui_view_group(t);
	for (i = 0; !t->wrap && i < t->body_rows - t->body_rows / 3 - 1; i++) {
		if ((n = tui_next(t, g, t->bottom)) == NULL)
			break;
		t->bottom = n->seq;
	}
	error_notice(t, what, e);
	t->dirty = DIRTY_ALL;
}

static void
first_failure(struct tui *t)
{
	const struct errors_entry *e;

	if (t->opt.errors == NULL ||
	    (e = errors_first(t->opt.errors)) == NULL) {
		tui_notice(t, 1, "no error found (yet)");
		return;
	}
	show_error(t, e->id, "first failure");
}

/*
 * The next (dir > 0) or previous error of the view; those whose line the
 * scrollback dropped are passed over.
 */
static void
step_error(struct tui *t, int dir)
{
	const struct errors_entry *e;
	long id = t->cur_err;

	if (id < 0)
		id = dir > 0 ? -1 : (long)t->nerr;
	for (id += dir; id >= 0 && (size_t)id < t->nerr; id += dir) {
		e = errors_at(t->opt.errors, (size_t)id);
		if (e != NULL && error_in_view(t, e) &&
		    error_line(t, (size_t)id) != NULL) {
			show_error(t, (size_t)id, "");
			return;
		}
	}
	tui_notice(t, 1, "no %s error%s", dir > 0 ? "newer" : "older",
	    t->screen == SCREEN_ALL ? "" : " in this group");
}

/* The hosts of the view, in the order first seen; cycle through them. */
static void
next_host(struct tui *t, int dir)
{
	const struct sb_line *l;
	const char **hosts = NULL;
	size_t n = 0, cap = 0, i, cur = 0;
	int g = tui_view_group(t);
	uint64_t s = 0;

	while ((l = scrollback_next(t->sb, g, s)) != NULL) {
		s = l->seq;
		for (i = 0; i < n && hosts[i] != l->host; i++)
			;
		if (i < n)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			hosts = xreallocarray(hosts, cap, sizeof *hosts);
		}
		hosts[n++] = l->host;
	}
	/* Positions 0..n-1 are hosts, n is "every host". */
	cur = n;
	for (i = 0; i < n; i++)
		if (hosts[i] == t->host)
			cur = i;
	cur = (cur + (size_t)(dir > 0 ? 1 : (int)n)) % (n + 1);
	t->host = cur == n ? NULL : hosts[cur];
	free(hosts);
	t->dirty |= DIRTY_BODY | DIRTY_STATUS;
}

static void
start_prompt(struct tui *t, enum tui_prompt p, const char *init)
{
	t->prompt = p;
	buf_reset(&t->input);
	if (init != NULL)
		buf_adds(&t->input, init);
	free(t->notice);
	t->notice = NULL;
}

static void
prompt_done(struct tui *t)
{
	char *input = xstrdup(t->input.data != NULL ? t->input.data : "");
	enum tui_prompt p = t->prompt;
	char *cause = NULL;

	t->prompt = PROMPT_NONE;
	t->dirty = DIRTY_ALL;
	if (p == PROMPT_EXPORT) {
		if (*input == '\0')
			tui_notice(t, 1, "export: no directory given");
		else
			tui_export(t, input);
	} else if (p == PROMPT_SEARCH && *input == '\0') {
		tui_regex_clear(&t->search);
		t->match = 0;
	} else if (p == PROMPT_SEARCH) {
		if (tui_regex_set(&t->search, input, &cause) != 0) {
			tui_notice(t, 1, "search: %s", cause);
			free(cause);
		} else {
			t->match = 0;
			find(t, 1);
		}
	} else if (*input == '\0')
		tui_regex_clear(&t->filter);
	else if (tui_regex_set(&t->filter, input, &cause) != 0) {
		tui_notice(t, 1, "filter: %s", cause);
		free(cause);
	} else
		t->filter_out = p == PROMPT_FILTER_OUT;
	free(input);
}

/* A key while a prompt is open. */
static void
prompt_key(struct tui *t, int r, wint_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t n;

	t->dirty |= DIRTY_STATUS;
	if (r == KEY_CODE_YES) {
		if (wc == KEY_BACKSPACE)
			wc = 0x7f;
		else if (wc == KEY_ENTER)
			wc = '\r';
		else
			return;
	}
	if (wc == 0x1b || wc == CTRL('g')) {
		t->prompt = PROMPT_NONE;
		t->dirty = DIRTY_ALL;
	} else if (wc == '\r' || wc == '\n')
		prompt_done(t);
	else if (wc == 0x7f || wc == CTRL('h')) {
		/* Remove the last character, however many bytes it has. */
		while (t->input.len > 0 &&
		    (t->input.data[--t->input.len] & 0xc0) == 0x80)
			;
		if (t->input.data != NULL)
			t->input.data[t->input.len] = '\0';
	} else if (wc == CTRL('u'))
		buf_reset(&t->input);
	else if (wc >= 0x20) {
		memset(&ps, 0, sizeof ps);
		if ((n = wcrtomb(mb, (wchar_t)wc, &ps)) != (size_t)-1)
			buf_add(&t->input, mb, n);
	}
}

static void
mouse(struct tui *t)
{
	MEVENT ev;

	if (getmouse(&ev) != OK || t->screen == SCREEN_OVERVIEW)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		scroll_by(t, -3);
	else if (ev.bstate & BUTTON5_PRESSED)
		scroll_by(t, 3);
}

static void
export_prompt(struct tui *t)
{
	char *dir;

	xasprintf(
	    &dir, "./%s-export", t->opt.job != NULL ? t->opt.job : "cwdemux");
	start_prompt(t, PROMPT_EXPORT, dir);
	free(dir);
}

/* Keys that move the view. Returns 0 when k is none of them. */
static int
move_key(struct tui *t, int k)
{
	int i = tui_pane_index(t);

	switch (k) {
	case KEY_UP:
		if (t->screen == SCREEN_OVERVIEW)
			focus_pane(t, i - 1);
		else
			scroll_by(t, -1);
		break;
	case KEY_DOWN:
		if (t->screen == SCREEN_OVERVIEW)
			focus_pane(t, i + 1);
		else
			scroll_by(t, 1);
		break;
	case KEY_PPAGE:
		page(t, 0);
		break;
	case KEY_NPAGE:
		page(t, 1);
		break;
	case KEY_HOME:
	case 'g':
		scroll_home(t);
		break;
	case KEY_END:
	case 'G':
		resume(t);
		break;
	case KEY_MOUSE:
		mouse(t);
		break;
	default:
		return (0);
	}
	return (1);
}

/* Keys that change what is shown. */
static void
view_key(struct tui *t, int k)
{
	int i = tui_pane_index(t);

	switch (k) {
	case 'q':
		t->quit = 1;
		break;
	case '?':
		t->help = 1;
		break;
	case 'o':
	case 0x1b:
		t->screen = SCREEN_OVERVIEW;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		t->screen = SCREEN_GROUP;
		break;
	case '\t':
		focus_pane(t, i + 1);
		if (t->screen == SCREEN_ALL)
			t->screen = SCREEN_GROUP;
		break;
	case KEY_BTAB:
		focus_pane(t, i - 1);
		if (t->screen == SCREEN_ALL)
			t->screen = SCREEN_GROUP;
		break;
	case 'a':
		t->screen = SCREEN_ALL;
		t->host = NULL;
		break;
	case 'p':
	case ' ':
		if (t->follow)
			pause_here(t);
		else
			resume(t);
		break;
	case '/':
		start_prompt(t, PROMPT_SEARCH, NULL);
		break;
	case 'n':
	case 'N':
		find(t, k == 'n');
		break;
	case 'f':
	case 'F':
		start_prompt(
		    t, k == 'f' ? PROMPT_FILTER_IN : PROMPT_FILTER_OUT, NULL);
		break;
	case 'h':
	case 'H':
		if (t->screen == SCREEN_OVERVIEW)
			t->screen = SCREEN_GROUP;
		next_host(t, k == 'h' ? 1 : -1);
		break;
	case 't':
		t->timestamps = !t->timestamps;
		break;
	case 'w':
		t->wrap = !t->wrap;
		break;
	case 'e':
		export_prompt(t);
		break;
	case '!':
		first_failure(t);
		break;
	case ']':
	case '[':
		step_error(t, k == ']' ? 1 : -1);
		break;
	case CTRL('l'):
		clearok(curscr, TRUE);
		break;
	default:
		if (k >= '1' && k <= '9') {
			focus_pane(t, k - '1');
			t->screen = SCREEN_GROUP;
		}
		return;
	}
}

void
tui_keys(struct tui *t)
{
	wint_t wc;
	int r, k;

	while ((r = get_wch(&wc)) != ERR) {
		/* resizeterm() queues this; the resize is handled already. */
		if (r == KEY_CODE_YES && wc == KEY_RESIZE)
			continue;
		if (t->prompt != PROMPT_NONE) {
			prompt_key(t, r, wc);
			continue;
		}
		t->dirty = DIRTY_ALL;
		if (t->help) {
			t->help = 0;
			continue;
		}
		if (t->notice != NULL) {
			free(t->notice);
			t->notice = NULL;
		}
		k = (int)wc;
		/* A typed character never stands for a function key. */
		if (r != KEY_CODE_YES && k >= KEY_MIN)
			continue;
		if (r == KEY_CODE_YES ? move_key(t, k) : 0)
			continue;
		if (r != KEY_CODE_YES && (k == 'g' || k == 'G')) {
			move_key(t, k);
			continue;
		}
		view_key(t, k);
		if (t->quit)
			return;
	}
}
