/*
 * Table tests of the text functions: ISO times, terminal neutralisation,
 * field escaping, JSON strings, UTF-8 decoding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "isotime.h"
#include "json.h"
#include "sanitize.h"
#include "textscan.h"
#include "unit.h"
#include "utf8.h"

static void
test_isotime_parse(void)
{
	static const struct {
		const char *in;
		int ok;
		int64_t ms;
		size_t used;
	} t[] = {
	    {"2024-06-01T12:05:31.318Z rest", 1, 1717243531318LL, 24},
	    {"2024-06-01T12:05:31Z", 1, 1717243531000LL, 20},
	    {"2024-06-01T12:05:31.3184567Z", 1, 1717243531318LL, 28},
	    {"2024-06-01T12:05:31,5", 1, 1717243531500LL, 21},
	    {"2024-06-01T12:05:31.318+02:00", 1, 1717236331318LL, 29},
	    {"2024-06-01T12:05:31.318-0130", 1, 1717248931318LL, 28},
	    {"2024-06-01T12:05:31.318000+00:00 x", 1, 1717243531318LL, 32},
	    {"1970-01-01T00:00:00Z", 1, 0, 20},
	    {"2024-02-29T00:00:00Z", 1, 1709164800000LL, 20},
	    {"2023-02-29T00:00:00Z", 0, 0, 0},
	    {"2024-06-01 12:05:31,315 toolkit", 0, 0, 0},
	    {"2024-13-01T00:00:00Z", 0, 0, 0},
	    {"2024-06-01T24:00:00Z", 0, 0, 0},
	    {"2024-06-01T12:05:31.Z", 0, 0, 0},
	    {"bash: no job control", 0, 0, 0},
	    {"", 0, 0, 0},
	    {"2024-06-01T12:05", 0, 0, 0},
	    {"2024-06-01T12:05:31.3", 1, 1717243531300LL, 21},
	    {"2024-06-01T12:05:31.318", 1, 1717243531318LL, 23},
	    {"2024-06-01T12:05:31.31Z", 1, 1717243531310LL, 23},
	    {"2024-06-01T12:05:31.318Zx", 1, 1717243531318LL, 24},
	    {"2024-06-01T12:05:31.3a8Z", 1, 1717243531300LL, 21},
	    {"2024-06-01T12:05:31.318+25:00", 0, 0, 0},
	    {"2024-06-01T12:05:32.001Z", 1, 1717243532001LL, 24},
	};
	struct isotime_memo memo = {.valid = 0};
	size_t i, k, n = sizeof t / sizeof t[0], used;
	int64_t ms;
	int rc;

	/*
	 * Plain, then through one memo forwards and backwards, so that
	 * every time is also read after others of its second (and after
	 * times that failed): the memo must never change an answer.
	 */
	for (k = 0; k < 3 * n; k++) {
		i = k < 2 * n ? k % n : 3 * n - 1 - k;
		ms = -1;
		used = 0;
		if (k < n)
			rc =
			    isotime_parse(t[i].in, strlen(t[i].in), &ms, &used);
		else
			rc = isotime_parse_memo(
			    &memo, t[i].in, strlen(t[i].in), &ms, &used);
		UNIT_CHECK((rc == 0) == t[i].ok, "isotime_parse%s(%s) rc %d",
		    k < n ? "" : "_memo", t[i].in, rc);
		if (rc == 0 && t[i].ok)
			UNIT_CHECK(ms == t[i].ms && used == t[i].used,
			    "isotime_parse%s(%s) = %lld used %zu, want %lld "
			    "%zu",
			    k < n ? "" : "_memo", t[i].in, (long long)ms, used,
			    (long long)t[i].ms, t[i].used);
	}
}

static void
test_isotime_format(void)
{
	static const struct {
		int64_t ms;
		const char *want;
	} t[] = {
	    {0, "1970-01-01T00:00:00.000Z"},
	    {1717243531318LL, "2024-06-01T12:05:31.318Z"},
	    {1709164800005LL, "2024-02-29T00:00:00.005Z"},
	    {-1, "1969-12-31T23:59:59.999Z"},
	    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
	    {253402300800000LL, "0000-00-00T00:00:00.000Z"},
	    {INT64_MIN, "0000-00-00T00:00:00.000Z"},
	    {INT64_MAX, "0000-00-00T00:00:00.000Z"},
	};
	char buf[ISOTIME_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		isotime_format(t[i].ms, buf);
		UNIT_STREQ(buf, t[i].want, "isotime_format");
	}
}

