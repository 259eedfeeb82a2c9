/*
 * xmalloc: the one allocation family. Every function either succeeds or
 * calls the fatal hook (which restores the terminal), prints a message and
 * exits with EXIT_NOMEM (70, exitstatus.h). Sizes are overflow-checked.
 *
 * Ownership: the caller owns every returned pointer and frees it with free().
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
/*
 * Room for one more element in the array ptr of n elements used and *cap
 * allocated, each of size bytes: when it is full, the first growth makes
 * room for first elements and each later one doubles *cap. Returns the
 * array, moved or not.
 */
void *xgrow(void *ptr, size_t n, size_t *cap, size_t first, size_t size);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
void *xmemdup(const void *, size_t);
int xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
int xvasprintf(char **, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/*
 * A library's own allocation failed (libcurl, PCRE2): take the same exit
 * as xmalloc does; what names the allocation.
 */
void xalloc_failed(const char *what) __attribute__((noreturn));

/*
 * Called once before exiting on allocation failure, so the module that owns
 * the terminal can restore it. NULL means nothing to undo.
 */
void xmalloc_set_fatal_hook(void (*)(void));

#endif
