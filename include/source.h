/*
 * source: what a reader of events (the CloudWatch reader, its FilterLogEvents
 * engine, and any later source of pushed events) tells the loop after a
 * step. A header of its own so that readers and the loop share the answer
 * without including one another.
 */
#ifndef SOURCE_H
#define SOURCE_H

enum source_status {
	SOURCE_MORE, /* call again when *deadline passes or I/O happens */
	SOURCE_DONE,
	SOURCE_CLOSED, /* every output went away */
	SOURCE_ERROR, /* AWS failed; cause is set */
	SOURCE_OUTPUT_ERROR, /* an output failed; cause is set */
};

#endif
