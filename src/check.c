/*
 * cwdemux --check. First what the configuration resolves to, each part
 * on its own so one that fails (no Region, no credentials) is said and the
 * others are still shown; then the calls: GetCallerIdentity (STS), then
 * DescribeLogStreams, FilterLogEvents, DescribeTrainingJob and (with
 * --live-tail) DescribeLogGroups at once through the event loop, then
 * GetLogEvents on a stream the first found and StartLiveTail on the ARN
 * the groups gave, a session closed at its first message. Each call is
 * made once, without retries: the answer is the diagnosis.
 *
 * A call AWS denies is MISSING, with its IAM action; one that is allowed
 * but finds nothing (no log group yet, no such job) is allowed, and says
 * so. Some permissions a run can do without, as the run itself does
 * (#15): DescribeTrainingJob (the logs are read anyway), one of
 * FilterLogEvents and GetLogEvents (each stands in for the other, unless
 * --filter-pattern or --tail needs it), DescribeLogGroups and
 * StartLiveTail (--live-tail only; refused, following polls). One of
 * those denied is a warning line that says what will not work. The exit
 * status is 0 when every required call is allowed, EXIT_USAGE when the
 * settings are not usable (no Region), EXIT_AWS otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "aws.h"
#include "buf.h"
#include "check.h"
#include "clock.h"
#include "config.h"
#include "creds.h"
#include "cwlogs.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "sts.h"
#include "xmalloc.h"

/* A Live Tail session that sends nothing this long is taken for broken. */
#define LIVE_STALL_SECONDS 15

/* One call to try. */
struct probe {
	const char *action; /* the IAM action, "logs:FilterLogEvents" */
	enum config_service service;
	const char *operation;
	struct buf body;
	const char *skipped; /* why it is not made, or NULL */
	int required; /* a run cannot do without it (see judge()) */
	const char *group; /* the log group, for DescribeLogGroups */
	const char *without; /* what a run does when it is denied */
	int done;
	enum aws_error error;
	char *cause;
	char *found; /* what an allowed call found, for its line */
	char *stream; /* DescribeLogStreams: the first stream */
	char *arn; /* DescribeLogGroups: the log group's ARN */
	int opened; /* StartLiveTail: the session sent its first piece */
	size_t *pending;
};

static const char *const service_names[] = {
    [SERVICE_LOGS] = "logs",
    [SERVICE_SAGEMAKER] = "sagemaker",
    [SERVICE_STS] = "sts",
};

/* The first stream's name in a DescribeLogStreams answer, or NULL. */
static char *
first_stream(const char *body, size_t len)
{
	const char *list_path[] = {"logStreams", NULL};
	yajl_val root, list;
	const char *name;
	char *s = NULL;

	if ((root = json_tree_parse(body, len, NULL, 0)) == NULL)
		return (NULL);
	list = yajl_tree_get(root, list_path, yajl_t_array);
	if (list != NULL && list->u.array.len > 0 &&
	    (name = json_member_string(
		 list->u.array.values[0], "logStreamName")) != NULL)
		s = xstrdup(name);
	yajl_tree_free(root);
	return (s);
}

/* What an allowed call found, said in a few words. */
static char *
found(struct probe *p, const struct aws_result *r, const char *group)
{
	yajl_val root;
	const char *st;
	char *s = NULL;

	if (strcmp(p->operation, "DescribeLogStreams") == 0) {
		p->stream = first_stream(r->body, r->len);
		if (p->stream == NULL)
			return (xstrdup("no stream yet"));
		xasprintf(&s, "streams, the first %s", p->stream);
	} else if (strcmp(p->operation, "DescribeLogGroups") == 0) {
		if (cwlogs_parse_group_arn(
			r->body, r->len, group, &p->arn, &s) != 0) {
			free(s);
			return (xstrdup("no such log group yet"));
		}
		s = xstrdup(p->arn);
	} else if (strcmp(p->operation, "DescribeTrainingJob") == 0) {
		root = json_tree_parse(r->body, r->len, NULL, 0);
		st = root != NULL
		    ? json_member_string(root, "TrainingJobStatus")
		    : NULL;
		xasprintf(&s, "status %s", st != NULL ? st : "unknown");
		yajl_tree_free(root);
	}
	return (s);
}

