/*
 * fields: the columns of lines output (--fields), in the order asked for.
 * "group,host,message" is the default; --timestamps puts "time" first.
 *
 * Ownership: struct fields is a plain value.
 */
#ifndef FIELDS_H
#define FIELDS_H

#include <stddef.h>

enum field {
	FIELD_TIME, /* the event's time, in the --timezone */
	FIELD_GROUP,
	FIELD_HOST,
	FIELD_STREAM,
	FIELD_RANK, /* the MPI rank, or "-" */
	FIELD_MESSAGE,
	FIELD_COUNT,
};

struct fields {
	enum field v[FIELD_COUNT];
	size_t n;
};

/*
 * Parse a comma-separated list of field names, each at most once, such as
 * "time,host,message"; -1 with cause naming the bad name.
 */
int fields_parse(const char *list, struct fields *, char **cause);
/* group,host,message, with time first when timestamps is set. */
void fields_default(struct fields *, int timestamps);
/* Put field first (--timestamps with --fields: time first). */
void fields_prepend(struct fields *, enum field);
/* Nonzero when f shows field. */
int fields_has(const struct fields *, enum field);
/* The name of a field, as --fields spells it. */
const char *fields_name(enum field);

#endif
