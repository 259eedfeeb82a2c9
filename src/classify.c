/*
 * Host and group bookkeeping. Hosts and groups are interned by name, so a
 * pointer comparison tells whether two sources agree. A host is per job:
 * algo-1 of job A and algo-1 of job B are two hosts, the job being what
 * precedes the first '/' of the stream name (streams are JOB/algo-N-...),
 * and a marker or map read in a job's stream names hosts of that job.
 * Every name here came from untrusted log text: it is kept as bytes with a
 * length, and shown to the user only through sanitize_term().
 *
 * A map printed pretty, one JSON line per event (as CloudWatch splits a
 * resource config printed with indentation), is gathered: an event whose
 * last character opens a JSON object or array starts a block, the stream's
 * next events join it until the brackets close (or the block grows past
 * BLOCK_MAX), and the block is matched as one event.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "classify.h"
#include "hostmap.h"
#include "log.h"
#include "sanitize.h"
#include "strmap.h"
#include "textscan.h"
#include "utf8.h"
#include "xmalloc.h"

struct group {
	const char *name; /* the map's copy of the key */
	size_t len;
};

/* A pretty-printed block is given up past this size or event count. */
#define BLOCK_MAX (256 * 1024)
#define BLOCK_EVENTS 4096

struct host {
	const char *name; /* in the map's copy of the key, after the job */
	size_t len;
	const char *job; /* likewise: the job part of the key */
	size_t job_len;
	struct group *group; /* NULL while unknown */
	char *source; /* why it is in group */
	int conflicted; /* a conflict was reported: later ones are counted */
	unsigned long long conflicts_hidden;
	int warned_bad_name;
	int by_hand; /* placed with --assign */
	unsigned streams; /* streams seen of this host */
	struct buf block; /* a pretty-printed block being gathered */
	int depth; /* its brackets open */
	unsigned block_events;
	uint64_t block_line; /* the line it starts on */
};

/* A --assign HOST=GROUP, for HOST in every job. */
struct manual {
	char *host;
	size_t host_len;
	char *group;
	size_t group_len;
	int used; /* a stream of such a host was seen */
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
	struct list manual_list;
	struct group unassigned;
	unsigned long long conflicts_hidden; /* on every host */

	/* The event being classified, for the rule callbacks. */
	struct host *self;
	const char *stream;
	uint64_t line;
	const char *job; /* the job of the stream, and of hosts named */
	size_t job_len;
};

static void
list_add(struct list *l, void *p)
{
	l->v = xgrow(l->v, l->n, &l->cap, 16, sizeof *l->v);
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
	struct manual *m;
	struct host *h;
	size_t i;

	if (c == NULL)
		return;

	for (i = 0; i < c->host_list.n; i++) {
		h = c->host_list.v[i];
		free(h->source);
		buf_free(&h->block);
		free(h);
	}
	for (i = 0; i < c->manual_list.n; i++) {
		m = c->manual_list.v[i];
		free(m->host);
		free(m->group);
		free(m);
	}
	free(c->manual_list.v);
	for (i = 0; i < c->group_list.n; i++)
		free(c->group_list.v[i]);
	free(c->host_list.v);
	free(c->group_list.v);
	strmap_free(c->hosts);
	strmap_free(c->groups);
	free(c);
}

static void
assign(struct classify *, struct host *, const char *, size_t, const char *);

/* The job of a stream: what precedes its first '/', or nothing. */
static size_t
job_len(const char *stream, size_t len)
{
	const char *slash = memchr(stream, '/', len);

	return (slash == NULL ? 0 : (size_t)(slash - stream));
}

static struct manual *
manual_find(const struct classify *c, const char *host, size_t len)
{
	struct manual *m;
	size_t i;

	for (i = 0; i < c->manual_list.n; i++) {
		m = c->manual_list.v[i];
		if (m->host_len == len && memcmp(m->host, host, len) == 0)
			return (m);
	}
	return (NULL);
}

