/*
 * classify: learn which instance group every host is in. Streams map to
 * hosts by stream rules (a restarted container's new stream is the same
 * host); hosts map to groups by marker and hostmap rules applied to the log
 * text, or by hand (--assign). The first assignment of a host stands; a
 * later, different one is reported as a conflict naming both sources.
 *
 * Ownership: struct classify owns every struct host and struct group; the
 * pointers it hands out live until classify_free(). It borrows the rules.
 */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* The longest group name accepted from logs, in characters. */
#define CLASSIFY_GROUP_MAX 64
/* The name under which streams of unknown hosts are released. */
#define CLASSIFY_UNASSIGNED "unassigned"

struct classify;
struct host;
struct group;

/* Called each time a host gets its group. */
typedef void (*classify_assigned_fn)(void *arg, struct host *);

struct classify *classify_new(struct rules *, classify_assigned_fn, void *);
void classify_free(struct classify *);

/* Fix a host's group by hand; it outranks everything the logs say. */
void classify_assign(struct classify *, const char *host, size_t host_len,
    const char *group, size_t group_len);

/* Warn about --assign hosts that no stream belonged to (at the end). */
void classify_check_assignments(const struct classify *);

/*
 * The host a stream belongs to, by the first stream rule that matches its
 * name; a stream no rule matches is a host of its own, named like it.
 */
struct host *classify_stream(struct classify *, const char *stream, size_t len);

/*
 * Apply the rules to one event of a stream of host self. line is the
 * number, within the stream, of the event's first line (for messages).
 * Returns the number of lines in the event.
 */
uint64_t classify_event(struct classify *, struct host *self,
    const char *stream, uint64_t line, const char *msg, size_t len);

/*
 * The same for an event no marker or hostmap rule can match (the caller
 * knows it from rules_may_match(), and counts its lines): it may only
 * join a pretty-printed block.
 */
void classify_plain_event(struct classify *, struct host *self, uint64_t line,
    const char *msg, size_t len);

const char *classify_host_name(const struct host *, size_t *len);
/* The host's group, or NULL while it is unknown. */
struct group *classify_host_group(const struct host *);
const char *classify_group_name(const struct group *, size_t *len);
/* The group "unassigned" (a group like the others for sinks). */
struct group *classify_unassigned(struct classify *);

/* Hosts in the order first seen, for summaries; NULL past the end. */
struct host *classify_host_at(const struct classify *, size_t);

/* How many streams of this host were seen. */
unsigned classify_host_streams(const struct host *);

#endif
