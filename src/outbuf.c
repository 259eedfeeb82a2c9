/*
 * Buffered, checked writes. write(2) is used directly rather than stdio so
 * every failure is seen with its errno at the place it happens: a full disk
 * is an error naming the file, a closed pipe is a quiet stop.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbuf.h"
#include "xmalloc.h"

void
outbuf_init(struct outbuf *ob, int fd, const char *name)
{
	memset(ob, 0, sizeof *ob);
	ob->fd = fd;
	ob->name = name;
}

int
outbuf_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = 0};

	return (fd >= 0 && poll(&p, 1, 0) > 0 &&
	    (p.revents & (POLLERR | POLLHUP)) != 0);
}

enum sink_status
outbuf_flush(struct outbuf *ob, char **cause)
{
	size_t off = 0;
	ssize_t n;

	if (ob->b.len == 0 && outbuf_gone(ob->fd))
		return (SINK_CLOSED);

	while (off < ob->b.len) {
		n = write(ob->fd, ob->b.data + off, ob->b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* Keep only what was not written, so nothing is
			 * written twice if the sink is flushed again. */
			memmove(ob->b.data, ob->b.data + off, ob->b.len - off);
			ob->b.len -= off;
			ob->b.data[ob->b.len] = '\0';
			if (errno == EPIPE)
				return (SINK_CLOSED);
			xasprintf(cause,
			    "%s: write failed after %llu bytes: %s", ob->name,
			    ob->written, strerror(errno));
			ob->failed = 1;
			return (SINK_ERROR);
		}
		off += (size_t)n;
		ob->written += (size_t)n;
	}
	buf_reset(&ob->b);
	return (SINK_OK);
}

enum sink_status
outbuf_finish(struct outbuf *ob, char **cause)
{
	int failed = ob->failed;
	enum sink_status rc;

	rc = outbuf_flush(ob, cause);
	if (rc == SINK_ERROR && failed) {
		free(*cause);
		*cause = NULL;
	}
	return (rc);
}

void
outbuf_free(struct outbuf *ob)
{
	buf_free(&ob->b);
}
