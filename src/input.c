/*
 * Reading one file's bytes, within a shared budget of descriptors. The
 * pool keeps its open inputs in a list, most recently read first; opening
 * one more past the budget closes the least recently read (its offset is
 * kept, and it is reopened and sought when read again). Standard input and
 * FIFOs cannot be reopened, so they keep their descriptor.
 *
 * Gzip is inflated with zlib's stream API rather than gzread(): gzread()
 * takes a file cut short for one still being written (Z_BUF_ERROR at the
 * end is not an error to it), and it needs its descriptor for as long as
 * the file is read. Here a truncated member, corrupt data and trailing
 * garbage are errors naming the file; members follow each other as in
 * gzip(1), and zero bytes after the last are ignored as gzip does.
 *
 * A gzip file of moderate size (an export part) is instead read whole and
 * inflated at once by libdeflate, which is two to three times as fast as
 * zlib (measured on export parts: README, dependencies): its descriptor is
 * closed at once and its bytes are handed out from memory. The pool caps
 * the bytes so held; past the cap, and for large files, zlib streams. When
 * libdeflate finds the data bad, zlib reads it again from the start, so a
 * damaged file gives what it holds before the damage and zlib's reason.
 *
 * Blocking calls (open() of a FIFO, read() of a pipe) run with the
 * signals' SA_RESTART off (see loop.h): an interrupted call asks stop().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include "input.h"
#include "xmalloc.h"

/* Descriptors kept back from the pool for outputs, export files, curl. */
#define INPUT_RESERVE 32
/* Compressed bytes read at once. */
#define INPUT_GZ_BUF (32 * 1024)
/* A gzip file is inflated whole when it is at most this large... */
#define INPUT_WHOLE_MAX (16 * 1024 * 1024)
/* ...and its text fits in what all inputs may hold so. */
#define INPUT_WHOLE_BUDGET ((size_t)256 * 1024 * 1024)

struct input_pool {
	size_t max; /* descriptors lent at most */
	size_t open; /* lent now */
	size_t whole; /* bytes of files inflated whole, held now */
	struct libdeflate_decompressor *ld;
	struct input *head, *tail; /* open inputs, most recently read first */
	int (*stop)(void *);
	void *stop_arg;
};

struct input {
	struct input_pool *pool;
	char *path;
	int fd; /* -1 while closed */
	int pinned; /* standard input or a FIFO: never closed early */
	int opened; /* opened once at least */
	int eof; /* the file gave its last byte */
	off_t off; /* bytes taken from the file */
	dev_t dev; /* the file first opened, to notice a replaced one */
	ino_t ino;
	long long mtime;
	struct input *prev, *next; /* in the pool's list while open */

	int kind; /* KIND_UNKNOWN until the first bytes are seen */
	z_stream z;
	int zinit;
	int member_done; /* a gzip member ended; more bytes start another */
	unsigned char *zbuf; /* compressed bytes */

	char *text; /* KIND_WHOLE: the file inflated */
	size_t text_len, text_pos;
};

enum { KIND_UNKNOWN, KIND_PLAIN, KIND_GZIP, KIND_WHOLE };

struct input_pool *
input_pool_new(size_t max_open, int (*stop)(void *), void *arg)
{
	struct input_pool *pool;
	struct rlimit rl;

	pool = xcalloc(1, sizeof *pool);
	pool->stop = stop;
	pool->stop_arg = arg;
	if (max_open == 0) {
		max_open = 64;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			if (rl.rlim_cur < rl.rlim_max) {
				rl.rlim_cur = rl.rlim_max;
				(void)setrlimit(RLIMIT_NOFILE, &rl);
				(void)getrlimit(RLIMIT_NOFILE, &rl);
			}
			if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536)
				rl.rlim_cur = 65536;
			/* A quarter, at least INPUT_RESERVE, stays for the
			 * rest of the program. */
			if (rl.rlim_cur / 4 > INPUT_RESERVE)
				max_open = rl.rlim_cur - rl.rlim_cur / 4;
			else if (rl.rlim_cur > INPUT_RESERVE + 8)
				max_open = rl.rlim_cur - INPUT_RESERVE;
			else
				max_open = 4;
		}
	}
	pool->max = max_open;
	return (pool);
}

void
input_pool_free(struct input_pool *pool)
{
	if (pool != NULL && pool->ld != NULL)
		libdeflate_free_decompressor(pool->ld);
	free(pool);
}

size_t
input_pool_max(const struct input_pool *pool)
{
	return (pool->max);
}

struct input *
input_new(struct input_pool *pool, const char *path)
{
	struct input *in;

	in = xcalloc(1, sizeof *in);
	in->pool = pool;
	in->path = xstrdup(path);
	in->fd = -1;
	return (in);
}

