/*
 * failshim: an LD_PRELOAD library that makes chosen file operations fail,
 * so tests can prove that a full or broken disk is an error that names the
 * file, not silent loss. Nothing happens unless FAILSHIM_OPS is set.
 *
 *   FAILSHIM_OPS    which calls fail: a comma list of open (open and
 *                   openat), read, write, fsync (and fdatasync), rename
 *                   (and renameat), or "all".
 *   FAILSHIM_PATH   only calls on a path containing this substring (the
 *                   descriptor's path, for read, write and fsync; openat and
 *                   renameat paths are made absolute with their directory
 *                   descriptor). Unset: every path.
 *   FAILSHIM_FD     only calls on this descriptor (read, write, fsync), e.g. 1
 *                   for standard output. Overrides FAILSHIM_PATH for them.
 *   FAILSHIM_AFTER  let this many matching calls succeed first (default 0).
 *   FAILSHIM_TIMES  fail only this many calls, then succeed again (a disk
 *                   that had a moment of trouble); default: fail for good.
 *   FAILSHIM_ERRNO  ENOSPC (default), EIO, EDQUOT, EPIPE or EACCES (an
 *                   unreadable file).
 *   FAILSHIM_SHORT  write at most this many bytes a call to matching
 *                   descriptors (partial writes) instead of failing;
 *                   FAILSHIM_AFTER then counts short writes before the
 *                   failure, and FAILSHIM_OPS must include write.
 *   FAILSHIM_SIGNAL KILL, INT or TERM: the chosen write does not fail but
 *                   is interrupted by that signal, once: with KILL after
 *                   half its bytes (a torn tail, as a crash leaves), else
 *                   after all of them (the handler runs, the program goes
 *                   on and sees the signal as from a user).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The shim's exported functions replace libc's; declare them to please
 * -Wmissing-prototypes. */
int open(const char *, int, ...);
int open64(const char *, int, ...);
int openat(int, const char *, int, ...);
int openat64(int, const char *, int, ...);
ssize_t read(int, void *, size_t);
ssize_t write(int, const void *, size_t);
int fsync(int);
int fdatasync(int);
int rename(const char *, const char *);
int renameat(int, const char *, int, const char *);

static long calls; /* matching calls seen */

static int
op_selected(const char *op)
{
	const char *ops = getenv("FAILSHIM_OPS"), *p;
	size_t n = strlen(op);

	if (ops == NULL)
		return (0);
	if (strcmp(ops, "all") == 0)
		return (1);
	for (p = ops; (p = strstr(p, op)) != NULL; p += n)
		if ((p == ops || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return (1);
	return (0);
}

static int
fail_errno(void)
{
	const char *e = getenv("FAILSHIM_ERRNO");

	if (e == NULL || strcmp(e, "ENOSPC") == 0)
		return (ENOSPC);
	if (strcmp(e, "EIO") == 0)
		return (EIO);
	if (strcmp(e, "EDQUOT") == 0)
		return (EDQUOT);
	if (strcmp(e, "EPIPE") == 0)
		return (EPIPE);
	if (strcmp(e, "EACCES") == 0)
		return (EACCES);
	return (ENOSPC);
}

/* The path of dirfd joined with path (path as is when absolute). */
static void
full_path(int dirfd, const char *path, char *out, size_t size)
{
	char link[64];
	ssize_t n;

	if (path[0] == '/' || dirfd == AT_FDCWD) {
		snprintf(out, size, "%s", path);
		return;
	}
	snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	if ((n = readlink(link, out, size - 1)) < 0)
		n = 0;
	out[n] = '\0';
	snprintf(out + n, size - (size_t)n, "/%s", path);
}

static int
path_matches(const char *path)
{
	const char *want = getenv("FAILSHIM_PATH");

	return (want == NULL || strstr(path, want) != NULL);
}

static int
fd_matches(int fd)
{
	const char *want = getenv("FAILSHIM_FD");
	char link[64], path[4096];
	ssize_t n;

	if (want != NULL)
		return (fd == atoi(want));
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) < 0)
		return (0);
	path[n] = '\0';
	return (path_matches(path));
}

