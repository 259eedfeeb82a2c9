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
 * STATE_FILE in DIR: each group's file with its length, and per stream how
 * many of its events the files hold. It is written at checkpoints, after
 * the files it names are synced, so it never claims bytes a crash could
 * lose. A rerun reads every stream again from its start; the state's
 * per-stream counts say how many of each stream's first events to pass
 * over (the store hands a stream's events over in the stream's order), and
 * each file is cut back to its recorded length first, dropping whatever a
 * kill left after the last checkpoint. The directory is locked (flock(2))
 * while a resumable export runs in it.
 */
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
#define STATE_FILE ".cwdemux-state"
#define STATE_TMP ".cwdemux-state.tmp"
#define STATE_VERSION 1
#define STATE_MAX (1024L * 1024 * 1024)
/* Checkpoints while events stream in: after this many bytes or ms. */
#define CHECKPOINT_BYTES (16ULL * 1024 * 1024)
#define CHECKPOINT_MS 5000
/* ... and on a flush (a quiet moment) at most this often. */
#define CHECKPOINT_FLUSH_MS 1000

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

/* A stream's resume position. */
struct spos {
	char *name;
	size_t len;
	unsigned long long seen; /* events handed over in this run */
	unsigned long long skip; /* events the files held at the start */
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
	const struct errors *errors;
	char *error; /* the first write error, once there was one */
	int complete; /* the manifest says the run read everything */
	unsigned long long withheld; /* held events left for a resumed run */

	/* Resuming (export_resume()): positions and checkpoints. */
	int resumable;
	char *job; /* what the state was written for */
	size_t job_len;
	struct strmap *streams; /* stream name -> struct spos */
	struct spos **sv;
	size_t sn, scap;
	const char *last_stream; /* cache: interned upstream */
	struct spos *last_pos;
	unsigned long long ckpt_bytes; /* CHECKPOINT_BYTES, or from env */
	unsigned long long since_ckpt; /* bytes since the last checkpoint */
	int64_t ckpt_at; /* clock_mono_ms() of the last checkpoint */
};

static const char hexdigits[] = "0123456789ABCDEF";

static uint64_t
fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

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
		h = fnv1a(group, len);
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
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 8 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
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
	if (ex->n == ex->cap) {
		ex->cap = ex->cap == 0 ? 8 : ex->cap * 2;
		ex->v = xreallocarray(ex->v, ex->cap, sizeof *ex->v);
	}
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

static struct spos *
spos_get(struct export *ex, const char *name, size_t len)
{
	struct spos *sp;

	if ((sp = strmap_get(ex->streams, name, len)) != NULL)
		return (sp);
	sp = xcalloc(1, sizeof *sp);
	sp->name = xmemdup(name, len);
	sp->len = len;
	strmap_put(ex->streams, name, len, sp);
	if (ex->sn == ex->scap) {
		ex->scap = ex->scap == 0 ? 64 : ex->scap * 2;
		ex->sv = xreallocarray(ex->sv, ex->scap, sizeof *ex->sv);
	}
	ex->sv[ex->sn++] = sp;
	return (sp);
}

/* Nonzero when the files already hold this event (a resumed run). */
static int
already_written(struct export *ex, const struct out_event *ev)
{
	if (!ex->resumable)
		return (0);
	if (ev->stream != ex->last_stream) {
		ex->last_pos = spos_get(ex, ev->stream, ev->stream_len);
		ex->last_stream = ev->stream;
	}
	return (++ex->last_pos->seen <= ex->last_pos->skip);
}

static enum sink_status checkpoint(struct export *, char **);

static int
checkpoint_due(const struct export *ex)
{
	if (!ex->resumable || ex->since_ckpt == 0)
		return (0);
	return (ex->since_ckpt >= ex->ckpt_bytes ||
	    clock_mono_ms() - ex->ckpt_at >= CHECKPOINT_MS);
}

