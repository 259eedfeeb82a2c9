/*
 * exitstatus: the program's exit statuses, documented in cwdemux(1) EXIT
 * STATUS. A header of its own, below every module, so that xmalloc (which
 * every module uses, and which exits on allocation failure) can name its
 * status without depending on the command line's module.
 */
#ifndef EXITSTATUS_H
#define EXITSTATUS_H

enum exit_status {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* reading or writing failed */
	EXIT_USAGE = 2, /* bad command line, rules, paths or AWS settings */
	EXIT_AWS = 3, /* AWS refused: credentials, permissions */
	EXIT_JOB_FAILED = 4, /* followed to the end: the job Failed */
	EXIT_JOB_STOPPED = 5, /* followed to the end: the job was Stopped */
	EXIT_NOMEM = 70, /* out of memory (see xmalloc) */
	EXIT_INTERRUPTED = 130, /* SIGINT or SIGTERM; outputs are complete */
};

#endif
