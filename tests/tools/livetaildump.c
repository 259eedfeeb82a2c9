/*
 * livetaildump: follow one Live Tail through cwdemux's own session driver
 * (tests/integ/livetail.sh runs it against the fault proxy's emulator).
 *
 *   livetaildump GROUP PREFIX SECONDS [SESSIONS]
 *
 * Prints each event as "STREAM TIMESTAMP MESSAGE" on stdout, and on
 * stderr one line per happening: "state NAME[: WHY]", "gap", "sampled N".
 * Ends after SECONDS, at once when Live Tail is refused, or once the
 * SESSIONS-th session has delivered two updates. Settings come
 * from the environment and the AWS files, as for cwdemux.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "clock.h"
#include "livetail.h"
#include "xmalloc.h"

static const char *const state_names[] = {
    [LIVETAIL_OFF] = "OFF",
    [LIVETAIL_CONNECTING] = "CONNECTING",
    [LIVETAIL_LIVE] = "LIVE",
    [LIVETAIL_WAITING] = "WAITING",
    [LIVETAIL_REFUSED] = "REFUSED",
};

static uint64_t updates_this_session;

static void
on_update(void *arg, const struct cwlogs_page *p)
{
	size_t i;

	(void)arg;
	updates_this_session++;
	if (p->sampled)
		fprintf(stderr, "sampled %zu\n", p->n);
	for (i = 0; i < p->n; i++) {
		fwrite(cwlogs_str(p, p->v[i].stream), 1, p->v[i].stream_len,
		    stdout);
		printf(" %lld ", (long long)p->v[i].timestamp);
		fwrite(cwlogs_str(p, p->v[i].msg), 1, p->v[i].msg_len, stdout);
		putchar('\n');
	}
	fflush(stdout);
}

static void
on_gap(void *arg, int64_t since)
{
	(void)arg;
	(void)since;
	fprintf(stderr, "gap\n");
}

static void
on_state(void *arg, enum livetail_state st, const char *why)
{
	(void)arg;
	if (st == LIVETAIL_LIVE)
		updates_this_session = 0;
	fprintf(stderr, "state %s%s%s\n", state_names[st], why ? ": " : "",
	    why ? why : "");
}

int
main(int argc, char **argv)
{
	struct config_options co = {NULL, NULL, NULL};
	struct livetail_hooks hooks = {on_update, on_gap, on_state, NULL};
	struct config *config;
	struct creds_chain *creds;
	struct http *http;
	struct aws *aws;
	struct livetail *lt;
	char *cause = NULL;
	int64_t end, now, next, retry;
	uint64_t sessions = 0;
	int wait;

	if (argc != 4 && argc != 5) {
		fprintf(stderr,
		    "usage: livetaildump GROUP PREFIX SECONDS [SESSIONS]\n");
		return (2);
	}
	if ((config = config_load(&co, &cause)) == NULL) {
		fprintf(stderr, "livetaildump: %s\n", cause);
		return (1);
	}
	creds = creds_new(config);
	if ((http = http_new(config_ca_bundle(config), &cause)) == NULL ||
	    (aws = aws_new(config, creds, http, &cause)) == NULL) {
		fprintf(stderr, "livetaildump: %s\n", cause);
		return (1);
	}
	lt = livetail_new(aws, argv[1], argv[2], NULL, &hooks);
	livetail_start(lt);
	end = clock_mono_ms() + atoi(argv[3]) * 1000LL;
	if (argc == 5)
		sessions = strtoull(argv[4], NULL, 10);
	while ((now = clock_mono_ms()) < end &&
	    livetail_state(lt) != LIVETAIL_REFUSED &&
	    (sessions == 0 || livetail_stats(lt)->sessions < sessions ||
		updates_this_session < 2)) {
		aws_tick(aws, now);
		next = livetail_step(lt, now);
		retry = aws_next_deadline(aws);
		if (retry >= 0 && (next < 0 || retry < next))
			next = retry;
		if (next < 0 || next > end)
			next = end;
		wait = next > now ? (int)(next - now) : 0;
		if (http_wait(http, wait > 1000 ? 1000 : wait, NULL, 0,
			&cause) != 0 ||
		    http_process(http, &cause) != 0) {
			fprintf(stderr, "livetaildump: %s\n", cause);
			return (1);
		}
	}
	fprintf(stderr,
	    "stats sessions %llu updates %llu events %llu "
	    "breaks %llu\n",
	    (unsigned long long)livetail_stats(lt)->sessions,
	    (unsigned long long)livetail_stats(lt)->updates,
	    (unsigned long long)livetail_stats(lt)->events,
	    (unsigned long long)livetail_stats(lt)->breaks);
	livetail_free(lt);
	aws_free(aws);
	http_free(http);
	creds_free(creds);
	config_free(config);
	return (0);
}
