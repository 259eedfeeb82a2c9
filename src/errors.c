/*
 * The error detector. Nearly every line is no error, so the common path is
 * one combined rule match per line (rules_match_error()) and a cached
 * look-up of the event's group and host; per-stream state exists only for
 * streams that printed an error, and is looked at only while some
 * traceback is open or has just ended.
 *
 * MPI ranks share their master's stream, each line tagged with its rank
 * (mpi.h): a tagged line is looked at without its tag, and tracebacks are
 * followed per stream and rank, so the lines of one rank's traceback are
 * one error even when other ranks' lines come between them.
 *
 * Invariant: es->first is the best entry by better() among those kept,
 * and so is each group's first among its own; an entry whose kind gets
 * worse (a traceback that ends in a consequence) forces a rescan.
 */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "isotime.h"
#include "json.h"
#include "log.h"
#include "mpi.h"
#include "sanitize.h"
#include "strmap.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Slots of the cache from an event's host name to its counts. */
#define ERRORS_CACHE 256
/* Bytes of a summary shown in the table (the manifest has it whole). */
#define ERRORS_SHOWN_MAX 160

struct gstat;

struct hstat {
	struct errors_counts c;
	struct gstat *group;
};

struct gstat {
	struct errors_counts c;
	struct strmap *hostmap; /* host name -> struct hstat */
	struct hstat **hosts;
	size_t nhosts, cap;
};

struct entry {
	struct errors_entry pub;
	struct hstat *h;
	struct buf summary;
};

/* A stream (or an MPI rank of a stream) that printed an error: its
 * traceback state. */
struct sstate {
	const char *name; /* the map's key: the stream's name, then for a
			   * rank a NUL and the rank */
	int ranked;
	unsigned rank;
	struct entry *open; /* the traceback in progress, or NULL */
	struct entry *ended; /* the traceback that ended at the last line */
	int chained; /* open again by a chain line: a "Traceback" is next */
};

struct errors {
	struct rules *rules;
	struct entry **v;
	size_t n, cap;
	unsigned long long dropped;
	struct entry *first;
	struct strmap *groupmap; /* group name -> struct gstat */
	struct gstat **groups;
	size_t ngroups, gcap;
	struct strmap *streams; /* origin_key() -> struct sstate */
	struct buf key; /* origin_key()'s */
	struct sstate **slist;
	size_t nstreams, scap;
	size_t active; /* streams with open or ended set */
	struct {
		const char *host, *group; /* the event's pointers */
		struct hstat *h;
	} cache[ERRORS_CACHE];
	char *reason;
};

struct errors *
errors_new(struct rules *rules)
{
	struct errors *es;

	es = xcalloc(1, sizeof *es);
	es->rules = rules;
	es->groupmap = strmap_new();
	es->streams = strmap_new();
	return (es);
}

void
errors_free(struct errors *es)
{
	size_t i, j;

	if (es == NULL)
		return;
	for (i = 0; i < es->n; i++) {
		buf_free(&es->v[i]->summary);
		free(es->v[i]);
	}
	free(es->v);
	for (i = 0; i < es->ngroups; i++) {
		for (j = 0; j < es->groups[i]->nhosts; j++)
			free(es->groups[i]->hosts[j]);
		free(es->groups[i]->hosts);
		strmap_free(es->groups[i]->hostmap);
		free(es->groups[i]);
	}
	free(es->groups);
	strmap_free(es->groupmap);
	for (i = 0; i < es->nstreams; i++)
		free(es->slist[i]);
	free(es->slist);
	strmap_free(es->streams);
	buf_free(&es->key);
	free(es->reason);
	free(es);
}

/* The counts of a group and host, created on first sight. */
static struct hstat *
hstat_get(struct errors *es, const char *group, size_t glen, const char *host,
    size_t hlen)
{
	struct gstat *g;
	struct hstat *h;

	if ((g = strmap_get(es->groupmap, group, glen)) == NULL) {
		g = xcalloc(1, sizeof *g);
		g->c.name = strmap_put(es->groupmap, group, glen, g);
		g->c.len = glen;
		g->hostmap = strmap_new();
		es->groups = xgrow(
		    es->groups, es->ngroups, &es->gcap, 8, sizeof *es->groups);
		es->groups[es->ngroups++] = g;
	}
	if ((h = strmap_get(g->hostmap, host, hlen)) == NULL) {
		h = xcalloc(1, sizeof *h);
		h->c.name = strmap_put(g->hostmap, host, hlen, h);
		h->c.len = hlen;
		h->group = g;
		g->hosts =
		    xgrow(g->hosts, g->nhosts, &g->cap, 8, sizeof *g->hosts);
		g->hosts[g->nhosts++] = h;
		g->c.hosts++;
	}
	return (h);
}

