/*
 * Grouped lines. An event's fields are rendered once into the text before
 * and after its message, and reused for each of its lines. Group, host and
 * stream names are interned upstream (they live as long as the pipeline),
 * so their escaped (and coloured) form is cached by pointer, a few per
 * host: events merged by time switch host at almost every line.
 *
 * Progress bars: a line that is a bar's state (and not its last) waits in
 * a slot of its host and rank, replaced by each newer state, and is
 * written when that host (and rank) writes anything else, when the bar
 * fills, and at the end or a quiet moment of a followed job (flush). So a
 * bar's state may come after other hosts' lines of the same time; nothing
 * is lost but the states in between.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escapes.h"
#include "mpi.h"
#include "out_lines.h"
#include "outbuf.h"
#include "palette.h"
#include "progress.h"
#include "sanitize.h"
#include "sgr.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Direct-mapped by host: a slot is rebuilt only when two hosts share it. */
#define NNAMES 128

struct names {
	const char *group; /* what text is built for; NULL: empty slot */
	const char *host;
	struct buf group_text; /* escaped (and coloured) */
	struct buf host_text;
};

/* A progress bar's latest state, waiting to be written. */
struct pending {
	const char *host; /* NULL: a free slot */
	int ranked;
	unsigned rank;
	struct buf key; /* the bar's name */
	struct buf line; /* the whole output line */
};

struct out_lines {
	struct out_lines_options opt;
	struct outbuf out;
	struct palette *palette;
	int message; /* the message is one of the fields */
	int strip_tag; /* the rank has a column: no tag in the message */
	struct names names[NNAMES];
	const char *stream; /* the stream stream_text is built for */
	struct buf stream_text;
	struct buf before, after; /* an event's fields around its message */
	struct buf decoded; /* an event's message, escapes decoded */
	struct pending *pending;
	size_t npending, nwaiting;
};

void *
out_lines_new(const struct out_lines_options *opt)
{
	struct out_lines *ol;

	ol = xcalloc(1, sizeof *ol);
	ol->opt = *opt;
	outbuf_init(&ol->out, opt->fd, "standard output");
	if (opt->color)
		ol->palette = palette_new(opt->colors);
	ol->message = fields_has(&opt->fields, FIELD_MESSAGE);
	ol->strip_tag = !opt->raw && fields_has(&opt->fields, FIELD_RANK);
	return (ol);
}

static void
add_colored(struct out_lines *ol, struct buf *b, struct palette_color c,
    const char *s, size_t len)
{
	if (ol->palette != NULL)
		palette_sgr(b, c);
	sanitize_field(b, s, len);
	if (ol->palette != NULL)
		buf_adds(b, "\033[0m");
}

/* The escaped group and host of an event, built when not cached. */
static const struct names *
names_of(struct out_lines *ol, const struct out_event *ev)
{
	uintptr_t key = (uintptr_t)ev->host;
	struct names *n = &ol->names[(key ^ key >> 7 ^ key >> 13) % NNAMES];
	struct palette_color gc = {-1, 0}, hc = {-1, 0};

	if (n->group == ev->group && n->host == ev->host)
		return (n);
	if (ol->palette != NULL) {
		gc = palette_group(ol->palette, ev->group, ev->group_len);
		hc = palette_host(ol->palette, ev->group, ev->group_len,
		    ev->host, ev->host_len);
	}
	buf_reset(&n->group_text);
	add_colored(ol, &n->group_text, gc, ev->group, ev->group_len);
	buf_reset(&n->host_text);
	add_colored(ol, &n->host_text, hc, ev->host, ev->host_len);
	n->group = ev->group;
	n->host = ev->host;
	return (n);
}

static void
add_field(struct out_lines *ol, struct buf *b, enum field f,
    const struct out_event *ev, const struct names *n)
{
	char ts[TIMEFMT_MAX + 1];
	size_t len;

	switch (f) {
	case FIELD_TIME:
		len = timefmt_format(ev->timestamp, ts);
		buf_add(b, ts, len);
		break;
	case FIELD_GROUP:
		buf_add(b, n->group_text.data, n->group_text.len);
		break;
	case FIELD_HOST:
		buf_add(b, n->host_text.data, n->host_text.len);
		break;
	case FIELD_STREAM:
		if (ol->stream != ev->stream) {
			buf_reset(&ol->stream_text);
			sanitize_field(
			    &ol->stream_text, ev->stream, ev->stream_len);
			ol->stream = ev->stream;
		}
		buf_add(b, ol->stream_text.data, ol->stream_text.len);
		break;
	case FIELD_RANK:
		if (ev->ranked)
			buf_printf(b, "%u", ev->rank);
		else
			buf_addc(b, '-');
		break;
	case FIELD_MESSAGE:
	case FIELD_COUNT:
		break;
	}
}