static void
test_sanitize_term(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} t[] = {
	    {"plain text", 10, "plain text"},
	    {"tab\there", 8, "tab\there"},
	    {"\033[31mred", 8, "^[[31mred"},
	    {"\033]52;c;aGk=\007", 12, "^[]52;c;aGk=^G"},
	    {"\033]0;title\033\\", 11, "^[]0;title^[\\"},
	    {"a\rb", 3, "a^Mb"},
	    {"nul\0x", 5, "nul^@x"},
	    {"del\x7f", 4, "del^?"},
	    {"c1 \xc2\x9b"
	     "31m",
		8, "c1 <U+009B>31m"},
	    {"raw \x9b", 5, "raw \\x9b"},
	    {"bidi \xe2\x80\xae", 8, "bidi <U+202E>"},
	    {"iso \xe2\x81\xa6x", 8, "iso <U+2066>x"},
	    {"overlong \xc0\xaf", 11, "overlong \\xc0\\xaf"},
	    {"surrogate \xed\xa0\x80", 13, "surrogate \\xed\\xa0\\x80"},
	    {"utf8 \xe2\x96\x88 ok", 11, "utf8 \xe2\x96\x88 ok"},
	    {"cut \xe2\x96", 6, "cut \\xe2\\x96"},
	    {"emoji \xf0\x9f\x98\x80", 10, "emoji \xf0\x9f\x98\x80"},
	    {"bom \xef\xbb\xbf", 7, "bom <U+FEFF>"},
	    {"ls \xe2\x80\xa8", 6, "ls <U+2028>"},
	    {"tag \xf3\xa0\x81\xa9", 8, "tag <U+E0069>"},
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		sanitize_term(&b, t[i].in, t[i].len);
		UNIT_MEMEQ(
		    b.data, b.len, t[i].want, strlen(t[i].want), t[i].want);
		UNIT_CHECK(sanitize_term_clean(t[i].in, t[i].len) ==
			(t[i].len == strlen(t[i].want) &&
			    memcmp(t[i].in, t[i].want, t[i].len) == 0),
		    "sanitize_term_clean(%s)", t[i].want);
		UNIT_CHECK(memchr(b.data, '\033', b.len) == NULL,
		    "ESC left in %s", t[i].want);
	}
	buf_free(&b);
}

static void
test_sanitize_field(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} t[] = {
	    {"train_group", 11, "train_group"},
	    {"a b", 3, "a\\x20b"},
	    {"back\\slash", 10, "back\\x5cslash"},
	    {"", 0, "-"},
	    {"\033[2J", 4, "\\x1b[2J"},
	    {"caf\xc3\xa9", 5, "caf\\xc3\\xa9"},
	    {"tab\tnl\n", 7, "tab\\x09nl\\x0a"},
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		sanitize_field(&b, t[i].in, t[i].len);
		UNIT_MEMEQ(
		    b.data, b.len, t[i].want, strlen(t[i].want), t[i].want);
	}
	buf_free(&b);
}

/*
 * Clean text is scanned 8 bytes at a time: every byte value, at every
 * place in a word and across words, must come out as it does alone.
 */
static void
test_json_string_runs(void)
{
	struct buf b = BUF_INIT, one = BUF_INIT, want = BUF_INIT;
	char in[19];
	size_t pos;
	int c, bad = 0;

	for (c = 0; c < 256; c++) {
		buf_reset(&one);
		in[0] = (char)c;
		json_add_string(&one, in, 1);
		for (pos = 0; pos < sizeof in; pos++) {
			memset(in, 'a', sizeof in);
			in[pos] = (char)c;
			buf_reset(&b);
			json_add_string(&b, in, sizeof in);
			buf_reset(&want);
			buf_addc(&want, '"');
			buf_add(&want, in, pos);
			buf_add(&want, one.data + 1, one.len - 2);
			buf_add(&want, in + pos + 1, sizeof in - pos - 1);
			buf_addc(&want, '"');
			if (b.len != want.len ||
			    memcmp(b.data, want.data, b.len))
				bad++;
		}
	}
	UNIT_CHECK(
	    bad == 0, "%d strings escaped unlike their bytes alone", bad);
	buf_free(&b);
	buf_free(&one);
	buf_free(&want);
}

