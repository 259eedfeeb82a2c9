/*
 * CloudWatch Logs requests and responses. The event parser is a small
 * state machine over yajl's callbacks: it knows the top-level key it is
 * under, whether it is inside the "events" array, and the key of the
 * current event member; anything else (searchedLogStreams, unknown keys,
 * nesting it does not expect) is skipped by depth. Strings are copied
 * once, into the page's text buffer.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "cwlogs.h"
#include "json.h"
#include "xmalloc.h"

#define CWLOGS_LIMIT_MAX 10000

/* ,"key":"value" (no comma before the first member). */
static void
add_string(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	if (b->len > 1)
		buf_addc(b, ',');
	json_add_string(b, key, strlen(key));
	buf_addc(b, ':');
	json_add_string(b, value, strlen(value));
}

static void
add_int(struct buf *b, const char *key, int64_t value)
{
	if (value < 0)
		return;
	if (b->len > 1)
		buf_addc(b, ',');
	json_add_string(b, key, strlen(key));
	buf_addc(b, ':');
	json_add_int(b, value);
}

/* ,"limit":N, capped at what the service accepts; nothing for 0. */
static void
add_limit(struct buf *b, int limit)
{
	if (limit > 0)
		add_int(b, "limit",
		    limit > CWLOGS_LIMIT_MAX ? CWLOGS_LIMIT_MAX : limit);
}

char *
cwlogs_describe_streams_body(
    const char *group, const char *prefix, const char *token)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '{');
	add_string(&b, "logGroupName", group);
	add_string(&b, "logStreamNamePrefix", prefix);
	add_string(&b, "nextToken", token);
	add_int(&b, "limit", 50);
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

/* A GetLogEvents request, read from the stream's head or its end. */
static char *
events_body(const char *group, const char *stream, int from_head,
    const char *token, int64_t start_time, int64_t end_time, int limit)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '{');
	add_string(&b, "logGroupName", group);
	add_string(&b, "logStreamName", stream);
	buf_adds(&b,
	    from_head ? ",\"startFromHead\":true" : ",\"startFromHead\":false");
	add_string(&b, "nextToken", token);
	add_int(&b, "startTime", start_time);
	add_int(&b, "endTime", end_time);
	add_limit(&b, limit);
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

char *
cwlogs_get_events_body(const char *group, const char *stream, const char *token,
    int64_t start_time, int64_t end_time, int limit)
{
	/* A forward token is only followed forward with startFromHead. */
	return (
	    events_body(group, stream, 1, token, start_time, end_time, limit));
}

char *
cwlogs_tail_body(const char *group, const char *stream, int64_t start_time,
    int64_t end_time, int limit)
{
	return (
	    events_body(group, stream, 0, NULL, start_time, end_time, limit));
}

char *
cwlogs_filter_body(const char *group, const char *prefix,
    const char *const *streams, size_t nstreams, const char *pattern,
    int64_t start_time, int64_t end_time, const char *token, int limit)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_addc(&b, '{');
	add_string(&b, "logGroupName", group);
	if (nstreams > 0) {
		buf_adds(&b, ",\"logStreamNames\":[");
		for (i = 0; i < nstreams; i++) {
			if (i > 0)
				buf_addc(&b, ',');
			json_add_string(&b, streams[i], strlen(streams[i]));
		}
		buf_addc(&b, ']');
	} else
		add_string(&b, "logStreamNamePrefix", prefix);
	add_string(&b, "filterPattern", pattern);
	add_int(&b, "startTime", start_time);
	add_int(&b, "endTime", end_time);
	/* Ignored by AWS (always interleaved); moto lists stream by stream
	 * without it. */
	buf_adds(&b, ",\"interleaved\":true");
	add_string(&b, "nextToken", token);
	add_limit(&b, limit);
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

