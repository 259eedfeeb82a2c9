/*
 * The event loop. Signal handlers only write the signal number to a
 * non-blocking self-pipe; the loop sees the pipe readable in its one wait
 * and stops cleanly, so outputs are flushed and files completed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"
#include "outbuf.h"
#include "pipeline.h"
#include "xmalloc.h"

/* A wait is never longer, so a missed wake-up costs at most this. */
#define LOOP_MAX_WAIT_MS 1000

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t caught;
static volatile sig_atomic_t resized;

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (sig == SIGWINCH)
		resized = 1;
	else
		caught = sig;
	(void)!write(signal_pipe[1], &b, 1);
	errno = saved;
}

/* Send sig to on_signal; flags SA_RESTART or 0 (blocking calls end with
 * EINTR, so the loop sees the signal). */
static void
catch_signal(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

int
loop_signals_init(char **cause)
{
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
	catch_signal(SIGINT, SA_RESTART);
	catch_signal(SIGTERM, SA_RESTART);
	return (0);
}

void
loop_signals_interrupt_io(void)
{
	catch_signal(SIGINT, 0);
	catch_signal(SIGTERM, 0);
}

int
loop_signal(void)
{
	return (caught);
}

void
loop_watch_resize(void)
{
	catch_signal(SIGWINCH, SA_RESTART);
}

int
loop_resized(void)
{
	int r = resized;

	resized = 0;
	return (r);
}

static void
drain_signals(void)
{
	unsigned char drain[16];

	if (signal_pipe[0] >= 0)
		while (read(signal_pipe[0], drain, sizeof drain) > 0)
			;
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

/*
 * Standard output is a pipe or socket, whose reader may go away while the
 * job is quiet: then nothing is written and no EPIPE says so.
 */
static int
stdout_is_pipe(void)
{
	struct stat st;

	return (fstat(STDOUT_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
}

enum loop_status
loop_run(struct http *http, struct aws *aws, struct source_cw *src,
    struct pipeline *p, const struct loop_hooks *hooks, char **cause)
{
	struct curl_waitfd wfd[3];
	enum source_status st;
	enum sink_status rc;
	int64_t now, deadline;
	unsigned nfd = 0;
	int watch_out = stdout_is_pipe();

	memset(wfd, 0, sizeof wfd);
	if (signal_pipe[0] >= 0) {
		wfd[nfd].fd = signal_pipe[0];
		wfd[nfd++].events = CURL_WAIT_POLLIN;
	}
	if (hooks != NULL && hooks->fd >= 0) {
		wfd[nfd].fd = hooks->fd;
		wfd[nfd++].events = CURL_WAIT_POLLIN;
	}
	/* Last, so it can be dropped: no events, a hang-up still wakes. */
	if (watch_out)
		wfd[nfd++].fd = STDOUT_FILENO;
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
		/* The UI shows what this pass released, then keys wake us. */
		if (hooks != NULL && hooks->pass(hooks->arg))
			return (LOOP_QUIT);
		if (http_wait(http,
			hooks != NULL && hooks->busy != NULL &&
				hooks->busy(hooks->arg)
			    ? 0
			    : wait_ms(now, deadline, aws_next_deadline(aws)),
			nfd > 0 ? wfd : NULL, nfd, cause) != 0)
			return (LOOP_ERROR);
		drain_signals();
		if (http_process(http, cause) != 0)
			return (LOOP_ERROR);
		/* The reader of stdout left: a flush closes the sinks that
		 * write there (outbuf_flush), and the run stops if no other
		 * is left; an export goes on. Watched once. */
		if (watch_out && outbuf_gone(STDOUT_FILENO)) {
			watch_out = 0;
			nfd--;
			if ((rc = pipeline_flush(p, cause)) == SINK_CLOSED)
				return (LOOP_CLOSED);
			if (rc == SINK_ERROR)
				return (LOOP_OUTPUT_ERROR);
		}
	}
}

enum loop_status
loop_calls(
    struct http *http, struct aws *aws, const size_t *pending, char **cause)
{
	struct curl_waitfd wfd;
	int64_t now;

	memset(&wfd, 0, sizeof wfd);
	wfd.fd = signal_pipe[0];
	wfd.events = CURL_WAIT_POLLIN;
	while (*pending > 0) {
		if (caught)
			return (LOOP_INTERRUPTED);
		now = clock_mono_ms();
		aws_tick(aws, now);
		if (http_wait(http, wait_ms(now, -1, aws_next_deadline(aws)),
			signal_pipe[0] >= 0 ? &wfd : NULL,
			signal_pipe[0] >= 0 ? 1 : 0, cause) != 0)
			return (LOOP_ERROR);
		drain_signals();
		if (http_process(http, cause) != 0)
			return (LOOP_ERROR);
	}
	return (LOOP_DONE);
}

enum loop_status
loop_idle(struct http *given, const struct loop_hooks *hooks)
{
	struct curl_waitfd wfd[2];
	enum loop_status ls;
	struct http *http = given;
	char *cause = NULL;
	unsigned nfd = 0;

	/* Reading files needs no transport, but the wait is still its. */
	if (http == NULL && (http = http_new(NULL, &cause)) == NULL) {
		free(cause);
		return (LOOP_INTERRUPTED);
	}
	memset(wfd, 0, sizeof wfd);
	if (signal_pipe[0] >= 0) {
		wfd[nfd].fd = signal_pipe[0];
		wfd[nfd++].events = CURL_WAIT_POLLIN;
	}
	if (hooks->fd >= 0) {
		wfd[nfd].fd = hooks->fd;
		wfd[nfd++].events = CURL_WAIT_POLLIN;
	}
	for (;;) {
		if (caught) {
			ls = LOOP_INTERRUPTED;
			break;
		}
		if (hooks->pass(hooks->arg)) {
			ls = LOOP_QUIT;
			break;
		}
		/* The timeout only ticks the UI's clock. */
		if (http_wait(http,
			hooks->busy != NULL && hooks->busy(hooks->arg)
			    ? 0
			    : LOOP_MAX_WAIT_MS,
			nfd > 0 ? wfd : NULL, nfd, &cause) != 0) {
			free(cause);
			ls = LOOP_INTERRUPTED;
			break;
		}
		drain_signals();
	}
	if (http != given)
		http_free(http);
	return (ls);
}
