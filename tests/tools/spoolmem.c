/*
 * spoolmem: the memory the terminal UI's spool takes to hold a number of
 * lines, against the bytes of the lines themselves (benchmark 5).
 *
 *   spoolmem [LINES [GROUPS [HOSTS]]]
 *
 * Feeds the spool as the UI's sink does, one spool_add() per event, with
 * the default disk budget (every line kept): LINES (default 1000000) log
 * lines of 60 to 200 bytes from HOSTS hosts (default 64, one stream each)
 * over GROUPS groups (default 4), one event in 50 a traceback of several
 * lines; then walks every line back from the newest, as a search does.
 * Prints one line of NAME=VALUE pairs: the lines and bytes held (the sum
 * of the line lengths), the bytes on disk, the process's resident set
 * before and after (KiB, from /proc), the index's bytes and the growth of
 * the RSS a line, and the target: an index of at most 16 bytes a line and
 * an RSS growth of at most 16 bytes a line plus 20 MB, whatever the bytes
 * held.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"

#define MSG_MAX 4096

static uint64_t rng = 88172645463325252ULL;

/* xorshift64: the same lines on every run. */
static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static long
rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return (kib);
}

static const char *const words[] = {"loss", "throughput", "img/s", "rank",
    "epoch", "batch", "lr", "grad_norm", "allreduce", "nccl", "ok", "done",
    "tokens", "checkpoint", "/opt/ml/model", "s3://bucket/prefix", "=",
    "0.0031", "12873", "-", "warmup", "scheduler"};

/* One log line of 60 to 200 bytes into p, which has room for 256. */
static size_t
make_line(char *p, uint64_t i, unsigned host)
{
	size_t want = 60 + next() % 141, n, w;
	const char *word;

	n = (size_t)snprintf(p, 64,
	    "2024-06-01 12:%02u:%02u,%03u INFO [rank %u] step %" PRIu64 " ",
	    (unsigned)(i / 60000 % 60), (unsigned)(i / 1000 % 60),
	    (unsigned)(i % 1000), host, i);
	while (n < want) {
		word = words[next() % (sizeof words / sizeof *words)];
		w = strlen(word);
		memcpy(p + n, word, w);
		n += w;
		p[n++] = ' ';
	}
	return (want);
}

int
main(int argc, char **argv)
{
	static char msg[MSG_MAX];
	char host[32], stream[96], group[32];
	uint64_t lines = 1000000, held = 0, i = 0, bytes = 0;
	unsigned groups = 4, hosts = 64, h, k, nl;
	struct spool_options so = {NULL, 0, 0};
	struct spool_event ev;
	const struct spool_line *l;
	struct spool *sp;
	char *cause = NULL;
	uint64_t seq, walked = 0;
	long before, after;
	size_t len, n;

	if (argc > 1)
		lines = strtoull(argv[1], NULL, 10);
	if (argc > 2)
		groups = (unsigned)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		hosts = (unsigned)strtoul(argv[3], NULL, 10);
	if (lines == 0 || groups == 0 || hosts == 0) {
		fprintf(stderr, "usage: spoolmem [LINES [GROUPS [HOSTS]]]\n");
		return (2);
	}
	before = rss_kib();
	if ((sp = spool_new(&so, &cause)) == NULL) {
		fprintf(stderr, "spoolmem: %s\n", cause);
		return (1);
	}
	while (held < lines) {
		h = (unsigned)(next() % hosts);
		snprintf(host, sizeof host, "algo-%u", h + 1);
		snprintf(stream, sizeof stream, "soak-job/algo-%u-1717243531",
		    h + 1);
		snprintf(group, sizeof group, "group_%u", h % groups);
		/* One event in 50 is a traceback of 2 to 9 lines. */
		nl = next() % 50 == 0 ? 2 + (unsigned)(next() % 8) : 1;
		if (nl > lines - held)
			nl = (unsigned)(lines - held);
		len = 0;
		for (k = 0; k < nl; k++) {
			if (k > 0)
				msg[len++] = '\n';
			n = make_line(msg + len, i++, h);
			len += n;
			bytes += n;
		}
		memset(&ev, 0, sizeof ev);
		ev.group = group;
		ev.group_len = strlen(group);
		ev.host = host;
		ev.host_len = strlen(host);
		ev.stream = stream;
		ev.stream_len = strlen(stream);
		ev.ts = 1717243531000 + (int64_t)i;
		ev.msg = msg;
		ev.len = len;
		spool_add(sp, &ev);
		held += nl;
	}
	for (seq = UINT64_MAX; (l = spool_prev(sp, SPOOL_ALL, seq)) != NULL;
	     seq = l->seq)
		walked++;
	after = rss_kib();
	if (spool_dropped(sp) != 0 || spool_error(sp) != NULL ||
	    walked != held) {
		fprintf(stderr, "spoolmem: the spool lost lines (%s)\n",
		    spool_error(sp) != NULL ? spool_error(sp) : "dropped");
		return (1);
	}
	printf("lines=%" PRIu64 " held_bytes=%" PRIu64 " disk_bytes=%" PRIu64
	       " rss_before_kib=%ld rss_kib=%ld index_bytes=%zu"
	       " index_per_line=%.2f growth_per_line=%.2f target_met=%d\n",
	    held, bytes, spool_disk_bytes(sp), before, after,
	    spool_index_bytes(sp), (double)spool_index_bytes(sp) / (double)held,
	    (after - before) * 1024.0 / (double)held,
	    spool_index_bytes(sp) <= 16 * held + (1 << 20) &&
		(after - before) * 1024.0 <=
		    16.0 * (double)held + 20.0 * 1024 * 1024);
	spool_free(sp);
	return (0);
}