char *
cwlogs_describe_groups_body(const char *prefix)
{
	struct buf b = BUF_INIT;

	buf_addc(&b, '{');
	add_string(&b, "logGroupNamePrefix", prefix);
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

char *
cwlogs_live_tail_body(
    const char *group_arn, const char *prefix, const char *pattern)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "{\"logGroupIdentifiers\":[");
	json_add_string(&b, group_arn, strlen(group_arn));
	buf_adds(&b, "],\"logStreamNamePrefixes\":[");
	json_add_string(&b, prefix, strlen(prefix));
	buf_addc(&b, ']');
	add_string(&b, "logEventFilterPattern", pattern);
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

/* Where the parser is. Depth 1 is the top-level object. */
enum top_key {
	TOP_OTHER,
	TOP_EVENTS, /* events, or a Live Tail update's sessionResults */
	TOP_NEXT, /* nextForwardToken or nextToken */
	TOP_METADATA, /* a Live Tail update's sessionMetadata */
};

enum ev_key {
	EV_OTHER,
	EV_TIMESTAMP,
	EV_INGESTION,
	EV_MESSAGE,
	EV_STREAM,
	EV_ID,
};

struct parse {
	struct cwlogs_page *page;
	int depth;
	enum top_key top;
	enum ev_key key;
	int in_list; /* directly inside the "events" array */
	int sampled_key; /* at sessionMetadata's "sampled" member */
	int ev_open; /* directly inside one event object of that array */
	int have_ts, have_msg; /* the current event's required members */
	int bad; /* an event lacks a member or has a wrong type */
};

static struct cwlogs_event *
current(struct parse *ps)
{
	return (&ps->page->v[ps->page->n]);
}

/* Inside an event object, directly (not nested deeper). */
static int
in_event(const struct parse *ps)
{
	return (ps->ev_open && ps->depth == 3);
}

/*
 * A JSON number (yajl checked its syntax) as a time in ms. Times beyond any
 * real one are kept in range, not overflowed; short integers, which is what
 * the service sends, are read without strtod.
 */
static long long
number_ms(const char *s, size_t len)
{
	char small[64], *copy;
	long long v = 0;
	double d;
	size_t i = s[0] == '-';

	if (len - i <= 15) {
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (s[i] - '0');
		if (i == len)
			return (s[0] == '-' ? -v : v);
	}
	copy = len < sizeof small ? small : xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	d = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	if (!(d > -1e15))
		return (-1000000000000000LL);
	if (d > 1e15)
		return (1000000000000000LL);
	return ((long long)d);
}

/*
 * Numbers are only read for an event's times. yajl hands them over
 * unconverted, so the others cost nothing and a number out of any C
 * type's range elsewhere in an answer does not make it malformed.
 */
static int
on_number(void *ctx, const char *s, size_t len)
{
	struct parse *ps = ctx;

	if (!in_event(ps))
		return (1);
	if (ps->key == EV_TIMESTAMP) {
		current(ps)->timestamp = number_ms(s, len);
		ps->have_ts = 1;
	} else if (ps->key == EV_INGESTION)
		current(ps)->ingestion = number_ms(s, len);
	return (1);
}

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parse *ps = ctx;
	struct cwlogs_page *p = ps->page;
	struct cwlogs_event *ev;
	size_t off = p->text.len;

	if (ps->depth == 1 && ps->top == TOP_NEXT) {
		free(p->next);
		p->next = xstrndup((const char *)s, len);
		return (1);
	}
	if (!in_event(ps) || ps->key == EV_OTHER || ps->key == EV_TIMESTAMP ||
	    ps->key == EV_INGESTION)
		return (1);
	buf_add(&p->text, s, len);
	buf_addc(&p->text, '\0');
	ev = current(ps);
	if (ps->key == EV_MESSAGE) {
		ev->msg = off;
		ev->msg_len = len;
		ps->have_msg = 1;
	} else if (ps->key == EV_STREAM) {
		ev->stream = off;
		ev->stream_len = len;
	} else {
		ev->id = off;
		ev->id_len = len;
	}
	return (1);
}

