/*
 * Reading with FilterLogEvents. A batch runs one query at a time: a
 * startTime, then page after page (nextToken) until the service has no
 * more. A page is parsed whole before any of it is released, and the next
 * page is asked for only once this one is released, so a stream's events
 * come out in the order the service lists them.
 *
 * First comes the backlog: one query over the stream prefix from --since
 * to --until, full pages, which reads what the job has logged at about one
 * call per 10,000 events whatever the number of streams, and makes known
 * every stream that has events. Draining (--no-follow) ends there.
 * Following goes on with batches of named streams, which start only once
 * the backlog is read so that nothing is read twice.
 *
 * A stream is read from --since until it has shown an event: streams
 * without events wait in batches of their own, whose every query starts at
 * --since (cheap: only those streams are named), which is also how the job
 * so far is read. A stream that has shown events moves to a regular batch,
 * whose queries start from the newest event of its least advanced stream,
 * less a short overlap (or the whole window, on a look-back). No query
 * start is taken from a clock, so a host's clock or a slow ingestion can
 * make no stream skip its first events.
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "clock.h"
#include "cwlogs.h"
#include "follow.h"
#include "idset.h"
#include "log.h"
#include "reconcile.h"
#include "strmap.h"
#include "xmalloc.h"

#define BATCH_MAX 100 /* streams a FilterLogEvents call may name */
#define OVERLAP_MS 2000 /* a plain query also reads this far back */
#define PAGE_LIMIT 10000
#define MAX_BAD_ANSWERS 5 /* malformed answers in a row before failing */
#define MAX_FAILURES 10 /* server errors in a row before failing */
#define RETRY_LATER_MS 5000 /* after throttling or errors outlived retries */
/* A drain's backlog: queries of its time at once. Each may end on a
 * partial page: 3 cost at most 2 calls more than one query. */
#define SLICES 3
#define AHEAD_BYTES (8 << 20) /* answers later slices hold, in all */

struct fstream {
	char *name;
	struct stream *st;
	struct idset *ids;
	int64_t anchor; /* newest timestamp seen, or NONE */
	int64_t floor; /* events older than this were forgotten */
	int64_t swept; /* its anchor when its batch's last look-back began */
	size_t kept; /* ids after the last prune */
	int read; /* one query naming it came to its end */
};

#define NONE INT64_MIN

struct batch {
	struct follow *f;
	int backlog; /* the query by prefix, made once */
	struct fstream *v[BATCH_MAX];
	size_t n;
	size_t nq; /* streams in the query under way */
	struct cwlogs_page page; /* the answer in hand */
	size_t next; /* its next event */
	int in_hand;
	/* A backlog slice's pages parsed while one is in hand, oldest
	 * first; past nahead, spare pages to parse into. */
	struct cwlogs_page *ahead;
	size_t *ahead_len; /* each one's answer, bytes */
	size_t nahead, spare;
	int fetched; /* the query's last page has come */
	int ended; /* a backlog slice: its query came to its end */
	int64_t slice_lo, slice_hi; /* a slice of the backlog's time, or -1 */
	int in_flight;
	int querying; /* a query is under way (between pages) */
	char *token; /* its nextToken */
	int64_t start_time; /* its startTime, or -1 */
	int64_t end_time; /* its endTime (inclusive), or -1 */
	int sweeping; /* it looks back the whole window */
	int64_t began; /* monotonic ms it began */
	int fresh; /* it found new events */
	int64_t next_poll;
	int64_t next_sweep;
	int64_t idle_ms;
	int64_t swept_at; /* a complete look-back began then; 0: none */
	int waiting; /* its streams have shown no event yet */
	int again; /* asked again (follow_poll_now()) during its query */
	int failures, bad_answers;
};

