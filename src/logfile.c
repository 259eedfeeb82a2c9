/*
 * Reading events from files. input.c gives each file's bytes, gzip or
 * plain, within the descriptor budget. Lines are found with memchr in a
 * read buffer and used in place; only a line that spans two reads is
 * copied. A line that ends in CR LF loses the CR, so a marker does not
 * name the group "eval_group\r".
 *
 * An event ends where the next one starts, so the reader always looks one
 * line ahead: the line that starts event N+1 is kept in the second of two
 * buffers while event N is handed out from the first.
 *
 * A file that cannot be read or decompressed ends where it fails: what it
 * gave before stays, the stream goes on with its next file, and the error
 * waits in failed for logfile_failed().
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "input.h"
#include "isotime.h"
#include "log.h"
#include "logfile.h"
#include "xmalloc.h"

struct logfile {
	char *stream;
	char **paths;
	size_t npaths;
	size_t next_path; /* the next file to open */
	struct input_pool *pool;
	struct input *in; /* the file being read, or NULL */
	int64_t mtime; /* its modification time, in ms */
	char *failed; /* why the last file failed, until taken */

	char *chunk; /* read buffer */
	size_t chunk_size, pos, fill;
	struct buf part; /* a line spanning reads */
	int warned_long;

	struct buf ev[2]; /* event being built, and the next one */
	int cur;
	int64_t ts[2];
	int have_cur; /* ev[cur] holds an event */
	int next_ready; /* ev[!cur] starts the next event */
	int timestamped; /* this stream's lines carry times */
	int done;
};

struct logfile *
logfile_open(const char *stream, char *const *paths, size_t n, size_t bufsize,
    struct input_pool *pool)
{
	struct logfile *lf;
	size_t i;

	lf = xcalloc(1, sizeof *lf);
	lf->stream = xstrdup(stream);
	lf->paths = xreallocarray(NULL, n, sizeof *lf->paths);
	for (i = 0; i < n; i++)
		lf->paths[i] = xstrdup(paths[i]);
	lf->npaths = n;
	lf->pool = pool;
	lf->chunk_size = bufsize;
	lf->chunk = xmalloc(bufsize);
	return (lf);
}

void
logfile_close(struct logfile *lf)
{
	size_t i;

	if (lf == NULL)
		return;
	input_free(lf->in);
	free(lf->failed);
	for (i = 0; i < lf->npaths; i++)
		free(lf->paths[i]);
	free(lf->paths);
	free(lf->chunk);
	buf_free(&lf->part);
	buf_free(&lf->ev[0]);
	buf_free(&lf->ev[1]);
	free(lf->stream);
	free(lf);
}

const char *
logfile_stream(const struct logfile *lf)
{
	return (lf->stream);
}

char *
logfile_failed(struct logfile *lf)
{
	char *failed = lf->failed;

	lf->failed = NULL;
	return (failed);
}

/*
 * Refill the read buffer: 1, or FILL_FILE_END when a file ended (a line
 * never spans two files), or 0 at the end of the last file, or
 * LOGFILE_STOPPED. A file that fails ends there (see failed).
 */
#define FILL_FILE_END 2

static int
fill(struct logfile *lf)
{
	char *cause = NULL;
	ssize_t n;

	if (lf->in == NULL) {
		if (lf->next_path == lf->npaths)
			return (0);
		lf->in = input_new(lf->pool, lf->paths[lf->next_path++]);
	}
	n = input_read(lf->in, lf->chunk, lf->chunk_size, &cause);
	if (n > 0) {
		lf->mtime = input_mtime_ms(lf->in);
		lf->pos = 0;
		lf->fill = (size_t)n;
		return (1);
	}
	if (n == INPUT_STOPPED)
		return (LOGFILE_STOPPED);
	if (n == INPUT_ERROR) {
		/* Only the first error waits; the caller takes each. */
		if (lf->failed == NULL)
			lf->failed = cause;
		else
			free(cause);
	}
	input_free(lf->in);
	lf->in = NULL;
	return (lf->next_path == lf->npaths ? 0 : FILL_FILE_END);
}

