/*
 * STS Query calls for the credential chain. The request is a form POST
 * (Action, Version, the caller's fields), signed by SigV4 for "sts" when
 * there is a signer; the answer is XML read with xml_text(). What STS says
 * when it refuses is untrusted text: it is cut to one line and sanitized
 * before it reaches a message. Secrets (the form of a web identity call,
 * the answer) are wiped once used.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "sanitize.h"
#include "sigv4.h"
#include "sts.h"
#include "xml.h"
#include "xmalloc.h"

#define STS_VERSION "2011-06-15"
#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define STS_REPLY_MAX (64 * 1024)
#define STS_SHOWN_MAX 200 /* bytes of STS's own words in a message */

static void
wipe_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

void
sts_keys_clear(struct sts_keys *k)
{
	wipe_free(k->access_key_id);
	wipe_free(k->secret_access_key);
	wipe_free(k->session_token);
	free(k->expiration);
	memset(k, 0, sizeof *k);
}

void
sts_field(struct buf *form, const char *name, const char *value)
{
	char *enc = sigv4_uri_encode(value, strlen(value), 0);

	buf_printf(form, "&%s=%s", name, enc);
	free(enc);
}

/* An answer without credentials: STS's error, made safe to show. */
static int
sts_error(const struct buf *reply, long status, const char *who, char **cause)
{
	struct buf c = BUF_INIT, m = BUF_INIT;
	char *code = NULL, *msg = NULL;

	if (reply->len > 0) {
		code = xml_text(reply->data, reply->len, "Code");
		msg = xml_text(reply->data, reply->len, "Message");
	}
	if (code != NULL)
		sanitize_excerpt(&c, code, strlen(code), STS_SHOWN_MAX);
	if (msg != NULL)
		sanitize_excerpt(&m, msg, strlen(msg), STS_SHOWN_MAX);
	if (code != NULL)
		xasprintf(cause, "%s: STS answered %s%s%s", who, c.data,
		    msg != NULL ? ": " : "", msg != NULL ? m.data : "");
	else
		xasprintf(cause,
		    "%s: STS answered HTTP %ld without credentials", who,
		    status);
	free(code);
	free(msg);
	buf_free(&c);
	buf_free(&m);
	return (-1);
}

/* The four values of <Credentials> in an answer. */
static int
sts_reply(const struct buf *reply, long status, const char *who,
    struct sts_keys *k, char **cause)
{
	const char *s, *end;
	size_t len;

	if (status != 200 || reply->len == 0 ||
	    (s = memmem(reply->data, reply->len, "<Credentials>", 13)) ==
		NULL ||
	    (end = memmem(s, reply->len - (size_t)(s - reply->data),
		 "</Credentials>", 14)) == NULL)
		return (sts_error(reply, status, who, cause));
	len = (size_t)(end - s);
	k->access_key_id = xml_text(s, len, "AccessKeyId");
	k->secret_access_key = xml_text(s, len, "SecretAccessKey");
	k->session_token = xml_text(s, len, "SessionToken");
	k->expiration = xml_text(s, len, "Expiration");
	if (k->expiration == NULL) {
		sts_keys_clear(k);
		xasprintf(cause, "%s: the STS reply has no Expiration", who);
		return (-1);
	}
	return (0);
}

/*
 * Add the Host and Content-Type headers of a request and, when there is a
 * signer, the SigV4 headers that sign it.
 */
static int
sts_headers(const struct config *cfg, time_t now,
    const struct sts_signer *signer, const struct config_url *u,
    struct http_fetch_req *req, char **cause)
{
	const struct sigv4_header hdrs[] = {
	    {"Host", u->authority}, {"Content-Type", STS_CONTENT_TYPE}};
	struct sigv4_header *added;
	struct sigv4_request sr;
	struct sigv4_params sp;
	const char *region;
	size_t nadded, i;

	for (i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++)
		http_fetch_header(req, hdrs[i].name, hdrs[i].value);
	if (signer == NULL)
		return (0);
	if (config_region(cfg, &region, cause) == -1)
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
	    .when = now};
	if (sigv4_sign(&sr, &sp, &added, &nadded, cause) == -1)
		return (-1);
	for (i = 0; i < nadded; i++)
		http_fetch_header(req, added[i].name, added[i].value);
	free(added);
	return (0);
}

/*
 * POST one Query request; 0 with the HTTP status and the answer, -1 with a
 * cause when none came (or the request could not be built).
 */
static int
sts_post(const struct config *cfg, time_t now, const char *action,
    const struct buf *fields, const struct sts_signer *signer, const char *who,
    long *status, struct buf *reply, char **cause)
{
	struct http_fetch_req req = {.method = "POST",
	    .connect_ms = STS_CONNECT_MS,
	    .timeout_ms = STS_TIMEOUT_MS,
	    .max = STS_REPLY_MAX,
	    .ca_bundle = config_ca_bundle(cfg)};
	struct buf body = BUF_INIT;
	struct config_url u = {0};
	char *url = NULL, *why;
	int r = -1;

	if (config_endpoint(cfg, SERVICE_STS, &url, &why) == -1 ||
	    config_url_parse(url, &u, &why) == -1) {
		xasprintf(cause, "%s: %s", who, why);
		free(why);
		goto out;
	}
	buf_printf(&body, "Action=%s&Version=" STS_VERSION "%s", action,
	    fields != NULL && fields->data != NULL ? fields->data : "");
	req.url = url;
	req.body = body.data;
	if (sts_headers(cfg, now, signer, &u, &req, &why) == -1) {
		xasprintf(cause, "%s: %s", who, why);
		free(why);
		goto out;
	}
	http_fetch_header(&req, "Expect", "");
	log_debug("%s: %s %s", who, action, url);
	if (http_fetch(&req, status, reply, &why) == -1) {
		xasprintf(cause, "%s: %s", who, why);
		free(why);
	} else
		r = 0;
out:
	http_fetch_clear(&req);
	buf_wipe(&body);
	config_url_free(&u);
	free(url);
	return (r);
}

int
sts_call(const struct config *cfg, time_t now, const char *action,
    const struct buf *fields, const struct sts_signer *signer, const char *who,
    struct sts_keys *k, char **cause)
{
	struct buf reply = BUF_INIT;
	long status;
	int r = -1;

	memset(k, 0, sizeof *k);
	if (sts_post(cfg, now, action, fields, signer, who, &status, &reply,
		cause) == 0)
		r = sts_reply(&reply, status, who, k, cause);
	buf_wipe(&reply);
	return (r);
}

int
sts_caller_identity(const struct config *cfg, time_t now,
    const struct sts_signer *c, char **arn, char **cause)
{
	struct buf reply = BUF_INIT, shown = BUF_INIT;
	const char *who = "sts:GetCallerIdentity";
	char *text = NULL;
	long status;
	int r = -1;

	*arn = NULL;
	if (sts_post(cfg, now, "GetCallerIdentity", NULL, c, who, &status,
		&reply, cause) == -1)
		goto out;
	if (status != 200 || reply.len == 0 ||
	    (text = xml_text(reply.data, reply.len, "Arn")) == NULL) {
		sts_error(&reply, status, who, cause);
		goto out;
	}
	sanitize_excerpt(&shown, text, strlen(text), STS_SHOWN_MAX);
	*arn = buf_steal(&shown);
	r = 0;
out:
	free(text);
	buf_free(&shown);
	buf_wipe(&reply);
	return (r);
}
