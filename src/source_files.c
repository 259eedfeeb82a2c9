/*
 * The offline source. Discovery walks each --from path without following
 * symbolic links and maps every file to a stream. The files of one stream
 * in one directory (an export's parts) are one source, read in part
 * number order; another file or directory of the same stream (a second
 * export task, a saved copy) is a source of its own. Each file is read
 * once, however many --from paths reach it (by device and inode).
 *
 * Reading is a k-way merge: a binary heap keyed on (time of the source's
 * next event, source index) yields events in time order, ties broken by
 * stream name, and never reorders one source's events. A file that cannot
 * be read is named once; the rest is read, and the run counts it.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "feed.h"
#include "idset.h"
#include "input.h"
#include "log.h"
#include "logfile.h"
#include "source_files.h"
#include "strmap.h"
#include "xmalloc.h"

/*
 * Read buffers share this budget, within per-stream bounds. The merge
 * takes a little from every stream in turn, so all buffers are live at
 * once: sized to stay in the cache together, the kernel's copy into them
 * and the line scan that follows hit the cache instead of memory (64
 * streams of 256 KB each spent twice the CPU time in the kernel's copy).
 */
#define READ_BUDGET (2 * 1024 * 1024)
#define READ_MIN (4 * 1024)
#define READ_MAX (64 * 1024)
/*
 * A duplicate (the same eventId in two files, or twice in one) comes out
 * of the merge beside the first copy; ids this far behind are forgotten.
 */
#define ID_WINDOW_MS (60 * 60 * 1000)

/* One source: a stream's files in one directory, read in order. */
struct fstream {
	char *name; /* the stream's, for events that name none */
	char **paths;
	size_t npaths, cap;
	struct logfile *lf;
	uint32_t sid; /* the number of name, or NO_SID */
	uint32_t last; /* the stream the last named event went to, or NO_SID */
	struct logfile_event ev; /* the event at the head of this source */
	uint32_t ev_sid; /* its stream */
	/* A file that names a stream for each event, read whole. */
	struct sub *subs;
	size_t nsubs;
	struct buf text; /* the messages of its events */
};

/* The events of one stream of a file read whole, in the file's order. */
struct sub {
	uint32_t sid;
	struct lev {
		int64_t ts;
		size_t off, len; /* in the file's text */
		int64_t at; /* where it lies in its file (logfile_event) */
		size_t file;
	} * v;
	size_t n, cap, next;
};

struct source_files {
	struct fstream **v;
	size_t n, cap;
	struct strmap *bykey; /* stream and directory -> source */
	struct strmap *skipped; /* names of streams outside the prefix */
	struct strmap *seen; /* device and inode of every file taken */
	char *prefix; /* of the streams to read, or NULL */
	enum logfile_format format; /* --from-format */
	size_t failed; /* files that could not be read */
	struct idset *ids; /* event ids seen (formats that carry them) */
	unsigned long long dropped; /* events read twice, output once */
	struct buf idkey; /* stream and id of the event being looked at */
	unsigned long long events; /* fed to the pipeline */
	int jobs; /* threads to use */

	/*
	 * The reader numbers the streams it meets (sids), so that it never
	 * touches the pipeline: in a threaded run that is the main thread's.
	 */
	struct {
		char *name;
		size_t len;
		int told; /* the consumer has its name */
	} * sids;
	uint32_t nsids, sids_cap;
	struct strmap *sid_of; /* name -> sid + 1 */
};

#define NO_SID UINT32_MAX

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f') ||
			(s[i] >= 'A' && s[i] <= 'F')))
			return (0);
	return (1);
}

/* An export task's folder: 8-4-4-4-12 hex digits. */
static int
is_uuid(const char *s, size_t n)
{
	return (n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' &&
	    s[23] == '-' && is_hex(s, 8) && is_hex(s + 9, 4) &&
	    is_hex(s + 14, 4) && is_hex(s + 19, 4) && is_hex(s + 24, 12));
}

/* A part file of an export: digits, optionally ".gz". */
static int
is_part(const char *s, size_t n)
{
	size_t i;

	if (n > 3 && memcmp(s + n - 3, ".gz", 3) == 0)
		n -= 3;
	if (n == 0)
		return (0);
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return (0);
	return (1);
}

