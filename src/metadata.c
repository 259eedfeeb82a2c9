/*
 * The credentials of the machine cwdemux runs on: the ECS / EKS container
 * endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with its
 * authorization token) and EC2 instance metadata, IMDSv2 only (a session
 * token, the role name, then the role's credentials). Both answer JSON,
 * which the chain reads. A FULL_URI may only name a loopback or the
 * container agent's addresses, as botocore allows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "http.h"
#include "metadata.h"
#include "xmalloc.h"

#define METADATA_CONTAINER_CONNECT_MS 2000
#define METADATA_CONTAINER_TIMEOUT_MS 4000

#define CONTAINER_BASE "http://169.254.170.2"
#define IMDS_BASE "http://169.254.169.254"
#define IMDS_BASE_IPV6 "http://[fd00:ec2::254]"
#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"

/* A setting of the chosen profile, NULL when unset or empty. */
static const char *
profile_value(const struct config *cfg, const char *key)
{
	const char *v = config_get_profile(cfg, config_profile(cfg), key);

	return (v == NULL || *v == '\0' ? NULL : v);
}

static int
container_host_allowed(const char *host)
{
	return (config_host_is_loopback(host) ||
	    strcmp(host, "169.254.170.2") == 0 ||
	    strcmp(host, "169.254.170.23") == 0 ||
	    strcasecmp(host, "fd00:ec2::23") == 0);
}

/* The container endpoint's URL, or NULL (and *cause) when refused. */
static char *
container_url(const char *rel, const char *full, char **cause)
{
	struct config_url u;
	char *url, *why;

	if (rel != NULL) {
		xasprintf(&url, "%s%s", CONTAINER_BASE, rel);
		return (url);
	}
	if (config_url_parse(full, &u, &why) == -1) {
		xasprintf(cause, "AWS_CONTAINER_CREDENTIALS_FULL_URI: %s", why);
		free(why);
		return (NULL);
	}
	if (!container_host_allowed(u.host)) {
		xasprintf(cause,
		    "AWS_CONTAINER_CREDENTIALS_FULL_URI: host %s is not "
		    "loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23",
		    u.host);
		config_url_free(&u);
		return (NULL);
	}
	config_url_free(&u);
	return (xstrdup(full));
}

/* The Authorization token: the token file first, as botocore reads. */
static int
container_auth(struct http_fetch_req *req, char **cause)
{
	const char *file =
	    config_getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token = config_getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct buf b = BUF_INIT;
	int r = 0;

	if (file != NULL) {
		if (config_read_token(file,
			"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
			METADATA_REPLY_MAX, &b, cause) == -1)
			return (-1);
		token = b.data != NULL ? b.data : "";
	}
	if (token != NULL && strpbrk(token, "\r\n") != NULL) {
		xasprintf(cause,
		    "the container authorization token has a line "
		    "break");
		r = -1;
	} else if (token != NULL)
		http_fetch_header(req, "Authorization", token);
	buf_wipe(&b);
	return (r);
}

int
metadata_container(const struct config *cfg, struct buf *reply, char **cause)
{
	const char *rel =
	    config_getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = config_getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct http_fetch_req req = {.method = "GET",
	    .connect_ms = METADATA_CONTAINER_CONNECT_MS,
	    .timeout_ms = METADATA_CONTAINER_TIMEOUT_MS,
	    .max = METADATA_REPLY_MAX,
	    .ca_bundle = config_ca_bundle(cfg)};
	char *url, *why;
	long status;
	int r = -1;

	if (rel == NULL && full == NULL)
		return (0);
	if ((url = container_url(rel, full, cause)) == NULL)
		return (-1);
	req.url = url;
	http_fetch_header(&req, "Accept", "application/json");
	if (container_auth(&req, cause) == -1)
		goto out;
	if (http_fetch(&req, &status, reply, &why) == -1) {
		xasprintf(cause, "container credentials: %s", why);
		free(why);
	} else if (status != 200)
		xasprintf(cause, "container credentials: %s answered HTTP %ld",
		    url, status);
	else
		r = 1;
out:
	http_fetch_clear(&req);
	free(url);
	return (r);
}

