/*
 * Each group is a ring of line pointers in arrival order, so dropping the
 * oldest line is O(1) and a sequence number is found by binary search
 * (sequence numbers increase along each ring). The ring grows by doubling
 * up to the line limit, so a small group costs little.
 *
 * Lines are not allocated one by one: a million small allocations cost a
 * malloc header and rounding each, about a tenth of what they hold. Each
 * group carves its lines, in arrival order, from a queue of blocks, and
 * since lines are dropped in the same order, a block is freed when its
 * last line is dropped. Blocks grow with the group (twice its bytes held,
 * within BLOCK_MIN and BLOCK_MAX), so a small group costs little and a
 * bounded group wastes at most about a block.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scrollback.h"
#include "strmap.h"
#include "xmalloc.h"

#define BLOCK_MIN ((size_t)2 << 10)
#define BLOCK_MAX ((size_t)256 << 10)

/* Lines are carved from blocks at this alignment. */
#define LINE_ALIGN _Alignof(struct sb_line)

struct sb_block {
	struct sb_block *next; /* the next newer block of the group */
	size_t size, used; /* bytes of data */
	size_t live; /* lines in it not yet dropped */
	_Alignas(struct sb_line) char data[];
};

struct sb_group {
	const char *name; /* interned */
	size_t name_len;
	struct sb_line **ring;
	size_t cap, head, n; /* ring[head] is the oldest of n */
	size_t text; /* bytes of text held */
	size_t mem; /* bytes of blocks taken by the lines held */
	struct sb_block *oldest, *newest; /* lines come from newest */
	uint64_t added, dropped;
};

struct scrollback {
	size_t max_lines, max_bytes;
	struct strmap *names; /* hosts, streams: interned copies */
	struct strmap *groups; /* name -> index + 1 */
	struct sb_group *v;
	size_t n, cap;
	uint64_t seq;
	size_t bytes;
};

struct scrollback *
scrollback_new(size_t lines, size_t bytes)
{
	struct scrollback *sb;

	sb = xcalloc(1, sizeof *sb);
	sb->max_lines = lines == 0 ? 1 : lines;
	sb->max_bytes = bytes == 0 ? SCROLLBACK_GROUP_BYTES : bytes;
	sb->names = strmap_new();
	sb->groups = strmap_new();
	return (sb);
}

static struct sb_line *
ring_at(const struct sb_group *g, size_t i)
{
	return (g->ring[(g->head + i) % g->cap]);
}

void
scrollback_free(struct scrollback *sb)
{
	struct sb_block *b, *next;
	size_t i;

	if (sb == NULL)
		return;
	for (i = 0; i < sb->n; i++) {
		for (b = sb->v[i].oldest; b != NULL; b = next) {
			next = b->next;
			free(b);
		}
		free(sb->v[i].ring);
	}
	free(sb->v);
	strmap_free(sb->names);
	strmap_free(sb->groups);
	free(sb);
}

static const char *
intern(struct strmap *m, const char *s, size_t len)
{
	/* The value is unused; the key's own copy is the interned name. */
	return (strmap_put(m, s, len, m));
}

static struct sb_group *
group_get(struct scrollback *sb, const char *name, size_t len)
{
	uintptr_t idx;
	struct sb_group *g;

	idx = (uintptr_t)strmap_get(sb->groups, name, len);
	if (idx != 0)
		return (&sb->v[idx - 1]);
	if (sb->n == sb->cap) {
		sb->cap = sb->cap == 0 ? 8 : sb->cap * 2;
		sb->v = xreallocarray(sb->v, sb->cap, sizeof *sb->v);
	}
	g = &sb->v[sb->n];
	memset(g, 0, sizeof *g);
	g->name = strmap_put(sb->groups, name, len, (void *)(sb->n + 1));
	g->name_len = len;
	sb->n++;
	return (g);
}

/* The bytes of block a line of len bytes takes, padded for the next. */
static size_t
line_size(size_t len)
{
	size_t n = offsetof(struct sb_line, text) + len + 1;

	return ((n + LINE_ALIGN - 1) / LINE_ALIGN * LINE_ALIGN);
}

/* Room for size bytes in the group's newest block, or a new block. */
static struct sb_line *
carve(struct sb_group *g, size_t size)
{
	struct sb_block *b = g->newest;
	size_t want;

	if (b == NULL || b->size - b->used < size) {
		want = 2 * g->mem;
		want = want < BLOCK_MIN ? BLOCK_MIN
		    : want > BLOCK_MAX	? BLOCK_MAX
					: want;
		if (want < size)
			want = size;
		b = xmalloc(offsetof(struct sb_block, data) + want);
		b->next = NULL;
		b->size = want;
		b->used = b->live = 0;
		if (g->newest != NULL)
			g->newest->next = b;
		else
			g->oldest = b;
		g->newest = b;
	}
	b->used += size;
	b->live++;
	g->mem += size;
	return ((struct sb_line *)(void *)(b->data + b->used - size));
}

/* The oldest line (in the oldest block) is gone: free a block emptied. */
static void
release_oldest(struct sb_group *g, size_t size)
{
	struct sb_block *b = g->oldest;

	g->mem -= size;
	if (--b->live > 0)
		return;
	g->oldest = b->next;
	if (g->oldest == NULL)
		g->newest = NULL;
	free(b);
}

static void
drop_oldest(struct scrollback *sb, struct sb_group *g)
{
	struct sb_line *l = g->ring[g->head];
	size_t size = line_size(l->len);

	g->text -= l->len;
	sb->bytes -= size + sizeof l;
	release_oldest(g, size);
	g->head = (g->head + 1) % g->cap;
	g->n--;
	g->dropped++;
}

