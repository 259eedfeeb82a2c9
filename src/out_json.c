/*
 * JSON Lines. Every event is one object on one line, so the output can be
 * cut anywhere between lines and stay valid.
 *
 * Group, host and stream names are interned upstream (they live as long
 * as the pipeline), so their JSON text is built once for each stream,
 * found by the address of its name: events merged by time switch stream
 * at almost every line. A message the reader found free of every byte
 * JSON escapes or checks (textscan.h) is copied whole.
 */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "out_json.h"
#include "outbuf.h"
#include "textscan.h"
#include "xmalloc.h"

/* Appends a string literal, its length known when compiled. */
#define ADD_LITERAL(b, s) buf_add((b), (s), sizeof(s) - 1)

/* What is kept of a stream, in a table keyed by the address of its name. */
struct sent {
	const char *stream; /* NULL: an empty entry */
	const char *group, *host; /* what names was built for */
	struct buf names; /* ,"group":..,"host":..,"stream":.. */
};

struct out_json {
	struct outbuf out;
	struct sent *v; /* open addressing, at most half full */
	size_t size, n; /* a power of two; entries in use */
};

void *
out_json_new(int fd)
{
	struct out_json *oj;

	oj = xcalloc(1, sizeof *oj);
	outbuf_init(&oj->out, fd, "standard output");
	oj->size = 64;
	oj->v = xcalloc(oj->size, sizeof *oj->v);
	return (oj);
}

static size_t
sent_slot(const char *stream, size_t size)
{
	uint64_t k = (uint64_t)(uintptr_t)stream * 0x9e3779b97f4a7c15ULL;

	return ((size_t)(k >> 32) & (size - 1));
}

/* The entry of stream, made empty on first sight. */
static struct sent *
sent_get(struct out_json *oj, const char *stream)
{
	struct sent *old = oj->v;
	size_t i, j, n = oj->size;

	for (i = sent_slot(stream, n); oj->v[i].stream != NULL;
	     i = (i + 1) & (n - 1))
		if (oj->v[i].stream == stream)
			return (&oj->v[i]);
	if (2 * (oj->n + 1) > n) {
		oj->size = 2 * n;
		oj->v = xcalloc(oj->size, sizeof *oj->v);
		for (i = 0; i < n; i++) {
			if (old[i].stream == NULL)
				continue;
			j = sent_slot(old[i].stream, oj->size);
			while (oj->v[j].stream != NULL)
				j = (j + 1) & (oj->size - 1);
			oj->v[j] = old[i];
		}
		free(old);
		return (sent_get(oj, stream));
	}
	oj->n++;
	oj->v[i].stream = stream;
	return (&oj->v[i]);
}

/*
 * ,"key":"value" and, when value is not UTF-8, ,"key_base64":"...".
 * key is a plain name: no escaping, and no printf on the hot path.
 */
static void
add_name(struct buf *b, const char *key, const char *s, size_t len)
{
	buf_adds(b, ",\"");
	buf_adds(b, key);
	buf_adds(b, "\":");
	if (json_add_string(b, s, len)) {
		buf_adds(b, ",\"");
		buf_adds(b, key);
		buf_adds(b, "_base64\":");
		json_add_base64(b, s, len);
	}
}

/* The group, host and stream of an event, as JSON members. */
static const struct buf *
names_of(struct out_json *oj, const struct out_event *ev)
{
	struct sent *e = sent_get(oj, ev->stream);

	if (e->group != ev->group || e->host != ev->host || e->names.len == 0) {
		buf_reset(&e->names);
		add_name(&e->names, "group", ev->group, ev->group_len);
		add_name(&e->names, "host", ev->host, ev->host_len);
		add_name(&e->names, "stream", ev->stream, ev->stream_len);
		e->group = ev->group;
		e->host = ev->host;
	}
	return (&e->names);
}

static enum sink_status
out_json_event(void *state, const struct out_event *ev, char **cause)
{
	struct out_json *oj = state;
	struct buf *b = &oj->out.b;
	const struct buf *names = names_of(oj, ev);

	ADD_LITERAL(b, "{\"timestamp\":");
	json_add_int(b, ev->timestamp);
	buf_add(b, names->data, names->len);
	if (ev->ranked) {
		ADD_LITERAL(b, ",\"rank\":");
		json_add_int(b, ev->rank);
		if (ev->rank_placed)
			add_name(b, "rank_host", ev->host, ev->host_len);
		else
			ADD_LITERAL(b, ",\"rank_host\":null");
	}
	ADD_LITERAL(b, ",\"message\":");
	if (ev->lacks & TEXT_JSON_PLAIN) {
		/* Printable ASCII without '"' or '\\': its own JSON text. */
		buf_addc(b, '"');
		buf_add(b, ev->msg, ev->len);
		buf_addc(b, '"');
	} else if (json_add_string(b, ev->msg, ev->len)) {
		ADD_LITERAL(b, ",\"message_base64\":");
		json_add_base64(b, ev->msg, ev->len);
	}
	ADD_LITERAL(b, "}\n");
	return (outbuf_maybe_flush(&oj->out, cause));
}

static enum sink_status
out_json_flush(void *state, char **cause)
{
	struct out_json *oj = state;

	return (outbuf_flush(&oj->out, cause));
}

static enum sink_status
out_json_finish(void *state, char **cause)
{
	struct out_json *oj = state;

	return (outbuf_finish(&oj->out, cause));
}

static void
out_json_free(void *state)
{
	struct out_json *oj = state;
	size_t i;

	outbuf_free(&oj->out);
	for (i = 0; i < oj->size; i++)
		buf_free(&oj->v[i].names);
	free(oj->v);
	free(oj);
}

const struct sink out_json_sink = {
    .name = "json",
    .event = out_json_event,
    .flush = out_json_flush,
    .finish = out_json_finish,
    .free = out_json_free,
};