static void
test_json_string(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
		int lossy;
	} t[] = {
	    {"plain", 5, "\"plain\"", 0},
	    {"q\"b\\s/", 6, "\"q\\\"b\\\\s/\"", 0},
	    {"nl\ntab\tcr\r", 10, "\"nl\\ntab\\tcr\\r\"", 0},
	    {"esc\033", 4, "\"esc\\u001b\"", 0},
	    {"nul\0", 4, "\"nul\\u0000\"", 0},
	    {"\xe2\x96\x88", 3, "\"\xe2\x96\x88\"", 0},
	    {"bad\xff", 4, "\"bad\xef\xbf\xbd\"", 1},
	    {"\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"", 1},
	    {"\x7f", 1, "\"\x7f\"", 0},
	};
	struct buf b = BUF_INIT;
	size_t i;
	int lossy;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		lossy = json_add_string(&b, t[i].in, t[i].len);
		UNIT_MEMEQ(
		    b.data, b.len, t[i].want, strlen(t[i].want), t[i].want);
		UNIT_CHECK(lossy == t[i].lossy, "lossy %s", t[i].want);
	}
	buf_free(&b);
	test_json_string_runs();
}

static void
test_json_base64(void)
{
	static const struct {
		const char *in;
		const char *want;
	} t[] = {
	    {"", "\"\""},
	    {"f", "\"Zg==\""},
	    {"fo", "\"Zm8=\""},
	    {"foo", "\"Zm9v\""},
	    {"foob", "\"Zm9vYg==\""},
	    {"fooba", "\"Zm9vYmE=\""},
	    {"foobar", "\"Zm9vYmFy\""},
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		json_add_base64(&b, t[i].in, strlen(t[i].in));
		UNIT_STREQ(b.data, t[i].want, t[i].in);
	}
	buf_free(&b);
}

static void
test_json_int(void)
{
	static const struct {
		int64_t in;
		const char *want;
	} t[] = {
	    {0, "0"},
	    {7, "7"},
	    {-1, "-1"},
	    {1717243531318, "1717243531318"},
	    {INT64_MAX, "9223372036854775807"},
	    {INT64_MIN, "-9223372036854775808"},
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		json_add_int(&b, t[i].in);
		UNIT_STREQ(b.data, t[i].want, t[i].want);
	}
	buf_free(&b);
}

static void
test_json_unescape(void)
{
	static const struct {
		const char *in;
		const char *want;
		int rc;
	} t[] = {
	    {"data_group", "data_group", 0},
	    {"a\\\"b", "a\"b", 0},
	    {"\\u00e9t\\u00e9", "\xc3\xa9t\xc3\xa9", 0},
	    {"\\ud83d\\ude00", "\xf0\x9f\x98\x80", 0},
	    {"\\ud83d", "\xef\xbf\xbd", 0},
	    {"\\n\\t\\/", "\n\t/", 0},
	    {"bad\\x", "", -1},
	    {"trail\\", "", -1},
	    {"\\u12", "", -1},
	};
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		rc = json_unescape(&b, t[i].in, strlen(t[i].in));
		UNIT_CHECK(
		    rc == t[i].rc, "json_unescape(%s) rc %d", t[i].in, rc);
		if (rc == 0)
			UNIT_MEMEQ(b.data, b.len, t[i].want, strlen(t[i].want),
			    t[i].in);
	}
	buf_free(&b);
}

