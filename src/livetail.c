/*
 * The Live Tail session driver. One call is out at a time: first
 * DescribeLogGroups (once, for the ARN), then StartLiveTail, whose answer
 * is fed to the event-stream decoder as it arrives. Messages must come in
 * AWS's order (initial-response, sessionStart, then updates); anything
 * else, a broken frame or an exception ends the session: the data
 * callback says stop, and the call's end decides what comes next. New
 * sessions are started from livetail_step(), in the loop's turn, never
 * from inside a callback.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "eventstream.h"
#include "livetail.h"
#include "log.h"
#include "xmalloc.h"

/* Back-off after a failure: 1 s doubling to a minute, half of it random. */
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS 60000
/* While the account's sessions are used up (LimitExceededException). */
#define QUOTA_BASE_MS 30000
#define QUOTA_CAP_MS 300000

struct livetail {
	struct aws *aws;
	char *group;
	char *prefix;
	char *pattern; /* --filter-pattern, or NULL */
	struct livetail_hooks hooks;
	enum livetail_state state;
	char *arn; /* the group's, once known */
	int busy; /* a call is out */
	int64_t due; /* monotonic ms: when the next call may start */
	unsigned failures; /* since the last healthy update */
	unsigned quota_failures;
	struct eventstream *es; /* the session's decoder */
	int got_initial; /* initial-response seen */
	int live; /* sessionStart seen */
	char *ended; /* why the session ended, once it has */
	int timed_out; /* it ended by SessionTimeoutException */
	int64_t last_update; /* wall ms of the last whole update */
	struct cwlogs_page page;
	struct livetail_stats stats;
};

struct livetail *
livetail_new(struct aws *aws, const char *group, const char *prefix,
    const char *pattern, const struct livetail_hooks *hooks)
{
	struct livetail *lt;

	lt = xcalloc(1, sizeof *lt);
	lt->aws = aws;
	lt->group = xstrdup(group);
	lt->prefix = xstrdup(prefix);
	lt->pattern = pattern != NULL ? xstrdup(pattern) : NULL;
	lt->hooks = *hooks;
	return (lt);
}

static void
end_session(struct livetail *lt)
{
	aws_cancel(lt->aws, lt);
	lt->busy = 0;
	eventstream_free(lt->es);
	lt->es = NULL;
	free(lt->ended);
	lt->ended = NULL;
	lt->live = lt->got_initial = lt->timed_out = 0;
}

void
livetail_free(struct livetail *lt)
{
	if (lt == NULL)
		return;
	end_session(lt);
	cwlogs_page_free(&lt->page);
	free(lt->arn);
	free(lt->group);
	free(lt->prefix);
	free(lt->pattern);
	free(lt);
}

static void
set_state(struct livetail *lt, enum livetail_state st, const char *why)
{
	if (lt->state == st && why == NULL)
		return;
	lt->state = st;
	if (lt->hooks.state != NULL)
		lt->hooks.state(lt->hooks.arg, st, why);
}

void
livetail_start(struct livetail *lt)
{
	if (lt->state != LIVETAIL_OFF)
		return;
	lt->due = 0;
	lt->failures = 0;
	set_state(lt, LIVETAIL_CONNECTING, NULL);
}

void
livetail_stop(struct livetail *lt)
{
	if (lt->state == LIVETAIL_OFF || lt->state == LIVETAIL_REFUSED)
		return;
	end_session(lt);
	set_state(lt, LIVETAIL_OFF, NULL);
}

enum livetail_state
livetail_state(const struct livetail *lt)
{
	return (lt->state);
}

const struct livetail_stats *
livetail_stats(const struct livetail *lt)
{
	return (&lt->stats);
}

