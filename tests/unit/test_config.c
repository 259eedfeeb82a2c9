/*
 * Table tests of the AWS configuration: parsing the shared files (as the
 * AWS CLI's configparser reads them), choosing the profile, the region
 * chain, the endpoint chain for each source and each partition, and URL
 * checks. Every case writes its files into a private temporary directory
 * and sets the environment it needs, starting from a clean one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char dir[] = "/tmp/cwdemux-test-config.XXXXXX";
static char conf_path[256], cred_path[256];

static const char *const aws_vars[] = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION",
    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CA_BUNDLE"};

static void
env_clean(void)
{
	size_t i;

	for (i = 0; i < sizeof aws_vars / sizeof aws_vars[0]; i++)
		unsetenv(aws_vars[i]);
	setenv("HOME", dir, 1);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f;

	if (text == NULL) {
		unlink(path);
		return;
	}
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

/* Write the files given, point the environment at them and load. */
static struct config *
load(const char *conf, const char *cred, const char *profile, char **cause)
{
	struct config_options opt = {.profile = profile};

	write_file(conf_path, conf);
	write_file(cred_path, cred);
	if (conf != NULL)
		setenv("AWS_CONFIG_FILE", conf_path, 1);
	if (cred != NULL)
		setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	*cause = NULL;
	return (config_load(&opt, cause));
}

/* "want" is the value, "(null)" for none, or "error: TEXT" to find. */
static void
check_load(const char *name, struct config *cfg, char *cause, const char *got,
    const char *want)
{
	if (strncmp(want, "error: ", 7) == 0) {
		UNIT_CHECK(cfg == NULL && cause != NULL &&
			strstr(cause, want + 7) != NULL,
		    "%s: want error [%s], got [%s]", name, want + 7,
		    cause != NULL ? cause : "no error");
	} else if (cfg == NULL)
		UNIT_CHECK(0, "%s: unexpected error [%s]", name, cause);
	else
		UNIT_STREQ(got != NULL ? got : "(null)", want, name);
	free(cause);
}