struct follow {
	struct aws *aws;
	struct pipeline *pipeline;
	struct follow_options opt;
	struct batch **b;
	size_t nb;
	struct batch *backlog; /* the first query, by prefix */
	int backlog_done; /* it came to its end */
	int backlog_held; /* it may not begin yet (follow_hold_backlog()) */
	int64_t backlog_began; /* monotonic ms it began */
	size_t nstreams;
	int denied; /* FilterLogEvents is not allowed */
	int no_group; /* the backlog found no log group */
	struct strmap *names; /* stream name -> struct fstream */
	struct budget budget;
	size_t ahead_bytes; /* answers the backlog's slices hold ahead */
	size_t rr;
	char *error;
	int64_t warned_at;
	uint64_t events;
	int64_t pace_ms; /* Live Tail is live: every batch at this pace */
	struct reconcile *reconcile; /* shared with Live Tail, or NULL */
};

static struct batch *new_batch(struct follow *, int);

struct follow *
follow_new(struct aws *aws, struct pipeline *p, const struct follow_options *o)
{
	struct follow *f;

	f = xcalloc(1, sizeof *f);
	f->aws = aws;
	f->pipeline = p;
	f->opt = *o;
	if (f->opt.rate <= 0)
		f->opt.rate = 10;
	if (f->opt.window_ms <= 0)
		f->opt.window_ms = 60000;
	if (f->opt.poll_ms <= 0)
		f->opt.poll_ms = 1000;
	if (f->opt.idle_max_ms <= 0)
		f->opt.idle_max_ms = 4000;
	if (f->opt.sweep_ms <= 0)
		f->opt.sweep_ms = 10000;
	f->names = strmap_new();
	budget_init(&f->budget, f->opt.rate, 1, clock_mono_ms());
	f->backlog = new_batch(f, 1);
	f->backlog->backlog = 1;
	f->backlog->slice_lo = f->backlog->slice_hi = -1;
	return (f);
}

void
follow_free(struct follow *f)
{
	struct batch *b;
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nb; i++) {
		b = f->b[i];
		/* The backlog's slices may have calls out still (a fall back
		 * after the first was denied). */
		aws_cancel(f->aws, b);
		for (j = 0; j < b->n; j++) {
			free(b->v[j]->name);
			idset_free(b->v[j]->ids);
			free(b->v[j]);
		}
		cwlogs_page_free(&b->page);
		for (j = 0; j < b->spare; j++)
			cwlogs_page_free(&b->ahead[j]);
		free(b->ahead);
		free(b->ahead_len);
		free(b->token);
		free(b);
	}
	free(f->b);
	strmap_free(f->names);
	free(f->error);
	free(f);
}

static struct batch *
new_batch(struct follow *f, int waiting)
{
	struct batch *b;

	f->b = xreallocarray(f->b, f->nb + 1, sizeof *f->b);
	b = xcalloc(1, sizeof *b);
	b->f = f;
	b->waiting = waiting;
	b->idle_ms = f->opt.poll_ms;
	f->b[f->nb++] = b;
	return (b);
}

/* A batch of the kind asked for with room, made when there is none. */
static struct batch *
batch_with_room(struct follow *f, int waiting)
{
	size_t i;

	for (i = f->nb; i > 0; i--)
		if (!f->b[i - 1]->backlog && f->b[i - 1]->waiting == waiting &&
		    f->b[i - 1]->n < BATCH_MAX)
			return (f->b[i - 1]);
	return (new_batch(f, waiting));
}

static struct fstream *
new_stream(struct follow *f, const char *name, size_t len, struct stream *st)
{
	struct fstream *fs;

	fs = xcalloc(1, sizeof *fs);
	fs->name = xstrndup(name, len);
	fs->st = st != NULL ? st : pipeline_stream(f->pipeline, name, len);
	fs->ids = idset_new();
	fs->anchor = NONE;
	fs->floor = NONE;
	fs->swept = NONE;
	strmap_put(f->names, fs->name, len, fs);
	f->nstreams++;
	return (fs);
}

void
follow_add_stream(struct follow *f, const char *name, struct stream *st)
{
	struct fstream *fs;
	struct batch *b;

	if (strmap_get(f->names, name, strlen(name)) != NULL)
		return; /* the backlog found it first */
	fs = new_stream(f, name, strlen(name), st);
	b = batch_with_room(f, 1);
	b->v[b->n++] = fs;
	if (!b->querying)
		b->next_poll = 0; /* a new stream is asked about at once */
}

