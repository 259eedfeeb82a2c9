/*
 * Per-group files. Files are opened lazily (a group may appear late) with
 * O_NOFOLLOW relative to a descriptor of DIR, so neither a hostile group
 * name nor a symbolic link planted in DIR can send output elsewhere. At
 * most EXPORT_MAX_OPEN files stay open; others are closed and reopened for
 * appending, since hostile logs can invent any number of groups.
 *
 * The manifest is written last, to a temporary name, synced and renamed,
 * so a manifest that exists is complete. After a write error no manifest
 * is written at all: the files are kept (each holds its group's lines up
 * to the error), but nothing claims they are whole.
 *
 * A resumable export (export_resume(), the --export option) also keeps
 * its resume state in DIR (export_state.h). It is written here at
 * checkpoints, after the files it names are synced, so it never claims
 * bytes a crash could lose. The directory is locked (flock(2)) while a
 * resumable export runs in it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "export.h"
#include "export_state.h"
#include "hash.h"
#include "isotime.h"
#include "json.h"
#include "outbuf.h"
#include "sanitize.h"
#include "strmap.h"
#include "xmalloc.h"

#define EXPORT_MAX_OPEN 64
#define EXPORT_NAME_MAX 200
#define EXPORT_NAME_CUT 180
#define MANIFEST "manifest.json"
#define MANIFEST_TMP "manifest.json.tmp"
/* Checkpoints while events stream in: after this many bytes or ms. */
#define CHECKPOINT_BYTES (16ULL * 1024 * 1024)
#define CHECKPOINT_MS 5000
/* ... and on a flush (a quiet moment) at most this often. */
#define CHECKPOINT_FLUSH_MS 1000
/* The clock is read for a checkpoint once in this many events. */
#define CHECKPOINT_CLOCK_EVERY 64

/* A set of names (hosts or streams) seen in a group. */
struct nameset {
	struct strmap *map;
	const char **v;
	size_t n, cap;
};

struct gfile {
	char *group;
	size_t group_len;
	char *file; /* encoded name, in DIR */
	char *path; /* DIR/file, for messages */
	struct outbuf out;
	int opened; /* created (truncated) once already */
	unsigned long long size; /* bytes written or buffered */
	int dirty; /* written since the last sync */
	unsigned long long events, lines;
	int64_t first, last;
	struct nameset hosts, streams;
	unsigned long long used; /* for closing the least recent */
};

/*
 * What is known of a stream, found by the address of its name: the group
 * and host of its last event, which that group's name sets hold already,
 * and the host's text for the line prefix. (An MPI rank's line names the
 * rank's host, not the stream's: the host is compared too.) Events merged
 * by time switch stream at almost every line, and two name-set lookups
 * and a sanitized host for each were a third of --export's time.
 */
struct sent {
	const char *stream; /* NULL: an empty entry */
	const char *group; /* added to this group's name sets; NULL: none */
	const char *host; /* likewise, and what host_text is of */
	const char *via; /* the master host_text names, or NULL */
	struct buf host_text; /* as host_text() writes it */
	struct spos *pos; /* its resume state's handle, or NULL */
};

struct export
{
	char *dir;
	int dirfd;
	struct strmap *groups; /* group name -> struct gfile */
	struct gfile **v;
	size_t n, cap;
	int nopen;
	unsigned long long clock;
	const char *last_group; /* cache: interned upstream */
	struct gfile *last;
	struct buf prefix; /* "TIME HOST " of the current event */
	/* Streams by the address of their name, when names are interned
	 * (the pipeline's); open addressing, at most half full. */
	int interned;
	struct sent *sv;
	size_t ssize, sn;
	/* The time text of the last event's second, reused for the next
	 * events of that second (only the milliseconds change). */
	int64_t ts_sec; /* -1: none */
	char ts[ISOTIME_LEN + 1];
	unsigned ticks; /* events since the clock was read */
	const struct errors *errors;
	char *error; /* the first write error, once there was one */
	int complete; /* the manifest says the run read everything */
	unsigned long long withheld; /* held events left for a resumed run */

	/* Resuming (export_resume()): positions and checkpoints. */
	struct export_state *state; /* NULL: not resumable */
	unsigned long long ckpt_bytes; /* CHECKPOINT_BYTES, or from env */
	unsigned long long since_ckpt; /* bytes since the last checkpoint */
	int64_t ckpt_at; /* clock_mono_ms() of the last checkpoint */
};

