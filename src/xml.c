/*
 * Leaf elements of XML answers, found by their tags. Attributes on the
 * opening tag are not expected (AWS sends none on the elements read).
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "xml.h"

char *
xml_text(const char *s, size_t len, const char *tag)
{
	static const char *const ents[][2] = {{"&amp;", "&"}, {"&lt;", "<"},
	    {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
	struct buf b = BUF_INIT;
	char open[64], close_[64];
	const char *end = s + len, *p, *q;
	size_t i;

	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close_, sizeof close_, "</%s>", tag);
	if ((p = memmem(s, (size_t)(end - s), open, strlen(open))) == NULL)
		return (NULL);
	p += strlen(open);
	if ((q = memmem(p, (size_t)(end - p), close_, strlen(close_))) == NULL)
		return (NULL);
	while (p < q) {
		for (i = 0; i < sizeof ents / sizeof ents[0]; i++) {
			if ((size_t)(q - p) >= strlen(ents[i][0]) &&
			    strncmp(p, ents[i][0], strlen(ents[i][0])) == 0)
				break;
		}
		if (i < sizeof ents / sizeof ents[0]) {
			buf_adds(&b, ents[i][1]);
			p += strlen(ents[i][0]);
		} else
			buf_addc(&b, *p++);
	}
	return (buf_steal(&b));
}
