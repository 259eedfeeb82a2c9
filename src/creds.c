/*
 * creds: the AWS CLI's credential chain. creds_get() runs the providers in
 * botocore's order until one has credentials; each answers "here they
 * are", "nothing configured here" or "configured but failed" (an error
 * that stops the chain, as in botocore). The top profile's providers are:
 * role_arn (STS AssumeRole, whose source credentials come from a
 * source_profile, recursively and with a loop check, or from a
 * credential_source), web identity (STS AssumeRoleWithWebIdentity), SSO
 * (refused), the credentials file's keys, login_session (refused),
 * credential_process, the config file's keys; then come the container
 * endpoint and EC2 instance metadata (IMDSv2).
 *
 * Every fetch is synchronous with short timeouts and a bounded reply, and
 * a fetched value that could not be sent in a header is refused. Secrets
 * never reach a message or the debug log; untrusted text that does (STS
 * errors, a process's stderr) is cut to one line and sanitized.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "creds.h"
#include "isotime.h"
#include "log.h"
#include "sanitize.h"
#include "sigv4.h"
#include "json.h"
#include "xmalloc.h"

#define CREDS_REFRESH_MARGIN 300 /* seconds before expiry */
#define CREDS_RETRY_AFTER 60 /* after a failed early refresh */
#define CREDS_REPLY_MAX (64 * 1024) /* any reply, output or file */
#define CREDS_STDERR_MAX 4096 /* kept of a process's stderr */
#define CREDS_SHOWN_MAX 200 /* bytes of untrusted text shown */
#define CREDS_PROCESS_TIMEOUT_MS 60000
#define CREDS_STS_CONNECT_MS 5000
#define CREDS_STS_TIMEOUT_MS 15000
#define CREDS_CONTAINER_CONNECT_MS 2000
#define CREDS_CONTAINER_TIMEOUT_MS 4000
#define CREDS_ROLE_DEPTH_MAX 16 /* profiles in a source_profile chain */

#define CONTAINER_BASE "http://169.254.170.2"
#define IMDS_BASE "http://169.254.169.254"
#define IMDS_BASE_IPV6 "http://[fd00:ec2::254]"
#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"

#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

#define SSO_ADVICE \
	"add `credential_process = aws configure export-credentials " \
	"--profile %s --format process` to a profile and use that one"

struct creds_chain {
	const struct config *cfg;
	struct creds cur;
	char *source; /* where cur came from */
	int have; /* cur holds credentials */
	int stale; /* creds_expire() was called */
	time_t retry_after; /* a failed early refresh waits until then */
};

/* What a provider found. */
enum got { GOT_CREDS, GOT_NOTHING, GOT_ERROR };

/* One run of the chain. */
struct fetch {
	const struct config *cfg;
	time_t now;
	char *source; /* the provider that answered last */
	char *imds_note; /* why instance metadata gave nothing */
	const char *visited[CREDS_ROLE_DEPTH_MAX]; /* source_profile chain */
	size_t nvisited;
};

/* An HTTP request of the chain: headers are "Name: value" lines. */
struct http_req {
	const char *method; /* "GET", "PUT" or "POST" */
	const char *url;
	char **headers;
	size_t nheaders;
	const char *body; /* POST only */
	long connect_ms;
	long timeout_ms;
};

static enum got
role_creds(struct fetch *, const char *profile, struct creds *, char **cause);
static enum got profile_creds(struct fetch *, const char *profile, int with_env,
    struct creds *, char **cause);

static void
creds_clear(struct creds *c)
{
	free(c->access_key_id);
	free(c->secret_access_key);
	free(c->session_token);
	memset(c, 0, sizeof *c);
}

static const char *
env_value(const char *name)
{
	const char *v = getenv(name);

	return (v == NULL || *v == '\0' ? NULL : v);
}

static int
is_true(const char *s)
{
	return (s != NULL && strcasecmp(s, "true") == 0);
}

static const char *
profile_value(const struct fetch *f, const char *profile, const char *key)
{
	const char *v = config_get_profile(f->cfg, profile, key);

	return (v == NULL || *v == '\0' ? NULL : v);
}

static const char *
file_value(const struct fetch *f, enum config_file file, const char *profile,
    const char *key)
{
	const char *v = config_get_file(f->cfg, file, profile, key);

	return (v == NULL || *v == '\0' ? NULL : v);
}

static void
set_source(struct fetch *f, const char *fmt, const char *arg)
{
	free(f->source);
	xasprintf(&f->source, fmt, arg);
}

/* Untrusted text made safe to show: its first line, cut short. */
static char *
shown(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	const char *nl;

	if ((nl = memchr(s, '\n', len)) != NULL)
		len = (size_t)(nl - s);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > CREDS_SHOWN_MAX)
		len = CREDS_SHOWN_MAX;
	sanitize_term(&b, s, len);
	return (buf_steal(&b));
}

/* A credential goes into a header: printable ASCII, no spaces. */
static int
cred_text_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (*s <= ' ' || *s >= 0x7f)
			return (0);
	}
	return (1);
}

static int
parse_expiration(const char *s, const char *who, time_t *t, char **cause)
{
	int64_t ms;
	size_t used;

	if (isotime_parse(s, strlen(s), &ms, &used) != 0 || used != strlen(s)) {
		xasprintf(cause,
		    "%s gave an Expiration that is not an ISO 8601 time", who);
		return (-1);
	}
	*t = (time_t)(ms / 1000);
	return (0);
}

/* Check and copy credentials; who names the provider for messages. */
static enum got
creds_fill(struct creds *c, const char *akid, const char *secret,
    const char *token, const char *expiration, const char *who, char **cause)
{
	const char *bad = NULL;
	time_t exp = 0;

	if (!cred_text_ok(akid))
		bad = "access key id";
	else if (!cred_text_ok(secret))
		bad = "secret access key";
	else if (token != NULL && *token != '\0' && !cred_text_ok(token))
		bad = "session token";
	if (bad != NULL) {
		xasprintf(cause,
		    "%s gave no usable %s (it is missing, empty or has "
		    "characters a key cannot have)",
		    who, bad);
		return (GOT_ERROR);
	}
	if (expiration != NULL &&
	    parse_expiration(expiration, who, &exp, cause) == -1)
		return (GOT_ERROR);
	creds_clear(c);
	c->access_key_id = xstrdup(akid);
	c->secret_access_key = xstrdup(secret);
	c->session_token =
	    token != NULL && *token != '\0' ? xstrdup(token) : NULL;
	c->expiration = exp;
	return (GOT_CREDS);
}

