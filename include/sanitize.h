/*
 * sanitize: make untrusted log bytes safe to show. Log content must never
 * drive the user's terminal, so everything that could (C0 and C1 controls,
 * DEL, escape sequences, bidirectional overrides, invalid UTF-8) is written
 * in a visible, inert form instead.
 *
 * Ownership: the functions append to a caller-owned struct buf.
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stddef.h>

#include "buf.h"

/*
 * Append s for display on a terminal: valid printable UTF-8 and TAB pass;
 * a C0 control or DEL becomes caret notation (ESC is "^["), a C1 control,
 * a bidirectional/invisible formatting character, a line or paragraph
 * separator or a tag character becomes "<U+202E>", an invalid byte
 * becomes "\xNN".
 */
void sanitize_term(struct buf *, const char *s, size_t len);

/* Nonzero when sanitize_term() would append s unchanged. */
int sanitize_term_clean(const char *s, size_t len);

/*
 * Append s as one whitespace-free field (a group or host name in "GROUP
 * HOST MESSAGE" lines): printable ASCII other than space and backslash
 * passes, every other byte becomes "\xNN", so the result is reversible; an
 * empty name becomes "-".
 */
void sanitize_field(struct buf *, const char *s, size_t len);

/*
 * Append an excerpt of untrusted text for a message (an STS error, a
 * command's stderr): its first line without CR, cut to max bytes, through
 * sanitize_term().
 */
void sanitize_excerpt(struct buf *, const char *s, size_t len, size_t max);

#endif