char *
source_files_stream_name(const char *relpath)
{
	const char *start = relpath, *p, *slash, *base;
	size_t n;

	/* Whatever follows the last task-id folder is the stream. */
	for (p = relpath; *p != '\0'; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash == NULL)
			break;
		if (is_uuid(p, (size_t)(slash - p)))
			start = slash + 1;
	}
	base = strrchr(start, '/');
	base = base == NULL ? start : base + 1;
	if (*base == '.' || strcmp(base, "aws-logs-write-test") == 0)
		return (NULL);
	n = strlen(start);
	if (is_part(base, strlen(base))) {
		if (base == start)
			return (NULL);
		n = (size_t)(base - 1 - start);
	} else {
		if (n > 3 && memcmp(start + n - 3, ".gz", 3) == 0)
			n -= 3;
		/* get-log-events output saved as STREAM.json. */
		if (n > 5 && memcmp(start + n - 5, ".json", 5) == 0)
			n -= 5;
	}
	if (n == 0)
		return (NULL);
	return (xstrndup(start, n));
}

/*
 * Add path to the source of stream in dir (NULL: a source of its own).
 * A file already taken (by another --from path) is not taken again.
 */
static void
add_file(struct source_files *sf, const char *stream, const char *dir,
    const char *path, const struct stat *sb)
{
	struct fstream *fs = NULL;
	char id[64], *key = NULL;
	int n;

	n = snprintf(id, sizeof id, "%llu:%llu", (unsigned long long)sb->st_dev,
	    (unsigned long long)sb->st_ino);
	if (S_ISREG(sb->st_mode)) {
		if (strmap_get(sf->seen, id, (size_t)n) != NULL)
			return;
		strmap_put(sf->seen, id, (size_t)n, sf);
	}
	if (dir != NULL) {
		xasprintf(&key, "%s%c%s", stream, '\0', dir);
		fs = strmap_get(
		    sf->bykey, key, strlen(stream) + 1 + strlen(dir));
	}
	if (fs == NULL) {
		fs = xcalloc(1, sizeof *fs);
		fs->name = xstrdup(stream);
		if (key != NULL)
			strmap_put(sf->bykey, key,
			    strlen(stream) + 1 + strlen(dir), fs);
		sf->v = xgrow(sf->v, sf->n, &sf->cap, 64, sizeof *sf->v);
		sf->v[sf->n++] = fs;
	}
	free(key);
	fs->paths =
	    xgrow(fs->paths, fs->npaths, &fs->cap, 4, sizeof *fs->paths);
	fs->paths[fs->npaths++] = xstrdup(path);
}

/* The directory part of path ("." for none), in a new string. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return (xstrdup("."));
	return (xstrndup(path, (size_t)(slash - path)));
}

/* The last n components of path, in a new string. */
static char *
last_components(const char *path, int n)
{
	const char *p = path + strlen(path);

	while (p > path) {
		p--;
		if (*p == '/' && --n == 0)
			return (xstrdup(p + 1));
	}
	return (xstrdup(*path == '/' ? path + 1 : path));
}

/*
 * The stream of a file whose path relative to the --from path is rel.
 * A part file directly under the --from path (or named by it) takes its
 * stream from the directories above it: .../JOB/algo-1-17/000000.gz is
 * the stream JOB/algo-1-17.
 */
static char *
stream_of(const char *path, const char *rel)
{
	char *real, *tail, *stream;

	if ((stream = source_files_stream_name(rel)) != NULL ||
	    strchr(rel, '/') != NULL)
		return (stream);
	if ((real = realpath(path, NULL)) == NULL)
		return (NULL);
	tail = last_components(real, 3);
	stream = source_files_stream_name(tail);
	free(tail);
	free(real);
	return (stream);
}

/* named: the file was named on the command line. */
static void
add_path(struct source_files *sf, const char *path, const char *rel,
    const char *prefix, const struct stat *sb, int named)
{
	char *stream, *dir;
	const char *base;

	if (strcmp(path, "-") == 0)
		stream = xstrdup("stdin");
	else if ((stream = stream_of(path, rel)) == NULL)
		return;
	if (!named && prefix != NULL &&
	    strncmp(stream, prefix, strlen(prefix)) != 0) {
		strmap_put(sf->skipped, stream, strlen(stream), sf);
		free(stream);
		return;
	}
	base = strrchr(path, '/');
	base = base == NULL ? path : base + 1;
	if (!named && is_part(base, strlen(base))) {
		/* A part file: one source with the others in its directory. */
		dir = dir_of(path);
		add_file(sf, stream, dir, path, sb);
		free(dir);
	} else
		add_file(sf, stream, NULL, path, sb);
	free(stream);
}

