/*
 * Grouped lines. An event's fields are rendered once into the text before
 * and after its message, and reused for each of its lines. Group, host and
 * stream names are interned upstream (they live as long as the pipeline),
 * so what is built of them is kept for each host, found by the address of
 * its name: events merged by time switch host at almost every line. When
 * the fields hold no time and no rank, the whole text around a message is
 * kept, and an event costs no formatting at all.
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
#include "textscan.h"
#include "timefmt.h"
#include "xmalloc.h"

/* What is kept of a host, in a table keyed by the address of its name. */
struct hostent {
	const char *host; /* NULL: an empty entry */
	const char *group; /* what the texts were built for */
	const char *stream; /* what before and after are for; NULL: none */
	struct buf group_text; /* escaped (and coloured) */
	struct buf host_text;
	struct buf before, after; /* fields around a message (not per event) */
	size_t bars; /* 1 + the index of its first waiting bar, or 0 */
};

/* A progress bar's latest state, waiting to be written. */
struct pending {
	const char *host; /* NULL: a free slot */
	int ranked;
	unsigned rank;
	size_t next; /* 1 + the index of the host's next waiting bar, or 0 */
	struct buf key; /* the bar's name */
	struct buf line; /* the whole output line */
};

struct out_lines {
	struct out_lines_options opt;
	struct outbuf out;
	struct palette *palette;
	int message; /* the message is one of the fields */
	int strip_tag; /* the rank has a column: no tag in the message */
	int per_event; /* a field (time, rank) changes with every event */
	struct hostent *hosts; /* open addressing, at most half full */
	size_t hosts_size, nhosts; /* a power of two; entries in use */
	struct hostent *cur; /* the host of the event being written */
	struct buf before, after; /* an event's fields, when per_event */
	const struct buf *fb, *fa; /* the fields around its message */
	unsigned lacks; /* what its text lacks (textscan.h), once decoded */
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
	ol->per_event = fields_has(&opt->fields, FIELD_TIME) ||
	    fields_has(&opt->fields, FIELD_RANK);
	ol->hosts_size = 64;
	ol->hosts = xcalloc(ol->hosts_size, sizeof *ol->hosts);
	return (ol);
}

static size_t
host_slot(const char *host, size_t size)
{
	uint64_t k = (uint64_t)(uintptr_t)host * 0x9e3779b97f4a7c15ULL;

	return ((size_t)(k >> 32) & (size - 1));
}

