/*
 * The CloudWatch reader. A run has two parts: knowing the job and its
 * streams (the job is described first, so a credentials failure shows
 * once; following, the streams are listed now and then, so that streams
 * that have not logged yet are watched too) and reading them, which the
 * FilterLogEvents engine (follow.h) does in both modes.
 *
 * With --filter-pattern the FilterLogEvents engine asks CloudWatch for the
 * matching events only, so the markers that place hosts would not come:
 * every stream's head is read first, unfiltered, with GetLogEvents, and
 * only learnt from (pipeline_learn()). With --since the same holds for the
 * markers a host prints at its start, before the window: the head is read
 * up to --since (the window applies to what is shown, not to what places
 * a host). With --tail N the streams known at
 * the start are read with GetLogEvents from their newest N events on (the
 * API's own way back from a stream's end), their heads learnt the same
 * way; streams that appear later are read from their start. N counts per
 * host, as stern's --tail does: of a host with several streams (a
 * restarted container) only the newest N of all its tails are shown.
 *
 * Where FilterLogEvents is denied, the streams are read one by one with
 * GetLogEvents instead (one page in hand per stream, the next asked for
 * when the page is used up, within the request budget): --no-follow merges
 * them by time; following asks a stream that reached its end again after
 * a pause. Invariant there: a stream's events reach the pipeline in the
 * order its pages gave them, each page once: a page is parsed completely
 * before any of it is released, and the token moves only with a parsed
 * page.
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "buf.h"
#include "clock.h"
#include "cwlogs.h"
#include "follow.h"
#include "log.h"
#include "sagemaker.h"
#include "source_cw.h"
#include "source_live.h"
#include "strmap.h"
#include "xmalloc.h"

#define MAX_BAD_ANSWERS 5 /* malformed answers in a row before failing */
#define MAX_FAILURES 10 /* server errors in a row before failing */
#define RETRY_LATER_MS 5000 /* after throttling or errors outlived retries */
#define GET_IDLE_MS 2000 /* GetLogEvents, following: a stream at its end */
#define GET_EVENTS_BUDGET 200000 /* events in hand over all streams */
/* Events of a stream's head read for its markers: a host's start-up (the
 * toolkit's dump comes within its first hundred events, or a few hundred
 * after a long pip install). */
#define HEAD_EVENTS 2000

/* The head of a stream, read for its markers only. */
enum head_state {
	HEAD_NONE, /* not wanted */
	HEAD_WANTED,
	HEAD_OUT, /* the request is out */
	HEAD_DONE,
};

struct cwstream {
	struct source_cw *src;
	char *name;
	struct stream *st; /* the pipeline's handle */
	struct cwlogs_page page;
	size_t next; /* index of the head event in page */
	char *token; /* the forward token to send next */
	int in_flight;
	int caught_up; /* the last answer brought no more events */
	int64_t caught_at; /* monotonic ms the request that said so went */
	int64_t asked_at; /* monotonic ms the request out went */
	int64_t next_poll; /* when to ask again (after a failure) */
	int failures; /* server errors in a row */
	int bad_answers; /* malformed answers in a row */
	int first; /* it was there at the first listing */
	int tail; /* its first page is its newest --tail events */
	int tail_read; /* that page came (or the stream went away) */
	enum head_state head;
	int64_t head_poll; /* when to ask for the head again */
};

struct source_cw {
	struct aws *aws;
	struct pipeline *pipeline;
	struct source_cw_options opt;

	/* The streams. */
	struct cwstream **v;
	size_t n, cap;
	struct strmap *known; /* names of the streams in v */
	int listed; /* one full listing done */
	int listing; /* a DescribeLogStreams call is out */
	char *list_token;
	int64_t next_list;
	int64_t list_began; /* when the listing under way began */
	int64_t listed_since; /* when the last complete listing began */
	size_t rr; /* round-robin start for page requests */

	/* The job. */
	int describing;
	int described; /* asked at least once */
	int64_t next_describe;
	enum source_job job;
	char *job_line; /* "Completed (Completed): reason" */
	int64_t ended_at; /* monotonic ms the end was seen, or 0 */
	struct sagemaker_job desc; /* as last described (name NULL: never) */

	struct budget get; /* GetLogEvents calls */
	struct follow *follow; /* the FilterLogEvents reader, or NULL */
	int getlog; /* FilterLogEvents was denied: GetLogEvents instead */
	struct source_live *live; /* following: Live Tail beside it */
	int swept; /* following: the look-back after the grace was asked */
	int tails_cut; /* --tail: each host's tails cut to its newest N */
	unsigned in_flight;
	int64_t warned_at; /* last "retrying later" warning */

	char *error; /* the first failure, for the caller */
	int bad_answers;
	int list_failures;
	uint64_t events;
	int64_t started_at;
	int unflushed; /* GetLogEvents released events since the last flush */
	int64_t status_at; /* the status line was last drawn */
	uint64_t status_events; /* events then */
	char *summary;
};

/* Every answer of a read goes to its API's budget. */
static void
on_answer(void *arg, const char *operation, int throttled)
{
	struct source_cw *s = arg;
	int64_t now = clock_mono_ms();

	if (strcmp(operation, "FilterLogEvents") == 0 && s->follow != NULL)
		follow_answer(s->follow, throttled, now);
	else if (strcmp(operation, "GetLogEvents") == 0)
		budget_answer(&s->get, throttled, now);
}