/* Walk dir (whose name relative to the --from path is rel). */
static int
walk(struct source_files *sf, const char *dir, const char *rel,
    const char *prefix, int depth, char **cause)
{
	struct dirent *de;
	struct stat sb;
	char *path, *sub;
	DIR *d;
	int rc = 0;

	if (depth > 64) {
		xasprintf(cause, "%s: directories nested too deep", dir);
		return (-1);
	}
	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (*rel == '\0')
			sub = xstrdup(de->d_name);
		else
			xasprintf(&sub, "%s/%s", rel, de->d_name);
		if (lstat(path, &sb) != 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(sb.st_mode))
			rc = walk(sf, path, sub, prefix, depth + 1, cause);
		else if (S_ISREG(sb.st_mode))
			add_path(sf, path, sub, prefix, &sb, 0);
		free(path);
		free(sub);
	}
	if (rc == 0 && errno != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		rc = -1;
	}
	closedir(d);
	return (rc);
}

/* Sources by stream name, then by path. */
static int
stream_cmp(const void *a, const void *b)
{
	const struct fstream *fa = *(struct fstream *const *)a;
	const struct fstream *fb = *(struct fstream *const *)b;
	int c;

	if ((c = strcmp(fa->name, fb->name)) != 0)
		return (c);
	return (strcmp(fa->paths[0], fb->paths[0]));
}

/* Part files in number order (000009 before 000010, even unpadded). */
static int
part_cmp(const void *a, const void *b)
{
	const char *pa = *(char *const *)a, *pb = *(char *const *)b;
	const char *ba = strrchr(pa, '/'), *bb = strrchr(pb, '/');
	size_t la, lb;

	ba = ba == NULL ? pa : ba + 1;
	bb = bb == NULL ? pb : bb + 1;
	la = strspn(ba, "0123456789");
	lb = strspn(bb, "0123456789");
	if (la != 0 && lb != 0) {
		while (la > 1 && *ba == '0')
			ba++, la--;
		while (lb > 1 && *bb == '0')
			bb++, lb--;
		if (la != lb)
			return (la < lb ? -1 : 1);
	}
	return (strcmp(ba, bb));
}

struct source_files *
source_files_new(const char *const *paths, size_t n, const char *prefix,
    enum logfile_format format, char **cause)
{
	struct source_files *sf;
	struct stat sb;
	const char *base;
	size_t i;

	sf = xcalloc(1, sizeof *sf);
	sf->bykey = strmap_new();
	sf->skipped = strmap_new();
	sf->seen = strmap_new();
	sf->prefix = prefix != NULL ? xstrdup(prefix) : NULL;
	sf->format = format;
	sf->ids = idset_new();
	sf->sid_of = strmap_new();
	sf->jobs = 1;
	for (i = 0; i < n; i++) {
		if (strcmp(paths[i], "-") == 0) {
			memset(&sb, 0, sizeof sb);
			add_path(sf, paths[i], paths[i], NULL, &sb, 1);
			continue;
		}
		if (stat(paths[i], &sb) != 0) {
			xasprintf(
			    cause, "--from %s: %s", paths[i], strerror(errno));
			goto fail;
		}
		if (S_ISDIR(sb.st_mode)) {
			if (walk(sf, paths[i], "", prefix, 0, cause) != 0)
				goto fail;
		} else {
			base = strrchr(paths[i], '/');
			add_path(sf, paths[i],
			    base == NULL ? paths[i] : base + 1, prefix, &sb, 1);
		}
	}
	for (i = 0; i < sf->n; i++)
		qsort(sf->v[i]->paths, sf->v[i]->npaths, sizeof(char *),
		    part_cmp);
	if (sf->n > 1)
		qsort(sf->v, sf->n, sizeof *sf->v, stream_cmp);
	return (sf);

fail:
	source_files_free(sf);
	return (NULL);
}

