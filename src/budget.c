/*
 * The request budget: even spacing rather than a token bucket, so calls
 * never come in bursts that a shared account quota would throttle.
 */
#include "budget.h"
#include "log.h"

#define RATE_FLOOR 1.0 /* calls a second, at least */
#define CUT_EVERY_MS 5000 /* the rate is halved at most this often */
#define CALM_MS 10000 /* no throttling this long: raise the rate */

void
budget_init(struct budget *b, double rate, int64_t now)
{
	b->max = rate;
	b->rate = rate;
	b->next = 0;
	b->throttled_seen = 0;
	b->calm_since = now;
	b->cut_at = 0;
}

int
budget_take(struct budget *b, int64_t now, int64_t *deadline)
{
	if (now < b->next) {
		if (*deadline < 0 || b->next < *deadline)
			*deadline = b->next;
		return (0);
	}
	b->next = now + (int64_t)(1000.0 / b->rate);
	return (1);
}

void
budget_adapt(struct budget *b, uint64_t throttled, int64_t now)
{
	if (throttled != b->throttled_seen) {
		b->throttled_seen = throttled;
		if (now - b->cut_at < CUT_EVERY_MS)
			return;
		b->cut_at = now;
		b->rate /= 2;
		if (b->rate < RATE_FLOOR)
			b->rate = RATE_FLOOR < b->max ? RATE_FLOOR : b->max;
		b->calm_since = now;
		log_debug("throttled: %.2f calls a second", b->rate);
	} else if (b->rate < b->max && now - b->calm_since >= CALM_MS) {
		b->rate *= 1.25;
		if (b->rate > b->max)
			b->rate = b->max;
		b->calm_since = now;
	}
}
