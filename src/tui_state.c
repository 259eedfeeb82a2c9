/*
 * The terminal UI's state and what every part of it asks of it: the lines
 * the view shows and the walk over them, the groups as panes, the focus,
 * the message on the last line (tui_state.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escapes.h"
#include "progress.h"
#include "sagemaker.h"
#include "timefmt.h"
#include "tui_state.h"
#include "xmalloc.h"

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

void
tui_show(struct tui *t, const struct tui_view *v)
{
	t->view = v;
	t->dirty = DIRTY_ALL;
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

int
tui_walked(struct tui *t)
{
	int g;

	if (t->view->all || t->focus == NULL)
		return (SPOOL_ALL);
	g = spool_group_find(t->spool, t->focus, t->focus_len);
	return (g < 0 ? SPOOL_ALL - 1 : g);
}

int
tui_visible(struct tui *t, const struct spool_line *l)
{
	size_t so, eo;
	int m;

	struct mpi_tag tag;

	if ((l->mark & TUI_MARK_SUPERSEDED) && !t->opt.raw_progress)
		return (0);
	if (t->selecting && (l->mark & TUI_MARK_UNSELECTED))
		return (0);
	if (t->host != NULL && l->host != t->host)
		return (0);
	if (t->rank >= 0 &&
	    (!mpi_tag_parse(l->text, l->len, &tag) ||
		tag.rank != (unsigned long)t->rank))
		return (0);
	if (t->filter.re == NULL)
		return (1);
	m = tui_regex_find(&t->filter, l->text, l->len, 0, &so, &eo);
	return (t->filter_out ? !m : m);
}

const char *
tui_shown(struct tui *t, const char *s, size_t len, int strip_tag,
    size_t *out_len, struct mpi_tag *tag, int *tagged)
{
	struct progress_bar pb;
	const char *last;
	size_t n;

	*tagged = len > 0 && *s == '[' && mpi_tag_parse(s, len, tag);
	if (t->opt.raw) {
		*out_len = len;
		return (s);
	}
	/* A CR LF line end's CR, or an event's trailing CR (a writer's CR LF
	 * whose LF the agent took), is the line end's, as in out_lines.c. */
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (escapes_find(s, len)) {
		buf_reset(&t->shown);
		escapes_decode(&t->shown, s, len);
		s = t->shown.data;
		len = t->shown.len;
		*tagged = len > 0 && *s == '[' && mpi_tag_parse(s, len, tag);
	}
	if (*tagged && (strip_tag || t->rank_column)) {
		s += tag->len;
		len -= tag->len;
	}
	if (!t->opt.raw_progress && memchr(s, '\r', len) != NULL &&
	    (last = progress_collapse(s, len, &n, &pb)) != NULL) {
		s = last;
		len = n;
	}
	*out_len = len;
	return (s);
}

void
tui_error_rank(const struct errors_entry *e, char *s, size_t size)
{
	if (!e->ranked)
		snprintf(s, size, "%s", "");
	else
		snprintf(s, size, " rank %u%s", e->rank,
		    e->rank_placed ? "" : " (host unknown)");
}

void
tui_clock(int64_t ms, char out[TUI_CLOCK_LEN + 1])
{
	char iso[TIMEFMT_MAX + 1];

	/* "YYYY-MM-DDThh:mm:ss.mmm" and a zone: the time of day is in it. */
	if (ms < 0 || timefmt_format(ms, iso) < 11 + TUI_CLOCK_LEN)
		memcpy(out, "--:--:--.---", TUI_CLOCK_LEN);
	else
		memcpy(out, iso + 11, TUI_CLOCK_LEN);
	out[TUI_CLOCK_LEN] = '\0';
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

	t->panes = xgrow(t->panes, t->npanes, &t->panes_cap, 8, sizeof *p);
	p = &t->panes[t->npanes++];
	p->name = name;
	p->len = len;
	p->sb = spool_group_find(t->spool, name, len);
	if (p->sb < 0)
		p->sb = SPOOL_ALL - 1; /* no line yet: nothing to walk */
	p->type = NULL;
	p->expected = -1;
	return (p);
}

/*
 * The groups, for the header and the panes: the job's own (in its order,
 * with instance types and counts), then those only the logs named
 * (unassigned, or groups a rule invented). Names point into the job or
 * the spool, valid during this pass.
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
	for (i = 0; i < spool_groups(t->spool); i++) {
		name = spool_group_name(t->spool, (unsigned)i, &len);
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
