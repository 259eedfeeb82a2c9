/*
 * The demultiplexer's queue. Held events form one FIFO in arrival order;
 * each remembers its stream, and a stream's group is asked of classify at
 * release time, so an assignment needs no bookkeeping here beyond a drain.
 *
 * Invariant (both modes): a stream's events leave in the order they came.
 * ORDERED: only the head of the FIFO may leave, so a held event blocks all
 * later ones. LIVE: any event whose stream is known may leave; an event of
 * a known stream never waits, since its earlier events left when the group
 * became known.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sanitize.h"
#include "store.h"
#include "strmap.h"
#include "xmalloc.h"

struct stream {
	const char *name; /* the map's copy of the key */
	size_t len;
	struct host *host;
	uint64_t lines; /* lines seen so far */
	size_t held; /* events of this stream in the queue */
	int overflowed; /* released as unassigned: never held again */
};

struct held {
	struct held *next;
	struct stream *stream;
	int64_t ts;
	struct out_origin at;
	unsigned lacks;
	size_t len;
	char msg[];
};

struct store {
	struct classify *classify;
	enum store_order order;
	size_t hold_limit;
	store_emit_fn emit;
	void *arg;
	struct strmap *streams;
	struct stream **stream_list;
	size_t nstreams, cap;
	struct held *head;
	struct held **tail;
	size_t held_bytes;
	int finished;
};

/* Per held event, what the budget counts besides the message. */
#define HELD_OVERHEAD (sizeof(struct held) + 16)

struct store *
store_new(struct classify *c, enum store_order order, size_t hold_limit,
    store_emit_fn emit, void *arg)
{
	struct store *s;

	s = xcalloc(1, sizeof *s);
	s->classify = c;
	s->order = order;
	s->hold_limit = hold_limit;
	s->emit = emit;
	s->arg = arg;
	s->streams = strmap_new();
	s->tail = &s->head;
	return (s);
}

void
store_free(struct store *s)
{
	struct held *h, *next;
	size_t i;

	if (s == NULL)
		return;
	for (h = s->head; h != NULL; h = next) {
		next = h->next;
		free(h);
	}
	for (i = 0; i < s->nstreams; i++)
		free(s->stream_list[i]);
	free(s->stream_list);
	strmap_free(s->streams);
	free(s);
}

struct stream *
store_stream(struct store *s, const char *name, size_t len)
{
	struct stream *st;

	if ((st = strmap_get(s->streams, name, len)) != NULL)
		return (st);
	st = xcalloc(1, sizeof *st);
	st->name = strmap_put(s->streams, name, len, st);
	st->len = len;
	st->host = classify_stream(s->classify, name, len);
	s->stream_list = xgrow(
	    s->stream_list, s->nstreams, &s->cap, 64, sizeof *s->stream_list);
	s->stream_list[s->nstreams++] = st;
	return (st);
}

const char *
store_stream_name(const struct stream *st)
{
	return (st->name);
}

size_t
store_stream_len(const struct stream *st)
{
	return (st->len);
}

struct host *
store_stream_host(const struct stream *st)
{
	return (st->host);
}

uint64_t
store_stream_lines(const struct stream *st)
{
	return (st->lines);
}

void
store_stream_add_lines(struct stream *st, uint64_t lines)
{
	st->lines += lines;
}

/* The group a stream's events leave under now, or NULL to keep waiting. */
static struct group *
release_group(struct store *s, const struct stream *st)
{
	struct group *g;

	if ((g = classify_host_group(st->host)) != NULL)
		return (g);
	if (st->overflowed || s->finished)
		return (classify_unassigned(s->classify));
	return (NULL);
}

static enum sink_status
emit(struct store *s, struct stream *st, struct group *g, int64_t ts,
    const char *msg, size_t len, const struct out_origin *at, unsigned lacks,
    char **cause)
{
	struct out_event ev;

	memset(&ev, 0, sizeof ev);
	ev.timestamp = ts;
	ev.group = classify_group_name(g, &ev.group_len);
	ev.host = classify_host_name(st->host, &ev.host_len);
	ev.stream = st->name;
	ev.stream_len = st->len;
	ev.msg = msg;
	ev.len = len;
	if (at != NULL)
		ev.origin = *at;
	ev.mark = EVENT_PLAIN;
	ev.error = -1;
	ev.lacks = lacks;
	return (s->emit(s->arg, &ev, cause));
}

