/*
 * Table tests of the AWS API layer's pure functions: request bodies and
 * response parsers for CloudWatch Logs and SageMaker, including truncated
 * and malformed answers.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cwlogs.h"
#include "sagemaker.h"
#include "unit.h"

static void
test_bodies(void)
{
	const char *streams[] = {"j/algo-1-1", "j/\"q\""};
	char *b;

	b = cwlogs_describe_streams_body(
	    "/aws/sagemaker/TrainingJobs", "j/", NULL);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"/aws/sagemaker/TrainingJobs\","
	    "\"logStreamNamePrefix\":\"j/\",\"limit\":50}",
	    "DescribeLogStreams body");
	free(b);
	b = cwlogs_describe_streams_body("g", "j/", "tok");
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamNamePrefix\":\"j/\","
	    "\"nextToken\":\"tok\",\"limit\":50}",
	    "DescribeLogStreams body with token");
	free(b);
	b = cwlogs_get_events_body("g", "j/algo-1-1", "f/1", -1, -1, 10000);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamName\":\"j/algo-1-1\","
	    "\"startFromHead\":true,\"nextToken\":\"f/1\","
	    "\"limit\":10000}",
	    "GetLogEvents body");
	free(b);
	b = cwlogs_get_events_body(
	    "g", "s", "f/2", 1700000000000LL, 1700000060000LL, 20000);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamName\":\"s\","
	    "\"startFromHead\":true,\"nextToken\":\"f/2\","
	    "\"startTime\":1700000000000,\"endTime\":1700000060000,"
	    "\"limit\":10000}",
	    "GetLogEvents body: the window on a token page too, limit capped");
	free(b);
	b = cwlogs_filter_body("g", NULL, streams, 2, NULL, 5, 9, NULL, 0);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamNames\":"
	    "[\"j/algo-1-1\",\"j/\\\"q\\\"\"],\"startTime\":5,"
	    "\"endTime\":9,\"interleaved\":true}",
	    "FilterLogEvents body, named streams");
	free(b);
	b = cwlogs_filter_body("g", "j/", NULL, 0, NULL, -1, -1, "t", 100);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamNamePrefix\":\"j/\","
	    "\"interleaved\":true,\"nextToken\":\"t\",\"limit\":100}",
	    "FilterLogEvents body, prefix");
	free(b);
	b = cwlogs_filter_body(
	    "g", "j/", NULL, 0, "\"Out of\" -DEBUG", 7, -1, NULL, 0);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamNamePrefix\":\"j/\","
	    "\"filterPattern\":\"\\\"Out of\\\" -DEBUG\",\"startTime\":7,"
	    "\"interleaved\":true}",
	    "FilterLogEvents body, a filter pattern");
	free(b);
	b = cwlogs_tail_body("g", "j/algo-1-1", 5, -1, 10);
	UNIT_STREQ(b,
	    "{\"logGroupName\":\"g\",\"logStreamName\":\"j/algo-1-1\","
	    "\"startFromHead\":false,\"startTime\":5,\"limit\":10}",
	    "GetLogEvents body, the tail");
	free(b);
	b = sagemaker_describe_body("job-1");
	UNIT_STREQ(b, "{\"TrainingJobName\":\"job-1\"}", "DescribeTrainingJob");
	free(b);
}

static void
test_events(void)
{
	static const struct {
		const char *body;
		int rc;
		size_t n;
		const char *next; /* NULL: none */
		const char *first; /* first message */
		long long ts;
	} t[] = {
	    {"{\"events\":[{\"timestamp\":1,\"message\":\"a\","
	     "\"ingestionTime\":2},{\"timestamp\":3,\"message\":\"b\\nc\"}],"
	     "\"nextForwardToken\":\"f/1\",\"nextBackwardToken\":\"b/0\"}",
		0, 2, "f/1", "a", 1},
	    {"{\"events\":[],\"nextForwardToken\":\"f/9\"}", 0, 0, "f/9", NULL,
		0},
	    {"{\"events\":[{\"logStreamName\":\"s\",\"timestamp\":7,"
	     "\"message\":\"\\u00e9\\u0000x\",\"eventId\":\"42\"}],"
	     "\"searchedLogStreams\":[{\"logStreamName\":\"s\"}],"
	     "\"nextToken\":null}",
		0, 1, NULL, "\xc3\xa9", 7},
	    {"{\"nextForwardToken\":\"f/1\",\"events\":[{\"message\":"
	     "\"m\",\"timestamp\":5,\"extra\":{\"timestamp\":99,"
	     "\"message\":\"nested\"}}]}",
		0, 1, "f/1", "m", 5},
	    {"{\"events\":[{\"timestamp\":1,\"message\":\"a\"}", -1, 0, NULL,
		NULL, 0},
	    {"{\"events\":[{\"timestamp\":1}]}", -1, 0, NULL, NULL, 0},
	    {"{\"events\":[{\"message\":\"x\"}]}", -1, 0, NULL, NULL, 0},
	    {"", -1, 0, NULL, NULL, 0},
	    {"<html>503</html>", -1, 0, NULL, NULL, 0},
	    {"{\"events\":[]} trailing", -1, 0, NULL, NULL, 0},
	    {"{\"events\":[{\"timestamp\":1e3,\"message\":\"d\"}]}", 0, 1, NULL,
		"d", 1000},
	    {"{\"events\":[{\"timestamp\":-7,\"message\":\"n\"}]}", 0, 1, NULL,
		"n", -7},
	    {"{\"events\":[{\"timestamp\":12345678901234567890123,"
	     "\"message\":\"h\"}],\"x\":1e999,\"y\":-99999999999999999999}",
		0, 1, NULL, "h", 1000000000000000LL},
	    {"{\"events\":[{\"timestamp\":-1e400,\"message\":\"l\"}]}", 0, 1,
		NULL, "l", -1000000000000000LL},
	};
	struct cwlogs_page page;
	char *cause;
	size_t i;
	int rc;

	memset(&page, 0, sizeof page);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		rc = cwlogs_parse_events(
		    t[i].body, strlen(t[i].body), &page, &cause);
		UNIT_CHECK(rc == t[i].rc, "events case %zu: rc %d (%s)", i, rc,
		    cause != NULL ? cause : "");
		UNIT_CHECK(rc != 0 || page.n == t[i].n,
		    "events case %zu: %zu events", i, page.n);
		UNIT_CHECK(rc == 0 || (cause != NULL && page.n == 0),
		    "events case %zu: a failed page holds nothing", i);
		if (rc == 0 && t[i].next != NULL)
			UNIT_STREQ(page.next, t[i].next, "next token");
		else if (rc == 0)
			UNIT_CHECK(page.next == NULL, "case %zu: no token", i);
		if (rc == 0 && t[i].first != NULL) {
			UNIT_STREQ(cwlogs_str(&page, page.v[0].msg), t[i].first,
			    "first message");
			UNIT_CHECK(page.v[0].timestamp == t[i].ts,
			    "case %zu: timestamp %lld", i,
			    (long long)page.v[0].timestamp);
		}
		free(cause);
	}
	/* The NUL inside a message is kept: lengths, not strings. */
	cwlogs_parse_events(t[2].body, strlen(t[2].body), &page, &cause);
	UNIT_CHECK(page.v[0].msg_len == 4, "message with NUL is 4 bytes");
	UNIT_STREQ(cwlogs_str(&page, page.v[0].id), "42", "eventId");
	UNIT_STREQ(cwlogs_str(&page, page.v[0].stream), "s", "logStreamName");
	cwlogs_page_free(&page);
}

