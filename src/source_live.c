/*
 * Live Tail beside the backstop. The session driver (livetail.c) calls
 * the hooks here from inside the transport's callbacks; they only hand
 * events to the pipeline and move the backstop's schedule, never start or
 * cancel a call (that happens in source_live_step(), in the loop's turn).
 *
 * A stream's history comes first: Live Tail's events of a stream are held
 * (in arrival order) until what the stream logged before the session
 * began is out, so it comes out before what the stream logs now; then they
 * pass through reconcile like any other. That history is out once the
 * backstop's first query naming the stream has ended; and for every
 * stream at once when the backstop's first query (by prefix, which finds
 * every stream that has logged) began after the session did and has
 * ended. So, when Live Tail starts with the run, that query waits (a
 * moment) for the session: then no stream's events wait for the backstop
 * after it, however many streams there are or appear.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "source_live.h"
#include "strmap.h"
#include "xmalloc.h"

/*
 * A Live Tail copy is kept until every batch of the backstop has finished
 * a look-back that began after the copy came (follow_swept_at()): the
 * event was ingested before, so that look-back read it if it ever will,
 * however far the backstop lags. A backstop copy is kept until Live Tail,
 * which pushes within seconds of ingestion, cannot bring it.
 */
#define POLL_KEEP_MS 60000
#define PRUNE_EVERY_MS 1000
/* Held beyond this, events go out without waiting for their history. */
#define HELD_MAX_BYTES (64 * 1024 * 1024)
/*
 * The backstop's first query waits at most this long for the session,
 * from when Live Tail begins to connect (after the job's description).
 */
#define BACKLOG_WAIT_MS 5000
#define BACKLOG_ARMED (-1) /* the wait is on, its clock not yet started */

/* A Live Tail event held until its stream's history is out. */
struct held {
	struct stream *st;
	char *stream; /* the name, then the message, in one allocation */
	size_t stream_len;
	const char *msg;
	size_t len;
	int64_t ts;
};

struct source_live {
	struct pipeline *pipeline;
	struct follow *follow;
	struct reconcile *reconcile;
	struct livetail *lt;
	source_live_stream_fn stream;
	void *arg;
	int64_t pruned_at;
	uint64_t events;
	int unflushed; /* events released since the last flush */
	struct held *held;
	size_t nheld, capheld;
	size_t held_bytes;
	struct strmap *holding; /* stream name -> its events held (count) */
	int64_t session_at; /* monotonic ms the last session began */
	int64_t backlog_until; /* the backlog waits till then, or 0 */
	enum sink_status status; /* an output's failure, not yet returned */
	char *cause;
};

/* One Live Tail event out, unless the backstop showed it already. */
static void
release(struct source_live *sl, struct stream *st, const char *stream,
    size_t slen, int64_t ts, const char *msg, size_t len, int64_t now)
{
	enum sink_status rc;
	char *cause = NULL;

	if (sl->status != SINK_OK ||
	    !reconcile_add(
		sl->reconcile, RECONCILE_LIVE, stream, slen, ts, msg, len, now))
		return;
	rc = pipeline_event(sl->pipeline, st, ts, msg, len, &cause);
	sl->events++;
	sl->unflushed = 1;
	if (rc != SINK_OK) {
		sl->status = rc;
		sl->cause = cause;
	}
}

static void
hold(struct source_live *sl, struct stream *st, const char *stream, size_t slen,
    int64_t ts, const char *msg, size_t len)
{
	struct held *h;
	uintptr_t n;

	if (sl->nheld == sl->capheld) {
		sl->capheld = sl->capheld == 0 ? 64 : sl->capheld * 2;
		sl->held =
		    xreallocarray(sl->held, sl->capheld, sizeof *sl->held);
	}
	h = &sl->held[sl->nheld++];
	h->st = st;
	h->stream = xmalloc(slen + len + 1);
	memcpy(h->stream, stream, slen);
	memcpy(h->stream + slen, msg, len);
	h->stream_len = slen;
	h->msg = h->stream + slen;
	h->len = len;
	h->ts = ts;
	sl->held_bytes += slen + len + sizeof *h;
	n = (uintptr_t)strmap_get(sl->holding, stream, slen);
	strmap_put(sl->holding, stream, slen, (void *)(n + 1));
}

