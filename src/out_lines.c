/*
 * Grouped lines. The prefix of an event ("TIME GROUP HOST ") is built once
 * and reused for each of its lines; group and host names are interned
 * upstream (they live as long as the pipeline), so the escaped "GROUP HOST "
 * part is cached by pointer, a few per host: events merged by time switch
 * host at almost every line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "out_lines.h"
#include "outbuf.h"
#include "sanitize.h"
#include "strmap.h"
#include "xmalloc.h"

/* Group colours, in order of first appearance: green, blue, magenta... */
static const char *const palette[] = {
    "32", "34", "35", "36", "33", "92", "94", "95", "96", "93"};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* Direct-mapped by host: a slot is rebuilt only when two hosts share it. */
#define NNAMES 128

struct names {
	const char *group; /* what text is built for; NULL: empty slot */
	const char *host;
	struct buf text; /* "GROUP HOST " (coloured when asked) */
};

struct out_lines {
	struct out_lines_options opt;
	struct outbuf out;
	struct strmap *colors; /* group name -> 1 + palette index */
	size_t ncolors;
	struct names names[NNAMES];
};

void *
out_lines_new(const struct out_lines_options *opt)
{
	struct out_lines *ol;

	ol = xcalloc(1, sizeof *ol);
	ol->opt = *opt;
	outbuf_init(&ol->out, opt->fd, "standard output");
	ol->colors = strmap_new();
	return (ol);
}

static const char *
group_color(struct out_lines *ol, const char *group, size_t len)
{
	void *v;

	if (len == strlen("unassigned") &&
	    memcmp(group, "unassigned", len) == 0)
		return ("2");
	if ((v = strmap_get(ol->colors, group, len)) == NULL) {
		v = (void *)(uintptr_t)(ol->ncolors++ % NPALETTE + 1);
		strmap_put(ol->colors, group, len, v);
	}
	return (palette[(uintptr_t)v - 1]);
}

/* The escaped "GROUP HOST " of an event, built when not cached. */
static const struct buf *
names_of(struct out_lines *ol, const struct out_event *ev)
{
	uintptr_t key = (uintptr_t)ev->host;
	struct names *n = &ol->names[(key ^ key >> 7 ^ key >> 13) % NNAMES];
	struct buf *b = &n->text;

	if (n->group == ev->group && n->host == ev->host)
		return (b);
	buf_reset(b);
	if (ol->opt.color) {
		buf_adds(b, "\033[");
		buf_adds(b, group_color(ol, ev->group, ev->group_len));
		buf_addc(b, 'm');
	}
	sanitize_field(b, ev->group, ev->group_len);
	buf_addc(b, ' ');
	sanitize_field(b, ev->host, ev->host_len);
	if (ol->opt.color)
		buf_adds(b, "\033[0m");
	buf_addc(b, ' ');
	n->group = ev->group;
	n->host = ev->host;
	return (b);
}

static enum sink_status
out_lines_event(void *state, const struct out_event *ev, char **cause)
{
	struct out_lines *ol = state;
	struct buf *b = &ol->out.b;
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;
	const struct buf *names = names_of(ol, ev);
	char ts[ISOTIME_LEN + 1];
	size_t n;

	if (ol->opt.timestamps)
		isotime_format(ev->timestamp, ts);
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (ol->opt.timestamps) {
			buf_add(b, ts, ISOTIME_LEN);
			buf_addc(b, ' ');
		}
		buf_add(b, names->data, names->len);
		if (ol->opt.sanitize)
			sanitize_term(b, p, n);
		else
			buf_add(b, p, n);
		buf_addc(b, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return (outbuf_maybe_flush(&ol->out, cause));
}

static enum sink_status
out_lines_finish(void *state, char **cause)
{
	struct out_lines *ol = state;

	return (outbuf_flush(&ol->out, cause));
}

static void
out_lines_free(void *state)
{
	struct out_lines *ol = state;
	size_t i;

	outbuf_free(&ol->out);
	strmap_free(ol->colors);
	for (i = 0; i < NNAMES; i++)
		buf_free(&ol->names[i].text);
	free(ol);
}

const struct sink out_lines_sink = {
    .name = "lines",
    .event = out_lines_event,
    .flush = out_lines_finish,
    .finish = out_lines_finish,
    .free = out_lines_free,
};
