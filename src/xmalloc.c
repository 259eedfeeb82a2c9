/*
 * The allocation family. Running out of memory is not an error the program
 * can recover from, so these functions never return NULL: they undo the
 * terminal through the fatal hook, say what failed and exit.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitstatus.h"
#include "xmalloc.h"

static void (*fatal_hook)(void);

void
xmalloc_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

static void __attribute__((noreturn)) xmalloc_fail(size_t nmemb, size_t size)
{
	if (fatal_hook != NULL)
		fatal_hook();
	fprintf(stderr, "cwdemux: out of memory (allocating %zu x %zu bytes)\n",
	    nmemb, size);
	exit(EXIT_NOMEM);
}

void
xalloc_failed(const char *what)
{
	if (fatal_hook != NULL)
		fatal_hook();
	fprintf(stderr, "cwdemux: out of memory (%s)\n", what);
	exit(EXIT_NOMEM);
}

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		xmalloc_fail(1, size);
	return (p);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_fail(nmemb, size);
	return (p);
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (size != 0 && nmemb > SIZE_MAX / size)
		xmalloc_fail(nmemb, size);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		xmalloc_fail(nmemb, size);
	return (p);
}

void *
xgrow(void *ptr, size_t n, size_t *cap, size_t first, size_t size)
{
	size_t want;

	if (n < *cap)
		return (ptr);
	if (*cap == 0)
		want = first;
	else if (*cap > SIZE_MAX / 2)
		xmalloc_fail(*cap, 2 * size);
	else
		want = *cap * 2;
	ptr = xreallocarray(ptr, want, size);
	*cap = want;
	return (ptr);
}

char *
xstrdup(const char *s)
{
	return (xmemdup(s, strlen(s) + 1));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

void *
xmemdup(const void *src, size_t len)
{
	void *p;

	p = xmalloc(len);
	if (len != 0)
		memcpy(p, src, len);
	return (p);
}

int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		xmalloc_fail(1, 0);
	*ret = xmalloc((size_t)n + 1);
	if (vsnprintf(*ret, (size_t)n + 1, fmt, ap) != n)
		xmalloc_fail(1, (size_t)n + 1);
	return (n);
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return (n);
}