/*
 * The next line, without its newline. A line of a file that does not end
 * in a newline still counts; a line longer than LOGFILE_LINE_MAX is cut.
 */
static int
read_line(struct logfile *lf, const char **line, size_t *len)
{
	char *nl;
	size_t n;
	int rc;

	buf_reset(&lf->part);
	for (;;) {
		if (lf->pos == lf->fill) {
			rc = fill(lf);
			if (rc < 0)
				return (rc);
			if (rc == 0 || rc == FILL_FILE_END) {
				/* A last line without its newline still counts. */
				if (lf->part.len > 0)
					break;
				if (rc == 0)
					return (0);
				continue;
			}
		}
		n = lf->fill - lf->pos;
		nl = memchr(lf->chunk + lf->pos, '\n', n);
		if (nl != NULL && lf->part.len == 0) {
			*line = lf->chunk + lf->pos;
			*len = (size_t)(nl - *line);
			lf->pos += *len + 1;
			*len -= *len > 0 && (*line)[*len - 1] == '\r';
			return (1);
		}
		if (nl != NULL)
			n = (size_t)(nl - (lf->chunk + lf->pos));
		buf_add(&lf->part, lf->chunk + lf->pos, n);
		lf->pos += n + (nl != NULL);
		if (nl != NULL)
			break;
		if (lf->part.len >= LOGFILE_LINE_MAX) {
			if (!lf->warned_long++)
				log_warn("%s: line longer than %d MB cut into "
					 "several events",
				    input_path(lf->in), LOGFILE_LINE_MAX >> 20);
			break;
		}
	}
	*line = lf->part.data;
	*len = lf->part.len;
	*len -= *len > 0 && (*line)[*len - 1] == '\r';
	return (1);
}

/* Start event slot i with a line's message. */
static void
start_event(struct logfile *lf, int i, int64_t ts, const char *msg, size_t len)
{
	buf_reset(&lf->ev[i]);
	buf_add(&lf->ev[i], msg, len);
	lf->ts[i] = ts;
}

int
logfile_next(struct logfile *lf, int64_t *ts, const char **msg, size_t *len)
{
	const char *line;
	size_t n, used;
	int64_t t;
	int rc;

	if (lf->next_ready) {
		lf->cur = !lf->cur;
		lf->have_cur = 1;
		lf->next_ready = 0;
	} else
		lf->have_cur = 0;
	while (!lf->done) {
		if ((rc = read_line(lf, &line, &n)) < 0)
			return (rc);
		if (rc == 0) {
			lf->done = 1;
			break;
		}
		if (isotime_parse(line, n, &t, &used) == 0 &&
		    (used == n || line[used] == ' ' || line[used] == '\t')) {
			lf->timestamped = 1;
			used += used < n;
		} else if (lf->timestamped && lf->have_cur &&
		    lf->ev[lf->cur].len + n < LOGFILE_LINE_MAX) {
			buf_addc(&lf->ev[lf->cur], '\n');
			buf_add(&lf->ev[lf->cur], line, n);
			continue;
		} else if (n == 0)
			continue;
		else {
			/* An event past the size cap goes on in a new one. */
			t = lf->timestamped && lf->have_cur ? lf->ts[lf->cur]
							    : lf->mtime;
			used = 0;
		}
		if (!lf->have_cur) {
			start_event(lf, lf->cur, t, line + used, n - used);
			lf->have_cur = 1;
			continue;
		}
		start_event(lf, !lf->cur, t, line + used, n - used);
		lf->next_ready = 1;
		break;
	}
	if (!lf->have_cur)
		return (0);
	*ts = lf->ts[lf->cur];
	*msg = lf->ev[lf->cur].data;
	*len = lf->ev[lf->cur].len;
	return (1);
}
