/*
 * The request budget: botocore's adaptive client-side rate, computed the
 * way botocore computes it (the same formulas, in the same order, so the
 * oracle test can ask for equality), bounded by a ceiling, and damped
 * against random throttling. Times are milliseconds; the cubic curve and
 * the rate clock work in seconds, as botocore's do.
 */
#include <math.h>
#include <string.h>

#include "budget.h"
#include "log.h"

#define MIN_RATE 0.5 /* bucket.py _MIN_RATE */
#define CUBIC_SCALE 0.4 /* throttling.py _SCALE_CONSTANT */
#define CUBIC_BETA 0.7 /* throttling.py _BETA */
#define MAX_RATE_ADJUST 2.0 /* adaptive.py _MAX_RATE_ADJUST_SCALE */
#define CLOCK_SMOOTHING 0.8 /* adaptive.py RateClocker */
#define CLOCK_BUCKET 0.5 /* seconds */
#define DAMP_S 1.0 /* damped: throttles this close are one burst */
#define DAMP_FLOOR 0.9 /* damped: the most that went, cut by at most 10% */

static double
zero_point(const struct budget *b)
{
	return (cbrt(b->w_max * (1 - CUBIC_BETA) / CUBIC_SCALE));
}

void
budget_init(struct budget *b, double ceiling, int damped, int64_t now)
{
	double t = (double)now / 1000.0;

	memset(b, 0, sizeof *b);
	b->ceiling = ceiling;
	b->damped = damped;
	b->rate = ceiling;
	/* Start fast: a full bucket at the ceiling. */
	b->fill = ceiling;
	b->capacity = ceiling >= 1 ? ceiling : 1;
	b->tokens = b->capacity;
	b->filled_at = now;
	b->w_max = 0;
	b->k = zero_point(b);
	b->last_fail = t;
	b->last_bucket = floor(t);
}

static void
refill(struct budget *b, int64_t now)
{
	if (now <= b->filled_at)
		return;
	b->tokens += (double)(now - b->filled_at) / 1000.0 * b->rate;
	if (b->tokens > b->capacity)
		b->tokens = b->capacity;
	b->filled_at = now;
}

int
budget_take(struct budget *b, int64_t now, int64_t *deadline)
{
	int64_t at;

	refill(b, now);
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return (1);
	}
	at = now + (int64_t)ceil((1 - b->tokens) / b->rate * 1000.0);
	if (*deadline < 0 || at < *deadline)
		*deadline = at;
	return (0);
}

/* RateClocker.record(): the send rate, smoothed over half seconds. */
static double
clock_record(struct budget *b, double t)
{
	double bucket = floor(t * (1 / CLOCK_BUCKET)) / (1 / CLOCK_BUCKET);

	b->count++;
	if (bucket > b->last_bucket) {
		b->measured = (double)b->count / (bucket - b->last_bucket) *
			CLOCK_SMOOTHING +
		    b->measured * (1 - CLOCK_SMOOTHING);
		b->count = 0;
		b->last_bucket = bucket;
	}
	return (b->measured);
}

/* The rate the bucket fills at: the adaptive rate, within the ceiling. */
static void
set_rate(struct budget *b, int64_t now)
{
	double r = b->ceiling;

	refill(b, now);
	if (b->adaptive && b->fill < r)
		r = b->fill;
	b->rate = r;
	b->capacity = r >= 1 ? r : 1;
	if (b->tokens > b->capacity)
		b->tokens = b->capacity;
}

/*
 * A throttle: CUBIC's cut to 0.7 of the rate measured (or of the bucket's,
 * when lower). Damped, a throttle within DAMP_S of the last cut is part of
 * the same burst and cuts nothing more, and the rate remembered as the
 * most that went through falls by at most DAMP_FLOOR a cut: throttles that
 * come at random, whatever the rate, then do not ratchet the rate down.
 */
static double
cut(struct budget *b, double t, double measured)
{
	double use;

	if (b->damped && b->adaptive && t - b->last_fail < DAMP_S)
		return (b->fill);
	use = !b->adaptive ? measured : measured < b->fill ? measured : b->fill;
	if (b->damped && b->adaptive && use < DAMP_FLOOR * b->w_max)
		use = DAMP_FLOOR * b->w_max;
	b->w_max = use;
	b->k = zero_point(b);
	b->last_fail = t;
	b->adaptive = 1;
	return (use * CUBIC_BETA);
}

void
budget_answer(struct budget *b, int throttled, int64_t now)
{
	double t = (double)now / 1000.0, measured, new_rate;

	measured = clock_record(b, t);
	if (!throttled)
		new_rate =
		    CUBIC_SCALE * pow(t - b->last_fail - b->k, 3) + b->w_max;
	else {
		new_rate = cut(b, t, measured);
		b->throttles++;
	}
	if (new_rate > MAX_RATE_ADJUST * measured)
		new_rate = MAX_RATE_ADJUST * measured;
	b->fill = new_rate > MIN_RATE ? new_rate : MIN_RATE;
	set_rate(b, now);
	if (throttled)
		log_debug("throttled: %.2f calls a second (measured %.2f)",
		    b->rate, measured);
}

/* CloudWatch Logs quotas (calls a second, per account and Region), from
 * AWS's quota table; not adjustable. */
static const struct {
	const char *operation;
	double rate; /* most Regions */
	const char *const *slower; /* Regions with a lower quota */
	double slow_rate;
	const char *faster; /* one Region with a higher quota */
	double fast_rate;
} quotas[] = {
    {
	.operation = "FilterLogEvents",
	.rate = 10,
	.slower = (const char *const[]){"ap-northeast-3", "ap-southeast-3",
	    "ca-west-1", "eu-central-1", "il-central-1", NULL},
	.slow_rate = 5,
	.faster = "us-east-1",
	.fast_rate = 25,
    },
    {
	.operation = "GetLogEvents",
	.rate = 25,
	.slower = (const char *const[]){"us-west-2", "ap-northeast-3",
	    "ap-southeast-3", "ca-west-1", "eu-central-1", "eu-west-1",
	    "il-central-1", NULL},
	.slow_rate = 10,
	.faster = "eu-west-3",
	.fast_rate = 30,
    },
};

double
budget_quota(const char *operation, const char *region)
{
	size_t i, j;

	for (i = 0; i < sizeof quotas / sizeof quotas[0]; i++) {
		if (strcmp(quotas[i].operation, operation) != 0)
			continue;
		if (region != NULL && strcmp(region, quotas[i].faster) == 0)
			return (quotas[i].fast_rate);
		for (j = 0; region != NULL && quotas[i].slower[j] != NULL; j++)
			if (strcmp(region, quotas[i].slower[j]) == 0)
				return (quotas[i].slow_rate);
		return (quotas[i].rate);
	}
	return (0);
}
