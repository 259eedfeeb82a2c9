/*
 * The spool's files and index (spool.h).
 *
 * Files are segments of at most seg_max bytes (an eighth of the disk
 * budget, within 64 kB and 256 MB), so the budget is kept by unlinking
 * the oldest segment whole. A record is 20 bytes of header (time, stream
 * index, length, the carrier host's index or UINT32_MAX) and the line's
 * raw bytes, or, for a line indexed in place (the length's top bit set),
 * the index of the file that holds them and their offset there. The
 * length's next bit says the event's own final '\n' followed the line
 * (spool_line's eol: that line end is not a line of its own); records
 * never straddle two segments. A line's place is a 40-bit logical offset:
 * the segment's number above SEG_BITS, the offset in it below.
 *
 * The index is an array of 16-byte entries in chunks of CHUNK lines, by
 * line number (seq - 1); chunks whose lines were all dropped are freed.
 * Each entry links to its group's previous line (32 bits of distance)
 * and next line (16 bits): walks of one group follow the links and only
 * scan when a link is missing (too far, or dropped).
 *
 * Records are appended through a buffer; a read of a record still in it
 * is served from it. Reads go through a window of WIN_SIZE bytes read
 * ahead in the direction of the walk (and each file indexed in place has
 * a window of its own), so walking lines one by one (a search, an export)
 * costs one read a window, and the lines read are kept in a direct-mapped
 * cache (by seq) of opt.cache slots.
 *
 * A file is indexed in place once its descriptor is open and its bytes at
 * the first event's offset are that event's text (it was not replaced
 * since it was read); its descriptor stays open, so a file renamed or
 * removed meanwhile is still read.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "spool.h"
#include "strmap.h"
#include "xmalloc.h"

#define SEG_BITS 28
#define SEG_LIMIT ((uint64_t)1 << SEG_BITS)
#define SEG_MIN ((uint64_t)64 << 10)
#define SEGS_MAX ((uint64_t)1 << (40 - SEG_BITS))
#define CHUNK_BITS 16
#define CHUNK ((uint64_t)1 << CHUNK_BITS)
#define REC_HDR 20
/* After the header of a line indexed in place: file index and offset. */
#define REC_REF 12
/* The length field's top bit: the text is in a file, not here. */
#define LEN_IN_FILE 0x80000000u
/* The length field's next bit: the event's final '\n' follows. */
#define LEN_EOL 0x40000000u
#define LEN_MAX 0x3fffffffu
#define WIN_SIZE ((size_t)256 << 10)
#define FILE_WIN_SIZE ((size_t)32 << 10)
#define WBUF_SIZE ((size_t)256 << 10)
/* Indexes past these are shared by every later host or group. */
#define HOSTS_MAX ((1u << 19) - 1)
#define GROUPS_MAX 65535u
#define GPREV_MAX UINT32_MAX
#define GNEXT_MAX UINT16_MAX

struct ent {
	uint64_t off : 40; /* logical offset of its record */
	uint64_t host : 19;
	uint64_t mark : 4;
	uint64_t cont : 1;
	uint32_t gprev; /* lines back to its group's previous; 0: none */
	uint16_t group;
	uint16_t gnext; /* lines on to its group's next; 0: none or far */
};
_Static_assert(sizeof(struct ent) == 16, "an index entry is 16 bytes");

/* Bytes of one file, read ahead of a walk. */
struct win {
	char *buf; /* size bytes, or NULL until first used */
	size_t size;
	uint64_t off; /* the file offset of buf[0] */
	size_t len; /* bytes held; 0: none */
};

/* A file that holds the text of lines indexed in place. */
struct sfile {
	const char *path; /* interned */
	size_t len;
	int fd; /* -1: its lines are copied */
	struct win win;
};

struct seg {
	int fd;
	uint64_t size; /* bytes written or buffered */
	uint64_t end; /* index one past its last line */
};

struct sgroup {
	const char *name; /* interned */
	size_t len;
	uint64_t first; /* index + 1 of its oldest held line, 0: scan */
	uint64_t last; /* index + 1 of its newest line, 0: none */
	uint64_t lines, dropped;
};

struct cslot {
	uint64_t seq; /* 0: empty */
	struct spool_line l;
	char *text;
	size_t cap;
};

struct spool {
	char *dir;
	int own_dir; /* made here: removed at the end */
	uint64_t limit, seg_max;

	struct seg *segs; /* held segments, oldest first */
	size_t nsegs, segs_cap;
	uint64_t seg_base; /* number of segs[0] */
	uint64_t disk; /* bytes of the held segments */

