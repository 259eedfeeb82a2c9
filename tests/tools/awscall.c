/*
 * awscall: make one CloudWatch Logs or SageMaker call through cwdemux's
 * own AWS layer (configuration, credentials, signing, transport, retries)
 * and print the parsed answer, so integration tests can exercise calls the
 * program does not make on every run.
 *
 *   awscall filter GROUP PREFIX|-  [STREAM...]   FilterLogEvents, all pages
 *   awscall describe-job JOB                     DescribeTrainingJob
 *
 * Settings come from the environment and the AWS files, as for cwdemux.
 * filter prints "STREAM EVENTID TIMESTAMP LENGTH" lines; describe-job
 * prints "STATUS SECONDARY HOSTS GROUP:TYPE:COUNT...". Errors: one line on
 * stderr and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "clock.h"
#include "cwlogs.h"
#include "sagemaker.h"
#include "xmalloc.h"

struct state {
	int done;
	int failed;
	char *token; /* FilterLogEvents: the next page's token */
	int more;
	const char *op;
};

static void
on_filter(void *arg, const struct aws_result *r)
{
	struct state *s = arg;
	struct cwlogs_page page;
	char *cause = NULL;
	size_t i;

	memset(&page, 0, sizeof page);
	s->done = 1;
	if (r->error != AWS_OK) {
		fprintf(stderr, "awscall: %s\n", r->cause);
		s->failed = 1;
		return;
	}
	if (cwlogs_parse_events(r->body, r->len, &page, &cause) != 0) {
		fprintf(stderr, "awscall: %s\n", cause);
		free(cause);
		s->failed = 1;
		return;
	}
	for (i = 0; i < page.n; i++)
		printf("%s %s %lld %zu\n", cwlogs_str(&page, page.v[i].stream),
		    cwlogs_str(&page, page.v[i].id),
		    (long long)page.v[i].timestamp, page.v[i].msg_len);
	free(s->token);
	s->token = page.next != NULL ? xstrdup(page.next) : NULL;
	s->more = s->token != NULL;
	cwlogs_page_free(&page);
}

static void
on_job(void *arg, const struct aws_result *r)
{
	struct state *s = arg;
	struct sagemaker_job job;
	char *cause = NULL;
	size_t i;

	s->done = 1;
	if (r->error != AWS_OK) {
		fprintf(stderr, "awscall: %s\n", r->cause);
		s->failed = 1;
		return;
	}
	if (sagemaker_parse_job(r->body, r->len, &job, &cause) != 0) {
		fprintf(stderr, "awscall: %s\n", cause);
		free(cause);
		s->failed = 1;
		return;
	}
	printf("%s %s %d", job.status, job.secondary ? job.secondary : "-",
	    job.hosts);
	for (i = 0; i < job.ngroups; i++)
		printf(" %s:%s:%d",
		    job.groups[i].name ? job.groups[i].name : "-",
		    job.groups[i].instance_type ? job.groups[i].instance_type
						: "-",
		    job.groups[i].count);
	printf("\n");
	sagemaker_job_free(&job);
}

/* Run the transport until the call in flight is answered. */
static int
wait_done(struct http *http, struct aws *aws, struct state *s)
{
	char *cause = NULL;
	int64_t next;

	while (!s->done) {
		next = aws_next_deadline(aws);
		if (http_wait(http, next < 0 ? 1000 : 100, NULL, 0, &cause) !=
			0 ||
		    http_process(http, &cause) != 0) {
			fprintf(stderr, "awscall: %s\n", cause);
			free(cause);
			return (-1);
		}
		aws_tick(aws, clock_mono_ms());
	}
	return (s->failed ? -1 : 0);
}

int
main(int argc, char **argv)
{
	struct config_options co = {NULL, NULL, NULL};
	struct config *config;
	struct creds_chain *creds;
	struct http *http;
	struct aws *aws;
	struct state s;
	char *cause = NULL, *body;
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr,
		    "usage: awscall filter GROUP PREFIX|- [STREAM...]"
		    "\n       awscall describe-job JOB\n");
		return (2);
	}
	if ((config = config_load(&co, &cause)) == NULL) {
		fprintf(stderr, "awscall: %s\n", cause);
		return (1);
	}
	creds = creds_new(config);
	if ((http = http_new(config_ca_bundle(config), &cause)) == NULL ||
	    (aws = aws_new(config, creds, http, &cause)) == NULL) {
		fprintf(stderr, "awscall: %s\n", cause);
		return (1);
	}
	memset(&s, 0, sizeof s);
	if (strcmp(argv[1], "describe-job") == 0) {
		body = sagemaker_describe_body(argv[2]);
		aws_call(aws, SERVICE_SAGEMAKER, "DescribeTrainingJob", body,
		    on_job, &s);
		free(body);
		rc = wait_done(http, aws, &s) == 0 ? 0 : 1;
	} else if (strcmp(argv[1], "filter") == 0 && argc >= 4) {
		do {
			s.done = 0;
			body = cwlogs_filter_body(argv[2],
			    strcmp(argv[3], "-") == 0 ? NULL : argv[3],
			    (const char *const *)argv + 4, (size_t)argc - 4,
			    NULL, -1, -1, s.token, 0);
			aws_call(aws, SERVICE_LOGS, "FilterLogEvents", body,
			    on_filter, &s);
			free(body);
			if (wait_done(http, aws, &s) != 0)
				break;
		} while (s.more);
		rc = s.failed ? 1 : 0;
	}
	free(s.token);
	aws_free(aws);
	http_free(http);
	creds_free(creds);
	config_free(config);
	return (rc);
}