/* A retry of a read takes its token from its API's budget too. */
static int
on_retry(void *arg, const char *operation, int64_t now, int64_t *deadline)
{
	struct source_cw *s = arg;

	if (strcmp(operation, "FilterLogEvents") == 0 && s->follow != NULL)
		return (follow_take(s->follow, now, deadline));
	if (strcmp(operation, "GetLogEvents") == 0)
		return (budget_take(&s->get, now, deadline));
	return (1);
}

static struct stream *live_stream(void *, const char *, size_t);

struct source_cw *
source_cw_new(
    struct aws *aws, struct pipeline *p, const struct source_cw_options *opt)
{
	struct source_live_options lo;
	struct follow_options fo;
	struct source_cw *s;

	s = xcalloc(1, sizeof *s);
	s->aws = aws;
	s->pipeline = p;
	s->opt = *opt;
	if (s->opt.max_in_flight == 0)
		s->opt.max_in_flight = 4;
	if (s->opt.grace_ms < 0)
		s->opt.grace_ms = 20000;
	if (s->opt.list_interval_ms <= 0)
		s->opt.list_interval_ms = 5000;
	if (s->opt.job_interval_ms <= 0)
		s->opt.job_interval_ms = 30000;
	s->known = strmap_new();
	s->job = JOB_UNKNOWN;
	s->started_at = clock_mono_ms();
	/* The rates: the Region's quota, unless the user gave a ceiling. */
	if (s->opt.get_rate <= 0)
		s->opt.get_rate = budget_quota("GetLogEvents", aws_region(aws));
	if (s->opt.filter_rate <= 0)
		s->opt.filter_rate =
		    budget_quota("FilterLogEvents", aws_region(aws));
	budget_init(&s->get, s->opt.get_rate, 1, s->started_at);
	aws_on_answer(aws, on_answer, s);
	aws_set_gate(aws, on_retry, s);
	/* Only GetLogEvents reads a stream back from its end. */
	if (s->opt.tailing) {
		s->getlog = 1;
		return (s);
	}
	memset(&fo, 0, sizeof fo);
	fo.log_group = s->opt.log_group;
	fo.prefix = s->opt.prefix;
	fo.drain = !s->opt.follow;
	fo.since = s->opt.since;
	fo.until = s->opt.until;
	fo.rate = s->opt.filter_rate;
	fo.window_ms = s->opt.late_window_ms;
	fo.filter_pattern = s->opt.filter_pattern;
	s->follow = follow_new(aws, p, &fo);
	if (s->opt.follow) {
		memset(&lo, 0, sizeof lo);
		lo.log_group = s->opt.log_group;
		lo.prefix = s->opt.prefix;
		lo.filter_pattern = s->opt.filter_pattern;
		lo.stream = live_stream;
		lo.arg = s;
		s->live = source_live_new(aws, p, s->follow, &lo);
		if (s->opt.live_tail)
			source_live_set(s->live, 1);
	}
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
	follow_free(s->follow);
	aws_on_answer(s->aws, NULL, NULL);
	aws_set_gate(s->aws, NULL, NULL);
	source_live_free(s->live);
	strmap_free(s->known);
	free(s->list_token);
	free(s->job_line);
	sagemaker_job_free(&s->desc);
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

/* Throttling or failures that outlived the retries: say so, at most a
 * minute apart, and try again later. */
static void
warn_retrying(struct source_cw *s, const struct aws_result *r)
{
	int64_t now = clock_mono_ms();

	if (s->warned_at == 0 || now - s->warned_at >= 60000) {
		log_warn("%s; trying again", r->cause);
		s->warned_at = now;
	}
}

/*
 * A 200 answer that is not the JSON it should be (cut short, garbled) is
 * asked for again, a few times in a row at most.
 */
static void
bad_answer(struct source_cw *s, int *count, const char *operation, char *cause)
{
	char *msg;

	if (++*count > MAX_BAD_ANSWERS) {
		xasprintf(&msg, "%s: %s (%d times in a row)", operation, cause,
		    *count);
		set_error(s, msg);
		free(msg);
	} else
		log_debug("%s: %s; asking again", operation, cause);
	free(cause);
}

/* The job. */

static enum source_job
job_state(const char *status)
{
	if (strcmp(status, "Completed") == 0)
		return (JOB_COMPLETED);
	if (strcmp(status, "Failed") == 0)
		return (JOB_FAILED);
	if (strcmp(status, "Stopped") == 0)
		return (JOB_STOPPED);
	return (JOB_RUNNING);
}

/*
 * The job ended at wall time end_ms (0: not said): the grace period counts
 * from then, so a job that ended long ago is read to its end at once.
 */
static void
note_end(struct source_cw *s, int64_t end_ms)
{
	int64_t now = clock_mono_ms(), ago = 0;

	if (end_ms > 0 && clock_wall_ms() > end_ms)
		ago = clock_wall_ms() - end_ms;
	/* ended_at 0 means "not ended": monotonic time starts at boot. */
	s->ended_at = now - ago > 0 ? now - ago : 1;
	if (!s->opt.follow)
		return;
	if (ago < s->opt.grace_ms)
		log_info("job %s: %s; reading what arrives in the next %lld s",
		    s->opt.job, s->job_line,
		    (long long)(s->opt.grace_ms / 1000));
	else
		log_info("job %s: %s, %lld s ago; reading it to its end",
		    s->opt.job, s->job_line, (long long)(ago / 1000));
}

/* Keep the job's description; source_cw takes job's contents. */
static void
note_job(struct source_cw *s, struct sagemaker_job *job)
{
	free(s->job_line);
	xasprintf(&s->job_line, "%s%s%s%s%s%s", job->status,
	    job->secondary != NULL ? " (" : "",
	    job->secondary != NULL ? job->secondary : "",
	    job->secondary != NULL ? ")" : "",
	    job->failure_reason != NULL ? ": " : "",
	    job->failure_reason != NULL ? job->failure_reason : "");
	sagemaker_job_free(&s->desc);
	s->desc = *job;
	s->job = job_state(job->status);
	if (s->job != JOB_RUNNING && s->ended_at == 0)
		note_end(
		    s, s->desc.ended != 0 ? s->desc.ended : s->desc.modified);
	/* A drain reads the job's time in slices at once (follow.h). */
	if (s->follow != NULL && !s->opt.follow)
		follow_set_span(s->follow,
		    s->desc.started != 0 ? s->desc.started : s->desc.created,
		    s->job != JOB_RUNNING && s->desc.ended != 0 ? s->desc.ended
			: s->job != JOB_RUNNING && s->desc.modified != 0
			? s->desc.modified
			: clock_wall_ms());
}

static void
on_job(void *arg, const struct aws_result *r)
{
	struct source_cw *s = arg;
	struct sagemaker_job job;
	char *cause = NULL;
	int first = !s->described;

	s->describing = 0;
	s->described = 1;
	s->next_describe = clock_mono_ms() + s->opt.job_interval_ms;
	if (r->error == AWS_CREDENTIALS) {
		set_error(s, r->cause);
		return;
	}
	if (r->error == AWS_THROTTLED || r->error == AWS_TRANSIENT) {
		warn_retrying(s, r);
		return;
	}
	if (r->error != AWS_OK) {
		/* Not a SageMaker job, or no permission: the logs still are. */
		log_warn("%s (reading the logs anyway%s)", r->cause,
		    !s->opt.follow ? ""
			: first	   ? ", until interrupted"
				   : "; the job's end will not be seen");
		s->next_describe = INT64_MAX;
		return;
	}
	if (sagemaker_parse_job(r->body, r->len, &job, &cause) != 0) {
		log_warn("DescribeTrainingJob: %s", cause);
		free(cause);
		return;
	}
	note_job(s, &job);
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

/* The streams. */

/*
 * Whether the streams' heads are read for their markers: the events that
 * place a host are not all read otherwise (filtered out, or before the
 * window).
 */
static int
wants_heads(const struct source_cw *s)
{
	return (s->opt.filter_pattern != NULL || s->opt.since >= 0);
}

static void
add_stream(struct source_cw *s, const char *name)
{
	struct cwstream *cs;

	if (strmap_get(s->known, name, strlen(name)) != NULL)
		return;
	s->v = xgrow(s->v, s->n, &s->cap, 64, sizeof *s->v);
	cs = xcalloc(1, sizeof *cs);
	cs->src = s;
	cs->name = xstrdup(name);
	cs->st = pipeline_stream(s->pipeline, name, strlen(name));
	/* The streams there at the start show their tail; later ones are
	 * new, all of them. */
	cs->first = !s->listed;
	cs->tail = s->opt.tailing && cs->first;
	if (wants_heads(s) || cs->tail)
		cs->head = HEAD_WANTED;
	if (s->follow != NULL)
		follow_add_stream(s->follow, name, cs->st);
	strmap_put(s->known, name, strlen(name), cs);
	s->v[s->n++] = cs;
	if (s->listed)
		log_debug("new stream %s", name);
}

/* A stream Live Tail shows before the listing found it. */
static struct stream *
live_stream(void *arg, const char *name, size_t len)
{
	struct source_cw *s = arg;
	struct cwstream *cs;
	char *copy;

	if ((cs = strmap_get(s->known, name, len)) == NULL) {
		copy = xstrndup(name, len);
		add_stream(s, copy);
		free(copy);
		cs = strmap_get(s->known, name, len);
	}
	return (cs->st);
}

static int
stream_cmp(const void *a, const void *b)
{
	return (strcmp((*(struct cwstream *const *)a)->name,
	    (*(struct cwstream *const *)b)->name));
}

static void
listing_done(struct source_cw *s)
{
	if (!s->listed && s->n > 1)
		/* Name order makes ties in the merge stable. */
		qsort(s->v, s->n, sizeof *s->v, stream_cmp);
	if (!s->listed && s->n == 0 &&
	    (s->follow == NULL || follow_streams(s->follow) == 0))
		log_warn("no stream in log group %s starts with \"%s\"%s",
		    s->opt.log_group, s->opt.prefix,
		    s->opt.follow ? " yet" : "");
	s->listed = 1;
	s->listed_since = s->list_began;
	s->next_list = clock_mono_ms() + s->opt.list_interval_ms;
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
		if (!s->listed)
			log_warn("log group %s does not exist (yet)%s",
			    s->opt.log_group,
			    s->opt.follow ? ": waiting for it"
					  : ": no streams");
		free(s->list_token);
		s->list_token = NULL;
		listing_done(s);
		return;
	}
	if (r->error == AWS_THROTTLED ||
	    (r->error == AWS_TRANSIENT && ++s->list_failures < MAX_FAILURES)) {
		warn_retrying(s, r);
		s->next_list = clock_mono_ms() + RETRY_LATER_MS;
		return;
	}
	if (r->error != AWS_OK) {
		set_error(s, r->cause);
		return;
	}
	s->list_failures = 0;
	if (cwlogs_parse_streams(r->body, r->len, &v, &n, &next, &cause) != 0) {
		bad_answer(s, &s->bad_answers, "DescribeLogStreams", cause);
		s->next_list = clock_mono_ms() + s->bad_answers * 1000;
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
	if (next == NULL)
		listing_done(s);
}

static void
list_streams(struct source_cw *s)
{
	char *body;

	body = cwlogs_describe_streams_body(
	    s->opt.log_group, s->opt.prefix, s->list_token);
	if (s->list_token == NULL)
		s->list_began = clock_mono_ms();
	s->listing = 1;
	aws_call(
	    s->aws, SERVICE_LOGS, "DescribeLogStreams", body, on_streams, s);
	free(body);
}

/* Reading. */

static int
has_head(const struct cwstream *cs)
{
	return (cs->next < cs->page.n);
}

static void
on_events(void *arg, const struct aws_result *r)
{
	struct cwstream *cs = arg;
	struct source_cw *s = cs->src;
	int64_t now = clock_mono_ms();
	char *cause = NULL;
	int same;

	cs->in_flight = 0;
	s->in_flight--;
	if (r->error == AWS_NOT_FOUND) {
		/* The stream went away after it was listed. */
		cs->caught_up = 1;
		cs->tail_read = 1;
		return;
	}
	if (r->error == AWS_THROTTLED ||
	    (r->error == AWS_TRANSIENT && ++cs->failures < MAX_FAILURES)) {
		warn_retrying(s, r);
		cs->next_poll = now + RETRY_LATER_MS;
		return;
	}
	if (r->error != AWS_OK) {
		set_error(s, r->cause);
		return;
	}
	cs->failures = 0;
	if (cwlogs_parse_events(r->body, r->len, &cs->page, &cause) == 0 &&
	    cs->page.next == NULL && cs->page.n > 0) {
		/* Events without a token to go on from cannot be placed. */
		cwlogs_page_reset(&cs->page);
		xasprintf(&cause, "an answer with events but no forward token");
	}
	if (cause != NULL) {
		/* The same page is asked for again: the token did not move. */
		bad_answer(s, &cs->bad_answers, "GetLogEvents", cause);
		cs->next_poll = now + cs->bad_answers * 1000;
		return;
	}
	cs->bad_answers = 0;
	cs->next = 0;
	/* --tail 0: the newest event only gave the token to go on from. */
	if (cs->tail && !cs->tail_read && s->opt.tail == 0)
		cs->next = cs->page.n;
	cs->tail_read = 1;
	same = cs->page.next == NULL ||
	    (cs->token != NULL && strcmp(cs->page.next, cs->token) == 0);
	if (cs->page.next != NULL) {
		free(cs->token);
		cs->token = xstrdup(cs->page.next);
	}
	cs->caught_up = cs->page.n == 0 && same;
	if (cs->caught_up) {
		cs->caught_at = cs->asked_at;
		cs->next_poll = now + GET_IDLE_MS;
	}
}

/* Whether stream cs wants its next page now; following, a stream at its
 * end is asked again after a pause. */
static int
wants_page(const struct cwstream *cs, int64_t now)
{
	if (cs->in_flight || has_head(cs))
		return (0);
	if (cs->next_poll > now)
		return (0);
	return (!cs->caught_up || cs->src->opt.follow);
}

/*
 * Events a GetLogEvents page may hold: merging by time holds a page per
 * stream, so the pages shrink as streams grow (10,000 events for up to
 * 20 streams, 100 at 2,000).
 */
static int
page_limit(const struct source_cw *s)
{
	size_t limit = s->n > 0 ? GET_EVENTS_BUDGET / s->n : 10000;

	return (limit > 10000 ? 10000 : limit < 100 ? 100 : (int)limit);
}

/* Ask for the next page of the streams that need one, within budget,
 * starting after the stream served last so every stream gets its turn. */
static void
request_pages(struct source_cw *s, int64_t now, int64_t *deadline)
{
	struct cwstream *cs;
	size_t k, i;
	char *body;

	for (k = 0; k < s->n && s->in_flight < s->opt.max_in_flight; k++) {
		i = (s->rr + k) % s->n;
		cs = s->v[i];
		if (!wants_page(cs, now))
			continue;
		if (!budget_take(&s->get, now, deadline))
			return;
		s->rr = i + 1;
		cs->in_flight = 1;
		s->in_flight++;
		cs->asked_at = now;
		if (cs->tail && !cs->tail_read)
			body = cwlogs_tail_body(s->opt.log_group, cs->name,
			    s->opt.since, s->opt.until,
			    s->opt.tail > 0 ? s->opt.tail : 1);
		else
			/* Every page names the window, as botocore's
			 * paginator does: a token is a place in the list the
			 * window selects (moto counts it so). */
			body = cwlogs_get_events_body(s->opt.log_group,
			    cs->name, cs->token, s->opt.since, s->opt.until,
			    page_limit(s));
		aws_call(
		    s->aws, SERVICE_LOGS, "GetLogEvents", body, on_events, cs);
		free(body);
	}
}

/* Heads: read unfiltered, for their markers only. */

static void
on_head(void *arg, const struct aws_result *r)
{
	struct cwstream *cs = arg;
	struct source_cw *s = cs->src;
	struct cwlogs_page page;
	char *cause = NULL;
	size_t i;

	s->in_flight--;
	cs->head = HEAD_DONE;
	if (r->error == AWS_NOT_FOUND)
		return;
	if (r->error == AWS_THROTTLED || r->error == AWS_TRANSIENT) {
		warn_retrying(s, r);
		cs->head = HEAD_WANTED;
		cs->head_poll = clock_mono_ms() + RETRY_LATER_MS;
		return;
	}
	if (r->error != AWS_OK) {
		set_error(s, r->cause);
		return;
	}
	memset(&page, 0, sizeof page);
	if (cwlogs_parse_events(r->body, r->len, &page, &cause) != 0) {
		cs->head = HEAD_WANTED;
		bad_answer(s, &cs->bad_answers, "GetLogEvents", cause);
		cs->head_poll = clock_mono_ms() + cs->bad_answers * 1000;
		return;
	}
	for (i = 0; i < page.n; i++)
		pipeline_learn(s->pipeline, cs->st,
		    cwlogs_str(&page, page.v[i].msg), page.v[i].msg_len);
	cwlogs_page_free(&page);
	if (pipeline_learnt(s->pipeline, &cause) == SINK_ERROR) {
		set_error(s, cause);
		free(cause);
	}
}

/*
 * Where a head read ends: at --since when only the window keeps the head
 * from being read (its own events come with the window's), else at the
 * head's size.
 */
static int64_t
head_end(const struct source_cw *s, const struct cwstream *cs)
{
	if (s->opt.filter_pattern == NULL && !cs->tail && s->opt.since >= 0)
		return (s->opt.since);
	return (-1);
}

/* Ask for the heads wanted, within the GetLogEvents budget. */
static void
request_heads(struct source_cw *s, int64_t now, int64_t *deadline)
{
	struct cwstream *cs;
	char *body;
	size_t i;

	for (i = 0; i < s->n && s->in_flight < s->opt.max_in_flight; i++) {
		cs = s->v[i];
		if (cs->head != HEAD_WANTED)
			continue;
		if (cs->head_poll > now) {
			if (*deadline < 0 || cs->head_poll < *deadline)
				*deadline = cs->head_poll;
			continue;
		}
		if (!budget_take(&s->get, now, deadline))
			return;
		cs->head = HEAD_OUT;
		s->in_flight++;
		body = cwlogs_get_events_body(s->opt.log_group, cs->name, NULL,
		    -1, head_end(s, cs), HEAD_EVENTS);
		aws_call(
		    s->aws, SERVICE_LOGS, "GetLogEvents", body, on_head, cs);
		free(body);
	}
}

/*
 * Heads still to read: of the streams there at the start (first), or of
 * any stream.
 */
static int
heads_pending(const struct source_cw *s, int first)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if ((s->v[i]->head == HEAD_WANTED ||
			s->v[i]->head == HEAD_OUT) &&
		    (!first || s->v[i]->first))
			return (1);
	return (0);
}

/*
 * Release events in time order across streams, while every stream that
 * is not finished has an event in hand (else SOURCE_MORE: a page is
 * missing).
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
			/* Following, each stream goes at its own pace, but
			 * the tails of the start come merged by time. */
			if (!has_head(cs)) {
				if ((!cs->caught_up && !s->opt.follow) ||
				    (cs->tail && !cs->tail_read))
					return (SOURCE_MORE);
				continue;
			}
			if (best == NULL ||
			    cs->page.v[cs->next].timestamp <
				best->page.v[best->next].timestamp)
				best = cs;
		}
		if (best == NULL)
			break;
		ev = &best->page.v[best->next++];
		rc = pipeline_event(s->pipeline, best->st, ev->timestamp,
		    cwlogs_str(&best->page, ev->msg), ev->msg_len, cause);
		if (rc == SINK_ERROR)
			return (SOURCE_OUTPUT_ERROR);
		if (rc == SINK_CLOSED)
			return (SOURCE_CLOSED);
		s->events++;
		s->unflushed = 1;
	}
	return (SOURCE_DONE);
}

