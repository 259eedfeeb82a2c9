/*
 * scrollback: what the terminal UI can show, per instance group, bounded.
 * Every released event is split into its lines and each line is kept raw
 * (the bytes as received; they are made safe only when drawn), with its
 * time, host, stream and group. Each group keeps at most a configured
 * number of lines and bytes; past that its oldest lines are dropped and
 * counted, so a reader (the UI's export) can tell it no longer has the
 * whole job. No curses here: a benchmark can measure the memory held.
 *
 * Every line gets a sequence number, increasing in the order lines were
 * added, so views can walk one group or all groups interleaved in the
 * order they arrived, and keep their place while new lines come in.
 *
 * Ownership: the scrollback owns its lines and interned names; pointers it
 * returns live until the line is dropped (a later scrollback_add()) or
 * scrollback_free().
 */
#ifndef SCROLLBACK_H
#define SCROLLBACK_H

#include <stddef.h>
#include <stdint.h>

/* The default for --scrollback: lines kept per group. */
#define SCROLLBACK_DEFAULT_LINES 10000
/* Bytes of line text kept per group, whatever the line limit. */
#define SCROLLBACK_GROUP_BYTES ((size_t)64 << 20)

/*
 * One log line. A million of them may be held, so the members are ordered
 * to leave no padding: 56 bytes before the text.
 */
struct sb_line {
	uint64_t seq; /* order of arrival over all groups, from 1 */
	int64_t ts; /* ms since the epoch */
	const char *host; /* interned, NUL-terminated, raw bytes */
	const char *stream; /* interned */
	size_t len;
	uint32_t host_len; /* names longer than 4 GB are cut short */
	uint32_t stream_len;
	unsigned group; /* index, see scrollback_group_name() */
	unsigned cont : 1; /* continues the previous line's event */
	/* Free for marking lines (such as errors); 0 when added. */
	unsigned mark : 8;
	char text[]; /* len raw bytes, then a NUL */
};

struct scrollback;

/* lines: per group (at least 1); bytes: per group (0: the default). */
struct scrollback *scrollback_new(size_t lines, size_t bytes);
void scrollback_free(struct scrollback *);

/* Add one event, one entry per line ('\n' separated); group, host and
 * stream are copied (interned). */
void scrollback_add(struct scrollback *, const char *group, size_t group_len,
    const char *host, size_t host_len, const char *stream, size_t stream_len,
    int64_t ts, const char *msg, size_t len);

/* Groups in the order first seen. */
size_t scrollback_groups(const struct scrollback *);
const char *
scrollback_group_name(const struct scrollback *, unsigned group, size_t *len);
/* The group's index, or -1 when it has no line yet. */
int
scrollback_group_find(const struct scrollback *, const char *name, size_t len);
/* Lines held now, and lines ever added, of one group. */
size_t scrollback_group_lines(const struct scrollback *, unsigned group);
uint64_t scrollback_group_added(const struct scrollback *, unsigned group);
/* Lines of one group dropped for the limits (0: it is complete). */
uint64_t scrollback_group_dropped(const struct scrollback *, unsigned group);
/* The same over every group. */
uint64_t scrollback_dropped(const struct scrollback *);
/* Bytes of memory held for lines (text and bookkeeping; the unused ends
 * of the blocks lines are carved from are not counted). */
size_t scrollback_bytes(const struct scrollback *);
/* Set the mark of the held line numbered seq (none: nothing happens). */
void scrollback_mark(struct scrollback *, uint64_t seq, unsigned mark);
/* The sequence number of the newest line, 0 when empty. */
uint64_t scrollback_last_seq(const struct scrollback *);

/*
 * Walk lines of one group, or of all groups interleaved when group is
 * SCROLLBACK_ALL: the held line with the largest seq below before, or the
 * smallest seq above after; NULL when there is none.
 */
#define SCROLLBACK_ALL (-1)
const struct sb_line *
scrollback_prev(const struct scrollback *, int group, uint64_t before);
const struct sb_line *
scrollback_next(const struct scrollback *, int group, uint64_t after);

#endif