/*
 * A stream the backlog's answer named: known from now on, in a regular
 * batch (it has shown an event). NULL when it is not one of ours (moto
 * ignores logStreamNamePrefix).
 */
static struct fstream *
found_stream(struct follow *f, const char *name, size_t len)
{
	const char *prefix = f->opt.prefix != NULL ? f->opt.prefix : "";
	struct fstream *fs;
	struct batch *b;

	if (len < strlen(prefix) || memcmp(name, prefix, strlen(prefix)) != 0)
		return (NULL);
	fs = new_stream(f, name, len, NULL);
	b = batch_with_room(f, 0);
	b->v[b->n++] = fs;
	b->next_poll = 0;
	return (fs);
}

static void
set_error(struct follow *f, const char *cause)
{
	if (f->error == NULL)
		f->error = xstrdup(cause);
}

/*
 * How far back a look-back must reach for stream fs: from its anchor as it
 * was when the last look-back began. An event ingested since then is at
 * most the window older than the stream's newest event at its ingestion,
 * which is no older than that anchor; the anchor now may have run far
 * ahead (a reader that caught up with a backlog) and would miss it.
 */
static int64_t
reach(const struct fstream *fs)
{
	return (fs->swept != NONE && fs->swept < fs->anchor ? fs->swept
							    : fs->anchor);
}

/* The startTime of a new query of b (-1: from the start). */
static int64_t
query_start(const struct follow *f, const struct batch *b, int sweep)
{
	int64_t t = INT64_MAX, back = sweep ? f->opt.window_ms : OVERLAP_MS;
	size_t i;

	if (b->waiting || b->backlog)
		t = NONE;
	for (i = 0; i < b->n && t != NONE; i++)
		if ((sweep ? reach(b->v[i]) : b->v[i]->anchor) < t)
			t = sweep ? reach(b->v[i]) : b->v[i]->anchor;
	t = t == NONE ? -1 : t - back;
	if (f->opt.since >= 0 && t < f->opt.since)
		t = f->opt.since;
	return (t < 0 ? -1 : t);
}

static void
on_page(void *arg, const struct aws_result *r)
{
	struct batch *b = arg;
	struct follow *f = b->f;
	struct cwlogs_page *page;
	int64_t now = clock_mono_ms();
	char *cause = NULL, *msg;

	b->in_flight = 0;
	if (r->error == AWS_NOT_FOUND) {
		/* No log group (yet): the query found nothing. Following,
		 * the listing says so. */
		if (b->backlog && f->opt.drain && !f->no_group)
			log_warn(
			    "log group %s does not exist (yet): no streams",
			    f->opt.log_group);
		f->no_group |= b->backlog;
		b->fetched = 1;
		if (!b->in_hand) {
			cwlogs_page_reset(&b->page);
			b->in_hand = 1;
			b->next = 0;
		}
		return;
	}
	if (r->error == AWS_THROTTLED ||
	    (r->error == AWS_TRANSIENT && ++b->failures < MAX_FAILURES)) {
		if (f->warned_at == 0 || now - f->warned_at >= 60000) {
			log_warn("%s; trying again", r->cause);
			f->warned_at = now;
		}
		b->next_poll = now + RETRY_LATER_MS;
		return;
	}
	if (r->error != AWS_OK) {
		f->denied = r->error == AWS_DENIED;
		set_error(f, r->cause);
		return;
	}
	b->failures = 0;
	/* A slice's page that comes while one is in hand waits its turn. */
	if (b->in_hand && b->nahead == b->spare) {
		b->ahead =
		    xreallocarray(b->ahead, b->spare + 1, sizeof *b->ahead);
		b->ahead_len = xreallocarray(
		    b->ahead_len, b->spare + 1, sizeof *b->ahead_len);
		memset(&b->ahead[b->spare++], 0, sizeof *b->ahead);
	}
	page = !b->in_hand ? &b->page : &b->ahead[b->nahead];
	if (cwlogs_parse_events(r->body, r->len, page, &cause) != 0) {
		/* The same page is asked for again. */
		if (++b->bad_answers > MAX_BAD_ANSWERS) {
			xasprintf(&msg,
			    "FilterLogEvents: %s (%d times in a row)", cause,
			    b->bad_answers);
			set_error(f, msg);
			free(msg);
		} else
			log_debug("FilterLogEvents: %s; asking again", cause);
		free(cause);
		b->next_poll = now + b->bad_answers * 1000;
		return;
	}
	b->bad_answers = 0;
	if (b->in_hand) {
		b->ahead_len[b->nahead++] = r->len;
		f->ahead_bytes += r->len;
	} else {
		b->in_hand = 1;
		b->next = 0;
	}
	/* The token moves with a parsed page. An empty page that hands back
	 * the token it was given is the end too: asking again would loop. */
	if (page->next == NULL ||
	    (page->n == 0 && b->token != NULL &&
		strcmp(page->next, b->token) == 0))
		b->fetched = 1;
	else {
		free(b->token);
		b->token = xstrdup(page->next);
	}
}

