/*
 * http: HTTPS requests through libcurl's multi interface, so many run at
 * once inside the single event loop without threads or blocking calls.
 * Connections are reused, compressed responses accepted, and every
 * request has connect and stall timeouts and a bounded response size.
 *
 * Ownership: http_post() copies the URL, headers and body. The response
 * passed to the callback is valid only during the callback.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "sigv4.h"

struct http;

struct http_response {
	long status; /* 0 when no HTTP answer came */
	const char *body; /* NUL-terminated */
	size_t len;
	time_t date; /* the Date header, 0 if none */
	const char *request_id; /* x-amzn-RequestId, or "" */
	const char *error; /* transport failure, or NULL */
	double seconds; /* time taken */
};

typedef void (*http_done_fn)(void *arg, const struct http_response *);
/* A piece of a streamed 2xx body; nonzero stops the transfer. */
typedef int (*http_data_fn)(void *arg, const char *data, size_t len);

/* ca_bundle may be NULL (the system's). NULL with cause on failure. */
struct http *http_new(const char *ca_bundle, char **cause);
void http_free(struct http *);

/* Start a POST; done is called exactly once, from http_process(). */
int http_post(struct http *, const char *url, const struct sigv4_header *,
    size_t nheaders, const char *body, size_t len, http_done_fn done, void *arg,
    char **cause);

/*
 * Start a POST whose 2xx body is handed to data piece by piece as it
 * arrives (an answer of another status is kept whole for done). There is
 * no total timeout: the transfer fails when under 1 byte/s arrives for
 * stall_seconds. done is called exactly once, after the last piece, with
 * an empty body for a 2xx answer; if data stopped the transfer, with the
 * error "stopped by the reader".
 */
int
http_post_stream(struct http *, const char *url, const struct sigv4_header *,
    size_t nheaders, const char *body, size_t len, int stall_seconds,
    http_data_fn data, http_done_fn done, void *arg, char **cause);

/*
 * Drop the transfers whose callback argument is arg without calling
 * their callbacks. Not from inside a callback of this http.
 */
void http_cancel(struct http *, void *arg);

/*
 * The loop's one wait: sleep until a transfer needs work, one of the
 * extra descriptors is readable, or timeout_ms passes.
 */
int http_wait(struct http *, int timeout_ms, struct curl_waitfd *extra,
    unsigned nextra, char **cause);
/* Move transfers on and call the callbacks of those that finished. */
int http_process(struct http *, char **cause);

/*
 * One request outside the multi, for the credential providers: it blocks
 * until it ends, within connect_ms and timeout_ms (creds.h says why the
 * chain may block). TLS is verified (with ca_bundle, when set), redirects
 * are not followed, the reply is at most max bytes. Headers are "Name:
 * value" lines the request owns: http_fetch_header() adds one,
 * http_fetch_clear() wipes (they may hold tokens) and frees them.
 */
struct http_fetch_req {
	const char *method; /* "GET", "PUT" or "POST" */
	const char *url;
	char **headers;
	size_t nheaders;
	const char *body; /* POST only */
	long connect_ms;
	long timeout_ms;
	size_t max;
	const char *ca_bundle; /* or NULL */
};

/* Nonzero when s can be sent as a header's token: printable ASCII, no
 * space, not empty. */
int http_header_token_ok(const char *s);
void http_fetch_header(struct http_fetch_req *, const char *, const char *);
void http_fetch_clear(struct http_fetch_req *);
/* 0 with the HTTP status and reply; -1 with cause when no answer came. */
int http_fetch(const struct http_fetch_req *, long *status, struct buf *reply,
    char **cause);

#endif
