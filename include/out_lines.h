/*
 * out_lines: the greppable output, one line per log line,
 * "[TIME ]GROUP HOST MESSAGE" with single spaces. GROUP and HOST never hold
 * whitespace (see sanitize_field()), so grep '^train_group ' and awk work.
 * On a terminal, message text is neutralised and the prefix coloured.
 *
 * Ownership: out_lines_new() returns a state for out_lines_sink, which the
 * pipeline frees through the sink's free function.
 */
#ifndef OUT_LINES_H
#define OUT_LINES_H

#include "sink.h"

struct out_lines_options {
	int fd;
	int timestamps; /* ISO-8601 UTC time first */
	int color; /* colour the prefix by group */
	int sanitize; /* the reader is a terminal: neutralise controls */
};

extern const struct sink out_lines_sink;

void *out_lines_new(const struct out_lines_options *);

#endif
