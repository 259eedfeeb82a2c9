/*
 * The StartLiveTail call as data: its endpoint (AWS's "stream-" host, or
 * a configured URL as given), its request body, the group ARN it needs
 * from DescribeLogGroups, and sessionUpdate payloads read as pages of
 * events with the sampled flag. The session driver itself runs against
 * the fault proxy's emulator in tests/integ/livetail.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "cwlogs.h"
#include "unit.h"

static void
test_endpoint(void)
{
	static const struct {
		const char *name, *region, *env, *opt, *want;
	} t[] = {
	    {"default", "us-east-1", NULL, NULL,
		"https://stream-logs.us-east-1.amazonaws.com"},
	    {"china", "cn-north-1", NULL, NULL,
		"https://stream-logs.cn-north-1.amazonaws.com.cn"},
	    {"service variable as given", "eu-west-1", "http://127.0.0.1:9",
		NULL, "http://127.0.0.1:9"},
	    {"--endpoint-url as given", "eu-west-1", NULL,
		"https://vpce-1.logs.eu-west-1.vpce.amazonaws.com",
		"https://vpce-1.logs.eu-west-1.vpce.amazonaws.com"},
	};
	struct config_options opt = {NULL, NULL, NULL};
	struct config *cfg;
	char *cause = NULL, *url = NULL;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		unsetenv("AWS_ENDPOINT_URL");
		unsetenv("AWS_PROFILE");
		setenv("AWS_CONFIG_FILE", "/dev/null", 1);
		setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
		setenv("AWS_REGION", t[i].region, 1);
		if (t[i].env != NULL)
			setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", t[i].env, 1);
		else
			unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
		opt.endpoint_url = t[i].opt;
		if ((cfg = config_load(&opt, &cause)) == NULL) {
			UNIT_CHECK(0, "%s: %s", t[i].name, cause);
			free(cause);
			continue;
		}
		if (config_stream_endpoint(cfg, SERVICE_LOGS, &url, &cause) !=
		    0) {
			UNIT_CHECK(0, "%s: %s", t[i].name, cause);
			free(cause);
		} else {
			UNIT_STREQ(url, t[i].want, t[i].name);
			free(url);
		}
		config_free(cfg);
	}
}

static void
test_bodies(void)
{
	char *b;

	b = cwlogs_live_tail_body(
	    "arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/TrainingJobs",
	    "job-\"1\"/", NULL);
	UNIT_STREQ(b,
	    "{\"logGroupIdentifiers\":[\"arn:aws:logs:us-east-1:1:log-group:"
	    "/aws/sagemaker/TrainingJobs\"],\"logStreamNamePrefixes\":"
	    "[\"job-\\\"1\\\"/\"]}",
	    "StartLiveTail body");
	free(b);
	b = cwlogs_live_tail_body("arn:g", "j/", "\"Out of memory\"");
	UNIT_STREQ(b,
	    "{\"logGroupIdentifiers\":[\"arn:g\"],\"logStreamNamePrefixes\":"
	    "[\"j/\"],\"logEventFilterPattern\":\"\\\"Out of memory\\\"\"}",
	    "StartLiveTail body, a filter pattern");
	free(b);
	b = cwlogs_describe_groups_body("/aws/sagemaker/TrainingJobs");
	UNIT_STREQ(b,
	    "{\"logGroupNamePrefix\":\"/aws/sagemaker/TrainingJobs\"}",
	    "DescribeLogGroups body");
	free(b);
}

static void
test_group_arn(void)
{
	static const struct {
		const char *name, *body, *want;
	} t[] = {
	    {"logGroupArn",
		"{\"logGroups\":[{\"logGroupName\":\"/g/x\",\"arn\":\"a:x:*\","
		"\"logGroupArn\":\"a:x\"},{\"logGroupName\":\"/g\",\"arn\":"
		"\"arn:aws:logs:r:1:log-group:/g:*\",\"logGroupArn\":"
		"\"arn:aws:logs:r:1:log-group:/g\"}]}",
		"arn:aws:logs:r:1:log-group:/g"},
	    {"arn without the :*",
		"{\"logGroups\":[{\"logGroupName\":\"/g\",\"arn\":"
		"\"arn:aws:logs:r:1:log-group:/g:*\"}]}",
		"arn:aws:logs:r:1:log-group:/g"},
	    {"a prefix is not the group",
		"{\"logGroups\":[{\"logGroupName\":\"/g/x\",\"logGroupArn\":"
		"\"a\"}]}",
		"error: log group /g not found"},
	    {"no ARN", "{\"logGroups\":[{\"logGroupName\":\"/g\"}]}",
		"error: log group /g not found"},
	    {"an ARN ending in *",
		"{\"logGroups\":[{\"logGroupName\":\"/g\",\"logGroupArn\":"
		"\"a:*:*\"}]}",
		"error: log group /g not found"},
	    {"not a list", "{\"logGroups\":{}}", "error: no logGroups list"},
	    {"truncated", "{\"logGroups\":[{", "error: malformed response"},
	};
	char *arn, *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		arn = cause = NULL;
		if (cwlogs_parse_group_arn(
			t[i].body, strlen(t[i].body), "/g", &arn, &cause) == 0)
			UNIT_STREQ(arn, t[i].want, t[i].name);
		else
			UNIT_CHECK(strncmp(t[i].want, "error: ", 7) == 0 &&
				strstr(cause, t[i].want + 7) != NULL,
			    "%s: [%s]", t[i].name, cause);
		free(arn);
		free(cause);
	}
}

static void
test_update(void)
{
	static const char sampled[] =
	    "{\"sessionMetadata\":{\"sampled\":true},\"sessionResults\":["
	    "{\"logStreamName\":\"j/algo-1\",\"logGroupIdentifier\":\"a\","
	    "\"message\":\"a\\u0000b\",\"timestamp\":17,\"ingestionTime\":18},"
	    "{\"logStreamName\":\"j/algo-2\",\"message\":\"x\","
	    "\"timestamp\":19,\"ingestionTime\":20}]}";
	static const char plain[] =
	    "{\"sessionResults\":[],\"sessionMetadata\":"
	    "{\"sampled\":false,\"other\":true}}";
	static const char nested[] =
	    "{\"sessionMetadata\":{\"x\":{\"sampled\":true}},"
	    "\"sessionResults\":[{\"message\":\"m\",\"timestamp\":1,"
	    "\"sampled\":true}]}";
	struct cwlogs_page p;
	char *cause = NULL;

	memset(&p, 0, sizeof p);
	UNIT_CHECK(
	    cwlogs_parse_events(sampled, sizeof sampled - 1, &p, &cause) == 0,
	    "sampled update parses: %s", cause ? cause : "");
	UNIT_CHECK(p.sampled == 1 && p.n == 2, "sampled %d, %zu events",
	    p.sampled, p.n);
	UNIT_MEMEQ(cwlogs_str(&p, p.v[0].msg), p.v[0].msg_len, "a\0b", 3,
	    "a NUL in a message is kept");
	UNIT_STREQ(cwlogs_str(&p, p.v[1].stream), "j/algo-2", "stream");
	UNIT_CHECK(p.v[1].timestamp == 19 && p.v[1].ingestion == 20,
	    "times %lld %lld", (long long)p.v[1].timestamp,
	    (long long)p.v[1].ingestion);
	UNIT_CHECK(
	    cwlogs_parse_events(plain, sizeof plain - 1, &p, &cause) == 0 &&
		p.sampled == 0 && p.n == 0,
	    "an empty update, not sampled: %d %zu", p.sampled, p.n);
	UNIT_CHECK(
	    cwlogs_parse_events(nested, sizeof nested - 1, &p, &cause) == 0 &&
		p.sampled == 0 && p.n == 1,
	    "only sessionMetadata.sampled counts: %d %zu", p.sampled, p.n);
	UNIT_CHECK(cwlogs_parse_events(sampled, 40, &p, &cause) == -1 &&
		p.n == 0 && p.sampled == 0,
	    "a cut update gives nothing");
	free(cause);
	cwlogs_page_free(&p);
}

int
main(void)
{
	test_endpoint();
	test_bodies();
	test_group_arn();
	test_update();
	return (unit_done("livetail"));
}
