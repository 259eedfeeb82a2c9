/*
 * pipeline: one event's way through cwdemux, source -> classify -> store ->
 * sinks. Sources (the offline reader, later the poller) call
 * pipeline_event(); the store releases events to every sink added here.
 *
 * Released events have their MPI rank placed (rankmap.h) and pass the
 * error detector (errors.h) before the sinks, so each sink sees them
 * placed and marked.
 *
 * Ownership: the pipeline owns the sinks' states added to it (freed with
 * their own free function) and its store, classify, errors and rank map;
 * it borrows the rules.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "errors.h"
#include "rules.h"
#include "sink.h"
#include "store.h"

struct pipeline;

struct pipeline *
pipeline_new(struct rules *, enum store_order, size_t hold_limit);
void pipeline_free(struct pipeline *);

/*
 * Pass on only the events with since <= timestamp < until (ms since the
 * epoch; -1 leaves that side open), whatever the source: --since and
 * --until are exact in every mode. Events outside still count for the
 * host markers they carry.
 */
void pipeline_set_window(struct pipeline *, int64_t since, int64_t until);
/* Send released events to sink too; the pipeline takes state. */
void pipeline_add_sink(struct pipeline *, const struct sink *, void *state);
/* Fix a host's group by hand (--assign HOST=GROUP). */
void pipeline_assign(
    struct pipeline *, const char *host, size_t, const char *group, size_t);

/*
 * The stream named name, known from now on (its host is found by the
 * stream rules). Sources keep the handle: events are passed with it.
 */
struct stream *pipeline_stream(struct pipeline *, const char *name, size_t len);
/* A stream's name: raw bytes, len of them. */
const char *pipeline_stream_name(const struct stream *, size_t *len);
/* A stream's host (the same for every stream of one host), to compare. */
const void *pipeline_stream_host(const struct stream *);
/* One event of a stream. */
enum sink_status pipeline_event(struct pipeline *, struct stream *, int64_t ts,
    const char *msg, size_t len, char **cause);
/* The same, with where msg lies on disk (sink.h); at->path must live as
 * long as the pipeline. */
enum sink_status
pipeline_event_at(struct pipeline *, struct stream *, int64_t ts,
    const char *msg, size_t len, const struct out_origin *at, char **cause);
/*
 * What pipeline_event() learns first of an event in one look at its
 * bytes: whether a marker, host map or error rule may match it (the
 * rules' literal scan) and which bytes of interest it lacks (textscan.h).
 * pipeline_scan() reads only tables fixed when the rules were loaded, so
 * a reader thread may make it while the pipeline runs on another, and
 * hand the answer to pipeline_event_scanned() with the event.
 */
struct pipeline_scan {
	int may; /* rules_may_match() */
	unsigned lacks; /* textscan() */
};
void pipeline_scan(const struct pipeline *, const char *msg, size_t len,
    struct pipeline_scan *);
enum sink_status pipeline_event_scanned(struct pipeline *, struct stream *,
    int64_t ts, const char *msg, size_t len, const struct out_origin *at,
    const struct pipeline_scan *, char **cause);
/*
 * An event read only to learn from (a stream's head, read unfiltered for
 * its markers while --filter-pattern or --tail skip it): the rules see it
 * and a host it places is placed, an MPI launcher's command line in it
 * places ranks; it goes to no output. pipeline_learnt(), after a run of
 * them, releases the events they allow (after the whole run, so that
 * ranks are placed by a command line later in the same head).
 */
void
pipeline_learn(struct pipeline *, struct stream *, const char *msg, size_t len);
enum sink_status pipeline_learnt(struct pipeline *, char **cause);
/* Nothing more for now: every sink writes out what it buffered. */
enum sink_status pipeline_flush(struct pipeline *, char **cause);
/* End of input: release what is held and finish every sink. */
enum sink_status pipeline_finish(struct pipeline *, char **cause);

/*
 * Append "HOST GROUP" lines, one per host in the order first seen, with
 * "unassigned" for hosts whose group is unknown. Names are raw bytes.
 */
void pipeline_describe_hosts(const struct pipeline *, struct buf *);
/* Hosts in the group named name that at least one stream belonged to. */
int pipeline_group_hosts(const struct pipeline *, const char *name);

/* Streams held now because their host's group is not known yet. */
size_t pipeline_held_streams(const struct pipeline *);
/* The errors found so far (per group and host, the first failure). */
struct errors *pipeline_errors(struct pipeline *);

#endif