	struct ent **chunks;
	size_t nchunks; /* chunk pointers (freed ones are NULL) */
	size_t live_chunks;
	uint64_t n; /* lines indexed */
	uint64_t first; /* index of the oldest held line */

	struct strmap *names; /* name -> index + 1, hosts and streams */
	struct strmap *stream_names;
	const char **hosts, **streams;
	uint32_t *host_lens, *stream_lens;
	size_t nhosts, hosts_cap, nstreams, streams_cap;
	struct strmap *group_names;
	struct sgroup *groups;
	size_t ngroups, groups_cap;

	struct buf wbuf; /* records not yet written */
	uint64_t wbuf_off; /* logical offset of its first byte */

	struct win win; /* read window over one segment */
	uint64_t win_seg; /* its segment's number */
	uint64_t last_read; /* index of the last line read */
	struct buf scratch; /* bytes too long for a window */

	struct sfile *files; /* by index, in the order first seen */
	size_t nfiles, files_cap;
	struct strmap *file_names; /* path -> index + 1 */
	size_t files_open, files_max; /* files_max 0: not known yet */
	size_t last_file; /* the file of the last event, to look up less */
	uint64_t in_place; /* lines indexed in place */

	struct cslot *cache;
	size_t ncache;

	char *error;
	uint64_t lost;
};

static uint64_t
logical(uint64_t segno, uint64_t off)
{
	return (segno << SEG_BITS | off);
}

static struct ent *
ent_at(const struct spool *sp, uint64_t i)
{
	return (&sp->chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]);
}

static struct seg *
seg_of(const struct spool *sp, uint64_t off)
{
	uint64_t no = off >> SEG_BITS;

	if (no < sp->seg_base || no - sp->seg_base >= sp->nsegs)
		return (NULL);
	return (&sp->segs[no - sp->seg_base]);
}

/* Stop keeping lines: the first failure is the one said. */
static void
fail(struct spool *sp, const char *what, int err)
{
	if (sp->error != NULL)
		return;
	xasprintf(&sp->error,
	    "spool %s: %s: %s; new lines are no longer kept (the %llu "
	    "before are)",
	    sp->dir, what, strerror(err),
	    (unsigned long long)(sp->n - sp->first));
}

/* The file of segment no. */
static char *
seg_path(const struct spool *sp, uint64_t no)
{
	char *path;

	xasprintf(&path, "%s/spool-%ld-%llu", sp->dir, (long)getpid(),
	    (unsigned long long)no);
	return (path);
}