static void
probe_done(void *arg, const struct aws_result *r)
{
	struct probe *p = arg;

	p->done = 1;
	p->error = r->error;
	/* SageMaker says an unknown job with a ValidationException. */
	if (r->error == AWS_CLIENT && p->service == SERVICE_SAGEMAKER &&
	    strcmp(r->code, "ValidationException") == 0)
		p->error = AWS_NOT_FOUND;
	/* A session that opened was stopped by probe_data(): allowed. */
	if (p->opened) {
		p->error = AWS_OK;
		p->found = xstrdup("a session opened, then closed");
	} else if (r->error == AWS_OK)
		p->found = found(p, r, p->group);
	else
		p->cause = xstrdup(r->cause);
	(*p->pending)--;
}

/* StartLiveTail's first piece: the session is open; stop it there. */
static int
probe_data(void *arg, const char *data, size_t len)
{
	struct probe *p = arg;

	(void)data;
	(void)len;
	p->opened = 1;
	return (1);
}

static void
probe_start(struct aws *aws, struct probe *p, size_t *pending)
{
	if (p->skipped != NULL)
		return;
	p->pending = pending;
	(*pending)++;
	aws_call(aws, p->service, p->operation, p->body.data, probe_done, p);
}

/* The probe's line; 0 when it is allowed (or skipped), 1 when an optional
 * permission is denied, else -1. */
static int
probe_say(const struct probe *p)
{
	printf("check %s: ", p->action);
	if (p->skipped != NULL) {
		printf("skipped (%s)\n", p->skipped);
		return (0);
	}
	if (!p->done) {
		printf("not answered (interrupted)\n");
		return (-1);
	}
	switch (p->error) {
	case AWS_OK:
		printf("ok%s%s%s\n", p->found != NULL ? " (" : "",
		    p->found != NULL ? p->found : "",
		    p->found != NULL ? ")" : "");
		return (0);
	case AWS_NOT_FOUND:
		printf("ok, allowed; it found nothing: %s\n", p->cause);
		return (0);
	case AWS_DENIED:
		if (!p->required) {
			printf("missing, optional: %s; grant %s to have it "
			       "(%s)\n",
			    p->without, p->action, p->cause);
			return (1);
		}
		printf("MISSING: grant %s (%s)\n", p->action, p->cause);
		return (-1);
	case AWS_CREDENTIALS:
		printf("REFUSED: the credentials are not accepted (%s)\n",
		    p->cause);
		return (-1);
	default:
		printf("FAILED: %s\n", p->cause);
		return (-1);
	}
}

static void
probe_free(struct probe *p)
{
	buf_free(&p->body);
	free(p->cause);
	free(p->found);
	free(p->stream);
	free(p->arn);
}

/* The log group and the streams' prefix, as a run would read them. */
static void
logs_body(struct buf *b, const struct options *o, const char *prefix,
    const char *stream, int limit)
{
	buf_adds(b, "{\"logGroupName\":");
	json_add_string(b, o->log_group, strlen(o->log_group));
	if (stream != NULL) {
		buf_adds(b, ",\"logStreamName\":");
		json_add_string(b, stream, strlen(stream));
		buf_adds(b, ",\"startFromHead\":true");
	} else if (prefix != NULL && *prefix != '\0') {
		buf_adds(b, ",\"logStreamNamePrefix\":");
		json_add_string(b, prefix, strlen(prefix));
	}
	buf_printf(b, ",\"limit\":%d}", limit);
}

/* The probes, in the order they are made and said. */
enum {
	P_STREAMS,
	P_FILTER,
	P_JOB,
	P_GROUPS,
	P_GET,
	P_LIVE,
	NPROBES,
};

static int
denied(const struct probe *p)
{
	return (p->done && p->error == AWS_DENIED);
}

/*
 * Which permissions this run needs, as source_cw.c and livetail.c do
 * without the others: reading needs FilterLogEvents or GetLogEvents,
 * --filter-pattern both (FilterLogEvents filters, GetLogEvents reads the
 * heads for markers), --tail GetLogEvents (the newest N of a stream).
 */
