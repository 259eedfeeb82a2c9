/*
 * Strict UTF-8 decoding after RFC 3629 table 3: the second byte's range
 * depends on the first, which rules out overlong forms, surrogates and
 * code points above U+10FFFF without any extra test.
 */
#include "utf8.h"

size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (len < n || s[1] < lo || s[1] > hi)
		return (0);
	v = (v << 6) | (s[1] & 0x3f);
	for (i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return (n);
}

size_t
utf8_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, count = 0;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(p + i, len - i, &cp);
		i += n == 0 ? 1 : n;
		count++;
	}
	return (count);
}
