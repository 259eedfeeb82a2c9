/*
 * Events from JSON text, with yajl's incremental parser: a document of
 * any size is read a chunk at a time, and several documents may follow
 * each other (yajl_allow_multiple_values). The parser keeps one frame per
 * open object; an object's own "timestamp", "message", stream and id are
 * noted as its keys come, and when it closes holding a time and a message
 * it is queued as an event. Nothing else of the document is kept.
 *
 * Strings are not checked for UTF-8: a message holds whatever bytes the
 * saved text held (cwdemux writes the exact bytes of a message that is not
 * UTF-8 as "message_base64", which is preferred when present).
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "json.h"
#include "logjson.h"
#include "xmalloc.h"

enum key {
	K_OTHER,
	K_TIMESTAMP,
	K_MESSAGE,
	K_MESSAGE64,
	K_STREAM, /* logStreamName, or cwdemux's stream */
	K_STREAM64,
	K_ID,
	K_GROUP, /* cwdemux's: tells its JSON Lines apart */
};

/* A string field of an object: where it is in text. */
struct field {
	size_t off, len;
	int set;
};

struct frame {
	enum key key; /* the key whose value comes next */
	int have_ts;
	int64_t ts;
	struct field msg, msg64, stream, stream64, id;
	int group;
};

struct queued {
	int64_t ts;
	size_t msg, msg_len;
	size_t stream, stream_len;
	int has_stream;
	size_t id, id_len;
	int has_id;
};

struct logjson {
	yajl_handle h;
	struct frame frames[JSON_MAX_DEPTH];
	int depth; /* open arrays and objects */
	int maps; /* open objects (frames used) */
	int arrays_in[JSON_MAX_DEPTH + 1]; /* arrays open above frame i */
	int too_deep;
	int bad_base64;
	struct buf text; /* strings of queued events and open objects */
	struct queued *q;
	size_t nq, qcap, qnext;
	size_t fed; /* bytes fed so far */
	int aws, cwdemux; /* kinds of document seen */
};

static struct frame *
top(struct logjson *lj)
{
	/* A value belongs to the innermost object only if no array opened
	 * inside it since. */
	if (lj->maps == 0 || lj->arrays_in[lj->maps] > 0)
		return (NULL);
	return (&lj->frames[lj->maps - 1]);
}

static enum key
key_of(const unsigned char *k, size_t len)
{
	static const struct {
		const char *name;
		enum key key;
	} keys[] = {
	    {"timestamp", K_TIMESTAMP},
	    {"message", K_MESSAGE},
	    {"message_base64", K_MESSAGE64},
	    {"logStreamName", K_STREAM},
	    {"stream", K_STREAM},
	    {"stream_base64", K_STREAM64},
	    {"eventId", K_ID},
	    {"group", K_GROUP},
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, k, len) == 0)
			return (keys[i].key);
	return (K_OTHER);
}

static int
on_start_map(void *arg)
{
	struct logjson *lj = arg;

	if (lj->depth >= JSON_MAX_DEPTH) {
		lj->too_deep = 1;
		return (0);
	}
	lj->depth++;
	memset(&lj->frames[lj->maps], 0, sizeof lj->frames[0]);
	lj->maps++;
	lj->arrays_in[lj->maps] = 0;
	return (1);
}

static int
on_map_key(void *arg, const unsigned char *k, size_t len)
{
	struct frame *f = top(arg);

	if (f != NULL)
		f->key = key_of(k, len);
	return (1);
}

/* Base64 (RFC 4648, padding optional) decoded onto b; -1 when it is not. */
static int
base64_decode(struct buf *b, const unsigned char *s, size_t len)
{
	unsigned v = 0;
	int bits = 0, c;
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c -= 'A';
		else if (c >= 'a' && c <= 'z')
			c = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			c = c - '0' + 52;
		else if (c == '+')
			c = 62;
		else if (c == '/')
			c = 63;
		else
			return (-1);
		v = (v << 6) | (unsigned)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(b, (char)((v >> bits) & 0xff));
		}
	}
	return (0);
}

