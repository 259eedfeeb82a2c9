/*
 * litscan: a fast "might this line match?" test for a set of regular
 * expressions. From each pattern's text it finds literal strings at least
 * one of which every match must contain (for "NCCL error|ExitCode [1-9]",
 * "NCCL error" and "ExitCode "), and then looks for any of them in a line
 * with one table look-up a byte. Error rules run on every line and match
 * almost none, so this spares PCRE2 nearly all of its work.
 *
 * The analysis is conservative: a pattern with constructs it does not
 * follow (case-insensitive options, \Q, \x{...}, references, verbs) gets
 * no literals, and its rule simply runs on every line.
 *
 * Ownership: struct litscan owns copies of its literals.
 */
#ifndef LITSCAN_H
#define LITSCAN_H

#include <stddef.h>

#include "buf.h"

/* The shortest literal worth looking for, in bytes. */
#define LITSCAN_MIN 3

struct litscan;

struct litscan *litscan_new(void);
void litscan_free(struct litscan *);

/*
 * Append to out, one a line, literals at least one of which every match
 * of pattern contains; 0, or -1 (out unchanged) when none can be found.
 */
int litscan_required(const char *pattern, size_t len, struct buf *out);
/* Add pattern's literals to the set; 0, or -1 when it has none. */
int litscan_add(struct litscan *, const char *pattern, size_t len);
/* Nonzero when s holds one of the literals added. */
int litscan_any(const struct litscan *, const char *s, size_t len);

#endif