static void
unlink_open(struct input *in)
{
	struct input_pool *pool = in->pool;

	if (in->prev != NULL)
		in->prev->next = in->next;
	else
		pool->head = in->next;
	if (in->next != NULL)
		in->next->prev = in->prev;
	else
		pool->tail = in->prev;
	in->prev = in->next = NULL;
}

static void
link_open(struct input *in)
{
	struct input_pool *pool = in->pool;

	in->next = pool->head;
	in->prev = NULL;
	if (pool->head != NULL)
		pool->head->prev = in;
	pool->head = in;
	if (pool->tail == NULL)
		pool->tail = in;
}

static void
close_fd(struct input *in)
{
	if (in->fd < 0)
		return;
	unlink_open(in);
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
	in->pool->open--;
}

/* Take back a descriptor from the input read least recently; 0 or -1. */
static int
evict(struct input_pool *pool)
{
	struct input *in;

	for (in = pool->tail; in != NULL; in = in->prev) {
		if (!in->pinned) {
			close_fd(in);
			return (0);
		}
	}
	return (-1);
}

void
input_free(struct input *in)
{
	if (in == NULL)
		return;
	close_fd(in);
	if (in->zinit)
		inflateEnd(&in->z);
	free(in->zbuf);
	if (in->text != NULL)
		in->pool->whole -= in->text_len;
	free(in->text);
	free(in->path);
	free(in);
}

const char *
input_path(const struct input *in)
{
	return (in->path);
}

/* An interrupted call: go on (0) or stop (-1). */
static int
interrupted(struct input *in)
{
	return (in->pool->stop != NULL && in->pool->stop(in->pool->stop_arg)
		? -1
		: 0);
}

/* Open (or reopen, and seek) the file: 0, INPUT_ERROR or INPUT_STOPPED. */
static int
open_fd(struct input *in, char **cause)
{
	struct input_pool *pool = in->pool;
	struct stat sb;
	int fd;

	while (pool->open >= pool->max && evict(pool) == 0)
		;
	if (strcmp(in->path, "-") == 0 && !in->opened)
		fd = STDIN_FILENO;
	else {
		while ((fd = open(in->path, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == EINTR) {
				if (interrupted(in) != 0)
					return (INPUT_STOPPED);
			} else if ((errno == EMFILE || errno == ENFILE) &&
			    evict(pool) == 0)
				continue;
			else {
				xasprintf(
				    cause, "%s: %s", in->path, strerror(errno));
				return (INPUT_ERROR);
			}
		}
	}
	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, "%s: %s", in->path, strerror(errno));
		goto fail;
	}
	if (!in->opened) {
		in->opened = 1;
		in->dev = sb.st_dev;
		in->ino = sb.st_ino;
		in->pinned = fd == STDIN_FILENO || !S_ISREG(sb.st_mode);
		in->mtime = fd == STDIN_FILENO
		    ? 0
		    : (long long)sb.st_mtim.tv_sec * 1000 +
			sb.st_mtim.tv_nsec / 1000000;
	} else if (sb.st_dev != in->dev || sb.st_ino != in->ino ||
	    lseek(fd, in->off, SEEK_SET) != in->off) {
		xasprintf(cause, "%s: the file was replaced while it was read",
		    in->path);
		goto fail;
	}
	in->fd = fd;
	pool->open++;
	link_open(in);
	return (0);

fail:
	if (fd != STDIN_FILENO)
		close(fd);
	return (INPUT_ERROR);
}

/* Bytes as they are in the file. */
static ssize_t
read_raw(struct input *in, void *buf, size_t size, char **cause)
{
	ssize_t n;
	int rc;

	if (in->eof)
		return (0);
	if (in->fd < 0 && (rc = open_fd(in, cause)) != 0)
		return (rc);
	if (in->pool->head != in) {
		unlink_open(in);
		link_open(in);
	}
	if (size > SSIZE_MAX)
		size = SSIZE_MAX;
	while ((n = read(in->fd, buf, size)) < 0) {
		if (errno != EINTR) {
			xasprintf(cause, "%s: %s", in->path, strerror(errno));
			return (INPUT_ERROR);
		}
		if (interrupted(in) != 0)
			return (INPUT_STOPPED);
	}
	in->off += n;
	if (n == 0) {
		/* The descriptor is not needed any more. */
		in->eof = 1;
		close_fd(in);
	}
	return (n);
}

/*
 * At least want compressed bytes at z.next_in, unless the file ends first:
 * 0, or INPUT_ERROR or INPUT_STOPPED.
 */