static int
on_string(void *arg, const unsigned char *s, size_t len)
{
	struct logjson *lj = arg;
	struct frame *f = top(lj);
	struct field *fld;

	if (f == NULL)
		return (1);
	switch (f->key) {
	case K_MESSAGE:
		fld = &f->msg;
		break;
	case K_MESSAGE64:
		fld = &f->msg64;
		break;
	case K_STREAM:
		fld = &f->stream;
		break;
	case K_STREAM64:
		fld = &f->stream64;
		break;
	case K_ID:
		fld = &f->id;
		break;
	case K_GROUP:
		f->group = 1;
		return (1);
	default:
		return (1);
	}
	fld->off = lj->text.len;
	if (fld == &f->msg64 || fld == &f->stream64) {
		if (base64_decode(&lj->text, s, len) != 0) {
			lj->bad_base64 = 1;
			return (0);
		}
	} else
		buf_add(&lj->text, s, len);
	fld->len = lj->text.len - fld->off;
	fld->set = 1;
	f->key = K_OTHER;
	return (1);
}

static int
on_number(void *arg, const char *s, size_t len)
{
	struct frame *f = top(arg);
	int64_t v = 0;
	size_t i;

	if (f == NULL || f->key != K_TIMESTAMP)
		return (1);
	f->key = K_OTHER;
	/* Milliseconds: an integer; a fraction or exponent is not a time. */
	for (i = 0; i < len && i < 18; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (1);
		v = v * 10 + (s[i] - '0');
	}
	if (i == len) {
		f->ts = v;
		f->have_ts = 1;
	}
	return (1);
}

static int
on_other(void *arg)
{
	struct frame *f = top(arg);

	if (f != NULL)
		f->key = K_OTHER;
	return (1);
}

static int
on_boolean(void *arg, int v)
{
	(void)v;
	return (on_other(arg));
}

static void
enqueue(struct logjson *lj, const struct frame *f)
{
	const struct field *msg = f->msg64.set ? &f->msg64 : &f->msg;
	const struct field *stream =
	    f->stream64.set ? &f->stream64 : &f->stream;
	struct queued *e;

	lj->q = xgrow(lj->q, lj->nq, &lj->qcap, 256, sizeof *lj->q);
	e = &lj->q[lj->nq++];
	e->ts = f->ts;
	e->msg = msg->off;
	e->msg_len = msg->len;
	e->has_stream = stream->set;
	e->stream = stream->off;
	e->stream_len = stream->len;
	e->has_id = f->id.set;
	e->id = f->id.off;
	e->id_len = f->id.len;
	if (f->group)
		lj->cwdemux = 1;
	else
		lj->aws = 1;
}

static int
on_end_map(void *arg)
{
	struct logjson *lj = arg;
	struct frame *f = &lj->frames[lj->maps - 1];
	struct frame *up;

	if (f->have_ts && (f->msg.set || f->msg64.set))
		enqueue(lj, f);
	lj->maps--;
	lj->depth--;
	if ((up = top(lj)) != NULL)
		up->key = K_OTHER;
	return (1);
}

static int
on_start_array(void *arg)
{
	struct logjson *lj = arg;

	if (lj->depth >= JSON_MAX_DEPTH) {
		lj->too_deep = 1;
		return (0);
	}
	lj->depth++;
	lj->arrays_in[lj->maps]++;
	return (1);
}