/* Room for one more pointer: grow the ring (linearised) below the limit. */
static void
ring_room(struct sb_group *g, size_t max)
{
	struct sb_line **v;
	size_t cap, i;

	if (g->n < g->cap)
		return;
	cap = g->cap == 0 ? 64 : g->cap * 2;
	if (cap > max)
		cap = max;
	v = xreallocarray(NULL, cap, sizeof *v);
	for (i = 0; i < g->n; i++)
		v[i] = ring_at(g, i);
	free(g->ring);
	g->ring = v;
	g->cap = cap;
	g->head = 0;
}

static void
add_line(struct scrollback *sb, struct sb_group *g, const struct sb_line *proto,
    const char *s, size_t len)
{
	struct sb_line *l;
	size_t size = line_size(len);

	while (g->n > 0 &&
	    (g->n >= sb->max_lines || g->text + len > sb->max_bytes))
		drop_oldest(sb, g);
	ring_room(g, sb->max_lines);
	l = carve(g, size);
	memcpy(l, proto, offsetof(struct sb_line, text));
	l->seq = ++sb->seq;
	l->len = len;
	memcpy(l->text, s, len);
	l->text[len] = '\0';
	g->ring[(g->head + g->n) % g->cap] = l;
	g->n++;
	g->added++;
	g->text += len;
	sb->bytes += size + sizeof l;
}

/* A name's length as a line keeps it (names of 4 GB are not expected). */
static uint32_t
name_len(size_t len)
{
	return (len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
}

void
scrollback_add(struct scrollback *sb, const char *group, size_t group_len,
    const char *host, size_t host_len, const char *stream, size_t stream_len,
    int64_t ts, const char *msg, size_t len)
{
	struct sb_group *g = group_get(sb, group, group_len);
	const char *p = msg, *end = msg + len, *nl;
	struct sb_line proto;

	memset(&proto, 0, sizeof proto);
	proto.ts = ts;
	proto.host = intern(sb->names, host, host_len);
	proto.host_len = name_len(host_len);
	proto.stream = intern(sb->names, stream, stream_len);
	proto.stream_len = name_len(stream_len);
	proto.group = (unsigned)(g - sb->v);
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		add_line(
		    sb, g, &proto, p, (size_t)((nl != NULL ? nl : end) - p));
		proto.cont = 1;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

size_t
scrollback_groups(const struct scrollback *sb)
{
	return (sb->n);
}

const char *
scrollback_group_name(const struct scrollback *sb, unsigned group, size_t *len)
{
	*len = sb->v[group].name_len;
	return (sb->v[group].name);
}

int
scrollback_group_find(const struct scrollback *sb, const char *name, size_t len)
{
	return ((int)(uintptr_t)strmap_get(sb->groups, name, len) - 1);
}

size_t
scrollback_group_lines(const struct scrollback *sb, unsigned group)
{
	return (sb->v[group].n);
}

uint64_t
scrollback_group_added(const struct scrollback *sb, unsigned group)
{
	return (sb->v[group].added);
}

uint64_t
scrollback_group_dropped(const struct scrollback *sb, unsigned group)
{
	return (sb->v[group].dropped);
}

uint64_t
scrollback_dropped(const struct scrollback *sb)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < sb->n; i++)
		n += sb->v[i].dropped;
	return (n);
}

size_t
scrollback_bytes(const struct scrollback *sb)
{
	size_t i, n = sb->bytes;

	for (i = 0; i < sb->n; i++)
		n += sb->v[i].cap * sizeof *sb->v[i].ring;
	return (n + sb->cap * sizeof *sb->v);
}

uint64_t
scrollback_last_seq(const struct scrollback *sb)
{
	return (sb->seq);
}

/* The number of the group's lines with seq below s. */
static size_t
count_below(const struct sb_group *g, uint64_t s)
{
	size_t lo = 0, hi = g->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ring_at(g, mid)->seq < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static const struct sb_line *
group_prev(const struct sb_group *g, uint64_t before)
{
	size_t i = count_below(g, before);

	return (i == 0 ? NULL : ring_at(g, i - 1));
}

static const struct sb_line *
group_next(const struct sb_group *g, uint64_t after)
{
	size_t i;

	if (after == UINT64_MAX)
		return (NULL);
	i = count_below(g, after + 1);
	return (i == g->n ? NULL : ring_at(g, i));
}

const struct sb_line *
scrollback_prev(const struct scrollback *sb, int group, uint64_t before)
{
	const struct sb_line *best = NULL, *l;
	size_t i;

	if (group >= 0)
		return ((size_t)group < sb->n
			? group_prev(&sb->v[group], before)
			: NULL);
	for (i = 0; i < sb->n; i++)
		if ((l = group_prev(&sb->v[i], before)) != NULL &&
		    (best == NULL || l->seq > best->seq))
			best = l;
	return (best);
}

const struct sb_line *
scrollback_next(const struct scrollback *sb, int group, uint64_t after)
{
	const struct sb_line *best = NULL, *l;
	size_t i;

	if (group >= 0)
		return ((size_t)group < sb->n ? group_next(&sb->v[group], after)
					      : NULL);
	for (i = 0; i < sb->n; i++)
		if ((l = group_next(&sb->v[i], after)) != NULL &&
		    (best == NULL || l->seq < best->seq))
			best = l;
	return (best);
}

void
scrollback_mark(struct scrollback *sb, uint64_t seq, unsigned mark)
{
	struct sb_line *l;
	size_t i, j;

	for (i = 0; i < sb->n; i++) {
		j = count_below(&sb->v[i], seq);
		if (j < sb->v[i].n && (l = ring_at(&sb->v[i], j))->seq == seq) {
			l->mark = mark & 0xff;
			return;
		}
	}
}
