/*
 * The pipeline wires classify, store and the sinks together, and is the
 * only place that knows their order. A sink that reports SINK_CLOSED (its
 * reader went away, as with "| head") gets nothing more; the run goes on
 * for the other sinks (an export is not cut short because a pager quit)
 * and stops quietly once every sink is closed.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "errors.h"
#include "pipeline.h"
#include "rankmap.h"
#include "textscan.h"
#include "xmalloc.h"

#define PIPELINE_MAX_SINKS 8

struct pipeline {
	struct classify *classify;
	struct store *store;
	struct errors *errors;
	struct rankmap *ranks;
	struct {
		const struct sink *ops;
		void *state;
		int closed;
	} sinks[PIPELINE_MAX_SINKS];
	int nsinks;
	int nopen; /* sinks not closed */
	int assigned; /* a host got its group during this event */
	int64_t since, until; /* the window: since <= ts < until; -1: open */
	struct rules *rules;
	/* The event being added, and whether any rule may match it (one
	 * scan for classify and, if it is released at once, errors). */
	const char *cur_msg;
	int cur_may;
};

static void
on_assigned(void *arg, struct host *h)
{
	struct pipeline *p = arg;

	(void)h;
	p->assigned = 1;
}

/*
 * Every sink went away: nothing is left to write. Without any sink
 * (--output none, for --summary) the input is still read to its end.
 */
static int
all_closed(const struct pipeline *p)
{
	return (p->nsinks > 0 && p->nopen == 0);
}

/* Note what sink i answered: a closed sink gets nothing more. */
static enum sink_status
sink_answered(struct pipeline *p, int i, enum sink_status rc)
{
	if (rc == SINK_CLOSED) {
		p->sinks[i].closed = 1;
		p->nopen--;
	}
	return (rc);
}

/*
 * A released event: its MPI rank placed, errors marked, then every open
 * sink gets it.
 */
static enum sink_status
to_sinks(void *arg, const struct out_event *released, char **cause)
{
	struct pipeline *p = arg;
	struct out_event ev = *released;
	enum sink_status rc;
	int i;

	rankmap_event(p->ranks, &ev);
	errors_event_known(p->errors, &ev,
	    ev.msg == p->cur_msg && p->cur_msg != NULL ? p->cur_may : -1);
	for (i = 0; i < p->nsinks; i++) {
		if (p->sinks[i].closed)
			continue;
		rc = p->sinks[i].ops->event(p->sinks[i].state, &ev, cause);
		if ((rc = sink_answered(p, i, rc)) == SINK_ERROR)
			return (rc);
	}
	return (all_closed(p) ? SINK_CLOSED : SINK_OK);
}

struct pipeline *
pipeline_new(struct rules *rules, enum store_order order, size_t hold_limit)
{
	struct pipeline *p;

	p = xcalloc(1, sizeof *p);
	p->rules = rules;
	p->classify = classify_new(rules, on_assigned, p);
	p->errors = errors_new(rules);
	p->ranks = rankmap_new();
	p->store = store_new(p->classify, order, hold_limit, to_sinks, p);
	p->since = p->until = -1;
	return (p);
}

void
pipeline_set_window(struct pipeline *p, int64_t since, int64_t until)
{
	p->since = since;
	p->until = until;
}

void
pipeline_free(struct pipeline *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsinks; i++)
		p->sinks[i].ops->free(p->sinks[i].state);
	store_free(p->store);
	errors_free(p->errors);
	rankmap_free(p->ranks);
	classify_free(p->classify);
	free(p);
}

void
pipeline_add_sink(struct pipeline *p, const struct sink *ops, void *state)
{
	if (p->nsinks == PIPELINE_MAX_SINKS)
		abort();
	p->sinks[p->nsinks].ops = ops;
	p->sinks[p->nsinks].state = state;
	p->nsinks++;
	p->nopen++;
}

void
pipeline_assign(struct pipeline *p, const char *host, size_t host_len,
    const char *group, size_t group_len)
{
	classify_assign(p->classify, host, host_len, group, group_len);
	p->assigned = 0;
}

struct stream *
pipeline_stream(struct pipeline *p, const char *name, size_t len)
{
	return (store_stream(p->store, name, len));
}

const char *
pipeline_stream_name(const struct stream *st, size_t *len)
{
	*len = store_stream_len(st);
	return (store_stream_name(st));
}

const void *
pipeline_stream_host(const struct stream *st)
{
	return (store_stream_host(st));
}

void
pipeline_scan(const struct pipeline *p, const char *msg, size_t len,
    struct pipeline_scan *sc)
{
	sc->may = rules_may_match(p->rules, msg, len);
	sc->lacks = textscan(msg, len);
}

enum sink_status
pipeline_event(struct pipeline *p, struct stream *st, int64_t ts,
    const char *msg, size_t len, char **cause)
{
	return (pipeline_event_at(p, st, ts, msg, len, NULL, cause));
}