/*
 * Following: the job ended, the grace period passed, the streams were
 * listed again and every stream was read to its end after that (every
 * batch looked back its whole window, or GetLogEvents reached each
 * stream's end).
 */
static int
follow_finished(struct source_cw *s, int64_t now)
{
	int64_t after = s->ended_at + s->opt.grace_ms;
	size_t i;

	if (s->ended_at == 0 || now < after || s->listing || !s->listed ||
	    s->listed_since < after)
		return (0);
	if (s->getlog) {
		for (i = 0; i < s->n; i++)
			if (!s->v[i]->caught_up || s->v[i]->caught_at < after ||
			    has_head(s->v[i]))
				return (0);
		return (1);
	}
	if (!s->swept) {
		follow_sweep_now(s->follow);
		s->swept = 1;
		return (0);
	}
	return (follow_swept_since(s->follow, after));
}

/* Keep t in *deadline when it is sooner, and still to come. */
static void
earliest(int64_t now, int64_t *deadline, int64_t t)
{
	if (t > now && t < INT64_MAX && (*deadline < 0 || t < *deadline))
		*deadline = t;
}

/*
 * The next moment something is due without an answer arriving. Only future
 * times count: a stream that is due now but waits for a free slot is woken
 * by the answer that frees it, and the budget sets its own deadline.
 */