static const char hexdigits[] = "0123456789ABCDEF";

void
export_file_name(struct buf *b, const char *group, size_t len)
{
	const unsigned char *p = (const unsigned char *)group;
	size_t start = b->len, i;
	uint64_t h;

	/* "%" is never followed by ".log" in any other name. */
	if (len == 0)
		buf_addc(b, '%');
	for (i = 0; i < len; i++) {
		if ((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
		    p[i] == '-' || (p[i] == '.' && i > 0))
			buf_addc(b, (char)p[i]);
		else {
			buf_addc(b, '%');
			buf_addc(b, hexdigits[p[i] >> 4]);
			buf_addc(b, hexdigits[p[i] & 15]);
		}
	}
	if (b->len - start > EXPORT_NAME_MAX) {
		b->len = start + EXPORT_NAME_CUT;
		/* Never cut an escape in half. */
		if (b->data[b->len - 1] == '%')
			b->len -= 1;
		else if (b->data[b->len - 2] == '%')
			b->len -= 2;
		h = hash_fnv1a(group, len);
		buf_printf(b, "~%016llx", (unsigned long long)h);
	}
	buf_adds(b, ".log");
}

static void
nameset_add(struct nameset *s, const char *name, size_t len)
{
	if (s->map == NULL)
		s->map = strmap_new();
	if (strmap_get(s->map, name, len) != NULL)
		return;
	s->v = xgrow(s->v, s->n, &s->cap, 8, sizeof *s->v);
	s->v[s->n] = strmap_put(s->map, name, len, (void *)1);
	s->n++;
}

static void
nameset_free(struct nameset *s)
{
	strmap_free(s->map);
	free(s->v);
}

void *
export_new(const char *dir, const struct errors *errors, char **cause)
{
	struct export *ex;
	int fd;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		xasprintf(
		    cause, "export directory %s: %s", dir, strerror(errno));
		return (NULL);
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		xasprintf(
		    cause, "export directory %s: %s", dir, strerror(errno));
		return (NULL);
	}
	ex = xcalloc(1, sizeof *ex);
	ex->errors = errors;
	ex->dir = xstrdup(dir);
	ex->dirfd = fd;
	ex->groups = strmap_new();
	ex->complete = 1;
	ex->interned = 1;
	ex->ts_sec = -1;
	return (ex);
}

/*
 * Two groups whose names were cut to the same hash (a hostile log can
 * make FNV collide) must not share a file: add "~2", "~3"... before ".log".
 */
static void
unique_name(struct export *ex, struct buf *name)
{
	struct buf try = BUF_INIT;
	size_t i, stem = name->len - 4;
	int n = 1, taken;

	do {
		taken = 0;
		buf_reset(&try);
		buf_add(&try, name->data, stem);
		if (n > 1)
			buf_printf(&try, "~%d", n);
		buf_adds(&try, ".log");
		for (i = 0; i < ex->n && !taken; i++)
			taken = strcmp(ex->v[i]->file, try.data) == 0;
		n++;
	} while (taken);
	buf_reset(name);
	buf_add(name, try.data, try.len);
	buf_free(&try);
}

/* A new group whose file is named file (taken). */
static struct gfile *
gfile_add(struct export *ex, const char *group, size_t len, char *file)
{
	struct gfile *g;

	g = xcalloc(1, sizeof *g);
	g->group = xmemdup(group, len);
	g->group_len = len;
	g->file = file;
	xasprintf(&g->path, "%s/%s", ex->dir, g->file);
	outbuf_init(&g->out, -1, g->path);
	strmap_put(ex->groups, group, len, g);
	ex->v = xgrow(ex->v, ex->n, &ex->cap, 8, sizeof *ex->v);
	ex->v[ex->n++] = g;
	return (g);
}

static struct gfile *
gfile_get(struct export *ex, const char *group, size_t len)
{
	struct gfile *g;
	struct buf name = BUF_INIT;

	if ((g = strmap_get(ex->groups, group, len)) != NULL)
		return (g);
	export_file_name(&name, group, len);
	unique_name(ex, &name);
	return (gfile_add(ex, group, len, buf_steal(&name)));
}

static enum sink_status
gfile_close(struct export *ex, struct gfile *g, char **cause)
{
	enum sink_status rc;

	if (g->out.fd < 0)
		return (SINK_OK);
	rc = outbuf_flush(&g->out, cause);
	if (close(g->out.fd) != 0 && rc == SINK_OK) {
		xasprintf(cause, "%s: %s", g->path, strerror(errno));
		rc = SINK_ERROR;
	}
	g->out.fd = -1;
	ex->nopen--;
	return (rc);
}