/* Nonzero when this matching call is to fail. */
static int
due(void)
{
	const char *after = getenv("FAILSHIM_AFTER");
	const char *times = getenv("FAILSHIM_TIMES");
	long first = (after != NULL ? atol(after) : 0) + 1;

	calls++;
	return (
	    calls >= first && (times == NULL || calls < first + atol(times)));
}

static void *
next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL)
		abort();
	return (f);
}

static int
shim_openat(
    const char *name, int dirfd, const char *path, int flags, mode_t mode)
{
	int (*real)(int, const char *, int, ...) = next(name);
	char full[4096];

	if (op_selected("open")) {
		full_path(dirfd, path, full, sizeof full);
		if (path_matches(full) && due()) {
			errno = fail_errno();
			return (-1);
		}
	}
	return (real(dirfd, path, flags, mode));
}

static mode_t
mode_arg(int flags, va_list ap)
{
	return ((flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0);
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return (shim_openat("openat", AT_FDCWD, path, flags, mode));
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return (shim_openat("openat64", AT_FDCWD, path, flags, mode));
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return (shim_openat("openat", dirfd, path, flags, mode));
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return (shim_openat("openat64", dirfd, path, flags, mode));
}

/* FAILSHIM_SIGNAL's signal, or 0. */
static int
signal_wanted(void)
{
	const char *s = getenv("FAILSHIM_SIGNAL");

	if (s == NULL)
		return (0);
	if (strcmp(s, "KILL") == 0)
		return (SIGKILL);
	if (strcmp(s, "INT") == 0)
		return (SIGINT);
	if (strcmp(s, "TERM") == 0)
		return (SIGTERM);
	return (0);
}

/* The chosen write, interrupted by sig. */
static ssize_t
interrupted(ssize_t (*real)(int, const void *, size_t), int fd, const void *p,
    size_t n, int sig)
{
	static int raised;
	ssize_t done;

	if (raised)
		return (real(fd, p, n));
	raised = 1;
	done = real(fd, p, sig == SIGKILL && n > 1 ? n / 2 : n);
	raise(sig);
	return (done);
}

ssize_t
read(int fd, void *p, size_t n)
{
	ssize_t (*real)(int, void *, size_t) = next("read");

	if (op_selected("read") && fd_matches(fd) && due()) {
		errno = fail_errno();
		return (-1);
	}
	return (real(fd, p, n));
}

ssize_t
write(int fd, const void *p, size_t n)
{
	ssize_t (*real)(int, const void *, size_t) = next("write");
	const char *s = getenv("FAILSHIM_SHORT");

	if (!op_selected("write") || !fd_matches(fd))
		return (real(fd, p, n));
	if (s != NULL) {
		/* Short writes while counting up, then the failure. */
		if (!due()) {
			if (n > (size_t)atol(s))
				n = (size_t)atol(s);
			return (real(fd, p, n));
		}
	} else if (!due())
		return (real(fd, p, n));
	if (signal_wanted() != 0)
		return (interrupted(real, fd, p, n, signal_wanted()));
	errno = fail_errno();
	return (-1);
}

static int
shim_sync(const char *name, int fd)
{
	int (*real)(int) = next(name);

	if (op_selected("fsync") && fd_matches(fd) && due()) {
		errno = fail_errno();
		return (-1);
	}
	return (real(fd));
}

int
fsync(int fd)
{
	return (shim_sync("fsync", fd));
}

int
fdatasync(int fd)
{
	return (shim_sync("fdatasync", fd));
}

static int
shim_rename(int olddirfd, const char *from, int newdirfd, const char *to)
{
	int (*real)(int, const char *, int, const char *) = next("renameat");
	char full[4096];

	if (op_selected("rename")) {
		full_path(newdirfd, to, full, sizeof full);
		if (path_matches(full) && due()) {
			errno = fail_errno();
			return (-1);
		}
	}
	return (real(olddirfd, from, newdirfd, to));
}

int
rename(const char *from, const char *to)
{
	return (shim_rename(AT_FDCWD, from, AT_FDCWD, to));
}

int
renameat(int olddirfd, const char *from, int newdirfd, const char *to)
{
	return (shim_rename(olddirfd, from, newdirfd, to));
}
