/*
 * SGR parsing. A sequence is taken whole or not at all: it must end in 'm'
 * within SGR_MAX bytes and hold only digits, ';' and ':' (the ISO 8613-6
 * sub-parameter form "38:2::R:G:B"). Parameters are applied left to
 * right, as terminals do; a malformed extended colour ends the sequence's
 * effect without undoing what came before it.
 */
#include <string.h>

#include "sgr.h"

/* The longest sequence taken as SGR; a longer one stays text. */
#define SGR_MAX 64
/* Parameters read from one sequence (more are ignored). */
#define SGR_PARAMS 32
/* The least distance of text from its background, in RGB units. */
#define SGR_MIN_CONTRAST 64

/* A parameter: its value (-1 when empty), and whether ':' ended it. */
struct param {
	int v;
	int sub; /* the next parameter is a sub-parameter of this one */
};

/* Split the parameters between "ESC [" and 'm'; their number. */
static size_t
split(const char *s, size_t len, struct param *pv)
{
	size_t i, n = 0;
	int v = -1;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] >= '0' && s[i] <= '9') {
			v = (v < 0 ? 0 : v) * 10 + (s[i] - '0');
			if (v > 65535)
				v = 65535;
			continue;
		}
		if (n < SGR_PARAMS) {
			pv[n].v = v;
			pv[n].sub = i < len && s[i] == ':';
			n++;
		}
		v = -1;
	}
	return (n);
}

static int
abs_diff(int a, int b)
{
	return (a > b ? a - b : b - a);
}

static int
level(int v)
{
	return (v < 0 ? 0 : v > 255 ? 255 : v);
}

int
sgr_rgb_to_256(int r, int g, int b)
{
	static const int steps[6] = {0, 95, 135, 175, 215, 255};
	int c[3] = {level(r), level(g), level(b)}, q[3], i, j, d, best, grey;
	long cube_d = 0, grey_d = 0;

	for (i = 0; i < 3; i++) {
		best = 0;
		for (j = 1; j < 6; j++)
			if (abs_diff(c[i], steps[j]) <
			    abs_diff(c[i], steps[best]))
				best = j;
		q[i] = best;
		d = c[i] - steps[best];
		cube_d += (long)d * d;
	}
	grey = (c[0] + c[1] + c[2]) / 3;
	grey = grey < 8 ? 0 : grey > 238 ? 23 : (grey - 8 + 5) / 10;
	for (i = 0; i < 3; i++) {
		d = c[i] - (8 + 10 * grey);
		grey_d += (long)d * d;
	}
	if (grey_d < cube_d)
		return (232 + grey);
	return (16 + 36 * q[0] + 6 * q[1] + q[2]);
}

/*
 * An extended colour after 38 or 48 at pv[i]: "5;N" or "2;R;G;B" (or the
 * same with ':', where "2" may be followed by an empty colour space id).
 * Returns the colour or -2 when malformed, and moves *i past it.
 */
static int
extended(const struct param *pv, size_t n, size_t *i)
{
	size_t k = *i + 1;
	int colon = pv[*i].sub;

	if (k >= n)
		return (-2);
	if (pv[k].v == 5 && k + 1 < n && pv[k + 1].v >= 0 &&
	    pv[k + 1].v <= 255) {
		*i = k + 1;
		return (pv[k + 1].v);
	}
	if (pv[k].v != 2)
		return (-2);
	/* "38:2::R:G:B": the colour space id is there, empty. */
	if (colon && k + 4 < n && pv[k + 1].v < 0 && pv[k + 4].v >= 0)
		k++;
	if (k + 3 >= n || pv[k + 1].v < 0 || pv[k + 2].v < 0 || pv[k + 3].v < 0)
		return (-2);
	*i = k + 3;
	return (sgr_rgb_to_256(pv[k + 1].v, pv[k + 2].v, pv[k + 3].v));
}