/*
 * The fields before the message, each followed by a space, and those after
 * it, each preceded by one; without a message, all of them in before.
 */
static void
build_fields(struct out_lines *ol, const struct out_event *ev)
{
	const struct names *n = names_of(ol, ev);
	struct buf *b = &ol->before;
	enum field f;
	size_t i;

	buf_reset(&ol->before);
	buf_reset(&ol->after);
	for (i = 0; i < ol->opt.fields.n; i++) {
		if ((f = ol->opt.fields.v[i]) == FIELD_MESSAGE) {
			b = &ol->after;
			continue;
		}
		if (b == &ol->after || (!ol->message && b->len > 0))
			buf_addc(b, ' ');
		add_field(ol, b, f, ev, n);
		if (b == &ol->before && ol->message)
			buf_addc(b, ' ');
	}
}

/* Message text with the log's colours shown, or taken out. */
static void
add_colors(struct out_lines *ol, struct buf *b, const char *s, size_t len)
{
	struct sgr_attr a = SGR_ATTR_INIT, shown = SGR_ATTR_INIT;
	const char *p = s, *end = s + len, *text;
	size_t n;

	while (sgr_next(&p, end, &a, &text, &n)) {
		if (ol->palette != NULL &&
		    (a.fg != shown.fg || a.bg != shown.bg)) {
			sgr_add(b, &a);
			shown = a;
		}
		sanitize_term(b, text, n);
	}
	if (shown.fg != SGR_DEFAULT || shown.bg != SGR_DEFAULT)
		buf_adds(b, "\033[0m");
}

/* One whole output line into b. */
static void
render(struct out_lines *ol, struct buf *b, const char *s, size_t len)
{
	buf_add(b, ol->before.data, ol->before.len);
	if (ol->message) {
		if (!ol->opt.sanitize)
			buf_add(b, s, len);
		else if (!ol->opt.raw && memchr(s, '\033', len) != NULL)
			add_colors(ol, b, s, len);
		else
			sanitize_term(b, s, len);
	}
	buf_add(b, ol->after.data, ol->after.len);
	buf_addc(b, '\n');
}

/* The waiting bar of an event's host and rank, or NULL. */
static struct pending *
pending_of(struct out_lines *ol, const struct out_event *ev)
{
	size_t i;

	for (i = 0; i < ol->npending; i++)
		if (ol->pending[i].host == ev->host &&
		    ol->pending[i].ranked == ev->ranked &&
		    ol->pending[i].rank == ev->rank)
			return (&ol->pending[i]);
	return (NULL);
}

/* Write a waiting bar's state out, and free its slot. */
static void
release(struct out_lines *ol, struct pending *w)
{
	buf_add(&ol->out.b, w->line.data, w->line.len);
	w->host = NULL;
	ol->nwaiting--;
}

static void
release_all(struct out_lines *ol)
{
	size_t i;

	for (i = 0; i < ol->npending; i++)
		if (ol->pending[i].host != NULL)
			release(ol, &ol->pending[i]);
}

/* A bar's state that is not its last: it waits, replacing the one before. */
static void
hold(struct out_lines *ol, const struct out_event *ev,
    const struct progress_bar *pb, const char *s, size_t len)
{
	struct pending *w = pending_of(ol, ev);
	size_t i;

	if (w != NULL &&
	    (w->key.len != pb->key_len ||
		memcmp(w->key.data, pb->key, pb->key_len) != 0))
		release(ol, w); /* another bar of the same host */
	if (w == NULL || w->host == NULL) {
		for (i = 0; i < ol->npending && ol->pending[i].host != NULL;
		     i++)
			;
		if (i == ol->npending) {
			ol->pending = xreallocarray(
			    ol->pending, ol->npending + 1, sizeof *ol->pending);
			memset(&ol->pending[i], 0, sizeof *ol->pending);
			ol->npending++;
		}
		w = &ol->pending[i];
		w->host = ev->host;
		w->ranked = ev->ranked;
		w->rank = ev->rank;
		ol->nwaiting++;
	}
	buf_reset(&w->key);
	buf_add(&w->key, pb->key, pb->key_len);
	buf_reset(&w->line);
	render(ol, &w->line, s, len);
}

