/*
 * sink: the interface every output implements (lines, JSON Lines, per-group
 * files, and later the terminal UI). The store hands each released event to
 * every sink, in order; a sink never sees an event twice.
 *
 * Ownership: an out_event and its strings are valid only during the call.
 * A sink's state is created by its module's constructor and released by
 * its free function.
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>

/* What the error detector (errors.h) says of an event, for marking it. */
enum event_mark {
	EVENT_PLAIN = 0,
	EVENT_TRACE, /* carries on a multi-line error begun earlier */
	EVENT_WARNING, /* holds a warning */
	EVENT_ERROR, /* holds the first line of an error */
};

/*
 * Where an event's text lies, as is, on disk: msg is the len bytes at off
 * of the regular file path, so an output that keeps text (the UI's spool)
 * may point there instead of copying it. path NULL: nowhere (read from the
 * network, decompressed, or put together from pieces).
 */
struct out_origin {
	const char *path;
	uint64_t off;
};

/* One released event, with the group it was released under. */
struct out_event {
	int64_t timestamp; /* ms since the epoch */
	const char *group;
	size_t group_len;
	const char *host;
	size_t host_len;
	const char *stream;
	size_t stream_len;
	const char *msg; /* any bytes; lines separated by '\n' */
	size_t len;
	struct out_origin origin; /* where msg lies on disk, if it does */
	enum event_mark mark;
	/* The error (errors_at()) it starts or belongs to, or -1. */
	long error;
	/* MPI (rankmap.h): the event's first line carries rank's tag. */
	int ranked;
	unsigned rank;
	/* host is the rank's own host, as the launcher placed it; 0: host is
	 * the carrier below, and the rank's host is unknown. */
	int rank_placed;
	/* ranked: the host whose stream carried the event (the MPI master). */
	const char *via;
	size_t via_len;
	/* TEXT_ bits (textscan.h): bytes msg is known to lack; 0: none. */
	unsigned lacks;
};

/* What a sink's functions return. */
enum sink_status {
	SINK_OK = 0,
	SINK_ERROR = -1, /* cause is set; the run fails */
	SINK_CLOSED = 1, /* the reader went away (EPIPE): stop quietly */
};

struct sink {
	const char *name;
	enum sink_status (*event)(
	    void *state, const struct out_event *, char **cause);
	/* End of input: flush, write summaries. */
	/* Nothing more for now (a followed job is quiet): write out what
	 * is buffered, so a reader sees it. May be NULL. */
	enum sink_status (*flush)(void *state, char **cause);
	enum sink_status (*finish)(void *state, char **cause);
	void (*free)(void *state);
};

#endif