/* The host name of job (keyed "JOB/NAME": no job name holds a '/'). */
static struct host *
host_get(struct classify *c, const char *job, size_t jlen, const char *name,
    size_t len)
{
	struct buf key = BUF_INIT;
	struct manual *m;
	struct host *h;
	const char *k;

	buf_add(&key, job, jlen);
	buf_addc(&key, '/');
	buf_add(&key, name, len);
	if ((h = strmap_get(c->hosts, key.data, key.len)) != NULL) {
		buf_free(&key);
		return (h);
	}
	h = xcalloc(1, sizeof *h);
	k = strmap_put(c->hosts, key.data, key.len, h);
	buf_free(&key);
	h->job = k;
	h->job_len = jlen;
	h->name = k + jlen + 1;
	h->len = len;
	list_add(&c->host_list, h);
	if ((m = manual_find(c, name, len)) != NULL) {
		assign(c, h, m->group, m->group_len, "--assign");
		h->by_hand = 1;
	}
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

/* Place host h in the group named name; source says why (for messages). */
static void
assign(struct classify *c, struct host *h, const char *name, size_t len,
    const char *source)
{
	struct buf b1 = BUF_INIT, b2 = BUF_INIT, b3 = BUF_INIT;
	struct group *g;

	/* A line that ended in CR LF (a live event keeps the CR). */
	if (len > 0 && name[len - 1] == '\r')
		len--;
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
	} else if (h->group != g && h->conflicted) {
		/* One warning a host; the others are counted. */
		h->conflicts_hidden++;
		c->conflicts_hidden++;
	} else if (h->group != g) {
		const char *hn = shown(&b1, h->name, h->len);
		const char *gn = shown(&b2, name, len);
		const char *kept = shown(&b3, h->group->name, h->group->len);

		h->conflicted = 1;
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
	struct buf b1 = BUF_INIT, b2 = BUF_INIT, b3 = BUF_INIT;
	struct manual *m;
	struct host *h;
	size_t i;

	if ((m = manual_find(c, host, host_len)) != NULL) {
		if (m->group_len != group_len ||
		    memcmp(m->group, group, group_len) != 0) {
			const char *kept = shown(&b3, m->group, m->group_len);

			log_warn("host %s: --assign says group \"%s\", but "
				 "--assign placed it in group \"%s\" first; "
				 "keeping \"%s\"",
			    shown(&b1, host, host_len),
			    shown(&b2, group, group_len), kept, kept);
		}
		buf_free(&b1);
		buf_free(&b2);
		buf_free(&b3);
		return;
	}
	m = xcalloc(1, sizeof *m);
	m->host = xmemdup(host, host_len);
	m->host_len = host_len;
	m->group = xmemdup(group, group_len);
	m->group_len = group_len;
	list_add(&c->manual_list, m);
	/* Hosts of that name already known (in any job) move now. */
	for (i = 0; i < c->host_list.n; i++) {
		h = c->host_list.v[i];
		if (h->len == host_len &&
		    memcmp(h->name, host, host_len) == 0) {
			assign(c, h, group, group_len, "--assign");
			h->by_hand = 1;
		}
	}
}

void
classify_check_assignments(const struct classify *c)
{
	struct buf b = BUF_INIT;
	struct manual *m;
	struct host *h;
	size_t i, j;

	for (i = 0; i < c->manual_list.n; i++) {
		m = c->manual_list.v[i];
		for (j = 0; !m->used && j < c->host_list.n; j++) {
			h = c->host_list.v[j];
			m->used = h->by_hand && h->streams > 0 &&
			    h->len == m->host_len &&
			    memcmp(h->name, m->host, h->len) == 0;
		}
		if (!m->used)
			log_warn("--assign %s: no stream of that host was seen",
			    shown(&b, m->host, m->host_len));
	}
	if (c->conflicts_hidden > 0)
		log_warn("%llu more group markers contradicted a host's first "
			 "group (one warning a host was shown); each host kept "
			 "its first group",
		    c->conflicts_hidden);
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
		ctx->host = host_get(ctx->c, ctx->c->job, ctx->c->job_len,
		    hit->host, hit->host_len);
	return (1);
}

struct host *
classify_stream(struct classify *c, const char *stream, size_t len)
{
	struct stream_ctx ctx = {c, NULL};

	c->job = stream;
	c->job_len = job_len(stream, len);
	rules_match_stream(c->rules, stream, len, stream_hit, &ctx);
	if (ctx.host == NULL)
		ctx.host = host_get(c, c->job, c->job_len, stream, len);
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
	assign(ctx->c,
	    host_get(ctx->c, ctx->c->job, ctx->c->job_len, host, host_len),
	    group, group_len, ctx->source);
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
		    ? host_get(c, c->job, c->job_len, hit->host, hit->host_len)
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

/* The brackets an event opens (or, negative, closes), outside strings. */
static int
bracket_depth(const char *msg, size_t len)
{
	int depth = 0, instr = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (msg[i] == '\\')
				i++;
			else if (msg[i] == '"')
				instr = 0;
		} else if (msg[i] == '"')
			instr = 1;
		else if (msg[i] == '{' || msg[i] == '[')
			depth++;
		else if (msg[i] == '}' || msg[i] == ']')
			depth--;
	}
	return (depth);
}

/* Does the event end by opening a JSON object or array? */
static int
opens_block(const char *msg, size_t len)
{
	while (len > 0 && (msg[len - 1] == ' ' || msg[len - 1] == '\t'))
		len--;
	return (len > 0 && (msg[len - 1] == '{' || msg[len - 1] == '['));
}

/*
 * Gather pretty-printed JSON one event a line: the block is matched as
 * one event once its brackets close.
 */
static void
gather(struct classify *c, struct host *self, uint64_t line, const char *msg,
    size_t len)
{
	if (self->block.len == 0) {
		if (!opens_block(msg, len))
			return;
		self->depth = 0;
		self->block_events = 0;
		self->block_line = line;
	} else
		buf_addc(&self->block, '\n');
	buf_add(&self->block, msg, len);
	self->depth += bracket_depth(msg, len);
	self->block_events++;
	if (self->depth > 0 && self->block.len < BLOCK_MAX &&
	    self->block_events < BLOCK_EVENTS)
		return;
	if (self->block_events > 1) {
		c->line = self->block_line;
		rules_match_event(
		    c->rules, self->block.data, self->block.len, event_hit, c);
	}
	buf_reset(&self->block);
}

void
classify_plain_event(struct classify *c, struct host *self, uint64_t line,
    const char *msg, size_t len)
{
	gather(c, self, line, msg, len);
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
	c->job = self->job;
	c->job_len = self->job_len;
	if (!rules_may_classify(c->rules, msg, len)) {
		gather(c, self, line, msg, len);
		return (textscan_lines(msg, len, 0));
	}
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
	gather(c, self, line, msg, len);
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