static enum sink_status
export_event(void *state, const struct out_event *ev, char **cause)
{
	struct export *ex = state;
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
	if (already_written(ex, ev))
		return (SINK_OK);
	/*
	 * Once a resumable run is known to stop early, what still comes was
	 * held (its host unknown, or waiting behind one): the resumed run
	 * writes it where it belongs, so it is not written now as
	 * "unassigned". Each stream's written events stay a prefix.
	 */
	if (ex->resumable && !ex->complete) {
		ex->last_pos->seen--;
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
	nameset_add(&g->hosts, ev->host, ev->host_len);
	nameset_add(&g->streams, ev->stream, ev->stream_len);

	/* Every line of the event gets the event's "TIME HOST " prefix. */
	isotime_format(ev->timestamp, ts);
	buf_reset(&ex->prefix);
	buf_add(&ex->prefix, ts, ISOTIME_LEN);
	buf_addc(&ex->prefix, ' ');
	sanitize_field(&ex->prefix, ev->host, ev->host_len);
	buf_addc(&ex->prefix, ' ');
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

static void
add_hex(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		buf_addc(b, hexdigits[p[i] >> 4]);
		buf_addc(b, hexdigits[p[i] & 15]);
	}
	buf_addc(b, '"');
}

static void
state_names(struct buf *b, const char *key, const struct nameset *s)
{
	size_t i;

	buf_printf(b, ", \"%s\": [", key);
	for (i = 0; i < s->n; i++) {
		buf_adds(b, i == 0 ? "" : ", ");
		add_hex(b, s->v[i], strlen(s->v[i]));
	}
	buf_addc(b, ']');
}

/*
 * The state: names are hex, so any bytes (a NUL, invalid UTF-8) come back
 * exactly and nothing in the file needs escaping.
 */
static void
state_build(const struct export *ex, struct buf *b)
{
	const struct gfile *g;
	const struct spos *sp;
	size_t i;

	buf_printf(b, "{\"cwdemux_state\": %d,\n\"job_hex\": ", STATE_VERSION);
	if (ex->job != NULL)
		add_hex(b, ex->job, ex->job_len);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\n\"groups\": [");
	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		buf_adds(
		    b, i == 0 ? "\n{\"name_hex\": " : ",\n{\"name_hex\": ");
		add_hex(b, g->group, g->group_len);
		buf_adds(b, ", \"file\": ");
		json_add_string(b, g->file, strlen(g->file));
		buf_printf(b,
		    ", \"bytes\": %llu, \"events\": %llu, \"lines\": %llu"
		    ", \"first\": %lld, \"last\": %lld",
		    g->size, g->events, g->lines, (long long)g->first,
		    (long long)g->last);
		state_names(b, "hosts_hex", &g->hosts);
		state_names(b, "streams_hex", &g->streams);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\n\"streams\": [");
	for (i = 0; i < ex->sn; i++) {
		sp = ex->sv[i];
		buf_adds(
		    b, i == 0 ? "\n{\"name_hex\": " : ",\n{\"name_hex\": ");
		add_hex(b, sp->name, sp->len);
		buf_printf(b, ", \"events\": %llu}",
		    sp->seen > sp->skip ? sp->seen : sp->skip);
	}
	buf_adds(b, "]}\n");
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