/* Close the least recently used file to stay under EXPORT_MAX_OPEN. */
static enum sink_status
make_room(struct export *ex, char **cause)
{
	struct gfile *lru = NULL;
	size_t i;

	if (ex->nopen < EXPORT_MAX_OPEN)
		return (SINK_OK);
	for (i = 0; i < ex->n; i++)
		if (ex->v[i]->out.fd >= 0 &&
		    (lru == NULL || ex->v[i]->used < lru->used))
			lru = ex->v[i];
	return (gfile_close(ex, lru, cause));
}

static enum sink_status
gfile_open(struct export *ex, struct gfile *g, char **cause)
{
	enum sink_status rc;
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;

	if ((rc = make_room(ex, cause)) != SINK_OK)
		return (rc);
	flags |= g->opened ? O_APPEND : O_TRUNC;
	if ((g->out.fd = openat(ex->dirfd, g->file, flags, 0666)) < 0) {
		xasprintf(cause, "%s: %s", g->path, strerror(errno));
		return (SINK_ERROR);
	}
	g->opened = 1;
	ex->nopen++;
	return (SINK_OK);
}

static enum sink_status
gfile_maybe_flush(struct export *ex, struct gfile *g, char **cause)
{
	enum sink_status rc;

	if (g->out.b.len < OUTBUF_FLUSH_AT)
		return (SINK_OK);
	if (g->out.fd < 0 && (rc = gfile_open(ex, g, cause)) != SINK_OK)
		return (rc);
	return (outbuf_flush(&g->out, cause));
}

/* Remember the first error; every later call fails with it. */
static enum sink_status
failed(struct export *ex, enum sink_status rc, char **cause)
{
	if (rc == SINK_ERROR && ex->error == NULL)
		ex->error = xstrdup(*cause);
	return (rc);
}

static enum sink_status checkpoint(struct export *, char **);

/* The clock is read once in CHECKPOINT_CLOCK_EVERY events: a checkpoint
 * due by time waits for a few more events, or for the next flush. */
static int
checkpoint_due(struct export *ex)
{
	if (ex->state == NULL || ex->since_ckpt == 0)
		return (0);
	if (ex->since_ckpt >= ex->ckpt_bytes)
		return (1);
	if (++ex->ticks < CHECKPOINT_CLOCK_EVERY)
		return (0);
	ex->ticks = 0;
	return (clock_mono_ms() - ex->ckpt_at >= CHECKPOINT_MS);
}

/* A placed MPI rank's event that the master's stream carried. */
static int
forwarded(const struct out_event *ev)
{
	return (ev->ranked && ev->rank_placed && ev->via != NULL &&
	    (ev->via_len != ev->host_len ||
		memcmp(ev->via, ev->host, ev->host_len) != 0));
}

/* A host name as a field, its '<' escaped too (the forwarding mark). */
static void
host_field(struct buf *b, const char *host, size_t len)
{
	const char *p = host, *end = host + len, *lt;

	if (len == 0) {
		sanitize_field(b, host, len);
		return;
	}
	while (p < end) {
		lt = memchr(p, '<', (size_t)(end - p));
		if (lt != p)
			sanitize_field(
			    b, p, (size_t)((lt != NULL ? lt : end) - p));
		if (lt == NULL)
			break;
		buf_adds(b, "\\x3c");
		p = lt + 1;
	}
}

static size_t
sent_slot(const char *stream, size_t size)
{
	uint64_t k = (uint64_t)(uintptr_t)stream * 0x9e3779b97f4a7c15ULL;

	return ((size_t)(k >> 32) & (size - 1));
}

/* The entry of stream, made empty on first sight. */
static struct sent *
sent_get(struct export *ex, const char *stream)
{
	struct sent *old = ex->sv;
	size_t i, j, n = ex->ssize;

	for (i = n == 0 ? 0 : sent_slot(stream, n);
	     n > 0 && ex->sv[i].stream != NULL; i = (i + 1) & (n - 1))
		if (ex->sv[i].stream == stream)
			return (&ex->sv[i]);
	if (2 * (ex->sn + 1) > n) {
		ex->ssize = n == 0 ? 64 : 2 * n;
		ex->sv = xcalloc(ex->ssize, sizeof *ex->sv);
		for (i = 0; i < n; i++) {
			if (old[i].stream == NULL)
				continue;
			j = sent_slot(old[i].stream, ex->ssize);
			while (ex->sv[j].stream != NULL)
				j = (j + 1) & (ex->ssize - 1);
			ex->sv[j] = old[i];
		}
		free(old);
		return (sent_get(ex, stream));
	}
	ex->sn++;
	ex->sv[i].stream = stream;
	return (&ex->sv[i]);
}

