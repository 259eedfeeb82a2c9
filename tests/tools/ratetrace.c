/*
 * ratetrace: drive one request budget (budget.h) through a trace and print
 * its rates, for tests/tools/rateoracle.py to compare with botocore's
 * adaptive mode fed the same trace.
 *
 * usage: ratetrace CEILING DAMPED START_MS < trace
 * Trace lines: "answer MS 0|1" (an answer at MS, 1: throttled) prints
 * "FILL RATE MEASURED"; "take MS" prints "1" when a call may go at MS,
 * else "0 DEADLINE_MS".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"

int
main(int argc, char **argv)
{
	struct budget b;
	char line[256], word[16];
	long long ms;
	int64_t deadline;
	int throttled;

	if (argc != 4) {
		fprintf(stderr, "usage: ratetrace CEILING DAMPED START_MS\n");
		return (2);
	}
	budget_init(&b, strtod(argv[1], NULL), atoi(argv[2]),
	    strtoll(argv[3], NULL, 10));
	while (fgets(line, sizeof line, stdin) != NULL) {
		throttled = 0;
		if (sscanf(line, "%15s %lld %d", word, &ms, &throttled) < 2) {
			fprintf(stderr, "ratetrace: bad line: %s", line);
			return (2);
		}
		if (strcmp(word, "answer") == 0) {
			budget_answer(&b, throttled, ms);
			printf(
			    "%.17g %.17g %.17g\n", b.fill, b.rate, b.measured);
		} else if (strcmp(word, "take") == 0) {
			deadline = -1;
			if (budget_take(&b, ms, &deadline))
				printf("1\n");
			else
				printf("0 %lld\n", (long long)deadline);
		} else {
			fprintf(stderr, "ratetrace: bad line: %s", line);
			return (2);
		}
		/* A driver may wait for each answer. */
		fflush(stdout);
	}
	return (ferror(stdout) || fflush(stdout) != 0 ? 1 : 0);
}
