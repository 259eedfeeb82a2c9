/*
 * Growable byte buffers. Growth doubles, so appending n bytes one at a time
 * costs O(n); the terminating NUL is kept outside len.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

char *
buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;

	need = b->len + n + 1;
	if (need < n)
		need = (size_t)-1;
	if (need > b->cap) {
		cap = b->cap == 0 ? 64 : b->cap;
		while (cap < need)
			cap = cap * 2 < cap ? need : cap * 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
		b->data[b->len] = '\0';
	}
	return (b->data + b->len);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	buf_add(b, s, (size_t)n);
	free(s);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *
buf_steal(struct buf *b)
{
	char *p;

	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return (p);
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}