static void
ask(struct follow *f, struct batch *b)
{
	const char *names[BATCH_MAX];
	char *body;
	size_t i;

	for (i = 0; i < b->nq; i++)
		names[i] = b->v[i]->name;
	body = cwlogs_filter_body(f->opt.log_group,
	    b->backlog && f->opt.prefix != NULL && *f->opt.prefix != '\0'
		? f->opt.prefix
		: NULL,
	    names, b->nq, f->opt.filter_pattern, b->start_time, b->end_time,
	    b->token, PAGE_LIMIT);
	b->in_flight = 1;
	aws_call(f->aws, SERVICE_LOGS, "FilterLogEvents", body, on_page, b);
	free(body);
}

/* Begin a query of b: a look-back when one is due. */
static void
begin_query(struct follow *f, struct batch *b, int64_t now)
{
	size_t i;

	b->sweeping = now >= b->next_sweep;
	if (b->sweeping)
		b->next_sweep =
		    now + (f->pace_ms > 0 ? f->pace_ms : f->opt.sweep_ms);
	b->nq = b->n;
	b->start_time = query_start(f, b, b->sweeping);
	for (i = 0; b->sweeping && i < b->n; i++)
		b->v[i]->swept = b->v[i]->anchor;
	/* FilterLogEvents' endTime is inclusive, --until is not. */
	b->end_time = f->opt.until >= 0 ? f->opt.until - 1 : -1;
	/*
	 * Following, the backlog stops at the moment it began: a busy job
	 * writes on while it is read, and the batches, which start from
	 * each stream's newest event, read the rest. Without that bound a
	 * query over a chatty job might chase its newest page for long.
	 */
	if (b->backlog && !f->opt.drain &&
	    (b->end_time < 0 || clock_wall_ms() < b->end_time))
		b->end_time = clock_wall_ms();
	/* A slice of a drain's backlog reads its own part of the time. */
	if (b->backlog && b->slice_lo >= 0 && b->slice_lo > b->start_time)
		b->start_time = b->slice_lo;
	if (b->backlog && b->slice_hi >= 0 &&
	    (b->end_time < 0 || b->slice_hi - 1 < b->end_time))
		b->end_time = b->slice_hi - 1;
	b->began = now;
	if (b->backlog)
		f->backlog_began = now;
	b->fresh = 0;
	b->fetched = 0;
	b->querying = 1;
	free(b->token);
	b->token = NULL;
}

/*
 * Forget ids that no query will bring again, once they have doubled (plus
 * a few, so a quiet stream is not pruned at every event). The few are few:
 * a stream's set holds about its window's ids, not its history's (a
 * thousand more a stream were 38 MB at 600 quiet streams).
 */
