/*
 * outbuf: buffered writing to a file descriptor with every error checked.
 * Sinks build their output in the buffer and flush it in large writes.
 *
 * Ownership: an outbuf owns its buffer, not its descriptor.
 */
#ifndef OUTBUF_H
#define OUTBUF_H

#include "buf.h"
#include "sink.h"

#define OUTBUF_FLUSH_AT (64 * 1024)

struct outbuf {
	int fd;
	const char *name; /* for messages: "standard output", a path */
	struct buf b;
	unsigned long long written; /* bytes that reached the descriptor */
	int failed; /* a write failed, and said so in a cause */
};

void outbuf_init(struct outbuf *, int fd, const char *name);
/*
 * Write everything buffered; SINK_CLOSED on EPIPE, or, when nothing is
 * buffered, when the reader went away (outbuf_gone()).
 */
enum sink_status outbuf_flush(struct outbuf *, char **cause);
/*
 * Nonzero when fd's reader went away (a pipe or socket, poll says POLLERR
 * or POLLHUP). Writing would say it with EPIPE, but a quiet follow writes
 * nothing: "cwdemux JOB | grep -m1 x" must still stop once grep has.
 */
int outbuf_gone(int fd);
/* Flush when the buffer is large enough to be worth a write. Every
 * event of every output asks: inline, a call only to write. */
static inline enum sink_status
outbuf_maybe_flush(struct outbuf *ob, char **cause)
{
	if (ob->b.len < OUTBUF_FLUSH_AT)
		return (SINK_OK);
	return (outbuf_flush(ob, cause));
}
/*
 * The last flush, for a sink's finish. A descriptor that failed before
 * fails again the same way: then SINK_ERROR without a cause, since the
 * first failure's cause said it (main shows each failure once).
 */
enum sink_status outbuf_finish(struct outbuf *, char **cause);
void outbuf_free(struct outbuf *);

#endif