static void
judge(struct probe *p, const struct options *o)
{
	p[P_STREAMS].required = 1;
	p[P_FILTER].required = o->filter_pattern != NULL || denied(&p[P_GET]);
	p[P_FILTER].without =
	    "a run reads stream by stream with GetLogEvents instead (more "
	    "calls, slower on many streams)";
	p[P_GET].required =
	    o->filter_pattern != NULL || o->tail >= 0 || denied(&p[P_FILTER]);
	p[P_GET].without = "--tail and --filter-pattern will not work, and "
			   "nothing stands in when FilterLogEvents is refused";
	p[P_JOB].without = "the job's status is not known: following runs "
			   "until interrupted, the job's end is not seen";
	p[P_GROUPS].without = "--live-tail finds no log group ARN: following "
			      "polls alone";
	p[P_LIVE].without = "--live-tail is refused: following polls alone";
}

/* StartLiveTail on the group's ARN: stopped at its first piece (its
 * sessionStart), so the check does not wait on a stream. */
static void
live_start(struct aws *aws, const struct options *o, const char *prefix,
    const struct probe *groups, struct probe *p, size_t *pending)
{
	char *body;

	if (groups->arn == NULL) {
		p->skipped = "no log group ARN to ask for";
		return;
	}
	p->pending = pending;
	(*pending)++;
	body = cwlogs_live_tail_body(
	    groups->arn, prefix != NULL ? prefix : "", o->filter_pattern);
	aws_stream(aws, p->service, p->operation, body, LIVE_STALL_SECONDS,
	    probe_data, probe_done, p);
	free(body);
}

/* The calls, once the settings resolved and credentials were found; *optional
 * counts the optional permissions denied. */
static int
check_calls(const struct options *o, struct config *cfg, struct creds_chain *ch,
    const struct creds *c, int *optional)
{
	struct probe p[NPROBES] = {
	    [P_STREAMS] = {.action = "logs:DescribeLogStreams",
		.service = SERVICE_LOGS,
		.operation = "DescribeLogStreams"},
	    [P_FILTER] = {.action = "logs:FilterLogEvents",
		.service = SERVICE_LOGS,
		.operation = "FilterLogEvents"},
	    [P_JOB] = {.action = "sagemaker:DescribeTrainingJob",
		.service = SERVICE_SAGEMAKER,
		.operation = "DescribeTrainingJob"},
	    [P_GROUPS] = {.action = "logs:DescribeLogGroups",
		.service = SERVICE_LOGS,
		.operation = "DescribeLogGroups"},
	    [P_GET] = {.action = "logs:GetLogEvents",
		.service = SERVICE_LOGS,
		.operation = "GetLogEvents"},
	    [P_LIVE] = {.action = "logs:StartLiveTail",
		.service = SERVICE_LOGS,
		.operation = "StartLiveTail"},
	};
	struct sts_signer signer = {
	    c->access_key_id, c->secret_access_key, c->session_token};
	struct http *http = NULL;
	struct aws *aws = NULL;
	char *arn = NULL, *cause = NULL, *prefix = NULL;
	size_t pending = 0;
	int bad = 0, i;

	if (sts_caller_identity(cfg, (time_t)(clock_wall_ms() / 1000), &signer,
		&arn, &cause) == 0)
		printf("check sts:GetCallerIdentity: ok (%s)\n", arn);
	else {
		printf("check sts:GetCallerIdentity: FAILED: %s\n", cause);
		bad = 1;
	}
	free(arn);
	free(cause);
	cause = NULL;
	if ((http = http_new(config_ca_bundle(cfg), &cause)) == NULL ||
	    (aws = aws_new(cfg, ch, http, &cause)) == NULL) {
		printf("check: cannot make calls: %s\n", cause);
		free(cause);
		http_free(http);
		return (-1);
	}
	aws_set_attempts(aws, 1);
	if (o->stream_prefix != NULL)
		prefix = xstrdup(o->stream_prefix);
	else if (o->job != NULL)
		xasprintf(&prefix, "%s/", o->job);
	logs_body(&p[P_STREAMS].body, o, prefix, NULL, 1);
	logs_body(&p[P_FILTER].body, o, prefix, NULL, 1);
	if (o->job == NULL)
		p[P_JOB].skipped = "no JOB given";
	else {
		buf_adds(&p[P_JOB].body, "{\"TrainingJobName\":");
		json_add_string(&p[P_JOB].body, o->job, strlen(o->job));
		buf_adds(&p[P_JOB].body, "}");
	}
	p[P_GROUPS].group = o->log_group;
	if (!o->live_tail) {
		p[P_GROUPS].skipped = "only --live-tail uses it";
		p[P_LIVE].skipped = "only --live-tail uses it";
	} else {
		buf_adds(&p[P_GROUPS].body, "{\"logGroupNamePrefix\":");
		json_add_string(
		    &p[P_GROUPS].body, o->log_group, strlen(o->log_group));
		buf_adds(&p[P_GROUPS].body, "}");
	}
	for (i = 0; i < P_GET; i++)
		probe_start(aws, &p[i], &pending);
	if (loop_calls(http, aws, &pending, &cause) == LOOP_DONE) {
		if (p[P_STREAMS].stream == NULL)
			p[P_GET].skipped = "no stream to read";
		else
			logs_body(
			    &p[P_GET].body, o, NULL, p[P_STREAMS].stream, 1);
		probe_start(aws, &p[P_GET], &pending);
		if (p[P_LIVE].skipped == NULL)
			live_start(
			    aws, o, prefix, &p[P_GROUPS], &p[P_LIVE], &pending);
		(void)loop_calls(http, aws, &pending, &cause);
	}
	judge(p, o);
	for (i = 0; i < NPROBES; i++) {
		switch (probe_say(&p[i])) {
		case 0:
			break;
		case 1:
			(*optional)++;
			break;
		default:
			bad = 1;
		}
	}
	if (cause != NULL)
		printf("check: %s\n", cause);
	for (i = 0; i < NPROBES; i++)
		probe_free(&p[i]);
	free(cause);
	free(prefix);
	aws_free(aws);
	http_free(http);
	return (bad ? -1 : 0);
}

