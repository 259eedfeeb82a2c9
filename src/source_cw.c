/*
 * The one-pass CloudWatch reader. Three phases: describe the job (only for
 * its summary; failure is a warning), list the streams, read them. Reading
 * keeps one page per stream; the merge releases the earliest head while
 * every unfinished stream has a page in hand, and otherwise asks for the
 * pages that are missing, within the request budget.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cwlogs.h"
#include "log.h"
#include "sagemaker.h"
#include "sanitize.h"
#include "source_cw.h"
#include "xmalloc.h"

#define SOURCE_CW_MAX_BAD_ANSWERS 5

enum phase {
	PHASE_LIST,
	PHASE_READ,
	PHASE_DONE,
};

struct cwstream {
	struct source_cw *src;
	char *name;
	struct stream *st; /* the pipeline's handle */
	struct cwlogs_page page;
	size_t next; /* index of the head event in page */
	char *token; /* the forward token to send next */
	int in_flight;
	int done; /* the service gave the same token back */
};

struct source_cw {
	struct aws *aws;
	struct pipeline *pipeline;
	struct source_cw_options opt;
	enum phase phase;
	int listing; /* a DescribeLogStreams call is out */
	char *list_token;
	struct cwstream **v;
	size_t n, cap;
	unsigned in_flight;
	int64_t next_get; /* budget: earliest time of the next call */
	char *error; /* the first failure, for the caller */
	int bad_answers; /* malformed answers in a row */
	int started;
	int describing;
	uint64_t events;
	char *summary;
};

struct source_cw *
source_cw_new(
    struct aws *aws, struct pipeline *p, const struct source_cw_options *opt)
{
	struct source_cw *s;

	s = xcalloc(1, sizeof *s);
	s->aws = aws;
	s->pipeline = p;
	s->opt = *opt;
	if (s->opt.get_rate <= 0)
		s->opt.get_rate = 5;
	if (s->opt.max_in_flight == 0)
		s->opt.max_in_flight = 4;
	return (s);
}

void
source_cw_free(struct source_cw *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		cwlogs_page_free(&s->v[i]->page);
		free(s->v[i]->name);
		free(s->v[i]->token);
		free(s->v[i]);
	}
	free(s->v);
	free(s->list_token);
	free(s->error);
	free(s->summary);
	free(s);
}

static void
set_error(struct source_cw *s, const char *cause)
{
	if (s->error == NULL)
		s->error = xstrdup(cause);
}

/*
 * A 200 answer that is not the JSON it should be (cut short, garbled) is
 * asked for again, a few times in a row at most.
 */
static void
bad_answer(struct source_cw *s, const char *operation, char *cause)
{
	if (++s->bad_answers > SOURCE_CW_MAX_BAD_ANSWERS)
		xasprintf(&s->error, "%s: %s (%d times in a row)", operation,
		    cause, s->bad_answers);
	else
		log_debug("%s: %s; asking again", operation, cause);
	free(cause);
}

/* DescribeTrainingJob: the job's state, for the summary line. */
static void
on_job(void *arg, const struct aws_result *r)
{
	struct source_cw *s = arg;
	struct sagemaker_job job;
	char *cause = NULL;

	s->describing = 0;
	if (r->error == AWS_CREDENTIALS) {
		set_error(s, r->cause);
		return;
	}
	if (r->error != AWS_OK) {
		log_warn("%s (reading the logs anyway)", r->cause);
		return;
	}
	if (sagemaker_parse_job(r->body, r->len, &job, &cause) != 0) {
		log_warn("DescribeTrainingJob: %s", cause);
		free(cause);
		return;
	}
	xasprintf(&s->summary, "job %s: %s%s%s%s%s%s, %d host%s in %zu group%s",
	    s->opt.job, job.status, job.secondary != NULL ? " (" : "",
	    job.secondary != NULL ? job.secondary : "",
	    job.secondary != NULL ? ")" : "",
	    job.failure_reason != NULL ? ": " : "",
	    job.failure_reason != NULL ? job.failure_reason : "", job.hosts,
	    job.hosts == 1 ? "" : "s", job.ngroups,
	    job.ngroups == 1 ? "" : "s");
	sagemaker_job_free(&job);
}

static void
describe_job(struct source_cw *s)
{
	char *body;

	s->describing = 1;
	body = sagemaker_describe_body(s->opt.job);
	aws_call(
	    s->aws, SERVICE_SAGEMAKER, "DescribeTrainingJob", body, on_job, s);
	free(body);
}

static void
add_stream(struct source_cw *s, const char *name)
{
	struct cwstream *cs;

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	cs = xcalloc(1, sizeof *cs);
	cs->src = s;
	cs->name = xstrdup(name);
	cs->st = pipeline_stream(s->pipeline, name, strlen(name));
	s->v[s->n++] = cs;
}

static int
stream_cmp(const void *a, const void *b)
{
	return (strcmp((*(struct cwstream *const *)a)->name,
	    (*(struct cwstream *const *)b)->name));
}

static void
on_streams(void *arg, const struct aws_result *r)
{
	struct source_cw *s = arg;
	struct cwlogs_stream *v;
	size_t n, i;
	char *next, *cause = NULL;

	s->listing = 0;
	if (r->error == AWS_NOT_FOUND) {
		log_warn("log group %s does not exist (yet): no streams",
		    s->opt.log_group);
		s->phase = PHASE_READ;
		return;
	}
	if (r->error != AWS_OK) {
		set_error(s, r->cause);
		return;
	}
	if (cwlogs_parse_streams(r->body, r->len, &v, &n, &next, &cause) != 0) {
		bad_answer(s, "DescribeLogStreams", cause);
		return;
	}
	s->bad_answers = 0;
	for (i = 0; i < n; i++)
		if (strncmp(v[i].name, s->opt.prefix, strlen(s->opt.prefix)) ==
		    0)
			add_stream(s, v[i].name);
	cwlogs_streams_free(v, n);
	free(s->list_token);
	s->list_token = next;
	if (next == NULL && s->n == 0)
		log_warn("no stream in log group %s starts with \"%s\"",
		    s->opt.log_group, s->opt.prefix);
	if (next == NULL) {
		/* Name order makes ties in the merge stable. */
		if (s->n > 1)
			qsort(s->v, s->n, sizeof *s->v, stream_cmp);
		s->phase = PHASE_READ;
	}
}