/* export_state_seen(), through the stream's handle when there is an
 * entry e. */
static int
state_seen(struct export *ex, struct sent *e, const struct out_event *ev)
{
	if (e == NULL)
		return (
		    export_state_seen(ex->state, ev->stream, ev->stream_len));
	if (e->pos == NULL)
		e->pos =
		    export_state_stream(ex->state, ev->stream, ev->stream_len);
	return (export_state_seen_at(ex->state, e->pos));
}

/* The host part of the line prefix: "HOST ", or "HOST<MASTER ". */
static void
host_text(struct buf *b, const struct out_event *ev)
{
	host_field(b, ev->host, ev->host_len);
	if (forwarded(ev)) {
		buf_addc(b, '<');
		host_field(b, ev->via, ev->via_len);
	}
	buf_addc(b, ' ');
}

/* An event's host and stream into its group's name sets, and its host
 * text into the line prefix; e: the stream's entry, or NULL when names
 * are not interned. */
static void
add_names(struct export *ex, struct gfile *g, struct sent *e,
    const struct out_event *ev)
{
	const char *via;

	if (e == NULL) {
		nameset_add(&g->hosts, ev->host, ev->host_len);
		nameset_add(&g->streams, ev->stream, ev->stream_len);
		host_text(&ex->prefix, ev);
		return;
	}
	if (e->group != ev->group || e->host != ev->host) {
		nameset_add(&g->hosts, ev->host, ev->host_len);
		nameset_add(&g->streams, ev->stream, ev->stream_len);
		e->group = ev->group;
	}
	via = forwarded(ev) ? ev->via : NULL;
	if (e->host != ev->host || e->via != via || e->host_text.len == 0) {
		buf_reset(&e->host_text);
		host_text(&e->host_text, ev);
		e->host = ev->host;
		e->via = via;
	}
	buf_add(&ex->prefix, e->host_text.data, e->host_text.len);
}

/* An event's time, as isotime_format() writes it. */
static void
time_text(struct export *ex, int64_t ms, char ts[ISOTIME_LEN + 1])
{
	int64_t sec = ms / 1000;
	unsigned m = (unsigned)(ms % 1000);

	if (ms < 0 || sec != ex->ts_sec) {
		isotime_format(ms, ts);
		/* Only a formatted time's milliseconds can be changed. */
		if (ms >= 0 && ts[0] != '0') {
			memcpy(ex->ts, ts, sizeof ex->ts);
			ex->ts_sec = sec;
		}
		return;
	}
	memcpy(ts, ex->ts, sizeof ex->ts);
	ts[20] = (char)('0' + m / 100);
	ts[21] = (char)('0' + m / 10 % 10);
	ts[22] = (char)('0' + m % 10);
}

