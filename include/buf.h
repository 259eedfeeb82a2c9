/*
 * buf: a growable byte buffer, the one way strings are built here.
 *
 * Ownership: a struct buf owns data; buf_free() releases it, buf_steal()
 * hands it (NUL-terminated) to the caller. data is always NUL-terminated
 * after any buf_ call, so it can be printed as a string when it holds no
 * NUL byte.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT \
	{ \
		NULL, 0, 0 \
	}

void buf_adds(struct buf *, const char *);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Make room for n more bytes and return where they go (len unchanged). */
char *buf_reserve(struct buf *, size_t n);
void buf_reset(struct buf *);
char *buf_steal(struct buf *);
void buf_free(struct buf *);
/* buf_free(), the bytes overwritten first: they may be secrets. */
void buf_wipe(struct buf *);

/*
 * Appending is the hottest path of every output: inline it, with a call
 * only when the buffer must grow.
 */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n >= b->cap - b->len)
		buf_reserve(b, n);
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->len + 1 >= b->cap)
		buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

#endif