/* The instance metadata base URL, without a trailing slash. */
static char *
imds_base(const struct config *cfg)
{
	const char *v = config_getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode =
	    config_getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	size_t len;

	if (v == NULL)
		v = profile_value(cfg, "ec2_metadata_service_endpoint");
	if (mode == NULL)
		mode = profile_value(cfg, "ec2_metadata_service_endpoint_mode");
	if (v == NULL)
		v = mode != NULL && strcasecmp(mode, "IPv6") == 0
		    ? IMDS_BASE_IPV6
		    : IMDS_BASE;
	len = strlen(v);
	while (len > 0 && v[len - 1] == '/')
		len--;
	return (xstrndup(v, len));
}

/* AWS_METADATA_SERVICE_TIMEOUT (seconds, default 1) in milliseconds. */
static int
imds_timeout(const struct config *cfg, long *ms, char **cause)
{
	const char *v = config_getenv("AWS_METADATA_SERVICE_TIMEOUT");
	char *end;
	double s;

	if (v == NULL)
		v = profile_value(cfg, "metadata_service_timeout");
	if (v == NULL) {
		*ms = 1000;
		return (0);
	}
	errno = 0;
	s = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !(s > 0 && s <= 60)) {
		xasprintf(cause,
		    "metadata service timeout \"%s\" is not a number of "
		    "seconds from 0 to 60",
		    v);
		return (-1);
	}
	*ms = (long)(s * 1000);
	return (0);
}

/* One IMDS request; -1 (with a note) when it got no 200 answer. */
static int
imds_request(struct http_fetch_req *req, struct buf *reply, char **note)
{
	char *why;
	long status;

	if (http_fetch(req, &status, reply, &why) == -1) {
		free(*note);
		*note = why;
		return (-1);
	}
	if (status != 200) {
		free(*note);
		xasprintf(note, "%s %s answered HTTP %ld%s", req->method,
		    req->url, status,
		    status == 404 && strstr(req->url, IMDS_ROLE_PATH) != NULL
			? " (no IAM role attached to the instance?)"
			: "");
		return (-1);
	}
	return (0);
}

/* The first role name the listing gives, if it is a plausible one. */
static char *
imds_role(const struct buf *listing, char **note)
{
	size_t len =
	    strcspn(listing->data != NULL ? listing->data : "", "\r\n");

	if (len == 0 || len > 128 ||
	    strspn(listing->data,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789+=,.@_-") < len) {
		free(*note);
		*note = xstrdup("the instance metadata role name is empty or "
				"not a role name");
		return (NULL);
	}
	return (xstrndup(listing->data, len));
}

/* Token, role name, credentials: three IMDSv2 requests. */
static int
imds_fetch(struct http_fetch_req *req, const char *base, struct buf *reply,
    char **note)
{
	struct buf token = BUF_INIT, list = BUF_INIT;
	char *url, *role = NULL;
	int r = 0;

	xasprintf(&url, "%s%s", base, IMDS_TOKEN_PATH);
	req->url = url;
	http_fetch_header(req, "X-aws-ec2-metadata-token-ttl-seconds", "21600");
	if (imds_request(req, &token, note) == -1)
		goto out;
	if (!http_header_token_ok(token.data)) {
		free(*note);
		*note = xstrdup("the session token is empty or malformed");
		goto out;
	}
	http_fetch_clear(req);
	http_fetch_header(req, "X-aws-ec2-metadata-token", token.data);
	req->method = "GET";
	free(url);
	xasprintf(&url, "%s%s", base, IMDS_ROLE_PATH);
	req->url = url;
	if (imds_request(req, &list, note) == -1 ||
	    (role = imds_role(&list, note)) == NULL)
		goto out;
	free(url);
	xasprintf(&url, "%s%s%s", base, IMDS_ROLE_PATH, role);
	req->url = url;
	if (imds_request(req, reply, note) == 0)
		r = 1;
out:
	buf_wipe(&token);
	buf_free(&list);
	free(role);
	free(url);
	return (r);
}

int
metadata_imds(
    const struct config *cfg, struct buf *reply, char **note, char **cause)
{
	struct http_fetch_req req = {.method = "PUT",
	    .max = METADATA_REPLY_MAX,
	    .ca_bundle = config_ca_bundle(cfg)};
	char *base;
	int r;

	if (config_is_true(config_getenv("AWS_EC2_METADATA_DISABLED"))) {
		free(*note);
		*note = xstrdup("disabled by AWS_EC2_METADATA_DISABLED");
		return (0);
	}
	if (imds_timeout(cfg, &req.timeout_ms, cause) == -1)
		return (-1);
	req.connect_ms = req.timeout_ms;
	base = imds_base(cfg);
	r = imds_fetch(&req, base, reply, note);
	http_fetch_clear(&req);
	free(base);
	return (r);
}
