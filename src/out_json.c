/*
 * JSON Lines. Every event is one object on one line, so the output can be
 * cut anywhere between lines and stay valid.
 */
#include <stdlib.h>

#include "json.h"
#include "out_json.h"
#include "outbuf.h"
#include "xmalloc.h"

struct out_json {
	struct outbuf out;
};

void *
out_json_new(int fd)
{
	struct out_json *oj;

	oj = xcalloc(1, sizeof *oj);
	outbuf_init(&oj->out, fd, "standard output");
	return (oj);
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

static enum sink_status
out_json_event(void *state, const struct out_event *ev, char **cause)
{
	struct out_json *oj = state;
	struct buf *b = &oj->out.b;

	buf_adds(b, "{\"timestamp\":");
	json_add_int(b, ev->timestamp);
	add_name(b, "group", ev->group, ev->group_len);
	add_name(b, "host", ev->host, ev->host_len);
	add_name(b, "stream", ev->stream, ev->stream_len);
	if (ev->ranked) {
		buf_adds(b, ",\"rank\":");
		json_add_int(b, ev->rank);
		if (ev->rank_placed)
			add_name(b, "rank_host", ev->host, ev->host_len);
		else
			buf_adds(b, ",\"rank_host\":null");
	}
	buf_adds(b, ",\"message\":");
	if (json_add_string(b, ev->msg, ev->len)) {
		buf_adds(b, ",\"message_base64\":");
		json_add_base64(b, ev->msg, ev->len);
	}
	buf_adds(b, "}\n");
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

	outbuf_free(&oj->out);
	free(oj);
}

const struct sink out_json_sink = {
    .name = "json",
    .event = out_json_event,
    .flush = out_json_flush,
    .finish = out_json_finish,
    .free = out_json_free,
};
