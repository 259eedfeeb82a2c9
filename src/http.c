/*
 * The transport. One CURLM holds every transfer; http_wait() is the only
 * place the event loop sleeps (curl_multi_poll with the loop's
 * descriptors), and http_process() reaps finished transfers and calls
 * their callbacks. http_fetch() is the one exception, a blocking request
 * for the credential providers, bounded by its timeouts (creds.h says why
 * credentials are fetched that way). TLS verification is libcurl's
 * default and is never turned off.
 *
 * A streamed transfer (http_post_stream) differs in two ways: while the
 * answer's status is 2xx its body goes to the data callback as it arrives
 * instead of into the response buffer, and it has no total timeout, only
 * the stall limit its caller chose (a stream lasts hours).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "http.h"
#include "xmalloc.h"

#define HTTP_CONNECT_TIMEOUT_MS 10000
/* A transfer that moves under 1 byte/s for this long is stalled. */
#define HTTP_STALL_SECONDS 30
#define HTTP_TOTAL_TIMEOUT_MS 120000
#define HTTP_MAX_RESPONSE (64 * 1024 * 1024)

struct transfer {
	CURL *easy;
	struct curl_slist *headers;
	char *body; /* the request body, kept until done */
	struct buf response;
	time_t date;
	char request_id[128];
	int too_large;
	char errbuf[CURL_ERROR_SIZE];
	http_done_fn done;
	http_data_fn data; /* streamed: the body's 2xx pieces, else NULL */
	int stopped; /* data asked to stop */
	void *arg;
	struct transfer *prev, *next; /* in flight */
};

struct http {
	CURLM *multi;
	char *ca_bundle;
	struct transfer *transfers; /* in flight */
};

static int curl_initialised;

struct http *
http_new(const char *ca_bundle, char **cause)
{
	struct http *h;

	if (!curl_initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			xasprintf(cause, "libcurl failed to initialise");
			return (NULL);
		}
		curl_initialised = 1;
	}
	h = xcalloc(1, sizeof *h);
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		xasprintf(cause, "libcurl failed to initialise");
		return (NULL);
	}
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	if (ca_bundle != NULL)
		h->ca_bundle = xstrdup(ca_bundle);
	return (h);
}

static void
transfer_free(struct transfer *t)
{
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->body);
	buf_free(&t->response);
	free(t);
}

static void
unlink_transfer(struct http *h, struct transfer *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		h->transfers = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
}

void
http_free(struct http *h)
{
	struct transfer *t;

	if (h == NULL)
		return;
	/* Transfers still in flight are abandoned without their callbacks. */
	while ((t = h->transfers) != NULL) {
		unlink_transfer(h, t);
		curl_multi_remove_handle(h->multi, t->easy);
		transfer_free(t);
	}
	curl_multi_cleanup(h->multi);
	free(h->ca_bundle);
	free(h);
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	long status = 0;

	if (t->data != NULL) {
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			if (t->data(t->arg, data, n) != 0) {
				t->stopped = 1;
				return (0);
			}
			return (n);
		}
	}
	if (t->response.len + n > HTTP_MAX_RESPONSE) {
		t->too_large = 1;
		return (0);
	}
	buf_add(&t->response, data, n);
	(void)size;
	return (n);
}

/* Keep the Date and request-id headers; the rest is not needed. */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = n, vlen;
	const char *v;
	char date[64];

	(void)size;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len > 5 && strncasecmp(data, "date:", 5) == 0) {
		for (v = data + 5; v < data + len && *v == ' '; v++)
			;
		vlen = (size_t)(data + len - v);
		if (vlen < sizeof date) {
			memcpy(date, v, vlen);
			date[vlen] = '\0';
			t->date = curl_getdate(date, NULL);
			if (t->date < 0)
				t->date = 0;
		}
	} else if (len > 17 &&
	    strncasecmp(data, "x-amzn-requestid:", 17) == 0) {
		for (v = data + 17; v < data + len && *v == ' '; v++)
			;
		vlen = (size_t)(data + len - v);
		if (vlen >= sizeof t->request_id)
			vlen = sizeof t->request_id - 1;
		memcpy(t->request_id, v, vlen);
		t->request_id[vlen] = '\0';
	}
	return (n);
}

static void
set_options(struct http *h, struct transfer *t, const char *url, size_t len,
    long stall_seconds)
{
	CURL *e = t->easy;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
	    e, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    t->data != NULL ? 0L : (long)HTTP_TOTAL_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, stall_seconds);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "cwdemux/" CWDEMUX_VERSION);
	if (h->ca_bundle != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_bundle);
}