static int
on_map_key(void *ctx, const unsigned char *k, size_t len)
{
	struct parse *ps = ctx;

#define KEY(s) (len == sizeof(s) - 1 && memcmp(k, s, len) == 0)
	if (ps->depth == 1) {
		ps->top = KEY("events") || KEY("sessionResults")  ? TOP_EVENTS
		    : KEY("nextForwardToken") || KEY("nextToken") ? TOP_NEXT
		    : KEY("sessionMetadata")			  ? TOP_METADATA
								  : TOP_OTHER;
	} else if (ps->depth == 2 && ps->top == TOP_METADATA) {
		ps->sampled_key = KEY("sampled");
	} else if (in_event(ps)) {
		/* Told apart by length first: this runs for every member. */
		switch (len) {
		case 7:
			ps->key = KEY("message") ? EV_MESSAGE
			    : KEY("eventId")	 ? EV_ID
						 : EV_OTHER;
			break;
		case 9:
			ps->key = KEY("timestamp") ? EV_TIMESTAMP : EV_OTHER;
			break;
		case 13:
			ps->key = KEY("ingestionTime") ? EV_INGESTION
			    : KEY("logStreamName")     ? EV_STREAM
						       : EV_OTHER;
			break;
		default:
			ps->key = EV_OTHER;
		}
	}
#undef KEY
	return (1);
}

static int
on_start_map(void *ctx)
{
	struct parse *ps = ctx;
	struct cwlogs_page *p = ps->page;

	ps->depth++;
	if (ps->in_list && ps->depth == 3) {
		ps->ev_open = 1;
		p->v = xgrow(p->v, p->n, &p->cap, 256, sizeof *p->v);
		memset(current(ps), 0, sizeof *current(ps));
		ps->have_ts = ps->have_msg = 0;
		ps->key = EV_OTHER;
	}
	return (1);
}

static int
on_end_map(void *ctx)
{
	struct parse *ps = ctx;

	if (in_event(ps)) {
		if (!ps->have_ts || !ps->have_msg)
			ps->bad = 1;
		ps->page->n++;
		ps->ev_open = 0;
	}
	ps->key = EV_OTHER;
	ps->depth--;
	return (1);
}

static int
on_start_array(void *ctx)
{
	struct parse *ps = ctx;

	ps->depth++;
	if (ps->depth == 2 && ps->top == TOP_EVENTS)
		ps->in_list = 1;
	return (1);
}

static int
on_end_array(void *ctx)
{
	struct parse *ps = ctx;

	if (ps->depth == 2)
		ps->in_list = 0;
	ps->depth--;
	return (1);
}

static int
on_boolean(void *ctx, int value)
{
	struct parse *ps = ctx;

	if (ps->depth == 2 && ps->top == TOP_METADATA && ps->sampled_key)
		ps->page->sampled = value != 0;
	return (1);
}