static void
test_ini(void)
{
	static const struct {
		const char *name, *conf, *cred, *profile, *key, *want;
	} t[] = {
	    {"default section", "[default]\nregion = eu-west-1\n", NULL,
		"default", "region", "eu-west-1"},
	    {"profile section", "[profile dev]\nregion=us-east-2\n", NULL,
		"dev", "region", "us-east-2"},
	    {"profile default", "[profile default]\nregion = a1\n", NULL,
		"default", "region", "a1"},
	    {"later default wins",
		"[default]\nregion=a\n[profile default]\n"
		"region=b\n",
		NULL, "default", "region", "b"},
	    {"plain name in config is no profile", "[dev]\nregion = x\n", NULL,
		"dev", "region", "(null)"},
	    {"credentials file names profiles plainly", NULL,
		"[dev]\naws_access_key_id = AKIA1\n", "dev",
		"aws_access_key_id", "AKIA1"},
	    {"credentials file wins", "[profile dev]\nregion = from-config\n",
		"[dev]\nregion = from-credentials\n", "dev", "region",
		"from-credentials"},
	    {"config file fills the rest", "[profile dev]\noutput = json\n",
		"[dev]\nregion = r\n", "dev", "output", "json"},
	    {"comments and blanks",
		"# top\n; semi\n\n[default]\n  # indented\n\tregion = r1\n"
		"; after\n",
		NULL, "default", "region", "r1"},
	    {"inline # is part of the value", "[default]\nregion = r # c\n",
		NULL, "default", "region", "r # c"},
	    {"colon separates", "[default]\nregion: r2\n", NULL, "default",
		"region", "r2"},
	    {"first separator wins", "[default]\nx = a:b=c\n", NULL, "default",
		"x", "a:b=c"},
	    {"keys are lower-cased", "[default]\nRegion = r3\n", NULL,
		"default", "region", "r3"},
	    {"section names keep case", "[profile Dev]\nregion = r\n", NULL,
		"dev", "region", "(null)"},
	    {"blanks around", "[default]\n   region   =   r4   \n", NULL,
		"default", "region", "r4"},
	    {"empty value", "[default]\nregion =\n", NULL, "default", "region",
		""},
	    {"continuation line", "[default]\nx = a\n  b\n", NULL, "default",
		"x", "a\nb"},
	    {"CRLF lines", "[default]\r\nregion = r5\r\n", NULL, "default",
		"region", "r5"},
	    {"quoted profile", "[profile \"my dev\"]\nregion = r6\n", NULL,
		"my dev", "region", "r6"},
	    {"two words is no profile", "[profile a b]\nregion = r\n", NULL,
		"default", "region", "(null)"},
	    {"header with a comment", "[profile c] ; note\nregion = r7\n", NULL,
		"c", "region", "r7"},
	    {"nested block then key",
		"[default]\ns3 =\n  max_concurrent_requests = 2\nregion = r8\n",
		NULL, "default", "region", "r8"},
	    {"malformed line", "[default]\nregion = r\nthis is not a key\n",
		NULL, "default", "region",
		"error: line 3: expected KEY = VALUE or [SECTION]"},
	    {"key before any section", "region = r\n", NULL, "default",
		"region", "error: line 1: a key before any [section]"},
	    {"repeated key", "[default]\nregion = a\n\nregion = b\n", NULL,
		"default", "region",
		"error: line 4: key region appears twice in [default]"},
	    {"repeated key, other case", "[default]\nregion = a\nREGION = b\n",
		NULL, "default", "region", "error: line 3: key region appears"},
	    {"repeated section", "[default]\n[profile x]\n[default]\n", NULL,
		"default", "region",
		"error: line 3: section [default] appears twice"},
	    {"unclosed section", "[default\nregion = r\n", NULL, "default",
		"region", "error: line 1: no ] closes the section name"},
	    {"empty section", "[]\n", NULL, "default", "region",
		"error: line 1: empty section name []"},
	    {"no key", "[default]\n = r\n", NULL, "default", "region",
		"error: line 2: no key before the '='"},
	    {"nested line without =",
		"[services s]\nsts =\n  endpoint_url = http://127.0.0.1:1\n"
		"  oops\n",
		NULL, "default", "region",
		"error: line 4: expected NAME = VALUE under sts"},
	    {"credentials file error names it", NULL, "[dev]\nbad\n", "dev",
		"region", "error: credentials file "},
	    {"config file error names it", "bad\n", NULL, "default", "region",
		"error: config file "},
	};
	struct config *cfg;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		env_clean();
		cfg = load(t[i].conf, t[i].cred, NULL, &cause);
		check_load(t[i].name, cfg, cause,
		    cfg != NULL
			? config_get_profile(cfg, t[i].profile, t[i].key)
			: NULL,
		    t[i].want);
		config_free(cfg);
	}
}

/* The files a malformed line is reported in carry the path and line. */
static void
test_ini_location(void)
{
	struct config *cfg;
	char *cause, *want;

	env_clean();
	cfg = load("[default]\nregion = r\n[profile x]\n  [oops\n", NULL, NULL,
	    &cause);
	UNIT_CHECK(cfg == NULL, "indented junk under a section is an error");
	if (asprintf(&want, "config file %s line 4: no ] closes", conf_path) ==
	    -1)
		abort();
	UNIT_CHECK(cause != NULL && strstr(cause, want) != NULL,
	    "location: got [%s], want [%s]", cause, want);
	free(want);
	free(cause);
}