/* The xterm colour of an index, as r, g, b. */
static void
rgb_of(int c, int rgb[3])
{
	static const unsigned char basic[16][3] = {{0, 0, 0}, {205, 0, 0},
	    {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205},
	    {0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0},
	    {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255},
	    {0, 255, 255}, {255, 255, 255}};
	static const int steps[6] = {0, 95, 135, 175, 215, 255};
	int i;

	if (c < 16)
		for (i = 0; i < 3; i++)
			rgb[i] = basic[c][i];
	else if (c < 232) {
		rgb[0] = steps[(c - 16) / 36];
		rgb[1] = steps[(c - 16) / 6 % 6];
		rgb[2] = steps[(c - 16) % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
}

/*
 * Text in (nearly) the colour of its background would be invisible: such
 * a log line hides what it says. The background gives way.
 */
static void
keep_visible(struct sgr_attr *a)
{
	int f[3], b[3], i;
	long d = 0;

	if (a->fg == SGR_DEFAULT || a->bg == SGR_DEFAULT)
		return;
	rgb_of(a->fg, f);
	rgb_of(a->bg, b);
	for (i = 0; i < 3; i++)
		d += (long)(f[i] - b[i]) * (f[i] - b[i]);
	if (d < SGR_MIN_CONTRAST * SGR_MIN_CONTRAST)
		a->bg = SGR_DEFAULT;
}

/* Apply parameters to a. */
static void
apply(const struct param *pv, size_t n, struct sgr_attr *a)
{
	size_t i;
	int v, c;

	for (i = 0; i < n; i++) {
		v = pv[i].v;
		if (v <= 0) {
			a->fg = a->bg = SGR_DEFAULT;
		} else if (v >= 30 && v <= 37)
			a->fg = (short)(v - 30);
		else if (v >= 90 && v <= 97)
			a->fg = (short)(v - 90 + 8);
		else if (v == 39)
			a->fg = SGR_DEFAULT;
		else if (v >= 40 && v <= 47)
			a->bg = (short)(v - 40);
		else if (v >= 100 && v <= 107)
			a->bg = (short)(v - 100 + 8);
		else if (v == 49)
			a->bg = SGR_DEFAULT;
		else if (v == 38 || v == 48) {
			if ((c = extended(pv, n, &i)) == -2)
				return;
			if (v == 38)
				a->fg = (short)c;
			else
				a->bg = (short)c;
		}
		/* Every other attribute is not a colour: ignored. */
		while (pv[i].sub && i + 1 < n)
			i++;
	}
}

size_t
sgr_parse(const char *s, size_t len, struct sgr_attr *a)
{
	struct param pv[SGR_PARAMS];
	size_t i, n;

	if (len < 3 || s[0] != '\033' || s[1] != '[')
		return (0);
	for (i = 2; i < len && i < SGR_MAX; i++) {
		if (s[i] == 'm')
			break;
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == ';' ||
			s[i] == ':'))
			return (0);
	}
	if (i >= len || s[i] != 'm')
		return (0);
	n = split(s + 2, i - 2, pv);
	apply(pv, n, a);
	keep_visible(a);
	return (i + 1);
}

int
sgr_next(const char **p, const char *end, struct sgr_attr *a, const char **text,
    size_t *text_len)
{
	const char *s = *p, *esc;
	size_t n;

	/* Sequences before the run. */
	while (s < end && (n = sgr_parse(s, (size_t)(end - s), a)) > 0)
		s += n;
	if (s == end) {
		*p = s;
		return (0);
	}
	/* The run ends at the next ESC that starts an SGR sequence. */
	esc = s + 1;
	while ((esc = memchr(esc, '\033', (size_t)(end - esc))) != NULL) {
		struct sgr_attr probe = *a;

		if (sgr_parse(esc, (size_t)(end - esc), &probe) > 0)
			break;
		esc++;
	}
	if (esc == NULL)
		esc = end;
	*text = s;
	*text_len = (size_t)(esc - s);
	*p = esc;
	return (1);
}

static void
add_color(struct buf *b, int base, int bright, short c)
{
	if (c < 8)
		buf_printf(b, ";%d", base + c);
	else if (c < 16)
		buf_printf(b, ";%d", bright + c - 8);
	else
		buf_printf(b, ";%d;5;%d", base + 8, c);
}

void
sgr_add(struct buf *b, const struct sgr_attr *a)
{
	buf_adds(b, "\033[0");
	if (a->fg != SGR_DEFAULT)
		add_color(b, 30, 90, a->fg);
	if (a->bg != SGR_DEFAULT)
		add_color(b, 40, 100, a->bg);
	buf_addc(b, 'm');
}
