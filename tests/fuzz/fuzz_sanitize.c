/*
 * Fuzz the terminal sanitiser and the field and JSON escapers, checking
 * their promises with a UTF-8 decoder of its own (not the one under test):
 *
 *   sanitize_term: valid UTF-8; no C0 control but TAB, no DEL, no C1
 *     control (U+0080-U+009F), no bidi or invisible formatting character;
 *     unchanged exactly when sanitize_term_clean() says so.
 *   sanitize_field: printable ASCII without space, never empty.
 *   json_add_string: valid UTF-8 without raw controls, a quoted string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Strict decode, independent of src/utf8.c: length, or 0 if invalid. */
static size_t
decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, v = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, v = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, v = s[0] & 0x07, min = 0x10000;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return (0);
	*cp = v;
	return (n);
}

static int
forbidden_on_terminal(uint32_t cp)
{
	return ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f));
}

static void
check_term(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;
	size_t i = 0, n;
	uint32_t cp;

	sanitize_term(&b, (const char *)data, size);
	p = (const unsigned char *)b.data;
	while (i < b.len) {
		if ((n = decode(p + i, b.len - i, &cp)) == 0)
			abort(); /* invalid UTF-8 reached the terminal */
		if (forbidden_on_terminal(cp))
			abort(); /* a control reached the terminal */
		i += n;
	}
	if (sanitize_term_clean((const char *)data, size) !=
	    (b.len == size && (size == 0 || memcmp(b.data, data, size) == 0)))
		abort();
	buf_free(&b);
}

static void
check_field(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	size_t i;

	sanitize_field(&b, (const char *)data, size);
	if (b.len == 0)
		abort();
	for (i = 0; i < b.len; i++)
		if (b.data[i] <= 0x20 || b.data[i] >= 0x7f)
			abort();
	buf_free(&b);
}

static void
check_json(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;
	size_t i = 0, n;
	uint32_t cp;
	int replaced;

	replaced = json_add_string(&b, (const char *)data, size);
	p = (const unsigned char *)b.data;
	if (b.len < 2 || p[0] != '"' || p[b.len - 1] != '"')
		abort();
	while (i < b.len) {
		if ((n = decode(p + i, b.len - i, &cp)) == 0 || cp < 0x20)
			abort();
		i += n;
	}
	/* Replaced exactly when the input was not valid UTF-8. */
	for (i = 0; i < size; i += n)
		if ((n = decode(data + i, size - i, &cp)) == 0)
			break;
	if (replaced != (i < size))
		abort();
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_term(data, size);
	check_field(data, size);
	check_json(data, size);
	return (0);
}