static void
next_deadline(const struct source_cw *s, int64_t now, int64_t *deadline)
{
	size_t i;

	if (!s->listed)
		earliest(now, deadline, s->next_list);
	if (s->opt.follow) {
		earliest(now, deadline, s->next_list);
		if (s->opt.job != NULL)
			earliest(now, deadline, s->next_describe);
		if (s->ended_at != 0)
			earliest(now, deadline, s->ended_at + s->opt.grace_ms);
	}
	for (i = 0; s->getlog && i < s->n; i++)
		if (!s->v[i]->in_flight && !has_head(s->v[i]) &&
		    (!s->v[i]->caught_up || s->opt.follow))
			earliest(now, deadline, s->v[i]->next_poll);
}

/* The job ended and the grace period passed: list once more, now. */
static int
list_due_at_end(const struct source_cw *s, int64_t now)
{
	return (s->ended_at != 0 && now >= s->ended_at + s->opt.grace_ms &&
	    s->listed_since < s->ended_at + s->opt.grace_ms);
}

/*
 * Following with --until: once it has passed, nothing newer will be
 * shown, so the run ends as a job's does, after the grace period.
 */
static void
check_until(struct source_cw *s, int64_t now, int64_t *deadline)
{
	int64_t wall = clock_wall_ms();

	/* The job's own end, when it came first, is the one to say. */
	if (!s->opt.follow || s->opt.until < 0 || s->ended_at != 0 ||
	    (s->opt.job != NULL && !s->described))
		return;
	if (wall < s->opt.until) {
		earliest(now, deadline, now + (s->opt.until - wall));
		return;
	}
	s->ended_at =
	    now - (wall - s->opt.until) > 0 ? now - (wall - s->opt.until) : 1;
	log_info("--until has passed; reading what arrives by %lld s after it",
	    (long long)(s->opt.grace_ms / 1000));
}

