/*
 * Keys and prompts (tui_keys.h): the screen's own keys first, then those
 * common to every screen: switching screens, search, filters, errors,
 * export. Keys arrive without blocking, so one pass takes all that are
 * waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "tui_export.h"
#include "tui_keys.h"
#include "tui_move.h"
#include "tui_search.h"
#include "tui_sweep.h"
#include "tui_views.h"
#include "tui_walk.h"
#include "xmalloc.h"

#define CTRL(c) ((c)&0x1f)

/* The next or previous search match from the view's place. */
static void
find(struct tui *t, int older)
{
	if (!t->view->scrolls)
		tui_show(t, &tui_view_group);
	tui_search_start(t, older);
}

/* Whether the view steps through error e: errors of its group, or all. */
static int
error_in_view(struct tui *t, const struct errors_entry *e)
{
	if (e->severity != RULE_SEV_ERROR)
		return (0);
	if (t->view->all || t->focus == NULL)
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
	char ts[32], rank[48];

	for (i = 0; i < t->nerr; i++) {
		o = errors_at(t->opt.errors, i);
		if (o == NULL || !error_in_view(t, o))
			continue;
		all++;
		nth += o->id <= e->id;
	}
	tui_clock(e->timestamp, ts);
	tui_error_rank(e, rank, sizeof rank);
	tui_notice(t, 0, "%s%s %zu/%zu: %s %.*s %.*s%s %.*s", what,
	    *what != '\0' ? ", error" : "error", nth, all, ts,
	    (int)e->group_len, e->group, (int)e->host_len, e->host, rank,
	    (int)e->summary_len, e->summary);
}

/* The first line of error id, or NULL when the spool dropped it. */
static const struct spool_line *
error_line(struct tui *t, size_t id)
{
	const struct spool_line *l;

	if (id >= t->nerr)
		return (NULL);
	l = spool_next(t->spool, SPOOL_ALL, t->err_seq[id] - 1);
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
	const struct spool_line *l, *n;
	const char *name;
	size_t len;
	int i, g;

	if (e == NULL)
		return;
	if ((l = error_line(t, id)) == NULL) {
		tui_notice(t, 1,
		    "that error's line is no longer in the spool "
		    "(--spool-limit)");
		return;
	}
	name = spool_group_name(t->spool, l->group, &len);
	if (!t->view->all) {
		if (t->focus == NULL || t->focus_len != len ||
		    memcmp(t->focus, name, len) != 0)
			tui_focus(t, name, len);
		t->view = &tui_view_group;
	}
	if (t->host != NULL && t->host != l->host)
		t->host = NULL;
	if (!tui_visible(t, l)) {
		tui_regex_clear(&t->filter);
		t->selecting = 0;
		t->rank = -1;
	}
	t->follow = 0;
	t->match = 0;
	t->cur_err = (long)id;
	t->err_line = l->seq;
	t->bottom = l->seq;
	g = tui_walked(t);
	for (i = 0; !t->wrap && i < t->body_rows - t->body_rows / 3 - 1; i++) {
		if ((n = tui_walk_next(t, g, t->bottom)) == NULL)
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
 * spool dropped are passed over.
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
	    t->view->all ? "" : " in this group");
}

/* Every line again: no host, rank or filter (the sweep stops). */
static void
unnarrow(struct tui *t)
{
	tui_regex_clear(&t->filter);
	t->host = NULL;
	t->rank = -1;
	tui_notice(t, 0, "narrowing stopped: every line shown");
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
	} else if (*input == '\0') {
		/* All lines again: the command line's selection too. */
		tui_regex_clear(&t->filter);
		t->selecting = 0;
	} else if (tui_regex_set(&t->filter, input, &cause) != 0) {
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

/* The prompt for "e", with a directory named after the job. */
static void
start_export(struct tui *t)
{
	char *dir;

	xasprintf(
	    &dir, "./%s-export", t->opt.job != NULL ? t->opt.job : "cwdemux");
	start_prompt(t, PROMPT_EXPORT, dir);
	free(dir);
}

/* Keys that move the view in every screen. Returns 0 when k is none. */
static int
move_key(struct tui *t, int k)
{
	switch (k) {
	case KEY_PPAGE:
		tui_move_page(t, 0);
		break;
	case KEY_NPAGE:
		tui_move_page(t, 1);
		break;
	case KEY_HOME:
	case 'g':
		tui_move_home(t);
		break;
	case KEY_END:
	case 'G':
		tui_move_follow(t);
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
		tui_show(t, &tui_view_overview);
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		tui_show(t, &tui_view_group);
		break;
	case '\t':
	case KEY_BTAB:
		tui_move_pane(t, k == '\t' ? i + 1 : i - 1);
		if (t->view->all)
			tui_show(t, &tui_view_group);
		break;
	case 'a':
		tui_show(t, &tui_view_all);
		t->host = NULL;
		break;
	case 'p':
	case ' ':
		if (t->follow)
			tui_move_pause(t);
		else
			tui_move_follow(t);
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
		if (!t->view->scrolls)
			tui_show(t, &tui_view_group);
		tui_move_host(t, k == 'h' ? 1 : -1);
		break;
	case 'r':
	case 'R':
		if (!t->view->scrolls)
			tui_show(t, &tui_view_group);
		tui_move_rank(t, k == 'r' ? 1 : -1);
		break;
	case 'c':
		t->rank_column = !t->rank_column;
		break;
	case 't':
		t->timestamps = !t->timestamps;
		break;
	case 'L':
		if (t->opt.live_tail != NULL)
			tui_notice(t, 0, "%s", t->opt.live_tail(t->opt.arg));
		break;
	case 'w':
		t->wrap = !t->wrap;
		break;
	case 'e':
		start_export(t);
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
			tui_move_pane(t, k - '1');
			tui_show(t, &tui_view_group);
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
		/* A key stops a running search, and only that. */
		if (tui_search_running(t)) {
			tui_search_stop(t);
			continue;
		}
		k = (int)wc;
		/* Esc while a narrowing is swept drops it. */
		if (r != KEY_CODE_YES && k == 0x1b && tui_sweep_running(t)) {
			unnarrow(t);
			continue;
		}
		/* A typed character never stands for a function key. */
		if (r != KEY_CODE_YES && k >= KEY_MIN)
			continue;
		if (t->view->key(t, k) || move_key(t, k))
			continue;
		view_key(t, k);
		if (t->quit)
			return;
	}
}