/* AWS_ACCESS_KEY_ID and friends. */
static enum got
env_creds(struct fetch *f, struct creds *c, char **cause)
{
	const char *akid = env_value("AWS_ACCESS_KEY_ID");
	const char *secret = env_value("AWS_SECRET_ACCESS_KEY");
	const char *token = env_value("AWS_SESSION_TOKEN");
	enum got r;

	if (akid == NULL && secret == NULL)
		return (GOT_NOTHING);
	if (akid == NULL || secret == NULL) {
		xasprintf(cause, "%s is set but %s is not",
		    akid != NULL ? "AWS_ACCESS_KEY_ID"
				 : "AWS_SECRET_ACCESS_KEY",
		    akid != NULL ? "AWS_SECRET_ACCESS_KEY"
				 : "AWS_ACCESS_KEY_ID");
		return (GOT_ERROR);
	}
	if (token == NULL)
		token = env_value("AWS_SECURITY_TOKEN");
	r = creds_fill(c, akid, secret, token,
	    env_value("AWS_CREDENTIAL_EXPIRATION"), "the environment", cause);
	if (r == GOT_CREDS)
		set_source(f, "%s", "environment");
	return (r);
}

/* The static keys of a profile in one of the files. */
static enum got
file_creds(struct fetch *f, const char *profile, enum config_file file,
    struct creds *c, char **cause)
{
	const char *akid, *secret, *token;
	char *who;
	enum got r;

	akid = file_value(f, file, profile, "aws_access_key_id");
	secret = file_value(f, file, profile, "aws_secret_access_key");
	token = file_value(f, file, profile, "aws_session_token");
	if (token == NULL)
		token = file_value(f, file, profile, "aws_security_token");
	if (akid == NULL && secret == NULL)
		return (GOT_NOTHING);
	xasprintf(
	    &who, "profile %s in %s", profile, config_file_path(f->cfg, file));
	if (akid == NULL || secret == NULL) {
		xasprintf(cause, "%s has %s but no %s", who,
		    akid != NULL ? "aws_access_key_id"
				 : "aws_secret_access_key",
		    akid != NULL ? "aws_secret_access_key"
				 : "aws_access_key_id");
		r = GOT_ERROR;
	} else
		r = creds_fill(c, akid, secret, token, NULL, who, cause);
	if (r == GOT_CREDS)
		set_source(f, "profile %s", profile);
	free(who);
	return (r);
}

static int
has_static_keys(const struct fetch *f, const char *profile)
{
	return (profile_value(f, profile, "aws_access_key_id") != NULL ||
	    profile_value(f, profile, "aws_secret_access_key") != NULL);
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Start "/bin/sh -c cmd" in its own process group, stdin /dev/null. */
static pid_t
process_start(const char *cmd, int *out_fd, int *err_fd, char **cause)
{
	int op[2], ep[2], null_fd;
	pid_t pid;

	if (pipe2(op, O_CLOEXEC) == -1)
		goto fail;
	if (pipe2(ep, O_CLOEXEC) == -1) {
		close(op[0]);
		close(op[1]);
		goto fail;
	}
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		if ((null_fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(null_fd, STDIN_FILENO);
		dup2(op[1], STDOUT_FILENO);
		dup2(ep[1], STDERR_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid != -1)
		setpgid(pid, pid); /* as the child does: no race with kill() */
	close(op[1]);
	close(ep[1]);
	if (pid == -1) {
		close(op[0]);
		close(ep[0]);
		goto fail;
	}
	*out_fd = op[0];
	*err_fd = ep[0];
	return (pid);
fail:
	xasprintf(cause, "cannot start /bin/sh: %s", strerror(errno));
	return (-1);
}

/* Read what fd has into b, keeping at most max bytes. 0 at end of file. */
static ssize_t
process_read(int fd, struct buf *b, size_t max, int *over)
{
	char chunk[4096];
	ssize_t n;

	n = read(fd, chunk, sizeof chunk);
	if (n > 0) {
		if (b->len + (size_t)n > max)
			*over = 1;
		else
			buf_add(b, chunk, (size_t)n);
	}
	return (n == -1 && errno == EINTR ? 1 : n);
}

/*
 * Collect stdout (at most CREDS_REPLY_MAX) and the start of stderr until
 * both end or the deadline passes. -1 with a reason on a timeout or an
 * oversized output.
 */
static int
process_collect(int fds[2], struct buf *out, struct buf *err, int64_t deadline,
    const char **why)
{
	struct pollfd pfd[2];
	int over = 0, dummy = 0, i, left;

	while (fds[0] != -1 || fds[1] != -1) {
		if ((left = (int)(deadline - monotonic_ms())) <= 0) {
			*why = "did not finish within 60 s";
			return (-1);
		}
		for (i = 0; i < 2; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, 2, left) == -1 && errno != EINTR) {
			*why = "could not be read";
			return (-1);
		}
		if (fds[0] != -1 && pfd[0].revents != 0 &&
		    process_read(fds[0], out, CREDS_REPLY_MAX, &over) <= 0) {
			close(fds[0]);
			fds[0] = -1;
		}
		if (fds[1] != -1 && pfd[1].revents != 0 &&
		    process_read(fds[1], err, CREDS_STDERR_MAX, &dummy) <= 0) {
			close(fds[1]);
			fds[1] = -1;
		}
		if (over) {
			*why = "printed more than 64 KB";
			return (-1);
		}
	}
	return (0);
}

/* Wait for the process to exit, until the deadline. */
static int
process_wait(pid_t pid, int64_t deadline, int *status, const char **why)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) == 0 ||
	    (r == -1 && errno == EINTR)) {
		if (monotonic_ms() >= deadline) {
			*why = "did not finish within 60 s";
			return (-1);
		}
		nanosleep(&tick, NULL);
	}
	if (r == -1) {
		*why = "could not be waited for";
		return (-1);
	}
	return (0);
}

