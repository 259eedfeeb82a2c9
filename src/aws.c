/*
 * Signed JSON 1.1 calls with retries. A call is signed when it is sent, so
 * every attempt carries a fresh date, the current credentials and the
 * corrected clock. Retries wait in a list ordered by nothing in
 * particular (there are few); the loop asks for the nearest deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws.h"
#include "buf.h"
#include "clock.h"
#include "log.h"
#include "sanitize.h"
#include "sigv4.h"
#include "xml.h"
#include "json.h"
#include "xmalloc.h"

#include <yajl/yajl_tree.h>

/* Backoff: full jitter over min(cap, base * 2^attempt). */
#define AWS_BACKOFF_BASE_MS 200
#define AWS_BACKOFF_CAP_MS 20000
#define AWS_MAX_ATTEMPTS_THROTTLED 12
#define AWS_MAX_ATTEMPTS_TRANSIENT 6

struct call {
	struct aws *aws;
	enum config_service service;
	char *operation;
	char *body;
	aws_done_fn done;
	http_data_fn data; /* a streamed answer's pieces, or NULL */
	int stall_seconds; /* streamed: the stall limit */
	void *arg;
	unsigned attempt; /* attempts made so far */
	int refreshed; /* credentials refreshed once already */
	int reclocked; /* clock corrected once already */
	int64_t due; /* waiting: when to send again */
	struct call *next; /* in the retry list */
	struct call *sent_prev, *sent_next; /* in the list of calls out */
};

struct aws {
	const struct config *config;
	struct creds_chain *creds;
	struct http *http;
	const char *region;
	char *endpoint[3]; /* by enum config_service */
	char *host[3]; /* Host header of each endpoint */
	char *stream_endpoint; /* Logs' streaming operations (StartLiveTail) */
	char *stream_host;
	int64_t clock_offset; /* seconds to add to our clock */
	unsigned max_throttled; /* attempts while throttled */
	unsigned max_transient; /* attempts after 5xx and network errors */
	struct call *waiting; /* retries not yet due */
	struct call *sent; /* calls out, awaiting their answers */
	struct aws_stats stats;
	aws_answer_fn on_answer; /* told of every answer, or NULL */
	void *answer_arg;
	aws_gate_fn gate; /* lets retries go within a budget, or NULL */
	void *gate_arg;
};

static const char *const target_prefix[] = {
    [SERVICE_LOGS] = "Logs_20140328",
    [SERVICE_SAGEMAKER] = "SageMaker",
    [SERVICE_STS] = "",
};

/* The IAM action each operation needs, for the hint on access errors. */
static const char *
iam_action(enum config_service service, const char *operation, struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "%s:%s",
	    service == SERVICE_SAGEMAKER ? "sagemaker" : "logs", operation);
	return (b->data);
}

/* "https://host:port/path" -> "host:port". */
static char *
url_host(const char *url)
{
	const char *p = strstr(url, "://"), *end;

	p = p == NULL ? url : p + 3;
	end = p + strcspn(p, "/?#");
	return (xstrndup(p, (size_t)(end - p)));
}

struct aws *
aws_new(const struct config *config, struct creds_chain *creds,
    struct http *http, char **cause)
{
	struct aws *a;
	int s;

	a = xcalloc(1, sizeof *a);
	a->config = config;
	a->creds = creds;
	a->http = http;
	if (config_region(config, &a->region, cause) != 0)
		goto fail;
	a->max_throttled = AWS_MAX_ATTEMPTS_THROTTLED;
	a->max_transient = AWS_MAX_ATTEMPTS_TRANSIENT;
	if (config_max_attempts(config) > 0)
		a->max_throttled = a->max_transient =
		    (unsigned)config_max_attempts(config);
	for (s = SERVICE_LOGS; s <= SERVICE_SAGEMAKER; s++) {
		if (config_endpoint(config, (enum config_service)s,
			&a->endpoint[s], cause) != 0)
			goto fail;
		a->host[s] = url_host(a->endpoint[s]);
	}
	if (config_stream_endpoint(
		config, SERVICE_LOGS, &a->stream_endpoint, cause) != 0)
		goto fail;
	a->stream_host = url_host(a->stream_endpoint);
	return (a);
fail:
	aws_free(a);
	return (NULL);
}

static void
call_free(struct call *c)
{
	free(c->operation);
	free(c->body);
	free(c);
}