static void
test_files(void)
{
	struct config_options opt = {NULL, NULL, NULL};
	struct config *cfg;
	char *cause = NULL, path[300];

	/* A named file that does not exist is empty, as botocore reads it. */
	env_clean();
	snprintf(path, sizeof path, "%s/nowhere", dir);
	setenv("AWS_CONFIG_FILE", path, 1);
	cfg = config_load(&opt, &cause);
	UNIT_CHECK(cfg != NULL && cause == NULL,
	    "missing AWS_CONFIG_FILE is empty: [%s]", cause ? cause : "");
	UNIT_CHECK(cfg == NULL || config_get(cfg, "region") == NULL,
	    "missing AWS_CONFIG_FILE: no settings");
	config_free(cfg);
	free(cause);

	/* Default files may be missing; HOME decides where they are. */
	env_clean();
	cause = NULL;
	cfg = config_load(&opt, &cause);
	UNIT_CHECK(cfg != NULL, "missing default files: [%s]", cause);
	snprintf(path, sizeof path, "%s/.aws/config", dir);
	if (cfg != NULL) {
		UNIT_STREQ(config_file_path(cfg, CONFIG_FILE_CONFIG), path,
		    "default config path");
		UNIT_STREQ(config_profile(cfg), "default", "default profile");
		UNIT_CHECK(!config_profile_from_cli(cfg), "not from cli");
	}
	config_free(cfg);

	/* ~/ in the variables is the home directory. */
	env_clean();
	write_file(conf_path, "[default]\nregion = tilde-1\n");
	setenv("AWS_CONFIG_FILE", "~/config", 1);
	cfg = config_load(&opt, &cause);
	UNIT_STREQ(cfg != NULL ? config_get(cfg, "region") : NULL, "tilde-1",
	    "~/ expanded");
	config_free(cfg);

	/* A file that is a directory is empty too, as for botocore. */
	env_clean();
	setenv("AWS_SHARED_CREDENTIALS_FILE", dir, 1);
	cause = NULL;
	cfg = config_load(&opt, &cause);
	UNIT_CHECK(cfg != NULL && cause == NULL,
	    "directory as credentials file is empty: [%s]", cause ? cause : "");
	config_free(cfg);
	free(cause);
}

static void
test_profile_choice(void)
{
	static const struct {
		const char *name, *cli, *aws_profile, *default_profile;
		const char *want; /* or "error: ..." */
		int from_cli;
	} t[] = {
	    {"nothing chosen", NULL, NULL, NULL, "default", 0},
	    {"--profile", "dev", "prod", "x", "dev", 1},
	    {"AWS_PROFILE", NULL, "prod", "dev", "prod", 0},
	    {"AWS_DEFAULT_PROFILE", NULL, NULL, "dev", "dev", 0},
	    {"empty AWS_PROFILE is unset", NULL, "", "dev", "dev", 0},
	    {"missing --profile", "nope", NULL, NULL,
		"error: --profile nope: no such profile in ", 1},
	    {"missing AWS_PROFILE", NULL, "nope", NULL,
		"error: AWS_PROFILE nope: no such profile", 0},
	    {"missing default is fine", "default", NULL, NULL, "default", 1},
	    {"profile only in credentials", "credonly", NULL, NULL, "credonly",
		1},
	    {"profile with no keys exists", "empty", NULL, NULL, "empty", 1},
	};
	struct config *cfg;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		env_clean();
		if (t[i].aws_profile != NULL)
			setenv("AWS_PROFILE", t[i].aws_profile, 1);
		if (t[i].default_profile != NULL)
			setenv("AWS_DEFAULT_PROFILE", t[i].default_profile, 1);
		cfg = load("[profile dev]\n[profile prod]\n[profile empty]\n",
		    "[credonly]\naws_access_key_id = A\n", t[i].cli, &cause);
		check_load(t[i].name, cfg, cause,
		    cfg != NULL ? config_profile(cfg) : NULL, t[i].want);
		if (cfg != NULL)
			UNIT_CHECK(
			    config_profile_from_cli(cfg) == t[i].from_cli,
			    "%s: from cli", t[i].name);
		config_free(cfg);
	}
}