/* A new newest segment; -1 with errno. */
static int
seg_open(struct spool *sp)
{
	struct seg *s;
	uint64_t no = sp->seg_base + sp->nsegs;
	char *path;
	int fd;

	if (no >= SEGS_MAX) {
		errno = EFBIG;
		return (-1);
	}
	path = seg_path(sp, no);
	fd = open(
	    path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return (-1);
	sp->segs = xgrow(sp->segs, sp->nsegs, &sp->segs_cap, 8, sizeof *s);
	s = &sp->segs[sp->nsegs++];
	s->fd = fd;
	s->size = 0;
	s->end = sp->n;
	return (0);
}

static struct seg *
seg_newest(struct spool *sp)
{
	return (&sp->segs[sp->nsegs - 1]);
}

struct spool *
spool_new(const struct spool_options *opt, char **cause)
{
	struct spool *sp;
	const char *tmp = getenv("TMPDIR");

	sp = xcalloc(1, sizeof *sp);
	sp->limit = opt->limit != 0 ? opt->limit : SPOOL_DEFAULT_LIMIT;
	sp->seg_max = sp->limit / 8;
	if (sp->seg_max < SEG_MIN)
		sp->seg_max = SEG_MIN;
	if (sp->seg_max > SEG_LIMIT)
		sp->seg_max = SEG_LIMIT;
	sp->ncache = opt->cache != 0 ? opt->cache : SPOOL_DEFAULT_CACHE;
	if (sp->ncache > SPOOL_CACHE_MAX)
		sp->ncache = SPOOL_CACHE_MAX;
	sp->cache = xcalloc(sp->ncache, sizeof *sp->cache);
	sp->win.buf = xmalloc(WIN_SIZE);
	sp->win.size = WIN_SIZE;
	sp->win_seg = UINT64_MAX;
	sp->file_names = strmap_new();
	sp->names = strmap_new();
	sp->stream_names = strmap_new();
	sp->group_names = strmap_new();
	if (opt->dir != NULL) {
		sp->dir = xstrdup(opt->dir);
		if (mkdir(sp->dir, 0700) != 0 && errno != EEXIST)
			goto fail;
	} else {
		xasprintf(&sp->dir, "%s/cwdemux-spool.XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(sp->dir) == NULL)
			goto fail;
		sp->own_dir = 1;
	}
	if (seg_open(sp) != 0)
		goto fail;
	return (sp);
fail:
	xasprintf(cause, "spool %s: %s", sp->dir, strerror(errno));
	spool_free(sp);
	return (NULL);
}

void
spool_free(struct spool *sp)
{
	char *path;
	size_t i;

	if (sp == NULL)
		return;
	for (i = 0; i < sp->nsegs; i++) {
		close(sp->segs[i].fd);
		if (sp->own_dir) {
			path = seg_path(sp, sp->seg_base + i);
			unlink(path);
			free(path);
		}
	}
	if (sp->own_dir)
		rmdir(sp->dir);
	for (i = 0; i < sp->nchunks; i++)
		free(sp->chunks[i]);
	free(sp->chunks);
	free(sp->segs);
	for (i = 0; i < sp->ncache; i++)
		free(sp->cache[i].text);
	free(sp->cache);
	free(sp->win.buf);
	for (i = 0; i < sp->nfiles; i++) {
		if (sp->files[i].fd >= 0)
			close(sp->files[i].fd);
		free(sp->files[i].win.buf);
	}
	free(sp->files);
	strmap_free(sp->file_names);
	buf_free(&sp->scratch);
	strmap_free(sp->names);
	strmap_free(sp->stream_names);
	strmap_free(sp->group_names);
	free(sp->hosts);
	free(sp->host_lens);
	free(sp->streams);
	free(sp->stream_lens);
	free(sp->groups);
	buf_free(&sp->wbuf);
	free(sp->error);
	free(sp->dir);
	free(sp);
}

void
spool_abandon(struct spool *sp)
{
	char path[PATH_MAX];
	size_t i;

	if (sp == NULL || !sp->own_dir)
		return;
	for (i = 0; i < sp->nsegs; i++)
		if (snprintf(path, sizeof path, "%s/spool-%ld-%llu", sp->dir,
			(long)getpid(),
			(unsigned long long)(sp->seg_base + i)) <
		    (int)sizeof path)
			unlink(path);
	rmdir(sp->dir);
	sp->own_dir = 0;
}

/* Intern a name into a table; the index, capped at max. */
static uint32_t
name_index(struct strmap *m, const char ***v, uint32_t **lens, size_t *n,
    size_t *cap, const char *s, size_t len, uint32_t max)
{
	uintptr_t i = (uintptr_t)strmap_get(m, s, len);

	if (i != 0)
		return ((uint32_t)(i - 1));
	if (*n >= max)
		return (max);
	if (*n == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		*v = xreallocarray(*v, *cap, sizeof **v);
		*lens = xreallocarray(*lens, *cap, sizeof **lens);
	}
	(*v)[*n] = strmap_put(m, s, len, (void *)(uintptr_t)(*n + 1));
	(*lens)[*n] = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	return ((uint32_t)(*n)++);
}

static unsigned
group_index(struct spool *sp, const char *name, size_t len)
{
	uintptr_t i = (uintptr_t)strmap_get(sp->group_names, name, len);
	struct sgroup *g;

	if (i != 0)
		return ((unsigned)(i - 1));
	/* Hostile logs can invent any number: the last one is shared. */
	if (sp->ngroups >= GROUPS_MAX)
		return (GROUPS_MAX - 1);
	if (sp->ngroups == GROUPS_MAX - 1) {
		name = "(more groups)";
		len = strlen(name);
	}
	sp->groups =
	    xgrow(sp->groups, sp->ngroups, &sp->groups_cap, 8, sizeof *g);
	g = &sp->groups[sp->ngroups];
	memset(g, 0, sizeof *g);
	g->name = strmap_put(
	    sp->group_names, name, len, (void *)(uintptr_t)(sp->ngroups + 1));
	g->len = len;
	return ((unsigned)sp->ngroups++);
}

/* Remove the newest line from the index (its record was not written). */
static void
unindex_newest(struct spool *sp)
{
	struct ent *e = ent_at(sp, sp->n - 1);
	struct sgroup *g = &sp->groups[e->group];

	g->lines--;
	g->last = e->gprev != 0 ? sp->n - e->gprev : 0;
	if (g->last != 0 && g->last - 1 >= sp->first)
		ent_at(sp, g->last - 1)->gnext = 0;
	if (g->first == sp->n)
		g->first = 0;
	sp->n--;
	sp->lost++;
}

/*
 * Write the buffer. On failure the lines whose records it held are taken
 * out of the index (lost), the file is cut back to what was whole, and the
 * spool stops keeping lines.
 */
static void
write_out(struct spool *sp)
{
	struct seg *s = seg_newest(sp);
	uint64_t at = sp->wbuf_off & (SEG_LIMIT - 1);
	size_t done = 0;
	ssize_t w;
	int err;

	while (done < sp->wbuf.len) {
		/* The file is only appended to: write(), at its end. */
		w = write(s->fd, sp->wbuf.data + done, sp->wbuf.len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : ENOSPC;
			while (sp->n > sp->first &&
			    ent_at(sp, sp->n - 1)->off >= sp->wbuf_off)
				unindex_newest(sp);
			fail(sp, "write", err);
			(void)ftruncate(s->fd, (off_t)at);
			sp->disk -= s->size - at;
			s->size = at;
			break;
		}
		done += (size_t)w;
	}
	sp->wbuf_off += sp->wbuf.len;
	buf_reset(&sp->wbuf);
}

void
spool_flush(struct spool *sp)
{
	if (sp->wbuf.len > 0)
		write_out(sp);
}

/* Drop the oldest segment: its lines are counted as dropped. */
static void
drop_oldest(struct spool *sp)
{
	struct seg *s = &sp->segs[0];
	struct sgroup *g;
	struct ent *e;
	uint64_t i;
	char *path;

	for (i = sp->first; i < s->end && i < sp->n; i++) {
		e = ent_at(sp, i);
		g = &sp->groups[e->group];
		g->lines--;
		g->dropped++;
		/* Its next line is the group's oldest now (if linked). */
		g->first = e->gnext != 0 ? i + e->gnext + 1 : 0;
		if (g->lines == 0)
			g->first = 0;
	}
	sp->first = i;
	for (i = 0; i < sp->nchunks && (i + 1) * CHUNK <= sp->first; i++)
		if (sp->chunks[i] != NULL) {
			free(sp->chunks[i]);
			sp->chunks[i] = NULL;
			sp->live_chunks--;
		}
	close(s->fd);
	path = seg_path(sp, sp->seg_base);
	unlink(path);
	free(path);
	sp->disk -= s->size;
	memmove(&sp->segs[0], &sp->segs[1], (sp->nsegs - 1) * sizeof *s);
	sp->nsegs--;
	sp->seg_base++;
}

static struct ent *
ent_new(struct spool *sp)
{
	uint64_t c = sp->n >> CHUNK_BITS;

	if (c >= sp->nchunks) {
		sp->chunks =
		    xreallocarray(sp->chunks, c + 1, sizeof *sp->chunks);
		while (sp->nchunks <= c)
			sp->chunks[sp->nchunks++] = NULL;
	}
	if (sp->chunks[c] == NULL) {
		sp->chunks[c] = xreallocarray(NULL, CHUNK, sizeof **sp->chunks);
		sp->live_chunks++;
	}
	return (ent_at(sp, sp->n));
}

/*
 * Append a line's record: its text, or where it lies when file is the
 * index of a file that holds it at off (a line shorter than that
 * reference is copied all the same).
 */
static void
add_line(struct spool *sp, unsigned gi, uint32_t host, uint32_t stream,
    uint32_t via, int64_t ts, const char *text, size_t len, int cont, int eol,
    int64_t file, uint64_t off_in_file)
{
	struct sgroup *g = &sp->groups[gi];
	uint32_t len32 = len > LEN_MAX ? LEN_MAX : (uint32_t)len;
	int ref = file >= 0 && len32 > REC_REF;
	uint64_t rec = REC_HDR + (ref ? REC_REF : len32), off;
	struct seg *s = seg_newest(sp);
	unsigned char hdr[REC_HDR + REC_REF];
	uint32_t lenf =
	    (ref ? len32 | LEN_IN_FILE : len32) | (eol ? LEN_EOL : 0);
	uint32_t fi = (uint32_t)file;
	struct ent *e;

	if (sp->error != NULL) {
		sp->lost++;
		return;
	}
	if (s->size > 0 && s->size + rec > sp->seg_max) {
		spool_flush(sp);
		if (sp->error != NULL || seg_open(sp) != 0) {
			fail(sp, "new file", errno);
			sp->lost++;
			return;
		}
		s = seg_newest(sp);
		sp->wbuf_off = logical(sp->seg_base + sp->nsegs - 1, 0);
	}
	off = logical(sp->seg_base + sp->nsegs - 1, s->size);
	memcpy(hdr, &ts, 8);
	memcpy(hdr + 8, &stream, 4);
	memcpy(hdr + 12, &lenf, 4);
	memcpy(hdr + 16, &via, 4);
	if (ref) {
		memcpy(hdr + REC_HDR, &fi, 4);
		memcpy(hdr + REC_HDR + 4, &off_in_file, 8);
		buf_add(&sp->wbuf, hdr, REC_HDR + REC_REF);
		sp->in_place++;
	} else {
		buf_add(&sp->wbuf, hdr, REC_HDR);
		buf_add(&sp->wbuf, text, len32);
	}
	s->size += rec;
	sp->disk += rec;

	e = ent_new(sp);
	memset(e, 0, sizeof *e);
	e->off = off;
	e->host = host;
	e->cont = cont != 0;
	e->group = (uint16_t)gi;
	if (g->last != 0 && g->last - 1 >= sp->first) {
		if (sp->n - (g->last - 1) <= GPREV_MAX)
			e->gprev = (uint32_t)(sp->n - (g->last - 1));
		if (sp->n - (g->last - 1) <= GNEXT_MAX)
			ent_at(sp, g->last - 1)->gnext =
			    (uint16_t)(sp->n - (g->last - 1));
	}
	if (g->lines == 0)
		g->first = sp->n + 1;
	g->last = sp->n + 1;
	g->lines++;
	sp->n++;
	s->end = sp->n;
	if (sp->wbuf.len >= WBUF_SIZE)
		write_out(sp);
	while (sp->disk > sp->limit && sp->nsegs > 1)
		drop_oldest(sp);
}

/* Read len bytes at off of fd: 0, or -1. */
static int
read_full(int fd, char *dst, size_t len, uint64_t off)
{
	ssize_t r;

	while (len > 0) {
		r = pread(fd, dst, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return (-1);
		dst += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return (0);
}

/* Files kept open for their lines at most, within the descriptors the
 * process may have (the reader of --from raised the limit already). */
static size_t
files_max(void)
{
	struct rlimit rl;
	size_t n = SPOOL_FILES_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 16 < n)
		n = (size_t)(rl.rlim_cur / 16);
	return (n);
}

/*
 * A descriptor of the file that holds an event's text, or -1 when it
 * cannot be opened or does not hold the text (replaced since it was read:
 * the first bytes are compared).
 */
static int
file_open(const struct spool_event *ev)
{
	char head[256];
	size_t n = ev->len < sizeof head ? ev->len : sizeof head;
	struct stat st;
	int fd;

	if ((fd = open(ev->file, O_RDONLY | O_CLOEXEC)) < 0)
		return (-1);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    read_full(fd, head, n, ev->off) != 0 ||
	    memcmp(head, ev->msg, n) != 0) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* The index of the file that holds an event's text, or -1: copy it. */
static int64_t
file_of(struct spool *sp, const struct spool_event *ev)
{
	size_t len = strlen(ev->file);
	struct sfile *f;
	uintptr_t i;

	/* Events come file after file: the last one first. */
	if (sp->nfiles > 0 && (f = &sp->files[sp->last_file])->len == len &&
	    memcmp(f->path, ev->file, len) == 0)
		return (f->fd >= 0 ? (int64_t)sp->last_file : -1);
	if ((i = (uintptr_t)strmap_get(sp->file_names, ev->file, len)) != 0) {
		sp->last_file = i - 1;
		return (sp->files[i - 1].fd >= 0 ? (int64_t)(i - 1) : -1);
	}
	if (sp->files_max == 0)
		sp->files_max = files_max();
	sp->files = xgrow(sp->files, sp->nfiles, &sp->files_cap, 8, sizeof *f);
	f = &sp->files[sp->nfiles];
	memset(f, 0, sizeof *f);
	f->path = strmap_put(
	    sp->file_names, ev->file, len, (void *)(uintptr_t)(sp->nfiles + 1));
	f->len = len;
	f->fd = sp->files_open < sp->files_max ? file_open(ev) : -1;
	f->win.size = FILE_WIN_SIZE;
	sp->files_open += f->fd >= 0;
	sp->last_file = sp->nfiles++;
	return (f->fd >= 0 ? (int64_t)sp->last_file : -1);
}

void
spool_add(struct spool *sp, const struct spool_event *ev)
{
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;
	unsigned gi = group_index(sp, ev->group, ev->group_len);
	uint32_t hi, si, vi = UINT32_MAX;
	int64_t file = -1;
	int cont = 0, eol = 0;

	hi = name_index(sp->names, &sp->hosts, &sp->host_lens, &sp->nhosts,
	    &sp->hosts_cap, ev->host, ev->host_len, HOSTS_MAX);
	si = name_index(sp->stream_names, &sp->streams, &sp->stream_lens,
	    &sp->nstreams, &sp->streams_cap, ev->stream, ev->stream_len,
	    UINT32_MAX);
	if (ev->via != NULL)
		vi = name_index(sp->names, &sp->hosts, &sp->host_lens,
		    &sp->nhosts, &sp->hosts_cap, ev->via, ev->via_len,
		    HOSTS_MAX);
	if (ev->file != NULL && sp->error == NULL)
		file = file_of(sp, ev);
	/* The event's own last line end ends its last line (#15). */
	if (end > p && end[-1] == '\n') {
		end--;
		eol = 1;
	}
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		add_line(sp, gi, hi, si, vi, ev->ts, p,
		    (size_t)((nl != NULL ? nl : end) - p), cont,
		    nl == NULL && eol, file, ev->off + (uint64_t)(p - ev->msg));
		cont = 1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

const char *
spool_error(const struct spool *sp)
{
	return (sp->error);
}

uint64_t
spool_lost(const struct spool *sp)
{
	return (sp->lost);
}

const char *
spool_dir(const struct spool *sp)
{
	return (sp->dir);
}

size_t
spool_groups(const struct spool *sp)
{
	return (sp->ngroups);
}

const char *
spool_group_name(const struct spool *sp, unsigned group, size_t *len)
{
	*len = sp->groups[group].len;
	return (sp->groups[group].name);
}

int
spool_group_find(const struct spool *sp, const char *name, size_t len)
{
	return ((int)(uintptr_t)strmap_get(sp->group_names, name, len) - 1);
}

uint64_t
spool_group_lines(const struct spool *sp, unsigned group)
{
	return (sp->groups[group].lines);
}

uint64_t
spool_group_dropped(const struct spool *sp, unsigned group)
{
	return (sp->groups[group].dropped);
}

uint64_t
spool_lines(const struct spool *sp)
{
	return (sp->n - sp->first);
}

uint64_t
spool_dropped(const struct spool *sp)
{
	return (sp->first);
}

uint64_t
spool_disk_bytes(const struct spool *sp)
{
	return (sp->disk);
}

uint64_t
spool_in_place(const struct spool *sp)
{
	return (sp->in_place);
}

size_t
spool_index_bytes(const struct spool *sp)
{
	return (sp->live_chunks * CHUNK * sizeof(struct ent) +
	    sp->nchunks * sizeof *sp->chunks);
}

uint64_t
spool_last_seq(const struct spool *sp)
{
	return (sp->n);
}

static const char *
host_name(const struct spool *sp, uint32_t i, uint32_t *len)
{
	static const char more[] = "(more hosts)";

	if (i >= sp->nhosts) {
		*len = sizeof more - 1;
		return (more);
	}
	*len = sp->host_lens[i];
	return (sp->hosts[i]);
}

void
spool_mark(struct spool *sp, uint64_t seq, unsigned mask, unsigned bits)
{
	struct ent *e;
	struct cslot *c;

	if (seq == 0 || seq - 1 < sp->first || seq > sp->n)
		return;
	e = ent_at(sp, seq - 1);
	e->mark = ((e->mark & ~mask) | (bits & mask)) & SPOOL_MARKS;
	c = &sp->cache[(seq - 1) % sp->ncache];
	if (c->seq == seq)
		c->l.mark = e->mark;
}

int
spool_peek(const struct spool *sp, uint64_t seq, unsigned *group,
    const char **host, unsigned *mark)
{
	const struct ent *e;
	uint32_t len;

	if (seq == 0 || seq - 1 < sp->first || seq > sp->n)
		return (-1);
	e = ent_at(sp, seq - 1);
	*group = e->group;
	*host = host_name(sp, e->host, &len);
	*mark = e->mark;
	return (0);
}

/*
 * A pointer to len bytes at off of fd, through the window w: refilled
 * around them ahead of the walk (back: the walk goes to older lines, so
 * the window ends a little past them, and a line's text read after its
 * header is in it too). Bytes longer than half a window are read into
 * scratch. NULL when they cannot be read.
 */
static const char *
win_get(struct win *w, int fd, uint64_t off, size_t len, int back,
    struct buf *scratch)
{
	uint64_t start = off;
	ssize_t r;
	char *dst;

	if (w->len > 0 && off >= w->off && off + len <= w->off + w->len)
		return (w->buf + (off - w->off));
	if (len > w->size / 2) {
		buf_reset(scratch);
		dst = buf_reserve(scratch, len + 1);
		return (read_full(fd, dst, len, off) == 0 ? dst : NULL);
	}
	if (w->buf == NULL)
		w->buf = xmalloc(w->size);
	if (back)
		start =
		    off + len + 4096 > w->size ? off + len + 4096 - w->size : 0;
	do
		r = pread(fd, w->buf, w->size, (off_t)start);
	while (r < 0 && errno == EINTR);
	if (r < 0 || start + (uint64_t)r < off + len) {
		w->len = 0;
		return (NULL);
	}
	w->off = start;
	w->len = (size_t)r;
	return (w->buf + (off - start));
}

/* len bytes at logical offset off of the spool: from the write buffer,
 * or through the window over its segment; NULL if unreadable. */
static const char *
spool_bytes(struct spool *sp, uint64_t off, size_t len, int back)
{
	struct seg *s;

	if (off >= sp->wbuf_off) {
		if (off + len > sp->wbuf_off + sp->wbuf.len)
			return (NULL);
		return (sp->wbuf.data + (off - sp->wbuf_off));
	}
	if ((s = seg_of(sp, off)) == NULL)
		return (NULL);
	if (sp->win_seg != off >> SEG_BITS) {
		sp->win_seg = off >> SEG_BITS;
		sp->win.len = 0;
	}
	return (win_get(
	    &sp->win, s->fd, off & (SEG_LIMIT - 1), len, back, &sp->scratch));
}

/* A line's record, as read back. */
struct rec {
	int64_t ts;
	uint32_t stream, via, len;
	int eol; /* the event's final '\n' follows */
	int64_t file; /* the file that holds its text, or -1: the spool */
	uint64_t at; /* where the text is: file offset, or logical offset */
};

/* Line i's record (its header, and where its text is): 0, or -1. */
static int
rec_read(struct spool *sp, uint64_t i, int back, struct rec *r)
{
	const struct ent *e = ent_at(sp, i);
	const char *h;
	uint32_t len, fi;

	if ((h = spool_bytes(sp, e->off, REC_HDR, back)) == NULL)
		return (-1);
	memcpy(&r->ts, h, 8);
	memcpy(&r->stream, h + 8, 4);
	memcpy(&len, h + 12, 4);
	memcpy(&r->via, h + 16, 4);
	r->len = len & LEN_MAX;
	r->eol = (len & LEN_EOL) != 0;
	r->file = -1;
	r->at = e->off + REC_HDR;
	if (!(len & LEN_IN_FILE))
		return (0);
	if ((h = spool_bytes(sp, e->off + REC_HDR, REC_REF, back)) == NULL)
		return (-1);
	memcpy(&fi, h, 4);
	memcpy(&r->at, h + 4, 8);
	if (fi >= sp->nfiles || sp->files[fi].fd < 0)
		return (-1);
	r->file = fi;
	return (0);
}

/* The text of a record, valid until the next read; NULL if unreadable
 * (the file that held it was cut short). */
static const char *
rec_text(struct spool *sp, const struct rec *r, int back)
{
	struct sfile *f;

	if (r->file < 0)
		return (spool_bytes(sp, r->at, r->len, back));
	f = &sp->files[r->file];
	return (win_get(&f->win, f->fd, r->at, r->len, back, &sp->scratch));
}

/* The held line at index i, read into the cache; NULL if its record is
 * unreadable. A text that cannot be read is said instead (missing). */
static const struct spool_line *
line_at(struct spool *sp, uint64_t i)
{
	static const char gone[] = "(cwdemux: this line's text is no longer "
				   "in the file it was read from)";
	struct cslot *c = &sp->cache[i % sp->ncache];
	const struct ent *e = ent_at(sp, i);
	const char *text;
	struct rec r;
	int back = i < sp->last_read;

	sp->last_read = i;
	if (c->seq == i + 1)
		return (&c->l);
	if (rec_read(sp, i, back, &r) != 0)
		return (NULL);
	c->l.missing = 0;
	if ((text = rec_text(sp, &r, back)) == NULL) {
		text = gone;
		r.len = sizeof gone - 1;
		c->l.missing = 1;
	}
	if (c->cap < (size_t)r.len + 1) {
		c->cap = (size_t)r.len + 1;
		free(c->text);
		c->text = xmalloc(c->cap);
	}
	memcpy(c->text, text, r.len);
	c->text[r.len] = '\0';
	c->l.ts = r.ts;
	c->seq = i + 1;
	c->l.seq = i + 1;
	c->l.text = c->text;
	c->l.len = r.len;
	c->l.eol = r.eol;
	c->l.host = host_name(sp, e->host, &c->l.host_len);
	c->l.via = NULL;
	c->l.via_len = 0;
	if (r.via != UINT32_MAX)
		c->l.via = host_name(sp, r.via, &c->l.via_len);
	if (r.stream < sp->nstreams) {
		c->l.stream = sp->streams[r.stream];
		c->l.stream_len = sp->stream_lens[r.stream];
	} else {
		c->l.stream = "";
		c->l.stream_len = 0;
	}
	c->l.group = e->group;
	c->l.cont = e->cont;
	c->l.mark = e->mark;
	return (&c->l);
}

/* The index of group g's first held line at or after i, or UINT64_MAX. */
static uint64_t
group_from(const struct spool *sp, unsigned g, uint64_t i)
{
	const struct sgroup *gr = &sp->groups[g];
	const struct ent *e;

	if (gr->last == 0 || gr->last - 1 < i)
		return (UINT64_MAX);
	if (gr->first != 0 && gr->first - 1 >= i && gr->first - 1 >= sp->first)
		i = gr->first - 1;
	/* From the line before, its link leads on. */
	if (i > sp->first && (e = ent_at(sp, i - 1))->group == g &&
	    e->gnext != 0)
		return (i - 1 + e->gnext);
	for (; i < sp->n; i++)
		if (ent_at(sp, i)->group == g)
			return (i);
	return (UINT64_MAX);
}

/* The index of group g's last held line at or before i, or UINT64_MAX. */
static uint64_t
group_to(const struct spool *sp, unsigned g, uint64_t i)
{
	const struct sgroup *gr = &sp->groups[g];
	const struct ent *e;

	if (gr->last == 0 || gr->lines == 0)
		return (UINT64_MAX);
	if (gr->last - 1 <= i)
		return (gr->last - 1 >= sp->first ? gr->last - 1 : UINT64_MAX);
	/* From the line after, its link leads back. */
	if (i + 1 < sp->n && (e = ent_at(sp, i + 1))->group == g &&
	    e->gprev != 0)
		return (i + 1 - e->gprev >= sp->first ? i + 1 - e->gprev
						      : UINT64_MAX);
	for (;; i--) {
		if (i < sp->first)
			return (UINT64_MAX);
		if (ent_at(sp, i)->group == g)
			return (i);
		if (i == 0)
			return (UINT64_MAX);
	}
}

const struct spool_line *
spool_prev(struct spool *sp, int group, uint64_t before)
{
	uint64_t i;

	/* Below before: index before - 2 at most. */
	if (before < 2 || sp->n == sp->first)
		return (NULL);
	i = before - 2 < sp->n - 1 ? before - 2 : sp->n - 1;
	if (i < sp->first)
		return (NULL);
	if (group >= 0) {
		if ((size_t)group >= sp->ngroups ||
		    (i = group_to(sp, (unsigned)group, i)) == UINT64_MAX)
			return (NULL);
	}
	return (line_at(sp, i));
}

const struct spool_line *
spool_next(struct spool *sp, int group, uint64_t after)
{
	uint64_t i;

	/* Above after: index after at least. */
	if (after == UINT64_MAX || after >= sp->n)
		return (NULL);
	i = after > sp->first ? after : sp->first;
	if (group >= 0) {
		if ((size_t)group >= sp->ngroups ||
		    (i = group_from(sp, (unsigned)group, i)) == UINT64_MAX)
			return (NULL);
	}
	return (line_at(sp, i));
}

uint64_t
spool_scan(struct spool *sp, int group, uint64_t from, int back, size_t max,
    int (*fn)(void *, uint64_t, unsigned, const char *, size_t), void *arg,
    uint64_t *at)
{
	const char *s;
	struct rec r;
	uint64_t i, found = 0;
	size_t n;

	*at = 0;
	if (group >= 0 && (size_t)group >= sp->ngroups)
		return (0);
	for (n = 0; n < max; n++) {
		/* The next line: as spool_prev() and spool_next() find it. */
		if (back) {
			if (from < 2 || sp->n == sp->first)
				break;
			i = from - 2 < sp->n - 1 ? from - 2 : sp->n - 1;
			if (i < sp->first)
				break;
			if (group >= 0 &&
			    (i = group_to(sp, (unsigned)group, i)) ==
				UINT64_MAX)
				break;
		} else {
			if (from == UINT64_MAX || from >= sp->n)
				break;
			i = from > sp->first ? from : sp->first;
			if (group >= 0 &&
			    (i = group_from(sp, (unsigned)group, i)) ==
				UINT64_MAX)
				break;
		}
		from = i + 1;
		*at = from;
		if (rec_read(sp, i, back, &r) != 0 ||
		    (s = rec_text(sp, &r, back)) == NULL)
			continue;
		if (fn(arg, i + 1, ent_at(sp, i)->mark, s, r.len)) {
			found = i + 1;
			break;
		}
	}
	/* The end reached: no line is left to look at. */
	if (found == 0 && n < max)
		*at = 0;
	return (found);
}
