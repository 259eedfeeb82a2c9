/*
 * cwlogs: the CloudWatch Logs calls cwdemux makes, as pure functions:
 * request bodies in, parsed responses out. DescribeLogStreams (paged, 50
 * a page), GetLogEvents (forward tokens, from the head) and
 * FilterLogEvents (up to 100 named streams or a prefix, with eventId),
 * DescribeLogGroups (for a group's ARN) and StartLiveTail (its request,
 * and its sessionUpdate messages, parsed as pages of events).
 *
 * Event pages (up to 1 MB and 10,000 events, messages up to 1 MB) are
 * parsed with yajl's streaming callbacks into one flat page, not a tree.
 * A truncated or malformed body is an error for that page; nothing of it
 * is handed out. "nextToken": null is the same as no token.
 *
 * Ownership: bodies are returned for the caller to free; a page owns its
 * events and strings until cwlogs_page_reset() or cwlogs_page_free().
 */
#ifndef CWLOGS_H
#define CWLOGS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* One event of a page; strings are offsets into the page's text. */
struct cwlogs_event {
	int64_t timestamp; /* ms */
	int64_t ingestion; /* ms, 0 when absent */
	size_t msg, msg_len;
	size_t stream, stream_len; /* FilterLogEvents only */
	size_t id, id_len; /* FilterLogEvents only */
};

struct cwlogs_page {
	struct cwlogs_event *v;
	size_t n, cap;
	struct buf text;
	char *next; /* nextForwardToken or nextToken; NULL: none */
	int sampled; /* a Live Tail update said sessionMetadata.sampled */
};

/* One stream of a DescribeLogStreams page. */
struct cwlogs_stream {
	char *name;
	int64_t creation, first_event, last_event, last_ingestion;
};

/* Request bodies. NULL or negative arguments are left out. */
char *cwlogs_describe_streams_body(
    const char *group, const char *prefix, const char *token);
char *cwlogs_get_events_body(const char *group, const char *stream,
    const char *token, int64_t start_time, int64_t end_time, int limit);
/*
 * GetLogEvents without startFromHead: the newest limit events of the
 * stream in the window, and a forward token to go on from after them.
 */
char *cwlogs_tail_body(const char *group, const char *stream,
    int64_t start_time, int64_t end_time, int limit);
char *cwlogs_filter_body(const char *group, const char *prefix,
    const char *const *streams, size_t nstreams, const char *pattern,
    int64_t start_time, int64_t end_time, const char *token, int limit);

char *cwlogs_describe_groups_body(const char *prefix);
/* StartLiveTail of one group's streams whose names begin with prefix. */
/* StartLiveTail; pattern (--filter-pattern) may be NULL. */
char *cwlogs_live_tail_body(
    const char *group_arn, const char *prefix, const char *pattern);

/*
 * Parse a GetLogEvents or FilterLogEvents answer, or the payload of a Live
 * Tail sessionUpdate (its sessionResults are the events), into page
 * (reset first).
 */
int cwlogs_parse_events(
    const char *body, size_t len, struct cwlogs_page *, char **cause);
void cwlogs_page_reset(struct cwlogs_page *);
void cwlogs_page_free(struct cwlogs_page *);
static inline const char *
cwlogs_str(const struct cwlogs_page *p, size_t off)
{
	return (p->text.data + off);
}

/* Parse a DescribeLogStreams answer; the caller frees with the function. */
int cwlogs_parse_streams(const char *body, size_t len,
    struct cwlogs_stream **streams, size_t *n, char **next, char **cause);
void cwlogs_streams_free(struct cwlogs_stream *, size_t);

/*
 * The ARN of the log group named group (exactly) in a DescribeLogGroups
 * answer, without the ":*" some forms end in, as StartLiveTail wants it.
 */
int cwlogs_parse_group_arn(
    const char *body, size_t len, const char *group, char **arn, char **cause);

#endif