static void
prune(struct follow *f, struct fstream *fs)
{
	if (fs->anchor == NONE || idset_count(fs->ids) < 2 * fs->kept + 32)
		return;
	fs->floor = reach(fs) - f->opt.window_ms - OVERLAP_MS;
	idset_prune(fs->ids, fs->floor);
	fs->kept = idset_count(fs->ids);
}

/* The streams of waiting batch w that showed events join regular
 * batches; the others stay, in their order. */
static void
move_on(struct follow *f, struct batch *w)
{
	struct batch *b;
	size_t i, kept = 0, asked = 0;

	for (i = 0; i < w->n; i++) {
		if (i >= w->nq || w->v[i]->anchor == NONE) {
			asked += i < w->nq;
			w->v[kept++] = w->v[i];
			continue;
		}
		b = batch_with_room(f, 0);
		b->v[b->n++] = w->v[i];
	}
	w->n = kept;
	w->nq = asked;
}

/*
 * The backlog is read: every stream it found has been read up to the
 * query's start, and the batches of named streams may begin.
 */
static void
backlog_read(struct follow *f)
{
	size_t i, j;

	for (i = 0; i < f->nb; i++)
		for (j = 0; j < f->b[i]->n; j++)
			f->b[i]->v[j]->read |= f->b[i]->v[j]->anchor != NONE;
	f->backlog_done = 1;
	if (f->opt.drain && f->nstreams == 0 && !f->no_group)
		log_warn("no stream in log group %s starts with \"%s\"",
		    f->opt.log_group,
		    f->opt.prefix != NULL ? f->opt.prefix : "");
}

/* The backlog's slice whose turn it is to release, or NULL: all ended. */
static struct batch *
backlog_slice(const struct follow *f)
{
	size_t i;

	for (i = 0; i < f->nb; i++)
		if (f->b[i]->backlog && !f->b[i]->ended)
			return (f->b[i]);
	return (NULL);
}

/* A query came to its end. */
static void
end_query(struct follow *f, struct batch *b, int64_t now)
{
	size_t i;

	b->querying = 0;
	if (b->backlog) {
		b->ended = 1;
		if (backlog_slice(f) == NULL)
			backlog_read(f);
		return;
	}
	for (i = 0; i < b->nq; i++)
		b->v[i]->read = 1;
	/* A waiting batch's every query reads from the start. */
	if (b->sweeping || b->waiting)
		b->swept_at = b->began;
	if (b->waiting)
		move_on(f, b);
	if (b->fresh)
		b->idle_ms = f->opt.poll_ms;
	else if ((b->idle_ms *= 2) > f->opt.idle_max_ms)
		b->idle_ms = f->opt.idle_max_ms;
	b->next_poll = now + (b->fresh ? f->opt.poll_ms : b->idle_ms);
	if (f->pace_ms > 0)
		b->next_poll = now + f->pace_ms;
	/* Streams that joined during the query have not been asked yet;
	 * a second Live Tail sampled may be newer than the query. */
	if (b->nq < b->n || b->again)
		b->next_poll = now;
	b->again = 0;
}

/* One event of the page in hand: out, unless seen or not ours. */
static enum sink_status
release_event(struct follow *f, struct batch *b, const struct cwlogs_event *ev,
    char **cause)
{
	struct fstream *fs;
	enum sink_status rc;

	fs = strmap_get(
	    f->names, cwlogs_str(&b->page, ev->stream), ev->stream_len);
	if (fs == NULL && b->backlog)
		fs = found_stream(
		    f, cwlogs_str(&b->page, ev->stream), ev->stream_len);
	if (fs == NULL || ev->timestamp < fs->floor)
		return (SINK_OK);
	if (!idset_add(fs->ids, cwlogs_str(&b->page, ev->id), ev->id_len,
		ev->timestamp))
		return (SINK_OK);
	rc = SINK_OK;
	/* Live Tail may have shown it already. */
	if (f->reconcile == NULL ||
	    reconcile_add(f->reconcile, RECONCILE_POLL, fs->name,
		strlen(fs->name), ev->timestamp, cwlogs_str(&b->page, ev->msg),
		ev->msg_len, clock_mono_ms())) {
		rc = pipeline_event(f->pipeline, fs->st, ev->timestamp,
		    cwlogs_str(&b->page, ev->msg), ev->msg_len, cause);
		f->events++;
	}
	if (fs->anchor == NONE || ev->timestamp > fs->anchor)
		fs->anchor = ev->timestamp;
	b->fresh = 1;
	prune(f, fs);
	return (rc);
}