/*
 * The counts of an event's host. Names are interned upstream (see
 * errors_event()), so the names' addresses are a key.
 */
static struct hstat *
hstat_of(struct errors *es, const struct out_event *ev)
{
	uint64_t k = (uint64_t)(uintptr_t)ev->host * 0x9e3779b97f4a7c15ULL;
	size_t slot = (size_t)(k >> 56) % ERRORS_CACHE;
	struct hstat *h = es->cache[slot].h;

	if (h != NULL && es->cache[slot].host == ev->host &&
	    es->cache[slot].group == ev->group)
		return (h);
	h = hstat_get(es, ev->group, ev->group_len, ev->host, ev->host_len);
	es->cache[slot].host = ev->host;
	es->cache[slot].group = ev->group;
	es->cache[slot].h = h;
	return (h);
}

/* Where a line comes from: its stream, and its MPI rank if tagged. */
struct origin {
	const char *stream;
	size_t stream_len;
	int ranked;
	unsigned rank;
};

/* The map's key of an origin: the stream's name, and for a rank a NUL and
 * the rank's digits. */
static const char *
origin_key(const struct origin *o, struct buf *b, size_t *len)
{
	if (!o->ranked) {
		*len = o->stream_len;
		return (o->stream);
	}
	buf_reset(b);
	buf_add(b, o->stream, o->stream_len);
	buf_addc(b, '\0');
	buf_printf(b, "%u", o->rank);
	*len = b->len;
	return (b->data);
}

static struct sstate *
sstate_find(struct errors *es, const struct origin *o)
{
	const char *key;
	size_t len;

	key = origin_key(o, &es->key, &len);
	return (strmap_get(es->streams, key, len));
}

static struct sstate *
sstate_get(struct errors *es, const struct origin *o)
{
	struct sstate *st;
	const char *key;
	size_t len;

	key = origin_key(o, &es->key, &len);
	if ((st = strmap_get(es->streams, key, len)) != NULL)
		return (st);
	st = xcalloc(1, sizeof *st);
	st->name = strmap_put(es->streams, key, len, st);
	st->ranked = o->ranked;
	st->rank = o->rank;
	es->slist =
	    xgrow(es->slist, es->nstreams, &es->scap, 16, sizeof *es->slist);
	es->slist[es->nstreams++] = st;
	return (st);
}

/* Whether a is a better first failure than b (which may be NULL). */
static int
better(const struct errors_entry *a, const struct errors_entry *b)
{
	if (a->severity != RULE_SEV_ERROR)
		return (0);
	if (b == NULL)
		return (1);
	if (a->role != b->role)
		return (a->role == RULE_CAUSE);
	if (a->timestamp != b->timestamp)
		return (a->timestamp < b->timestamp);
	return (a->id < b->id);
}

/* Find the job's and every group's first error again from scratch. */
static void
rescan(struct errors *es)
{
	struct gstat *g;
	size_t i;

	es->first = NULL;
	for (i = 0; i < es->ngroups; i++)
		es->groups[i]->c.first = NULL;
	for (i = 0; i < es->n; i++) {
		if (better(&es->v[i]->pub, es->first ? &es->first->pub : NULL))
			es->first = es->v[i];
		g = es->v[i]->h->group;
		if (better(&es->v[i]->pub, g->c.first))
			g->c.first = &es->v[i]->pub;
	}
}

/* An entry is new or got a better kind: it may be first now. */
static void
consider(struct errors *es, struct entry *e)
{
	struct gstat *g = e->h->group;

	if (better(&e->pub, es->first ? &es->first->pub : NULL))
		es->first = e;
	if (better(&e->pub, g->c.first))
		g->c.first = &e->pub;
}

static void
count(struct hstat *h, enum rule_severity sev, int delta)
{
	unsigned long long *hc, *gc;

	hc = sev == RULE_SEV_ERROR ? &h->c.errors : &h->c.warnings;
	gc =
	    sev == RULE_SEV_ERROR ? &h->group->c.errors : &h->group->c.warnings;
	*hc += (unsigned long long)delta;
	*gc += (unsigned long long)delta;
}