static enum sink_status
export_event(void *state, const struct out_event *ev, char **cause)
{
	struct export *ex = state;
	struct sent *e = NULL;
	struct gfile *g;
	struct buf *b;
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;
	char ts[ISOTIME_LEN + 1];
	size_t before;
	enum sink_status rc;

	if (ex->error != NULL) {
		*cause = xstrdup(ex->error);
		return (SINK_ERROR);
	}
	if (ex->interned)
		e = sent_get(ex, ev->stream);
	if (ex->state != NULL && state_seen(ex, e, ev))
		return (SINK_OK);
	/*
	 * Once a resumable run is known to stop early, what still comes was
	 * held (its host unknown, or waiting behind one): the resumed run
	 * writes it where it belongs, so it is not written now as
	 * "unassigned". Each stream's written events stay a prefix.
	 */
	if (ex->state != NULL && !ex->complete) {
		export_state_unsee(ex->state);
		ex->withheld++;
		return (SINK_OK);
	}
	if (ev->group == ex->last_group)
		g = ex->last;
	else {
		g = gfile_get(ex, ev->group, ev->group_len);
		ex->last_group = ev->group;
		ex->last = g;
	}
	g->used = ++ex->clock;
	if (g->events == 0 || ev->timestamp < g->first)
		g->first = ev->timestamp;
	if (g->events == 0 || ev->timestamp > g->last)
		g->last = ev->timestamp;
	g->events++;

	/*
	 * Every line of the event gets the event's "TIME HOST " prefix; a
	 * line an MPI rank's host sent through the master's stream, "TIME
	 * HOST<MASTER ".
	 */
	time_text(ex, ev->timestamp, ts);
	buf_reset(&ex->prefix);
	buf_add(&ex->prefix, ts, ISOTIME_LEN);
	buf_addc(&ex->prefix, ' ');
	add_names(ex, g, e, ev);
	b = &g->out.b;
	before = b->len;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		buf_add(b, ex->prefix.data, ex->prefix.len);
		buf_add(b, p, (size_t)((nl != NULL ? nl : end) - p));
		buf_addc(b, '\n');
		g->lines++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	g->size += b->len - before;
	ex->since_ckpt += b->len - before;
	g->dirty = 1;
	rc = gfile_maybe_flush(ex, g, cause);
	if (rc == SINK_OK && checkpoint_due(ex))
		rc = checkpoint(ex, cause);
	return (failed(ex, rc, cause));
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

static int
gfile_cmp(const void *a, const void *b)
{
	const struct gfile *ga = *(const struct gfile *const *)a;
	const struct gfile *gb = *(const struct gfile *const *)b;
	size_t n =
	    ga->group_len < gb->group_len ? ga->group_len : gb->group_len;
	int c;

	if ((c = memcmp(ga->group, gb->group, n)) != 0)
		return (c);
	return (
	    ga->group_len < gb->group_len ? -1 : ga->group_len > gb->group_len);
}

static void
manifest_names(struct buf *b, const char *key, struct nameset *s)
{
	size_t i;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, name_cmp);
	buf_printf(b, ",\n      \"%s\": [", key);
	for (i = 0; i < s->n; i++) {
		buf_adds(b, i == 0 ? "" : ", ");
		json_add_string(b, s->v[i], strlen(s->v[i]));
	}
	buf_addc(b, ']');
}

/* The manifest, groups sorted by name, names within a group sorted. */
static void
manifest_build(struct export *ex, struct buf *b)
{
	struct gfile *g;
	size_t i;

	if (ex->n > 1)
		qsort(ex->v, ex->n, sizeof *ex->v, gfile_cmp);
	buf_printf(b,
	    "{\n  \"generator\": \"cwdemux %s\",\n  \"complete\": %s,"
	    "\n  \"groups\": [",
	    CWDEMUX_VERSION, ex->complete ? "true" : "false");
	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		buf_adds(b,
		    i == 0 ? "\n    {\n      \"name\": "
			   : ",\n    {\n      \"name\": ");
		if (json_add_string(b, g->group, g->group_len)) {
			buf_adds(b, ",\n      \"name_base64\": ");
			json_add_base64(b, g->group, g->group_len);
		}
		buf_adds(b, ",\n      \"file\": ");
		json_add_string(b, g->file, strlen(g->file));
		buf_printf(b,
		    ",\n      \"events\": %llu,\n      \"lines\": %llu",
		    g->events, g->lines);
		buf_printf(b,
		    ",\n      \"first_timestamp\": %lld,\n"
		    "      \"last_timestamp\": %lld",
		    (long long)g->first, (long long)g->last);
		manifest_names(b, "hosts", &g->hosts);
		manifest_names(b, "streams", &g->streams);
		errors_json_group(
		    ex->errors, g->group, g->group_len, b, "      ");
		buf_adds(b, "\n    }");
	}
	buf_adds(b, ex->n == 0 ? "]" : "\n  ]");
	errors_json_job(ex->errors, b, "  ");
	buf_adds(b, "\n}\n");
}

/*
 * Replace DIR/name with content: written to DIR/tmp, synced and renamed,
 * so DIR/name is always whole. On failure no temporary is left.
 */
static enum sink_status
write_atomic(struct export *ex, const char *tmp, const char *name,
    struct buf *content, char **cause)
{
	struct outbuf out;
	enum sink_status rc;
	char *path;
	int fd;