/* Release, in order, the held events whose stream's history is out. */
static void
release_held(struct source_live *sl, int64_t now, int all)
{
	struct held *h;
	size_t i, kept = 0;
	uintptr_t n;

	all |= sl->held_bytes > HELD_MAX_BYTES;

	for (i = 0; i < sl->nheld; i++) {
		h = &sl->held[i];
		if (!all &&
		    !follow_stream_read(
			sl->follow, h->stream, h->stream_len, sl->session_at)) {
			sl->held[kept++] = *h;
			continue;
		}
		release(sl, h->st, h->stream, h->stream_len, h->ts, h->msg,
		    h->len, now);
		n = (uintptr_t)strmap_get(
		    sl->holding, h->stream, h->stream_len);
		strmap_put(sl->holding, h->stream, h->stream_len,
		    n > 1 ? (void *)(n - 1) : NULL);
		sl->held_bytes -= h->stream_len + h->len + sizeof *h;
		free(h->stream);
	}
	sl->nheld = kept;
}

static void
on_update(void *arg, const struct cwlogs_page *p)
{
	struct source_live *sl = arg;
	const struct cwlogs_event *ev;
	const char *name, *msg;
	struct stream *st;
	int64_t now = clock_mono_ms();
	size_t i;

	for (i = 0; i < p->n; i++) {
		ev = &p->v[i];
		name = cwlogs_str(p, ev->stream);
		msg = cwlogs_str(p, ev->msg);
		st = sl->stream(sl->arg, name, ev->stream_len);
		if (strmap_get(sl->holding, name, ev->stream_len) != NULL ||
		    !follow_stream_read(
			sl->follow, name, ev->stream_len, sl->session_at))
			hold(sl, st, name, ev->stream_len, ev->timestamp, msg,
			    ev->msg_len);
		else
			release(sl, st, name, ev->stream_len, ev->timestamp,
			    msg, ev->msg_len, now);
	}
	/* Live Tail kept 500 of this second's events: read the rest. */
	if (p->sampled)
		follow_poll_now(sl->follow);
}

static void
on_gap(void *arg, int64_t since)
{
	struct source_live *sl = arg;

	(void)since; /* a look-back covers the window, which includes it */
	follow_sweep_now(sl->follow);
}

static void
backlog_go(struct source_live *sl)
{
	if (sl->backlog_until == 0)
		return;
	sl->backlog_until = 0;
	follow_hold_backlog(sl->follow, 0);
}

static void
on_state(void *arg, enum livetail_state st, const char *why)
{
	struct source_live *sl = arg;

	if (st == LIVETAIL_LIVE)
		sl->session_at = clock_mono_ms();
	/* Live, or not to be soon: the backlog need wait no longer. */
	if (st != LIVETAIL_CONNECTING)
		backlog_go(sl);
	follow_set_pace(
	    sl->follow, st == LIVETAIL_LIVE ? SOURCE_LIVE_BACKSTOP_MS : 0);
	if (why != NULL)
		log_warn("%s", why);
}

struct source_live *
source_live_new(struct aws *aws, struct pipeline *p, struct follow *f,
    const struct source_live_options *o)
{
	struct livetail_hooks hooks;
	struct source_live *sl;

	sl = xcalloc(1, sizeof *sl);
	sl->pipeline = p;
	sl->follow = f;
	sl->stream = o->stream;
	sl->arg = o->arg;
	sl->status = SINK_OK;
	sl->holding = strmap_new();
	memset(&hooks, 0, sizeof hooks);
	hooks.update = on_update;
	hooks.gap = on_gap;
	hooks.state = on_state;
	hooks.arg = sl;
	sl->lt = livetail_new(
	    aws, o->log_group, o->prefix, o->filter_pattern, &hooks);
	return (sl);
}

