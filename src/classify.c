/*
 * Host and group bookkeeping. Hosts and groups are interned by name, so a
 * pointer comparison tells whether two sources agree. Every name here came
 * from untrusted log text: it is kept as bytes with a length, and shown to
 * the user only through sanitize_term().
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classify.h"
#include "hostmap.h"
#include "log.h"
#include "sanitize.h"
#include "strmap.h"
#include "utf8.h"
#include "xmalloc.h"

struct group {
	const char *name; /* the map's copy of the key */
	size_t len;
};

struct host {
	const char *name; /* the map's copy of the key */
	size_t len;
	struct group *group; /* NULL while unknown */
	char *source; /* why it is in group */
	struct group **conflicts; /* groups already reported against it */
	size_t nconflicts;
	int warned_bad_name;
	int by_hand; /* placed with --assign */
	unsigned streams; /* streams seen of this host */
};

/* Objects in the order they were first seen. */
struct list {
	void **v;
	size_t n, cap;
};

struct classify {
	struct rules *rules;
	classify_assigned_fn assigned;
	void *arg;
	struct strmap *hosts;
	struct strmap *groups;
	struct list host_list;
	struct list group_list;
	struct group unassigned;

	/* The event being classified, for the rule callbacks. */
	struct host *self;
	const char *stream;
	uint64_t line;
};

static void
list_add(struct list *l, void *p)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 16 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = p;
}

struct classify *
classify_new(struct rules *rules, classify_assigned_fn fn, void *arg)
{
	struct classify *c;

	c = xcalloc(1, sizeof *c);
	c->rules = rules;
	c->assigned = fn;
	c->arg = arg;
	c->hosts = strmap_new();
	c->groups = strmap_new();
	c->unassigned.name = CLASSIFY_UNASSIGNED;
	c->unassigned.len = strlen(CLASSIFY_UNASSIGNED);
	return (c);
}

void
classify_free(struct classify *c)
{
	struct host *h;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->host_list.n; i++) {
		h = c->host_list.v[i];
		free(h->source);
		free(h->conflicts);
		free(h);
	}
	for (i = 0; i < c->group_list.n; i++)
		free(c->group_list.v[i]);
	free(c->host_list.v);
	free(c->group_list.v);
	strmap_free(c->hosts);
	strmap_free(c->groups);
	free(c);
}

static struct host *
host_get(struct classify *c, const char *name, size_t len)
{
	struct host *h;

	if ((h = strmap_get(c->hosts, name, len)) != NULL)
		return (h);
	h = xcalloc(1, sizeof *h);
	h->name = strmap_put(c->hosts, name, len, h);
	h->len = len;
	list_add(&c->host_list, h);
	return (h);
}

static struct group *
group_get(struct classify *c, const char *name, size_t len)
{
	struct group *g;

	if (len == c->unassigned.len &&
	    memcmp(name, c->unassigned.name, len) == 0)
		return (&c->unassigned);
	if ((g = strmap_get(c->groups, name, len)) != NULL)
		return (g);
	g = xcalloc(1, sizeof *g);
	g->name = strmap_put(c->groups, name, len, g);
	g->len = len;
	list_add(&c->group_list, g);
	return (g);
}

/* s made safe to print in a message; returns a string owned by b. */
static const char *
shown(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	sanitize_term(b, s, len);
	buf_addc(b, '\0');
	return (b->data);
}

static int
conflict_reported(struct host *h, struct group *g)
{
	size_t i;

	for (i = 0; i < h->nconflicts; i++)
		if (h->conflicts[i] == g)
			return (1);
	h->conflicts = xreallocarray(
	    h->conflicts, h->nconflicts + 1, sizeof *h->conflicts);
	h->conflicts[h->nconflicts++] = g;
	return (0);
}

/* Place host h in the group named name; source says why (for messages). */
static void
assign(struct classify *c, struct host *h, const char *name, size_t len,
    const char *source)
{
	struct buf b1 = BUF_INIT, b2 = BUF_INIT, b3 = BUF_INIT;
	struct group *g;

	if (len == 0 || utf8_width(name, len) > CLASSIFY_GROUP_MAX) {
		if (!h->warned_bad_name++)
			log_warn("host %s: %s group name from %s ignored",
			    shown(&b1, h->name, h->len),
			    len == 0 ? "empty" : "over-long", source);
		goto out;
	}
	g = group_get(c, name, len);
	if (h->group == NULL) {
		h->group = g;
		xasprintf(&h->source, "%s", source);
		if (c->assigned != NULL)
			c->assigned(c->arg, h);
	} else if (h->group != g && !conflict_reported(h, g)) {
		const char *hn = shown(&b1, h->name, h->len);
		const char *gn = shown(&b2, name, len);
		const char *kept = shown(&b3, h->group->name, h->group->len);

		log_warn("host %s: %s says group \"%s\", but %s placed it in "
			 "group \"%s\" first; keeping \"%s\"",
		    hn, source, gn, h->source, kept, kept);
	}
out:
	buf_free(&b1);
	buf_free(&b2);
	buf_free(&b3);
}