	fd = openat(ex->dirfd, tmp,
	    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		xasprintf(cause, "%s/%s: %s", ex->dir, tmp, strerror(errno));
		return (SINK_ERROR);
	}
	xasprintf(&path, "%s/%s", ex->dir, tmp);
	outbuf_init(&out, fd, path);
	out.b = *content;
	*content = (struct buf)BUF_INIT;
	rc = outbuf_flush(&out, cause);
	outbuf_free(&out);
	free(path);
	if (rc == SINK_OK && fsync(fd) != 0) {
		xasprintf(
		    cause, "%s/%s: fsync: %s", ex->dir, tmp, strerror(errno));
		rc = SINK_ERROR;
	}
	if (close(fd) != 0 && rc == SINK_OK) {
		xasprintf(cause, "%s/%s: %s", ex->dir, tmp, strerror(errno));
		rc = SINK_ERROR;
	}
	if (rc == SINK_OK && renameat(ex->dirfd, tmp, ex->dirfd, name) != 0) {
		xasprintf(cause, "%s/%s: %s", ex->dir, name, strerror(errno));
		rc = SINK_ERROR;
	}
	if (rc != SINK_OK)
		(void)unlinkat(ex->dirfd, tmp, 0);
	return (rc);
}

static enum sink_status
write_manifest(struct export *ex, char **cause)
{
	struct buf b = BUF_INIT;

	manifest_build(ex, &b);
	return (write_atomic(ex, MANIFEST_TMP, MANIFEST, &b, cause));
}

/* Write out and sync every file written since the last sync. */
static enum sink_status
sync_files(struct export *ex, char **cause)
{
	enum sink_status rc;
	struct gfile *g;
	size_t i;

	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		if (!g->dirty)
			continue;
		if (g->out.fd < 0 && (rc = gfile_open(ex, g, cause)) != SINK_OK)
			return (rc);
		if ((rc = outbuf_flush(&g->out, cause)) != SINK_OK)
			return (rc);
		if (fsync(g->out.fd) != 0) {
			xasprintf(
			    cause, "%s: fsync: %s", g->path, strerror(errno));
			return (SINK_ERROR);
		}
		g->dirty = 0;
	}
	return (SINK_OK);
}

/*
 * Lock DIR (flock(2), held until the export is freed): two exports at
 * once, in this process or another, would write each other's files over.
 */
static int
lock_dir(struct export *ex, int *usage, char **cause)
{
	if (flock(ex->dirfd, LOCK_EX | LOCK_NB) == 0)
		return (0);
	*usage = errno == EWOULDBLOCK;
	xasprintf(cause, "export directory %s: %s", ex->dir,
	    errno == EWOULDBLOCK ? "in use by another cwdemux"
				 : strerror(errno));
	return (-1);
}

/*
 * A one-shot export overwrites nothing: DIR must be empty. What it holds
 * is named, an export first (its state file or manifest).
 */