/*
 * Release b's pages in hand, the one in hand and those ahead in order; the
 * query ends when its last page is out. *released counts the events.
 */
static enum sink_status
release_page(struct follow *f, struct batch *b, int64_t now, size_t *released,
    char **cause)
{
	struct cwlogs_page spent;
	enum sink_status rc;

	for (;;) {
		*released += b->page.n - b->next;
		while (b->next < b->page.n) {
			rc = release_event(f, b, &b->page.v[b->next++], cause);
			if (rc != SINK_OK)
				return (rc);
		}
		if (b->nahead == 0)
			break;
		spent = b->page;
		b->page = b->ahead[0];
		f->ahead_bytes -= b->ahead_len[0];
		b->nahead--;
		memmove(b->ahead, b->ahead + 1, b->nahead * sizeof *b->ahead);
		memmove(b->ahead_len, b->ahead_len + 1,
		    b->nahead * sizeof *b->ahead_len);
		b->ahead[b->nahead] = spent;
		b->next = 0;
	}
	b->in_hand = 0;
	if (b->fetched)
		end_query(f, b, now);
	return (SINK_OK);
}

enum source_status
follow_step(struct follow *f, int64_t now, int64_t *deadline, char **cause)
{
	enum sink_status rc;
	struct batch *b;
	size_t i, k, start = f->rr, released = 0;

	for (i = 0; i < f->nb; i++) {
		b = f->b[i];
		/* The backlog's slices release in the order of their time. */
		if (!b->in_hand || (b->backlog && b != backlog_slice(f)))
			continue;
		if ((rc = release_page(f, b, now, &released, cause)) ==
		    SINK_ERROR)
			return (SOURCE_OUTPUT_ERROR);
		if (rc == SINK_CLOSED)
			return (SOURCE_CLOSED);
	}
	/* The quiet moments are when a reader must see it all. */
	if (released > 0) {
		rc = pipeline_flush(f->pipeline, cause);
		if (rc == SINK_ERROR)
			return (SOURCE_OUTPUT_ERROR);
		if (rc == SINK_CLOSED)
			return (SOURCE_CLOSED);
	}
	if (f->error != NULL) {
		*cause = xstrdup(f->error);
		return (SOURCE_ERROR);
	}
	if (f->backlog_done && f->opt.drain)
		return (SOURCE_DONE);
	for (k = 0; k < f->nb; k++) {
		b = f->b[(start + k) % f->nb];
		/* The backlog first, alone; then every batch but it. */
		if (b->backlog ? b->ended || f->backlog_held
			       : !f->backlog_done || b->n == 0)
			continue;
		if (b->in_flight || (b->in_hand && !b->backlog))
			continue;
		/* Slices run ahead of their turn within a memory budget. */
		if (b->backlog &&
		    (b->fetched ||
			(b->in_hand && f->ahead_bytes >= AHEAD_BYTES)))
			continue;
		/* Its next page goes at once, unless a retry waits. */
		if (b->next_poll > now) {
			if (*deadline < 0 || b->next_poll < *deadline)
				*deadline = b->next_poll;
			continue;
		}
		if (!budget_take(&f->budget, now, deadline))
			break;
		if (!b->querying)
			begin_query(f, b, now);
		ask(f, b);
		f->rr = (start + k + 1) % f->nb;
	}
	return (SOURCE_MORE);
}

void
follow_set_reconcile(struct follow *f, struct reconcile *r)
{
	f->reconcile = r;
}

void
follow_hold_backlog(struct follow *f, int held)
{
	f->backlog_held = held;
}

