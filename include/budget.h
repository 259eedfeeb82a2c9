/*
 * budget: a request rate for one CloudWatch API, spread evenly (one call
 * every 1/rate seconds, no bursts) and adapted to throttling: halved when
 * the service throttles (at most once per burst of throttling), raised
 * again by a quarter after each calm period, never above the configured
 * rate nor below one call a second.
 *
 * Ownership: a plain value; nothing to free.
 */
#ifndef BUDGET_H
#define BUDGET_H

#include <stdint.h>

struct budget {
	double max; /* the configured rate, calls a second */
	double rate; /* the rate now */
	int64_t next; /* monotonic ms the next call may go */
	uint64_t throttled_seen;
	int64_t calm_since;
	int64_t cut_at;
};

void budget_init(struct budget *, double rate, int64_t now);
/*
 * Take one call if one may go at now (1); else 0, with *deadline lowered
 * to the moment one may.
 */
int budget_take(struct budget *, int64_t now, int64_t *deadline);
/* Follow the service's throttling; throttled is a running count. */
void budget_adapt(struct budget *, uint64_t throttled, int64_t now);

#endif