void
source_files_free(struct source_files *sf)
{
	struct fstream *fs;
	size_t i, j;

	if (sf == NULL)
		return;
	for (i = 0; i < sf->n; i++) {
		fs = sf->v[i];
		logfile_close(fs->lf);
		for (j = 0; j < fs->nsubs; j++)
			free(fs->subs[j].v);
		free(fs->subs);
		buf_free(&fs->text);
		for (j = 0; j < fs->npaths; j++)
			free(fs->paths[j]);
		free(fs->paths);
		free(fs->name);
		free(fs);
	}
	free(sf->v);
	strmap_free(sf->bykey);
	strmap_free(sf->skipped);
	strmap_free(sf->seen);
	idset_free(sf->ids);
	buf_free(&sf->idkey);
	for (i = 0; i < sf->nsids; i++)
		free(sf->sids[i].name);
	free(sf->sids);
	strmap_free(sf->sid_of);
	free(sf->prefix);
	free(sf);
}

size_t
source_files_count(const struct source_files *sf)
{
	return (sf->n);
}

size_t
source_files_skipped(const struct source_files *sf)
{
	return (strmap_count(sf->skipped));
}

unsigned long long
source_files_events(const struct source_files *sf)
{
	return (sf->events);
}

size_t
source_files_failed(const struct source_files *sf)
{
	return (sf->failed);
}

/*
 * A heap entry holds its stream's head time, so comparisons read the
 * heap array alone: the merge touches one cache line per level, not a
 * stream struct per comparison. The source and sub are one number, so a
 * tie costs one comparison more, not two.
 */
struct hent {
	int64_t ts; /* of the source's head event */
	/* The source's index << 32 | its sub: 0, or 1 + the index of a
	 * stream of a file read whole. */
	uint64_t at;
};

#define HENT_SOURCE(e) ((size_t)((e)->at >> 32))
#define HENT_SUB(e) ((size_t)((e)->at & 0xffffffffu))

struct heap {
	struct hent *v;
	size_t n, cap;
};

/* Heap order: earlier event first, then lower source index. */
static inline int
hent_less(const struct hent *a, const struct hent *b)
{
	return (a->ts < b->ts || (a->ts == b->ts && a->at < b->at));
}

/* Sift entry i down: the smaller child moves up into the hole. */
static void
heap_down(struct heap *h, size_t i)
{
	struct hent e = h->v[i];
	size_t c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && hent_less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!hent_less(&h->v[c], &e))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	h->v[i] = e;
}

