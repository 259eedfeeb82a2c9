/*
 * --since and --until as users type them (cli_parse_when): durations back
 * from now, dates, times with or without seconds, a space or a T, zones.
 */
#include <stdio.h>

#include "cli.h"
#include "unit.h"

#define NOW 1780000000000LL /* 2026-05-28T20:26:40Z */

static const struct {
	const char *in;
	long long want; /* -1: refused */
} cases[] = {
    {"90s", NOW - 90000},
    {"10m", NOW - 600000},
    {"2h", NOW - 7200000},
    {"3d", NOW - 3LL * 86400000},
    {"1w", NOW - 7LL * 86400000},
    {"2026-06-01", 1780272000000LL},
    {"2026-06-01 12:00", 1780315200000LL},
    {"2026-06-01T12:00", 1780315200000LL},
    {"2026-06-01 12:00:05", 1780315205000LL},
    {"2026-06-01T12:00:05.250Z", 1780315205250LL},
    {"2026-06-01 12:00+02:00", 1780308000000LL},
    {"2026-06-01 12:00:00-0130", 1780320600000LL},
    {"2026-06-01T12:00Z", 1780315200000LL},
    {"2026-13-01", -1},
    {"2026-06-01 25:00", -1},
    {"2026-06-01 12", -1},
    {"2026-06-01x", -1},
    {"1y", -1},
    {"", -1},
    {"-5m", -1},
    {"10m ago", -1},
};

int
main(void)
{
	int64_t ms;
	size_t i;
	int rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ms = -1;
		rc = cli_parse_when(cases[i].in, NOW, &ms);
		if (cases[i].want < 0)
			UNIT_CHECK(rc == -1, "\"%s\" accepted as %lld",
			    cases[i].in, (long long)ms);
		else
			UNIT_CHECK(rc == 0 && ms == cases[i].want,
			    "\"%s\": %d, %lld, want %lld", cases[i].in, rc,
			    (long long)ms, cases[i].want);
	}
	return (unit_done("when"));
}