static void
test_streams(void)
{
	const char *body = "{\"logStreams\":[{\"logStreamName\":\"j/algo-1-1\","
			   "\"creationTime\":1,\"lastEventTimestamp\":5},"
			   "{\"logStreamName\":\"j/algo-2-1\"},{\"x\":1}],"
			   "\"nextToken\":\"n1\"}";
	struct cwlogs_stream *v;
	size_t n;
	char *next, *cause = NULL;

	UNIT_CHECK(cwlogs_parse_streams(
		       body, strlen(body), &v, &n, &next, &cause) == 0 &&
		n == 2,
	    "DescribeLogStreams: 2 streams");
	UNIT_STREQ(v[1].name, "j/algo-2-1", "second stream");
	UNIT_CHECK(v[0].last_event == 5, "lastEventTimestamp");
	UNIT_STREQ(next, "n1", "next token");
	cwlogs_streams_free(v, n);
	free(next);
	body = "{\"logStreams\":[],\"nextToken\":null}";
	UNIT_CHECK(cwlogs_parse_streams(
		       body, strlen(body), &v, &n, &next, &cause) == 0 &&
		n == 0 && next == NULL,
	    "null nextToken is no token");
	cwlogs_streams_free(v, n);
	body = "{\"logStreams\":[{\"logStreamName\":";
	UNIT_CHECK(cwlogs_parse_streams(
		       body, strlen(body), &v, &n, &next, &cause) == -1 &&
		cause != NULL,
	    "truncated DescribeLogStreams is an error");
	free(cause);
}

