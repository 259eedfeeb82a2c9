/*
 * JSON text output. Strings are escaped per RFC 8259; control characters
 * use \u00XX except for the short forms; '/' is left alone. Runs of bytes
 * that need no escaping are copied at once, which keeps the JSON Lines
 * output close to the speed of plain lines.
 */
#include <stdint.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xmalloc.h"
#include "utf8.h"

static const char hexdigits[] = "0123456789abcdef";

static int
needs_escape(unsigned char c)
{
	return (c < 0x20 || c == '"' || c == '\\' || c >= 0x80);
}

/*
 * Whether any of the 8 bytes of w needs escaping, as needs_escape() says.
 * Clean bytes (0x20..0x7f, not '"' or '\\') neither borrow nor set a high
 * bit in the subtractions, so a clean word gives 0; a byte that does
 * gives a high bit, whatever it makes of its neighbours.
 */
static int
word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;

	return ((((w - ones * 0x20) | ((w ^ (ones * '"')) - ones) |
		     ((w ^ (ones * '\\')) - ones) | w) &
		    highs) != 0);
}

/*
 * How many bytes from p on are their own JSON text: ASCII that needs no
 * escaping (8 bytes at a time while it can) and valid UTF-8 sequences, so
 * text with a few non-ASCII characters (a progress bar's blocks) is still
 * copied in one piece.
 */
static size_t
clean_run(const unsigned char *p, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;
	uint64_t w;

	for (;;) {
		for (; i + 8 <= len; i += 8) {
			memcpy(&w, p + i, 8);
			if (word_needs_escape(w))
				break;
		}
		while (i < len && !needs_escape(p[i]))
			i++;
		if (i == len || p[i] < 0x80 ||
		    (n = utf8_decode(p + i, len - i, &cp)) == 0)
			return (i);
		i += n;
	}
}

static void
add_control(struct buf *b, unsigned char c)
{
	char u[6] = {'\\', 'u', '0', '0', hexdigits[c >> 4], hexdigits[c & 15]};

	switch (c) {
	case '\n':
		buf_add(b, "\\n", 2);
		break;
	case '\r':
		buf_add(b, "\\r", 2);
		break;
	case '\t':
		buf_add(b, "\\t", 2);
		break;
	case '\b':
		buf_add(b, "\\b", 2);
		break;
	case '\f':
		buf_add(b, "\\f", 2);
		break;
	default:
		buf_add(b, u, sizeof u);
		break;
	}
}

int
json_add_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start, n;
	uint32_t cp;
	int lossy = 0;

	buf_addc(b, '"');
	while (i < len) {
		start = i;
		i += clean_run(p + i, len - i);
		if (i > start)
			buf_add(b, p + start, i - start);
		if (i == len)
			break;
		if (p[i] < 0x80) {
			if (p[i] == '"' || p[i] == '\\') {
				buf_addc(b, '\\');
				buf_addc(b, (char)p[i]);
			} else
				add_control(b, p[i]);
			i++;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			buf_add(b, "\xef\xbf\xbd", 3);
			lossy = 1;
			i++;
		} else {
			buf_add(b, p + i, n);
			i += n;
		}
	}
	buf_addc(b, '"');
	return (lossy);
}

void
json_add_base64(struct buf *b, const void *src, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = src;
	size_t i;
	uint32_t v;
	char *out, *o;

	buf_addc(b, '"');
	o = out = buf_reserve(b, (len + 2) / 3 * 4);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	b->len += (size_t)(o - out);
	buf_addc(b, '"');
}

void
json_add_int(struct buf *b, int64_t v)
{
	char digits[24], *d = digits + sizeof digits;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	/* Every JSON event has one: printf was a tenth of --output json. */
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--d = '-';
	buf_add(b, d, (size_t)(digits + sizeof digits - d));
}

static int
hex4(const char *s, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		*v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			*v |= (uint32_t)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			*v |= (uint32_t)(s[i] - 'a' + 10);
		else if (s[i] >= 'A' && s[i] <= 'F')
			*v |= (uint32_t)(s[i] - 'A' + 10);
		else
			return (-1);
	}
	return (0);
}

static void
add_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

/* Decode the \uXXXX escape at s (with its pair, if any); returns its length. */
static size_t
unescape_u(struct buf *b, const char *s, size_t len)
{
	uint32_t hi, lo;

	if (len < 6 || hex4(s + 2, &hi) != 0)
		return (0);
	if (hi >= 0xd800 && hi <= 0xdbff && len >= 12 && s[6] == '\\' &&
	    s[7] == 'u' && hex4(s + 8, &lo) == 0 && lo >= 0xdc00 &&
	    lo <= 0xdfff) {
		add_utf8(b, 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
		return (12);
	}
	if (hi >= 0xd800 && hi <= 0xdfff)
		hi = 0xfffd;
	add_utf8(b, hi);
	return (6);
}

int
json_unescape(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, n;
	char c;

	while (i < len) {
		if (s[i] != '\\') {
			buf_addc(b, s[i++]);
			continue;
		}
		if (i + 1 == len)
			return (-1);
		switch (c = s[i + 1]) {
		case 'n':
			c = '\n';
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case '"':
		case '\\':
		case '/':
			break;
		case 'u':
			if ((n = unescape_u(b, s + i, len - i)) == 0)
				return (-1);
			i += n;
			continue;
		default:
			return (-1);
		}
		buf_addc(b, c);
		i += 2;
	}
	return (0);
}

/*
 * yajl's tree parser takes comments: brackets inside them must not count,
 * or a comment full of closing brackets would let deeper nesting through.
 * Returns the index of the comment's last byte (i when s[i] starts none).
 */
static size_t
skip_comment(const char *s, size_t len, size_t i)
{
	const char *end;

	if (s[i + 1] == '/') {
		end = memchr(s + i, '\n', len - i);
		return (end == NULL ? len : (size_t)(end - s));
	}
	if (s[i + 1] != '*')
		return (i);
	for (i += 2; i + 1 < len; i++)
		if (s[i] == '*' && s[i + 1] == '/')
			return (i + 1);
	return (len);
}

int
json_depth_ok(const char *s, size_t len, int max)
{
	int depth = 0, in_string = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = 0;
		} else if (s[i] == '"')
			in_string = 1;
		else if (s[i] == '/' && i + 1 < len)
			i = skip_comment(s, len, i);
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > max)
				return (0);
		} else if ((s[i] == '}' || s[i] == ']') && depth > 0)
			depth--;
	}
	return (1);
}

yajl_val
json_tree_parse(const char *s, size_t len, char *err, size_t errlen)
{
	yajl_val root;
	char *text;

	if (!json_depth_ok(s, len, JSON_MAX_DEPTH)) {
		if (errlen > 0)
			snprintf(err, errlen, "nested deeper than %d levels",
			    JSON_MAX_DEPTH);
		return (NULL);
	}
	text = xstrndup(s, len);
	if (errlen > 0)
		err[0] = '\0';
	root = yajl_tree_parse(text, err, errlen);
	free(text);
	return (root);
}

yajl_val
json_member(yajl_val object, const char *key, yajl_type type)
{
	const char *path[] = {key, NULL};

	return (yajl_tree_get(object, path, type));
}

const char *
json_member_string(yajl_val object, const char *key)
{
	yajl_val v = json_member(object, key, yajl_t_string);

	return (v != NULL ? YAJL_GET_STRING(v) : NULL);
}
