/*
 * Group hues and host shades. The first shade of each hue is the colour
 * groups had before hosts were shaded (green, blue, magenta, cyan,
 * yellow, then their bright forms), so a group of one host looks the same.
 * SageMaker allows five instance groups; the bright hues serve the rare
 * job read with rules of its own that makes more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "palette.h"
#include "strmap.h"
#include "xmalloc.h"

#define NHUES 10

/* Per hue: the basic colour, then shades from the 256-colour cube. */
static const short shades256[NHUES][PALETTE_SHADES] = {
    {2, 46, 28, 120}, /* green */
    {4, 33, 19, 111}, /* blue */
    {5, 201, 90, 213}, /* magenta */
    {6, 51, 30, 123}, /* cyan */
    {3, 226, 136, 228}, /* yellow */
    {10, 34, 22, 157},
    {12, 27, 18, 153},
    {13, 165, 54, 219},
    {14, 37, 23, 159},
    {11, 178, 94, 229},
};

/* With 8 or 16 colours, shades are attributes of the hue. */
static const unsigned char shades_attr[PALETTE_SHADES] = {
    0, PALETTE_BOLD, PALETTE_UNDERLINE, PALETTE_BOLD | PALETTE_UNDERLINE};

struct hue {
	unsigned index; /* into shades256 */
	struct strmap *hosts; /* host name -> 1 + shade */
	unsigned nhosts;
};

struct palette {
	int colors;
	struct strmap *groups; /* group name -> struct hue */
	struct hue **hues;
	size_t nhues, cap;
};

struct palette *
palette_new(int colors)
{
	struct palette *p;

	p = xcalloc(1, sizeof *p);
	p->colors = colors;
	p->groups = strmap_new();
	return (p);
}

void
palette_free(struct palette *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nhues; i++) {
		strmap_free(p->hues[i]->hosts);
		free(p->hues[i]);
	}
	free(p->hues);
	strmap_free(p->groups);
	free(p);
}

static int
unassigned(const char *name, size_t len)
{
	return (len == strlen("unassigned") &&
	    memcmp(name, "unassigned", len) == 0);
}

static struct hue *
hue_of(struct palette *p, const char *group, size_t len)
{
	struct hue *h;

	if ((h = strmap_get(p->groups, group, len)) != NULL)
		return (h);
	h = xcalloc(1, sizeof *h);
	h->index = (unsigned)(p->nhues % NHUES);
	h->hosts = strmap_new();
	p->hues = xgrow(p->hues, p->nhues, &p->cap, 8, sizeof *p->hues);
	p->hues[p->nhues++] = h;
	strmap_put(p->groups, group, len, h);
	return (h);
}

static struct palette_color
shade(const struct palette *p, const struct hue *h, unsigned s)
{
	struct palette_color c;

	s %= PALETTE_SHADES;
	c.fg =
	    p->colors >= 256 ? shades256[h->index][s] : shades256[h->index][0];
	c.attr = p->colors >= 256 ? 0 : shades_attr[s];
	return (c);
}

static struct palette_color
dim(void)
{
	struct palette_color c = {-1, PALETTE_DIM};

	return (c);
}

struct palette_color
palette_group(struct palette *p, const char *group, size_t len)
{
	if (unassigned(group, len))
		return (dim());
	return (shade(p, hue_of(p, group, len), 0));
}

struct palette_color
palette_host(struct palette *p, const char *group, size_t group_len,
    const char *host, size_t host_len)
{
	struct hue *h;
	void *v;

	if (unassigned(group, group_len))
		return (dim());
	h = hue_of(p, group, group_len);
	if ((v = strmap_get(h->hosts, host, host_len)) == NULL) {
		v = (void *)(uintptr_t)(h->nhosts++ % PALETTE_SHADES + 1);
		strmap_put(h->hosts, host, host_len, v);
	}
	return (shade(p, h, (unsigned)((uintptr_t)v - 1)));
}

void
palette_sgr(struct buf *b, struct palette_color c)
{
	const char *sep = "";

	buf_adds(b, "\033[");
	if (c.attr & PALETTE_BOLD) {
		buf_adds(b, "1");
		sep = ";";
	}
	if (c.attr & PALETTE_DIM) {
		buf_printf(b, "%s2", sep);
		sep = ";";
	}
	if (c.attr & PALETTE_UNDERLINE) {
		buf_printf(b, "%s4", sep);
		sep = ";";
	}
	if (c.fg >= 0 && c.fg < 8)
		buf_printf(b, "%s%d", sep, 30 + c.fg);
	else if (c.fg >= 8 && c.fg < 16)
		buf_printf(b, "%s%d", sep, 90 + c.fg - 8);
	else if (c.fg >= 16)
		buf_printf(b, "%s38;5;%d", sep, c.fg);
	buf_addc(b, 'm');
}