static void
summary_set(struct entry *e, const char *line, size_t len)
{
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len > ERRORS_SUMMARY_MAX)
		len = ERRORS_SUMMARY_MAX;
	buf_reset(&e->summary);
	buf_add(&e->summary, line, len);
	e->pub.summary = e->summary.data;
	e->pub.summary_len = e->summary.len;
}

/*
 * A new error or warning; NULL when it is only counted. line is the text
 * the rules looked at (without an MPI tag), which starts at offset in the
 * event.
 */
static struct entry *
entry_new(struct errors *es, const struct out_event *ev, struct hstat *h,
    const struct origin *o, const struct rules_hit *hit, const char *line,
    size_t len, size_t offset)
{
	struct errors_entry probe;
	struct sstate *st;
	struct entry *e;

	count(h, hit->severity, 1);
	if (es->n >= ERRORS_KEEP_MAX) {
		/* Only what would be first is still worth keeping. */
		memset(&probe, 0, sizeof probe);
		probe.severity = hit->severity;
		probe.role = hit->role;
		probe.timestamp = ev->timestamp;
		probe.id = es->n;
		if (!better(&probe, es->first ? &es->first->pub : NULL) &&
		    !better(&probe, h->group->c.first)) {
			if (es->dropped++ == 0)
				log_warn("more than %d errors and warnings: "
					 "later ones are only counted",
				    ERRORS_KEEP_MAX);
			return (NULL);
		}
	}
	st = sstate_get(es, o);
	e = xcalloc(1, sizeof *e);
	e->h = h;
	e->pub.id = es->n;
	e->pub.timestamp = ev->timestamp;
	e->pub.group = h->group->c.name;
	e->pub.group_len = h->group->c.len;
	e->pub.host = h->c.name;
	e->pub.host_len = h->c.len;
	e->pub.stream = st->name;
	e->pub.stream_len = ev->stream_len;
	e->pub.severity = hit->severity;
	e->pub.role = hit->role;
	e->pub.rule_file = hit->file;
	e->pub.rule_line = hit->line;
	e->pub.lines = 1;
	e->pub.offset = offset;
	e->pub.ranked = o->ranked;
	e->pub.rank = o->rank;
	/* The event's host is its first line's rank's. */
	e->pub.rank_placed =
	    o->ranked && ev->rank_placed && ev->rank == o->rank;
	summary_set(e, line, len);
	es->v = xgrow(es->v, es->n, &es->cap, 64, sizeof *es->v);
	es->v[es->n++] = e;
	consider(es, e);
	return (e);
}

/* The kind of a traceback is that of its last line, when a rule knows it. */
static void
reclassify(struct errors *es, struct entry *e, const struct rules_hit *hit)
{
	int worse;

	if (hit->severity == e->pub.severity && hit->role == e->pub.role) {
		e->pub.rule_file = hit->file;
		e->pub.rule_line = hit->line;
		return;
	}
	worse = hit->severity > e->pub.severity ||
	    (hit->severity == e->pub.severity && hit->role > e->pub.role);
	count(e->h, e->pub.severity, -1);
	count(e->h, hit->severity, 1);
	e->pub.severity = hit->severity;
	e->pub.role = hit->role;
	e->pub.rule_file = hit->file;
	e->pub.rule_line = hit->line;
	if (worse && (es->first == e || e->h->group->c.first == &e->pub))
		rescan(es);
	else
		consider(es, e);
}

/* Lines that carry a traceback on: empty, indented, or a frame whose
 * indentation a toolkit stripped. */
static int
continues(const char *line, size_t len)
{
	return (len == 0 || line[0] == ' ' || line[0] == '\t' ||
	    (len >= 6 && memcmp(line, "File \"", 6) == 0));
}

/* A Python exception line: a dotted name, then ':' or the end. */
static int
exception_line(const char *line, size_t len)
{
	size_t i;
	char c;

	if (len == 0 ||
	    !((line[0] >= 'A' && line[0] <= 'Z') ||
		(line[0] >= 'a' && line[0] <= 'z') || line[0] == '_'))
		return (0);
	for (i = 1; i < len; i++) {
		c = line[i];
		if (c == ':')
			return (1);
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '.'))
			return (0);
	}
	return (1);
}

static void
mark(struct out_event *ev, enum event_mark m, const struct entry *e)
{
	if (m > ev->mark) {
		ev->mark = m;
		ev->error = e != NULL ? (long)e->pub.id : -1;
	}
}