static void
test_region(void)
{
	static const struct {
		const char *name, *opt, *env, *env_default, *profile_region;
		const char *want; /* or "error: ..." */
	} t[] = {
	    {"--region first", "eu-west-1", "us-east-1", "us-east-2",
		"ap-south-1", "eu-west-1"},
	    {"AWS_REGION", NULL, "us-east-1", "us-east-2", "ap-south-1",
		"us-east-1"},
	    {"AWS_DEFAULT_REGION", NULL, NULL, "us-east-2", "ap-south-1",
		"us-east-2"},
	    {"profile region", NULL, NULL, NULL, "ap-south-1", "ap-south-1"},
	    {"empty AWS_REGION is unset", NULL, "", NULL, "ap-south-1",
		"ap-south-1"},
	    {"none", NULL, NULL, NULL, NULL,
		"error: no AWS region: use --region, set AWS_REGION or "
		"AWS_DEFAULT_REGION, or set region in profile default"},
	    {"bad --region", "us east 1", NULL, NULL, NULL,
		"error: --region: \"us east 1\" is not a region name"},
	    {"bad env region", NULL, "us-east-1/x", NULL, NULL,
		"error: AWS_REGION: \"us-east-1/x\" is not a region name"},
	    {"bad profile region", NULL, NULL, NULL, "us_east_1",
		"error: region of profile default: \"us_east_1\" is not"},
	};
	struct config_options opt = {NULL, NULL, NULL};
	struct config *cfg;
	const char *region;
	char *cause, conf[128];
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		env_clean();
		if (t[i].env != NULL)
			setenv("AWS_REGION", t[i].env, 1);
		if (t[i].env_default != NULL)
			setenv("AWS_DEFAULT_REGION", t[i].env_default, 1);
		snprintf(conf, sizeof conf, "[default]\n%s%s\n",
		    t[i].profile_region != NULL ? "region = " : "",
		    t[i].profile_region != NULL ? t[i].profile_region : "");
		write_file(conf_path, conf);
		setenv("AWS_CONFIG_FILE", conf_path, 1);
		opt.region = t[i].opt;
		cause = NULL;
		if ((cfg = config_load(&opt, &cause)) == NULL) {
			UNIT_CHECK(0, "%s: load: %s", t[i].name, cause);
			free(cause);
			continue;
		}
		region = NULL;
		r = config_region(cfg, &region, &cause);
		if (strncmp(t[i].want, "error: ", 7) == 0)
			UNIT_CHECK(r == -1 && strstr(cause, t[i].want + 7),
			    "%s: got [%s]", t[i].name,
			    r == -1 ? cause : region);
		else
			UNIT_STREQ(
			    r == 0 ? region : cause, t[i].want, t[i].name);
		if (r == -1)
			free(cause);
		config_free(cfg);
	}
}

