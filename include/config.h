/*
 * config: the AWS settings AWS CLI users already have. It reads the
 * environment and the shared config and credentials files once, and
 * answers: which profile, which region, which endpoint for a service,
 * which CA bundle, and any key of a profile.
 *
 * Precedence (as the AWS CLI): command line, then environment, then the
 * profile ([profile NAME] in the config file, [NAME] in the credentials
 * file; keys in the credentials file win), then defaults.
 *
 * Ownership: struct config owns every string it returns; they live until
 * config_free(). config_endpoint() returns a string the caller frees.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "buf.h"

enum config_service {
	SERVICE_LOGS, /* CloudWatch Logs: signing name "logs" */
	SERVICE_SAGEMAKER, /* SageMaker: signing name "sagemaker" */
	SERVICE_STS, /* STS, for assumed roles: "sts" */
};

/* What the command line says; NULL when not given. */
struct config_options {
	const char *profile; /* --profile */
	const char *region; /* --region */
	const char *endpoint_url; /* --endpoint-url: logs and sagemaker */
};

struct config;

/*
 * Read the environment and the files. Fails (cause names the file or the
 * profile) when a file named by AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
 * cannot be read, or when a profile chosen with --profile or AWS_PROFILE
 * exists in neither file. Missing default files are not an error.
 */
struct config *config_load(const struct config_options *, char **cause);
void config_free(struct config *);

/* The profile in use ("default" when none was chosen). */
const char *config_profile(const struct config *);
/* Nonzero when --profile chose it (then environment keys are skipped). */
int config_profile_from_cli(const struct config *);
/* A key of the profile in use, or of another profile (source_profile). */
const char *config_get(const struct config *, const char *key);
const char *
config_get_profile(const struct config *, const char *profile, const char *key);
/* Nonzero when the profile exists in either file. */
int config_has_profile(const struct config *, const char *profile);

/*
 * The region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * region. -1 with a cause that says where it looked when none is set.
 */
int config_region(const struct config *, const char **region, char **cause);

/*
 * The endpoint URL for a service, without a trailing slash: --endpoint-url
 * (logs and sagemaker only), AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * the profile's [services] section, the profile's endpoint_url, else the
 * service's default host for the region and its partition. All but the
 * default but --endpoint-url are ignored when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (as AWS documents).
 * Plain http:// is accepted only for loopback hosts. -1 with cause.
 */
int config_endpoint(
    const struct config *, enum config_service, char **url, char **cause);

/*
 * The endpoint of a service's streaming operations (StartLiveTail): the
 * default host with AWS's "stream-" prefix (stream-logs.REGION.SUFFIX);
 * a configured endpoint URL, as config_endpoint() finds it, as given.
 */
int config_stream_endpoint(
    const struct config *, enum config_service, char **url, char **cause);

/* The signing name of a service ("logs", "sagemaker", "sts"). */
const char *config_signing_name(enum config_service);

/*
 * AWS_MAX_ATTEMPTS or the profile's max_attempts (1-100): the most
 * attempts of one call; 0 when not set (or not a number in range).
 */
int config_max_attempts(const struct config *);

/* AWS_CA_BUNDLE or the profile's ca_bundle, or NULL. */
const char *config_ca_bundle(const struct config *);

/*
 * Additions for the credential chain and for request code.
 */

/* The two shared files. */
enum config_file {
	CONFIG_FILE_CONFIG, /* AWS_CONFIG_FILE, ~/.aws/config */
	CONFIG_FILE_CREDENTIALS, /* AWS_SHARED_CREDENTIALS_FILE */
};

/* A key of a profile as one of the files has it, or NULL. */
const char *config_get_file(const struct config *, enum config_file,
    const char *profile, const char *key);
/* The path of a file (it may not exist), or NULL when HOME is unset. */
const char *config_file_path(const struct config *, enum config_file);

/*
 * An http or https URL split for a request. config_url_parse() fills every
 * member with a new string (free them with config_url_free()); -1 with a
 * cause when the URL has no host, another scheme, user info or a bad port.
 */
struct config_url {
	char *scheme; /* "http" or "https", lower-case */
	char *host; /* host name or address, IPv6 without brackets */
	char *authority; /* host[:port] as written: the Host header */
	char *path; /* the rest, from the first '/', '?' or '#'; "" if none */
};
int config_url_parse(const char *url, struct config_url *, char **cause);
void config_url_free(struct config_url *);
/* Nonzero for localhost, 127.0.0.0/8 and ::1. */
int config_host_is_loopback(const char *host);

/* A setting's "true", as the AWS CLI reads it (any case). */
int config_is_true(const char *);
/* An environment variable's value, NULL when unset or empty. */
const char *config_getenv(const char *name);
/*
 * Append a token file that a setting names (a web identity token, a
 * container authorization token), at most max bytes, without its final
 * line ends; -1 with a cause that starts with what and the path.
 */
int config_read_token(
    const char *path, const char *what, size_t max, struct buf *, char **cause);

#endif