/* Unlink *hp (whose group is g), emit it and free it. */
static enum sink_status
release_one(struct store *s, struct held **hp, struct group *g, char **cause)
{
	struct held *h = *hp;
	enum sink_status rc;

	*hp = h->next;
	if (s->tail == &h->next)
		s->tail = hp;
	h->stream->held--;
	s->held_bytes -= h->len + HELD_OVERHEAD;
	rc = emit(
	    s, h->stream, g, h->ts, h->msg, h->len, &h->at, h->lacks, cause);
	free(h);
	return (rc);
}

enum sink_status
store_release(struct store *s, char **cause)
{
	struct held **hp = &s->head;
	struct group *g;
	enum sink_status rc;

	while (*hp != NULL) {
		if ((g = release_group(s, (*hp)->stream)) != NULL) {
			if ((rc = release_one(s, hp, g, cause)) != SINK_OK)
				return (rc);
		} else if (s->order == STORE_ORDERED)
			break;
		else
			hp = &(*hp)->next;
	}
	return (SINK_OK);
}

/* Over budget: give up waiting for the stream held longest. */
static enum sink_status
overflow(struct store *s, char **cause)
{
	struct stream *st = s->head->stream;
	struct buf b = BUF_INIT;

	st->overflowed = 1;
	sanitize_term(&b, st->name, st->len);
	buf_addc(&b, '\0');
	log_warn("stream %s: no group known after holding %zu events "
		 "(hold limit of %zu bytes reached); released as \"%s\"",
	    b.data, st->held, s->hold_limit, CLASSIFY_UNASSIGNED);
	buf_free(&b);
	return (store_release(s, cause));
}

static void
hold(struct store *s, struct stream *st, int64_t ts, const char *msg,
    size_t len, const struct out_origin *at, unsigned lacks)
{
	struct held *h;

	h = xmalloc(sizeof *h + len);
	h->next = NULL;
	h->stream = st;
	h->ts = ts;
	h->at.path = at != NULL ? at->path : NULL;
	h->at.off = at != NULL ? at->off : 0;
	h->lacks = lacks;
	h->len = len;
	memcpy(h->msg, msg, len);
	*s->tail = h;
	s->tail = &h->next;
	st->held++;
	s->held_bytes += len + HELD_OVERHEAD;
}

enum sink_status
store_add(struct store *s, struct stream *st, int64_t ts, const char *msg,
    size_t len, const struct out_origin *at, unsigned lacks, char **cause)
{
	struct group *g;

	g = release_group(s, st);
	if (g != NULL && (s->head == NULL || s->order == STORE_LIVE))
		return (emit(s, st, g, ts, msg, len, at, lacks, cause));
	hold(s, st, ts, msg, len, at, lacks);
	while (s->held_bytes > s->hold_limit && s->head != NULL) {
		enum sink_status rc = overflow(s, cause);

		if (rc != SINK_OK)
			return (rc);
	}
	return (SINK_OK);
}

enum sink_status
store_finish(struct store *s, char **cause)
{
	size_t i, unknown = 0;

	for (i = 0; i < s->nstreams; i++)
		if (classify_host_group(s->stream_list[i]->host) == NULL &&
		    !s->stream_list[i]->overflowed &&
		    s->stream_list[i]->lines > 0)
			unknown++;
	if (unknown != 0)
		log_warn("%zu stream%s had no group marker; released as \"%s\" "
			 "(see --assign and --rules)",
		    unknown, unknown == 1 ? "" : "s", CLASSIFY_UNASSIGNED);
	s->finished = 1;
	return (store_release(s, cause));
}

size_t
store_held_streams(const struct store *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nstreams; i++)
		if (s->stream_list[i]->held > 0)
			n++;
	return (n);
}