static int
check_empty(struct export *ex, char **cause)
{
	struct buf name = BUF_INIT;
	struct dirent *de;
	const char *what = NULL;
	DIR *d;
	int fd;

	if ((fd = openat(ex->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
		0 ||
	    (d = fdopendir(fd)) == NULL) {
		xasprintf(
		    cause, "export directory %s: %s", ex->dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, EXPORT_STATE_FILE) == 0) {
			what = "a resumable export (" EXPORT_STATE_FILE ")";
			break;
		}
		if (strcmp(de->d_name, MANIFEST) == 0)
			what = "an export (" MANIFEST ")";
		else if (name.len == 0)
			sanitize_field(&name, de->d_name, strlen(de->d_name));
	}
	closedir(d);
	if (what == NULL && name.len == 0)
		return (0);
	xasprintf(cause,
	    "export directory %s holds %s%s; give a new or empty directory, "
	    "so that nothing is overwritten",
	    ex->dir, what != NULL ? what : "the file ",
	    what != NULL ? "" : name.data);
	buf_free(&name);
	return (-1);
}

/* A group's file as the state records it (names borrowed from g). */
static void
state_group(const struct gfile *g, struct export_state_group *r)
{
	r->name = g->group;
	r->len = g->group_len;
	r->file = g->file;
	r->bytes = g->size;
	r->events = g->events;
	r->lines = g->lines;
	r->first = g->first;
	r->last = g->last;
	r->hosts = g->hosts.v;
	r->nhosts = g->hosts.n;
	r->streams = g->streams.v;
	r->nstreams = g->streams.n;
}

/* The state's text: the files as they are now, the streams' positions. */
static void
state_build(struct export *ex, struct buf *b)
{
	struct export_state_group *r;
	size_t i;

	r = xreallocarray(NULL, ex->n + 1, sizeof *r);
	for (i = 0; i < ex->n; i++)
		state_group(ex->v[i], &r[i]);
	export_state_build(ex->state, r, ex->n, b);
	free(r);
}

/* The state, with the directory synced so new files' names last too. */
static enum sink_status
write_state(struct export *ex, char **cause)
{
	struct buf b = BUF_INIT;
	enum sink_status rc;

	state_build(ex, &b);
	if ((rc = write_atomic(ex, EXPORT_STATE_TMP, EXPORT_STATE_FILE, &b,
		 cause)) != SINK_OK)
		return (rc);
	if (fsync(ex->dirfd) != 0) {
		xasprintf(cause, "%s: fsync: %s", ex->dir, strerror(errno));
		return (SINK_ERROR);
	}
	ex->since_ckpt = 0;
	ex->ckpt_at = clock_mono_ms();
	return (SINK_OK);
}

/* Files first: the state never names bytes that are not on disk. */
static enum sink_status
checkpoint(struct export *ex, char **cause)
{
	enum sink_status rc;

	if ((rc = sync_files(ex, cause)) != SINK_OK)
		return (rc);
	return (write_state(ex, cause));
}

static enum sink_status
export_flush(void *state, char **cause)
{
	struct export *ex = state;
	enum sink_status rc;
	struct gfile *g;
	size_t i;

	if (ex->error != NULL) {
		*cause = xstrdup(ex->error);
		return (SINK_ERROR);
	}
	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		if (g->out.b.len == 0)
			continue;
		if (g->out.fd < 0 && (rc = gfile_open(ex, g, cause)) != SINK_OK)
			return (failed(ex, rc, cause));
		if ((rc = outbuf_flush(&g->out, cause)) != SINK_OK)
			return (failed(ex, rc, cause));
	}
	/* A quiet moment is a good checkpoint, but not every one. */
	if (ex->state != NULL && ex->since_ckpt > 0 &&
	    clock_mono_ms() - ex->ckpt_at >= CHECKPOINT_FLUSH_MS)
		return (failed(ex, checkpoint(ex, cause), cause));
	return (SINK_OK);
}

/* Write out and sync one group's file, then close it. */
static enum sink_status
gfile_finish(struct export *ex, struct gfile *g, char **cause)
{
	enum sink_status rc;

	if (g->out.fd < 0 && (rc = gfile_open(ex, g, cause)) != SINK_OK)
		return (rc);
	if ((rc = outbuf_flush(&g->out, cause)) != SINK_OK)
		return (rc);
	if (fsync(g->out.fd) != 0) {
		xasprintf(cause, "%s: fsync: %s", g->path, strerror(errno));
		return (SINK_ERROR);
	}
	return (gfile_close(ex, g, cause));
}

/*
 * Every group's file is finished even after one fails, so no other group
 * loses what it holds; the manifest only when all of them are whole.
 */
static enum sink_status
export_finish(void *state, char **cause)
{
	struct export *ex = state;
	char *why = NULL;
	int earlier = ex->error != NULL; /* already reported */
	size_t i;

	for (i = 0; i < ex->n; i++) {
		if (gfile_finish(ex, ex->v[i], &why) == SINK_ERROR) {
			if (ex->error == NULL)
				ex->error = why;
			else
				free(why);
			why = NULL;
		}
	}
	/* Every file is synced now: the state can say so. */
	for (i = 0; i < ex->n && ex->error == NULL; i++)
		ex->v[i]->dirty = 0;
	if (ex->error == NULL && ex->state != NULL &&
	    write_state(ex, &why) != SINK_OK)
		ex->error = why;
	if (ex->error != NULL) {
		(void)unlinkat(ex->dirfd, MANIFEST_TMP, 0);
		xasprintf(cause,
		    "%s%s%s is incomplete: each file holds its group's "
		    "lines up to the error, and no %s was written%s",
		    earlier ? "after that error, " : ex->error,
		    earlier ? "" : "; ", ex->dir, MANIFEST,
		    ex->state != NULL ? "; the same command again resumes it"
				      : "");
		return (SINK_ERROR);
	}
	if (write_manifest(ex, &why) != SINK_OK) {
		xasprintf(cause,
		    "%s; the group files in %s are complete, but no %s "
		    "was written",
		    why, ex->dir, MANIFEST);
		free(why);
		return (failed(ex, SINK_ERROR, cause));
	}
	if (fsync(ex->dirfd) != 0) {
		xasprintf(cause, "%s: fsync: %s", ex->dir, strerror(errno));
		return (failed(ex, SINK_ERROR, cause));
	}
	return (SINK_OK);
}