static void
trace_end(struct errors *es, struct sstate *st)
{
	st->open->pub.open = 0;
	st->ended = st->open;
	st->open = NULL;
	(void)es;
}

/* A stream has no traceback open or just ended: it needs no look-ups. */
static void
settle(struct errors *es, struct sstate *st)
{
	if (st->open == NULL && st->ended == NULL)
		es->active--;
}

/*
 * One line of a stream inside or just after a traceback; returns nonzero
 * when the line was taken by it.
 */
static int
trace_line(struct errors *es, struct sstate *st, struct out_event *ev,
    const char *line, size_t len, const struct rules_hit *hit, int matched)
{
	struct entry *e;

	if ((e = st->open) != NULL) {
		if (st->chained && matched && (hit->flags & RULE_OPEN)) {
			/* The chained traceback's own header. */
			st->chained = 0;
			e->pub.lines++;
			mark(ev, EVENT_TRACE, e);
			return (1);
		}
		st->chained = 0;
		if (continues(line, len) && !(matched && hit->flags)) {
			e->pub.lines++;
			if (len > 0)
				summary_set(e, line, len);
			if (e->pub.lines >= ERRORS_TRACE_MAX)
				trace_end(es, st);
			mark(ev, EVENT_TRACE, e);
			return (1);
		}
		if (exception_line(line, len) && !(matched && hit->flags)) {
			e->pub.lines++;
			summary_set(e, line, len);
			if (matched)
				reclassify(es, e, hit);
			trace_end(es, st);
			mark(ev, EVENT_TRACE, e);
			return (1);
		}
		/* Cut short: it ends at its last line. */
		trace_end(es, st);
	}
	e = st->ended;
	if (len == 0)
		return (1); /* Python's blank line before a chain line */
	st->ended = NULL;
	if (matched && (hit->flags & RULE_CONTINUE)) {
		e->pub.open = 1;
		e->pub.lines++;
		st->open = e;
		st->chained = 1;
		mark(ev, EVENT_TRACE, e);
		return (1);
	}
	settle(es, st);
	return (0);
}

/* One line of an event. *stp is its origin's state, when it has one. */
static void
line_do(struct errors *es, struct out_event *ev, struct hstat *h,
    const struct origin *o, struct sstate **stp, const char *line, size_t len,
    size_t offset)
{
	struct rules_hit hit;
	struct entry *e;
	int matched;

	matched = rules_match_error(es->rules, line, len, &hit);
	if (*stp != NULL && ((*stp)->open != NULL || (*stp)->ended != NULL) &&
	    trace_line(es, *stp, ev, line, len, &hit, matched))
		return;
	/* A chain line with no traceback before it is nothing. */
	if (!matched || (hit.flags & RULE_CONTINUE))
		return;
	e = entry_new(es, ev, h, o, &hit, line, len, offset);
	mark(ev, hit.severity == RULE_SEV_ERROR ? EVENT_ERROR : EVENT_WARNING,
	    e);
	if (e == NULL || !(hit.flags & RULE_OPEN))
		return;
	if (*stp == NULL)
		*stp = sstate_get(es, o);
	if ((*stp)->open == NULL && (*stp)->ended == NULL)
		es->active++;
	(*stp)->ended = NULL;
	(*stp)->open = e;
	e->pub.open = 1;
}

void
errors_event(struct errors *es, struct out_event *ev)
{
	errors_event_known(es, ev, -1);
}