static void
heap_up(struct heap *h, size_t i)
{
	struct hent e = h->v[i];

	while (i > 0 && hent_less(&e, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = e;
}

static void
heap_push(struct heap *h, int64_t ts, size_t i, size_t j)
{
	h->v = xgrow(h->v, h->n, &h->cap, 64, sizeof *h->v);
	h->v[h->n].ts = ts;
	h->v[h->n].at = (uint64_t)i << 32 | (uint32_t)j;
	h->n++;
	heap_up(h, h->n - 1);
}

/* The number of the stream named name, given on first sight. */
static uint32_t
sid_get(struct source_files *sf, const char *name, size_t len)
{
	void *v;

	if ((v = strmap_get(sf->sid_of, name, len)) != NULL)
		return ((uint32_t)((uintptr_t)v - 1));
	if (sf->nsids == sf->sids_cap) {
		sf->sids_cap = sf->sids_cap == 0 ? 64 : sf->sids_cap * 2;
		sf->sids =
		    xreallocarray(sf->sids, sf->sids_cap, sizeof *sf->sids);
	}
	sf->sids[sf->nsids].name = xmemdup(name, len);
	sf->sids[sf->nsids].len = len;
	sf->sids[sf->nsids].told = 0;
	strmap_put(sf->sid_of, name, len, (void *)(uintptr_t)(sf->nsids + 1));
	return (sf->nsids++);
}

/* The stream of the event at the head of fs, or NO_SID to skip it. */
static uint32_t
event_sid(struct source_files *sf, struct fstream *fs)
{
	const struct logfile_event *ev = &fs->ev;
	size_t plen;

	if (ev->stream == NULL) {
		if (fs->sid == NO_SID)
			fs->sid = sid_get(sf, fs->name, strlen(fs->name));
		return (fs->sid);
	}
	if (fs->last != NO_SID && sf->sids[fs->last].len == ev->stream_len &&
	    memcmp(sf->sids[fs->last].name, ev->stream, ev->stream_len) == 0)
		return (fs->last);
	plen = sf->prefix != NULL ? strlen(sf->prefix) : 0;
	if (plen > 0 &&
	    (ev->stream_len < plen ||
		memcmp(ev->stream, sf->prefix, plen) != 0)) {
		if (strmap_get(sf->skipped, ev->stream, ev->stream_len) == NULL)
			strmap_put(sf->skipped, ev->stream, ev->stream_len, sf);
		return (NO_SID);
	}
	fs->last = sid_get(sf, ev->stream, ev->stream_len);
	return (fs->last);
}

/*
 * Is the id of the event at the head of fs new? Ids are taken with their
 * stream: CloudWatch's are unique in a log group, but an emulator's (and
 * other tools') may be unique in a stream only.
 */
static int
new_id(struct source_files *sf, struct fstream *fs)
{
	buf_reset(&sf->idkey);
	buf_add(
	    &sf->idkey, sf->sids[fs->ev_sid].name, sf->sids[fs->ev_sid].len);
	buf_addc(&sf->idkey, '\0');
	buf_add(&sf->idkey, fs->ev.id, fs->ev.id_len);
	return (idset_add(sf->ids, sf->idkey.data, sf->idkey.len, fs->ev.ts));
}

/*
 * Load the next event of a source: 1, 0 at its end, or LOGFILE_STOPPED.
 * Events of streams outside the prefix, and events whose id was seen, are
 * passed over. A file that failed is named now, once.
 */
static int
advance(struct source_files *sf, struct fstream *fs)
{
	char *failed;
	int rc;

	for (;;) {
		rc = logfile_next(fs->lf, &fs->ev);
		if ((failed = logfile_failed(fs->lf)) != NULL) {
			log_error("%s", failed);
			free(failed);
			sf->failed++;
		}
		if (rc != 1)
			return (rc);
		if ((fs->ev_sid = event_sid(sf, fs)) == NO_SID)
			continue;
		if (fs->ev.id != NULL && !new_id(sf, fs)) {
			sf->dropped++;
			continue;
		}
		return (1);
	}
}

/* The sub of fs for stream sid, made on first sight. */
static struct sub *
sub_of(struct fstream *fs, uint32_t sid)
{
	size_t i;

	/* Few streams per file, and mostly the same as the last one. */
	for (i = fs->nsubs; i > 0; i--)
		if (fs->subs[i - 1].sid == sid)
			return (&fs->subs[i - 1]);
	fs->subs = xreallocarray(fs->subs, fs->nsubs + 1, sizeof *fs->subs);
	memset(&fs->subs[fs->nsubs], 0, sizeof fs->subs[0]);
	fs->subs[fs->nsubs].sid = sid;
	return (&fs->subs[fs->nsubs++]);
}

/*
 * A file that names a stream for each event is read whole, its events
 * kept by stream: such files (saved tails, pages of filter-log-events)
 * need not be in time order, and each stream is merged on its own.
 * Returns 0, or LOGFILE_STOPPED.
 */
static int
load(struct source_files *sf, struct fstream *fs)
{
	struct sub *sub;
	struct lev *e;
	int rc;

	do {
		sub = sub_of(fs, fs->ev_sid);
		sub->v = xgrow(sub->v, sub->n, &sub->cap, 64, sizeof *sub->v);
		e = &sub->v[sub->n++];
		e->ts = fs->ev.ts;
		e->off = fs->text.len;
		e->len = fs->ev.len;
		e->at = fs->ev.at;
		e->file = fs->ev.file;
		buf_add(&fs->text, fs->ev.msg, fs->ev.len);
	} while ((rc = advance(sf, fs)) == 1);
	logfile_close(fs->lf);
	fs->lf = NULL;
	return (rc);
}

/* Put source i into the heap after its first event: 0, or stop. */
static int
start_source(struct source_files *sf, size_t i, struct heap *h)
{
	struct fstream *fs = sf->v[i];
	size_t j;
	int rc;

	if ((rc = advance(sf, fs)) == 1 && fs->ev.stream != NULL) {
		if ((rc = load(sf, fs)) < 0)
			return (rc);
		for (j = 0; j < fs->nsubs; j++)
			heap_push(h, fs->subs[j].v[0].ts, i, j + 1);
		return (0);
	}
	if (rc == 1) {
		heap_push(h, fs->ev.ts, i, 0);
		return (0);
	}
	logfile_close(fs->lf);
	fs->lf = NULL;
	return (rc);
}

/*
 * Where merged events go: straight into the pipeline (one thread), or
 * into batches for the main thread (feed.h).
 */
struct out {
	struct source_files *sf;
	struct pipeline *p; /* one thread */
	struct stream **st; /* sid -> the pipeline's stream, made on use */
	size_t nst;
	struct feed *feed; /* threaded */
	struct feed_batch *batch; /* being filled */
	char **cause;
};

/* The pipeline's stream for sid (one thread, or the main thread's). */
static struct stream *
out_stream(struct out *o, uint32_t sid, const char *name, size_t len)
{
	size_t n;

	if (sid >= o->nst) {
		n = o->nst == 0 ? 64 : o->nst;
		while (n <= sid)
			n *= 2;
		o->st = xreallocarray(o->st, n, sizeof *o->st);
		memset(o->st + o->nst, 0, (n - o->nst) * sizeof *o->st);
		o->nst = n;
	}
	if (o->st[sid] == NULL)
		o->st[sid] = pipeline_stream(o->p, name, len);
	return (o->st[sid]);
}

/*
 * One merged event (msg is the bytes at "at" of fs's file, or at is -1):
 * SINK_OK, or what the pipeline said, or stop. Batches carry no origin:
 * the UI, the one output that uses it, reads on one thread.
 */
static enum sink_status
deliver(struct out *o, uint32_t sid, int64_t ts, const char *msg, size_t len,
    const struct fstream *fs, size_t file, int64_t at)
{
	struct source_files *sf = o->sf;
	struct out_origin origin = {NULL, 0};
	struct pipeline_scan sc;

	sf->events++;
	if (at >= 0 && file < fs->npaths) {
		origin.path = fs->paths[file];
		origin.off = (uint64_t)at;
	}
	if (o->feed == NULL)
		return (pipeline_event_at(o->p,
		    out_stream(o, sid, sf->sids[sid].name, sf->sids[sid].len),
		    ts, msg, len, &origin, o->cause));
	if (!sf->sids[sid].told) {
		feed_add_name(
		    o->batch, sid, sf->sids[sid].name, sf->sids[sid].len);
		sf->sids[sid].told = 1;
	}
	/* The scan is made here, on the reader's thread: it is a pass over
	 * every byte, which the main thread has enough of. */
	pipeline_scan(o->p, msg, len, &sc);
	feed_add(o->batch, sid, ts, msg, len, &sc);
	if (feed_full(o->batch)) {
		feed_put(o->feed, o->batch);
		if ((o->batch = feed_empty(o->feed)) == NULL)
			return (SINK_CLOSED);
	}
	return (SINK_OK);
}

/* Hand the event at the top of the heap on, and refill. */
static enum sink_status
pop(struct source_files *sf, struct heap *h, struct out *o)
{
	struct fstream *fs = sf->v[HENT_SOURCE(&h->v[0])];
	struct sub *sub;
	struct lev *e;
	enum sink_status rc;
	int more;

	if (HENT_SUB(&h->v[0]) > 0) {
		sub = &fs->subs[HENT_SUB(&h->v[0]) - 1];
		e = &sub->v[sub->next++];
		rc = deliver(o, sub->sid, e->ts, fs->text.data + e->off, e->len,
		    fs, e->file, e->at);
		if ((more = sub->next < sub->n))
			h->v[0].ts = sub->v[sub->next].ts;
	} else {
		rc = deliver(o, fs->ev_sid, fs->ev.ts, fs->ev.msg, fs->ev.len,
		    fs, fs->ev.file, fs->ev.at);
		if (rc != SINK_OK)
			return (rc);
		if ((more = advance(sf, fs)) == LOGFILE_STOPPED)
			return (SINK_OK);
		if (more)
			h->v[0].ts = fs->ev.ts;
		else {
			logfile_close(fs->lf);
			fs->lf = NULL;
		}
	}
	if (!more)
		h->v[0] = h->v[--h->n];
	heap_down(h, 0);
	return (rc);
}

/*
 * The merge: every source's first event into the heap, then the earliest
 * event out, until none is left or stop(arg) says so (stop may be NULL).
 */
static enum sink_status
merge(struct source_files *sf, struct out *o, int (*stop)(void *), void *arg)
{
	struct heap h = {NULL, 0, 0};
	struct input_pool *pool;
	enum sink_status rc = SINK_OK;
	size_t i, bufsize, popped = 0;

	bufsize = sf->n == 0 ? READ_MAX : READ_BUDGET / sf->n;
	bufsize = bufsize < READ_MIN ? READ_MIN
	    : bufsize > READ_MAX     ? READ_MAX
				     : bufsize;
	pool = input_pool_new(0, stop, arg);
	for (i = 0; i < sf->n; i++) {
		sf->v[i]->sid = sf->v[i]->last = NO_SID;
		sf->v[i]->lf = logfile_open(sf->v[i]->name, sf->v[i]->paths,
		    sf->v[i]->npaths, bufsize, pool, sf->format);
		if (start_source(sf, i, &h) == LOGFILE_STOPPED)
			goto out;
	}
	while (h.n > 0 && (stop == NULL || !stop(arg))) {
		/* Ids of events well behind the merge cannot come again. */
		if (++popped % 65536 == 0)
			idset_prune(sf->ids, h.v[0].ts - ID_WINDOW_MS);
		if ((rc = pop(sf, &h, o)) != SINK_OK)
			goto out;
	}
	if (sf->dropped > 0)
		log_info("%llu events read twice (the same eventId) were "
			 "output once",
		    sf->dropped);
out:
	/* The pool goes last: open logfiles hold its descriptors. */
	for (i = 0; i < sf->n; i++) {
		logfile_close(sf->v[i]->lf);
		sf->v[i]->lf = NULL;
	}
	input_pool_free(pool);
	free(h.v);
	return (rc);
}

/* The reader's thread: the merge into batches. */
static void *
reader_main(void *arg)
{
	struct out *o = arg;

	if ((o->batch = feed_empty(o->feed)) != NULL) {
		merge(o->sf, o, NULL, NULL);
		if (o->batch != NULL)
			feed_put(o->feed, o->batch);
	}
	feed_close(o->feed);
	return (NULL);
}

/* Can the reader run in a thread of its own? Regular files only: a FIFO
 * or standard input blocks where only the main thread sees signals. */
static int
threadable(const struct source_files *sf)
{
	struct stat sb;
	size_t i, j;

	if (sf->jobs < 2 || sf->n == 0)
		return (0);
	for (i = 0; i < sf->n; i++)
		for (j = 0; j < sf->v[i]->npaths; j++)
			if (strcmp(sf->v[i]->paths[j], "-") == 0 ||
			    stat(sf->v[i]->paths[j], &sb) != 0 ||
			    !S_ISREG(sb.st_mode))
				return (0);
	return (1);
}

/* The main thread's part of a threaded run: the batches into the pipeline. */
static enum sink_status
consume(struct out *o, int (*stop)(void *), void *arg, char **cause)
{
	struct out main_side;
	struct feed_batch *b;
	struct feed_event *e;
	struct feed_name *nm;
	enum sink_status rc = SINK_OK;
	size_t i;
	int stopped = 0;

	memset(&main_side, 0, sizeof main_side);
	main_side.p = o->p;
	while (rc == SINK_OK && (b = feed_take(o->feed)) != NULL) {
		for (i = 0; i < b->nnames; i++) {
			nm = &b->names[i];
			out_stream(&main_side, nm->sid, b->text.data + nm->off,
			    nm->len);
		}
		/* A signal stops the run after the event it came in, as
		 * with one thread. */
		for (i = 0; rc == SINK_OK && i < b->n && !(stopped = stop(arg));
		     i++) {
			e = &b->ev[i];
			rc = pipeline_event_scanned(o->p, main_side.st[e->sid],
			    e->ts, b->text.data + e->off, e->len, NULL,
			    &e->scan, cause);
		}
		feed_give_back(o->feed, b);
		if (stopped)
			break;
	}
	feed_stop(o->feed);
	free(main_side.st);
	return (rc);
}

void
source_files_set_jobs(struct source_files *sf, int jobs)
{
	sf->jobs = jobs;
}

enum sink_status
source_files_run(struct source_files *sf, struct pipeline *p,
    int (*stop)(void *), void *arg, char **cause)
{
	struct out o;
	pthread_t reader;
	enum sink_status rc;

	memset(&o, 0, sizeof o);
	o.sf = sf;
	o.p = p;
	o.cause = cause;
	if (!threadable(sf)) {
		rc = merge(sf, &o, stop, arg);
		free(o.st);
		return (rc);
	}
	o.feed = feed_new(4);
	if (pthread_create(&reader, NULL, reader_main, &o) != 0) {
		/* No thread to be had: the same run on this one. */
		feed_free(o.feed);
		o.feed = NULL;
		rc = merge(sf, &o, stop, arg);
		free(o.st);
		return (rc);
	}
	rc = consume(&o, stop, arg, cause);
	pthread_join(reader, NULL);
	feed_free(o.feed);
	return (rc);
}
