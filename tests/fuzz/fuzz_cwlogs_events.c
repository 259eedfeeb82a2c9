/*
 * Fuzz the streaming parser of GetLogEvents and FilterLogEvents pages. A
 * page that parses must describe only bytes of its own text; one that
 * does not must leave the page empty (nothing of a bad page is handed on).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cwlogs.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_range(const struct cwlogs_page *p, size_t off, size_t len)
{
	if (len == 0)
		return;
	if (off > p->text.len || len > p->text.len - off)
		abort();
	/* Every string is NUL-terminated in the text. */
	if (off + len >= p->text.len || p->text.data[off + len] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cwlogs_page page; /* reused, as the source does */
	char *cause = NULL;
	size_t i;

	if (cwlogs_parse_events((const char *)data, size, &page, &cause) != 0) {
		if (cause == NULL || page.n != 0 || page.next != NULL)
			abort();
		free(cause);
		return (0);
	}
	for (i = 0; i < page.n; i++) {
		check_range(&page, page.v[i].msg, page.v[i].msg_len);
		check_range(&page, page.v[i].stream, page.v[i].stream_len);
		check_range(&page, page.v[i].id, page.v[i].id_len);
	}
	if (page.next != NULL)
		(void)strlen(page.next);
	return (0);
}