/*
 * Run cmd with the shell, capturing stdout into out and the start of
 * stderr into err. A timeout kills the whole process group.
 */
static int
process_run(const char *cmd, struct buf *out, struct buf *err, int *status,
    const char **why, char **cause)
{
	int64_t deadline = monotonic_ms() + CREDS_PROCESS_TIMEOUT_MS;
	int fds[2], r;
	pid_t pid;

	if ((pid = process_start(cmd, &fds[0], &fds[1], cause)) == -1)
		return (-1);
	r = process_collect(fds, out, err, deadline, why);
	if (r == 0)
		r = process_wait(pid, deadline, status, why);
	if (r == -1) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	return (r);
}

static yajl_val
json_member(yajl_val root, const char *key, yajl_type type)
{
	const char *path[] = {key, NULL};

	return (yajl_tree_get(root, path, type));
}

static const char *
json_string(yajl_val root, const char *key)
{
	yajl_val v = json_member(root, key, yajl_t_string);

	return (v != NULL ? YAJL_GET_STRING(v) : NULL);
}

/* Parse a JSON object; the text is never quoted, it holds secrets. */
static yajl_val
json_object(const char *text, const char *who, char **cause)
{
	char errbuf[128];
	yajl_val root;

	root = json_tree_parse(text, strlen(text), errbuf, sizeof errbuf);
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		xasprintf(
		    cause, "%s gave something that is not a JSON object", who);
		return (NULL);
	}
	return (root);
}

/* Credentials from a JSON object; token_key is SessionToken or Token. */
static enum got
json_creds(yajl_val root, const char *token_key, const char *who,
    struct creds *c, char **cause)
{
	const char *akid = json_string(root, "AccessKeyId");
	const char *secret = json_string(root, "SecretAccessKey");

	if (akid == NULL || secret == NULL) {
		xasprintf(cause, "%s gave no %s", who,
		    akid == NULL ? "AccessKeyId" : "SecretAccessKey");
		return (GOT_ERROR);
	}
	return (creds_fill(c, akid, secret, json_string(root, token_key),
	    json_string(root, "Expiration"), who, cause));
}

static enum got
process_failed(const char *who, int status, const struct buf *err, char **cause)
{
	char *line = shown(err->data != NULL ? err->data : "", err->len);

	if (WIFEXITED(status))
		xasprintf(cause, "%s exited with status %d%s%s", who,
		    WEXITSTATUS(status), *line != '\0' ? ": " : "", line);
	else
		xasprintf(cause, "%s was killed by signal %d%s%s", who,
		    WTERMSIG(status), *line != '\0' ? ": " : "", line);
	free(line);
	return (GOT_ERROR);
}

/* The JSON a credential_process printed: Version 1 and the keys. */
static enum got
process_json(const struct buf *out, const struct buf *err, const char *who,
    struct creds *c, char **cause)
{
	yajl_val root, version;
	char *line, *why;
	enum got r;

	if ((root = json_object(
		 out->data != NULL ? out->data : "", who, &why)) == NULL) {
		line = shown(err->data != NULL ? err->data : "", err->len);
		xasprintf(
		    cause, "%s%s%s", why, *line != '\0' ? ": " : "", line);
		free(line);
		free(why);
		return (GOT_ERROR);
	}
	version = json_member(root, "Version", yajl_t_number);
	if (version == NULL || !YAJL_IS_INTEGER(version) ||
	    YAJL_GET_INTEGER(version) != 1) {
		xasprintf(cause, "%s printed JSON without \"Version\": 1", who);
		r = GOT_ERROR;
	} else
		r = json_creds(root, "SessionToken", who, c, cause);
	yajl_tree_free(root);
	return (r);
}

/* The profile's credential_process, run with /bin/sh -c. */
static enum got
process_creds(
    struct fetch *f, const char *profile, struct creds *c, char **cause)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *cmd, *why = NULL;
	char *who;
	int status;
	enum got r;

	if ((cmd = profile_value(f, profile, "credential_process")) == NULL)
		return (GOT_NOTHING);
	xasprintf(&who, "credential_process of profile %s", profile);
	log_debug("running %s", who);
	if (process_run(cmd, &out, &err, &status, &why, cause) == -1) {
		if (why != NULL)
			xasprintf(cause, "%s %s", who, why);
		r = GOT_ERROR;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = process_failed(who, status, &err, cause);
	else
		r = process_json(&out, &err, who, c, cause);
	if (r == GOT_CREDS)
		set_source(f, "credential_process of profile %s", profile);
	if (out.data != NULL)
		explicit_bzero(out.data, out.len);
	buf_free(&out);
	buf_free(&err);
	free(who);
	return (r);
}

static size_t
http_write(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	n *= size;
	if (b->len + n > CREDS_REPLY_MAX)
		return (0);
	buf_add(b, data, n);
	return (n);
}

static int
http_setup(CURL *e, const struct config *cfg, const struct http_req *req,
    struct curl_slist *hl, struct buf *reply, char *errbuf)
{
	const char *ca = config_ca_bundle(cfg);
	int bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, req->url) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(
		   e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
		   "cwdemux/" CWDEMUX_VERSION) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl) != CURLE_OK;
	bad |=
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, reply) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
	if (ca != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, ca) != CURLE_OK;
	if (strcmp(req->method, "POST") == 0) {
		bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
			   (long)strlen(req->body)) != CURLE_OK;
	} else if (strcmp(req->method, "GET") != 0)
		bad |= curl_easy_setopt(
			   e, CURLOPT_CUSTOMREQUEST, req->method) != CURLE_OK;
	return (bad ? -1 : 0);
}

/*
 * One request with libcurl's easy interface: TLS verified (with the CA
 * bundle if one is set), no redirects, timeouts, the reply bounded.
 */
