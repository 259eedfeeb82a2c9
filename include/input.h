/*
 * input: the bytes of one file on disk, or of standard input ("-"), plain
 * or gzip (one member or several, told by the magic bytes, not the name).
 * Thousands of inputs can be read side by side within the process's
 * descriptor limit: a pool lends descriptors, and an input left idle gives
 * its descriptor back (it reopens the file and seeks to where it was when
 * read again; a gzip input keeps its inflate state meanwhile).
 *
 * Ownership: the pool outlives its inputs; input_new() copies the path.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stddef.h>
#include <sys/types.h>

struct input_pool;
struct input;

/*
 * A pool of at most max_open descriptors (0: as many as the limit on open
 * files allows, raised to its hard limit, less a reserve for outputs).
 * stop() is asked when a blocking open or read is interrupted by a signal:
 * non-zero ends the read with INPUT_STOPPED.
 */
struct input_pool *
input_pool_new(size_t max_open, int (*stop)(void *), void *arg);
void input_pool_free(struct input_pool *);
/* Descriptors the pool lends at most. */
size_t input_pool_max(const struct input_pool *);

struct input *input_new(struct input_pool *, const char *path);
void input_free(struct input *);
const char *input_path(const struct input *);

/* What input_read() returns besides a count of bytes (0 is the end). */
#define INPUT_ERROR (-1) /* cause says why, naming the file once */
#define INPUT_STOPPED (-2) /* a signal arrived, stop() said to stop */

/* Read up to size decompressed bytes into buf. */
ssize_t input_read(struct input *, char *buf, size_t size, char **cause);

/* The file's modification time in ms (0 for standard input). */
long long input_mtime_ms(struct input *);
/* Known once read from: the bytes read are the file's own, at the same
 * offsets (a plain regular file; not gzip, standard input or a FIFO). */
int input_in_place(const struct input *);

#endif