void
follow_poll_now(struct follow *f)
{
	size_t i;

	for (i = 0; i < f->nb; i++) {
		f->b[i]->next_poll = 0;
		f->b[i]->again = f->b[i]->querying;
	}
}

void
follow_set_pace(struct follow *f, int64_t pace_ms)
{
	size_t i;

	if (f->pace_ms > 0 && pace_ms == 0)
		for (i = 0; i < f->nb; i++)
			if (f->b[i]->next_poll >
			    clock_mono_ms() + f->opt.poll_ms)
				f->b[i]->next_poll = 0;
	f->pace_ms = pace_ms;
}

void
follow_sweep_now(struct follow *f)
{
	size_t i;

	for (i = 0; i < f->nb; i++) {
		f->b[i]->next_sweep = 0;
		f->b[i]->next_poll = 0;
	}
}

int64_t
follow_swept_at(const struct follow *f)
{
	const struct batch *b;
	int64_t at = INT64_MAX;
	size_t i;

	if (!f->backlog_done)
		return (0);
	for (i = 0; i < f->nb; i++) {
		b = f->b[i];
		if (b->n == 0 || b->backlog)
			continue;
		/* A stream that joined since was not in that look-back. */
		if (b->nq < b->n)
			return (0);
		if (b->swept_at < at)
			at = b->swept_at;
	}
	return (at == INT64_MAX ? 0 : at);
}

int
follow_swept_since(const struct follow *f, int64_t t)
{
	const struct batch *b;
	size_t i;

	if (!f->backlog_done)
		return (0);
	for (i = 0; i < f->nb; i++) {
		b = f->b[i];
		if (b->n == 0 || b->backlog)
			continue;
		if (b->in_flight || b->in_hand || b->querying ||
		    b->swept_at < t || b->nq < b->n)
			return (0);
	}
	return (1);
}

uint64_t
follow_events(const struct follow *f)
{
	return (f->events);
}

size_t
follow_streams(const struct follow *f)
{
	return (f->nstreams);
}

int
follow_denied(const struct follow *f)
{
	return (f->denied);
}

size_t
follow_behind(const struct follow *f)
{
	size_t i, j, behind = 0;

	for (i = 0; i < f->nb; i++)
		for (j = 0; j < f->b[i]->n; j++)
			behind += !f->b[i]->v[j]->read;
	return (behind);
}

int
follow_stream_read(
    const struct follow *f, const char *name, size_t len, int64_t since)
{
	const struct fstream *fs = strmap_get(f->names, name, len);

	if (fs != NULL && fs->read)
		return (1);
	/* The backlog found every stream that had logged before since. */
	return (f->backlog_done && f->backlog_began >= since);
}

double
follow_rate(const struct follow *f)
{
	return (f->budget.rate);
}

void
follow_set_span(struct follow *f, int64_t first, int64_t last)
{
	int64_t lo = first, hi = last, cut;
	struct batch *b;
	int i;

	if (f->opt.since >= 0 && f->opt.since > lo)
		lo = f->opt.since;
	if (f->opt.until >= 0 && f->opt.until < hi)
		hi = f->opt.until;
	/* Only a drain, before it began; the first and last slices stay
	 * open, so a span that is wrong costs speed, never an event. */
	if (!f->opt.drain || f->nb != 1 || f->backlog->querying ||
	    f->backlog->ended || lo <= 0 || hi - lo < SLICES)
		return;
	for (i = 1; i < SLICES; i++) {
		cut = lo + (hi - lo) / SLICES * i;
		f->b[f->nb - 1]->slice_hi = cut;
		b = new_batch(f, 1);
		b->backlog = 1;
		b->slice_lo = cut;
		b->slice_hi = -1;
	}
}

int
follow_take(struct follow *f, int64_t now, int64_t *deadline)
{
	return (budget_take(&f->budget, now, deadline));
}

void
follow_answer(struct follow *f, int throttled, int64_t now)
{
	budget_answer(&f->budget, throttled, now);
}