static void
test_job(void)
{
	const char *hetero =
	    "{\"TrainingJobName\":\"j\",\"TrainingJobStatus\":\"Failed\","
	    "\"SecondaryStatus\":\"Failed\",\"FailureReason\":\"OOM\","
	    "\"CreationTime\":1700000000.5,\"ResourceConfig\":{"
	    "\"InstanceGroups\":[{\"InstanceType\":\"ml.c5.xlarge\","
	    "\"InstanceCount\":2,\"InstanceGroupName\":\"data\"},"
	    "{\"InstanceType\":\"ml.p3.2xlarge\",\"InstanceCount\":1,"
	    "\"InstanceGroupName\":\"train\"}],\"VolumeSizeInGB\":30}}";
	const char *homo =
	    "{\"TrainingJobStatus\":\"InProgress\","
	    "\"ResourceConfig\":{\"InstanceType\":\"ml.m5.xlarge\","
	    "\"InstanceCount\":4}}";
	const char *huge = "{\"TrainingJobStatus\":\"Completed\","
			   "\"CreationTime\":1e300,"
			   "\"TrainingStartTime\":-1e300,"
			   "\"TrainingEndTime\":9223372036854775807}";
	struct sagemaker_job job;
	char *cause = NULL;

	UNIT_CHECK(
	    sagemaker_parse_job(hetero, strlen(hetero), &job, &cause) == 0,
	    "hetero job parses");
	UNIT_STREQ(job.status, "Failed", "status");
	UNIT_STREQ(job.failure_reason, "OOM", "failure reason");
	UNIT_CHECK(job.ngroups == 2 && job.hosts == 3, "2 groups, 3 hosts");
	UNIT_STREQ(job.groups[1].name, "train", "group name");
	UNIT_CHECK(job.created == 1700000000500LL, "CreationTime in ms");
	UNIT_CHECK(sagemaker_job_ended(&job), "Failed has ended");
	sagemaker_job_free(&job);
	UNIT_CHECK(sagemaker_parse_job(homo, strlen(homo), &job, &cause) == 0 &&
		job.ngroups == 1 && job.hosts == 4 &&
		job.groups[0].name == NULL,
	    "homogeneous job: one unnamed group of 4");
	UNIT_CHECK(!sagemaker_job_ended(&job), "InProgress has not ended");
	sagemaker_job_free(&job);
	UNIT_CHECK(sagemaker_parse_job("{\"a\":", 5, &job, &cause) == -1,
	    "truncated job is an error");
	free(cause);
	cause = NULL;
	UNIT_CHECK(sagemaker_parse_job("{}", 2, &job, &cause) == -1,
	    "a job without status is an error");
	free(cause);
	/* Found by fuzzing: times past any real one overflowed. */
	UNIT_CHECK(sagemaker_parse_job(huge, strlen(huge), &job, &cause) == 0 &&
		job.created == 0 && job.started == 0 && job.ended == 0,
	    "times out of range are unknown (0), not overflowed");
	sagemaker_job_free(&job);
}

/* Arrays where events belong must not be taken for events (a heap
 * overflow once a page's array was full). */
