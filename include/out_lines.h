/*
 * out_lines: the greppable output, one line per log line, its fields in
 * the order --fields asks (by default "GROUP HOST MESSAGE", with single
 * spaces). GROUP, HOST, STREAM and RANK never hold whitespace (see
 * sanitize_field()), so grep '^train_group ' and awk work.
 *
 * Messages are shaped for reading unless raw: collector escapes decoded
 * (escapes.h), the state a line of progress-bar states shows last, and a
 * bar's updates held back until it moves on (progress.h), so a bar shows
 * its latest state; with the rank in its own column, the MPI tag is taken
 * off the message. On a terminal the text is neutralised; with colour,
 * groups and hosts are coloured (palette.h) and the log's own SGR colours
 * shown (sgr.h).
 *
 * Ownership: out_lines_new() returns a state for out_lines_sink, which the
 * pipeline frees through the sink's free function.
 */
#ifndef OUT_LINES_H
#define OUT_LINES_H

#include "fields.h"
#include "sink.h"

struct out_lines_options {
	int fd;
	struct fields fields;
	int color; /* colour groups, hosts and the log's own colours */
	int colors; /* with color: what the terminal shows, 256 or 8 */
	int sanitize; /* the reader is a terminal: neutralise controls */
	int raw; /* messages as CloudWatch holds them, nothing shaped */
	int raw_progress; /* every state of a progress bar */
};

extern const struct sink out_lines_sink;

void *out_lines_new(const struct out_lines_options *);

#endif
