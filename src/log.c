/*
 * Messages for the user. Everything goes to stderr with a "cwdemux:" prefix,
 * except while the terminal UI owns the screen: then messages are held (up
 * to a bound, counting what was dropped) and printed after the UI ends, so
 * nothing scribbles over curses and nothing is lost silently.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "xmalloc.h"

#define LOG_HELD_MAX 1000

static int debug_on;
static int holding;
static char *held[LOG_HELD_MAX];
static unsigned held_count;
static unsigned long held_dropped;
static unsigned long warnings;
static int status_shown; /* a status line is on stderr, without newline */

static void
log_emit(const char *kind, const char *fmt, va_list ap)
{
	char *msg;

	xvasprintf(&msg, fmt, ap);
	if (!holding) {
		/* A message takes the status line's place; it comes back
		 * at the next update. */
		if (status_shown) {
			fputs("\r\033[K", stderr);
			status_shown = 0;
		}
		fprintf(stderr, "cwdemux: %s%s\n", kind, msg);
		free(msg);
		return;
	}
	if (held_count == LOG_HELD_MAX) {
		held_dropped++;
		free(msg);
		return;
	}
	xasprintf(&held[held_count++], "cwdemux: %s%s", kind, msg);
	free(msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	warnings++;
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
log_hold(int on)
{
	holding = on;
}

void
log_flush(void)
{
	unsigned i;

	for (i = 0; i < held_count; i++) {
		fprintf(stderr, "%s\n", held[i]);
		free(held[i]);
	}
	held_count = 0;
	if (held_dropped != 0)
		fprintf(stderr, "cwdemux: %lu more messages were dropped\n",
		    held_dropped);
	held_dropped = 0;
}

unsigned long
log_warnings(void)
{
	return (warnings);
}

void
log_status(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (holding)
		return;
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