static int
on_end_array(void *arg)
{
	struct logjson *lj = arg;
	struct frame *up;

	lj->depth--;
	lj->arrays_in[lj->maps]--;
	if ((up = top(lj)) != NULL)
		up->key = K_OTHER;
	return (1);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_other,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

struct logjson *
logjson_new(void)
{
	struct logjson *lj;

	lj = xcalloc(1, sizeof *lj);
	if ((lj->h = yajl_alloc(&callbacks, NULL, lj)) == NULL)
		xalloc_failed("yajl parser");
	yajl_config(lj->h, yajl_allow_multiple_values, 1);
	yajl_config(lj->h, yajl_dont_validate_strings, 1);
	/* Strings are handed out as text.data + offset: never NULL. */
	buf_reserve(&lj->text, 1);
	return (lj);
}

void
logjson_free(struct logjson *lj)
{
	if (lj == NULL)
		return;
	yajl_free(lj->h);
	buf_free(&lj->text);
	free(lj->q);
	free(lj);
}

static void
failed(struct logjson *lj, const unsigned char *text, size_t len, char **cause)
{
	unsigned char *err;
	size_t at;
	char *nl;

	at = lj->fed + (text != NULL ? yajl_get_bytes_consumed(lj->h) : 0);
	if (lj->too_deep) {
		xasprintf(cause,
		    "not JSON this program reads at byte %zu: "
		    "nested deeper than %d",
		    at, JSON_MAX_DEPTH);
		return;
	}
	if (lj->bad_base64) {
		xasprintf(cause, "bad base64 in a string before byte %zu", at);
		return;
	}
	err = yajl_get_error(lj->h, 0, text, len);
	if (err != NULL && (nl = strchr((char *)err, '\n')) != NULL)
		*nl = '\0';
	if (text == NULL)
		xasprintf(cause,
		    "the JSON text is cut short after byte %zu (%s)", lj->fed,
		    err != NULL ? (char *)err : "parse error");
	else
		xasprintf(cause, "not JSON at byte %zu (%s)", at,
		    err != NULL ? (char *)err : "parse error");
	if (err != NULL)
		yajl_free_error(lj->h, err);
}

/*
 * Drop the strings of events already taken. Objects still open keep
 * theirs: they are moved down with the offsets.
 */
static void
compact(struct logjson *lj)
{
	size_t keep = lj->text.len, i;
	struct frame *f;

	if (lj->qnext < lj->nq)
		return;
	lj->nq = lj->qnext = 0;
	for (i = 0; i < (size_t)lj->maps; i++) {
		f = &lj->frames[i];
		if (f->msg.set && f->msg.off < keep)
			keep = f->msg.off;
		if (f->msg64.set && f->msg64.off < keep)
			keep = f->msg64.off;
		if (f->stream.set && f->stream.off < keep)
			keep = f->stream.off;
		if (f->stream64.set && f->stream64.off < keep)
			keep = f->stream64.off;
		if (f->id.set && f->id.off < keep)
			keep = f->id.off;
	}
	if (keep == 0)
		return;
	memmove(lj->text.data, lj->text.data + keep, lj->text.len - keep);
	lj->text.len -= keep;
	for (i = 0; i < (size_t)lj->maps; i++) {
		f = &lj->frames[i];
		f->msg.off -= f->msg.set ? keep : 0;
		f->msg64.off -= f->msg64.set ? keep : 0;
		f->stream.off -= f->stream.set ? keep : 0;
		f->stream64.off -= f->stream64.set ? keep : 0;
		f->id.off -= f->id.set ? keep : 0;
	}
}

int
logjson_feed(struct logjson *lj, const char *text, size_t len, char **cause)
{
	compact(lj);
	if (yajl_parse(lj->h, (const unsigned char *)text, len) !=
	    yajl_status_ok) {
		failed(lj, (const unsigned char *)text, len, cause);
		return (-1);
	}
	lj->fed += len;
	return (0);
}

int
logjson_end(struct logjson *lj, char **cause)
{
	if (yajl_complete_parse(lj->h) != yajl_status_ok) {
		failed(lj, NULL, 0, cause);
		return (-1);
	}
	return (0);
}

int
logjson_next(struct logjson *lj, struct logjson_event *ev)
{
	const struct queued *e;

	if (lj->qnext == lj->nq)
		return (0);
	e = &lj->q[lj->qnext++];
	ev->ts = e->ts;
	ev->msg = lj->text.data + e->msg;
	ev->len = e->msg_len;
	ev->stream = e->has_stream ? lj->text.data + e->stream : NULL;
	ev->stream_len = e->stream_len;
	ev->id = e->has_id ? lj->text.data + e->id : NULL;
	ev->id_len = e->id_len;
	return (1);
}

const char *
logjson_kind(const struct logjson *lj)
{
	if (lj->aws && lj->cwdemux)
		return ("AWS CLI JSON and cwdemux JSON Lines");
	if (lj->cwdemux)
		return ("cwdemux JSON Lines");
	if (lj->aws)
		return ("AWS CLI JSON (filter-log-events, get-log-events)");
	return ("JSON");
}