void
classify_assign(struct classify *c, const char *host, size_t host_len,
    const char *group, size_t group_len)
{
	struct host *h = host_get(c, host, host_len);

	assign(c, h, group, group_len, "--assign");
	h->by_hand = 1;
}

void
classify_check_assignments(const struct classify *c)
{
	struct buf b = BUF_INIT;
	struct host *h;
	size_t i;

	for (i = 0; i < c->host_list.n; i++) {
		h = c->host_list.v[i];
		if (h->by_hand && h->streams == 0)
			log_warn("--assign %s: no stream of that host was seen",
			    shown(&b, h->name, h->len));
	}
	buf_free(&b);
}

struct stream_ctx {
	struct classify *c;
	struct host *host;
};

static int
stream_hit(void *arg, const struct rules_hit *hit)
{
	struct stream_ctx *ctx = arg;

	if (hit->host_len > 0)
		ctx->host = host_get(ctx->c, hit->host, hit->host_len);
	return (1);
}

struct host *
classify_stream(struct classify *c, const char *stream, size_t len)
{
	struct stream_ctx ctx = {c, NULL};

	rules_match_stream(c->rules, stream, len, stream_hit, &ctx);
	if (ctx.host == NULL)
		ctx.host = host_get(c, stream, len);
	ctx.host->streams++;
	return (ctx.host);
}

static char *
hit_source(struct classify *c, const struct rules_hit *hit)
{
	struct buf b = BUF_INIT;
	char *s;

	xasprintf(&s, "stream %s line %llu (rule %s line %u)",
	    shown(&b, c->stream, strlen(c->stream)),
	    (unsigned long long)c->line, hit->file, hit->line);
	buf_free(&b);
	return (s);
}

struct hostmap_ctx {
	struct classify *c;
	const char *source;
};

static void
hostmap_pair(void *arg, const char *group, size_t group_len, const char *host,
    size_t host_len)
{
	struct hostmap_ctx *ctx = arg;

	if (host_len == 0)
		return;
	assign(ctx->c, host_get(ctx->c, host, host_len), group, group_len,
	    ctx->source);
}

static int
event_hit(void *arg, const struct rules_hit *hit)
{
	struct classify *c = arg;
	struct hostmap_ctx ctx;
	struct host *h;
	char *source, *cause = NULL;

	source = hit_source(c, hit);
	if (hit->kind == RULE_MARKER) {
		h = hit->host != NULL && hit->host_len > 0
		    ? host_get(c, hit->host, hit->host_len)
		    : c->self;
		assign(c, h, hit->group, hit->group_len, source);
	} else if (hit->kind == RULE_HOSTMAP) {
		ctx.c = c;
		ctx.source = source;
		if (hostmap_parse(hit->map, hit->map_len, hostmap_pair, &ctx,
			&cause) < 0) {
			log_warn("%s: %s", source, cause);
			free(cause);
		}
	}
	free(source);
	return (0);
}

uint64_t
classify_event(struct classify *c, struct host *self, const char *stream,
    uint64_t line, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len, *nl;
	uint64_t lines;

	c->self = self;
	c->stream = stream;
	c->line = line;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		rules_match_line(
		    c->rules, p, (size_t)((nl ? nl : end) - p), event_hit, c);
		if (nl == NULL)
			break;
		p = nl + 1;
		c->line++;
	}
	lines = c->line - line + 1;
	c->line = line;
	rules_match_event(c->rules, msg, len, event_hit, c);
	return (lines);
}

const char *
classify_host_name(const struct host *h, size_t *len)
{
	if (len != NULL)
		*len = h->len;
	return (h->name);
}

struct group *
classify_host_group(const struct host *h)
{
	return (h->group);
}

const char *
classify_group_name(const struct group *g, size_t *len)
{
	if (len != NULL)
		*len = g->len;
	return (g->name);
}

struct group *
classify_unassigned(struct classify *c)
{
	return (&c->unassigned);
}

struct host *
classify_host_at(const struct classify *c, size_t i)
{
	return (i < c->host_list.n ? c->host_list.v[i] : NULL);
}

unsigned
classify_host_streams(const struct host *h)
{
	return (h->streams);
}