/* The entry of host, made empty on first sight. */
static struct hostent *
host_entry(struct out_lines *ol, const char *host)
{
	struct hostent *old = ol->hosts, *h;
	size_t i, n = ol->hosts_size;

	for (i = host_slot(host, n); ol->hosts[i].host != NULL;
	     i = (i + 1) & (n - 1))
		if (ol->hosts[i].host == host)
			return (&ol->hosts[i]);
	if (2 * (ol->nhosts + 1) > n) {
		ol->hosts_size = 2 * n;
		ol->hosts = xcalloc(ol->hosts_size, sizeof *ol->hosts);
		for (i = 0; i < n; i++) {
			if (old[i].host == NULL)
				continue;
			h = &ol->hosts[host_slot(old[i].host, ol->hosts_size)];
			while (h->host != NULL)
				h = h + 1 == ol->hosts + ol->hosts_size
				    ? ol->hosts
				    : h + 1;
			*h = old[i];
		}
		free(old);
		return (host_entry(ol, host));
	}
	ol->nhosts++;
	ol->hosts[i].host = host;
	return (&ol->hosts[i]);
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

/* The escaped group and host of an event's host, built when its group
 * is new. */
static void
names_of(struct out_lines *ol, struct hostent *h, const struct out_event *ev)
{
	struct palette_color gc = {-1, 0}, hc = {-1, 0};

	if (h->group == ev->group)
		return;
	if (ol->palette != NULL) {
		gc = palette_group(ol->palette, ev->group, ev->group_len);
		hc = palette_host(ol->palette, ev->group, ev->group_len,
		    ev->host, ev->host_len);
	}
	buf_reset(&h->group_text);
	add_colored(ol, &h->group_text, gc, ev->group, ev->group_len);
	buf_reset(&h->host_text);
	add_colored(ol, &h->host_text, hc, ev->host, ev->host_len);
	h->group = ev->group;
	h->stream = NULL;
}

static void
add_field(struct buf *b, enum field f, const struct out_event *ev,
    const struct hostent *n)
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
		sanitize_field(b, ev->stream, ev->stream_len);
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
build_fields(struct out_lines *ol, const struct out_event *ev,
    const struct hostent *n, struct buf *before, struct buf *after)
{
	struct buf *b = before;
	enum field f;
	size_t i;

	buf_reset(before);
	buf_reset(after);
	for (i = 0; i < ol->opt.fields.n; i++) {
		if ((f = ol->opt.fields.v[i]) == FIELD_MESSAGE) {
			b = after;
			continue;
		}
		if (b == after || (!ol->message && b->len > 0))
			buf_addc(b, ' ');
		add_field(b, f, ev, n);
		if (b == before && ol->message)
			buf_addc(b, ' ');
	}
}

/*
 * The fields around an event's message (ol->fb, ol->fa): kept with its
 * host unless they change with every event.
 */
static void
fields_of(struct out_lines *ol, const struct out_event *ev)
{
	struct hostent *h = ol->cur = host_entry(ol, ev->host);

	names_of(ol, h, ev);
	if (ol->per_event) {
		build_fields(ol, ev, h, &ol->before, &ol->after);
		ol->fb = &ol->before;
		ol->fa = &ol->after;
		return;
	}
	if (h->stream != ev->stream) {
		build_fields(ol, ev, h, &h->before, &h->after);
		h->stream = ev->stream;
	}
	ol->fb = &h->before;
	ol->fa = &h->after;
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
	buf_add(b, ol->fb->data, ol->fb->len);
	if (ol->message) {
		if (!ol->opt.sanitize)
			buf_add(b, s, len);
		else if (!ol->opt.raw && !(ol->lacks & TEXT_NO_ESC) &&
		    memchr(s, '\033', len) != NULL)
			add_colors(ol, b, s, len);
		else
			sanitize_term(b, s, len);
	}
	buf_add(b, ol->fa->data, ol->fa->len);
	buf_addc(b, '\n');
}

/* The waiting bar of an event's host (h) and rank, or NULL. */
static struct pending *
pending_of(
    struct out_lines *ol, const struct hostent *h, const struct out_event *ev)
{
	size_t i;

	for (i = h->bars; i != 0; i = ol->pending[i - 1].next)
		if (ol->pending[i - 1].ranked == ev->ranked &&
		    ol->pending[i - 1].rank == ev->rank)
			return (&ol->pending[i - 1]);
	return (NULL);
}

/* Write a waiting bar of host h out, and free its slot. */
static void
release(struct out_lines *ol, struct hostent *h, struct pending *w)
{
	size_t *link, i = (size_t)(w - ol->pending) + 1;

	buf_add(&ol->out.b, w->line.data, w->line.len);
	for (link = &h->bars; *link != i; link = &ol->pending[*link - 1].next)
		;
	*link = w->next;
	w->host = NULL;
	ol->nwaiting--;
}

/* Every waiting bar, in the order of their slots. */
static void
release_all(struct out_lines *ol)
{
	size_t i;

	for (i = 0; i < ol->npending; i++)
		if (ol->pending[i].host != NULL)
			release(ol, host_entry(ol, ol->pending[i].host),
			    &ol->pending[i]);
}

/* A bar's state that is not its last: it waits, replacing the one before. */
static void
hold(struct out_lines *ol, const struct out_event *ev,
    const struct progress_bar *pb, const char *s, size_t len)
{
	struct hostent *h = ol->cur;
	struct pending *w = pending_of(ol, h, ev);
	size_t i;

	if (w != NULL &&
	    (w->key.len != pb->key_len ||
		memcmp(w->key.data, pb->key, pb->key_len) != 0))
		release(ol, h, w); /* another bar of the same host */
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
		w->next = h->bars;
		h->bars = i + 1;
		ol->nwaiting++;
	}
	buf_reset(&w->key);
	buf_add(&w->key, pb->key, pb->key_len);
	buf_reset(&w->line);
	render(ol, &w->line, s, len);
}