/* The endpoint chain, one source at a time. */
static void
test_endpoint_sources(void)
{
	static const char conf[] =
	    "[default]\nregion = us-west-2\nservices = local\n"
	    "endpoint_url = http://localhost:4000/\n"
	    "[profile noservices]\nregion = us-west-2\n"
	    "endpoint_url = https://profile.example.com\n"
	    "[profile bare]\nregion = eu-central-1\n"
	    "[profile ignoring]\nregion = us-west-2\n"
	    "ignore_configured_endpoint_urls = true\n"
	    "endpoint_url = http://127.0.0.1:9\n"
	    "[services local]\n"
	    "cloudwatch_logs =\n  endpoint_url = http://127.0.0.1:4001\n"
	    "sts =\n  region = ignored\n  endpoint_url = http://[::1]:4002/\n";
	static const struct {
		const char *name, *profile;
		enum config_service svc;
		const char *opt, *env_svc, *env_all, *ignore;
		const char *want;
	} t[] = {
	    {"--endpoint-url for logs", NULL, SERVICE_LOGS,
		"http://127.0.0.1:1", "http://127.0.0.1:2",
		"http://127.0.0.1:3", NULL, "http://127.0.0.1:1"},
	    {"--endpoint-url for sagemaker", NULL, SERVICE_SAGEMAKER,
		"https://sm.example", NULL, NULL, NULL, "https://sm.example"},
	    {"--endpoint-url not for sts", NULL, SERVICE_STS,
		"http://127.0.0.1:1", NULL, NULL, NULL, "http://[::1]:4002"},
	    {"service variable", NULL, SERVICE_LOGS, NULL, "http://127.0.0.1:2",
		"http://127.0.0.1:3", NULL, "http://127.0.0.1:2"},
	    {"service variable for sts", NULL, SERVICE_STS, NULL,
		"https://sts.example", "http://127.0.0.1:3", NULL,
		"https://sts.example"},
	    {"global variable", NULL, SERVICE_LOGS, NULL, NULL,
		"http://127.0.0.1:3/", NULL, "http://127.0.0.1:3"},
	    {"services section", NULL, SERVICE_LOGS, NULL, NULL, NULL, NULL,
		"http://127.0.0.1:4001"},
	    {"services section, ipv6", NULL, SERVICE_STS, NULL, NULL, NULL,
		NULL, "http://[::1]:4002"},
	    {"profile endpoint_url", NULL, SERVICE_SAGEMAKER, NULL, NULL, NULL,
		NULL, "http://localhost:4000"},
	    {"profile endpoint_url, no services", "noservices", SERVICE_LOGS,
		NULL, NULL, NULL, NULL, "https://profile.example.com"},
	    {"default host", "bare", SERVICE_LOGS, NULL, NULL, NULL, NULL,
		"https://logs.eu-central-1.amazonaws.com"},
	    {"ignored by variable", NULL, SERVICE_LOGS, NULL,
		"http://127.0.0.1:2", "http://127.0.0.1:3", "true",
		"https://logs.us-west-2.amazonaws.com"},
	    {"ignored by variable, any case", NULL, SERVICE_STS, NULL, NULL,
		NULL, "TRUE", "https://sts.us-west-2.amazonaws.com"},
	    {"not ignored by false", NULL, SERVICE_LOGS, NULL, NULL,
		"http://127.0.0.1:3", "false", "http://127.0.0.1:3"},
	    {"ignore keeps --endpoint-url", NULL, SERVICE_LOGS,
		"http://127.0.0.1:1", NULL, NULL, "true", "http://127.0.0.1:1"},
	    {"ignored by profile", "ignoring", SERVICE_LOGS, NULL, NULL,
		"http://127.0.0.1:3", NULL,
		"https://logs.us-west-2.amazonaws.com"},
	    {"bad service variable", NULL, SERVICE_SAGEMAKER, NULL,
		"http://example.com", NULL, NULL,
		"error: AWS_ENDPOINT_URL_SAGEMAKER: URL "
		"\"http://example.com\": "
		"plain http is allowed only to loopback hosts"},
	    {"bad --endpoint-url", NULL, SERVICE_LOGS, "ftp://127.0.0.1", NULL,
		NULL, NULL,
		"error: --endpoint-url: URL \"ftp://127.0.0.1\": the scheme "
		"must be http or https"},
	};
	struct config_options opt = {NULL, NULL, NULL};
	struct config *cfg;
	char *cause, *url;
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		env_clean();
		if (t[i].env_svc != NULL)
			setenv(t[i].svc == SERVICE_LOGS
				? "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"
				: t[i].svc == SERVICE_STS
				? "AWS_ENDPOINT_URL_STS"
				: "AWS_ENDPOINT_URL_SAGEMAKER",
			    t[i].env_svc, 1);
		if (t[i].env_all != NULL)
			setenv("AWS_ENDPOINT_URL", t[i].env_all, 1);
		if (t[i].ignore != NULL)
			setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
			    t[i].ignore, 1);
		write_file(conf_path, conf);
		setenv("AWS_CONFIG_FILE", conf_path, 1);
		opt.profile = t[i].profile;
		opt.endpoint_url = t[i].opt;
		cause = NULL;
		if ((cfg = config_load(&opt, &cause)) == NULL) {
			UNIT_CHECK(0, "%s: load: %s", t[i].name, cause);
			free(cause);
			continue;
		}
		url = NULL;
		r = config_endpoint(cfg, t[i].svc, &url, &cause);
		if (strncmp(t[i].want, "error: ", 7) == 0) {
			UNIT_CHECK(r == -1 && strstr(cause, t[i].want + 7),
			    "%s: got [%s]", t[i].name, r == -1 ? cause : url);
			if (r == -1)
				free(cause);
		} else {
			UNIT_STREQ(r == 0 ? url : cause, t[i].want, t[i].name);
			free(r == 0 ? url : cause);
		}
		config_free(cfg);
	}
}

