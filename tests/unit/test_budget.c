/*
 * The request budget (budget.h) in the cases botocore's oracle does not
 * cover: the Regions' quotas, a full bucket at the start, the ceiling, and
 * the time the next call may go. The adaptive rate itself is compared with
 * botocore by tests/integ/rate.sh.
 */
#include <stdio.h>

#include "budget.h"
#include "unit.h"

static const struct {
	const char *operation, *region;
	double want;
} quota_cases[] = {
    {"FilterLogEvents", "us-east-1", 25},
    {"FilterLogEvents", "us-west-2", 10},
    {"FilterLogEvents", "eu-central-1", 5},
    {"FilterLogEvents", "il-central-1", 5},
    {"FilterLogEvents", NULL, 10},
    {"GetLogEvents", "us-east-1", 25},
    {"GetLogEvents", "us-west-2", 10},
    {"GetLogEvents", "eu-west-1", 10},
    {"GetLogEvents", "eu-west-3", 30},
    {"DescribeLogStreams", "us-east-1", 0},
};

static void
test_quotas(void)
{
	size_t i;
	double got;

	for (i = 0; i < sizeof quota_cases / sizeof quota_cases[0]; i++) {
		got = budget_quota(
		    quota_cases[i].operation, quota_cases[i].region);
		UNIT_CHECK(got == quota_cases[i].want, "%s in %s: %g, want %g",
		    quota_cases[i].operation,
		    quota_cases[i].region != NULL ? quota_cases[i].region : "-",
		    got, quota_cases[i].want);
	}
}

static void
test_take(void)
{
	struct budget b;
	int64_t deadline = -1;
	int i, n = 0;

	budget_init(&b, 5, 1, 1000);
	for (i = 0; i < 10; i++)
		n += budget_take(&b, 1000, &deadline);
	UNIT_CHECK(n == 5, "a full bucket at the start: %d calls, want 5", n);
	UNIT_CHECK(deadline == 1200, "next call at %lld, want 1200",
	    (long long)deadline);
	deadline = -1;
	UNIT_CHECK(budget_take(&b, 1200, &deadline) == 1, "one call at 1200");
	/* A minute of calls as fast as allowed stays at the ceiling. */
	n = 0;
	for (i = 1201; i <= 61200; i++) {
		deadline = -1;
		if (budget_take(&b, i, &deadline)) {
			n++;
			budget_answer(&b, 0, i + 20);
		}
	}
	UNIT_CHECK(n >= 299 && n <= 301, "%d calls in 60 s at 5/s", n);
	UNIT_CHECK(
	    b.rate == 5, "rate %g after successes, want the ceiling 5", b.rate);
	budget_answer(&b, 1, 61300);
	UNIT_CHECK(b.rate < 5 && b.rate >= 0.5, "a throttle cuts: %g", b.rate);
	UNIT_CHECK(b.throttles == 1, "throttles counted");
}

int
main(void)
{
	test_quotas();
	test_take();
	return (unit_done("budget"));
}
