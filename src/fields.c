/*
 * The --fields list. Names are matched exactly; a field given twice is an
 * error rather than a second column, since it is most likely a typo.
 */
#include <string.h>

#include "fields.h"
#include "xmalloc.h"

static const char *const names[FIELD_COUNT] = {
    [FIELD_TIME] = "time",
    [FIELD_GROUP] = "group",
    [FIELD_HOST] = "host",
    [FIELD_STREAM] = "stream",
    [FIELD_RANK] = "rank",
    [FIELD_MESSAGE] = "message",
};

const char *
fields_name(enum field f)
{
	return (names[f]);
}

int
fields_has(const struct fields *fs, enum field f)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->v[i] == f)
			return (1);
	return (0);
}

static int
lookup(const char *s, size_t len, enum field *f)
{
	int i;

	for (i = 0; i < FIELD_COUNT; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
			*f = (enum field)i;
			return (0);
		}
	return (-1);
}

int
fields_parse(const char *list, struct fields *fs, char **cause)
{
	const char *p = list, *comma;
	size_t len;
	enum field f;

	fs->n = 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (lookup(p, len, &f) != 0) {
			xasprintf(cause,
			    "--fields %s: unknown field \"%.*s\" (expected "
			    "time, group, host, stream, rank or message)",
			    list, (int)len, p);
			return (-1);
		}
		if (fields_has(fs, f)) {
			xasprintf(cause, "--fields %s: %s is given twice", list,
			    names[f]);
			return (-1);
		}
		fs->v[fs->n++] = f;
		if (comma == NULL)
			return (0);
		p = comma + 1;
	}
}

void
fields_default(struct fields *fs, int timestamps)
{
	fs->n = 0;
	if (timestamps)
		fs->v[fs->n++] = FIELD_TIME;
	fs->v[fs->n++] = FIELD_GROUP;
	fs->v[fs->n++] = FIELD_HOST;
	fs->v[fs->n++] = FIELD_MESSAGE;
}

void
fields_prepend(struct fields *fs, enum field f)
{
	if (fields_has(fs, f) || fs->n == FIELD_COUNT)
		return;
	memmove(fs->v + 1, fs->v, fs->n * sizeof *fs->v);
	fs->v[0] = f;
	fs->n++;
}