/* Default hosts in every partition. */
static void
test_endpoint_partitions(void)
{
	static const struct {
		const char *region;
		enum config_service svc;
		const char *want;
	} t[] = {
	    {"us-east-1", SERVICE_LOGS, "https://logs.us-east-1.amazonaws.com"},
	    {"us-east-1", SERVICE_SAGEMAKER,
		"https://api.sagemaker.us-east-1.amazonaws.com"},
	    {"us-east-1", SERVICE_STS, "https://sts.us-east-1.amazonaws.com"},
	    {"us-gov-west-1", SERVICE_LOGS,
		"https://logs.us-gov-west-1.amazonaws.com"},
	    {"cn-north-1", SERVICE_LOGS,
		"https://logs.cn-north-1.amazonaws.com.cn"},
	    {"cn-northwest-1", SERVICE_SAGEMAKER,
		"https://api.sagemaker.cn-northwest-1.amazonaws.com.cn"},
	    {"us-iso-east-1", SERVICE_LOGS,
		"https://logs.us-iso-east-1.c2s.ic.gov"},
	    {"us-isob-east-1", SERVICE_STS,
		"https://sts.us-isob-east-1.sc2s.sgov.gov"},
	    {"eu-isoe-west-1", SERVICE_LOGS,
		"https://logs.eu-isoe-west-1.cloud.adc-e.uk"},
	    {"us-isof-south-1", SERVICE_SAGEMAKER,
		"https://api.sagemaker.us-isof-south-1.csp.hci.ic.gov"},
	    {"eusc-de-east-1", SERVICE_LOGS,
		"https://logs.eusc-de-east-1.amazonaws.eu"},
	    {"eu-west-1", SERVICE_STS, "https://sts.eu-west-1.amazonaws.com"},
	};
	struct config_options opt = {NULL, NULL, NULL};
	struct config *cfg;
	char *cause = NULL, *url;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		env_clean();
		opt.region = t[i].region;
		if ((cfg = config_load(&opt, &cause)) == NULL) {
			UNIT_CHECK(0, "%s: load: %s", t[i].region, cause);
			free(cause);
			continue;
		}
		if (config_endpoint(cfg, t[i].svc, &url, &cause) == 0) {
			UNIT_STREQ(url, t[i].want, t[i].want);
			free(url);
		} else {
			UNIT_CHECK(0, "%s: %s", t[i].want, cause);
			free(cause);
		}
		config_free(cfg);
	}
}

