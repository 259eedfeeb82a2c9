/*
 * Fuzz the export file-name encoding. The input is two group names split
 * at the first 0xff 0x00 pair (or one name). Each name must be a single
 * path component that fits NAME_MAX, is not "." or "..", is no dot file,
 * and ends in ".log"; two different names must not give the same file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "export.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_name(const struct buf *b)
{
	if (b->len == 0 || b->len > 255 || memchr(b->data, '/', b->len) ||
	    memchr(b->data, '\0', b->len))
		abort();
	if (strcmp(b->data, ".") == 0 || strcmp(b->data, "..") == 0 ||
	    b->data[0] == '.')
		abort();
	if (b->len < 4 || strcmp(b->data + b->len - 4, ".log") != 0)
		abort();
	if (strcmp(b->data, "manifest.json") == 0 ||
	    strcmp(b->data, "manifest.json.tmp") == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data, *bp = NULL;
	struct buf ea = BUF_INIT, eb = BUF_INIT;
	size_t alen = size, blen = 0, i;

	for (i = 0; i + 1 < size; i++)
		if (data[i] == 0xff && data[i + 1] == 0x00) {
			alen = i;
			bp = a + i + 2;
			blen = size - i - 2;
			break;
		}
	export_file_name(&ea, a, alen);
	check_name(&ea);
	if (bp != NULL) {
		export_file_name(&eb, bp, blen);
		check_name(&eb);
		if ((alen != blen || memcmp(a, bp, alen) != 0) &&
		    strcmp(ea.data, eb.data) == 0)
			abort();
	}
	buf_free(&ea);
	buf_free(&eb);
	return (0);
}
