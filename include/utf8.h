/*
 * utf8: strict UTF-8 decoding (no overlong forms, no surrogates, nothing
 * above U+10FFFF), shared by the terminal sanitiser and the JSON writer.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one character at s (len > 0 bytes). Returns its length in bytes
 * and stores the code point, or returns 0 when the bytes at s are not valid
 * UTF-8 (the caller then treats s[0] as one invalid byte).
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Count characters, an invalid byte counting as one. */
size_t utf8_width(const char *s, size_t len);

#endif