void
source_live_free(struct source_live *sl)
{
	size_t i;

	if (sl == NULL)
		return;
	livetail_free(sl->lt);
	for (i = 0; i < sl->nheld; i++)
		free(sl->held[i].stream);
	free(sl->held);
	strmap_free(sl->holding);
	reconcile_free(sl->reconcile);
	free(sl->cause);
	free(sl);
}

void
source_live_set(struct source_live *sl, int on)
{
	enum livetail_state st = livetail_state(sl->lt);

	if (on) {
		if (sl->reconcile == NULL) {
			sl->reconcile = reconcile_new();
			follow_set_reconcile(sl->follow, sl->reconcile);
		}
		/* Only the first query waits; once it began, this is moot. */
		if (livetail_state(sl->lt) == LIVETAIL_OFF) {
			sl->backlog_until = BACKLOG_ARMED;
			follow_hold_backlog(sl->follow, 1);
		}
		livetail_start(sl->lt);
	} else if (st != LIVETAIL_OFF && st != LIVETAIL_REFUSED) {
		livetail_stop(sl->lt);
		/* Polling alone again, at its own pace, from where it was. */
		follow_set_pace(sl->follow, 0);
		follow_sweep_now(sl->follow);
	}
}

enum sink_status
source_live_step(
    struct source_live *sl, int64_t now, int64_t *deadline, char **cause)
{
	enum sink_status rc;
	int64_t next;

	if (sl->status != SINK_OK) {
		rc = sl->status;
		*cause = sl->cause;
		sl->cause = NULL;
		sl->status = SINK_OK;
		return (rc);
	}
	if (sl->backlog_until == BACKLOG_ARMED)
		sl->backlog_until = now + BACKLOG_WAIT_MS;
	if (sl->backlog_until != 0) {
		if (now >= sl->backlog_until) {
			log_debug("Live Tail not live after %d s: the backstop "
				  "begins without it",
			    BACKLOG_WAIT_MS / 1000);
			backlog_go(sl);
		} else if (*deadline < 0 || sl->backlog_until < *deadline)
			*deadline = sl->backlog_until;
	}
	if (sl->nheld > 0)
		release_held(sl, now, 0);
	/* An update is a quiet moment: a reader sees it whole. */
	if (sl->unflushed) {
		sl->unflushed = 0;
		if ((rc = pipeline_flush(sl->pipeline, cause)) != SINK_OK)
			return (rc);
	}
	if (sl->reconcile != NULL && now - sl->pruned_at >= PRUNE_EVERY_MS) {
		reconcile_prune(sl->reconcile, follow_swept_at(sl->follow),
		    now - POLL_KEEP_MS);
		sl->pruned_at = now;
	}
	next = livetail_step(sl->lt, now);
	if (next >= 0 && (*deadline < 0 || next < *deadline))
		*deadline = next;
	if (livetail_state(sl->lt) == LIVETAIL_LIVE &&
	    (*deadline < 0 || sl->pruned_at + PRUNE_EVERY_MS < *deadline))
		*deadline = sl->pruned_at + PRUNE_EVERY_MS;
	return (SINK_OK);
}

enum sink_status
source_live_release(struct source_live *sl, char **cause)
{
	enum sink_status rc;

	if (sl->nheld > 0)
		release_held(sl, clock_mono_ms(), 1);
	if (sl->status != SINK_OK) {
		rc = sl->status;
		*cause = sl->cause;
		sl->cause = NULL;
		sl->status = SINK_OK;
		return (rc);
	}
	return (SINK_OK);
}

enum livetail_state
source_live_state(const struct source_live *sl)
{
	return (livetail_state(sl->lt));
}

uint64_t
source_live_events(const struct source_live *sl)
{
	return (sl->events);
}

const struct livetail_stats *
source_live_stats(const struct source_live *sl)
{
	return (livetail_stats(sl->lt));
}
