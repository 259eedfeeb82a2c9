/*
 * Ranks to hosts. Each carrier (the host whose stream holds the tagged
 * lines, the MPI master) has the placement of its latest launch: a new
 * command line replaces it, as a restarted job launches again. A job map
 * that mpirun prints after the launch corrects the placement rank by rank,
 * but only with host names the command line listed (real job maps may
 * name nodes by their network names, which match no stream).
 *
 * Nearly no event is a command line or a job map: each line costs a look
 * at its first word.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpi.h"
#include "rankmap.h"
#include "strmap.h"
#include "textscan.h"
#include "xmalloc.h"

struct carrier {
	const char **host; /* rank -> interned host name */
	unsigned nranks;
	const char **listed; /* the launch's host list (interned) */
	size_t nlisted;
	const char *node; /* the job map's current node (interned), or NULL */
};

struct rankmap {
	struct strmap *names; /* host name -> its interned copy */
	struct strmap *carriers; /* carrier host -> struct carrier */
	struct carrier **list;
	size_t n;
};

struct rankmap *
rankmap_new(void)
{
	struct rankmap *rm;

	rm = xcalloc(1, sizeof *rm);
	rm->names = strmap_new();
	rm->carriers = strmap_new();
	return (rm);
}

void
rankmap_free(struct rankmap *rm)
{
	size_t i;

	if (rm == NULL)
		return;
	for (i = 0; i < rm->n; i++) {
		free(rm->list[i]->host);
		free(rm->list[i]->listed);
		free(rm->list[i]);
	}
	free(rm->list);
	strmap_free(rm->carriers);
	strmap_free(rm->names);
	free(rm);
}

/* A host name, interned: each name is stored under its own copy. */
static const char *
intern(struct rankmap *rm, const char *name, size_t len)
{
	const char *key;

	if ((key = strmap_get(rm->names, name, len)) != NULL)
		return (key);
	key = strmap_put(rm->names, name, len, NULL);
	strmap_put(rm->names, key, len, (void *)(uintptr_t)key);
	return (key);
}

static struct carrier *
carrier_get(struct rankmap *rm, const char *host, size_t len, int create)
{
	struct carrier *c;

	if ((c = strmap_get(rm->carriers, host, len)) != NULL || !create)
		return (c);
	c = xcalloc(1, sizeof *c);
	strmap_put(rm->carriers, host, len, c);
	rm->list = xreallocarray(rm->list, rm->n + 1, sizeof *rm->list);
	rm->list[rm->n++] = c;
	return (c);
}

/* A launcher's command line: the carrier's placement from now on. */
static void
learn_launch(
    struct rankmap *rm, const struct out_event *ev, const struct mpi_launch *ml)
{
	struct carrier *c = carrier_get(rm, ev->host, ev->host_len, 1);
	const struct mpi_host *h;
	size_t i;
	unsigned r;

	free(c->host);
	c->host = xreallocarray(NULL, ml->nranks, sizeof *c->host);
	c->nranks = ml->nranks;
	c->node = NULL;
	for (r = 0; r < ml->nranks; r++) {
		h = mpi_launch_host(ml, r);
		c->host[r] = intern(rm, h->name, h->len);
	}
	free(c->listed);
	c->listed = xreallocarray(NULL, ml->nhosts, sizeof *c->listed);
	c->nlisted = ml->nhosts;
	for (i = 0; i < ml->nhosts; i++)
		c->listed[i] = intern(rm, ml->hosts[i].name, ml->hosts[i].len);
}

/* A host the carrier's launch listed, or NULL. */
static const char *
listed(
    struct rankmap *rm, const struct carrier *c, const char *name, size_t len)
{
	const char *key = strmap_get(rm->names, name, len);
	size_t i;

	for (i = 0; key != NULL && i < c->nlisted; i++)
		if (c->listed[i] == key)
			return (key);
	return (NULL);
}

/* The start of a line's text, past blanks and escaped TABs ("#011"). */
static const char *
text_start(const char *s, const char *end)
{
	for (;;) {
		if (s < end && (*s == ' ' || *s == '\t'))
			s++;
		else if (end - s >= 4 && memcmp(s, "#011", 4) == 0)
			s += 4;
		else
			return (s);
	}
}

/* One line of an event: a command line or a line of a job map. */
static void
learn_line(struct rankmap *rm, const struct out_event *ev, const char *line,
    size_t len)
{
	const char *s = text_start(line, line + len), *name;
	struct mpi_launch ml;
	struct carrier *c;
	size_t n;
	unsigned rank;

	n = (size_t)(line + len - s);
	if (n >= 6 && (*s == 'm' || *s == 'o' || *s == '/') &&
	    mpi_launch_parse(s, n, &ml)) {
		learn_launch(rm, ev, &ml);
		mpi_launch_free(&ml);
		return;
	}
	if (n < 14 || (*s != 'D' && *s != 'P') ||
	    (c = carrier_get(rm, ev->host, ev->host_len, 0)) == NULL)
		return;
	if (*s == 'D' && mpi_map_node(s, n, &name, &n))
		c->node = listed(rm, c, name, n);
	else if (*s == 'P' && c->node != NULL && mpi_map_rank(s, n, &rank) &&
	    rank < c->nranks)
		c->host[rank] = c->node;
}

static void
learn(struct rankmap *rm, const struct out_event *ev)
{
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;

	if (ev->lacks & TEXT_NO_NL) {
		learn_line(rm, ev, ev->msg, ev->len);
		return;
	}
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		learn_line(rm, ev, p, (size_t)((nl != NULL ? nl : end) - p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void
rankmap_learn(struct rankmap *rm, const char *host, size_t host_len,
    const char *msg, size_t len)
{
	struct out_event ev;

	memset(&ev, 0, sizeof ev);
	ev.host = host;
	ev.host_len = host_len;
	ev.msg = msg;
	ev.len = len;
	learn(rm, &ev);
}

void
rankmap_event(struct rankmap *rm, struct out_event *ev)
{
	struct mpi_tag tag;
	struct carrier *c;
	const char *host;

	if (ev->len == 0 || ev->msg[0] != '[' ||
	    !mpi_tag_parse(ev->msg, ev->len, &tag)) {
		learn(rm, ev);
		return;
	}
	ev->ranked = 1;
	ev->rank = tag.rank;
	ev->via = ev->host;
	ev->via_len = ev->host_len;
	c = carrier_get(rm, ev->host, ev->host_len, 0);
	if (c == NULL || tag.rank >= c->nranks)
		return;
	host = c->host[tag.rank];
	ev->host = host;
	ev->host_len = strlen(host);
	ev->rank_placed = 1;
}
