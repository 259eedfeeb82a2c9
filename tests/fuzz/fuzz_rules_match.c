/*
 * Fuzz rule matching over hostile log text: the shipped rules, run by the
 * classifier exactly as the pipeline runs them (stream rules on a stream
 * name, marker rules on each line, hostmap rules and the JSON map parser
 * on the whole event). The input is "STREAM\nEVENT\0EVENT\0...".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rules *rules;

static void
on_assigned(void *arg, struct host *h)
{
	size_t len;

	(void)arg;
	/* A host placed from the logs must have a group name to show. */
	if (classify_group_name(classify_host_group(h), &len) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl, *z;
	struct classify *c;
	struct host *self;
	char *cause = NULL;
	uint64_t line = 1;

	if (rules == NULL) {
		rules = rules_new();
		if (rules_load_default(rules, &cause) != 0)
			abort();
	}
	c = classify_new(rules, on_assigned, NULL);
	nl = memchr(p, '\n', size);
	if (nl == NULL)
		nl = end;
	self = classify_stream(c, p, (size_t)(nl - p));
	p = nl < end ? nl + 1 : end;
	while (p < end) {
		z = memchr(p, '\0', (size_t)(end - p));
		if (z == NULL)
			z = end;
		line +=
		    classify_event(c, self, "fuzz", line, p, (size_t)(z - p));
		p = z < end ? z + 1 : end;
	}
	classify_check_assignments(c);
	classify_free(c);
	return (0);
}
