/*
 * Terminal neutralisation. The rule is simple on purpose: anything that is
 * not a printable character is shown as text that names it. ESC is never
 * written, so no escape sequence (CSI, OSC 52, DCS, title or hyperlink) can
 * reach the terminal, whatever follows it. The fast path copies runs of
 * plain ASCII in one go, since that is nearly all real log text.
 */
#include <stdint.h>
#include <string.h>

#include "sanitize.h"
#include "utf8.h"

static const char hexdigits[] = "0123456789abcdef";

/*
 * Characters that reorder or hide text: bidi controls and invisibles, the
 * line and paragraph separators some terminals break lines at, and the
 * tag characters (U+E0000 block) that carry invisible text.
 */
static int
is_format_char(uint32_t cp)
{
	return (cp == 0x061c || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f));
}

static void
add_hex_byte(struct buf *b, unsigned char c)
{
	char esc[4] = {'\\', 'x', hexdigits[c >> 4], hexdigits[c & 15]};

	buf_add(b, esc, sizeof esc);
}

static void
add_codepoint_name(struct buf *b, uint32_t cp)
{
	buf_printf(b, "<U+%04X>", (unsigned)cp);
}

static int
is_plain_ascii(unsigned char c)
{
	return ((c >= 0x20 && c < 0x7f) || c == '\t');
}

void
sanitize_term(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start, n;
	uint32_t cp;

	while (i < len) {
		start = i;
		while (i < len && is_plain_ascii(p[i]))
			i++;
		if (i > start)
			buf_add(b, p + start, i - start);
		if (i == len)
			break;
		if (p[i] < 0x20 || p[i] == 0x7f) {
			buf_addc(b, '^');
			buf_addc(b, (char)(p[i] ^ 0x40));
			i++;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			add_hex_byte(b, p[i]);
			i++;
		} else if ((cp >= 0x80 && cp <= 0x9f) || is_format_char(cp)) {
			add_codepoint_name(b, cp);
			i += n;
		} else {
			buf_add(b, p + i, n);
			i += n;
		}
	}
}

int
sanitize_term_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (is_plain_ascii(p[i])) {
			i++;
			continue;
		}
		if (p[i] < 0x80)
			return (0);
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0 || cp <= 0x9f || is_format_char(cp))
			return (0);
		i += n;
	}
	return (1);
}

void
sanitize_field(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	if (len == 0) {
		buf_addc(b, '-');
		return;
	}
	for (i = 0; i < len; i++) {
		if (p[i] > 0x20 && p[i] < 0x7f && p[i] != '\\')
			buf_addc(b, (char)p[i]);
		else
			add_hex_byte(b, p[i]);
	}
}

void
sanitize_excerpt(struct buf *b, const char *s, size_t len, size_t max)
{
	const char *nl;

	if ((nl = memchr(s, '\n', len)) != NULL)
		len = (size_t)(nl - s);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > max)
		len = max;
	sanitize_term(b, s, len);
}