static int
gz_need(struct input *in, size_t want, char **cause)
{
	ssize_t n;

	while (in->z.avail_in < want && !in->eof) {
		if (in->z.avail_in > 0 && in->z.next_in != in->zbuf)
			memmove(in->zbuf, in->z.next_in, in->z.avail_in);
		in->z.next_in = in->zbuf;
		n = read_raw(in, in->zbuf + in->z.avail_in,
		    INPUT_GZ_BUF - in->z.avail_in, cause);
		if (n < 0)
			return ((int)n);
		in->z.avail_in += (uInt)n;
	}
	return (0);
}

/* After a member: another one, zero padding, or garbage. */
static int
gz_next_member(struct input *in, char **cause)
{
	int rc;

	for (;;) {
		if ((rc = gz_need(in, 2, cause)) != 0)
			return (rc);
		while (in->z.avail_in > 0 && *in->z.next_in == 0) {
			in->z.next_in++;
			in->z.avail_in--;
		}
		if (in->z.avail_in == 0) {
			if (in->eof)
				return (0);
			continue;
		}
		if (in->z.avail_in < 2 && !in->eof)
			continue;
		if (in->z.avail_in >= 2 && in->z.next_in[0] == 0x1f &&
		    in->z.next_in[1] == 0x8b) {
			inflateReset(&in->z);
			in->member_done = 0;
			return (0);
		}
		xasprintf(cause, "%s: garbage after the gzip data", in->path);
		return (INPUT_ERROR);
	}
}

static ssize_t
gz_read(struct input *in, char *buf, size_t size, char **cause)
{
	size_t got;
	int rc, zrc;

	if (size > UINT_MAX)
		size = UINT_MAX;
	in->z.next_out = (unsigned char *)buf;
	in->z.avail_out = (uInt)size;
	for (;;) {
		got = size - in->z.avail_out;
		if (in->member_done) {
			if (got > 0)
				return ((ssize_t)got);
			if ((rc = gz_next_member(in, cause)) != 0)
				return (rc);
			if (in->member_done)
				return (0);
		}
		if (in->z.avail_in == 0) {
			if (got > 0)
				return ((ssize_t)got);
			if ((rc = gz_need(in, 1, cause)) != 0)
				return (rc);
			if (in->z.avail_in == 0) {
				xasprintf(cause,
				    "%s: unexpected end of file (the gzip "
				    "data is cut short)",
				    in->path);
				return (INPUT_ERROR);
			}
		}
		zrc = inflate(&in->z, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END)
			in->member_done = 1;
		else if (zrc == Z_MEM_ERROR)
			xalloc_failed("inflate");
		else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			xasprintf(cause, "%s: corrupt gzip data (%s)", in->path,
			    in->z.msg != NULL ? in->z.msg : "inflate failed");
			return (INPUT_ERROR);
		}
		if (in->z.avail_out == 0)
			return ((ssize_t)size);
	}
}

/* The next bytes of a file inflated whole. */
static ssize_t
whole_read(struct input *in, char *buf, size_t size)
{
	size_t n = in->text_len - in->text_pos;

	if (n == 0)
		return (0);
	if (n > size)
		n = size;
	memcpy(buf, in->text + in->text_pos, n);
	in->text_pos += n;
	if (in->text_pos == in->text_len && in->text != NULL) {
		/* Done with it: give the memory back now. */
		in->pool->whole -= in->text_len;
		free(in->text);
		in->text = NULL;
		in->text_len = in->text_pos = 0;
	}
	return ((ssize_t)n);
}

/* Start zlib on n compressed bytes at zbuf (the rest is in the file). */
static void
gz_start(struct input *in, size_t n)
{
	memset(&in->z, 0, sizeof in->z);
	in->z.next_in = in->zbuf;
	in->z.avail_in = (uInt)n;
	if (inflateInit2(&in->z, 15 + 16) != Z_OK)
		xalloc_failed("inflateInit2");
	in->zinit = 1;
	in->kind = KIND_GZIP;
}

/*
 * Inflate the gzip members in data[0..len-1] with libdeflate into
 * in->text: 0, or -1 when the data is bad (or too large to hold).
 */
