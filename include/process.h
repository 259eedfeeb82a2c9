/*
 * process: run a command with /bin/sh -c and collect what it prints, as a
 * credential_process is run. The child gets /dev/null for stdin and a
 * process group of its own; after PROCESS_TIMEOUT_MS the whole group is
 * killed. Its stdout is bounded (PROCESS_OUT_MAX); of its stderr only the
 * start is kept, for messages.
 *
 * This waits (in poll and waitpid) while the command runs, at most
 * PROCESS_TIMEOUT_MS: creds.h says why the credential chain may block.
 *
 * Ownership: out and err are the caller's buffers.
 */
#ifndef PROCESS_H
#define PROCESS_H

#include <stddef.h>

#include "buf.h"

#define PROCESS_TIMEOUT_MS 60000
#define PROCESS_OUT_MAX (64 * 1024)
#define PROCESS_ERR_MAX 4096

/*
 * Run cmd, capturing stdout into out and the start of stderr into err;
 * *status is waitpid()'s. -1 when it could not run to its end: *why says
 * how ("did not finish within 60 s") or, when it could not start, cause.
 */
int process_run(const char *cmd, struct buf *out, struct buf *err, int *status,
    const char **why, char **cause);

#endif
