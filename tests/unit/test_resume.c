/*
 * Resumable exports, driven through the export sink: a run stopped early
 * and run again writes each event once; held events released at an early
 * stop are left for the next run; a torn tail is cut; state files that are
 * corrupt, of another job or hostile are refused with a clear message.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "errors.h"
#include "export.h"
#include "rules.h"
#include "unit.h"

#define NEVENTS 5

static char dir[] = "/tmp/cwdemux-test-resume.XXXXXX";
static struct rules *rules;
static struct errors *errs;

/* Stream names are untrusted: quotes, escapes, a NUL, invalid UTF-8. */
static const char s1[] = "j/algo-1\"\\\x1b]52;c;eA==\x07\n\xff";
static const char s2[] = "j/algo-2\0nul";

static char *
path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return (p);
}

static void
slurp(const char *name, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	int fd;

	buf_reset(b);
	buf_add(b, "", 0);
	if ((fd = open(path(name), O_RDONLY)) < 0)
		return;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(b, chunk, (size_t)n);
	close(fd);
}

static void
spew(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static int
event(void *ex, const char *stream, size_t slen, int i, const char *group)
{
	struct out_event ev;
	char msg[64], *cause = NULL;
	int rc;

	memset(&ev, 0, sizeof ev);
	ev.timestamp = 1717243529000 + i;
	ev.group = group;
	ev.group_len = strlen(group);
	ev.host = "algo-1";
	ev.host_len = 6;
	ev.stream = stream;
	ev.stream_len = slen;
	snprintf(msg, sizeof msg, "event %d of %.8s", i, stream);
	ev.msg = msg;
	ev.len = strlen(msg);
	ev.error = -1;
	rc = export_sink.event(ex, &ev, &cause);
	free(cause);
	return (rc);
}

/* An export of job in dir: its resume() result, *ex the state or NULL. */
static int
open_export(const char *job, void **ex, int *usage, char **cause)
{
	int rc;

	*ex = export_new(dir, errs, cause);
	if (*ex == NULL)
		return (-2);
	rc = export_resume(*ex, job, "rules 0", usage, cause);
	return (rc);
}

static void
finish(void *ex, int complete)
{
	char *cause = NULL;

	export_set_complete(ex, complete);
	UNIT_CHECK(export_sink.finish(ex, &cause) == SINK_OK, "finish: %s",
	    cause != NULL ? cause : "");
	free(cause);
}

/* The first n events of each stream, in the order a rerun sends them. */
static void
send(void *ex, int n, const char *group)
{
	int i;

	for (i = 0; i < n; i++) {
		UNIT_CHECK(
		    event(ex, s1, sizeof s1 - 1, i, group) == SINK_OK, "event");
		UNIT_CHECK(
		    event(ex, s2, sizeof s2 - 1, i, group) == SINK_OK, "event");
	}
}

static void
test_resume(void)
{
	struct buf whole = BUF_INIT, got = BUF_INIT;
	void *ex, *other;
	char *cause = NULL;
	int usage, fd;

	/* The whole export, never stopped: what every resumed one must be. */
	UNIT_CHECK(open_export("job", &ex, &usage, &cause) == 0, "new");
	send(ex, NEVENTS, "g");
	finish(ex, 1);
	export_sink.free(ex);
	slurp("g.log", &whole);
	UNIT_CHECK(whole.len > 0, "whole export written");
	unlink(path("g.log"));
	unlink(path("manifest.json"));
	unlink(path(".cwdemux-state"));

	/* Stopped after 2 events a stream; then 2 held ones come out at
	 * the stop (as "unassigned"): not written, left for the next run. */
	UNIT_CHECK(open_export("job", &ex, &usage, &cause) == 0, "fresh");
	send(ex, 2, "g");
	export_set_complete(ex, 0);
	UNIT_CHECK(event(ex, s1, sizeof s1 - 1, 2, "unassigned") == SINK_OK,
	    "held event");
	UNIT_CHECK(event(ex, s2, sizeof s2 - 1, 2, "unassigned") == SINK_OK,
	    "held event");
	UNIT_CHECK(
	    export_withheld(ex) == 2, "withheld %llu", export_withheld(ex));
	finish(ex, 0);
	export_sink.free(ex);
	slurp("manifest.json", &got);
	UNIT_CHECK(strstr(got.data, "\"complete\": false") != NULL,
	    "manifest says incomplete");
	UNIT_CHECK(
	    access(path("unassigned.log"), F_OK) != 0, "no unassigned file");

	/* A kill left a torn tail after the state's length. */
	fd = open(path("g.log"), O_WRONLY | O_APPEND);
	UNIT_CHECK(fd >= 0 && write(fd, "2024-06-01T", 11) == 11, "tear");
	close(fd);

	/* Run again: 4 events are there, the rest come once. */
	UNIT_CHECK(open_export("job", &ex, &usage, &cause) == 1, "resumed");
	UNIT_CHECK(export_resumed_events(ex) == 4, "resumed events %llu",
	    export_resumed_events(ex));
	UNIT_CHECK(access(path("manifest.json"), F_OK) != 0,
	    "the old manifest is gone while the run goes on");
	send(ex, NEVENTS, "g");
	finish(ex, 1);
	export_sink.free(ex);
	slurp("g.log", &got);
	UNIT_MEMEQ(got.data, got.len, whole.data, whole.len, "resumed file");
	slurp("manifest.json", &got);
	UNIT_CHECK(strstr(got.data, "\"complete\": true") != NULL &&
		strstr(got.data, "\"events\": 10") != NULL,
	    "manifest counts the whole: %s", got.data);

	/* A complete export run again writes nothing twice; while it runs,
	 * no other run may use the directory. */
	UNIT_CHECK(open_export("job", &ex, &usage, &cause) == 1, "again");
	UNIT_CHECK(open_export("job", &other, &usage, &cause) == -1 &&
		usage == 1 &&
		strstr(cause, "in use by another cwdemux") != NULL,
	    "locked: %s", cause);
	export_sink.free(other);
	free(cause);
	cause = NULL;
	send(ex, NEVENTS, "g");
	finish(ex, 1);
	export_sink.free(ex);
	slurp("g.log", &got);
	UNIT_MEMEQ(got.data, got.len, whole.data, whole.len, "run again");
	buf_free(&whole);
	buf_free(&got);
}

/* Each state is refused with a message holding want, and no escape. */
static void
test_bad_states(void)
{
	static const struct {
		const char *state;
		const char *want;
	} t[] = {
	    {"", "not a state file"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [",
		"not a state file"},
	    {"[]", "not a state file of this version"},
	    {"{\"cwdemux_state\": 2}", "not a state file of this version"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F6\"}", "no valid job"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F6Z\"}", "no valid job"},
	    /* Another job, whose name tries to write to the terminal. */
	    {"{\"cwdemux_state\": 1, \"job_hex\": "
	     "\"1B5D35323B633B65413D3D07\"}",
		"the export there is of job"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": null}",
		"the export there is of no job"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\"}", "no groups"},
	    /* Placed by other rules or --assign (this run: "rules 0"); the
	     * settings named, never obeyed. */
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", "
	     "\"placement_hex\": \"72756C65732031\"}",
		"placed in groups by other settings (there: rules 1; here: "
		"rules 0)"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", "
	     "\"placement_hex\": "
	     "\"72756C657320300A2D2D61737369676E20613D1B5D07\"}",
		"(there: rules 0; --assign a=^[]^G; here: rules 0)"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", "
	     "\"placement_hex\": \"7Z\"}",
		"no valid placement"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"../x.log\"}]}",
		"a group with a bad file name"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \".cwdemux-state\"}]}",
		"a group with a bad file name"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"manifest.json\"}]}",
		"a group with a bad file name"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"g.log\", \"bytes\": -1}]}",
		"a group with a bad count"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"g.log\", \"bytes\": 0, "
	     "\"events\": 0, \"lines\": 0, \"first\": 0, \"last\": 0, "
	     "\"hosts_hex\": [\"zz\"], \"streams_hex\": []}]}",
		"a group with bad host or stream names"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"g.log\", \"bytes\": 0, "
	     "\"events\": 0, \"lines\": 0, \"first\": 0, \"last\": 0, "
	     "\"hosts_hex\": [], \"streams_hex\": []}, {"
	     "\"name_hex\": \"67\", \"file\": \"h.log\"}]}",
		"a group listed twice"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"g.log\", \"bytes\": 0, "
	     "\"events\": 0, \"lines\": 0, \"first\": 0, \"last\": 0, "
	     "\"hosts_hex\": [], \"streams_hex\": []}, {"
	     "\"name_hex\": \"68\", \"file\": \"g.log\"}]}",
		"two groups with one file"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [], "
	     "\"streams\": [{\"name_hex\": \"73\", \"events\": 1}, "
	     "{\"name_hex\": \"73\", \"events\": 2}]}",
		"a stream listed twice"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [], "
	     "\"streams\": [{\"name_hex\": \"73\", \"events\": 1.5}]}",
		"a stream with a bad count"},
	    /* Longer than the file: it was changed since. */
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"g.log\", \"bytes\": 99999, "
	     "\"events\": 1, \"lines\": 1, \"first\": 0, \"last\": 0, "
	     "\"hosts_hex\": [], \"streams_hex\": []}], \"streams\": []}",
		"shorter than the 99999 bytes"},
	    {"{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	     "\"name_hex\": \"67\", \"file\": \"gone.log\", \"bytes\": 9, "
	     "\"events\": 1, \"lines\": 1, \"first\": 0, \"last\": 0, "
	     "\"hosts_hex\": [], \"streams_hex\": []}], \"streams\": []}",
		"gone.log: No such file"},
	};
	struct buf deep = BUF_INIT;
	void *ex;
	char *cause;
	size_t i;
	int usage, rc;

	spew("g.log", "one line\n");
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		spew(".cwdemux-state", t[i].state);
		cause = NULL;
		usage = 0;
		rc = open_export("job", &ex, &usage, &cause);
		UNIT_CHECK(rc == -1 && usage == 1, "state %zu: rc %d usage %d",
		    i, rc, usage);
		UNIT_CHECK(cause != NULL && strstr(cause, t[i].want) != NULL &&
			strchr(cause, '\x1b') == NULL &&
			strchr(cause, '\x07') == NULL,
		    "state %zu: [%s], want [%s]", i, cause, t[i].want);
		export_sink.free(ex);
		free(cause);
	}
	/* Nested deep enough to hurt a recursive parser. */
	for (i = 0; i < 100000; i++)
		buf_addc(&deep, '[');
	spew(".cwdemux-state", deep.data);
	cause = NULL;
	rc = open_export("job", &ex, &usage, &cause);
	UNIT_CHECK(rc == -1 && usage == 1, "deep state refused");
	export_sink.free(ex);
	free(cause);
	buf_free(&deep);
	/* A symbolic link is not followed. */
	unlink(path(".cwdemux-state"));
	UNIT_CHECK(symlink("/etc/passwd", path(".cwdemux-state")) == 0, "ln");
	cause = NULL;
	rc = open_export("job", &ex, &usage, &cause);
	UNIT_CHECK(
	    rc == -1 && usage == 1, "symlinked state refused: %s", cause);
	export_sink.free(ex);
	free(cause);
	/* Nor is a group file that became one; the link is left alone. */
	unlink(path(".cwdemux-state"));
	unlink(path("g.log"));
	UNIT_CHECK(symlink("/etc/passwd", path("g.log")) == 0, "ln");
	spew(".cwdemux-state",
	    "{\"cwdemux_state\": 1, \"job_hex\": \"6A6F62\", \"groups\": [{"
	    "\"name_hex\": \"67\", \"file\": \"g.log\", \"bytes\": 1, "
	    "\"events\": 1, \"lines\": 1, \"first\": 0, \"last\": 0, "
	    "\"hosts_hex\": [], \"streams_hex\": []}], \"streams\": []}");
	cause = NULL;
	rc = open_export("job", &ex, &usage, &cause);
	UNIT_CHECK(rc == -1 && usage == 1 && cause != NULL &&
		strstr(cause, "not a file holding") != NULL,
	    "symlinked group file refused: %s", cause);
	export_sink.free(ex);
	free(cause);
}

static void
cleanup(void)
{
	static const char *names[] = {"g.log", "h.log", "manifest.json",
	    ".cwdemux-state", ".cwdemux-state.tmp", "manifest.json.tmp",
	    "unassigned.log"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(path(names[i]));
	rmdir(dir);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	rules = rules_new();
	errs = errors_new(rules);
	test_resume();
	test_bad_states();
	cleanup();
	errors_free(errs);
	rules_free(rules);
	return (unit_done("resume"));
}