/* Describe the job and list the streams when they are due. */
static void
ask_metadata(struct source_cw *s, int64_t now)
{
	if (s->opt.job != NULL && !s->describing &&
	    (!s->described ||
		(s->opt.follow && s->ended_at == 0 && now >= s->next_describe)))
		describe_job(s);
	/* The first listing waits for the job: a credentials failure then
	 * shows once. */
	if (s->listing || (s->opt.job != NULL && !s->described) ||
	    s->error != NULL)
		return;
	/* A drain by FilterLogEvents needs no listing: the backlog's
	 * answers name the streams (but filtered or windowed, only those
	 * with an event in it: every stream's head is wanted). */
	if (!s->opt.follow && !s->getlog && !wants_heads(s))
		return;
	if (now < s->next_list && !list_due_at_end(s, now))
		return;
	if (s->list_token != NULL || !s->listed || s->opt.follow)
		list_streams(s);
}

/*
 * The status line, at most four times a second: while a backlog drains,
 * events and the rate; once caught up, a quiet "following" line.
 */
static void
show_status(struct source_cw *s, int64_t now)
{
	struct source_cw_stats st;
	double rate;

	if (!s->opt.progress || now - s->status_at < 250)
		return;
	source_cw_stats(s, &st);
	rate = s->status_at == 0 ? 0
				 : (double)(st.events - s->status_events) *
		1000 / (now - s->status_at);
	if (st.behind > 0 || !s->opt.follow)
		log_status("cwdemux: reading %zu of %zu streams, %llu events, "
			   "%.0f/s, %llu throttled",
		    st.behind, st.streams, (unsigned long long)st.events, rate,
		    (unsigned long long)aws_stats(s->aws)->throttled);
	else
		log_status(
		    "cwdemux: following %s%s: %zu streams, %llu events%s%s",
		    s->opt.job != NULL ? s->opt.job : s->opt.prefix,
		    st.live_tail == LIVETAIL_LIVE ? " LIVE" : "", st.streams,
		    (unsigned long long)st.events,
		    s->job_line != NULL ? ", " : "",
		    s->job_line != NULL ? s->job_line : "");
	s->status_at = now;
	s->status_events = st.events;
}

