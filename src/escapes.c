/*
 * Collector escapes. The collector escapes exactly the control characters
 * (below 0x20, and DEL), always as three octal digits, so only "#000" to
 * "#037" and "#177" are decoded: "#040" to "#077" would be printable
 * characters the collector never escapes, and are more likely to be text
 * ("issue #042"). Lines without '#' are the common case and cost one
 * memchr.
 */
#include <string.h>

#include "escapes.h"

/* The byte escaped at s (4 bytes from '#'), or -1 when it is no escape. */
static int
escaped_at(const char *s, size_t len)
{
	int v;

	if (len < 4 || s[0] != '#' || s[1] < '0' || s[1] > '1' || s[2] < '0' ||
	    s[2] > '7' || s[3] < '0' || s[3] > '7')
		return (-1);
	v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
	return (v < 0x20 || v == 0x7f ? v : -1);
}

int
escapes_find(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '#', (size_t)(end - p))) != NULL) {
		if (escaped_at(p, (size_t)(end - p)) >= 0)
			return (1);
		p++;
	}
	return (0);
}

void
escapes_decode(struct buf *b, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *hash;
	int c;

	while ((hash = memchr(p, '#', (size_t)(end - p))) != NULL) {
		if ((c = escaped_at(hash, (size_t)(end - hash))) < 0) {
			buf_add(b, p, (size_t)(hash - p) + 1);
			p = hash + 1;
			continue;
		}
		buf_add(b, p, (size_t)(hash - p));
		buf_addc(b, (char)c);
		p = hash + 4;
	}
	buf_add(b, p, (size_t)(end - p));
}
