/*
 * Messages for the user: everything goes to stderr with a "cwdemux:"
 * prefix. A status line may sit on a terminal's stderr without a newline;
 * a message clears it first.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "xmalloc.h"

static int debug_on;
static int status_shown; /* a status line is on stderr, without newline */

static void
log_emit(const char *kind, const char *fmt, va_list ap)
{
	char *msg;

	xvasprintf(&msg, fmt, ap);
	/* A message takes the status line's place; it comes back at the
	 * next update. */
	if (status_shown) {
		fputs("\r\033[K", stderr);
		status_shown = 0;
	}
	fprintf(stderr, "cwdemux: %s%s\n", kind, msg);
	free(msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("warning: ", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	va_start(ap, fmt);
	log_emit("debug: ", fmt, ap);
	va_end(ap);
}

void
log_set_debug(int on)
{
	debug_on = on;
}

int
log_debug_enabled(void)
{
	return (debug_on);
}

void
log_status(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r\033[K%s", msg);
	fflush(stderr);
	status_shown = 1;
	free(msg);
}

void
log_status_clear(void)
{
	if (status_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		status_shown = 0;
	}
}