/* One event of a host's tails, to rank them by age. */
struct tail_event {
	int64_t ts;
	size_t stream; /* index in s->v */
	size_t i; /* index in its page */
};

/* Newest first; ties by the later stream, then the later event, so the
 * events kept of each stream are the end of its page. */
static int
tail_event_cmp(const void *a, const void *b)
{
	const struct tail_event *x = a, *y = b;

	if (x->ts != y->ts)
		return (x->ts < y->ts ? 1 : -1);
	if (x->stream != y->stream)
		return (x->stream < y->stream ? 1 : -1);
	return (x->i < y->i ? 1 : x->i > y->i ? -1 : 0);
}

/* Whether every tail of the start came (release() waits for them too). */
static int
tails_read(const struct source_cw *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->tail && !s->v[i]->tail_read)
			return (0);
	return (1);
}

/*
 * --tail N is per host: each stream's tail holds its newest N, so a host
 * with k streams has up to k * N. Keep the newest N of them all; each
 * stream skips the older part of its page. Done once, when every tail is
 * in and none was released.
 */
static void
cut_tails(struct source_cw *s)
{
	struct tail_event *v = NULL;
	const void *host;
	size_t i, j, k, n, cap = 0, *keep;
	char *done;

	done = xcalloc(s->n, 1);
	keep = xcalloc(s->n, sizeof *keep);
	for (i = 0; i < s->n; i++) {
		if (!s->v[i]->tail || done[i])
			continue;
		host = pipeline_stream_host(s->v[i]->st);
		n = 0;
		for (j = i; j < s->n; j++) {
			if (!s->v[j]->tail ||
			    pipeline_stream_host(s->v[j]->st) != host)
				continue;
			done[j] = 1;
			for (k = s->v[j]->next; k < s->v[j]->page.n; k++) {
				v = xgrow(v, n, &cap, 64, sizeof *v);
				v[n].ts = s->v[j]->page.v[k].timestamp;
				v[n].stream = j;
				v[n++].i = k;
			}
		}
		if (n > 1)
			qsort(v, n, sizeof *v, tail_event_cmp);
		for (k = 0; k < n && k < (size_t)s->opt.tail; k++)
			keep[v[k].stream]++;
		for (j = i; j < s->n; j++)
			if (s->v[j]->tail &&
			    pipeline_stream_host(s->v[j]->st) == host)
				s->v[j]->next = s->v[j]->page.n - keep[j];
	}
	free(v);
	free(keep);
	free(done);
}