/* Pause before the next attempt; exponential, capped, half jittered. */
static int64_t
backoff(unsigned *n, int64_t base, int64_t cap)
{
	int64_t d = base;
	unsigned i;

	for (i = 0; i < *n && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	(*n)++;
	return (d / 2 + (int64_t)arc4random_uniform((uint32_t)(d / 2) + 1));
}

/* Wait before trying again, telling the user why (unless why is NULL). */
static void
retry_later(struct livetail *lt, int64_t delay, const char *why)
{
	char *msg = NULL;

	lt->due = clock_mono_ms() + delay;
	if (why != NULL)
		xasprintf(&msg, "Live Tail: %s; trying again in %lld s", why,
		    (long long)((delay + 999) / 1000));
	set_state(lt, LIVETAIL_WAITING, msg);
	free(msg);
}

static void
refuse(struct livetail *lt, const char *why)
{
	char *msg;

	xasprintf(
	    &msg, "Live Tail refused: %s; following by polling alone", why);
	set_state(lt, LIVETAIL_REFUSED, msg);
	free(msg);
}

static void
on_groups(void *arg, const struct aws_result *r)
{
	struct livetail *lt = arg;
	char *cause = NULL;

	lt->busy = 0;
	if (r->error == AWS_DENIED) {
		refuse(lt, r->cause);
		return;
	}
	if (r->error != AWS_OK) {
		retry_later(lt,
		    backoff(&lt->failures, BACKOFF_BASE_MS, BACKOFF_CAP_MS),
		    r->cause);
		return;
	}
	if (cwlogs_parse_group_arn(
		r->body, r->len, lt->group, &lt->arn, &cause) != 0) {
		/* The group may not exist yet: a job that has not logged. */
		retry_later(lt,
		    backoff(&lt->failures, QUOTA_BASE_MS, QUOTA_CAP_MS), cause);
		free(cause);
		return;
	}
	lt->due = 0;
}

/* A string header's value, or "". */
static const char *
header(const struct eventstream_message *m, const char *name, char *dst,
    size_t size)
{
	const char *v = eventstream_header_string(m, name, dst, size);

	return (v != NULL ? v : "");
}

static char *sentence(const char *, ...) __attribute__((format(printf, 1, 2)));

static char *
sentence(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	return (s);
}

/* Record why the session ends (taking why); always -1. */
static int
ends(struct livetail *lt, char *why)
{
	free(lt->ended);
	lt->ended = why;
	return (-1);
}

/* An exception or error message: why the session ended. */
static int
exception(
    struct livetail *lt, const struct eventstream_message *m, int is_error)
{
	struct aws_err e;
	char type[128], text[512];
	char *body;

	if (is_error) {
		header(m, ":error-code", type, sizeof type);
		header(m, ":error-message", text, sizeof text);
	} else {
		header(m, ":exception-type", type, sizeof type);
		/* The payload is the exception's JSON body. */
		body = xmalloc(m->payload_len + 1);
		memcpy(body, m->payload, m->payload_len);
		body[m->payload_len] = '\0';
		aws_parse_error(0, body, m->payload_len, &e);
		free(body);
		snprintf(text, sizeof text, "%s", e.message);
	}
	lt->timed_out = strcmp(type, "SessionTimeoutException") == 0;
	return (ends(lt,
	    sentence("the session ended: %s%s%s",
		type[0] != '\0' ? type : "unnamed error",
		text[0] != '\0' ? ": " : "", text)));
}

static int
update(struct livetail *lt, const struct eventstream_message *m)
{
	char *cause = NULL, *why;

	if (cwlogs_parse_events(
		m->payload, m->payload_len, &lt->page, &cause) != 0) {
		xasprintf(&why, "sessionUpdate: %s", cause);
		free(cause);
		return (ends(lt, why));
	}
	lt->stats.updates++;
	lt->stats.events += lt->page.n;
	lt->stats.sampled += lt->page.sampled != 0;
	lt->last_update = clock_wall_ms();
	lt->failures = 0;
	if (lt->hooks.update != NULL)
		lt->hooks.update(lt->hooks.arg, &lt->page);
	return (0);
}

/* One message of the session, in AWS's order; -1 ends the session. */
static int
message(struct livetail *lt, const struct eventstream_message *m)
{
	char type[64], event[64];

	header(m, ":message-type", type, sizeof type);
	if (strcmp(type, "exception") == 0)
		return (exception(lt, m, 0));
	if (strcmp(type, "error") == 0)
		return (exception(lt, m, 1));
	if (strcmp(type, "event") != 0)
		return (ends(lt, sentence("a message of type \"%s\"", type)));
	header(m, ":event-type", event, sizeof event);
	if (!lt->got_initial) {
		if (strcmp(event, "initial-response") != 0)
			return (ends(lt,
			    sentence("the stream began with \"%s\", not "
				     "initial-response",
				event)));
		lt->got_initial = 1;
		return (0);
	}
	if (strcmp(event, "sessionStart") == 0) {
		lt->live = 1;
		lt->last_update = clock_wall_ms();
		lt->stats.sessions++;
		lt->quota_failures = 0;
		set_state(lt, LIVETAIL_LIVE, NULL);
		return (0);
	}
	if (strcmp(event, "sessionUpdate") == 0) {
		if (!lt->live)
			return (ends(lt,
			    xstrdup("a sessionUpdate before sessionStart")));
		return (update(lt, m));
	}
	return (0); /* an event type added after this was written */
}

static int
on_data(void *arg, const char *data, size_t len)
{
	struct livetail *lt = arg;
	struct eventstream_message m;
	char *cause = NULL;
	int r;

	lt->stats.bytes += len;
	if (eventstream_feed(lt->es, data, len, &cause) != 0) {
		ends(lt, cause);
		return (1);
	}
	while ((r = eventstream_next(lt->es, &m, &cause)) == 1)
		if (message(lt, &m) != 0)
			return (1);
	if (r < 0) {
		ends(lt, cause);
		return (1);
	}
	return (0);
}

static void
on_session_end(void *arg, const struct aws_result *r)
{
	struct livetail *lt = arg;
	const char *why = lt->ended;

	lt->busy = 0;
	if (why == NULL && r->error == AWS_OK)
		why = "the service closed the session";
	if (why == NULL && r->error == AWS_DENIED) {
		refuse(lt, r->cause);
		goto out;
	}
	if (why == NULL && strcmp(r->code, "LimitExceededException") == 0) {
		retry_later(lt,
		    backoff(&lt->quota_failures, QUOTA_BASE_MS, QUOTA_CAP_MS),
		    r->cause);
		goto out;
	}
	if (why == NULL)
		why = r->cause;
	if (lt->live && lt->hooks.gap != NULL)
		lt->hooks.gap(lt->hooks.arg, lt->last_update);
	if (lt->timed_out) {
		/* AWS's three hours are up: a new session at once. */
		log_debug("Live Tail: %s", why);
		retry_later(lt, 0, NULL);
	} else {
		lt->stats.breaks += lt->live;
		retry_later(lt,
		    backoff(&lt->failures, BACKOFF_BASE_MS, BACKOFF_CAP_MS),
		    why);
	}
out:
	eventstream_free(lt->es);
	lt->es = NULL;
	free(lt->ended);
	lt->ended = NULL;
	lt->live = lt->got_initial = lt->timed_out = 0;
}

int64_t
livetail_step(struct livetail *lt, int64_t now)
{
	char *body;

	if (lt->state == LIVETAIL_OFF || lt->state == LIVETAIL_REFUSED ||
	    lt->busy)
		return (-1);
	if (now < lt->due)
		return (lt->due);
	lt->busy = 1;
	if (lt->arn == NULL) {
		body = cwlogs_describe_groups_body(lt->group);
		aws_call(lt->aws, SERVICE_LOGS, "DescribeLogGroups", body,
		    on_groups, lt);
		free(body);
		return (-1);
	}
	lt->es = eventstream_new();
	set_state(lt, LIVETAIL_CONNECTING, NULL);
	body = cwlogs_live_tail_body(lt->arn, lt->prefix, lt->pattern);
	aws_stream(lt->aws, SERVICE_LOGS, "StartLiveTail", body,
	    LIVETAIL_STALL_SECONDS, on_data, on_session_end, lt);
	free(body);
	return (-1);
}