static int
easy_fetch(const struct config *cfg, const struct http_req *req, long *status,
    struct buf *reply, char **cause)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL, *n;
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	CURL *e;
	size_t i;

	*status = 0;
	if ((e = curl_easy_init()) == NULL)
		goto out;
	for (i = 0; i < req->nheaders; i++) {
		if ((n = curl_slist_append(hl, req->headers[i])) == NULL)
			goto out;
		hl = n;
	}
	if (http_setup(e, cfg, req, hl, reply, errbuf) == -1)
		rc = CURLE_FAILED_INIT;
	else if ((rc = curl_easy_perform(e)) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
out:
	curl_slist_free_all(hl);
	curl_easy_cleanup(e);
	if (rc == CURLE_OK)
		return (0);
	if (rc == CURLE_WRITE_ERROR)
		xasprintf(cause, "%s %s: the reply is larger than 64 KB",
		    req->method, req->url);
	else
		xasprintf(cause, "%s %s: %s", req->method, req->url,
		    *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
	return (-1);
}

static void
headers_add(struct http_req *req, const char *name, const char *value)
{
	req->headers = xreallocarray(
	    req->headers, req->nheaders + 1, sizeof *req->headers);
	xasprintf(&req->headers[req->nheaders++], "%s: %s", name, value);
}

static void
headers_free(struct http_req *req)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++) {
		explicit_bzero(req->headers[i], strlen(req->headers[i]));
		free(req->headers[i]);
	}
	free(req->headers);
	req->headers = NULL;
	req->nheaders = 0;
}

