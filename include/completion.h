/*
 * completion: the shell completion scripts (--completion bash|zsh), made
 * from the option table of cli.c, so they always offer every option; they
 * complete option values (formats, statuses, fields, files) and job names,
 * which they ask of "cwdemux --list". make install writes them where bash
 * and zsh look.
 *
 * Ownership: completion_script() appends to the caller's buffer.
 */
#ifndef COMPLETION_H
#define COMPLETION_H

#include "buf.h"

/* The script for shell, "bash" or "zsh"; -1 for another shell. */
int completion_script(const char *shell, struct buf *);

#endif
