/*
 * Fuzz the DescribeLogStreams parser: a listing parses to named streams
 * (and maybe a token) or fails with a message; never a crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cwlogs.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cwlogs_stream *v;
	char *next, *cause = NULL;
	size_t n, i;

	if (cwlogs_parse_streams(
		(const char *)data, size, &v, &n, &next, &cause) != 0) {
		if (cause == NULL || v != NULL || n != 0 || next != NULL)
			abort();
		free(cause);
		return (0);
	}
	for (i = 0; i < n; i++)
		if (v[i].name == NULL)
			abort();
	if (next != NULL && next[0] == '\0')
		abort(); /* an empty token is no token */
	cwlogs_streams_free(v, n);
	free(next);
	return (0);
}
