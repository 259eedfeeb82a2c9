/*
 * sgr: the colours in log text. Programs that colour their logs (rich,
 * colorlog, tqdm) write SGR escape sequences, "ESC [ 31 m" and the like.
 * Only their colour attributes are ever interpreted: foreground and
 * background, from the 8 basic colours to 256-colour and 24-bit ones, and
 * the resets. Every other SGR attribute (bold, blink, reverse, conceal...)
 * is read and ignored; every escape sequence that is not SGR is left in the
 * text, for the caller to neutralise (sanitize.h).
 *
 * Ownership: nothing is allocated; sgr_add() appends to a caller's buf.
 */
#ifndef SGR_H
#define SGR_H

#include <stddef.h>

#include "buf.h"

/* A colour that is the terminal's default. */
#define SGR_DEFAULT (-1)

/* The colours in force: SGR_DEFAULT or an xterm 256-colour index. */
struct sgr_attr {
	short fg;
	short bg;
};

#define SGR_ATTR_INIT \
	{ \
		SGR_DEFAULT, SGR_DEFAULT \
	}

/*
 * When s starts with a whole SGR sequence (ESC '[', parameters, 'm'),
 * apply its colours to *a and return its length; otherwise return 0 and
 * leave *a alone. A background too close to the text's colour is dropped,
 * so no text is made invisible.
 */
size_t sgr_parse(const char *s, size_t len, struct sgr_attr *a);

/*
 * The next run of text at *p (before end) and the colours it is shown in:
 * SGR sequences before and inside the run are applied to *a and skipped.
 * Returns 0 at the end. An ESC that starts no SGR sequence is text.
 */
int sgr_next(const char **p, const char *end, struct sgr_attr *a,
    const char **text, size_t *text_len);

/* The xterm 256-colour index nearest to a 24-bit colour. */
int sgr_rgb_to_256(int r, int g, int b);

/* Append a sequence of our own that sets exactly the colours of a. */
void sgr_add(struct buf *, const struct sgr_attr *a);

#endif