/* Endpoint URL checks, through AWS_ENDPOINT_URL. */
static void
test_endpoint_urls(void)
{
	static const struct {
		const char *url;
		const char *want; /* or "error: ..." */
	} t[] = {
	    {"http://127.0.0.1:5000", "http://127.0.0.1:5000"},
	    {"http://127.9.8.7", "http://127.9.8.7"},
	    {"http://localhost:4566/", "http://localhost:4566"},
	    {"http://LocalHost", "http://LocalHost"},
	    {"HTTP://[::1]:80///", "http://[::1]:80"},
	    {"https://example.com", "https://example.com"},
	    {"https://example.com/prefix/", "https://example.com/prefix"},
	    {"https://10.0.0.1:8443", "https://10.0.0.1:8443"},
	    {"http://example.com", "error: plain http is allowed only to"},
	    {"http://128.0.0.1", "error: plain http is allowed only to"},
	    {"http://10.0.0.1", "error: plain http is allowed only to"},
	    {"http://127.0.0.1.example.com", "error: plain http is allowed"},
	    {"http://localhost.example.com", "error: plain http is allowed"},
	    {"http://[::2]", "error: plain http is allowed"},
	    {"ftp://127.0.0.1", "error: the scheme must be http or https"},
	    {"127.0.0.1:5000", "error: it has no scheme://"},
	    {"https://", "error: it has no host"},
	    {"https:///path", "error: it has no host"},
	    {"https://user:pw@example.com",
		"error: user names in URLs are not supported"},
	    {"https://example.com:0", "error: the port is not a number"},
	    {"https://example.com:65536", "error: the port is not a number"},
	    {"https://example.com:", "error: the port is not a number"},
	    {"https://example.com:44x", "error: the port is not a number"},
	    {"https://exa mple.com", "error: spaces or control characters"},
	    {"https://ex%41mple.com", "error: characters a host cannot have"},
	    {"https://[::1", "error: no ] closes the IPv6 address"},
	    {"https://[nope]", "error: is not an IPv6 address"},
	    {"https://[::1]x", "error: unexpected text after the IPv6"},
	    {"https://example.com/?a=b", "error: query or a fragment"},
	    {"https://example.com#frag", "error: query or a fragment"},
	};
	struct config_options opt = {NULL, "us-east-1", NULL};
	struct config *cfg;
	char *cause = NULL, *url;
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		env_clean();
		setenv("AWS_ENDPOINT_URL", t[i].url, 1);
		if ((cfg = config_load(&opt, &cause)) == NULL) {
			UNIT_CHECK(0, "%s: load: %s", t[i].url, cause);
			free(cause);
			continue;
		}
		r = config_endpoint(cfg, SERVICE_LOGS, &url, &cause);
		if (strncmp(t[i].want, "error: ", 7) == 0) {
			UNIT_CHECK(r == -1 && strstr(cause, t[i].want + 7) &&
				strncmp(cause, "AWS_ENDPOINT_URL: ", 18) == 0,
			    "%s: got [%s]", t[i].url, r == -1 ? cause : url);
			free(r == -1 ? cause : url);
		} else {
			UNIT_STREQ(r == 0 ? url : cause, t[i].want, t[i].url);
			free(r == 0 ? url : cause);
		}
		config_free(cfg);
	}
}

static void
test_url_parse(void)
{
	static const struct {
		const char *url, *scheme, *host, *authority, *path;
	} t[] = {
	    {"https://sts.us-east-1.amazonaws.com", "https",
		"sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com",
		""},
	    {"http://127.0.0.1:5000/", "http", "127.0.0.1", "127.0.0.1:5000",
		"/"},
	    {"HTTPS://[fd00:ec2::23]:8080/v1/creds?x=1", "https",
		"fd00:ec2::23", "[fd00:ec2::23]:8080", "/v1/creds?x=1"},
	    {"http://localhost?q", "http", "localhost", "localhost", "?q"},
	};
	struct config_url u;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (config_url_parse(t[i].url, &u, &cause) == -1) {
			UNIT_CHECK(0, "%s: %s", t[i].url, cause);
			free(cause);
			continue;
		}
		UNIT_STREQ(u.scheme, t[i].scheme, t[i].url);
		UNIT_STREQ(u.host, t[i].host, t[i].url);
		UNIT_STREQ(u.authority, t[i].authority, t[i].url);
		UNIT_STREQ(u.path, t[i].path, t[i].url);
		config_url_free(&u);
	}
}

