/*
 * Times in the chosen zone. UTC goes through isotime_format(), a pure
 * function; a fixed offset is UTC shifted; "local" and named zones ask
 * localtime_r(), which also gives the offset in force at that moment
 * (summer time included). A named zone is checked against the tz database
 * first, since the C library quietly takes an unknown TZ for UTC.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "isotime.h"
#include "timefmt.h"
#include "xmalloc.h"

enum zone_kind {
	ZONE_UTC,
	ZONE_OFFSET, /* a fixed offset */
	ZONE_LIBC, /* local or named: localtime_r() */
};

static enum zone_kind kind = ZONE_UTC;
static int offset_s; /* ZONE_OFFSET: seconds east of UTC */

/* "+HH", "+HHMM" or "+HH:MM" (or '-'), at most 14 hours; -1 if not. */
static int
parse_offset(const char *s, int *out)
{
	int h, m = 0, sign;
	size_t len = strlen(s);

	if ((s[0] != '+' && s[0] != '-') || len < 3)
		return (-1);
	sign = s[0] == '-' ? -1 : 1;
	if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return (-1);
	h = (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	if (*s == ':')
		s++;
	if (*s != '\0') {
		if (strlen(s) != 2 || s[0] < '0' || s[0] > '5' || s[1] < '0' ||
		    s[1] > '9')
			return (-1);
		m = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (h > 14 || (h == 14 && m > 0))
		return (-1);
	*out = sign * (h * 3600 + m * 60);
	return (0);
}

/* A zone name of the tz database, present on this system. */
static int
zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR"), *p;
	struct stat st;
	char *path;
	int ok;

	if (*name == '\0' || *name == '/' || *name == '.' || strlen(name) > 255)
		return (0);
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
			*p == '-' || *p == '+') ||
		    (*p == '/' && p[1] == '.'))
			return (0);
	xasprintf(&path, "%s/%s",
	    dir != NULL && *dir != '\0' ? dir : "/usr/share/zoneinfo", name);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return (ok);
}

int
timefmt_set(const char *spec, char **cause)
{
	if (strcmp(spec, "utc") == 0 || strcmp(spec, "UTC") == 0 ||
	    strcmp(spec, "Z") == 0) {
		kind = ZONE_UTC;
		return (0);
	}
	if (parse_offset(spec, &offset_s) == 0) {
		kind = offset_s == 0 ? ZONE_UTC : ZONE_OFFSET;
		return (0);
	}
	if (strcmp(spec, "local") == 0) {
		kind = ZONE_LIBC;
		tzset();
		return (0);
	}
	if (!zone_exists(spec)) {
		xasprintf(cause,
		    "--timezone %s: expected utc, local, an offset such as "
		    "+02:00, or a zone of the tz database such as "
		    "Europe/Paris",
		    spec);
		return (-1);
	}
	if (setenv("TZ", spec, 1) != 0) {
		xasprintf(cause, "--timezone %s: cannot set TZ", spec);
		return (-1);
	}
	tzset();
	kind = ZONE_LIBC;
	return (0);
}

int
timefmt_is_utc(void)
{
	return (kind == ZONE_UTC);
}

/* "YYYY-MM-DDThh:mm:ss.mmm" of the UTC time ms + off seconds, and off. */
static size_t
with_offset(int64_t ms, int off, char buf[TIMEFMT_MAX + 1])
{
	char utc[ISOTIME_LEN + 1];
	int a = off < 0 ? -off : off, h = a / 3600 % 100, m = a / 60 % 60;
	char *z = buf + ISOTIME_LEN - 1;

	isotime_format(ms + (int64_t)off * 1000, utc);
	/* isotime_format() ends with 'Z': the offset replaces it. */
	memcpy(buf, utc, ISOTIME_LEN - 1);
	z[0] = off < 0 ? '-' : '+';
	z[1] = (char)('0' + h / 10);
	z[2] = (char)('0' + h % 10);
	z[3] = ':';
	z[4] = (char)('0' + m / 10);
	z[5] = (char)('0' + m % 10);
	z[6] = '\0';
	return (TIMEFMT_MAX);
}

size_t
timefmt_format(int64_t ms, char buf[TIMEFMT_MAX + 1])
{
	struct tm tm;
	time_t t;
	int64_t sec;

	switch (kind) {
	case ZONE_UTC:
		break;
	case ZONE_OFFSET:
		return (with_offset(ms, offset_s, buf));
	case ZONE_LIBC:
		sec = ms >= 0 ? ms / 1000 : -((999 - ms) / 1000);
		t = (time_t)sec;
		if (localtime_r(&t, &tm) == NULL)
			break;
		return (with_offset(ms, (int)tm.tm_gmtoff, buf));
	}
	isotime_format(ms, buf);
	return (ISOTIME_LEN);
}