static void
test_events_hostile(void)
{
	struct cwlogs_page page;
	struct buf b = BUF_INIT;
	char *cause = NULL;
	int i, rc;

	buf_adds(&b, "{\"events\":[");
	for (i = 0; i < 256; i++)
		buf_adds(&b,
		    i == 0 ? "{\"timestamp\":1,\"message\":\"m\"}"
			   : ",{\"timestamp\":1,\"message\":\"m\"}");
	buf_adds(&b,
	    ",[\"x\"],[5],{\"timestamp\":2,\"message\":\"z\","
	    "\"a\":[\"q\",{\"message\":\"no\"}]}],"
	    "\"nextForwardToken\":\"f\"}");
	memset(&page, 0, sizeof page);
	rc = cwlogs_parse_events(b.data, b.len, &page, &cause);
	UNIT_CHECK(rc == 0 && page.n == 257, "arrays among events: %d %zu", rc,
	    page.n);
	if (rc == 0 && page.n == 257)
		UNIT_STREQ(cwlogs_str(&page, page.v[256].msg), "z",
		    "nested members do not overwrite the event");
	cwlogs_page_free(&page);
	buf_reset(&b);
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	UNIT_CHECK(cwlogs_parse_events(b.data, b.len, &page, &cause) == -1,
	    "deep nesting is an error, not a crash");
	free(cause);
	cause = NULL;
	buf_reset(&b);
	buf_adds(&b, "{\"logStreams\":");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	{
		struct cwlogs_stream *v;
		size_t n;
		char *next;

		UNIT_CHECK(cwlogs_parse_streams(
			       b.data, b.len, &v, &n, &next, &cause) == -1,
		    "deeply nested stream list is refused");
	}
	free(cause);
	cwlogs_page_free(&page);
	buf_free(&b);
}

/* ListTrainingJobs: the request, and pages good and bad. */
static void
test_list(void)
{
	const char *page =
	    "{\"TrainingJobSummaries\":[{\"TrainingJobName\":\"a\","
	    "\"TrainingJobStatus\":\"Failed\",\"CreationTime\":1700000000.25},"
	    "{\"TrainingJobStatus\":\"Completed\"},7,"
	    "{\"TrainingJobName\":\"b\"}],\"NextToken\":\"tok\"}";
	struct sagemaker_list l;
	char *body, *cause = NULL;

	body = sagemaker_list_body("pt\"x", "Failed", "t1");
	UNIT_STREQ(body,
	    "{\"SortBy\":\"CreationTime\",\"SortOrder\":\"Descending\","
	    "\"MaxResults\":100,\"NameContains\":\"pt\\\"x\","
	    "\"StatusEquals\":\"Failed\",\"NextToken\":\"t1\"}",
	    "ListTrainingJobs body");
	free(body);
	body = sagemaker_list_body(NULL, NULL, NULL);
	UNIT_STREQ(body,
	    "{\"SortBy\":\"CreationTime\",\"SortOrder\":\"Descending\","
	    "\"MaxResults\":100}",
	    "ListTrainingJobs body, no filter");
	free(body);
	UNIT_CHECK(sagemaker_parse_list(page, strlen(page), &l, &cause) == 0 &&
		l.n == 2 && strcmp(l.v[0].name, "a") == 0 &&
		strcmp(l.v[0].status, "Failed") == 0 &&
		l.v[0].created == 1700000000250LL &&
		strcmp(l.v[1].name, "b") == 0 && l.v[1].status == NULL &&
		l.next != NULL && strcmp(l.next, "tok") == 0,
	    "a page: jobs without a name skipped, the token kept");
	sagemaker_list_free(&l);
	UNIT_CHECK(sagemaker_parse_list("{}", 2, &l, &cause) == -1 &&
		strstr(cause, "no TrainingJobSummaries") != NULL,
	    "no summaries: %s", cause);
	free(cause);
	cause = NULL;
	UNIT_CHECK(sagemaker_parse_list("{\"Train", 7, &l, &cause) == -1 &&
		strstr(cause, "malformed ListTrainingJobs") != NULL,
	    "truncated: %s", cause);
	free(cause);
}

int
main(void)
{
	test_list();
	test_events_hostile();
	test_bodies();
	test_events();
	test_streams();
	test_job();
	return (unit_done("api"));
}