static int
post(struct http *h, const char *url, const struct sigv4_header *hdrs,
    size_t nheaders, const char *body, size_t len, long stall_seconds,
    http_data_fn data, http_done_fn done, void *arg, char **cause)
{
	struct transfer *t;
	struct curl_slist *l;
	char *line;
	size_t i;

	t = xcalloc(1, sizeof *t);
	if ((t->easy = curl_easy_init()) == NULL) {
		free(t);
		xasprintf(cause, "libcurl could not start a transfer");
		return (-1);
	}
	for (i = 0; i < nheaders; i++) {
		xasprintf(&line, "%s: %s", hdrs[i].name, hdrs[i].value);
		l = curl_slist_append(t->headers, line);
		free(line);
		if (l == NULL)
			xalloc_failed("libcurl header list");
		t->headers = l;
	}
	/* libcurl would add "Expect: 100-continue" to large bodies. */
	if ((l = curl_slist_append(t->headers, "Expect:")) == NULL)
		xalloc_failed("libcurl header list");
	t->headers = l;
	t->body = xmemdup(body, len);
	t->done = done;
	t->data = data;
	t->arg = arg;
	set_options(h, t, url, len, stall_seconds);
	if (curl_multi_add_handle(h->multi, t->easy) != CURLM_OK) {
		transfer_free(t);
		xasprintf(cause, "libcurl could not start a transfer");
		return (-1);
	}
	t->next = h->transfers;
	if (t->next != NULL)
		t->next->prev = t;
	h->transfers = t;
	return (0);
}

int
http_post(struct http *h, const char *url, const struct sigv4_header *hdrs,
    size_t nheaders, const char *body, size_t len, http_done_fn done, void *arg,
    char **cause)
{
	return (post(h, url, hdrs, nheaders, body, len, HTTP_STALL_SECONDS,
	    NULL, done, arg, cause));
}

int
http_post_stream(struct http *h, const char *url,
    const struct sigv4_header *hdrs, size_t nheaders, const char *body,
    size_t len, int stall_seconds, http_data_fn data, http_done_fn done,
    void *arg, char **cause)
{
	return (post(h, url, hdrs, nheaders, body, len, (long)stall_seconds,
	    data, done, arg, cause));
}

void
http_cancel(struct http *h, void *arg)
{
	struct transfer *t, *next;

	for (t = h->transfers; t != NULL; t = next) {
		next = t->next;
		if (t->arg != arg)
			continue;
		unlink_transfer(h, t);
		curl_multi_remove_handle(h->multi, t->easy);
		transfer_free(t);
	}
}

int
http_wait(struct http *h, int timeout_ms, struct curl_waitfd *extra,
    unsigned nextra, char **cause)
{
	CURLMcode rc;

	rc = curl_multi_poll(h->multi, extra, nextra, timeout_ms, NULL);
	if (rc != CURLM_OK) {
		xasprintf(cause, "waiting for the network: %s",
		    curl_multi_strerror(rc));
		return (-1);
	}
	return (0);
}

static void
finish(struct http *h, struct transfer *t, CURLcode result)
{
	struct http_response r;

	memset(&r, 0, sizeof r);
	buf_reserve(&t->response, 0);
	r.body = t->response.data;
	r.len = t->response.len;
	r.date = t->date;
	r.request_id = t->request_id;
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &r.seconds);
	if (t->too_large)
		r.error = "response larger than 64 MB";
	else if (t->stopped)
		r.error = "stopped by the reader";
	else if (result != CURLE_OK)
		r.error = t->errbuf[0] != '\0' ? t->errbuf
					       : curl_easy_strerror(result);
	else
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
	unlink_transfer(h, t);
	curl_multi_remove_handle(h->multi, t->easy);
	t->done(t->arg, &r);
	transfer_free(t);
}

int
http_process(struct http *h, char **cause)
{
	struct transfer *t;
	CURLMsg *msg;
	CURLMcode rc;
	int running, left;

	if ((rc = curl_multi_perform(h->multi, &running)) != CURLM_OK) {
		xasprintf(cause, "network: %s", curl_multi_strerror(rc));
		return (-1);
	}
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(
		    msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		finish(h, t, msg->data.result);
	}
	return (0);
}

/* The reply of a blocking fetch, bounded. */
struct fetch_reply {
	struct buf *b;
	size_t max;
};

static size_t
fetch_write(char *data, size_t size, size_t n, void *arg)
{
	struct fetch_reply *r = arg;

	n *= size;
	if (r->b->len + n > r->max)
		return (0);
	buf_add(r->b, data, n);
	return (n);
}

static int
fetch_setup(CURL *e, const struct http_fetch_req *req, struct curl_slist *hl,
    struct fetch_reply *reply, char *errbuf)
{
	const char *ca = req->ca_bundle;
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
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write) != CURLE_OK;
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

int
http_fetch(const struct http_fetch_req *req, long *status, struct buf *reply,
    char **cause)
{
	struct fetch_reply fr = {reply, req->max};
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
	if (fetch_setup(e, req, hl, &fr, errbuf) == -1)
		rc = CURLE_FAILED_INIT;
	else if ((rc = curl_easy_perform(e)) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
out:
	curl_slist_free_all(hl);
	curl_easy_cleanup(e);
	if (rc == CURLE_OK)
		return (0);
	if (rc == CURLE_WRITE_ERROR)
		xasprintf(cause, "%s %s: the reply is larger than %zu KB",
		    req->method, req->url, req->max / 1024);
	else
		xasprintf(cause, "%s %s: %s", req->method, req->url,
		    *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
	return (-1);
}

void
http_fetch_header(
    struct http_fetch_req *req, const char *name, const char *value)
{
	req->headers = xreallocarray(
	    req->headers, req->nheaders + 1, sizeof *req->headers);
	xasprintf(&req->headers[req->nheaders++], "%s: %s", name, value);
}

void
http_fetch_clear(struct http_fetch_req *req)
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

int
http_header_token_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (*s <= ' ' || *s >= 0x7f)
			return (0);
	}
	return (1);
}