int
check_run(const struct options *o)
{
	static const enum config_service svcs[] = {
	    SERVICE_LOGS, SERVICE_SAGEMAKER, SERVICE_STS};
	struct config_options co = {
	    .profile = o->profile,
	    .region = o->region,
	    .endpoint_url = o->endpoint_url,
	};
	struct creds_chain *ch = NULL;
	const struct creds *c;
	struct config *cfg;
	const char *region;
	char *cause = NULL, *url;
	int status = EXIT_OK, optional = 0;
	size_t i;

	log_set_debug(o->debug);
	if ((cfg = config_load(&co, &cause)) == NULL) {
		printf("settings: unusable: %s\n", cause);
		free(cause);
		return (EXIT_USAGE);
	}
	printf("profile: %s\n", config_profile(cfg));
	if (config_region(cfg, &region, &cause) == 0)
		printf("region: %s\n", region);
	else {
		printf("region: none (%s)\n", cause);
		free(cause);
		cause = NULL;
		status = EXIT_USAGE;
	}
	for (i = 0; i < sizeof svcs / sizeof svcs[0]; i++) {
		if (config_endpoint(cfg, svcs[i], &url, &cause) == 0) {
			printf(
			    "endpoint %s: %s\n", service_names[svcs[i]], url);
			free(url);
		} else {
			printf("endpoint %s: none (%s)\n",
			    service_names[svcs[i]], cause);
			free(cause);
			cause = NULL;
			status = EXIT_USAGE;
		}
	}
	ch = creds_new(cfg);
	if (creds_get(ch, (time_t)(clock_wall_ms() / 1000), &c, &cause) == 0) {
		printf("credentials: %s (%s)\n", creds_source(ch),
		    creds_method(ch));
		printf("access key id: %s\n", c->access_key_id);
		if (status == EXIT_OK &&
		    check_calls(o, cfg, ch, c, &optional) != 0)
			status = EXIT_AWS;
	} else {
		printf("credentials: none (%s)\n", cause);
		free(cause);
		if (status == EXIT_OK)
			status = EXIT_AWS;
	}
	if (status != EXIT_OK)
		printf("not every check passed: see above\n");
	else if (optional > 0)
		printf("every required check passed; %d optional permission%s "
		       "missing: see above\n",
		    optional, optional == 1 ? "" : "s");
	else
		printf("all checks passed\n");
	creds_free(ch);
	config_free(cfg);
	return (fflush(stdout) == 0 && !ferror(stdout) ? status : EXIT_RUNTIME);
}
