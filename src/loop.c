/*
 * The event loop. Signal handlers only write the signal number to a
 * non-blocking self-pipe; the loop sees the pipe readable in its one wait
 * and stops cleanly, so outputs are flushed and files completed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"
#include "xmalloc.h"

/* A wait is never longer, so a missed wake-up costs at most this. */
#define LOOP_MAX_WAIT_MS 1000

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	caught = sig;
	(void)!write(signal_pipe[1], &b, 1);
	errno = saved;
}

int
loop_signals_init(char **cause)
{
	struct sigaction sa;
	int i;

	if (pipe(signal_pipe) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	for (i = 0; i < 2; i++) {
		fcntl(signal_pipe[i], F_SETFL,
		    fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return (0);
}

int
loop_signal(void)
{
	return (caught);
}

/* Milliseconds to sleep before the earlier of two deadlines. */
static int
wait_ms(int64_t now, int64_t a, int64_t b)
{
	int64_t next = a < 0 ? b : b < 0 ? a : (a < b ? a : b);

	if (next < 0 || next - now > LOOP_MAX_WAIT_MS)
		return (LOOP_MAX_WAIT_MS);
	return (next <= now ? 0 : (int)(next - now));
}

enum loop_status
loop_run(
    struct http *http, struct aws *aws, struct source_cw *src, char **cause)
{
	struct curl_waitfd wfd;
	enum source_status st;
	int64_t now, deadline;
	unsigned char drain[16];

	memset(&wfd, 0, sizeof wfd);
	wfd.fd = signal_pipe[0];
	wfd.events = CURL_WAIT_POLLIN;
	for (;;) {
		if (caught)
			return (LOOP_INTERRUPTED);
		now = clock_mono_ms();
		aws_tick(aws, now);
		st = source_cw_step(src, now, &deadline, cause);
		if (st == SOURCE_DONE)
			return (LOOP_DONE);
		if (st == SOURCE_CLOSED)
			return (LOOP_CLOSED);
		if (st == SOURCE_ERROR)
			return (LOOP_ERROR);
		if (st == SOURCE_OUTPUT_ERROR)
			return (LOOP_OUTPUT_ERROR);
		if (http_wait(http,
			wait_ms(now, deadline, aws_next_deadline(aws)),
			signal_pipe[0] >= 0 ? &wfd : NULL,
			signal_pipe[0] >= 0 ? 1 : 0, cause) != 0)
			return (LOOP_ERROR);
		if (signal_pipe[0] >= 0)
			while (read(signal_pipe[0], drain, sizeof drain) > 0)
				;
		if (http_process(http, cause) != 0)
			return (LOOP_ERROR);
	}
}