/* The state, with the directory synced so new files' names last too. */
static enum sink_status
write_state(struct export *ex, char **cause)
{
	struct buf b = BUF_INIT;
	enum sink_status rc;

	state_build(ex, &b);
	if ((rc = write_atomic(ex, STATE_TMP, STATE_FILE, &b, cause)) !=
	    SINK_OK)
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
	if (ex->resumable && ex->since_ckpt > 0 &&
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
	if (ex->error == NULL && ex->resumable &&
	    write_state(ex, &why) != SINK_OK)
		ex->error = why;
	if (ex->error != NULL) {
		(void)unlinkat(ex->dirfd, MANIFEST_TMP, 0);
		xasprintf(cause,
		    "%s%s%s is incomplete: each file holds its group's "
		    "lines up to the error, and no %s was written%s",
		    earlier ? "after that error, " : ex->error,
		    earlier ? "" : "; ", ex->dir, MANIFEST,
		    ex->resumable ? "; the same command again resumes it" : "");
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

/* The member key of object o, of type t, or NULL. */
static yajl_val
member(yajl_val o, const char *key, yajl_type t)
{
	const char *path[] = {key, NULL};

	return (yajl_tree_get(o, path, t));
}

/* Decode a hex string value into b; -1 if it is not one. */
static int
unhex(struct buf *b, yajl_val v)
{
	const char *s, *d1, *d2;
	size_t i, len;

	buf_reset(b);
	*buf_reserve(b, 1) = '\0'; /* data is never NULL, even for "" */
	if ((s = YAJL_GET_STRING(v)) == NULL)
		return (-1);
	if ((len = strlen(s)) % 2 != 0)
		return (-1);
	for (i = 0; i < len; i += 2) {
		if ((d1 = strchr(hexdigits, s[i])) == NULL || s[i] == '\0' ||
		    (d2 = strchr(hexdigits, s[i + 1])) == NULL ||
		    s[i + 1] == '\0')
			return (-1);
		buf_addc(b, (char)((d1 - hexdigits) << 4 | (d2 - hexdigits)));
	}
	return (0);
}

/* A count: a non-negative integer member. */
static int
count(yajl_val o, const char *key, unsigned long long *n)
{
	yajl_val v = member(o, key, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
		return (-1);
	*n = (unsigned long long)YAJL_GET_INTEGER(v);
	return (0);
}

static int
timestamp(yajl_val o, const char *key, int64_t *ts)
{
	yajl_val v = member(o, key, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v))
		return (-1);
	*ts = YAJL_GET_INTEGER(v);
	return (0);
}

/* Only a name export_file_name() and unique_name() can make. */
static int
valid_file(const char *f)
{
	size_t len = strlen(f), i;

	if (len < 5 || len > EXPORT_NAME_MAX + 24 || f[0] == '.' ||
	    strcmp(f + len - 4, ".log") != 0)
		return (0);
	for (i = 0; i < len; i++)
		if (strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789_-.%~",
			f[i]) == NULL)
			return (0);
	return (1);
}

static int
load_names(yajl_val g, const char *key, struct nameset *set, struct buf *b)
{
	yajl_val a = member(g, key, yajl_t_array);
	size_t i;

	if (a == NULL)
		return (-1);
	for (i = 0; i < a->u.array.len; i++) {
		if (unhex(b, a->u.array.values[i]) != 0)
			return (-1);
		nameset_add(set, b->data, b->len);
	}
	return (0);
}

/* One group of the state; what is wrong with it, or NULL. */
static const char *
load_group(struct export *ex, yajl_val o, struct buf *b)
{
	struct gfile *g;
	const char *file;
	size_t i;

	if (!YAJL_IS_OBJECT(o) || unhex(b, member(o, "name_hex", yajl_t_any)))
		return ("a group without a valid name");
	if (strmap_get(ex->groups, b->data, b->len) != NULL)
		return ("a group listed twice");
	file = YAJL_GET_STRING(member(o, "file", yajl_t_string));
	if (file == NULL || !valid_file(file))
		return ("a group with a bad file name");
	for (i = 0; i < ex->n; i++)
		if (strcmp(ex->v[i]->file, file) == 0)
			return ("two groups with one file");
	g = gfile_add(ex, b->data, b->len, xstrdup(file));
	if (count(o, "bytes", &g->size) != 0 ||
	    count(o, "events", &g->events) != 0 ||
	    count(o, "lines", &g->lines) != 0 ||
	    timestamp(o, "first", &g->first) != 0 ||
	    timestamp(o, "last", &g->last) != 0)
		return ("a group with a bad count");
	if (load_names(o, "hosts_hex", &g->hosts, b) != 0 ||
	    load_names(o, "streams_hex", &g->streams, b) != 0)
		return ("a group with bad host or stream names");
	return (NULL);
}

static const char *
load_stream(struct export *ex, yajl_val o, struct buf *b)
{
	struct spos *sp;

	if (!YAJL_IS_OBJECT(o) || unhex(b, member(o, "name_hex", yajl_t_any)))
		return ("a stream without a valid name");
	if (strmap_get(ex->streams, b->data, b->len) != NULL)
		return ("a stream listed twice");
	sp = spos_get(ex, b->data, b->len);
	if (count(o, "events", &sp->skip) != 0)
		return ("a stream with a bad count");
	return (NULL);
}

/* The state in text; -1 with cause (says what is wrong). */
static int
state_parse(struct export *ex, const char *text, size_t len, char **cause)
{
	yajl_val root, v, a;
	struct buf b = BUF_INIT, job = BUF_INIT;
	const char *bad = NULL;
	char err[256];
	size_t i;

	if ((root = json_tree_parse(text, len, err, sizeof err)) == NULL) {
		xasprintf(cause, "%s/%s: not a state file: %s", ex->dir,
		    STATE_FILE, err);
		return (-1);
	}
	v = member(root, "cwdemux_state", yajl_t_number);
	if (!YAJL_IS_OBJECT(root) || v == NULL || !YAJL_IS_INTEGER(v) ||
	    YAJL_GET_INTEGER(v) != STATE_VERSION)
		bad = "not a state file of this version";
	else if ((v = member(root, "job_hex", yajl_t_any)) == NULL ||
	    (!YAJL_IS_NULL(v) && unhex(&job, v) != 0))
		bad = "no valid job";
	else if (YAJL_IS_NULL(v) != (ex->job == NULL) ||
	    (ex->job != NULL &&
		(job.len != ex->job_len ||
		    memcmp(job.data, ex->job, job.len) != 0))) {
		buf_adds(&b, "the export there is of ");
		if (YAJL_IS_NULL(v))
			buf_adds(&b, "no job");
		else {
			buf_adds(&b, "job ");
			sanitize_field(&b, job.data, job.len);
		}
		buf_adds(&b, "; give another directory");
		xasprintf(cause, "%s/%s: %s", ex->dir, STATE_FILE, b.data);
		goto out;
	}
	if (bad == NULL && (a = member(root, "groups", yajl_t_array)) == NULL)
		bad = "no groups";
	for (i = 0; bad == NULL && i < a->u.array.len; i++)
		bad = load_group(ex, a->u.array.values[i], &b);
	if (bad == NULL && (a = member(root, "streams", yajl_t_array)) == NULL)
		bad = "no streams";
	for (i = 0; bad == NULL && i < a->u.array.len; i++)
		bad = load_stream(ex, a->u.array.values[i], &b);
	if (bad != NULL)
		xasprintf(cause, "%s/%s: %s", ex->dir, STATE_FILE, bad);
out:
	yajl_tree_free(root);
	buf_free(&b);
	buf_free(&job);
	return (*cause != NULL ? -1 : 0);
}

/* Read the state file fd (closed here); -1 with cause. */
static int
state_read(struct export *ex, int fd, char **cause)
{
	struct buf text = BUF_INIT;
	ssize_t n;
	int rc;

	for (;;) {
		n = read(fd, buf_reserve(&text, 65536), 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text.len += (size_t)n;
		if (text.len > STATE_MAX) {
			n = 0;
			errno = EFBIG;
			break;
		}
	}
	if (n < 0 || text.len > STATE_MAX) {
		xasprintf(
		    cause, "%s/%s: %s", ex->dir, STATE_FILE, strerror(errno));
		rc = -1;
	} else
		rc = state_parse(
		    ex, text.data != NULL ? text.data : "", text.len, cause);
	close(fd);
	buf_free(&text);
	return (rc);
}

/*
 * Each group's file must hold at least what the state says: a shorter one
 * was changed by someone else, and the export cannot go on. Checked for
 * all before any is cut, so a refused directory is left as it was.
 */
static int
check_files(struct export *ex, int *usage, char **cause)
{
	struct gfile *g;
	struct stat st;
	size_t i;

	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		if (fstatat(ex->dirfd, g->file, &st, AT_SYMLINK_NOFOLLOW) !=
		    0) {
			if (errno == ENOENT && g->size == 0)
				continue;
			*usage = errno == ENOENT;
			xasprintf(cause, "%s: %s", g->path, strerror(errno));
			return (-1);
		}
		if (!S_ISREG(st.st_mode) ||
		    (unsigned long long)st.st_size < g->size) {
			*usage = 1;
			xasprintf(cause,
			    "%s: %s the %llu bytes %s/%s says it holds; it "
			    "was changed since",
			    g->path,
			    S_ISREG(st.st_mode) ? "shorter than"
						: "not a file holding",
			    g->size, ex->dir, STATE_FILE);
			return (-1);
		}
	}
	return (0);
}

/*
 * Cut each group's file back to what the state says it holds: a kill may
 * have left more, which this run writes again.
 */
static int
cut_files(struct export *ex, char **cause)
{
	struct gfile *g;
	size_t i;
	int fd;

	for (i = 0; i < ex->n; i++) {
		g = ex->v[i];
		fd = openat(
		    ex->dirfd, g->file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && g->size == 0)
			continue;
		if (fd < 0) {
			xasprintf(cause, "%s: %s", g->path, strerror(errno));
			return (-1);
		}
		if (ftruncate(fd, (off_t)g->size) != 0) {
			xasprintf(cause, "%s: %s", g->path, strerror(errno));
			close(fd);
			return (-1);
		}
		close(fd);
		g->opened = 1;
	}
	return (0);
}

int
export_resume(void *state, const char *job, int *usage, char **cause)
{
	struct export *ex = state;
	const char *env = getenv("CWDEMUX_CHECKPOINT_BYTES");
	char *end;
	int fd, resumed = 0;

	*usage = 0;
	ex->resumable = 1;
	ex->streams = strmap_new();
	if (job != NULL) {
		ex->job = xstrdup(job);
		ex->job_len = strlen(job);
	}
	ex->ckpt_bytes = CHECKPOINT_BYTES;
	if (env != NULL && *env != '\0') {
		errno = 0;
		ex->ckpt_bytes = strtoull(env, &end, 10);
		if (errno != 0 || *end != '\0' || ex->ckpt_bytes == 0)
			ex->ckpt_bytes = CHECKPOINT_BYTES;
	}
	/* Two runs at once would write each other's files over. */
	if (flock(ex->dirfd, LOCK_EX | LOCK_NB) != 0) {
		*usage = errno == EWOULDBLOCK;
		xasprintf(cause, "export directory %s: %s", ex->dir,
		    errno == EWOULDBLOCK ? "in use by another cwdemux"
					 : strerror(errno));
		return (-1);
	}
	fd = openat(ex->dirfd, STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		*usage = errno == ELOOP;
		xasprintf(
		    cause, "%s/%s: %s", ex->dir, STATE_FILE, strerror(errno));
		return (-1);
	}
	if (fd >= 0) {
		if (state_read(ex, fd, cause) != 0) {
			*usage = 1;
			return (-1);
		}
		if (check_files(ex, usage, cause) != 0 ||
		    cut_files(ex, cause) != 0)
			return (-1);
		resumed = 1;
	}
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
	unsigned long long n = 0;
	size_t i;

	for (i = 0; i < ex->sn; i++)
		n += ex->sv[i]->skip;
	return (n);
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
	strmap_free(ex->groups);
	for (i = 0; i < ex->sn; i++) {
		free(ex->sv[i]->name);
		free(ex->sv[i]);
	}
	free(ex->sv);
	strmap_free(ex->streams);
	free(ex->job);
	buf_free(&ex->prefix);
	free(ex->error);
	close(ex->dirfd);
	free(ex->dir);
	free(ex);
}

const struct sink export_sink = {
    .name = "export",
    .event = export_event,
    .flush = export_flush,
    .finish = export_finish,
    .free = export_free,
};
