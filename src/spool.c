/*
 * The spool's files and index (spool.h).
 *
 * Files are segments of at most seg_max bytes (an eighth of the disk
 * budget, within 64 kB and 256 MB), so the budget is kept by unlinking
 * the oldest segment whole. A record is 20 bytes of header (time, stream
 * index, length, the carrier host's index or UINT32_MAX) and the line's raw bytes; records never straddle two
 * segments. A line's place is a 40-bit logical offset: the segment's
 * number above SEG_BITS, the offset in it below.
 *
 * The index is an array of 16-byte entries in chunks of CHUNK lines, by
 * line number (seq - 1); chunks whose lines were all dropped are freed.
 * Each entry links to its group's previous line (32 bits of distance)
 * and next line (16 bits): walks of one group follow the links and only
 * scan when a link is missing (too far, or dropped).
 *
 * Records are appended through a buffer; a read of a record still in it
 * is served from it. Reads go through a window of WIN_SIZE bytes read
 * ahead in the direction of the walk, so walking lines one by one (a
 * search, an export) costs one read a window, and the lines read are
 * kept in a direct-mapped cache (by seq) of opt.cache slots.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define WIN_SIZE ((size_t)256 << 10)
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

	char *win; /* read window */
	uint64_t win_off; /* logical offset of win[0] */
	size_t win_len;
	uint64_t last_read; /* index of the last line read */

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
	sp->win = xmalloc(WIN_SIZE);
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
	free(sp->win);
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