void
aws_free(struct aws *a)
{
	struct call *c;
	int s;

	if (a == NULL)
		return;
	while ((c = a->waiting) != NULL) {
		a->waiting = c->next;
		call_free(c);
	}
	/* Calls still out: http_free() drops their transfers unanswered. */
	while ((c = a->sent) != NULL) {
		a->sent = c->sent_next;
		call_free(c);
	}
	for (s = 0; s < 3; s++) {
		free(a->endpoint[s]);
		free(a->host[s]);
	}
	free(a->stream_endpoint);
	free(a->stream_host);
	free(a);
}

static void
copy_trimmed(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The text of <tag>, trimmed and cut to fit dst; 0 when there is none. */
static int
xml_element(const char *body, const char *tag, char *dst, size_t size)
{
	char *text;

	if ((text = xml_text(body, strlen(body), tag)) == NULL)
		return (0);
	copy_trimmed(dst, size, text, strlen(text));
	free(text);
	return (1);
}

static void
json_error(const char *body, struct aws_err *e)
{
	const char *type_path[] = {"__type", NULL};
	const char *msg_path[] = {"message", NULL};
	const char *msg2_path[] = {"Message", NULL};
	yajl_val root, v;
	const char *code, *p;

	if ((root = json_tree_parse(body, strlen(body), NULL, 0)) == NULL)
		return;
	if ((v = yajl_tree_get(root, type_path, yajl_t_string)) != NULL) {
		/* "ns#Code:extra" -> "Code", as botocore does. */
		code = v->u.string;
		if ((p = strrchr(code, '#')) != NULL)
			code = p + 1;
		copy_trimmed(e->code, sizeof e->code, code, strcspn(code, ":"));
	}
	if ((v = yajl_tree_get(root, msg_path, yajl_t_string)) != NULL ||
	    (v = yajl_tree_get(root, msg2_path, yajl_t_string)) != NULL)
		copy_trimmed(e->message, sizeof e->message, v->u.string,
		    strlen(v->u.string));
	yajl_tree_free(root);
}

void
aws_parse_error(long status, const char *body, size_t len, struct aws_err *e)
{
	memset(e, 0, sizeof *e);
	if (len > 0 && len < 65536) {
		if (body[0] == '{')
			json_error(body, e);
		else if (xml_element(body, "Code", e->code, sizeof e->code))
			xml_element(
			    body, "Message", e->message, sizeof e->message);
	}
	if (e->code[0] == '\0')
		snprintf(e->code, sizeof e->code, "HTTP %ld", status);
}

static int
code_in(const char *code, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return (1);
	return (0);
}

static const char *const throttling_codes[] = {"Throttling",
    "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
    "RequestThrottled", "SlowDown", "PriorRequestNotComplete", NULL};
static const char *const transient_codes[] = {"ServiceUnavailableException",
    "ServiceUnavailable", "InternalServerException", "InternalFailure",
    "InternalError", "RequestTimeout", "RequestTimeoutException", NULL};
static const char *const expired_codes[] = {
    "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", NULL};
static const char *const skew_codes[] = {
    "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", NULL};
static const char *const not_found_codes[] = {
    "ResourceNotFoundException", "ResourceNotFound", NULL};
static const char *const denied_codes[] = {
    "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", NULL};
static const char *const credential_codes[] = {"UnrecognizedClientException",
    "InvalidClientTokenId", "SignatureDoesNotMatch",
    "InvalidSignatureException", "IncompleteSignature",
    "MissingAuthenticationToken", "MissingAuthenticationTokenException",
    "AuthFailure", NULL};

/* What went wrong, by AWS's code first and the HTTP status second. */
enum verdict {
	V_THROTTLED,
	V_TRANSIENT,
	V_EXPIRED,
	V_SKEW,
	V_NOT_FOUND,
	V_DENIED,
	V_CREDENTIALS,
	V_CLIENT,
};

static enum verdict
verdict_of(long status, const struct aws_err *e)
{
	if (code_in(e->code, throttling_codes) || status == 429)
		return (V_THROTTLED);
	if (code_in(e->code, transient_codes) || status >= 500)
		return (V_TRANSIENT);
	if (code_in(e->code, expired_codes))
		return (V_EXPIRED);
	if (code_in(e->code, skew_codes) ||
	    strstr(e->message, "Signature expired") != NULL ||
	    strstr(e->message, "not yet current") != NULL)
		return (V_SKEW);
	if (code_in(e->code, not_found_codes))
		return (V_NOT_FOUND);
	if (code_in(e->code, denied_codes))
		return (V_DENIED);
	if (code_in(e->code, credential_codes))
		return (V_CREDENTIALS);
	return (V_CLIENT);
}

static void send_call(struct call *);

static void
call_done(struct call *c, const struct aws_result *r)
{
	c->done(c->arg, r);
	call_free(c);
}

static void
fail_call(
    struct call *c, enum aws_error error, const char *code, const char *cause)
{
	struct aws_result r;

	memset(&r, 0, sizeof r);
	r.error = error;
	r.code = code;
	r.cause = cause;
	call_done(c, &r);
}

/* Sleep before the next attempt: full jitter, capped. */
static void
schedule_retry(struct call *c)
{
	struct aws *a = c->aws;
	int64_t ceiling = AWS_BACKOFF_BASE_MS;
	unsigned i;

	for (i = 1; i < c->attempt && ceiling < AWS_BACKOFF_CAP_MS; i++)
		ceiling *= 2;
	if (ceiling > AWS_BACKOFF_CAP_MS)
		ceiling = AWS_BACKOFF_CAP_MS;
	c->due = clock_mono_ms() +
	    (int64_t)arc4random_uniform((uint32_t)ceiling + 1);
	c->next = a->waiting;
	a->waiting = c;
	a->stats.retries++;
}

/* The sentence for a failed call, with a hint where one helps. */
static char *
error_cause(struct call *c, enum verdict v, const struct aws_err *e)
{
	struct buf msg = BUF_INIT, action = BUF_INIT;
	const char *hint = "";
	char *cause, *extra = NULL;

	sanitize_term(&msg, e->message, strlen(e->message));
	buf_addc(&msg, '\0');
	switch (v) {
	case V_DENIED:
		xasprintf(&extra, " (cwdemux needs the IAM permission %s)",
		    iam_action(c->service, c->operation, &action));
		hint = extra;
		break;
	case V_CREDENTIALS:
	case V_EXPIRED:
		xasprintf(&extra, " (check the credentials from %s)",
		    creds_source(c->aws->creds));
		hint = extra;
		break;
	case V_THROTTLED:
		/* A stream is not retried here: its owner tries again. */
		if (c->data == NULL)
			hint = " (still throttled after every retry)";
		break;
	default:
		break;
	}
	xasprintf(&cause, "%s: %s%s%s%s", c->operation, e->code,
	    msg.len > 1 ? ": " : "", msg.data, hint);
	free(extra);
	buf_free(&msg);
	buf_free(&action);
	return (cause);
}

static enum aws_error
public_error(enum verdict v)
{
	switch (v) {
	case V_THROTTLED:
		return (AWS_THROTTLED);
	case V_TRANSIENT:
		return (AWS_TRANSIENT);
	case V_NOT_FOUND:
		return (AWS_NOT_FOUND);
	case V_DENIED:
		return (AWS_DENIED);
	case V_CREDENTIALS:
	case V_EXPIRED:
		return (AWS_CREDENTIALS);
	default:
		return (AWS_CLIENT);
	}
}

/* Decide between retrying and giving up; returns 1 when retried. */
static int
maybe_retry(struct call *c, enum verdict v, time_t server_date)
{
	struct aws *a = c->aws;

	/* A stream's owner decides when to try again (and a broken stream
	 * cannot be resumed anyway). */
	if (c->data != NULL && (v == V_THROTTLED || v == V_TRANSIENT)) {
		if (v == V_THROTTLED)
			a->stats.throttled++;
		return (0);
	}
	switch (v) {
	case V_THROTTLED:
		a->stats.throttled++;
		if (c->attempt >= a->max_throttled)
			return (0);
		schedule_retry(c);
		return (1);
	case V_TRANSIENT:
		if (c->attempt >= a->max_transient)
			return (0);
		schedule_retry(c);
		return (1);
	case V_EXPIRED:
		if (c->refreshed++)
			return (0);
		creds_expire(a->creds);
		send_call(c);
		return (1);
	case V_SKEW:
		if (c->reclocked++ || server_date == 0)
			return (0);
		a->clock_offset = (int64_t)server_date - clock_wall_ms() / 1000;
		log_warn(
		    "the clock is %lld s off AWS's; signing with AWS's time",
		    (long long)a->clock_offset);
		send_call(c);
		return (1);
	default:
		return (0);
	}
}

/* The list of calls out, so that aws_free() can free them. */
static void
sent_add(struct call *c)
{
	struct aws *a = c->aws;

	c->sent_prev = NULL;
	c->sent_next = a->sent;
	if (a->sent != NULL)
		a->sent->sent_prev = c;
	a->sent = c;
}

static void
sent_remove(struct call *c)
{
	if (c->sent_prev != NULL)
		c->sent_prev->sent_next = c->sent_next;
	else
		c->aws->sent = c->sent_next;
	if (c->sent_next != NULL)
		c->sent_next->sent_prev = c->sent_prev;
}

static void
on_response(void *arg, const struct http_response *r)
{
	struct call *c = arg;
	struct aws_result res;
	struct aws_err e;
	enum verdict v;
	char *cause;

	sent_remove(c);
	log_debug("<- %s: %ld, %zu bytes, %.0f ms%s%s%s%s", c->operation,
	    r->status, r->len, r->seconds * 1000, r->error != NULL ? ", " : "",
	    r->error != NULL ? r->error : "",
	    r->request_id[0] != '\0' ? ", request id " : "", r->request_id);
	if (r->error != NULL) {
		memset(&e, 0, sizeof e);
		snprintf(e.code, sizeof e.code, "network error");
		copy_trimmed(
		    e.message, sizeof e.message, r->error, strlen(r->error));
		v = V_TRANSIENT;
	} else if (r->status >= 200 && r->status < 300) {
		if (c->aws->on_answer != NULL)
			c->aws->on_answer(c->aws->answer_arg, c->operation, 0);
		memset(&res, 0, sizeof res);
		res.error = AWS_OK;
		res.body = r->body;
		res.len = r->len;
		res.code = "";
		call_done(c, &res);
		return;
	} else {
		aws_parse_error(r->status, r->body, r->len, &e);
		v = verdict_of(r->status, &e);
	}
	if (c->aws->on_answer != NULL)
		c->aws->on_answer(
		    c->aws->answer_arg, c->operation, v == V_THROTTLED);
	if (maybe_retry(c, v, r->date))
		return;
	cause = error_cause(c, v, &e);
	fail_call(c, public_error(v), e.code, cause);
	free(cause);
}

/* --debug: the request's headers, with every secret replaced. */
static void
debug_request(const struct call *c, const char *url,
    const struct sigv4_header *h, size_t n)
{
	size_t i;

	if (!log_debug_enabled())
		return;
	log_debug("-> POST %s %s (attempt %u)", url, c->operation, c->attempt);
	for (i = 0; i < n; i++) {
		if (strcasecmp(h[i].name, "Authorization") == 0 ||
		    strcasecmp(h[i].name, "X-Amz-Security-Token") == 0)
			log_debug("   %s: <redacted>", h[i].name);
		else
			log_debug("   %s: %s", h[i].name, h[i].value);
	}
}

static int
on_stream_data(void *arg, const char *data, size_t len)
{
	struct call *c = arg;

	return (c->data(c->arg, data, len));
}

static void
send_call(struct call *c)
{
	struct aws *a = c->aws;
	const char *url = a->endpoint[c->service];
	const char *host = a->host[c->service];
	const struct creds *cr;
	struct sigv4_header h[8], *added = NULL;
	struct sigv4_request req;
	struct sigv4_params sp;
	char target[128], *cause = NULL;
	size_t n = 0, nadded = 0, i;

	c->attempt++;
	if (creds_get(
		a->creds, (time_t)(clock_wall_ms() / 1000), &cr, &cause) != 0) {
		fail_call(c, AWS_CREDENTIALS, "", cause);
		free(cause);
		return;
	}
	snprintf(target, sizeof target, "%s.%s", target_prefix[c->service],
	    c->operation);
	if (c->data != NULL && c->service == SERVICE_LOGS) {
		url = a->stream_endpoint;
		host = a->stream_host;
	}
	h[n++] = (struct sigv4_header){"Host", host};
	h[n++] =
	    (struct sigv4_header){"Content-Type", "application/x-amz-json-1.1"};
	h[n++] = (struct sigv4_header){"X-Amz-Target", target};
	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.path = "/";
	req.query = "";
	req.headers = h;
	req.nheaders = n;
	req.body = c->body;
	req.bodylen = strlen(c->body);
	memset(&sp, 0, sizeof sp);
	sp.access_key_id = cr->access_key_id;
	sp.secret_access_key = cr->secret_access_key;
	sp.session_token = cr->session_token;
	sp.region = a->region;
	sp.service = config_signing_name(c->service);
	sp.when = (time_t)(clock_wall_ms() / 1000 + a->clock_offset);
	if (sigv4_sign(&req, &sp, &added, &nadded, &cause) != 0)
		goto fail;
	for (i = 0; i < nadded && n < sizeof h / sizeof h[0]; i++)
		h[n++] = added[i];
	debug_request(c, url, h, n);
	if (c->data != NULL
		? http_post_stream(a->http, url, h, n, c->body, req.bodylen,
		      c->stall_seconds, on_stream_data, on_response, c, &cause)
		: http_post(a->http, url, h, n, c->body, req.bodylen,
		      on_response, c, &cause))
		goto fail;
	sent_add(c);
	free(added);
	a->stats.requests++;
	return;
fail:
	free(added);
	fail_call(c, AWS_CLIENT, "", cause);
	free(cause);
}

void
aws_call(struct aws *a, enum config_service service, const char *operation,
    const char *body, aws_done_fn done, void *arg)
{
	struct call *c;

	c = xcalloc(1, sizeof *c);
	c->aws = a;
	c->service = service;
	c->operation = xstrdup(operation);
	c->body = xstrdup(body);
	c->done = done;
	c->arg = arg;
	send_call(c);
}

void
aws_stream(struct aws *a, enum config_service service, const char *operation,
    const char *body, int stall_seconds, http_data_fn data, aws_done_fn done,
    void *arg)
{
	struct call *c;

	c = xcalloc(1, sizeof *c);
	c->aws = a;
	c->service = service;
	c->operation = xstrdup(operation);
	c->body = xstrdup(body);
	c->done = done;
	c->data = data;
	c->stall_seconds = stall_seconds;
	c->arg = arg;
	send_call(c);
}

void
aws_cancel(struct aws *a, void *arg)
{
	struct call **cp, *c, *next;

	for (cp = &a->waiting; (c = *cp) != NULL;) {
		if (c->arg != arg) {
			cp = &c->next;
			continue;
		}
		*cp = c->next;
		call_free(c);
	}
	for (c = a->sent; c != NULL; c = next) {
		next = c->sent_next;
		if (c->arg != arg)
			continue;
		http_cancel(a->http, c);
		sent_remove(c);
		call_free(c);
	}
}

int64_t
aws_next_deadline(const struct aws *a)
{
	const struct call *c;
	int64_t next = -1;

	for (c = a->waiting; c != NULL; c = c->next)
		if (next < 0 || c->due < next)
			next = c->due;
	return (next);
}

void
aws_tick(struct aws *a, int64_t now_ms)
{
	struct call **cp = &a->waiting, *c;
	int64_t when;

	while ((c = *cp) != NULL) {
		if (c->due > now_ms) {
			cp = &c->next;
			continue;
		}
		/* Its backoff is over; now its turn in the budget. */
		when = -1;
		if (a->gate != NULL &&
		    !a->gate(a->gate_arg, c->operation, now_ms, &when)) {
			c->due = when > now_ms ? when : now_ms + 1;
			cp = &c->next;
			continue;
		}
		*cp = c->next;
		c->next = NULL;
		send_call(c);
		/* send_call may have queued new retries at the list head. */
		cp = &a->waiting;
	}
}

void
aws_set_attempts(struct aws *a, unsigned n)
{
	a->max_throttled = a->max_transient = n;
}

const struct aws_stats *
aws_stats(const struct aws *a)
{
	return (&a->stats);
}

void
aws_on_answer(struct aws *a, aws_answer_fn fn, void *arg)
{
	a->on_answer = fn;
	a->answer_arg = arg;
}

void
aws_set_gate(struct aws *a, aws_gate_fn fn, void *arg)
{
	a->gate = fn;
	a->gate_arg = arg;
}

const char *
aws_region(const struct aws *a)
{
	return (a->region);
}