/*
 * One line of a message (one state, with --raw-progress). bar: the line
 * is known to be that bar's state; NULL: it is parsed here.
 */
static void
line_out(struct out_lines *ol, const struct out_event *ev, const char *s,
    size_t len, const struct progress_bar *bar)
{
	struct progress_bar pb;
	struct pending *w;

	if (bar == NULL && !ol->opt.raw && !ol->opt.raw_progress &&
	    ((ol->lacks & TEXT_NO_PIPE) ? progress_parse_unpiped(s, len, &pb)
					: progress_parse(s, len, &pb)))
		bar = &pb;
	if (bar != NULL && !bar->done) {
		hold(ol, ev, bar, s, len);
		return;
	}
	if (ol->cur->bars != 0 && (w = pending_of(ol, ol->cur, ev)) != NULL)
		release(ol, ol->cur, w);
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
	if ((ol->lacks & TEXT_NO_CR) || (cr = memchr(s, '\r', len)) == NULL) {
		line_out(ol, ev, s, len, NULL);
		return;
	}
	if (!ol->opt.raw_progress) {
		/* Bar states show the last; other text is shown whole. */
		if ((last = progress_collapse(s, len, &n, &pb)) != NULL)
			line_out(ol, ev, last, n, &pb);
		else
			line_out(ol, ev, s, len, NULL);
		return;
	}
	/* Every state on a line of its own. */
	for (;;) {
		if (cr > s)
			line_out(ol, ev, s, (size_t)(cr - s), NULL);
		len -= (size_t)(cr - s) + 1;
		s = cr + 1;
		if ((cr = memchr(s, '\r', len)) == NULL)
			break;
	}
	if (len > 0)
		line_out(ol, ev, s, len, NULL);
}

/*
 * The length of the line from s to end (a '\n' or the event's end) without
 * its line end's CR: a CR LF line end, or an event that ends in CR (a
 * writer's CR LF whose LF the agent took), is shown as LF (#15). Offline
 * files lose it in logfile.c; live events keep it. --raw shows it.
 */
static size_t
line_len(const struct out_lines *ol, const char *s, const char *end)
{
	size_t len = (size_t)(end - s);

	if (!ol->opt.raw && !(ol->lacks & TEXT_NO_CR) && len > 0 &&
	    s[len - 1] == '\r')
		len--;
	return (len);
}

static enum sink_status
out_lines_event(void *state, const struct out_event *ev, char **cause)
{
	struct out_lines *ol = state;
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;

	fields_of(ol, ev);
	ol->lacks = ev->lacks;
	if (!ol->opt.raw && !(ev->lacks & TEXT_NO_HASH) &&
	    escapes_find(ev->msg, ev->len)) {
		buf_reset(&ol->decoded);
		escapes_decode(&ol->decoded, ev->msg, ev->len);
		p = ol->decoded.data;
		end = p + ol->decoded.len;
		/* Decoding makes TABs, CRs and ESCs, never a line end or a
		 * '|'. */
		ol->lacks &=
		    ~(unsigned)(TEXT_NO_CR | TEXT_NO_ESC | TEXT_JSON_PLAIN);
	}
	if (ol->lacks & TEXT_NO_NL) {
		shape_line(ol, ev, p, line_len(ol, p, end));
		return (outbuf_maybe_flush(&ol->out, cause));
	}
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		shape_line(ol, ev, p, line_len(ol, p, nl != NULL ? nl : end));
		/* The event's own last line end ends its last line. */
		if (nl == NULL || (nl + 1 == end && !ol->opt.raw))
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
	for (i = 0; i < ol->hosts_size; i++) {
		buf_free(&ol->hosts[i].group_text);
		buf_free(&ol->hosts[i].host_text);
		buf_free(&ol->hosts[i].before);
		buf_free(&ol->hosts[i].after);
	}
	free(ol->hosts);
	for (i = 0; i < ol->npending; i++) {
		buf_free(&ol->pending[i].key);
		buf_free(&ol->pending[i].line);
	}
	free(ol->pending);
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