enum sink_status
pipeline_event_at(struct pipeline *p, struct stream *st, int64_t ts,
    const char *msg, size_t len, const struct out_origin *at, char **cause)
{
	struct pipeline_scan sc;

	pipeline_scan(p, msg, len, &sc);
	return (pipeline_event_scanned(p, st, ts, msg, len, at, &sc, cause));
}

enum sink_status
pipeline_event_scanned(struct pipeline *p, struct stream *st, int64_t ts,
    const char *msg, size_t len, const struct out_origin *at,
    const struct pipeline_scan *sc, char **cause)
{
	uint64_t lines;
	enum sink_status rc;

	p->cur_may = sc->may;
	if (p->cur_may)
		lines = classify_event(p->classify, store_stream_host(st),
		    store_stream_name(st), store_stream_lines(st) + 1, msg,
		    len);
	else {
		lines = textscan_lines(msg, len, sc->lacks);
		classify_plain_event(p->classify, store_stream_host(st),
		    store_stream_lines(st) + 1, msg, len);
	}
	store_stream_add_lines(st, lines);
	if (p->assigned) {
		p->assigned = 0;
		if ((rc = store_release(p->store, cause)) != SINK_OK)
			return (rc);
	}
	/* Outside the window: its markers counted, the event goes no
	 * further. */
	if ((p->since >= 0 && ts < p->since) ||
	    (p->until >= 0 && ts >= p->until))
		return (SINK_OK);
	p->cur_msg = msg;
	rc = store_add(p->store, st, ts, msg, len, at, sc->lacks, cause);
	p->cur_msg = NULL;
	return (rc);
}

void
pipeline_learn(
    struct pipeline *p, struct stream *st, const char *msg, size_t len)
{
	const char *host;
	size_t host_len;

	(void)classify_event(p->classify, store_stream_host(st),
	    store_stream_name(st), store_stream_lines(st) + 1, msg, len);
	host = classify_host_name(store_stream_host(st), &host_len);
	rankmap_learn(p->ranks, host, host_len, msg, len);
}

enum sink_status
pipeline_learnt(struct pipeline *p, char **cause)
{
	if (!p->assigned)
		return (SINK_OK);
	p->assigned = 0;
	return (store_release(p->store, cause));
}

enum sink_status
pipeline_flush(struct pipeline *p, char **cause)
{
	enum sink_status rc;
	int i;

	for (i = 0; i < p->nsinks; i++) {
		if (p->sinks[i].closed || p->sinks[i].ops->flush == NULL)
			continue;
		rc = p->sinks[i].ops->flush(p->sinks[i].state, cause);
		if ((rc = sink_answered(p, i, rc)) == SINK_ERROR)
			return (rc);
	}
	return (all_closed(p) ? SINK_CLOSED : SINK_OK);
}

enum sink_status
pipeline_finish(struct pipeline *p, char **cause)
{
	enum sink_status rc, frc;
	char *later;
	int i;

	/*
	 * Every open sink is finished, even after a failure, so files are
	 * complete up to that point; the first cause wins.
	 */
	classify_check_assignments(p->classify);
	rc = store_finish(p->store, cause);
	if (rc == SINK_CLOSED)
		rc = SINK_OK;
	errors_finish(p->errors);
	for (i = 0; i < p->nsinks; i++) {
		if (p->sinks[i].closed)
			continue;
		later = NULL;
		frc = p->sinks[i].ops->finish(p->sinks[i].state, &later);
		if (frc == SINK_CLOSED)
			frc = SINK_OK;
		if (rc == SINK_OK) {
			rc = frc;
			*cause = later;
		} else
			free(later);
	}
	return (rc);
}

int
pipeline_group_hosts(const struct pipeline *p, const char *name)
{
	struct host *h;
	struct group *g;
	const char *gname;
	size_t i, len;
	int n = 0;

	for (i = 0; (h = classify_host_at(p->classify, i)) != NULL; i++) {
		if ((g = classify_host_group(h)) == NULL ||
		    classify_host_streams(h) == 0)
			continue;
		gname = classify_group_name(g, &len);
		n += len == strlen(name) && memcmp(gname, name, len) == 0;
	}
	return (n);
}

void
pipeline_describe_hosts(const struct pipeline *p, struct buf *b)
{
	struct host *h;
	struct group *g;
	const char *name;
	size_t i, len;

	for (i = 0; (h = classify_host_at(p->classify, i)) != NULL; i++) {
		name = classify_host_name(h, &len);
		buf_add(b, name, len);
		buf_addc(b, ' ');
		if ((g = classify_host_group(h)) == NULL)
			buf_adds(b, CLASSIFY_UNASSIGNED);
		else {
			name = classify_group_name(g, &len);
			buf_add(b, name, len);
		}
		buf_addc(b, '\n');
	}
}

struct errors *
pipeline_errors(struct pipeline *p)
{
	return (p->errors);
}

size_t
pipeline_held_streams(const struct pipeline *p)
{
	return (store_held_streams(p->store));
}
