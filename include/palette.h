/*
 * palette: the colours of groups and of the hosts within a group. Each
 * group gets a hue in the order groups first appear; its hosts get shades
 * of that hue, in the order they first appear in the group, so two hosts of
 * one group are told apart at a glance and still read as one group. With
 * 256 colours the shades are lighter and darker tones of the hue; with 8
 * or 16 colours they are the hue plain, bold, underlined, and both. The
 * group "unassigned" is dim. NO_COLOR and --color are the caller's
 * business: the palette is only asked when colour is on.
 *
 * Ownership: struct palette owns its maps; palette_free() releases them.
 */
#ifndef PALETTE_H
#define PALETTE_H

#include <stddef.h>

#include "buf.h"

/* Attributes of a colour, beside its foreground. */
#define PALETTE_BOLD 0x1
#define PALETTE_UNDERLINE 0x2
#define PALETTE_DIM 0x4

/* Shades per hue: the fifth host of a group looks like its first again. */
#define PALETTE_SHADES 4

struct palette_color {
	short fg; /* an xterm colour index, 0 to 255; -1: the default */
	unsigned char attr; /* PALETTE_ flags */
};

struct palette;

/* colors: what the terminal shows, 256 or more, or fewer (8 or 16). */
struct palette *palette_new(int colors);
void palette_free(struct palette *);

/* The colour of a group, its hue given on first sight. */
struct palette_color palette_group(struct palette *, const char *, size_t);
/* The colour of a host of a group, its shade given on first sight. */
struct palette_color palette_host(struct palette *, const char *group,
    size_t group_len, const char *host, size_t host_len);

/* Append the SGR sequence that sets c ("\033[...m"). */
void palette_sgr(struct buf *, struct palette_color c);

#endif
