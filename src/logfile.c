/*
 * Reading events from files. input.c gives each file's bytes, gzip or
 * plain, within the descriptor budget. Each file is sniffed on its first
 * read buffer and read in its format: the line formats (export, tail,
 * tail-short) here, JSON by logjson.c.
 *
 * Lines are found with memchr in a read buffer and used in place; only a
 * line that spans two reads is copied. A line that ends in CR LF loses the
 * CR, so a marker does not name the group "eval_group\r". Of a plain file,
 * where each message lies is kept while its bytes are the file's own (one
 * line, or lines joined by the file's own newlines), for outputs that can
 * point there instead of copying (the UI's spool).
 *
 * An event ends where the next one starts, so the line reader always
 * looks one line ahead: the line that starts event N+1 is kept in the
 * second of two slots while event N is handed out from the first.
 *
 * A file that cannot be read, decompressed or parsed ends where it fails:
 * what it gave before stays, the stream goes on with its next file, and
 * the error waits in failed for logfile_failed().
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "input.h"
#include "isotime.h"
#include "log.h"
#include "logfile.h"
#include "logjson.h"
#include "xmalloc.h"

static const char *const format_names[] = {
    [LOGFILE_AUTO] = "auto",
    [LOGFILE_EXPORT] = "export",
    [LOGFILE_TAIL] = "tail",
    [LOGFILE_TAIL_SHORT] = "tail-short",
    [LOGFILE_JSON] = "json",
};

/*
 * An event being built from lines. Its message is used where it lies in
 * the read buffer while it can be (one line, or lines that follow each
 * other there), and copied to msg only when the buffer is refilled or
 * the lines are not contiguous.
 */
struct slot {
	const char *p; /* the message: in the read buffer, or msg.data */
	size_t len;
	int in_chunk;
	struct buf msg;
	struct buf stream; /* tail: the stream the line named */
	int64_t ts;
	int64_t at; /* the file offset of p's bytes, or -1 */
};

struct logfile {
	char *stream;
	char **paths;
	size_t npaths;
	size_t next_path; /* the next file to open */
	struct input_pool *pool;
	enum logfile_format forced; /* LOGFILE_AUTO: sniff each file */
	char *failed; /* why a file failed, until taken */

	/* The file being read. */
	struct input *in; /* NULL between files */
	enum logfile_format fmt;
	int file_done; /* its bytes are all read (or it failed) */
	int file_failed;
	int64_t mtime; /* its modification time, in ms */
	unsigned long long lineno;
	struct logjson *json;

	char *chunk; /* read buffer */
	size_t chunk_size, pos, fill;
	int in_place; /* the bytes read are the file's own (input_in_place) */
	int64_t chunk_at; /* the file offset of chunk[0] */
	int64_t line_at; /* of the line read_line() gave, or -1 */
	struct buf part; /* a line spanning reads */
	int line_in_chunk; /* the line read_line() gave is in chunk */
	int warned_long;

	struct slot ev[2]; /* event being built, and the next one */
	int cur;
	int have_cur; /* ev[cur] holds an event */
	int next_ready; /* ev[!cur] starts the next event */
	int timestamped; /* this stream's lines carry times */
	struct isotime_memo memo; /* the second its last time was in */
};

int
logfile_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcmp(name, format_names[i]) == 0)
			return ((int)i);
	return (-1);
}

const char *
logfile_format_name(enum logfile_format f)
{
	return (format_names[f]);
}

struct logfile *
logfile_open(const char *stream, char *const *paths, size_t n, size_t bufsize,
    struct input_pool *pool, enum logfile_format forced)
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
	lf->forced = forced;
	lf->chunk_size = bufsize;
	lf->chunk = xmalloc(bufsize);
	return (lf);
}

static void
end_file(struct logfile *lf)
{
	input_free(lf->in);
	lf->in = NULL;
	logjson_free(lf->json);
	lf->json = NULL;
	lf->file_done = lf->file_failed = 0;
	lf->pos = lf->fill = 0;
	lf->chunk_at = 0;
	lf->in_place = 0;
	lf->lineno = 0;
	buf_reset(&lf->part);
}