static void
list_streams(struct source_cw *s)
{
	char *body;

	body = cwlogs_describe_streams_body(
	    s->opt.log_group, s->opt.prefix, s->list_token);
	s->listing = 1;
	aws_call(
	    s->aws, SERVICE_LOGS, "DescribeLogStreams", body, on_streams, s);
	free(body);
}

static void
on_events(void *arg, const struct aws_result *r)
{
	struct cwstream *cs = arg;
	struct source_cw *s = cs->src;
	char *cause = NULL;

	cs->in_flight = 0;
	s->in_flight--;
	if (r->error == AWS_NOT_FOUND) {
		/* The stream went away after it was listed: nothing to read. */
		cs->done = 1;
		return;
	}
	if (r->error != AWS_OK) {
		set_error(s, r->cause);
		return;
	}
	if (cwlogs_parse_events(r->body, r->len, &cs->page, &cause) != 0) {
		/* The same page is asked for again: the token did not move. */
		bad_answer(s, "GetLogEvents", cause);
		return;
	}
	s->bad_answers = 0;
	cs->next = 0;
	/* The same token back (or none) means the end of the stream. */
	if (cs->page.next == NULL ||
	    (cs->token != NULL && strcmp(cs->page.next, cs->token) == 0)) {
		if (cs->page.n == 0)
			cs->done = 1;
	}
	free(cs->token);
	cs->token = cs->page.next != NULL ? xstrdup(cs->page.next) : NULL;
	if (cs->token == NULL)
		cs->done = 1;
}

static int
has_head(const struct cwstream *cs)
{
	return (cs->next < cs->page.n);
}

/* Ask for the next page of every stream that needs one, within budget. */
static void
request_pages(struct source_cw *s, int64_t now, int64_t *deadline)
{
	struct cwstream *cs;
	int64_t interval = (int64_t)(1000.0 / s->opt.get_rate);
	char *body;
	size_t i;

	for (i = 0; i < s->n && s->in_flight < s->opt.max_in_flight; i++) {
		cs = s->v[i];
		if (cs->done || cs->in_flight || has_head(cs))
			continue;
		if (now < s->next_get) {
			*deadline = s->next_get;
			return;
		}
		s->next_get = now + interval;
		cs->in_flight = 1;
		s->in_flight++;
		body = cwlogs_get_events_body(
		    s->opt.log_group, cs->name, cs->token, -1, 10000);
		aws_call(
		    s->aws, SERVICE_LOGS, "GetLogEvents", body, on_events, cs);
		free(body);
	}
}

/*
 * Release events in time order while every unfinished stream has one in
 * hand. Returns SOURCE_MORE when it has to wait for a page.
 */
static enum source_status
release(struct source_cw *s, char **cause)
{
	struct cwstream *best, *cs;
	const struct cwlogs_event *ev;
	enum sink_status rc;
	size_t i;

	for (;;) {
		best = NULL;
		for (i = 0; i < s->n; i++) {
			cs = s->v[i];
			if (!has_head(cs)) {
				if (!cs->done)
					return (SOURCE_MORE);
				continue;
			}
			if (best == NULL ||
			    cs->page.v[cs->next].timestamp <
				best->page.v[best->next].timestamp)
				best = cs;
		}
		if (best == NULL)
			return (SOURCE_DONE);
		ev = &best->page.v[best->next++];
		rc = pipeline_event(s->pipeline, best->st, ev->timestamp,
		    cwlogs_str(&best->page, ev->msg), ev->msg_len, cause);
		if (rc == SINK_ERROR)
			return (SOURCE_OUTPUT_ERROR);
		if (rc == SINK_CLOSED)
			return (SOURCE_CLOSED);
		s->events++;
	}
}

enum source_status
source_cw_step(
    struct source_cw *s, int64_t now, int64_t *deadline, char **cause)
{
	enum source_status st;

	*deadline = -1;
	if (s->error != NULL) {
		*cause = xstrdup(s->error);
		return (SOURCE_ERROR);
	}
	if (!s->started) {
		s->started = 1;
		if (s->opt.job != NULL)
			describe_job(s);
	}
	if (s->phase == PHASE_LIST) {
		/* After the job answered: a credentials failure shows once. */
		if (!s->listing && !s->describing && s->error == NULL)
			list_streams(s);
		st = SOURCE_MORE;
	} else if ((st = release(s, cause)) == SOURCE_MORE)
		request_pages(s, now, deadline);
	else if (st == SOURCE_DONE && (s->describing || s->in_flight > 0))
		st = SOURCE_MORE;
	/* A call can fail before it is sent (no credentials, say). */
	if (st == SOURCE_MORE && s->error != NULL) {
		*cause = xstrdup(s->error);
		return (SOURCE_ERROR);
	}
	return (st);
}

const char *
source_cw_summary(struct source_cw *s)
{
	char *line;

	xasprintf(&line, "%s%s%zu stream%s, %llu events",
	    s->summary != NULL ? s->summary : "",
	    s->summary != NULL ? "; " : "", s->n, s->n == 1 ? "" : "s",
	    (unsigned long long)s->events);
	free(s->summary);
	s->summary = line;
	return (line);
}
