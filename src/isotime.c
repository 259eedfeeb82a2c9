/*
 * ISO-8601 times. Conversions use the proleptic Gregorian calendar
 * arithmetic of Howard Hinnant's "days from civil", so they are exact for
 * any year 0000-9999 and need no libc time-zone state.
 */
#include <string.h>

#include "isotime.h"

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t)doe - 719468);
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int
is_digit(char c)
{
	return (c >= '0' && c <= '9');
}

/* Read exactly n decimal digits at s; -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (*s++ - '0');
	}
	return (v);
}

static unsigned
days_in_month(int y, unsigned m)
{
	static const unsigned char dm[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return (29);
	return (dm[m - 1]);
}

/* Parse the zone at s; stores its offset in minutes and its length. */
static int
parse_zone(const char *s, size_t len, int *offset, size_t *used)
{
	int hh, mm = 0;
	size_t n = 3;

	*offset = 0;
	*used = 0;
	if (len == 0)
		return (0);
	if (*s == 'Z') {
		*used = 1;
		return (0);
	}
	if (*s != '+' && *s != '-')
		return (0);
	if (len < 3 || (hh = digits(s + 1, 2)) < 0 || hh > 23)
		return (-1);
	if (len >= 6 && s[3] == ':') {
		if ((mm = digits(s + 4, 2)) < 0)
			return (-1);
		n = 6;
	} else if (len >= 5 && s[3] >= '0' && s[3] <= '9') {
		if ((mm = digits(s + 3, 2)) < 0)
			return (-1);
		n = 5;
	}
	if (mm > 59)
		return (-1);
	*offset = (hh * 60 + mm) * (*s == '-' ? -1 : 1);
	*used = n;
	return (0);
}

/*
 * The date and time of day at s, "YYYY-MM-DDTHH:MM:SS" (len >= 19), as
 * seconds since the epoch: 0, or -1 when it is none.
 */
static int
parse_seconds(const char *s, int64_t *secs)
{
	int y, mo, d, h, mi, sec;

	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return (-1);
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 ||
	    (unsigned)d > days_in_month(y, (unsigned)mo) || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return (-1);
	*secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec;
	return (0);
}

/* The rest of a time after its seconds (s[19] on): fraction and zone. */
static int
parse_rest(const char *s, size_t len, int64_t secs, int64_t *ms, size_t *used)
{
	int frac = 0, scale = 100, offset;
	size_t i = 19, zlen;

	/* What logs nearly always hold, ".mmmZ", without the general loop. */
	if (len >= 24 && s[19] == '.' && s[23] == 'Z' && is_digit(s[20]) &&
	    is_digit(s[21]) && is_digit(s[22])) {
		*ms = secs * 1000 + (s[20] - '0') * 100 + (s[21] - '0') * 10 +
		    (s[22] - '0');
		*used = 24;
		return (0);
	}
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		if (++i == len || s[i] < '0' || s[i] > '9')
			return (-1);
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (parse_zone(s + i, len - i, &offset, &zlen) != 0)
		return (-1);
	i += zlen;
	*ms = (secs - (int64_t)offset * 60) * 1000 + frac;
	*used = i;
	return (0);
}

int
isotime_parse(const char *s, size_t len, int64_t *ms, size_t *used)
{
	int64_t secs;

	if (len < 19 || parse_seconds(s, &secs) != 0)
		return (-1);
	return (parse_rest(s, len, secs, ms, used));
}

/* Whether the 19 bytes at a and b are the same: three 8-byte words. */
static int
same_second(const char *a, const char *b)
{
	uint64_t a0, a1, a2, b0, b1, b2;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&a2, a + 11, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	memcpy(&b2, b + 11, 8);
	return (((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0);
}

int
isotime_parse_memo(struct isotime_memo *m, const char *s, size_t len,
    int64_t *ms, size_t *used)
{
	if (len < 19)
		return (-1);
	if (!m->valid || !same_second(s, m->text)) {
		if (parse_seconds(s, &m->secs) != 0)
			return (-1);
		memcpy(m->text, s, sizeof m->text);
		m->valid = 1;
	}
	return (parse_rest(s, len, m->secs, ms, used));
}

static void
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void
isotime_format(int64_t ms, char buf[ISOTIME_LEN + 1])
{
	int64_t days, secs;
	int y, msec;
	unsigned mo, d, sod;

	/* Outside years 0000-9999 (and far from overflow): a fixed text. */
	if (ms < -62167219200000LL || ms > 253402300799999LL) {
		memcpy(buf, "0000-00-00T00:00:00.000Z", ISOTIME_LEN + 1);
		return;
	}
	secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	msec = (int)(ms - secs * 1000);
	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	sod = (unsigned)(secs - days * 86400);
	civil_from_days(days, &y, &mo, &d);
	if (y < 0 || y > 9999) {
		memcpy(buf, "0000-00-00T00:00:00.000Z", ISOTIME_LEN + 1);
		return;
	}
	put2(buf, (unsigned)y / 100);
	put2(buf + 2, (unsigned)y % 100);
	buf[4] = '-';
	put2(buf + 5, mo);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, sod / 3600);
	buf[13] = ':';
	put2(buf + 14, sod / 60 % 60);
	buf[16] = ':';
	put2(buf + 17, sod % 60);
	buf[19] = '.';
	buf[20] = (char)('0' + msec / 100);
	put2(buf + 21, (unsigned)msec % 100);
	buf[23] = 'Z';
	buf[24] = '\0';
}