static int
inflate_whole(struct input *in, const unsigned char *data, size_t len)
{
	struct input_pool *pool = in->pool;
	enum libdeflate_result rc;
	size_t cap, used = 0, in_used, out_len;
	uint32_t isize;

	if (pool->ld == NULL &&
	    (pool->ld = libdeflate_alloc_decompressor()) == NULL)
		xalloc_failed("libdeflate_alloc_decompressor");
	/* The last member's size is the file's last 4 bytes (mod 2^32).
	 * The file says so, so it is only a hint: deflate expands 1032
	 * times at most, and the budget bounds it too (a 200-byte file
	 * claiming 4 GB must not get 4 GB). */
	isize = (uint32_t)data[len - 4] | (uint32_t)data[len - 3] << 8 |
	    (uint32_t)data[len - 2] << 16 | (uint32_t)data[len - 1] << 24;
	cap = (size_t)isize + 1;
	if (cap > len * 1032 + 1)
		cap = len * 1032 + 1;
	if (cap > INPUT_WHOLE_BUDGET / 2)
		cap = INPUT_WHOLE_BUDGET / 2;
	in->text = xmalloc(cap);
	while (used < len) {
		/* Zero bytes after the last member are padding (gzip). */
		if (data[used] == 0) {
			while (used < len && data[used] == 0)
				used++;
			if (used == len)
				break;
			goto bad;
		}
		rc = libdeflate_gzip_decompress_ex(pool->ld, data + used,
		    len - used, in->text + in->text_len, cap - in->text_len,
		    &in_used, &out_len);
		if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
			if (cap > INPUT_WHOLE_BUDGET / 2)
				goto bad;
			cap *= 2;
			in->text = xreallocarray(in->text, cap, 1);
			continue;
		}
		if (rc != LIBDEFLATE_SUCCESS)
			goto bad;
		used += in_used;
		in->text_len += out_len;
	}
	pool->whole += in->text_len;
	return (0);

bad:
	free(in->text);
	in->text = NULL;
	in->text_len = 0;
	return (-1);
}

/*
 * A gzip file small enough, and room in the pool's budget: read it whole
 * (got bytes of it are in first) and inflate it with libdeflate. 1 when
 * done, 0 to stream it with zlib instead (zbuf then holds what was read),
 * or INPUT_ERROR or INPUT_STOPPED.
 */
static int
try_whole(struct input *in, const char *first, size_t got, char **cause)
{
	struct stat sb;
	unsigned char *data;
	size_t len, want;
	ssize_t n;

	if (in->fd < 0 || fstat(in->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size < 18 || (size_t)sb.st_size > INPUT_WHOLE_MAX ||
	    in->pool->whole + (size_t)sb.st_size * 4 > INPUT_WHOLE_BUDGET)
		return (0);
	want = (size_t)sb.st_size;
	data = xmalloc(want);
	memcpy(data, first, got);
	len = got;
	while (len < want) {
		if ((n = read_raw(in, data + len, want - len, cause)) < 0) {
			free(data);
			return ((int)n);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (inflate_whole(in, data, len) == 0) {
		free(data);
		close_fd(in);
		in->eof = 1;
		in->kind = KIND_WHOLE;
		return (1);
	}
	/* zlib goes over the same bytes, and says what is wrong. */
	in->zbuf = data;
	while (!in->eof) {
		char rest[4096];

		if ((n = read_raw(in, rest, sizeof rest, cause)) < 0)
			return ((int)n);
		if (n > 0) {
			data = xreallocarray(in->zbuf, len + (size_t)n, 1);
			memcpy(data + len, rest, (size_t)n);
			in->zbuf = data;
			len += (size_t)n;
		}
	}
	gz_start(in, len);
	return (0);
}

/* The first bytes tell gzip from plain; they go to buf or to zbuf. */
static ssize_t
first_read(struct input *in, char *buf, size_t size, char **cause)
{
	size_t got = 0;
	ssize_t n;
	int rc;

	/* What is read now must fit zbuf, should it be gzip. */
	if (size > INPUT_GZ_BUF)
		size = INPUT_GZ_BUF;
	while (got < 2 && got < size) {
		if ((n = read_raw(in, buf + got, size - got, cause)) < 0)
			return (n);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got < 2 || (unsigned char)buf[0] != 0x1f ||
	    (unsigned char)buf[1] != 0x8b) {
		in->kind = KIND_PLAIN;
		return ((ssize_t)got);
	}
	if ((rc = try_whole(in, buf, got, cause)) < 0)
		return (rc);
	if (rc == 1)
		return (whole_read(in, buf, size));
	if (in->zbuf == NULL) {
		in->zbuf = xmalloc(INPUT_GZ_BUF);
		memcpy(in->zbuf, buf, got);
		gz_start(in, got);
	}
	return (gz_read(in, buf, size, cause));
}

ssize_t
input_read(struct input *in, char *buf, size_t size, char **cause)
{
	switch (in->kind) {
	case KIND_UNKNOWN:
		return (first_read(in, buf, size, cause));
	case KIND_PLAIN:
		return (read_raw(in, buf, size, cause));
	case KIND_WHOLE:
		return (whole_read(in, buf, size));
	default:
		return (gz_read(in, buf, size, cause));
	}
}

long long
input_mtime_ms(struct input *in)
{
	return (in->mtime);
}

int
input_in_place(const struct input *in)
{
	return (in->opened && !in->pinned && in->kind == KIND_PLAIN);
}