/* The groups a loaded state lists, as files already holding lines. */
static void
state_groups_add(struct export *ex)
{
	const struct export_state_group *r;
	struct gfile *g;
	size_t n, i, k;

	r = export_state_groups(ex->state, &n);
	for (i = 0; i < n; i++, r++) {
		g = gfile_add(ex, r->name, r->len, xstrdup(r->file));
		g->opened = 1; /* cut to its length: appended to */
		g->size = r->bytes;
		g->events = r->events;
		g->lines = r->lines;
		g->first = r->first;
		g->last = r->last;
		for (k = 0; k < r->nhosts; k++)
			nameset_add(
			    &g->hosts, r->hosts[k], strlen(r->hosts[k]));
		for (k = 0; k < r->nstreams; k++)
			nameset_add(
			    &g->streams, r->streams[k], strlen(r->streams[k]));
	}
}

int
export_resume(void *state, const char *job, const char *placement, int *usage,
    char **cause)
{
	struct export *ex = state;
	const char *env = getenv("CWDEMUX_CHECKPOINT_BYTES");
	char *end;
	int resumed;

	*usage = 0;
	ex->state = export_state_new(ex->dir, ex->dirfd, job, placement);
	ex->ckpt_bytes = CHECKPOINT_BYTES;
	if (env != NULL && *env != '\0') {
		errno = 0;
		ex->ckpt_bytes = strtoull(env, &end, 10);
		if (errno != 0 || *end != '\0' || ex->ckpt_bytes == 0)
			ex->ckpt_bytes = CHECKPOINT_BYTES;
	}
	if (lock_dir(ex, usage, cause) != 0)
		return (-1);
	if ((resumed = export_state_load(ex->state, usage, cause)) < 0)
		return (-1);
	state_groups_add(ex);
	/* A manifest says the files are whole; until the end they are not. */
	if (unlinkat(ex->dirfd, MANIFEST, 0) != 0 && errno != ENOENT) {
		xasprintf(
		    cause, "%s/%s: %s", ex->dir, MANIFEST, strerror(errno));
		return (-1);
	}
	/* From now on the directory can be resumed, whenever the run stops. */
	if (write_state(ex, cause) != SINK_OK)
		return (-1);
	return (resumed);
}

unsigned long long
export_resumed_events(const void *state)
{
	const struct export *ex = state;

	return (ex->state != NULL ? export_state_held(ex->state) : 0);
}

unsigned long long
export_withheld(const void *state)
{
	const struct export *ex = state;

	return (ex->withheld);
}

void
export_set_complete(void *state, int complete)
{
	struct export *ex = state;

	ex->complete = complete;
}

static void
export_free(void *state)
{
	struct export *ex = state;
	struct gfile *g;
	size_t i;

	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		if (g->out.fd >= 0)
			close(g->out.fd);
		outbuf_free(&g->out);
		nameset_free(&g->hosts);
		nameset_free(&g->streams);
		free(g->group);
		free(g->file);
		free(g->path);
		free(g);
	}
	free(ex->v);
	for (i = 0; i < ex->ssize; i++)
		buf_free(&ex->sv[i].host_text);
	free(ex->sv);
	strmap_free(ex->groups);
	export_state_free(ex->state);
	buf_free(&ex->prefix);
	free(ex->error);
	close(ex->dirfd);
	free(ex->dir);
	free(ex);
}

int
export_write(const char *dir, const struct errors *errors, const int *complete,
    int (*next)(void *, struct out_event *), void *arg, char **cause)
{
	struct export *ex;
	struct out_event ev;
	enum sink_status rc = SINK_OK;
	int usage;

	if ((ex = export_new(dir, errors, cause)) == NULL)
		return (-1);
	/* next() may hand out names in buffers of its own. */
	ex->interned = 0;
	if (lock_dir(ex, &usage, cause) != 0 || check_empty(ex, cause) != 0) {
		export_free(ex);
		return (-1);
	}
	while (rc == SINK_OK && next(arg, &ev))
		rc = export_event(ex, &ev, cause);
	ex->complete = *complete;
	if (rc == SINK_OK)
		rc = export_finish(ex, cause);
	export_free(ex);
	return (rc == SINK_OK ? 0 : -1);
}

const struct sink export_sink = {
    .name = "export",
    .event = export_event,
    .flush = export_flush,
    .finish = export_finish,
    .free = export_free,
};