/* Read a small file (a token) whole, without a trailing newline. */
static int
read_token_file(const char *path, const char *what, struct buf *b, char **cause)
{
	char chunk[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s %s: %s", what, path, strerror(errno));
		return (-1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 &&
	    b->len + n <= CREDS_REPLY_MAX)
		buf_add(b, chunk, n);
	if (ferror(fp) || n > 0) {
		xasprintf(cause, "%s %s: %s", what, path,
		    n > 0 ? "larger than 64 KB" : strerror(errno));
		fclose(fp);
		return (-1);
	}
	fclose(fp);
	while (b->len > 0 &&
	    (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = '\0';
	return (0);
}

/* The text of the first <tag>...</tag> in [s, end), entities decoded. */
static char *
xml_text(const char *s, const char *end, const char *tag)
{
	static const char *const ents[][2] = {{"&amp;", "&"}, {"&lt;", "<"},
	    {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
	struct buf b = BUF_INIT;
	char open[64], close_[64];
	const char *p, *q;
	size_t i;

	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close_, sizeof close_, "</%s>", tag);
	if ((p = memmem(s, (size_t)(end - s), open, strlen(open))) == NULL)
		return (NULL);
	p += strlen(open);
	if ((q = memmem(p, (size_t)(end - p), close_, strlen(close_))) == NULL)
		return (NULL);
	while (p < q) {
		for (i = 0; i < sizeof ents / sizeof ents[0]; i++) {
			if ((size_t)(q - p) >= strlen(ents[i][0]) &&
			    strncmp(p, ents[i][0], strlen(ents[i][0])) == 0)
				break;
		}
		if (i < sizeof ents / sizeof ents[0]) {
			buf_adds(&b, ents[i][1]);
			p += strlen(ents[i][0]);
		} else
			buf_addc(&b, *p++);
	}
	return (buf_steal(&b));
}

/* An STS reply that has no credentials: its error, made safe to show. */
static enum got
sts_error(const struct buf *reply, long status, const char *who, char **cause)
{
	char *code = NULL, *msg = NULL, *c = NULL, *m = NULL;

	if (reply->len > 0) {
		code = xml_text(reply->data, reply->data + reply->len, "Code");
		msg =
		    xml_text(reply->data, reply->data + reply->len, "Message");
	}
	if (code != NULL)
		c = shown(code, strlen(code));
	if (msg != NULL)
		m = shown(msg, strlen(msg));
	if (c != NULL)
		xasprintf(cause, "%s: STS answered %s%s%s", who, c,
		    m != NULL ? ": " : "", m != NULL ? m : "");
	else
		xasprintf(cause,
		    "%s: STS answered HTTP %ld without credentials", who,
		    status);
	free(code);
	free(msg);
	free(c);
	free(m);
	return (GOT_ERROR);
}

/* The four values of <Credentials> in an STS reply. */
static enum got
sts_reply(const struct buf *reply, long status, const char *who,
    struct creds *c, char **cause)
{
	const char *s, *end;
	char *v[4];
	enum got r;
	int i;

	if (status != 200 || reply->len == 0 ||
	    (s = memmem(reply->data, reply->len, "<Credentials>", 13)) ==
		NULL ||
	    (end = memmem(s, reply->len - (size_t)(s - reply->data),
		 "</Credentials>", 14)) == NULL)
		return (sts_error(reply, status, who, cause));
	v[0] = xml_text(s, end, "AccessKeyId");
	v[1] = xml_text(s, end, "SecretAccessKey");
	v[2] = xml_text(s, end, "SessionToken");
	v[3] = xml_text(s, end, "Expiration");
	if (v[3] == NULL) {
		xasprintf(cause, "%s: the STS reply has no Expiration", who);
		r = GOT_ERROR;
	} else
		r = creds_fill(c, v[0], v[1], v[2], v[3], who, cause);
	for (i = 0; i < 4; i++) {
		if (v[i] != NULL)
			explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	return (r);
}

static void
form_add(struct buf *form, const char *name, const char *value)
{
	char *enc = sigv4_uri_encode(value, strlen(value), 0);

	buf_printf(form, "&%s=%s", name, enc);
	free(enc);
}

/*
 * Add the Host and Content-Type headers of an STS request and, when there
 * is a signer, the SigV4 headers that sign it.
 */
static int
sts_headers(struct fetch *f, const struct creds *signer,
    const struct config_url *u, struct http_req *req, char **cause)
{
	const struct sigv4_header hdrs[] = {
	    {"Host", u->authority}, {"Content-Type", STS_CONTENT_TYPE}};
	struct sigv4_header *added;
	struct sigv4_request sr;
	struct sigv4_params sp;
	const char *region;
	size_t nadded, i;

	for (i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++)
		headers_add(req, hdrs[i].name, hdrs[i].value);
	if (signer == NULL)
		return (0);
	if (config_region(f->cfg, &region, cause) == -1)
		return (-1);
	sr = (struct sigv4_request){.method = "POST",
	    .path = u->path,
	    .headers = hdrs,
	    .nheaders = sizeof hdrs / sizeof hdrs[0],
	    .body = req->body,
	    .bodylen = strlen(req->body)};
	sp = (struct sigv4_params){.access_key_id = signer->access_key_id,
	    .secret_access_key = signer->secret_access_key,
	    .session_token = signer->session_token,
	    .region = region,
	    .service = config_signing_name(SERVICE_STS),
	    .when = f->now};
	if (sigv4_sign(&sr, &sp, &added, &nadded, cause) == -1)
		return (-1);
	for (i = 0; i < nadded; i++)
		headers_add(req, added[i].name, added[i].value);
	free(added);
	return (0);
}

/*
 * POST an STS Query request (form fields after Action and Version),
 * signed with signer when it is not NULL, and read the credentials.
 */
static enum got
sts_call(struct fetch *f, const char *action, const struct buf *fields,
    const struct creds *signer, const char *who, struct creds *c, char **cause)
{
	struct http_req req = {.method = "POST",
	    .connect_ms = CREDS_STS_CONNECT_MS,
	    .timeout_ms = CREDS_STS_TIMEOUT_MS};
	struct buf body = BUF_INIT, reply = BUF_INIT;
	struct config_url u = {0};
	char *url = NULL, *why;
	enum got r = GOT_ERROR;
	long status;

	if (config_endpoint(f->cfg, SERVICE_STS, &url, &why) == -1 ||
	    config_url_parse(url, &u, &why) == -1) {
		xasprintf(cause, "%s: %s", who, why);
		free(why);
		goto out;
	}
	buf_printf(
	    &body, "Action=%s&Version=2011-06-15%s", action, fields->data);
	req.url = url;
	req.body = body.data;
	if (sts_headers(f, signer, &u, &req, &why) == -1) {
		xasprintf(cause, "%s: %s", who, why);
		free(why);
		goto out;
	}
	headers_add(&req, "Expect", "");
	log_debug("%s: %s %s", who, action, url);
	if (easy_fetch(f->cfg, &req, &status, &reply, &why) == -1) {
		xasprintf(cause, "%s: %s", who, why);
		free(why);
	} else
		r = sts_reply(&reply, status, who, c, cause);
out:
	headers_free(&req);
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	buf_free(&body);
	buf_free(&reply);
	config_url_free(&u);
	free(url);
	return (r);
}

static void
session_name(const struct fetch *f, const char *name, struct buf *fields)
{
	char dflt[64];

	if (name == NULL) {
		snprintf(dflt, sizeof dflt, "cwdemux-session-%lld",
		    (long long)f->now);
		name = dflt;
	}
	form_add(fields, "RoleSessionName", name);
}

/* An error naming what a profile's credential_source lacked. */
static enum got
source_missing(
    const char *profile, const char *source, const char *what, char **cause)
{
	xasprintf(cause,
	    "credential_source %s of profile %s: no credentials from %s",
	    source, profile, what);
	return (GOT_ERROR);
}

static enum got container_creds(struct fetch *, struct creds *, char **);
static enum got imds_creds(struct fetch *, struct creds *, char **);

static enum got
credential_source_creds(struct fetch *f, const char *profile,
    const char *source, struct creds *c, char **cause)
{
	enum got r;

	if (strcmp(source, "Environment") == 0) {
		if ((r = env_creds(f, c, cause)) == GOT_NOTHING)
			return (source_missing(profile, source,
			    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
			    cause));
	} else if (strcmp(source, "Ec2InstanceMetadata") == 0) {
		if ((r = imds_creds(f, c, cause)) == GOT_NOTHING)
			return (source_missing(
			    profile, source, "instance metadata", cause));
	} else if (strcmp(source, "EcsContainer") == 0) {
		if ((r = container_creds(f, c, cause)) == GOT_NOTHING)
			return (source_missing(
			    profile, source, "the container endpoint", cause));
	} else {
		xasprintf(cause,
		    "credential_source %s of profile %s is not Environment, "
		    "Ec2InstanceMetadata or EcsContainer",
		    source, profile);
		r = GOT_ERROR;
	}
	return (r);
}

static int
visited(const struct fetch *f, const char *profile)
{
	size_t i;

	for (i = 0; i < f->nvisited; i++) {
		if (strcmp(f->visited[i], profile) == 0)
			return (1);
	}
	return (0);
}

static enum got
source_loop(const struct fetch *f, const char *source, char **cause)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < f->nvisited; i++)
		buf_printf(&b, "%s -> ", f->visited[i]);
	xasprintf(cause,
	    "source_profile loop: %s%s (a profile may name itself only when it "
	    "has its own aws_access_key_id)",
	    b.data, source);
	buf_free(&b);
	return (GOT_ERROR);
}

/*
 * The credentials a source_profile gives: its own (without environment
 * variables) when it has static keys or no role_arn, else its role.
 */
static enum got
source_profile_creds(struct fetch *f, const char *parent, const char *source,
    struct creds *c, char **cause)
{
	int keys;
	enum got r;

	if (!config_has_profile(f->cfg, source)) {
		xasprintf(cause,
		    "source_profile %s of profile %s does not exist", source,
		    parent);
		return (GOT_ERROR);
	}
	keys = has_static_keys(f, source);
	if (visited(f, source) && (strcmp(source, parent) != 0 || !keys))
		return (source_loop(f, source, cause));
	if (f->nvisited == CREDS_ROLE_DEPTH_MAX) {
		xasprintf(cause,
		    "profile %s: more than %d source_profile steps", parent,
		    CREDS_ROLE_DEPTH_MAX);
		return (GOT_ERROR);
	}
	f->visited[f->nvisited++] = source;
	if (keys || profile_value(f, source, "role_arn") == NULL) {
		r = profile_creds(f, source, 0, c, cause);
		if (r == GOT_NOTHING) {
			xasprintf(cause,
			    "source_profile %s of profile %s has no "
			    "credentials",
			    source, parent);
			r = GOT_ERROR;
		}
	} else
		r = role_creds(f, source, c, cause);
	return (r);
}

/* The source credentials of a role: source_profile or credential_source. */
static enum got
role_source_creds(
    struct fetch *f, const char *profile, struct creds *c, char **cause)
{
	const char *sp = profile_value(f, profile, "source_profile");
	const char *cs = profile_value(f, profile, "credential_source");

	if (sp != NULL && cs != NULL) {
		xasprintf(cause,
		    "profile %s has both source_profile and credential_source",
		    profile);
		return (GOT_ERROR);
	}
	if (sp == NULL && cs == NULL) {
		xasprintf(cause,
		    "profile %s has role_arn but neither source_profile nor "
		    "credential_source",
		    profile);
		return (GOT_ERROR);
	}
	if (profile_value(f, profile, "mfa_serial") != NULL) {
		xasprintf(cause,
		    "profile %s needs an MFA code (mfa_serial), which cwdemux "
		    "cannot ask for; " SSO_ADVICE
		    ", after entering the code once with "
		    "`aws sts get-caller-identity --profile %s`",
		    profile, profile, profile);
		return (GOT_ERROR);
	}
	if (sp != NULL)
		return (source_profile_creds(f, profile, sp, c, cause));
	return (credential_source_creds(f, profile, cs, c, cause));
}

static int
role_fields(const struct fetch *f, const char *profile, struct buf *fields,
    char **cause)
{
	const char *v;

	form_add(fields, "RoleArn", profile_value(f, profile, "role_arn"));
	session_name(f, profile_value(f, profile, "role_session_name"), fields);
	if ((v = profile_value(f, profile, "external_id")) != NULL)
		form_add(fields, "ExternalId", v);
	if ((v = profile_value(f, profile, "duration_seconds")) != NULL) {
		if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 6) {
			xasprintf(cause,
			    "duration_seconds \"%s\" of profile %s is not a "
			    "number of seconds",
			    v, profile);
			return (-1);
		}
		form_add(fields, "DurationSeconds", v);
	}
	return (0);
}

/* The profile's role_arn (without web_identity_token_file): AssumeRole. */
static enum got
role_creds(struct fetch *f, const char *profile, struct creds *c, char **cause)
{
	struct creds src = {0};
	struct buf fields = BUF_INIT;
	char *who;
	enum got r;

	if (profile_value(f, profile, "role_arn") == NULL ||
	    profile_value(f, profile, "web_identity_token_file") != NULL)
		return (GOT_NOTHING);
	if ((r = role_source_creds(f, profile, &src, cause)) != GOT_CREDS)
		goto out;
	xasprintf(&who, "role_arn of profile %s", profile);
	if (role_fields(f, profile, &fields, cause) == -1)
		r = GOT_ERROR;
	else
		r = sts_call(f, "AssumeRole", &fields, &src, who, c, cause);
	if (r == GOT_CREDS)
		set_source(f, "role_arn of profile %s", profile);
	free(who);
out:
	buf_free(&fields);
	creds_clear(&src);
	return (r);
}

/* A web identity setting: the environment first (when allowed). */
static const char *
web_setting(const struct fetch *f, const char *profile, int with_env,
    const char *env, const char *key)
{
	const char *v = with_env ? env_value(env) : NULL;

	return (v != NULL ? v : profile_value(f, profile, key));
}

/* A web identity token and role: AssumeRoleWithWebIdentity, unsigned. */
static enum got
web_identity_creds(struct fetch *f, const char *profile, int with_env,
    struct creds *c, char **cause)
{
	const char *file, *arn;
	struct buf fields = BUF_INIT, token = BUF_INIT;
	enum got r = GOT_ERROR;

	file = web_setting(f, profile, with_env, "AWS_WEB_IDENTITY_TOKEN_FILE",
	    "web_identity_token_file");
	if (file == NULL)
		return (GOT_NOTHING);
	arn = web_setting(f, profile, with_env, "AWS_ROLE_ARN", "role_arn");
	if (arn == NULL) {
		xasprintf(cause,
		    "web identity token file %s has no role: set AWS_ROLE_ARN "
		    "or role_arn in profile %s",
		    file, profile);
		return (GOT_ERROR);
	}
	if (read_token_file(file, "web identity token file", &token, cause) ==
	    -1)
		goto out;
	form_add(&fields, "RoleArn", arn);
	session_name(f,
	    web_setting(f, profile, with_env, "AWS_ROLE_SESSION_NAME",
		"role_session_name"),
	    &fields);
	form_add(&fields, "WebIdentityToken", token.data);
	r = sts_call(f, "AssumeRoleWithWebIdentity", &fields, NULL,
	    "web identity", c, cause);
	if (r == GOT_CREDS)
		set_source(f, "web identity of profile %s", profile);
out:
	if (token.data != NULL)
		explicit_bzero(token.data, token.len);
	if (fields.data != NULL)
		explicit_bzero(fields.data, fields.len);
	buf_free(&token);
	buf_free(&fields);
	return (r);
}

/* Providers cwdemux cannot use: an error that shows the way through. */
static enum got
sso_refused(const struct fetch *f, const char *profile, char **cause)
{
	static const char *const keys[] = {
	    "sso_session", "sso_start_url", "sso_account_id", "sso_role_name"};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (profile_value(f, profile, keys[i]) != NULL) {
			xasprintf(cause,
			    "profile %s uses AWS SSO, which cwdemux cannot "
			    "use; " SSO_ADVICE,
			    profile, profile);
			return (GOT_ERROR);
		}
	}
	return (GOT_NOTHING);
}

static enum got
login_refused(const struct fetch *f, const char *profile, char **cause)
{
	if (profile_value(f, profile, "login_session") == NULL)
		return (GOT_NOTHING);
	xasprintf(cause,
	    "profile %s uses an `aws login` session, which cwdemux cannot "
	    "use; " SSO_ADVICE,
	    profile, profile);
	return (GOT_ERROR);
}

/*
 * A profile's own providers in botocore's order; with_env is zero for a
 * source_profile, whose web identity comes from the profile only.
 */
static enum got
profile_creds(struct fetch *f, const char *profile, int with_env,
    struct creds *c, char **cause)
{
	enum got r;

	if ((r = web_identity_creds(f, profile, with_env, c, cause)) !=
	    GOT_NOTHING)
		return (r);
	if ((r = sso_refused(f, profile, cause)) != GOT_NOTHING)
		return (r);
	if ((r = file_creds(f, profile, CONFIG_FILE_CREDENTIALS, c, cause)) !=
	    GOT_NOTHING)
		return (r);
	if ((r = login_refused(f, profile, cause)) != GOT_NOTHING)
		return (r);
	if ((r = process_creds(f, profile, c, cause)) != GOT_NOTHING)
		return (r);
	return (file_creds(f, profile, CONFIG_FILE_CONFIG, c, cause));
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
container_auth(struct http_req *req, char **cause)
{
	const char *file = env_value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token = env_value("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct buf b = BUF_INIT;
	int r = 0;

	if (file != NULL) {
		if (read_token_file(file,
			"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &b,
			cause) == -1)
			return (-1);
		token = b.data != NULL ? b.data : "";
	}
	if (token != NULL && strpbrk(token, "\r\n") != NULL) {
		xasprintf(cause,
		    "the container authorization token has a line "
		    "break");
		r = -1;
	} else if (token != NULL)
		headers_add(req, "Authorization", token);
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	buf_free(&b);
	return (r);
}

static enum got
http_json_creds(
    const struct buf *reply, const char *who, struct creds *c, char **cause)
{
	yajl_val root;
	enum got r;

	if ((root = json_object(
		 reply->data != NULL ? reply->data : "", who, cause)) == NULL)
		return (GOT_ERROR);
	r = json_creds(root, "Token", who, c, cause);
	yajl_tree_free(root);
	return (r);
}

/* ECS / EKS container credentials. */
static enum got
container_creds(struct fetch *f, struct creds *c, char **cause)
{
	const char *rel = env_value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_value("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct http_req req = {.method = "GET",
	    .connect_ms = CREDS_CONTAINER_CONNECT_MS,
	    .timeout_ms = CREDS_CONTAINER_TIMEOUT_MS};
	struct buf reply = BUF_INIT;
	enum got r = GOT_ERROR;
	char *url, *why;
	long status;

	if (rel == NULL && full == NULL)
		return (GOT_NOTHING);
	if ((url = container_url(rel, full, cause)) == NULL)
		return (GOT_ERROR);
	req.url = url;
	headers_add(&req, "Accept", "application/json");
	if (container_auth(&req, cause) == -1)
		goto out;
	if (easy_fetch(f->cfg, &req, &status, &reply, &why) == -1) {
		xasprintf(cause, "container credentials: %s", why);
		free(why);
	} else if (status != 200)
		xasprintf(cause, "container credentials: %s answered HTTP %ld",
		    url, status);
	else if ((r = http_json_creds(
		      &reply, "container credentials", c, cause)) == GOT_CREDS)
		set_source(f, "%s", "container");
out:
	if (reply.data != NULL)
		explicit_bzero(reply.data, reply.len);
	buf_free(&reply);
	headers_free(&req);
	free(url);
	return (r);
}

/* The instance metadata base URL, without a trailing slash. */
static char *
imds_base(const struct fetch *f)
{
	const char *v = env_value("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = env_value("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	size_t len;

	if (v == NULL)
		v = profile_value(
		    f, config_profile(f->cfg), "ec2_metadata_service_endpoint");
	if (mode == NULL)
		mode = profile_value(f, config_profile(f->cfg),
		    "ec2_metadata_service_endpoint_mode");
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
imds_timeout(const struct fetch *f, long *ms, char **cause)
{
	const char *v = env_value("AWS_METADATA_SERVICE_TIMEOUT");
	char *end;
	double s;

	if (v == NULL)
		v = profile_value(
		    f, config_profile(f->cfg), "metadata_service_timeout");
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
imds_request(struct fetch *f, struct http_req *req, struct buf *reply)
{
	char *why;
	long status;

	if (easy_fetch(f->cfg, req, &status, reply, &why) == -1) {
		free(f->imds_note);
		f->imds_note = why;
		return (-1);
	}
	if (status != 200) {
		free(f->imds_note);
		xasprintf(&f->imds_note, "%s %s answered HTTP %ld%s",
		    req->method, req->url, status,
		    status == 404 && strstr(req->url, IMDS_ROLE_PATH) != NULL
			? " (no IAM role attached to the instance?)"
			: "");
		return (-1);
	}
	return (0);
}

/* The first role name the listing gives, if it is a plausible one. */
static char *
imds_role(struct fetch *f, const struct buf *listing)
{
	size_t len =
	    strcspn(listing->data != NULL ? listing->data : "", "\r\n");

	if (len == 0 || len > 128 ||
	    strspn(listing->data,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789+=,.@_-") < len) {
		free(f->imds_note);
		f->imds_note = xstrdup("the instance metadata role name is "
				       "empty or not a role name");
		return (NULL);
	}
	return (xstrndup(listing->data, len));
}

/* Token, role name, credentials: three IMDSv2 requests. */
static enum got
imds_fetch(struct fetch *f, struct http_req *req, const char *base,
    struct creds *c, char **cause)
{
	struct buf token = BUF_INIT, list = BUF_INIT, reply = BUF_INIT;
	char *url, *role = NULL;
	enum got r = GOT_NOTHING;

	xasprintf(&url, "%s%s", base, IMDS_TOKEN_PATH);
	req->url = url;
	headers_add(req, "X-aws-ec2-metadata-token-ttl-seconds", "21600");
	if (imds_request(f, req, &token) == -1)
		goto out;
	if (!cred_text_ok(token.data)) {
		free(f->imds_note);
		f->imds_note =
		    xstrdup("the session token is empty or malformed");
		goto out;
	}
	headers_free(req);
	headers_add(req, "X-aws-ec2-metadata-token", token.data);
	req->method = "GET";
	free(url);
	xasprintf(&url, "%s%s", base, IMDS_ROLE_PATH);
	req->url = url;
	if (imds_request(f, req, &list) == -1 ||
	    (role = imds_role(f, &list)) == NULL)
		goto out;
	free(url);
	xasprintf(&url, "%s%s%s", base, IMDS_ROLE_PATH, role);
	req->url = url;
	if (imds_request(f, req, &reply) == 0)
		r = http_json_creds(&reply, "instance metadata", c, cause);
out:
	if (reply.data != NULL)
		explicit_bzero(reply.data, reply.len);
	buf_free(&token);
	buf_free(&list);
	buf_free(&reply);
	free(role);
	free(url);
	return (r);
}

/* EC2 instance metadata, IMDSv2 only. Unreachable means nothing found. */
static enum got
imds_creds(struct fetch *f, struct creds *c, char **cause)
{
	struct http_req req = {.method = "PUT"};
	char *base;
	enum got r;

	if (is_true(env_value("AWS_EC2_METADATA_DISABLED"))) {
		free(f->imds_note);
		f->imds_note = xstrdup("disabled by AWS_EC2_METADATA_DISABLED");
		return (GOT_NOTHING);
	}
	if (imds_timeout(f, &req.timeout_ms, cause) == -1)
		return (GOT_ERROR);
	req.connect_ms = req.timeout_ms;
	base = imds_base(f);
	r = imds_fetch(f, &req, base, c, cause);
	if (r == GOT_CREDS)
		set_source(f, "%s", "instance metadata");
	headers_free(&req);
	free(base);
	return (r);
}

/* The error when no provider had anything: what was tried, and how on. */
static char *
nothing_found(const struct fetch *f)
{
	const char *conf = config_file_path(f->cfg, CONFIG_FILE_CONFIG);
	const char *cred = config_file_path(f->cfg, CONFIG_FILE_CREDENTIALS);
	char *msg;

	xasprintf(&msg,
	    "no AWS credentials found; tried: the environment "
	    "(AWS_ACCESS_KEY_ID%s), profile %s in %s and %s (keys, role_arn, "
	    "web_identity_token_file, credential_process), container "
	    "credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / FULL_URI "
	    "not set), EC2 instance metadata (%s); run `aws configure`, or "
	    "choose a profile with --profile or AWS_PROFILE",
	    config_profile_from_cli(f->cfg) ? ": skipped for --profile" : "",
	    config_profile(f->cfg), cred != NULL ? cred : "(HOME unset)",
	    conf != NULL ? conf : "(HOME unset)",
	    f->imds_note != NULL ? f->imds_note : "nothing");
	return (msg);
}

/* The whole chain, in the AWS CLI's order. */
static enum got
chain_run(struct fetch *f, struct creds *c, char **cause)
{
	const char *profile = config_profile(f->cfg);
	enum got r;

	if (!config_profile_from_cli(f->cfg) &&
	    (r = env_creds(f, c, cause)) != GOT_NOTHING)
		return (r);
	f->visited[f->nvisited++] = profile;
	if ((r = role_creds(f, profile, c, cause)) != GOT_NOTHING)
		return (r);
	if ((r = profile_creds(f, profile, 1, c, cause)) != GOT_NOTHING)
		return (r);
	if ((r = container_creds(f, c, cause)) != GOT_NOTHING)
		return (r);
	if ((r = imds_creds(f, c, cause)) != GOT_NOTHING)
		return (r);
	*cause = nothing_found(f);
	return (GOT_ERROR);
}

struct creds_chain *
creds_new(const struct config *cfg)
{
	struct creds_chain *ch;

	ch = xcalloc(1, sizeof *ch);
	ch->cfg = cfg;
	return (ch);
}

void
creds_free(struct creds_chain *ch)
{
	if (ch == NULL)
		return;
	if (ch->cur.secret_access_key != NULL)
		explicit_bzero(ch->cur.secret_access_key,
		    strlen(ch->cur.secret_access_key));
	creds_clear(&ch->cur);
	free(ch->source);
	free(ch);
}

/* Current credentials can be used at now without fetching again. */
static int
creds_fresh(const struct creds_chain *ch, time_t now)
{
	return (ch->have && !ch->stale &&
	    (ch->cur.expiration == 0 ||
		now < ch->cur.expiration - CREDS_REFRESH_MARGIN ||
		now < ch->retry_after));
}

/* A failed early refresh keeps the old credentials while they last. */
static int
creds_keep(struct creds_chain *ch, time_t now, char *err)
{
	if (!ch->have || ch->stale || now >= ch->cur.expiration)
		return (0);
	log_warn("cannot refresh AWS credentials from %s, using them until "
		 "they expire: %s",
	    ch->source, err);
	ch->retry_after = now + CREDS_RETRY_AFTER;
	free(err);
	return (1);
}

int
creds_get(
    struct creds_chain *ch, time_t now, const struct creds **out, char **cause)
{
	struct fetch f = {.cfg = ch->cfg, .now = now};
	struct creds c = {0};
	char *err = NULL;

	if (creds_fresh(ch, now)) {
		*out = &ch->cur;
		return (0);
	}
	if (chain_run(&f, &c, &err) == GOT_CREDS) {
		creds_clear(&ch->cur);
		ch->cur = c;
		free(ch->source);
		ch->source = f.source;
		f.source = NULL;
		ch->have = 1;
		ch->stale = 0;
		ch->retry_after = 0;
		log_debug("AWS credentials from %s, access key %.4s...",
		    ch->source, ch->cur.access_key_id);
	} else if (!creds_keep(ch, now, err)) {
		creds_clear(&c);
		free(f.source);
		free(f.imds_note);
		*cause = err;
		return (-1);
	}
	free(f.source);
	free(f.imds_note);
	*out = &ch->cur;
	return (0);
}

void
creds_expire(struct creds_chain *ch)
{
	ch->stale = 1;
}

const char *
creds_source(const struct creds_chain *ch)
{
	return (ch->source != NULL ? ch->source : "none");
}
