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
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "input.h"
#include "log.h"
#include "logfile.h"
#include "source_files.h"
#include "strmap.h"
#include "xmalloc.h"

/* Read buffers share this budget, within per-stream bounds. */
#define READ_BUDGET (64 * 1024 * 1024)
#define READ_MIN (16 * 1024)
#define READ_MAX (256 * 1024)

/* One source: a stream's files in one directory, read in order. */
struct fstream {
	char *name; /* the stream's */
	char **paths;
	size_t npaths, cap;
	struct logfile *lf;
	struct stream *st; /* the pipeline's handle */
	/* The event at the head of this source. */
	int64_t ts;
	const char *msg;
	size_t len;
};

struct source_files {
	struct fstream **v;
	size_t n, cap;
	struct strmap *bykey; /* stream and directory -> source */
	struct strmap *skipped; /* names of streams outside the prefix */
	struct strmap *seen; /* device and inode of every file taken */
	size_t failed; /* files that could not be read */
};

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
	} else if (n > 3 && memcmp(start + n - 3, ".gz", 3) == 0)
		n -= 3;
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
		if (sf->n == sf->cap) {
			sf->cap = sf->cap == 0 ? 64 : sf->cap * 2;
			sf->v = xreallocarray(sf->v, sf->cap, sizeof *sf->v);
		}
		sf->v[sf->n++] = fs;
	}
	free(key);
	if (fs->npaths == fs->cap) {
		fs->cap = fs->cap == 0 ? 4 : fs->cap * 2;
		fs->paths =
		    xreallocarray(fs->paths, fs->cap, sizeof *fs->paths);
	}
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
	if (!named && source_files_stream_name(base) == NULL) {
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
source_files_new(
    const char *const *paths, size_t n, const char *prefix, char **cause)
{
	struct source_files *sf;
	struct stat sb;
	const char *base;
	size_t i;

	sf = xcalloc(1, sizeof *sf);
	sf->bykey = strmap_new();
	sf->skipped = strmap_new();
	sf->seen = strmap_new();
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

size_t
source_files_failed(const struct source_files *sf)
{
	return (sf->failed);
}

/*
 * A heap entry holds its stream's head time, so comparisons read the
 * heap array alone: the merge touches one cache line per level, not a
 * stream struct per comparison.
 */
struct hent {
	int64_t ts; /* of the stream's head event */
	size_t i; /* stream index */
};

struct heap {
	struct hent *v;
	size_t n;
};

/* Heap order: earlier event first, then lower stream index. */
static int
heap_less(const struct heap *h, size_t a, size_t b)
{
	if (h->v[a].ts != h->v[b].ts)
		return (h->v[a].ts < h->v[b].ts);
	return (h->v[a].i < h->v[b].i);
}

static void
heap_swap(struct heap *h, size_t a, size_t b)
{
	struct hent t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
}

static void
heap_down(struct heap *h, size_t i)
{
	size_t l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < h->n && heap_less(h, l, m))
			m = l;
		if (r < h->n && heap_less(h, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static void
heap_up(struct heap *h, size_t i)
{
	while (i > 0 && heap_less(h, i, (i - 1) / 2)) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

/*
 * Load the next event of a source: 1, 0 at its end, or LOGFILE_STOPPED.
 * A file that failed is named now, once.
 */
static int
advance(struct source_files *sf, struct fstream *fs)
{
	char *failed;
	int rc;

	rc = logfile_next(fs->lf, &fs->ts, &fs->msg, &fs->len);
	if ((failed = logfile_failed(fs->lf)) != NULL) {
		log_error("%s", failed);
		free(failed);
		sf->failed++;
	}
	return (rc);
}

enum sink_status
source_files_run(struct source_files *sf, struct pipeline *p, int (*stop)(void),
    char **cause)
{
	struct heap h = {NULL, 0};
	struct input_pool *pool;
	struct fstream *fs;
	enum sink_status rc = SINK_OK;
	size_t i, bufsize;
	int more;

	bufsize = sf->n == 0 ? READ_MAX : READ_BUDGET / sf->n;
	bufsize = bufsize < READ_MIN ? READ_MIN
	    : bufsize > READ_MAX     ? READ_MAX
				     : bufsize;
	pool = input_pool_new(0, stop);
	h.v = xreallocarray(NULL, sf->n, sizeof *h.v);
	for (i = 0; i < sf->n; i++) {
		fs = sf->v[i];
		fs->lf = logfile_open(
		    fs->name, fs->paths, fs->npaths, bufsize, pool);
		fs->st = pipeline_stream(p, fs->name, strlen(fs->name));
		if ((more = advance(sf, fs)) == LOGFILE_STOPPED)
			goto out;
		if (more) {
			h.v[h.n].ts = fs->ts;
			h.v[h.n++].i = i;
			heap_up(&h, h.n - 1);
		} else {
			logfile_close(fs->lf);
			fs->lf = NULL;
		}
	}
	while (h.n > 0 && !stop()) {
		fs = sf->v[h.v[0].i];
		rc = pipeline_event(p, fs->st, fs->ts, fs->msg, fs->len, cause);
		if (rc != SINK_OK)
			goto out;
		if ((more = advance(sf, fs)) == LOGFILE_STOPPED)
			goto out;
		if (more)
			h.v[0].ts = fs->ts;
		else {
			logfile_close(fs->lf);
			fs->lf = NULL;
			h.v[0] = h.v[--h.n];
		}
		heap_down(&h, 0);
	}
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
