/*
 * Fuzz the rule-file parser: any bytes as a rule file must load or fail
 * with a message naming a line, never crash or leak. Matching what loaded
 * against a few fixed lines runs the compiled patterns under the limits.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
on_hit(void *arg, const struct rules_hit *hit)
{
	size_t *n = arg;

	/* Touch every byte handed out, so ASan sees a bad range. */
	if (hit->group != NULL && hit->group_len > 0)
		*n += (unsigned char)hit->group[hit->group_len - 1];
	if (hit->host != NULL && hit->host_len > 0)
		*n += (unsigned char)hit->host[hit->host_len - 1];
	if (hit->map != NULL && hit->map_len > 0)
		*n += (unsigned char)hit->map[hit->map_len - 1];
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const lines[] = {
	    "SM_CURRENT_INSTANCE_GROUP=train_group",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
	    "\"current_instance_group\": \"g\\u00e9\\ud83d\\ude00\"",
	    "\xff\xfe\xc0\xaf\xed\xa0\x80 invalid",
	    "",
	};
	struct rules *rs;
	char *cause = NULL;
	size_t i, n = 0;

	rs = rules_new();
	if (rules_load(rs, "fuzz", (const char *)data, size, &cause) != 0) {
		if (cause == NULL || strstr(cause, "fuzz line ") != cause)
			abort(); /* every error names its line */
		free(cause);
	} else {
		for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
			rules_match_line(
			    rs, lines[i], strlen(lines[i]), on_hit, &n);
			rules_match_event(
			    rs, lines[i], strlen(lines[i]), on_hit, &n);
			rules_match_stream(
			    rs, lines[i], strlen(lines[i]), on_hit, &n);
		}
	}
	rules_free(rs);
	return (0);
}
