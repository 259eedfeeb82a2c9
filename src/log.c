/*
 * Messages for the user: everything goes to stderr with a "cwdemux:"
 * prefix. A status line may sit on a terminal's stderr without a newline;
 * a message clears it first. While the terminal UI runs, messages are
 * held in a list and printed when it ends.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int debug_on;
static int status_shown; /* a status line is on stderr, without newline */

/* Messages held while the UI runs, each a full line. */
struct held {
	struct held *next;
	char line[];
};
/* Held messages are bounded (--debug logs every request). */
#define LOG_HOLD_MAX 1000

static int holding;
static struct held *held_first, **held_tail = &held_first;
static unsigned held_n, held_lost;
static unsigned warnings;
static char *last; /* the last warning, without prefix */

static void
hold_line(const char *kind, const char *msg)
{
	struct held *h;
	char *line;
	size_t len;

	if (held_n == LOG_HOLD_MAX) {
		held_lost++;
		return;
	}
	held_n++;
	len = (size_t)xasprintf(&line, "cwdemux: %s%s\n", kind, msg);
	h = xmalloc(sizeof *h + len + 1);
	memcpy(h->line, line, len + 1);
	free(line);
	h->next = NULL;
	*held_tail = h;
	held_tail = &h->next;
}

static void
log_emit(const char *kind, const char *fmt, va_list ap)
{
	char *msg;

	xvasprintf(&msg, fmt, ap);
	/* The offline reader's thread logs too (named files, --debug). */
	pthread_mutex_lock(&log_lock);
	if (strcmp(kind, "warning: ") == 0) {
		warnings++;
		free(last);
		last = xstrdup(msg);
	}
	if (holding)
		hold_line(kind, msg);
	else {
		/* A message takes the status line's place; it comes back
		 * at the next update. */
		if (status_shown) {
			fputs("\r\033[K", stderr);
			status_shown = 0;
		}
		fprintf(stderr, "cwdemux: %s%s\n", kind, msg);
	}
	pthread_mutex_unlock(&log_lock);
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

void
log_hold(void)
{
	log_status_clear();
	holding = 1;
}

void
log_release(void)
{
	struct held *h, *next;

	if (!holding)
		return;
	holding = 0;
	for (h = held_first; h != NULL; h = next) {
		next = h->next;
		fputs(h->line, stderr);
		free(h);
	}
	held_first = NULL;
	held_tail = &held_first;
	if (held_lost > 0)
		fprintf(stderr,
		    "cwdemux: %u more messages came while the terminal UI "
		    "ran; they were not kept\n",
		    held_lost);
	held_n = held_lost = 0;
	fflush(stderr);
}

unsigned
log_warnings(void)
{
	return (warnings);
}

const char *
log_last(void)
{
	return (last);
}
