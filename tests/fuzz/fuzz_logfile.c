/*
 * Fuzz the offline reader. The input is read as a file twice: as it is
 * (input.c takes gzip or plain bytes alike, so this also feeds broken gzip
 * headers and streams) and gzip-compressed, with a read buffer as small
 * as 16 bytes so lines span reads. Both readings of plain input must give
 * the same events. An event said to lie in the file (at, for the UI's
 * spool to index it in place) must be the plain file's bytes there, and no
 * event of the compressed file may say so. The files live in memory
 * (memfd), reached by path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "logfile.h"
#include "source_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Read every event of a file into out as "TS\tLEN\tMSG"; -1 on error.
 * data: the file's bytes when plain, NULL when compressed. */
static int
read_all(const char *path, size_t bufsize, struct buf *out, const uint8_t *data,
    size_t size)
{
	char *paths[1] = {(char *)(uintptr_t)path}, *failed;
	struct logfile_event ev;
	struct input_pool *pool;
	struct logfile *lf;
	int rc;

	pool = input_pool_new(4, NULL, NULL);
	lf = logfile_open("fuzz", paths, 1, bufsize, pool, LOGFILE_AUTO);
	while ((rc = logfile_next(lf, &ev)) == 1) {
		if (ev.at >= 0 &&
		    (data == NULL || (uint64_t)ev.at > size ||
			ev.len > size - (uint64_t)ev.at ||
			memcmp(data + ev.at, ev.msg, ev.len) != 0))
			abort();
		buf_printf(out, "%lld\t%zu\t", (long long)ev.ts, ev.len);
		buf_add(out, ev.msg, ev.len);
		if (ev.stream != NULL)
			buf_add(out, ev.stream, ev.stream_len);
		if (ev.id != NULL)
			buf_add(out, ev.id, ev.id_len);
	}
	failed = logfile_failed(lf);
	logfile_close(lf);
	input_pool_free(pool);
	if (failed != NULL) {
		free(failed);
		return (-1);
	}
	return (rc);
}

static int
mem_file(char *path, size_t size)
{
	int fd;

	if ((fd = memfd_create("fuzz", 0)) < 0)
		abort();
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return (fd);
}

static void
write_all(int fd, const void *p, size_t n)
{
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf plain = BUF_INIT, packed = BUF_INIT;
	char path[64], gzpath[64], *name;
	size_t bufsize = 16;
	int fd, gzfd, rc1, rc2;
	gzFile gz;

	if (size > 0)
		bufsize += data[0] * 16;
	fd = mem_file(path, sizeof path);
	write_all(fd, data, size);
	rc1 = read_all(path, bufsize, &plain, data, size);

	/* The same bytes compressed read back the same, if they were plain. */
	gzfd = mem_file(gzpath, sizeof gzpath);
	if ((gz = gzdopen(dup(gzfd), "wb")) == NULL)
		abort();
	if (size > 0 && gzwrite(gz, data, (unsigned)size) != (int)size)
		abort();
	gzclose(gz);
	rc2 = read_all(gzpath, bufsize, &packed, NULL, 0);
	if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
		/* mtimes differ between the two files: compare lengths and
		 * messages of events only when lines carry their own times. */
		if (rc1 != rc2 || (rc1 == 0 && plain.len != packed.len))
			abort();
	}
	close(fd);
	close(gzfd);
	buf_free(&plain);
	buf_free(&packed);

	/* The input as a path below --from. */
	name = malloc(size + 1);
	if (name == NULL)
		abort();
	memcpy(name, data, size);
	name[size] = '\0';
	free(source_files_stream_name(name));
	free(name);
	return (0);
}