void
errors_event_known(struct errors *es, struct out_event *ev, int may)
{
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl, *line;
	struct sstate *st = NULL;
	struct origin o, prev;
	struct mpi_tag tag;
	struct hstat *h;
	size_t len;
	int looked = 0;

	ev->mark = EVENT_PLAIN;
	ev->error = -1;
	h = hstat_of(es, ev);
	h->c.events++;
	h->group->c.events++;
	/* Nearly every event: no traceback around, no error rule can match. */
	if (es->active == 0 &&
	    (may == 0 ||
		(may < 0 && !rules_may_error(es->rules, ev->msg, ev->len))))
		return;
	memset(&o, 0, sizeof o);
	o.stream = ev->stream;
	o.stream_len = ev->stream_len;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line = p;
		len = (size_t)((nl ? nl : end) - p);
		prev = o;
		o.ranked =
		    len > 0 && *line == '[' && mpi_tag_parse(line, len, &tag);
		o.rank = o.ranked ? tag.rank : 0;
		if (o.ranked) {
			line += tag.len;
			len -= tag.len;
		}
		/* A line of another origin than the last has another state. */
		if (!looked || o.ranked != prev.ranked || o.rank != prev.rank) {
			st = es->active > 0 ? sstate_find(es, &o) : NULL;
			looked = 1;
		}
		line_do(es, ev, h, &o, &st, line, len, (size_t)(p - ev->msg));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void
errors_finish(struct errors *es)
{
	size_t i;

	for (i = 0; i < es->nstreams; i++) {
		if (es->slist[i]->open != NULL)
			trace_end(es, es->slist[i]);
		es->slist[i]->ended = NULL;
	}
	es->active = 0;
}

size_t
errors_count(const struct errors *es)
{
	return (es->n);
}

const struct errors_entry *
errors_at(const struct errors *es, size_t i)
{
	return (i < es->n ? &es->v[i]->pub : NULL);
}

unsigned long long
errors_dropped(const struct errors *es)
{
	return (es->dropped);
}

const struct errors_entry *
errors_first(const struct errors *es)
{
	return (es->first != NULL ? &es->first->pub : NULL);
}

const struct errors_counts *
errors_group_at(const struct errors *es, size_t i)
{
	return (i < es->ngroups ? &es->groups[i]->c : NULL);
}

const struct errors_counts *
errors_host_at(const struct errors *es, size_t group, size_t host)
{
	if (group >= es->ngroups || host >= es->groups[group]->nhosts)
		return (NULL);
	return (&es->groups[group]->hosts[host]->c);
}

void
errors_set_reason(struct errors *es, const char *reason)
{
	free(es->reason);
	es->reason = reason != NULL ? xstrdup(reason) : NULL;
}

const char *
errors_reason(const struct errors *es)
{
	return (es->reason);
}

/*
 * "TIME HOST SUMMARY" of an entry, safe for a terminal; an MPI rank's
 * "TIME HOST rank R SUMMARY", with "(host unknown)" when HOST is only the
 * master that carried its output.
 */
static void
entry_line(struct buf *b, const struct errors_entry *e, size_t max)
{
	char ts[TIMEFMT_MAX + 1];

	buf_add(b, ts, timefmt_format(e->timestamp, ts));
	buf_addc(b, ' ');
	sanitize_field(b, e->host, e->host_len);
	buf_addc(b, ' ');
	if (e->ranked)
		buf_printf(b, "rank %u %s", e->rank,
		    e->rank_placed ? "" : "(host unknown) ");
	sanitize_term(
	    b, e->summary, e->summary_len < max ? e->summary_len : max);
	if (e->summary_len > max)
		buf_adds(b, "...");
}

/* Groups sorted by name, for stable tables. */
static int
gstat_cmp(const void *a, const void *b)
{
	const struct gstat *ga = *(const struct gstat *const *)a;
	const struct gstat *gb = *(const struct gstat *const *)b;
	size_t n = ga->c.len < gb->c.len ? ga->c.len : gb->c.len;
	int c;

	if ((c = memcmp(ga->c.name, gb->c.name, n)) != 0)
		return (c);
	return (ga->c.len < gb->c.len ? -1 : ga->c.len > gb->c.len);
}

static struct gstat **
sorted_groups(const struct errors *es)
{
	struct gstat **v;

	v = xreallocarray(NULL, es->ngroups + 1, sizeof *v);
	if (es->ngroups > 0)
		memcpy(v, es->groups, es->ngroups * sizeof *v);
	qsort(v, es->ngroups, sizeof *v, gstat_cmp);
	return (v);
}

static const char *
role_name(enum rule_role role)
{
	return (role == RULE_CAUSE ? "cause" : "consequence");
}

void
errors_summary(const struct errors *es, struct buf *b)
{
	struct gstat **v = sorted_groups(es);
	struct buf name = BUF_INIT;
	size_t i, w = 5;
	int pad;

	for (i = 0; i < es->ngroups; i++) {
		buf_reset(&name);
		sanitize_field(&name, v[i]->c.name, v[i]->c.len);
		if (name.len > w)
			w = name.len;
	}
	buf_printf(b, "%-*s %5s %10s %8s %8s  %s\n", (int)w, "GROUP", "HOSTS",
	    "EVENTS", "WARNINGS", "ERRORS", "FIRST ERROR");
	for (i = 0; i < es->ngroups; i++) {
		buf_reset(&name);
		sanitize_field(&name, v[i]->c.name, v[i]->c.len);
		pad = (int)(w - name.len);
		buf_printf(b, "%s%*s %5u %10llu %8llu %8llu  ", name.data, pad,
		    "", v[i]->c.hosts, v[i]->c.events, v[i]->c.warnings,
		    v[i]->c.errors);
		if (v[i]->c.first != NULL)
			entry_line(b, v[i]->c.first, ERRORS_SHOWN_MAX);
		else
			buf_addc(b, '-');
		buf_addc(b, '\n');
	}
	if (es->first != NULL) {
		buf_adds(b, "first failure: ");
		buf_reset(&name);
		sanitize_field(
		    &name, es->first->pub.group, es->first->pub.group_len);
		buf_printf(b, "group %s, ", name.data);
		entry_line(b, &es->first->pub, ERRORS_SUMMARY_MAX);
		buf_printf(b, " (likely %s; rule %s line %u)\n",
		    role_name(es->first->pub.role), es->first->pub.rule_file,
		    es->first->pub.rule_line);
	} else
		buf_adds(b, "first failure: none found\n");
	if (es->reason != NULL) {
		buf_adds(b, "failure reason: ");
		sanitize_term(b, es->reason, strlen(es->reason));
		buf_addc(b, '\n');
	}
	buf_free(&name);
	free(v);
}

static void
entry_json(struct buf *b, const struct errors_entry *e, const char *indent)
{
	char ts[ISOTIME_LEN + 1];

	if (e == NULL) {
		buf_adds(b, "null");
		return;
	}
	isotime_format(e->timestamp, ts);
	buf_printf(b, "{\n%s  \"timestamp\": %lld,\n%s  \"time\": \"%s\"",
	    indent, (long long)e->timestamp, indent, ts);
	buf_printf(b, ",\n%s  \"group\": ", indent);
	json_add_string(b, e->group, e->group_len);
	buf_printf(b, ",\n%s  \"host\": ", indent);
	json_add_string(b, e->host, e->host_len);
	buf_printf(b, ",\n%s  \"stream\": ", indent);
	json_add_string(b, e->stream, e->stream_len);
	if (e->ranked) {
		buf_printf(b,
		    ",\n%s  \"rank\": %u,\n%s  \"rank_host\": ", indent,
		    e->rank, indent);
		if (e->rank_placed)
			json_add_string(b, e->host, e->host_len);
		else
			buf_adds(b, "null");
	}
	buf_printf(b,
	    ",\n%s  \"severity\": \"%s\",\n%s  \"role\": \"%s\",\n"
	    "%s  \"lines\": %u,\n%s  \"rule\": ",
	    indent, e->severity == RULE_SEV_ERROR ? "error" : "warning", indent,
	    role_name(e->role), indent, e->lines, indent);
	json_add_string(b, e->rule_file, strlen(e->rule_file));
	buf_printf(b, ",\n%s  \"rule_line\": %u,\n%s  \"summary\": ", indent,
	    e->rule_line, indent);
	json_add_string(b, e->summary, e->summary_len);
	buf_printf(b, "\n%s}", indent);
}

void
errors_json_group(const struct errors *es, const char *group, size_t len,
    struct buf *b, const char *indent)
{
	const struct gstat *g = strmap_get(es->groupmap, group, len);
	struct buf in = BUF_INIT;

	buf_printf(b, ",\n%s\"warnings\": %llu,\n%s\"errors\": %llu", indent,
	    g != NULL ? g->c.warnings : 0, indent, g != NULL ? g->c.errors : 0);
	buf_printf(b, ",\n%s\"first_error\": ", indent);
	buf_adds(&in, indent);
	entry_json(b, g != NULL ? g->c.first : NULL, in.data);
	buf_free(&in);
}

void
errors_json_job(const struct errors *es, struct buf *b, const char *indent)
{
	buf_printf(b, ",\n%s\"first_failure\": ", indent);
	entry_json(b, errors_first(es), indent);
	buf_printf(b, ",\n%s\"failure_reason\": ", indent);
	if (es->reason != NULL)
		json_add_string(b, es->reason, strlen(es->reason));
	else
		buf_adds(b, "null");
	buf_printf(b, ",\n%s\"errors_not_kept\": %llu", indent, es->dropped);
}