/* One line of a message (one state, with --raw-progress). */
static void
line_out(
    struct out_lines *ol, const struct out_event *ev, const char *s, size_t len)
{
	struct progress_bar pb;
	struct pending *w;

	if (!ol->opt.raw && !ol->opt.raw_progress &&
	    progress_parse(s, len, &pb) && !pb.done) {
		hold(ol, ev, &pb, s, len);
		return;
	}
	if (ol->nwaiting > 0 && (w = pending_of(ol, ev)) != NULL &&
	    w->host != NULL)
		release(ol, w);
	render(ol, &ol->out.b, s, len);
}

/* One line of an event: its tag off, its progress-bar states handled. */
static void
shape_line(
    struct out_lines *ol, const struct out_event *ev, const char *s, size_t len)
{
	struct progress_bar pb;
	struct mpi_tag tag;
	const char *cr, *last;
	size_t n;

	if (ol->opt.raw) {
		render(ol, &ol->out.b, s, len);
		return;
	}
	if (ol->strip_tag && len > 0 && *s == '[' &&
	    mpi_tag_parse(s, len, &tag)) {
		s += tag.len;
		len -= tag.len;
	}
	if ((cr = memchr(s, '\r', len)) == NULL) {
		line_out(ol, ev, s, len);
		return;
	}
	if (!ol->opt.raw_progress) {
		/* Bar states show the last; other text is shown whole. */
		if ((last = progress_collapse(s, len, &n, &pb)) != NULL)
			line_out(ol, ev, last, n);
		else
			line_out(ol, ev, s, len);
		return;
	}
	/* Every state on a line of its own. */
	for (;;) {
		if (cr > s)
			line_out(ol, ev, s, (size_t)(cr - s));
		len -= (size_t)(cr - s) + 1;
		s = cr + 1;
		if ((cr = memchr(s, '\r', len)) == NULL)
			break;
	}
	if (len > 0)
		line_out(ol, ev, s, len);
}

static enum sink_status
out_lines_event(void *state, const struct out_event *ev, char **cause)
{
	struct out_lines *ol = state;
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;

	build_fields(ol, ev);
	if (!ol->opt.raw && escapes_find(ev->msg, ev->len)) {
		buf_reset(&ol->decoded);
		escapes_decode(&ol->decoded, ev->msg, ev->len);
		p = ol->decoded.data;
		end = p + ol->decoded.len;
	}
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		shape_line(ol, ev, p, (size_t)((nl != NULL ? nl : end) - p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return (outbuf_maybe_flush(&ol->out, cause));
}

/* A quiet moment or the end: waiting bars show their latest state. */
static enum sink_status
out_lines_flush(void *state, char **cause)
{
	struct out_lines *ol = state;

	if (ol->nwaiting > 0)
		release_all(ol);
	return (outbuf_flush(&ol->out, cause));
}

static enum sink_status
out_lines_finish(void *state, char **cause)
{
	struct out_lines *ol = state;

	if (ol->nwaiting > 0)
		release_all(ol);
	return (outbuf_finish(&ol->out, cause));
}

static void
out_lines_free(void *state)
{
	struct out_lines *ol = state;
	size_t i;

	outbuf_free(&ol->out);
	palette_free(ol->palette);
	for (i = 0; i < NNAMES; i++) {
		buf_free(&ol->names[i].group_text);
		buf_free(&ol->names[i].host_text);
	}
	for (i = 0; i < ol->npending; i++) {
		buf_free(&ol->pending[i].key);
		buf_free(&ol->pending[i].line);
	}
	free(ol->pending);
	buf_free(&ol->stream_text);
	buf_free(&ol->before);
	buf_free(&ol->after);
	buf_free(&ol->decoded);
	free(ol);
}

const struct sink out_lines_sink = {
    .name = "lines",
    .event = out_lines_event,
    .flush = out_lines_flush,
    .finish = out_lines_finish,
    .free = out_lines_free,
};
