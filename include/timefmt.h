/*
 * timefmt: the time zone every printed time is shown in (--timezone). The
 * default is UTC, written as isotime.h does ("2024-06-01T12:05:31.318Z");
 * in another zone a time carries its offset ("2024-06-01T14:05:31.318+02:00"),
 * so it stays exact and sortable within one zone. Records (JSON Lines,
 * export files, the manifest) always carry UTC, whatever the zone.
 *
 * The zone is the process's: a named zone is set through TZ, the one time
 * zone the C library knows, once, before any time is printed.
 */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* The longest formatted time, without the terminating NUL. */
#define TIMEFMT_MAX 29

/*
 * Choose the zone: "utc" (or "UTC", "Z"), "local" (the system's, or TZ's),
 * a fixed offset "+HH:MM" / "-HH:MM" / "+HH", or a zone of the tz database
 * such as "Europe/Paris". -1 with cause naming spec when it is none.
 */
int timefmt_set(const char *spec, char **cause);

/* Nonzero when times are shown in UTC (the default). */
int timefmt_is_utc(void);

/* Write ms in the chosen zone and a NUL into buf; returns the length. */
size_t timefmt_format(int64_t ms, char buf[TIMEFMT_MAX + 1]);

#endif
