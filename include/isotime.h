/*
 * isotime: ISO-8601 UTC times with milliseconds, as log files and outputs
 * carry them ("2024-06-01T12:05:31.318Z"). Pure functions, no locale, no
 * time zone database.
 */
#ifndef ISOTIME_H
#define ISOTIME_H

#include <stddef.h>
#include <stdint.h>

/* Length of a formatted time, without the terminating NUL. */
#define ISOTIME_LEN 24

/*
 * Parse a time at the start of s (len bytes): YYYY-MM-DDTHH:MM:SS, an
 * optional fraction after '.' or ',', and an optional zone (Z, +HH, +HHMM,
 * +HH:MM); no zone means UTC. Stores milliseconds since the epoch and the
 * number of bytes used. Returns 0, or -1 when s does not start with a time.
 */
int isotime_parse(const char *s, size_t len, int64_t *ms, size_t *used);

/*
 * The same, for a run of times that mostly share their second (the lines
 * of one log): the date and time of day last read are kept, so a time in
 * the same second costs a comparison instead of a calendar computation.
 * A zeroed memo is empty.
 */
struct isotime_memo {
	char text[19]; /* "YYYY-MM-DDTHH:MM:SS" read last */
	int64_t secs; /* its value, seconds since the epoch */
	int valid;
};
int isotime_parse_memo(struct isotime_memo *, const char *s, size_t len,
    int64_t *ms, size_t *used);

/* Write ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" and a NUL into buf. */
void isotime_format(int64_t ms, char buf[ISOTIME_LEN + 1]);

#endif
