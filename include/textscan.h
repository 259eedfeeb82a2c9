/*
 * textscan: one pass over a message that says which bytes of interest it
 * lacks, so that the stages after the reader skip the searches that would
 * find nothing: a line end (nearly every event is one line), a collector
 * escape, a CR, a tqdm bar's '|', an ESC, or anything JSON must escape.
 * The reader makes the pass (on its own thread when it has one) and the
 * answer travels with the event (struct out_event's lacks).
 *
 * A set bit is a promise that the byte is absent; a clear bit promises
 * nothing, so 0 (an event nobody scanned) is always safe.
 */
#ifndef TEXTSCAN_H
#define TEXTSCAN_H

#include <stddef.h>

enum {
	TEXT_NO_NL = 1 << 0, /* no '\n': the message is one line */
	TEXT_NO_HASH = 1 << 1, /* no '#': no collector escape (escapes.h) */
	TEXT_NO_CR = 1 << 2, /* no '\r' */
	TEXT_NO_PIPE = 1 << 3, /* no '|' */
	TEXT_NO_ESC = 1 << 4, /* no ESC (0x1b) */
	/* No byte JSON escapes or checks: no control character, '"', '\\',
	 * or byte from 0x80 on. */
	TEXT_JSON_PLAIN = 1 << 5,
};

/* The TEXT_ bits of the len bytes at s. */
unsigned textscan(const char *s, size_t len);
/* The lines of s (line ends plus one), counted unless lacks says one. */
size_t textscan_lines(const char *s, size_t len, unsigned lacks);

#endif
