/*
 * The process runner of the credential chain: one child through /bin/sh,
 * its stdout and stderr read through pipes until both end, then reaped.
 * Nothing of what the command prints is shown here: the caller decides,
 * since stdout holds secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "process.h"
#include "xmalloc.h"

/* Start "/bin/sh -c cmd" in its own process group, stdin /dev/null. */
static pid_t
process_start(const char *cmd, int *out_fd, int *err_fd, char **cause)
{
	int op[2], ep[2], null_fd;
	pid_t pid;

	if (pipe2(op, O_CLOEXEC) == -1)
		goto fail;
	if (pipe2(ep, O_CLOEXEC) == -1) {
		close(op[0]);
		close(op[1]);
		goto fail;
	}
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		if ((null_fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(null_fd, STDIN_FILENO);
		dup2(op[1], STDOUT_FILENO);
		dup2(ep[1], STDERR_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid != -1)
		setpgid(pid, pid); /* as the child does: no race with kill() */
	close(op[1]);
	close(ep[1]);
	if (pid == -1) {
		close(op[0]);
		close(ep[0]);
		goto fail;
	}
	*out_fd = op[0];
	*err_fd = ep[0];
	return (pid);
fail:
	xasprintf(cause, "cannot start /bin/sh: %s", strerror(errno));
	return (-1);
}

/* Read what fd has into b, keeping at most max bytes. 0 at end of file. */
static ssize_t
process_read(int fd, struct buf *b, size_t max, int *over)
{
	char chunk[4096];
	ssize_t n;

	n = read(fd, chunk, sizeof chunk);
	if (n > 0) {
		if (b->len + (size_t)n > max)
			*over = 1;
		else
			buf_add(b, chunk, (size_t)n);
	}
	return (n == -1 && errno == EINTR ? 1 : n);
}

/*
 * Collect stdout (at most PROCESS_OUT_MAX) and the start of stderr until
 * both end or the deadline passes. -1 with a reason on a timeout or an
 * oversized output.
 */
static int
process_collect(int fds[2], struct buf *out, struct buf *err, int64_t deadline,
    const char **why)
{
	struct pollfd pfd[2];
	int over = 0, dummy = 0, i, left;

	while (fds[0] != -1 || fds[1] != -1) {
		if ((left = (int)(deadline - clock_mono_ms())) <= 0) {
			*why = "did not finish within 60 s";
			return (-1);
		}
		for (i = 0; i < 2; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, 2, left) == -1 && errno != EINTR) {
			*why = "could not be read";
			return (-1);
		}
		if (fds[0] != -1 && pfd[0].revents != 0 &&
		    process_read(fds[0], out, PROCESS_OUT_MAX, &over) <= 0) {
			close(fds[0]);
			fds[0] = -1;
		}
		if (fds[1] != -1 && pfd[1].revents != 0 &&
		    process_read(fds[1], err, PROCESS_ERR_MAX, &dummy) <= 0) {
			close(fds[1]);
			fds[1] = -1;
		}
		if (over) {
			*why = "printed more than 64 KB";
			return (-1);
		}
	}
	return (0);
}

/* Wait for the process to exit, until the deadline. */
static int
process_wait(pid_t pid, int64_t deadline, int *status, const char **why)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) == 0 ||
	    (r == -1 && errno == EINTR)) {
		if (clock_mono_ms() >= deadline) {
			*why = "did not finish within 60 s";
			return (-1);
		}
		nanosleep(&tick, NULL);
	}
	if (r == -1) {
		*why = "could not be waited for";
		return (-1);
	}
	return (0);
}

/*
 * Run cmd with the shell, capturing stdout into out and the start of
 * stderr into err. A timeout kills the whole process group.
 */
int
process_run(const char *cmd, struct buf *out, struct buf *err, int *status,
    const char **why, char **cause)
{
	int64_t deadline = clock_mono_ms() + PROCESS_TIMEOUT_MS;
	int fds[2], r;
	pid_t pid;

	if ((pid = process_start(cmd, &fds[0], &fds[1], cause)) == -1)
		return (-1);
	r = process_collect(fds, out, err, deadline, why);
	if (r == 0)
		r = process_wait(pid, deadline, status, why);
	if (r == -1) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	return (r);
}
