/*
 * Collector escapes. The collector writes every control character as '#'
 * and three octal digits, and nothing tells its escapes from text, so
 * only the three that matter for reading are decoded: TAB (#011, the
 * columns of a line), CR (#015, progress bars) and ESC when it starts a
 * control sequence (#033[, the log's colours). Decoding the others would
 * turn text such as the colour "#000000" into a NUL, or "#012345" into a
 * line break, for a control character that would only be shown in caret
 * notation anyway. Lines without '#' are the common case and cost one
 * memchr.
 */
#include <string.h>

#include "escapes.h"

/* The byte escaped at s (4 bytes from '#'), or -1 when it is none. */
static int
escaped_at(const char *s, size_t len)
{
	if (len < 4 || s[1] != '0')
		return (-1);
	if (s[2] == '1' && s[3] == '1')
		return ('\t');
	if (s[2] == '1' && s[3] == '5')
		return ('\r');
	if (s[2] == '3' && s[3] == '3' && len > 4 && s[4] == '[')
		return ('\033');
	return (-1);
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
	char *out;
	size_t n;
	int c;

	/* Decoding never lengthens: write into room made once. */
	out = buf_reserve(b, len);
	while ((hash = memchr(p, '#', (size_t)(end - p))) != NULL) {
		n = (size_t)(hash - p);
		memcpy(out, p, n);
		out += n;
		if ((c = escaped_at(hash, (size_t)(end - hash))) < 0) {
			*out++ = '#';
			p = hash + 1;
			continue;
		}
		*out++ = (char)c;
		p = hash + 4;
	}
	memcpy(out, p, (size_t)(end - p));
	out += end - p;
	b->len = (size_t)(out - b->data);
	b->data[b->len] = '\0';
}
