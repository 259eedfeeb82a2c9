/*
 * aws: one signed JSON 1.1 call to an AWS service, with retries. Every
 * attempt is signed afresh. Throttling, 5xx and network failures are
 * retried with exponential backoff and full jitter, a bounded number of
 * times; an expired token refreshes the credentials and a clock-skew
 * error corrects the signing clock from the server's Date header, each
 * retried once. Errors are classified by AWS's error code, not only by
 * the HTTP status, and reach the caller as one sentence: the operation,
 * AWS's code and message, and a hint (the IAM action that is missing).
 *
 * Ownership: aws_call() copies what it needs. The result given to the
 * callback is valid only during it. The client borrows config, creds and
 * http.
 */
#ifndef AWS_H
#define AWS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "creds.h"
#include "http.h"

enum aws_error {
	AWS_OK,
	AWS_THROTTLED, /* retries used up while throttled */
	AWS_TRANSIENT, /* 5xx or network, retries used up */
	AWS_NOT_FOUND, /* ResourceNotFoundException and the like */
	AWS_DENIED, /* the IAM policy does not allow it */
	AWS_CREDENTIALS, /* unknown key, bad secret, no credentials */
	AWS_CLIENT, /* any other error of the request */
};

struct aws_result {
	enum aws_error error;
	const char *body; /* AWS_OK: the response, NUL-terminated */
	size_t len;
	const char *code; /* AWS's error code, or "" */
	const char *cause; /* not AWS_OK: a sentence for the user */
};

typedef void (*aws_done_fn)(void *arg, const struct aws_result *);

struct aws;

/* AWS's error code and message from an error body, cut to fit. */
struct aws_err {
	char code[128]; /* "ThrottlingException", or "HTTP 400" */
	char message[512]; /* or "" */
};

/*
 * Parse an error response (JSON, or the XML moto sometimes sends). body
 * must be NUL-terminated at len, as http responses are.
 */
void
aws_parse_error(long status, const char *body, size_t len, struct aws_err *);

/* Resolves the region and endpoints; NULL with cause when it cannot. */
struct aws *aws_new(
    const struct config *, struct creds_chain *, struct http *, char **cause);
void aws_free(struct aws *);

/*
 * Call service's operation (e.g. SERVICE_LOGS, "GetLogEvents") with a JSON
 * body; done is called exactly once, from http_process() or aws_tick().
 */
void aws_call(struct aws *, enum config_service, const char *operation,
    const char *body, aws_done_fn done, void *arg);

/*
 * Call a streaming operation (StartLiveTail, SERVICE_LOGS: sent to the
 * stream endpoint) whose 2xx answer goes to data piece by piece as it
 * arrives, with no total timeout and the stall limit given (see
 * http_post_stream). done is called once at the end: AWS_OK with an empty
 * body when the stream closed cleanly, else the refusal or the network
 * error that broke it. Throttling and 5xx are not retried: the caller
 * owns its reconnection policy.
 */
void aws_stream(struct aws *, enum config_service, const char *operation,
    const char *body, int stall_seconds, http_data_fn data, aws_done_fn done,
    void *arg);

/*
 * Drop the calls whose callback argument is arg, without calling their
 * callbacks. Not from inside a callback of this client.
 */
void aws_cancel(struct aws *, void *arg);

/*
 * fn is told of every answer, each attempt's (retries too, network
 * failures as answers that were not throttling): the operation, and
 * whether the service throttled it. For adaptive request rates.
 */
typedef void (*aws_answer_fn)(void *arg, const char *operation, int throttled);
void aws_on_answer(struct aws *, aws_answer_fn, void *arg);
/*
 * fn says whether a retry of operation may be sent at now (1), or else
 * (0) lowers *deadline to when it may: a retry takes its turn from the
 * same request budget as a first attempt, as every attempt does in
 * botocore's adaptive mode. Retries that fn holds wait in the list of
 * retries; without fn they go when their backoff ends.
 */
typedef int (*aws_gate_fn)(
    void *arg, const char *operation, int64_t now, int64_t *deadline);
void aws_set_gate(struct aws *, aws_gate_fn, void *arg);
/* The Region requests go to. */
const char *aws_region(const struct aws *);

/* When the next retry is due (monotonic ms), or -1. */
int64_t aws_next_deadline(const struct aws *);
/* Start the retries that are due and that the gate lets go. */
void aws_tick(struct aws *, int64_t now_ms);

/* At most n attempts of a call, whatever failed (--check asks once). */
void aws_set_attempts(struct aws *, unsigned n);

/* Counters for status lines and benchmarks. */
struct aws_stats {
	uint64_t requests;
	uint64_t throttled;
	uint64_t retries;
};
const struct aws_stats *aws_stats(const struct aws *);

#endif
