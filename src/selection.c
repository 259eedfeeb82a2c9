/*
 * Selection of events. Host and group globs depend only on the event's
 * (interned) names, so their verdict is cached by the names' addresses, a
 * few slots per host; only the text filter looks at every event, and
 * decodes collector escapes first when the text holds any, so a pattern
 * matches what the user reads.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escapes.h"
#include "evfilter.h"
#include "mpi.h"
#include "selection.h"
#include "xmalloc.h"

/* Direct-mapped cache slots of host and group verdicts. */
#define NVERDICTS 128

struct verdict {
	const char *group, *host; /* NULL: empty slot */
	int keep;
};

struct selection {
	struct evfilter *text;
	char **hosts;
	size_t nhosts;
	char **groups;
	size_t ngroups;
	struct mpi_range *ranks;
	size_t nranks;
	int raw;
	struct buf decoded;
	struct verdict cache[NVERDICTS];
};

struct selection *
selection_new(void)
{
	struct selection *s;

	s = xcalloc(1, sizeof *s);
	s->text = evfilter_new();
	return (s);
}

void
selection_free(struct selection *s)
{
	size_t i;

	if (s == NULL)
		return;
	evfilter_free(s->text);
	for (i = 0; i < s->nhosts; i++)
		free(s->hosts[i]);
	free(s->hosts);
	for (i = 0; i < s->ngroups; i++)
		free(s->groups[i]);
	free(s->groups);
	free(s->ranks);
	buf_free(&s->decoded);
	free(s);
}

int
selection_add_text(
    struct selection *s, int exclude, const char *pattern, char **cause)
{
	return (evfilter_add(s->text, exclude, pattern, cause));
}

static void
add_glob(char ***v, size_t *n, const char *glob)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(glob);
}

/* Verdicts cached before a glob was added are stale. */
void
selection_add_host(struct selection *s, const char *glob)
{
	add_glob(&s->hosts, &s->nhosts, glob);
	memset(s->cache, 0, sizeof s->cache);
}

void
selection_add_group(struct selection *s, const char *glob)
{
	add_glob(&s->groups, &s->ngroups, glob);
	memset(s->cache, 0, sizeof s->cache);
}

void
selection_add_rank(struct selection *s, const struct mpi_range *r)
{
	s->ranks = xreallocarray(s->ranks, s->nranks + 1, sizeof *s->ranks);
	s->ranks[s->nranks++] = *r;
}

void
selection_set_raw(struct selection *s, int raw)
{
	s->raw = raw;
}

int
selection_empty(const struct selection *s)
{
	return (evfilter_empty(s->text) && s->nhosts == 0 && s->ngroups == 0 &&
	    s->nranks == 0);
}

/* Whether some glob of v matches name (any bytes: a NUL never matches). */
static int
glob_any(char *const *v, size_t n, const char *name, size_t len)
{
	char *z;
	size_t i;
	int hit = 0;

	if (n == 0)
		return (1);
	if (memchr(name, '\0', len) != NULL)
		return (0);
	z = xstrndup(name, len);
	for (i = 0; i < n && !hit; i++)
		hit = fnmatch(v[i], z, 0) == 0;
	free(z);
	return (hit);
}

static int
names_keep(struct selection *s, const struct out_event *ev)
{
	uintptr_t key = (uintptr_t)ev->host ^ (uintptr_t)ev->group >> 4;
	struct verdict *v = &s->cache[(key ^ key >> 7 ^ key >> 13) % NVERDICTS];

	if (v->host == ev->host && v->group == ev->group)
		return (v->keep);
	v->host = ev->host;
	v->group = ev->group;
	v->keep = glob_any(s->hosts, s->nhosts, ev->host, ev->host_len) &&
	    glob_any(s->groups, s->ngroups, ev->group, ev->group_len);
	return (v->keep);
}

static int
rank_keep(const struct selection *s, const struct out_event *ev)
{
	size_t i;

	if (s->nranks == 0)
		return (1);
	for (i = 0; ev->ranked && i < s->nranks; i++)
		if (ev->rank >= s->ranks[i].lo && ev->rank <= s->ranks[i].hi)
			return (1);
	return (0);
}

static int
text_keep(struct selection *s, const struct out_event *ev)
{
	if (evfilter_empty(s->text))
		return (1);
	if (s->raw || !escapes_find(ev->msg, ev->len))
		return (evfilter_keep(s->text, ev->msg, ev->len));
	buf_reset(&s->decoded);
	escapes_decode(&s->decoded, ev->msg, ev->len);
	return (evfilter_keep(s->text, s->decoded.data, s->decoded.len));
}

int
selection_keep(struct selection *s, const struct out_event *ev)
{
	return (names_keep(s, ev) && rank_keep(s, ev) && text_keep(s, ev));
}

struct selected {
	struct selection *sel;
	const struct sink *inner;
	void *state;
};

void *
selection_sink_new(
    struct selection *sel, const struct sink *inner, void *inner_state)
{
	struct selected *sd;

	sd = xcalloc(1, sizeof *sd);
	sd->sel = sel;
	sd->inner = inner;
	sd->state = inner_state;
	return (sd);
}

static enum sink_status
selected_event(void *state, const struct out_event *ev, char **cause)
{
	struct selected *sd = state;

	if (!selection_keep(sd->sel, ev))
		return (SINK_OK);
	return (sd->inner->event(sd->state, ev, cause));
}

static enum sink_status
selected_flush(void *state, char **cause)
{
	struct selected *sd = state;

	if (sd->inner->flush == NULL)
		return (SINK_OK);
	return (sd->inner->flush(sd->state, cause));
}

static enum sink_status
selected_finish(void *state, char **cause)
{
	struct selected *sd = state;

	return (sd->inner->finish(sd->state, cause));
}

static void
selected_free(void *state)
{
	struct selected *sd = state;

	sd->inner->free(sd->state);
	free(sd);
}

const struct sink selection_sink = {
    .name = "selection",
    .event = selected_event,
    .flush = selected_flush,
    .finish = selected_finish,
    .free = selected_free,
};