static void
test_utf8(void)
{
	static const struct {
		const char *in;
		size_t len;
		size_t n;
		uint32_t cp;
	} t[] = {
	    {"A", 1, 1, 'A'},
	    {"\xc3\xa9", 2, 2, 0xe9},
	    {"\xe2\x82\xac", 3, 3, 0x20ac},
	    {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
	    {"\xc1\xbf", 2, 0, 0},
	    {"\xe0\x80\xaf", 3, 0, 0},
	    {"\xed\xa0\x80", 3, 0, 0},
	    {"\xf4\x90\x80\x80", 4, 0, 0},
	    {"\xf5\x80\x80\x80", 4, 0, 0},
	    {"\x80", 1, 0, 0},
	    {"\xe2\x82", 2, 0, 0},
	};
	size_t i, n;
	uint32_t cp;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cp = 0;
		n = utf8_decode((const unsigned char *)t[i].in, t[i].len, &cp);
		UNIT_CHECK(n == t[i].n && (n == 0 || cp == t[i].cp),
		    "utf8_decode case %zu: %zu U+%04X", i, n, (unsigned)cp);
	}
	UNIT_CHECK(utf8_width("ab\xc3\xa9\xff", 5) == 4, "utf8_width");
}

/*
 * Nesting is counted as yajl's tree parser sees it. Found in review for
 * the fuzzing work: brackets in comments lowered the count, so a body of
 * any depth got through to the recursive tree code.
 */
static void
test_json_depth(void)
{
	static const struct {
		const char *in;
		int ok;
	} t[] = {
	    {"[[[]]]", 1},
	    {"[[[[]]]]", 0},
	    {"[\"[[[[\"]", 1},
	    {"/* ]]]]]] */ [[[[]]]]", 0},
	    {"// ]]]]]]\n[[[[]]]]", 0},
	    {"]]]]]] [[[[]]]]", 0},
	    {"[/* [[[[[ */]", 1},
	    {"[1 / 2]", 1},
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		UNIT_CHECK(
		    json_depth_ok(t[i].in, strlen(t[i].in), 3) == t[i].ok,
		    "json_depth_ok(%s) is %d", t[i].in, !t[i].ok);
}

/*
 * textscan: each byte of interest at every offset of lines of every length
 * around the blocks' sizes clears its bit and no other; a clean line
 * clears none.
 */
static void
test_textscan(void)
{
	static const struct {
		char c;
		unsigned bits; /* what the byte takes away */
	} t[] = {
	    {'\n', TEXT_NO_NL | TEXT_JSON_PLAIN},
	    {'#', TEXT_NO_HASH},
	    {'\r', TEXT_NO_CR | TEXT_JSON_PLAIN},
	    {'|', TEXT_NO_PIPE},
	    {'\033', TEXT_NO_ESC | TEXT_JSON_PLAIN},
	    {'"', TEXT_JSON_PLAIN},
	    {'\\', TEXT_JSON_PLAIN},
	    {'\t', TEXT_JSON_PLAIN},
	    {'\0', TEXT_JSON_PLAIN},
	    {'\x80', TEXT_JSON_PLAIN},
	    {'\xff', TEXT_JSON_PLAIN},
	    {'\x7f', 0},
	    {' ', 0},
	};
	const unsigned all = TEXT_NO_NL | TEXT_NO_HASH | TEXT_NO_CR |
	    TEXT_NO_PIPE | TEXT_NO_ESC | TEXT_JSON_PLAIN;
	char line[72];
	size_t i, len, off;
	int bad = 0;

	for (len = 0; len < sizeof line; len++) {
		memset(line, 'a', len);
		bad += textscan(line, len) != all;
		for (i = 0; i < sizeof t / sizeof t[0]; i++)
			for (off = 0; off < len; off++) {
				memset(line, 'a', len);
				line[off] = t[i].c;
				bad +=
				    textscan(line, len) != (all & ~t[i].bits);
			}
	}
	UNIT_CHECK(bad == 0, "textscan: %d wrong answers", bad);
	UNIT_CHECK(textscan_lines("a\nb\n\nc", 7, 0) == 4, "textscan_lines");
	UNIT_CHECK(textscan_lines("", 0, 0) == 1, "textscan_lines empty");
	UNIT_CHECK(textscan_lines("a\nb", 3, TEXT_NO_NL) == 1,
	    "textscan_lines trusts its caller");
}

int
main(void)
{
	test_isotime_parse();
	test_isotime_format();
	test_sanitize_term();
	test_sanitize_field();
	test_json_string();
	test_json_base64();
	test_json_int();
	test_json_unescape();
	test_utf8();
	test_json_depth();
	test_textscan();
	return (unit_done("text"));
}
