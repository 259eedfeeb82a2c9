/*
 * budget: the request rate of one CloudWatch API, after botocore's
 * `adaptive` retry mode (botocore/retries/adaptive.py, bucket.py,
 * throttling.py): a token bucket whose fill rate follows CUBIC. It starts
 * at the ceiling (the Region's published quota, or --filter-rate /
 * --get-rate) and keeps it until the service throttles. A throttle cuts
 * the rate to 0.7 of the rate measured then, which leaves room at once for
 * whoever else shares the account's quota; calls that succeed grow it
 * again along the cubic curve, slowly near the rate that was throttled,
 * faster past it. Never above the ceiling, never below half a call a
 * second.
 *
 * Damped (cwdemux's setting), two things differ from botocore, so that
 * throttles that come at random (some of every rate, when others share
 * the quota) do not ratchet the rate down: throttles within a second of a
 * cut are one burst and cut once, and the rate remembered as the most that
 * went through falls by at most 10% a cut. Undamped and without a ceiling,
 * the rate after every answer is botocore's (tests/tools/ratetrace.c and
 * rateoracle.py check it against botocore itself).
 *
 * Ownership: a plain value; nothing to free.
 */
#ifndef BUDGET_H
#define BUDGET_H

#include <stdint.h>

struct budget {
	double ceiling; /* calls a second, never above */
	int damped; /* see above */
	double rate; /* the rate now: min(ceiling, the adaptive rate) */
	int adaptive; /* throttled once: the cubic rate applies */
	/* The token bucket (bucket.py). */
	double fill; /* its fill rate, as botocore's max_rate */
	double tokens, capacity;
	int64_t filled_at; /* ms */
	/* CUBIC (throttling.py). */
	double w_max, k, last_fail; /* rate, s, s since the epoch */
	/* The measured send rate (adaptive.py's RateClocker). */
	double measured, last_bucket; /* calls a second; s */
	uint64_t count;
	uint64_t throttles; /* answers that were throttling */
};

void budget_init(struct budget *, double ceiling, int damped, int64_t now);
/*
 * Take one call if one may go at now (1); else 0, with *deadline lowered
 * to the moment one may.
 */
int budget_take(struct budget *, int64_t now, int64_t *deadline);
/* One answer came (every attempt, retries too): throttled or not. */
void budget_answer(struct budget *, int throttled, int64_t now);

/*
 * The published default quota (calls a second) of a CloudWatch Logs API
 * in a Region ("FilterLogEvents", "GetLogEvents"); 0 for others.
 */
double budget_quota(const char *operation, const char *region);

#endif
