/*
 * One pass over a message for the bytes later stages look for. With SSE2
 * (every x86-64) sixteen bytes are compared with each byte of interest at
 * once and the answers gathered with OR, so the pass costs a few
 * instructions a block whatever the message holds; with AVX2 (asked of
 * the CPU at run time) thirty-two bytes; elsewhere a byte loop does the
 * same.
 */
#include <string.h>

#include "textscan.h"

/* The bits of a message that holds every byte of interest. */
#define TEXT_ALL \
	(TEXT_NO_NL | TEXT_NO_HASH | TEXT_NO_CR | TEXT_NO_PIPE | TEXT_NO_ESC | \
	    TEXT_JSON_PLAIN)

size_t
textscan_lines(const char *s, size_t len, unsigned lacks)
{
	const char *end = s + len, *nl;
	size_t lines = 1;

	if (lacks & TEXT_NO_NL)
		return (1);
	for (; (nl = memchr(s, '\n', (size_t)(end - s))) != NULL; lines++)
		s = nl + 1;
	return (lines);
}

#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>

/* The blocks' accumulated comparisons, one a byte of interest. */
struct acc {
	__m128i nl, hash, cr, pipe, esc, json;
};

static inline void
block(struct acc *a, __m128i v)
{
	a->nl = _mm_or_si128(a->nl, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
	a->hash = _mm_or_si128(a->hash, _mm_cmpeq_epi8(v, _mm_set1_epi8('#')));
	a->cr = _mm_or_si128(a->cr, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
	a->pipe = _mm_or_si128(a->pipe, _mm_cmpeq_epi8(v, _mm_set1_epi8('|')));
	a->esc = _mm_or_si128(a->esc, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x1b)));
	/* Signed: below 0x20 is a control character, below 0 a byte from
	 * 0x80 on. */
	a->json = _mm_or_si128(a->json,
	    _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
}

/* The AVX2 pass, for len >= 32: the same as the SSE2 one, twice as wide. */
__attribute__((target("avx2"))) static unsigned
scan32(const char *s, size_t len)
{
	__m256i nl, hash, cr, pipe, esc, json, v;
	unsigned lacks = 0;
	size_t i = 0;

	nl = hash = cr = pipe = esc = json = _mm256_setzero_si256();
	for (;;) {
		/* The last bytes again when len is not a multiple of 32. */
		v = _mm256_loadu_si256((const __m256i *)(s + i));
		nl = _mm256_or_si256(
		    nl, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')));
		hash = _mm256_or_si256(
		    hash, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('#')));
		cr = _mm256_or_si256(
		    cr, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')));
		pipe = _mm256_or_si256(
		    pipe, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('|')));
		esc = _mm256_or_si256(
		    esc, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x1b)));
		/* Signed: below 0x20 is a control character, below 0 a byte
		 * from 0x80 on. */
		json = _mm256_or_si256(json,
		    _mm256_or_si256(
			_mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v),
			_mm256_or_si256(
			    _mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
			    _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')))));
		if (i + 32 == len)
			break;
		i = i + 64 <= len ? i + 32 : len - 32;
	}
	lacks |= _mm256_movemask_epi8(nl) == 0 ? TEXT_NO_NL : 0;
	lacks |= _mm256_movemask_epi8(hash) == 0 ? TEXT_NO_HASH : 0;
	lacks |= _mm256_movemask_epi8(cr) == 0 ? TEXT_NO_CR : 0;
	lacks |= _mm256_movemask_epi8(pipe) == 0 ? TEXT_NO_PIPE : 0;
	lacks |= _mm256_movemask_epi8(esc) == 0 ? TEXT_NO_ESC : 0;
	lacks |= _mm256_movemask_epi8(json) == 0 ? TEXT_JSON_PLAIN : 0;
	return (lacks);
}

unsigned
textscan(const char *s, size_t len)
{
	struct acc a;
	char pad[16];
	unsigned lacks = 0;
	size_t i;

	if (len >= 32 && __builtin_cpu_supports("avx2"))
		return (scan32(s, len));
	a.nl = a.hash = a.cr = a.pipe = a.esc = a.json = _mm_setzero_si128();
	for (i = 0; i + 16 <= len; i += 16)
		block(&a, _mm_loadu_si128((const __m128i *)(s + i)));
	if (i < len) {
		/* The last bytes again, or padded with spaces, which are
		 * none of the bytes looked for. */
		if (len >= 16)
			block(&a,
			    _mm_loadu_si128((const __m128i *)(s + len - 16)));
		else {
			memset(pad, ' ', sizeof pad);
			memcpy(pad, s, len);
			block(&a, _mm_loadu_si128((const __m128i *)pad));
		}
	}
	lacks |= _mm_movemask_epi8(a.nl) == 0 ? TEXT_NO_NL : 0;
	lacks |= _mm_movemask_epi8(a.hash) == 0 ? TEXT_NO_HASH : 0;
	lacks |= _mm_movemask_epi8(a.cr) == 0 ? TEXT_NO_CR : 0;
	lacks |= _mm_movemask_epi8(a.pipe) == 0 ? TEXT_NO_PIPE : 0;
	lacks |= _mm_movemask_epi8(a.esc) == 0 ? TEXT_NO_ESC : 0;
	lacks |= _mm_movemask_epi8(a.json) == 0 ? TEXT_JSON_PLAIN : 0;
	return (lacks);
}

#else

unsigned
textscan(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned lacks = TEXT_ALL;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '\n':
			lacks &= ~(unsigned)TEXT_NO_NL;
			break;
		case '#':
			lacks &= ~(unsigned)TEXT_NO_HASH;
			break;
		case '\r':
			lacks &= ~(unsigned)TEXT_NO_CR;
			break;
		case '|':
			lacks &= ~(unsigned)TEXT_NO_PIPE;
			break;
		case 0x1b:
			lacks &= ~(unsigned)TEXT_NO_ESC;
			break;
		}
		if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' || p[i] == '\\')
			lacks &= ~(unsigned)TEXT_JSON_PLAIN;
	}
	return (lacks);
}

#endif
