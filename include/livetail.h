/*
 * livetail: CloudWatch Logs Live Tail for one job, kept open. It finds the
 * log group's ARN (DescribeLogGroups), starts a StartLiveTail session for
 * the job's stream prefix, decodes the event stream as it arrives and
 * hands each second's update to its owner. A session that ends (after 3
 * hours, SessionTimeoutException), breaks (a reset, a frame that fails
 * its CRC, an exception or error message, a stall) or cannot start is
 * followed by another after a back-off; the owner is told of the gap, so
 * it can read what the session may have missed by other means. Refusals
 * (AccessDeniedException; LimitExceededException while the account's
 * sessions are used up) are told once as a warning: the owner goes on
 * without Live Tail, and only the session quota is tried again, slowly.
 *
 * Live Tail samples: an update marked sampled carries only 500 of that
 * second's events. Its events carry no event id.
 *
 * Ownership: livetail_new() copies the group, prefix and pattern and borrows aws
 * and the hooks. The page given to the update hook is valid only during
 * the call.
 */
#ifndef LIVETAIL_H
#define LIVETAIL_H

#include <stdint.h>

#include "aws.h"
#include "cwlogs.h"

/* Under 1 byte a second for this long ends a session (updates come every
 * second). */
#define LIVETAIL_STALL_SECONDS 10

enum livetail_state {
	LIVETAIL_OFF, /* not started, or stopped */
	LIVETAIL_CONNECTING, /* finding the ARN, or waiting for sessionStart */
	LIVETAIL_LIVE, /* updates arrive */
	LIVETAIL_WAITING, /* the session ended; another starts after a pause */
	LIVETAIL_REFUSED, /* denied for good: no Live Tail this run */
};

struct livetail_hooks {
	/*
	 * One update: the events (stream, timestamp, ingestion time and
	 * message of each; no ids) and page->sampled.
	 */
	void (*update)(void *arg, const struct cwlogs_page *);
	/*
	 * A live session is gone: events ingested after since_ms (the wall
	 * clock, ms, when the last whole update arrived) may be missing.
	 */
	void (*gap)(void *arg, int64_t since_ms);
	/* The state changed; why is a warning for the user, or NULL. */
	void (*state)(void *arg, enum livetail_state, const char *why);
	void *arg;
};

struct livetail_stats {
	uint64_t sessions; /* sessions started (sessionStart seen) */
	uint64_t updates;
	uint64_t events;
	uint64_t sampled; /* updates marked sampled */
	uint64_t breaks; /* sessions that ended other than by timeout */
	uint64_t bytes; /* of event stream received */
};

struct livetail;

struct livetail *livetail_new(struct aws *, const char *group,
    const char *prefix, const char *pattern, const struct livetail_hooks *);
/* Ends the session, without calling the hooks. */
void livetail_free(struct livetail *);

/* Start following (now); a refused Live Tail stays refused. */
void livetail_start(struct livetail *);
/* Stop following: the session is closed; the hooks are not called. */
void livetail_stop(struct livetail *);

/*
 * The loop's turn: start a session when one is due. Returns the next
 * deadline (monotonic ms) or -1. Not from inside a callback of aws.
 */
int64_t livetail_step(struct livetail *, int64_t now_ms);

enum livetail_state livetail_state(const struct livetail *);
const struct livetail_stats *livetail_stats(const struct livetail *);

#endif
