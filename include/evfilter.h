/*
 * evfilter: --include and --exclude, which keep or drop whole events by
 * PCRE2 patterns (as stern's -i and -e keep or drop lines), so a traceback
 * or any event of several lines stays whole. An event is kept when some
 * --include pattern matches it (or none was given) and no --exclude
 * pattern does. Patterns are matched against the whole event in multi-line
 * mode: '^' and '$' match at every line's start and end.
 *
 * Ownership: struct evfilter owns its compiled patterns.
 */
#ifndef EVFILTER_H
#define EVFILTER_H

#include <stddef.h>

struct evfilter;

struct evfilter *evfilter_new(void);
void evfilter_free(struct evfilter *);

/* Add a pattern; -1 with cause naming the option, pattern and column. */
int
evfilter_add(struct evfilter *, int exclude, const char *pattern, char **cause);
/* Nonzero when no pattern was added (every event is kept). */
int evfilter_empty(const struct evfilter *);
/* Nonzero when an event with this text is kept. */
int evfilter_keep(struct evfilter *, const char *msg, size_t len);

#endif