static const yajl_callbacks callbacks = {
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

void
cwlogs_page_reset(struct cwlogs_page *p)
{
	p->n = 0;
	p->sampled = 0;
	buf_reset(&p->text);
	free(p->next);
	p->next = NULL;
}

void
cwlogs_page_free(struct cwlogs_page *p)
{
	free(p->v);
	buf_free(&p->text);
	free(p->next);
	memset(p, 0, sizeof *p);
}

static void
parse_failed(yajl_handle h, const char *body, size_t len, char **cause)
{
	unsigned char *err;

	err = yajl_get_error(h, 0, (const unsigned char *)body, len);
	xasprintf(cause, "malformed response (%zu bytes): %s", len,
	    err != NULL ? (char *)err : "parse error");
	if (err != NULL)
		yajl_free_error(h, err);
}

int
cwlogs_parse_events(
    const char *body, size_t len, struct cwlogs_page *p, char **cause)
{
	struct parse ps;
	yajl_handle h;
	int rc = -1;

	cwlogs_page_reset(p);
	memset(&ps, 0, sizeof ps);
	ps.page = p;
	if ((h = yajl_alloc(&callbacks, NULL, &ps)) == NULL)
		xalloc_failed("yajl parser");
	if (yajl_parse(h, (const unsigned char *)body, len) != yajl_status_ok ||
	    yajl_complete_parse(h) != yajl_status_ok) {
		parse_failed(h, body, len, cause);
		goto out;
	}
	if (ps.bad) {
		xasprintf(cause,
		    "malformed response: an event without "
		    "timestamp or message");
		goto out;
	}
	rc = 0;
out:
	yajl_free(h);
	if (rc != 0)
		cwlogs_page_reset(p);
	return (rc);
}

static int64_t
tree_int(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

	return (v != NULL && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0);
}

int
cwlogs_parse_streams(const char *body, size_t len,
    struct cwlogs_stream **streams, size_t *n, char **next, char **cause)
{
	const char *list_path[] = {"logStreams", NULL};
	const char *next_path[] = {"nextToken", NULL};
	const char *name_path[] = {"logStreamName", NULL};
	yajl_val root, list, v, name;
	char err[256];
	size_t i;

	*streams = NULL;
	*n = 0;
	*next = NULL;
	root = json_tree_parse(body, len, err, sizeof err);
	if (root == NULL ||
	    (list = yajl_tree_get(root, list_path, yajl_t_array)) == NULL) {
		err[strcspn(err, "\n")] = '\0';
		xasprintf(cause, "malformed response (%zu bytes): %s", len,
		    root == NULL ? err : "no logStreams list");
		yajl_tree_free(root);
		return (-1);
	}
	*streams = xcalloc(list->u.array.len, sizeof **streams);
	for (i = 0; i < list->u.array.len; i++) {
		v = list->u.array.values[i];
		name = yajl_tree_get(v, name_path, yajl_t_string);
		if (name == NULL)
			continue;
		(*streams)[*n].name = xstrdup(name->u.string);
		(*streams)[*n].creation = tree_int(v, "creationTime");
		(*streams)[*n].first_event = tree_int(v, "firstEventTimestamp");
		(*streams)[*n].last_event = tree_int(v, "lastEventTimestamp");
		(*streams)[*n].last_ingestion =
		    tree_int(v, "lastIngestionTime");
		(*n)++;
	}
	if ((v = yajl_tree_get(root, next_path, yajl_t_string)) != NULL &&
	    v->u.string[0] != '\0')
		*next = xstrdup(v->u.string);
	yajl_tree_free(root);
	return (0);
}

int
cwlogs_parse_group_arn(
    const char *body, size_t len, const char *group, char **arn, char **cause)
{
	const char *list_path[] = {"logGroups", NULL};
	const char *name_path[] = {"logGroupName", NULL};
	const char *arn_path[] = {"logGroupArn", NULL};
	const char *star_path[] = {"arn", NULL};
	yajl_val root, list, v, name, a;
	char err[256];
	size_t i, n;

	*arn = NULL;
	root = json_tree_parse(body, len, err, sizeof err);
	if (root == NULL ||
	    (list = yajl_tree_get(root, list_path, yajl_t_array)) == NULL) {
		err[strcspn(err, "\n")] = '\0';
		xasprintf(cause, "malformed response (%zu bytes): %s", len,
		    root == NULL ? err : "no logGroups list");
		yajl_tree_free(root);
		return (-1);
	}
	for (i = 0; i < list->u.array.len && *arn == NULL; i++) {
		v = list->u.array.values[i];
		name = yajl_tree_get(v, name_path, yajl_t_string);
		if (name == NULL || strcmp(name->u.string, group) != 0)
			continue;
		/* logGroupArn has no ":*"; older answers have arn only. */
		if ((a = yajl_tree_get(v, arn_path, yajl_t_string)) != NULL)
			*arn = xstrdup(a->u.string);
		else if ((a = yajl_tree_get(v, star_path, yajl_t_string)) !=
		    NULL) {
			n = strlen(a->u.string);
			if (n >= 2 && strcmp(a->u.string + n - 2, ":*") == 0)
				n -= 2;
			*arn = xstrndup(a->u.string, n);
		}
	}
	yajl_tree_free(root);
	if (*arn == NULL || (*arn)[0] == '\0' ||
	    (*arn)[strlen(*arn) - 1] == '*') {
		free(*arn);
		*arn = NULL;
		xasprintf(cause, "log group %s not found", group);
		return (-1);
	}
	return (0);
}

void
cwlogs_streams_free(struct cwlogs_stream *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}