static void
add_line(struct spool *sp, unsigned gi, uint32_t host, uint32_t stream,
    uint32_t via, int64_t ts, const char *text, size_t len, int cont)
{
	struct sgroup *g = &sp->groups[gi];
	uint64_t rec = REC_HDR + len, off;
	struct seg *s = seg_newest(sp);
	unsigned char hdr[REC_HDR];
	uint32_t len32 = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
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
	memcpy(hdr + 12, &len32, 4);
	memcpy(hdr + 16, &via, 4);
	buf_add(&sp->wbuf, hdr, REC_HDR);
	buf_add(&sp->wbuf, text, len);
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

void
spool_add(struct spool *sp, const char *group, size_t group_len,
    const char *host, size_t host_len, const char *stream, size_t stream_len,
    const char *via, size_t via_len, int64_t ts, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len, *nl;
	unsigned gi = group_index(sp, group, group_len);
	uint32_t hi, si, vi = UINT32_MAX;
	int cont = 0;

	hi = name_index(sp->names, &sp->hosts, &sp->host_lens, &sp->nhosts,
	    &sp->hosts_cap, host, host_len, HOSTS_MAX);
	si = name_index(sp->stream_names, &sp->streams, &sp->stream_lens,
	    &sp->nstreams, &sp->streams_cap, stream, stream_len, UINT32_MAX);
	if (via != NULL)
		vi = name_index(sp->names, &sp->hosts, &sp->host_lens,
		    &sp->nhosts, &sp->hosts_cap, via, via_len, HOSTS_MAX);
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		add_line(sp, gi, hi, si, vi, ts, p,
		    (size_t)((nl != NULL ? nl : end) - p), cont);
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
spool_peek(
    const struct spool *sp, uint64_t seq, unsigned *group, const char **host)
{
	const struct ent *e;
	uint32_t len;

	if (seq == 0 || seq - 1 < sp->first || seq > sp->n)
		return (-1);
	e = ent_at(sp, seq - 1);
	*group = e->group;
	*host = host_name(sp, e->host, &len);
	return (0);
}

/*
 * Copy len bytes at logical offset off into dst: from the write buffer,
 * the window, or (refilling the window ahead of the walk) the file.
 * back: the walk goes to older lines, so the window ends at off.
 */
static int
read_at(struct spool *sp, uint64_t off, char *dst, size_t len, int back)
{
	struct seg *s;
	uint64_t start, base, seg_start;
	ssize_t r;

	if (off >= sp->wbuf_off) {
		if (off + len > sp->wbuf_off + sp->wbuf.len)
			return (-1);
		memcpy(dst, sp->wbuf.data + (off - sp->wbuf_off), len);
		return (0);
	}
	if (off >= sp->win_off && off + len <= sp->win_off + sp->win_len &&
	    (off >> SEG_BITS) == (sp->win_off >> SEG_BITS)) {
		memcpy(dst, sp->win + (off - sp->win_off), len);
		return (0);
	}
	if ((s = seg_of(sp, off)) == NULL)
		return (-1);
	seg_start = off & ~(SEG_LIMIT - 1);
	/* Longer than a window: read as it is. */
	if (len > WIN_SIZE / 2) {
		for (;;) {
			r = pread(s->fd, dst, len, (off_t)(off - seg_start));
			if (r < 0 && errno == EINTR)
				continue;
			return (r == (ssize_t)len ? 0 : -1);
		}
	}
	/* Going back, the window ends a little past the record, so the
	 * text of a line read after its header is in it too. */
	start = off;
	if (back)
		start = off + len + 4096 > seg_start + WIN_SIZE
		    ? off + len + 4096 - WIN_SIZE
		    : seg_start;
	base = start - seg_start;
	do
		r = pread(s->fd, sp->win, WIN_SIZE, (off_t)base);
	while (r < 0 && errno == EINTR);
	if (r < 0 || start + (uint64_t)r < off + len) {
		sp->win_len = 0;
		return (-1);
	}
	sp->win_off = start;
	sp->win_len = (size_t)r;
	memcpy(dst, sp->win + (off - start), len);
	return (0);
}

/* The held line at index i, read into the cache; NULL if unreadable. */
static const struct spool_line *
line_at(struct spool *sp, uint64_t i)
{
	struct cslot *c = &sp->cache[i % sp->ncache];
	const struct ent *e = ent_at(sp, i);
	unsigned char hdr[REC_HDR];
	uint32_t len, stream, via;
	int back = i < sp->last_read;

	sp->last_read = i;
	if (c->seq == i + 1)
		return (&c->l);
	if (read_at(sp, e->off, (char *)hdr, REC_HDR, back) != 0)
		return (NULL);
	memcpy(&c->l.ts, hdr, 8);
	memcpy(&stream, hdr + 8, 4);
	memcpy(&len, hdr + 12, 4);
	memcpy(&via, hdr + 16, 4);
	if (c->cap < (size_t)len + 1) {
		c->cap = (size_t)len + 1;
		free(c->text);
		c->text = xmalloc(c->cap);
	}
	if (read_at(sp, e->off + REC_HDR, c->text, len, back) != 0) {
		c->seq = 0;
		return (NULL);
	}
	c->text[len] = '\0';
	c->seq = i + 1;
	c->l.seq = i + 1;
	c->l.text = c->text;
	c->l.len = len;
	c->l.host = host_name(sp, e->host, &c->l.host_len);
	c->l.via = NULL;
	c->l.via_len = 0;
	if (via != UINT32_MAX)
		c->l.via = host_name(sp, via, &c->l.via_len);
	if (stream < sp->nstreams) {
		c->l.stream = sp->streams[stream];
		c->l.stream_len = sp->stream_lens[stream];
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

/*
 * The text of line i, read through the window without copying when it is
 * in it (else into scratch); NULL when it cannot be read.
 */
static const char *
text_at(
    struct spool *sp, uint64_t i, int back, struct buf *scratch, size_t *len)
{
	const struct ent *e = ent_at(sp, i);
	unsigned char hdr[REC_HDR];
	uint64_t off = e->off + REC_HDR;
	uint32_t n;

	if (read_at(sp, e->off, (char *)hdr, REC_HDR, back) != 0)
		return (NULL);
	memcpy(&n, hdr + 12, 4);
	*len = n;
	if (off >= sp->wbuf_off && off + n <= sp->wbuf_off + sp->wbuf.len)
		return (sp->wbuf.data + (off - sp->wbuf_off));
	if (off >= sp->win_off && off + n <= sp->win_off + sp->win_len &&
	    (off >> SEG_BITS) == (sp->win_off >> SEG_BITS))
		return (sp->win + (off - sp->win_off));
	buf_reset(scratch);
	if (read_at(sp, off, buf_reserve(scratch, (size_t)n + 1), n, back) != 0)
		return (NULL);
	return (scratch->data);
}

uint64_t
spool_scan(struct spool *sp, int group, uint64_t from, int back, size_t max,
    int (*fn)(void *, uint64_t, unsigned, const char *, size_t), void *arg,
    uint64_t *at)
{
	struct buf scratch = BUF_INIT;
	const char *s;
	uint64_t i, found = 0;
	size_t len, n;

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
		if ((s = text_at(sp, i, back, &scratch, &len)) == NULL)
			continue;
		if (fn(arg, i + 1, ent_at(sp, i)->mark, s, len)) {
			found = i + 1;
			break;
		}
	}
	/* The end reached: no line is left to look at. */
	if (found == 0 && n < max)
		*at = 0;
	buf_free(&scratch);
	return (found);
}