static void
test_loopback(void)
{
	static const struct {
		const char *host;
		int want;
	} t[] = {
	    {"127.0.0.1", 1},
	    {"127.255.255.254", 1},
	    {"localhost", 1},
	    {"LOCALHOST", 1},
	    {"::1", 1},
	    {"0:0:0:0:0:0:0:1", 1},
	    {"128.0.0.1", 0},
	    {"126.255.255.255", 0},
	    {"127.1", 0},
	    {"169.254.169.254", 0},
	    {"::2", 0},
	    {"localhost.", 0},
	    {"example.com", 0},
	    {"", 0},
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		UNIT_CHECK(config_host_is_loopback(t[i].host) == t[i].want,
		    "loopback %s: want %d", t[i].host, t[i].want);
}

static void
test_misc(void)
{
	struct config *cfg;
	char *cause;

	env_clean();
	cfg = load(
	    "[default]\nca_bundle = /etc/profile-ca.pem\n", NULL, NULL, &cause);
	UNIT_STREQ(cfg != NULL ? config_ca_bundle(cfg) : NULL,
	    "/etc/profile-ca.pem", "profile ca_bundle");
	config_free(cfg);

	env_clean();
	setenv("AWS_CA_BUNDLE", "/etc/env-ca.pem", 1);
	cfg = load(
	    "[default]\nca_bundle = /etc/profile-ca.pem\n", NULL, NULL, &cause);
	UNIT_STREQ(cfg != NULL ? config_ca_bundle(cfg) : NULL,
	    "/etc/env-ca.pem", "AWS_CA_BUNDLE first");
	config_free(cfg);

	env_clean();
	cfg = load("[default]\n", NULL, NULL, &cause);
	UNIT_CHECK(
	    cfg != NULL && config_ca_bundle(cfg) == NULL, "no CA bundle");
	config_free(cfg);

	/* The files' keys one at a time, for the credential chain. */
	env_clean();
	cfg = load("[profile d]\naws_access_key_id = CONF\n",
	    "[d]\naws_access_key_id = CRED\n", "d", &cause);
	UNIT_STREQ(cfg != NULL ? config_get_file(cfg, CONFIG_FILE_CONFIG, "d",
				     "aws_access_key_id")
			       : NULL,
	    "CONF", "config file key");
	UNIT_STREQ(cfg != NULL ? config_get_file(cfg, CONFIG_FILE_CREDENTIALS,
				     "d", "aws_access_key_id")
			       : NULL,
	    "CRED", "credentials file key");
	UNIT_STREQ(cfg != NULL ? config_get(cfg, "aws_access_key_id") : NULL,
	    "CRED", "config_get prefers the credentials file");
	UNIT_STREQ(
	    cfg != NULL ? config_file_path(cfg, CONFIG_FILE_CREDENTIALS) : NULL,
	    cred_path, "credentials path");
	config_free(cfg);

	UNIT_STREQ(config_signing_name(SERVICE_LOGS), "logs", "logs signing");
	UNIT_STREQ(config_signing_name(SERVICE_SAGEMAKER), "sagemaker",
	    "sagemaker signing");
	UNIT_STREQ(config_signing_name(SERVICE_STS), "sts", "sts signing");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(conf_path, sizeof conf_path, "%s/config", dir);
	snprintf(cred_path, sizeof cred_path, "%s/credentials", dir);
	test_ini();
	test_ini_location();
	test_files();
	test_profile_choice();
	test_region();
	test_endpoint_sources();
	test_endpoint_partitions();
	test_endpoint_urls();
	test_url_parse();
	test_loopback();
	test_misc();
	unlink(conf_path);
	unlink(cred_path);
	rmdir(dir);
	return (unit_done("config"));
}