/*
 * GetLogEvents: --no-follow reads every stream to its end, merged by time;
 * following asks each stream again after a pause once at its end.
 */
static enum source_status
step_getlog(struct source_cw *s, int64_t now, int64_t *deadline, char **cause)
{
	enum source_status st;

	if (!s->listed)
		return (SOURCE_MORE);
	/* The tails wait for the heads: their hosts are placed first. */
	request_heads(s, now, deadline);
	if (heads_pending(s, 1))
		return (SOURCE_MORE);
	if (s->opt.tailing && !s->tails_cut && tails_read(s)) {
		cut_tails(s);
		s->tails_cut = 1;
	}
	st = release(s, cause);
	if (st == SOURCE_MORE || st == SOURCE_DONE) {
		request_pages(s, now, deadline);
	}
	/* The quiet moments are when a reader must see it all. */
	if ((st == SOURCE_MORE || st == SOURCE_DONE) && s->unflushed) {
		s->unflushed = 0;
		switch (pipeline_flush(s->pipeline, cause)) {
		case SINK_ERROR:
			return (SOURCE_OUTPUT_ERROR);
		case SINK_CLOSED:
			return (SOURCE_CLOSED);
		case SINK_OK:
			break;
		}
	}
	if (st == SOURCE_DONE && s->opt.follow)
		st = follow_finished(s, now) ? SOURCE_DONE : SOURCE_MORE;
	else if (st == SOURCE_DONE && (s->describing || s->in_flight > 0))
		st = SOURCE_MORE;
	return (st);
}

/*
 * FilterLogEvents denied before it (or Live Tail) read anything: say so
 * and read with GetLogEvents, which needs the streams listed. 0, or -1
 * when it read already (switching would read events twice).
 */
static int
fall_back(struct source_cw *s, char **cause)
{
	char *msg;

	if (!follow_denied(s->follow) || follow_events(s->follow) > 0 ||
	    (s->live != NULL && source_live_events(s->live) > 0))
		return (-1);
	if (s->opt.filter_pattern != NULL) {
		xasprintf(&msg,
		    "%s; --filter-pattern needs it (GetLogEvents cannot "
		    "filter)",
		    *cause);
		free(*cause);
		*cause = msg;
		return (-1);
	}
	log_warn(
	    "%s; reading stream by stream with GetLogEvents instead", *cause);
	free(*cause);
	*cause = NULL;
	/* Live Tail needs FilterLogEvents beside it, to be exact. */
	if (s->live != NULL && source_live_state(s->live) != LIVETAIL_OFF &&
	    source_live_state(s->live) != LIVETAIL_REFUSED)
		log_warn("Live Tail needs FilterLogEvents as its backstop: "
			 "following by GetLogEvents alone");
	source_live_free(s->live);
	s->live = NULL;
	follow_free(s->follow);
	s->follow = NULL;
	s->getlog = 1;
	s->next_list = 0;
	return (0);
}