void
logfile_close(struct logfile *lf)
{
	size_t i;

	if (lf == NULL)
		return;
	end_file(lf);
	free(lf->failed);
	for (i = 0; i < lf->npaths; i++)
		free(lf->paths[i]);
	free(lf->paths);
	free(lf->chunk);
	buf_free(&lf->part);
	for (i = 0; i < 2; i++) {
		buf_free(&lf->ev[i].msg);
		buf_free(&lf->ev[i].stream);
	}
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

/* The file being read failed: cause (owned) says why; it ends here. */
static void
fail_file(struct logfile *lf, char *cause)
{
	/* Only the first error waits; the caller takes each. */
	if (lf->failed == NULL)
		lf->failed = cause;
	else
		free(cause);
	lf->file_done = lf->file_failed = 1;
}

/*
 * Refill the read buffer: 1, or 0 when the file ended (or failed), or
 * LOGFILE_STOPPED.
 */
static int
fill(struct logfile *lf)
{
	char *cause = NULL;
	ssize_t n;

	if (lf->file_done)
		return (0);
	n = input_read(lf->in, lf->chunk, lf->chunk_size, &cause);
	if (n > 0) {
		lf->chunk_at += (int64_t)lf->fill;
		lf->pos = 0;
		lf->fill = (size_t)n;
		lf->in_place = input_in_place(lf->in);
		return (1);
	}
	if (n == INPUT_STOPPED)
		return (LOGFILE_STOPPED);
	if (n == INPUT_ERROR)
		fail_file(lf, cause);
	lf->file_done = 1;
	return (0);
}

/* Copy a slot's message out of the read buffer. */
static void
slot_keep(struct slot *sl)
{
	if (!sl->in_chunk)
		return;
	buf_reset(&sl->msg);
	buf_add(&sl->msg, sl->p, sl->len);
	sl->p = sl->msg.data;
	sl->in_chunk = 0;
}

/* Set a slot's message to n bytes at p (in the read buffer or not). */
static void
slot_set(struct slot *sl, const char *p, size_t n, int in_chunk)
{
	sl->at = -1;
	if (in_chunk) {
		sl->p = p;
		sl->len = n;
		sl->in_chunk = 1;
		return;
	}
	buf_reset(&sl->msg);
	buf_add(&sl->msg, p, n);
	sl->p = sl->msg.data;
	sl->len = n;
	sl->in_chunk = 0;
}

/* Add a line (at line_at in the file, or -1) to a slot's message after a
 * newline: the message stays the file's own bytes when the line follows
 * its last one after a bare newline. */
static void
slot_append(
    struct slot *sl, const char *line, size_t n, int in_chunk, int64_t line_at)
{
	if (sl->at < 0 || line_at < 0 ||
	    sl->at + (int64_t)sl->len + 1 != line_at)
		sl->at = -1;
	/* The next line of the buffer, right after this one's newline. */
	if (sl->in_chunk && in_chunk && sl->p + sl->len + 1 == line &&
	    sl->p[sl->len] == '\n') {
		sl->len += 1 + n;
		return;
	}
	slot_keep(sl);
	buf_addc(&sl->msg, '\n');
	buf_add(&sl->msg, line, n);
	sl->p = sl->msg.data;
	sl->len = sl->msg.len;
}

/*
 * The next line, without its newline: 1, or 0 at the end of the file, or
 * LOGFILE_STOPPED. A last line without a newline still counts; a line
 * longer than LOGFILE_LINE_MAX is cut.
 */
static int
read_line(struct logfile *lf, const char **line, size_t *len)
{
	char *nl;
	size_t n;
	int rc;

	/* Per line: the call only when a line spanned reads. */
	if (lf->part.len > 0)
		buf_reset(&lf->part);
	lf->line_at = lf->in_place ? lf->chunk_at + (int64_t)lf->pos : -1;
	for (;;) {
		if (lf->pos == lf->fill) {
			/* The buffer is about to be overwritten. */
			slot_keep(&lf->ev[0]);
			slot_keep(&lf->ev[1]);
			if ((rc = fill(lf)) < 0)
				return (rc);
			if (rc == 0) {
				if (lf->part.len > 0)
					break;
				return (0);
			}
		}
		n = lf->fill - lf->pos;
		nl = memchr(lf->chunk + lf->pos, '\n', n);
		if (nl != NULL && lf->part.len == 0) {
			*line = lf->chunk + lf->pos;
			*len = (size_t)(nl - *line);
			lf->pos += *len + 1;
			*len -= *len > 0 && (*line)[*len - 1] == '\r';
			lf->line_in_chunk = 1;
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
	lf->line_in_chunk = 0;
	return (1);
}

/* The start of an event line, as a format reads it. */
struct start {
	int64_t ts;
	size_t stream, stream_len; /* tail: where the stream is */
	size_t msg; /* where the message starts */
};

/* An ISO 8601 time followed by a space, a tab or the end: its length. */
static size_t
time_at(struct isotime_memo *memo, const char *line, size_t n, int64_t *ts)
{
	size_t used;

	if (isotime_parse_memo(memo, line, n, ts, &used) != 0 ||
	    (used < n && line[used] != ' ' && line[used] != '\t'))
		return (0);
	return (used);
}

/* Python's isoformat() with an offset: ...[.ffffff]+HH:MM, as tail says. */
static int
is_isoformat_offset(const char *t, size_t used)
{
	return (used >= 25 && (t[used - 6] == '+' || t[used - 6] == '-') &&
	    t[used - 3] == ':');
}

/* Does line start an event of format fmt? Fills st when it does. */
static int
line_starts(struct isotime_memo *memo, enum logfile_format fmt,
    const char *line, size_t n, struct start *st)
{
	const char *sp;
	size_t used;

	if ((used = time_at(memo, line, n, &st->ts)) == 0)
		return (0);
	st->stream_len = 0;
	if (fmt != LOGFILE_TAIL) {
		st->msg = used + (used < n);
		return (1);
	}
	/* TIME STREAM MESSAGE: the time with an offset, the stream one
	 * word. */
	if (!is_isoformat_offset(line, used) || used + 1 >= n ||
	    line[used] != ' ' || line[used + 1] == ' ')
		return (0);
	st->stream = used + 1;
	sp = memchr(line + st->stream, ' ', n - st->stream);
	st->stream_len = (sp == NULL ? n : (size_t)(sp - line)) - st->stream;
	st->msg = st->stream + st->stream_len + (sp != NULL);
	return (1);
}

/* The format of a file from its first bytes. */
static enum logfile_format
sniff(const char *p, size_t n)
{
	struct isotime_memo memo = {.valid = 0};
	struct start st;
	const char *nl;
	int64_t ts;
	size_t used, i = 0;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n &&
	    (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return (LOGFILE_JSON);
	nl = memchr(p, '\n', n);
	n = nl == NULL ? n : (size_t)(nl - p);
	if ((used = time_at(&memo, p, n, &ts)) == 0)
		return (LOGFILE_EXPORT);
	if (line_starts(&memo, LOGFILE_TAIL, p, n, &st))
		return (LOGFILE_TAIL);
	/* YYYY-MM-DDThh:mm:ss, no fraction and no zone. */
	if (used == 19 && used < n && p[used] == ' ')
		return (LOGFILE_TAIL_SHORT);
	return (LOGFILE_EXPORT);
}

/*
 * Open the next file and read its first buffer: 1, or 0 when it gave
 * nothing (empty, or failed), or LOGFILE_STOPPED.
 */
static int
open_file(struct logfile *lf)
{
	const char *path = lf->paths[lf->next_path++];
	char *cause = NULL;
	int rc;

	lf->in = input_new(lf->pool, path);
	if ((rc = fill(lf)) <= 0)
		return (rc);
	lf->mtime = input_mtime_ms(lf->in);
	lf->fmt = lf->forced != LOGFILE_AUTO ? lf->forced
					     : sniff(lf->chunk, lf->fill);
	log_debug("%s: read as %s", path, format_names[lf->fmt]);
	if (lf->fmt == LOGFILE_TAIL_SHORT)
		log_warn("%s: \"aws logs tail --format short\" output names no "
			 "stream: read as one stream, whose hosts cannot be "
			 "told apart (save with --format detailed)",
		    path);
	if (lf->fmt == LOGFILE_JSON) {
		lf->json = logjson_new();
		if (logjson_feed(lf->json, lf->chunk, lf->fill, &cause) != 0) {
			char *named;

			xasprintf(&named, "%s: %s", path, cause);
			free(cause);
			fail_file(lf, named);
		}
		lf->pos = lf->fill;
	}
	return (1);
}

/* Start slot i with a line's event. */
static void
start_event(struct logfile *lf, int i, const struct start *st, const char *line,
    size_t n)
{
	struct slot *s = &lf->ev[i];

	slot_set(s, line + st->msg, n - st->msg, lf->line_in_chunk);
	if (lf->line_at >= 0)
		s->at = lf->line_at + (int64_t)st->msg;
	if (s->stream.len > 0)
		buf_reset(&s->stream);
	if (st->stream_len > 0)
		buf_add(&s->stream, line + st->stream, st->stream_len);
	s->ts = st->ts;
}

/* A forced format meets a first line it cannot read: the file fails. */
static void
does_not_fit(struct logfile *lf)
{
	char *cause;

	xasprintf(&cause,
	    "%s line %llu: not %s input (--from-format %s wants a line that "
	    "starts with %s)",
	    input_path(lf->in), lf->lineno, format_names[lf->fmt],
	    format_names[lf->fmt],
	    lf->fmt == LOGFILE_TAIL ? "a time, a space and a stream name"
				    : "a time");
	fail_file(lf, cause);
}

/* The next event of the file being read in a line format: 1, 0 or stop. */
static int
lines_next(struct logfile *lf, struct logfile_event *ev)
{
	struct start st;
	const char *line;
	size_t n;
	int rc, cont;

	if (lf->next_ready) {
		lf->cur = !lf->cur;
		lf->have_cur = 1;
		lf->next_ready = 0;
	} else
		lf->have_cur = 0;
	while (!lf->file_done) {
		if ((rc = read_line(lf, &line, &n)) < 0)
			return (rc);
		if (rc == 0)
			break;
		lf->lineno++;
		if (line_starts(&lf->memo, lf->fmt, line, n, &st))
			lf->timestamped = 1;
		else if (lf->forced != LOGFILE_AUTO && !lf->have_cur &&
		    lf->lineno == 1) {
			does_not_fit(lf);
			break;
		} else {
			cont = lf->timestamped || lf->fmt == LOGFILE_TAIL;
			if (cont && lf->have_cur &&
			    lf->ev[lf->cur].len + n < LOGFILE_LINE_MAX) {
				slot_append(&lf->ev[lf->cur], line, n,
				    lf->line_in_chunk, lf->line_at);
				continue;
			}
			if (n == 0)
				continue;
			/* An event past the size cap goes on in a new one,
			 * with the same time and stream. */
			st.ts = cont && lf->have_cur ? lf->ev[lf->cur].ts
						     : lf->mtime;
			st.msg = 0;
			st.stream_len = 0;
			if (cont && lf->have_cur &&
			    lf->ev[lf->cur].stream.len > 0) {
				struct slot *s = &lf->ev[!lf->cur];

				start_event(lf, !lf->cur, &st, line, n);
				buf_add(&s->stream, lf->ev[lf->cur].stream.data,
				    lf->ev[lf->cur].stream.len);
				lf->next_ready = 1;
				break;
			}
		}
		if (!lf->have_cur) {
			start_event(lf, lf->cur, &st, line, n);
			lf->have_cur = 1;
			continue;
		}
		start_event(lf, !lf->cur, &st, line, n);
		lf->next_ready = 1;
		break;
	}
	if (!lf->have_cur)
		return (0);
	ev->ts = lf->ev[lf->cur].ts;
	ev->msg = lf->ev[lf->cur].p;
	ev->len = lf->ev[lf->cur].len;
	ev->stream =
	    lf->ev[lf->cur].stream.len > 0 ? lf->ev[lf->cur].stream.data : NULL;
	ev->stream_len = lf->ev[lf->cur].stream.len;
	ev->id = NULL;
	ev->id_len = 0;
	ev->at = lf->ev[lf->cur].at;
	ev->file = lf->next_path - 1;
	return (1);
}

/* The next event of a JSON file: 1, 0 or stop. */
static int
json_next(struct logfile *lf, struct logfile_event *ev)
{
	struct logjson_event je;
	char *cause = NULL, *named;
	int rc;

	for (;;) {
		if (logjson_next(lf->json, &je)) {
			ev->ts = je.ts;
			ev->msg = je.msg;
			ev->len = je.len;
			ev->stream = je.stream;
			ev->stream_len = je.stream_len;
			ev->id = je.id;
			ev->id_len = je.id_len;
			ev->at = -1;
			ev->file = lf->next_path - 1;
			return (1);
		}
		if (lf->file_done)
			return (0);
		if ((rc = fill(lf)) < 0)
			return (rc);
		if (rc == 0) {
			if (!lf->file_failed &&
			    logjson_end(lf->json, &cause) != 0)
				goto failed;
			log_debug("%s: %s", input_path(lf->in),
			    logjson_kind(lf->json));
			continue;
		}
		lf->pos = lf->fill;
		if (logjson_feed(lf->json, lf->chunk, lf->fill, &cause) != 0)
			goto failed;
	}

failed:
	xasprintf(&named, "%s: %s", input_path(lf->in), cause);
	free(cause);
	fail_file(lf, named);
	return (json_next(lf, ev));
}

int
logfile_next(struct logfile *lf, struct logfile_event *ev)
{
	int rc;

	for (;;) {
		if (lf->in == NULL) {
			if (lf->next_path == lf->npaths)
				return (0);
			if ((rc = open_file(lf)) < 0)
				return (rc);
			if (rc == 0) {
				end_file(lf);
				continue;
			}
		}
		rc = lf->fmt == LOGFILE_JSON ? json_next(lf, ev)
					     : lines_next(lf, ev);
		if (rc != 0)
			return (rc);
		end_file(lf);
	}
}