static enum source_status
step_filter(struct source_cw *s, int64_t now, int64_t *deadline, char **cause)
{
	enum source_status st;
	enum sink_status rc;

	/*
	 * Filtered or windowed, the heads of the streams there at the start
	 * are read first, so that what they say (groups, where MPI ranks ran)
	 * is known when the events come; a later stream's events wait for its
	 * head only as any event waits for its host's group.
	 */
	if (wants_heads(s)) {
		request_heads(s, now, deadline);
		if (!s->listed || heads_pending(s, 1))
			return (SOURCE_MORE);
	}
	if (s->live != NULL) {
		/* Live Tail is billed by the minute: not past the job. */
		if (s->ended_at != 0)
			source_live_set(s->live, 0);
		rc = source_live_step(s->live, now, deadline, cause);
		if (rc == SINK_ERROR)
			return (SOURCE_OUTPUT_ERROR);
		if (rc == SINK_CLOSED)
			return (SOURCE_CLOSED);
	}
	st = follow_step(s->follow, now, deadline, cause);
	if (st == SOURCE_ERROR && fall_back(s, cause) == 0)
		return (SOURCE_MORE);
	if (st == SOURCE_DONE && heads_pending(s, 0))
		st = SOURCE_MORE;
	if (st == SOURCE_MORE && s->opt.follow && follow_finished(s, now))
		st = SOURCE_DONE;
	if (st == SOURCE_DONE && s->describing)
		st = SOURCE_MORE;
	return (st);
}

enum source_status
source_cw_step(
    struct source_cw *s, int64_t now, int64_t *deadline, char **cause)
{
	enum source_status st = SOURCE_MORE;

	*deadline = -1;
	if (s->error == NULL)
		ask_metadata(s, now);
	/* Reading waits for the job's first description (see above). */
	if (s->error == NULL && (s->opt.job == NULL || s->described))
		st = s->getlog ? step_getlog(s, now, deadline, cause)
			       : step_filter(s, now, deadline, cause);
	/* A call can fail before it is sent (no credentials, say). */
	if (s->error != NULL && (st == SOURCE_MORE || st == SOURCE_DONE)) {
		*cause = xstrdup(s->error);
		return (SOURCE_ERROR);
	}
	if (st == SOURCE_MORE) {
		show_status(s, now);
		next_deadline(s, now, deadline);
		check_until(s, now, deadline);
		/* The line is kept fresh while something happens. */
		if (s->opt.progress && (*deadline < 0 || *deadline > now + 250))
			*deadline = now + 250;
	} else
		log_status_clear();
	return (st);
}

enum source_job
source_cw_job(const struct source_cw *s)
{
	return (s->job);
}

const struct sagemaker_job *
source_cw_described(const struct source_cw *s)
{
	return (s->desc.status != NULL ? &s->desc : NULL);
}

void
source_cw_stats(const struct source_cw *s, struct source_cw_stats *st)
{
	size_t i;

	memset(st, 0, sizeof *st);
	st->streams = s->n;
	st->ended = s->ended_at != 0;
	if (s->live != NULL) {
		st->live_tail = source_live_state(s->live);
		st->live_events = source_live_events(s->live);
	}
	if (s->follow != NULL) {
		st->streams = follow_streams(s->follow);
		st->behind = follow_behind(s->follow);
		st->events = follow_events(s->follow) + st->live_events;
		st->rate = follow_rate(s->follow);
		return;
	}
	for (i = 0; i < s->n; i++)
		st->behind += !s->v[i]->caught_up;
	st->events = s->events;
	st->rate = s->get.rate;
}

enum sink_status
source_cw_release(struct source_cw *s, char **cause)
{
	if (s->live == NULL)
		return (SINK_OK);
	return (source_live_release(s->live, cause));
}

int
source_cw_set_live_tail(struct source_cw *s, int on)
{
	if (s->live == NULL || s->ended_at != 0 ||
	    source_live_state(s->live) == LIVETAIL_REFUSED)
		return (-1);
	source_live_set(s->live, on);
	return (0);
}

const char *
source_cw_summary(struct source_cw *s)
{
	char *line, *job = NULL, *live = NULL;
	int64_t secs = (clock_mono_ms() - s->started_at) / 1000;
	const struct aws_stats *as;
	struct source_cw_stats st;

	if (s->job_line != NULL)
		xasprintf(&job, "job %s: %s, %d host%s in %zu group%s; ",
		    s->opt.job, s->job_line, s->desc.hosts,
		    s->desc.hosts == 1 ? "" : "s", s->desc.ngroups,
		    s->desc.ngroups == 1 ? "" : "s");
	source_cw_stats(s, &st);
	as = aws_stats(s->aws);
	if (s->live != NULL &&
	    (s->opt.live_tail || source_live_stats(s->live)->sessions > 0))
		xasprintf(&live, " (%llu by Live Tail in %llu session%s)",
		    (unsigned long long)st.live_events,
		    (unsigned long long)source_live_stats(s->live)->sessions,
		    source_live_stats(s->live)->sessions == 1 ? "" : "s");
	xasprintf(&line,
	    "%s%zu stream%s, %llu events%s in %lld:%02lld; %llu requests, "
	    "%llu throttled",
	    job != NULL ? job : "", st.streams, st.streams == 1 ? "" : "s",
	    (unsigned long long)st.events, live != NULL ? live : "",
	    (long long)(secs / 60), (long long)(secs % 60),
	    (unsigned long long)as->requests,
	    (unsigned long long)as->throttled);
	free(job);
	free(live);
	free(s->summary);
	s->summary = line;
	return (line);
}
