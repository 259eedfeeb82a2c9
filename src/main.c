/*
 * cwdemux: show the CloudWatch logs of a SageMaker training job grouped by
 * instance group. main() parses the command line, builds the pipeline
 * (rules, classify, store, sinks), runs the source into it and turns the
 * outcome into an exit status. It is the only place that decides how an
 * error is shown.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws.h"
#include "buf.h"
#include "check.h"
#include "sanitize.h"
#include "cli.h"
#include "clock.h"
#include "completion.h"
#include "config.h"
#include "creds.h"
#include "errors.h"
#include "export.h"
#include "http.h"
#include "joblist.h"
#include "log.h"
#include "loop.h"
#include "out_json.h"
#include "out_lines.h"
#include "pipeline.h"
#include "rules.h"
#include "selection.h"
#include "source_cw.h"
#include "source_files.h"
#include "tui.h"
#include "xmalloc.h"

/*
 * One run of the program: what run() builds, and what the UI's callbacks
 * and the file reader's stop callback read. It lives on run()'s stack and
 * goes by pointer; nothing of it is at file scope.
 */
struct run {
	const struct options *o;
	struct pipeline *p;
	struct tui *tui; /* NULL: no UI */
	void *exported; /* the export sink's state (p owns it), or NULL */
	struct selection *selected; /* --include, --host...: or NULL */
	struct source_cw *src; /* NULL: reading files */
	struct aws *aws;
	int done; /* nothing more comes: the UI says so */
	int quit; /* the user quit while files were read */
	int64_t pumped; /* when the UI last had a pass, reading files */
};

static int
want_color(enum color_when when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when != COLOR_AUTO)
		return (when == COLOR_ALWAYS);
	if (nc != NULL && *nc != '\0')
		return (0);
	if (term != NULL && strcmp(term, "dumb") == 0)
		return (0);
	return (isatty(STDOUT_FILENO));
}

/* Colours a terminal shows: 256 when it says so, else the basic 8. */
static int
term_colors(void)
{
	const char *term = getenv("TERM"), *ct = getenv("COLORTERM");

	if (ct != NULL &&
	    (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0))
		return (256);
	return (term != NULL && strstr(term, "256col") != NULL ? 256 : 8);
}

/* The selection the options ask for, or NULL when they ask for none. */
static int
make_selection(struct run *r, char **cause)
{
	const struct options *o = r->o;
	struct selection *s = selection_new();
	size_t i;

	for (i = 0; i < o->include.n; i++)
		if (selection_add_text(s, 0, o->include.v[i], cause) != 0)
			goto fail;
	for (i = 0; i < o->exclude.n; i++)
		if (selection_add_text(s, 1, o->exclude.v[i], cause) != 0)
			goto fail;
	for (i = 0; i < o->hosts.n; i++)
		selection_add_host(s, o->hosts.v[i]);
	for (i = 0; i < o->groups.n; i++)
		selection_add_group(s, o->groups.v[i]);
	for (i = 0; i < o->nranks; i++)
		selection_add_rank(s, &o->ranks[i]);
	selection_set_raw(s, o->raw);
	if (selection_empty(s))
		selection_free(s);
	else
		r->selected = s;
	return (0);
fail:
	selection_free(s);
	return (-1);
}

/* Add a sink, behind the selection when there is one and it applies. */
static void
add_sink(struct run *r, const struct sink *ops, void *state, int select)
{
	if (r->selected != NULL && select)
		pipeline_add_sink(r->p, &selection_sink,
		    selection_sink_new(r->selected, ops, state));
	else
		pipeline_add_sink(r->p, ops, state);
}

static int
load_rules(const struct options *o, struct rules *rules, char **cause)
{
	size_t i;

	if (!o->no_default_rules && rules_load_default(rules, cause) != 0)
		return (-1);
	for (i = 0; i < o->rules.n; i++)
		if (rules_load_file(rules, o->rules.v[i], cause) != 0)
			return (-1);
	return (0);
}

static void
add_assignments(const struct options *o, struct pipeline *p)
{
	const char *a, *eq;
	size_t i;

	for (i = 0; i < o->assign.n; i++) {
		a = o->assign.v[i];
		eq = strchr(a, '=');
		pipeline_assign(p, a, (size_t)(eq - a), eq + 1, strlen(eq + 1));
	}
}

/* "\n--NAME VALUE" for each value of a repeatable option. */
static void
add_values(struct buf *b, const char *name, const struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_printf(b, "\n--%s %s", name, l->v[i]);
}

/*
 * What places lines in groups besides the logs themselves, one setting a
 * line, for a resumed export to check: the rules (a digest of their text)
 * and each --assign, in order; and with --export-filtered, what chooses
 * the events written.
 */
static char *
placement(const struct options *o, const struct rules *rules)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(
	    &b, "rules %016llx", (unsigned long long)rules_digest(rules));
	add_values(&b, "assign", &o->assign);
	if (!o->export_filtered)
		return (buf_steal(&b));
	buf_adds(&b, "\n--export-filtered");
	add_values(&b, "include", &o->include);
	add_values(&b, "exclude", &o->exclude);
	add_values(&b, "host", &o->hosts);
	add_values(&b, "group", &o->groups);
	for (i = 0; i < o->nranks; i++)
		buf_printf(
		    &b, "\n--rank %u-%u", o->ranks[i].lo, o->ranks[i].hi);
	if (o->raw)
		buf_adds(&b, "\n--raw");
	return (buf_steal(&b));
}

/* Open --export, resuming what the directory holds; an exit status. */
static int
add_export(struct run *r, const struct rules *rules, char **cause)
{
	const struct options *o = r->o;
	struct pipeline *p = r->p;
	void *ex;
	char *place;
	int usage, resumed;

	if ((ex = export_new(o->export_dir, pipeline_errors(p), cause)) == NULL)
		return (EXIT_RUNTIME);
	add_sink(r, &export_sink, ex, o->export_filtered);
	place = placement(o, rules);
	resumed = export_resume(ex, o->job, place, &usage, cause);
	free(place);
	if (resumed < 0)
		return (usage ? EXIT_USAGE : EXIT_RUNTIME);
	if (resumed)
		log_info("resuming the export in %s: its files hold %llu "
			 "events, which are not written again",
		    o->export_dir, export_resumed_events(ex));
	r->exported = ex;
	return (EXIT_OK);
}

static int
add_sinks(struct run *r, const struct rules *rules, char **cause)
{
	const struct options *o = r->o;
	struct pipeline *p = r->p;
	struct out_lines_options lo;

	if (r->tui != NULL)
		pipeline_add_sink(p, &tui_sink, r->tui);
	else if (o->output == OUTPUT_LINES) {
		memset(&lo, 0, sizeof lo);
		lo.fd = STDOUT_FILENO;
		lo.fields = o->fields;
		lo.color = want_color(o->color);
		lo.colors = term_colors();
		/* Colour means a terminal will show it (less -R, say), and
		 * such a pager passes some sequences through: neutralise the
		 * log's own. */
		lo.sanitize = isatty(STDOUT_FILENO) || lo.color;
		lo.raw = o->raw;
		lo.raw_progress = o->raw_progress;
		add_sink(r, &out_lines_sink, out_lines_new(&lo), 1);
	} else if (o->output == OUTPUT_JSON)
		add_sink(r, &out_json_sink, out_json_new(STDOUT_FILENO), 1);
	if (o->export_dir != NULL)
		return (add_export(r, rules, cause));
	return (EXIT_OK);
}

/* The streams to read: --stream-prefix, else "JOB/" (the slash keeps
 * job-2 out of job), else all. */
static char *
stream_prefix(const struct options *o)
{
	char *prefix;

	if (o->stream_prefix != NULL)
		return (xstrdup(o->stream_prefix));
	if (o->job == NULL)
		return (NULL);
	xasprintf(&prefix, "%s/", o->job);
	return (prefix);
}

/* Find the streams under --from; NULL with cause for a bad path. */
static struct source_files *
open_files(const struct options *o, const char *prefix, char **cause)
{
	struct source_files *sf;

	sf = source_files_new(o->from.v, o->from.n, prefix,
	    (enum logfile_format)o->from_format, cause);
	return (sf);
}

/* --jobs, or the cores this process may run on. */
static int
jobs(const struct options *o)
{
	long n;

	if (o->jobs > 0)
		return (o->jobs);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return (n < 1 ? 1 : n > 1024 ? 1024 : (int)n);
}

/* The run read no event: say why, as far as the streams tell. */
static void
no_events_hint(const struct source_files *sf, const char *prefix)
{
	if (source_files_events(sf) > 0)
		return;
	if (source_files_skipped(sf) != 0)
		log_warn(
		    "none of the %zu streams under --from starts with "
		    "\"%s\" (stream names are paths relative to the --from "
		    "directory; give the directory above %s, or no JOB)",
		    source_files_skipped(sf), prefix, prefix);
	else if (source_files_count(sf) == 0)
		log_warn("no log streams found under --from");
}

/* The AWS side: settings, credentials, transport, client. */
struct aws_stack {
	struct config *config;
	struct creds_chain *creds;
	struct http *http;
	struct aws *aws;
};

static int
aws_stack_open(const struct options *o, struct aws_stack *a, char **cause)
{
	struct config_options co;

	memset(a, 0, sizeof *a);
	co.profile = o->profile;
	co.region = o->region;
	co.endpoint_url = o->endpoint_url;
	if ((a->config = config_load(&co, cause)) == NULL)
		return (-1);
	a->creds = creds_new(a->config);
	if ((a->http = http_new(config_ca_bundle(a->config), cause)) == NULL)
		return (-1);
	if ((a->aws = aws_new(a->config, a->creds, a->http, cause)) == NULL)
		return (-1);
	return (0);
}

static void
aws_stack_close(struct aws_stack *a)
{
	aws_free(a->aws);
	http_free(a->http);
	creds_free(a->creds);
	config_free(a->config);
}

/*
 * Finish the outputs after a run that ended with status; an output that
 * fails now turns success into EXIT_RUNTIME. A failure that ended the run
 * keeps its cause; a later one is only reported. complete: the input was
 * read to its end (the export's manifest says so).
 */
static int
finish(struct run *r, int status, int complete, char **cause)
{
	char *later = NULL;

	if (r->exported != NULL)
		export_set_complete(r->exported, complete);

	if (pipeline_finish(r->p, &later) != SINK_ERROR) {
		if (r->exported != NULL && export_withheld(r->exported) > 0)
			log_warn("%llu events whose host had no group yet are "
				 "not in the export; the same command again "
				 "resumes it and writes them in their groups",
			    export_withheld(r->exported));
		return (status);
	}
	if (*cause == NULL) {
		*cause = later;
		return (EXIT_RUNTIME);
	}
	/* No later cause: the output that ended the run failed again, and
	 * its finish says a failure once (outbuf_finish). Otherwise the
	 * cause comes first, then what finishing found. */
	if (later != NULL) {
		log_error("%s", *cause);
		free(*cause);
		*cause = later;
	}
	return (status);
}

/* Per instance group of the job: how many of its hosts were seen. */
static void
hosts_seen(const struct source_cw *src, const struct pipeline *p)
{
	const struct sagemaker_job *job = source_cw_described(src);
	const struct sagemaker_group *g;
	struct buf line = BUF_INIT;
	size_t i;

	for (i = 0; job != NULL && i < job->ngroups; i++) {
		g = &job->groups[i];
		if (g->name == NULL)
			continue;
		buf_adds(&line, line.len == 0 ? "hosts seen: " : ", ");
		sanitize_field(&line, g->name, strlen(g->name));
		buf_printf(&line, " %d of %d", pipeline_group_hosts(p, g->name),
		    g->count);
	}
	if (line.len > 0)
		log_info("%s", line.data);
	buf_free(&line);
}

/* --summary: errors per group and the first failure, on stderr. */
static void
summary(struct pipeline *p)
{
	struct buf b = BUF_INIT;

	log_status_clear();
	errors_summary(pipeline_errors(p), &b);
	fputs(b.data, stderr);
	buf_free(&b);
}

/* The UI opens on a terminal, unless an output or --no-ui was asked for. */
static int
want_ui(const struct options *o)
{
	const char *term = getenv("TERM");

	return (!o->no_ui && !o->output_set && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO) && term != NULL && *term != '\0' &&
	    strcmp(term, "dumb") != 0);
}

/* Live Tail in the header: what it is doing, if it was asked for. */
static const char *
live_tail_word(enum livetail_state st)
{
	switch (st) {
	case LIVETAIL_CONNECTING:
		return ("live tail: starting");
	case LIVETAIL_LIVE:
		return ("LIVE");
	case LIVETAIL_WAITING:
		return ("live tail: reconnecting");
	case LIVETAIL_REFUSED:
		return ("live tail refused");
	default:
		return (NULL);
	}
}

static void
ui_info(void *arg, struct tui_info *info)
{
	struct run *c = arg;
	struct source_cw_stats st;
	const struct aws_stats *as;

	memset(info, 0, sizeof *info);
	info->done = c->done;
	info->held = pipeline_held_streams(c->p);
	if (c->src == NULL)
		return;
	info->live = 1;
	info->job = source_cw_described(c->src);
	source_cw_stats(c->src, &st);
	info->streams = st.streams;
	info->behind = st.behind;
	info->rate = st.rate;
	as = aws_stats(c->aws);
	info->requests = as->requests;
	info->throttled = as->throttled;
	info->retries = as->retries;
	info->live_tail = live_tail_word(st.live_tail);
}

/* The L key. */
static const char *
ui_live_tail(void *arg)
{
	struct run *c = arg;
	struct source_cw_stats st;
	int on;

	if (c->src == NULL)
		return ("Live Tail: not reading CloudWatch");
	source_cw_stats(c->src, &st);
	on = st.live_tail == LIVETAIL_OFF;
	if (source_cw_set_live_tail(c->src, on) != 0)
		return (st.live_tail == LIVETAIL_REFUSED
			? "Live Tail was refused (see the warning)"
			: "Live Tail: not while reading a finished job");
	return (on ? "Live Tail on (AWS bills it per session-minute)"
		   : "Live Tail off: following by polling alone");
}

static int
ui_hosts(void *arg, const char *group, size_t len)
{
	struct run *c = arg;
	char *name = xstrndup(group, len);
	int n;

	n = pipeline_group_hosts(c->p, name);
	free(name);
	return (n);
}

static int
ui_open(struct run *r, char **cause)
{
	const struct options *o = r->o;
	struct tui_options to;

	memset(&to, 0, sizeof to);
	to.job = o->job;
	to.scrollback = o->scrollback;
	to.spool_dir = o->spool_dir;
	to.selection = r->selected;
	to.export_filtered = o->export_filtered;
	to.raw = o->raw;
	to.raw_progress = o->raw_progress;
	to.spool_limit = o->spool_limit;
	to.color = want_color(o->color);
	to.timestamps = o->timestamps;
	to.errors = pipeline_errors(r->p);
	to.info = ui_info;
	to.hosts = ui_hosts;
	to.live_tail = ui_live_tail;
	to.arg = r;
	if ((r->tui = tui_new(&to, cause)) == NULL)
		return (-1);
	/* Ours before curses starts, so it leaves SIGWINCH to the loop. */
	loop_watch_resize();
	return (tui_start(r->tui, cause));
}

/* The UI's pass: a resize the loop caught first, then keys and drawing. */
static int
ui_pass(void *arg)
{
	if (loop_resized())
		tui_resized(arg);
	return (tui_pass(arg));
}

/*
 * Nothing more comes: the UI stays until the user quits. http is the
 * transport to wait on, NULL when reading files.
 */
static enum loop_status
ui_linger(struct run *r, struct http *http)
{
	struct loop_hooks h;

	r->done = 1;
	h.fd = tui_fd(r->tui);
	h.pass = ui_pass;
	h.busy = tui_busy;
	h.arg = r->tui;
	return (loop_idle(http, &h));
}

/* Reading files: stop on a signal; now and then the UI has a pass. */
static int
files_stop(void *arg)
{
	struct run *r = arg;
	int64_t now;

	if (loop_signal())
		return (1);
	if (r->tui == NULL)
		return (0);
	now = clock_mono_ms();
	if (now - r->pumped < 50)
		return (0);
	r->pumped = now;
	if (ui_pass(r->tui))
		r->quit = 1;
	return (r->quit);
}

/* Read the job's streams from CloudWatch once; an exit status. */
static int
run_cloudwatch(struct run *r, const char *prefix, char **cause)
{
	const struct options *o = r->o;
	struct pipeline *p = r->p;
	struct source_cw_options so;
	struct loop_hooks hooks;
	struct source_cw *src = NULL;
	struct aws_stack a;
	enum loop_status ls;
	enum sink_status rc;
	char *held = NULL;
	int status = EXIT_USAGE;

	if (aws_stack_open(o, &a, cause) != 0)
		goto out;
	memset(&so, 0, sizeof so);
	so.log_group = o->log_group;
	so.prefix = prefix != NULL ? prefix : "";
	so.job = o->stream_prefix == NULL ? o->job : NULL;
	so.follow = !o->no_follow;
	so.live_tail = o->live_tail;
	/* Progress goes to a terminal that is not also showing the output. */
	so.progress =
	    isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) && r->tui == NULL;
	so.since = o->since;
	so.until = o->until;
	so.grace_ms = o->grace_ms;
	so.job_interval_ms = o->status_interval_ms;
	so.get_rate = o->get_rate;
	so.filter_rate = o->filter_rate;
	so.late_window_ms = o->late_window_ms;
	so.filter_pattern = o->filter_pattern;
	so.tailing = o->tail >= 0;
	so.tail = o->tail;
	src = source_cw_new(a.aws, p, &so);
	r->src = src;
	r->aws = a.aws;
	if (r->tui != NULL) {
		hooks.fd = tui_fd(r->tui);
		hooks.pass = ui_pass;
		hooks.busy = tui_busy;
		hooks.arg = r->tui;
	}
	ls = loop_run(
	    a.http, a.aws, src, p, r->tui != NULL ? &hooks : NULL, cause);
	/* Nothing read is dropped, however the run ended. */
	if (ls != LOOP_CLOSED && ls != LOOP_OUTPUT_ERROR) {
		rc = source_cw_release(src, &held);
		if (rc == SINK_CLOSED)
			ls = LOOP_CLOSED;
		else if (rc == SINK_ERROR && ls != LOOP_ERROR) {
			free(*cause);
			*cause = held;
			held = NULL;
			ls = LOOP_OUTPUT_ERROR;
		}
		free(held);
	}
	if (ls == LOOP_CLOSED) {
		status = EXIT_OK;
		goto out;
	}
	if (source_cw_described(src) != NULL)
		errors_set_reason(pipeline_errors(p),
		    source_cw_described(src)->failure_reason);
	/* Whatever stopped the run, what was read reaches the outputs. */
	status = finish(r,
	    ls == LOOP_DONE || ls == LOOP_QUIT ? EXIT_OK
		: ls == LOOP_INTERRUPTED       ? EXIT_INTERRUPTED
		: ls == LOOP_ERROR	       ? EXIT_AWS
					       : EXIT_RUNTIME,
	    ls == LOOP_DONE, cause);
	/* The job is over; the UI shows it until the user quits. */
	if (ls == LOOP_DONE && r->tui != NULL && *cause == NULL &&
	    ui_linger(r, a.http) == LOOP_INTERRUPTED)
		status = EXIT_INTERRUPTED;
	if (ls == LOOP_DONE || ls == LOOP_INTERRUPTED || ls == LOOP_QUIT) {
		log_info("%s", source_cw_summary(src));
		hosts_seen(src, p);
	}
	/* Followed to its end, the job's outcome is the exit status. */
	if (ls == LOOP_DONE && so.follow && status == EXIT_OK) {
		if (source_cw_job(src) == JOB_FAILED)
			status = EXIT_JOB_FAILED;
		else if (source_cw_job(src) == JOB_STOPPED)
			status = EXIT_JOB_STOPPED;
	}
out:
	r->src = NULL;
	source_cw_free(src);
	aws_stack_close(&a);
	return (status);
}

/* Write b to standard output; an exit status. */
static int
print_buf(const struct buf *b)
{
	if (b->len > 0)
		fwrite(b->data, 1, b->len, stdout);
	return (
	    fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_RUNTIME);
}

/* --list [PATTERN] [--status S]: an exit status. */
static int
run_list(const struct options *o, char **cause)
{
	struct aws_stack a;
	struct buf b = BUF_INIT;
	int status = EXIT_USAGE;

	log_set_debug(o->debug);
	if (loop_signals_init(cause) != 0)
		return (EXIT_RUNTIME);
	if (aws_stack_open(o, &a, cause) != 0)
		goto out;
	switch (joblist_run(
	    a.aws, a.http, o->job, o->status, clock_wall_ms(), &b, cause)) {
	case JOBLIST_OK:
		status = print_buf(&b);
		break;
	case JOBLIST_AWS:
		status = EXIT_AWS;
		break;
	case JOBLIST_INTERRUPTED:
		status = EXIT_INTERRUPTED;
		break;
	}
out:
	aws_stack_close(&a);
	buf_free(&b);
	return (status);
}

static int
run(const struct options *o, char **cause)
{
	struct run r;
	struct rules *rules;
	struct pipeline *p = NULL;
	struct source_files *sf = NULL;
	char *prefix = NULL;
	enum sink_status rc;
	int status = EXIT_USAGE;

	memset(&r, 0, sizeof r);
	r.o = o;
	log_set_debug(o->debug);
	rules = rules_new();
	if (load_rules(o, rules, cause) != 0 || make_selection(&r, cause) != 0)
		goto out;
	prefix = stream_prefix(o);
	/* Signals first: opening a FIFO given to --from can block. */
	if (loop_signals_init(cause) != 0) {
		status = EXIT_RUNTIME;
		goto out;
	}
	if (o->from.n > 0) {
		loop_signals_interrupt_io();
		if ((sf = open_files(o, prefix, cause)) == NULL)
			goto out;
	}
	/* Finite input is merged by time; a followed job comes as it comes. */
	p = pipeline_new(rules,
	    o->from.n > 0 || o->no_follow ? STORE_ORDERED : STORE_LIVE,
	    o->hold_limit);
	add_assignments(o, p);
	pipeline_set_window(p, o->since, o->until);
	status = EXIT_RUNTIME;
	r.p = p;
	if (want_ui(o) && ui_open(&r, cause) != 0)
		goto out;
	if ((status = add_sinks(&r, rules, cause)) != EXIT_OK)
		goto out;
	if (sf == NULL) {
		status = run_cloudwatch(&r, prefix, cause);
		goto out;
	}
	/* The UI runs on this thread between events: read on it too. */
	source_files_set_jobs(sf, r.tui != NULL ? 1 : jobs(o));
	/* SINK_CLOSED: every reader went away, nothing is left to finish. */
	rc = source_files_run(sf, p, files_stop, &r, cause);
	if (rc == SINK_OK && !loop_signal())
		no_events_hint(sf, prefix);
	if (source_files_failed(sf) > 0)
		log_error("%zu file%s could not be read (named above); the "
			  "output holds the events of every other file",
		    source_files_failed(sf),
		    source_files_failed(sf) == 1 ? "" : "s");
	if (rc != SINK_CLOSED)
		status = finish(&r,
		    rc == SINK_ERROR		      ? EXIT_RUNTIME
			: loop_signal()		      ? EXIT_INTERRUPTED
			: source_files_failed(sf) > 0 ? EXIT_RUNTIME
						      : EXIT_OK,
		    rc == SINK_OK && !loop_signal() && !r.quit &&
			source_files_failed(sf) == 0,
		    cause);
	else
		status = EXIT_OK;
	if (r.tui != NULL && !r.quit && status == EXIT_OK &&
	    ui_linger(&r, NULL) == LOOP_INTERRUPTED)
		status = EXIT_INTERRUPTED;
out:
	/* The terminal back first, so held messages come before errors. */
	tui_end(r.tui);
	if (o->summary && p != NULL && status != EXIT_USAGE)
		summary(p);
	pipeline_free(p);
	selection_free(r.selected);
	tui_free(r.tui);
	source_files_free(sf);
	rules_free(rules);
	free(prefix);
	return (status);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct buf b = BUF_INIT;
	char *cause = NULL;
	int status;

	/* A closed pipe is seen as EPIPE from write(2), then a quiet stop. */
	signal(SIGPIPE, SIG_IGN);
	if (cli_parse(argc, argv, &o, &cause) != 0) {
		log_error("%s", cause);
		fprintf(stderr, "Try 'cwdemux --help'.\n");
		free(cause);
		cli_free(&o);
		return (EXIT_USAGE);
	}
	if (o.help || o.version) {
		if (o.help)
			cli_usage();
		else
			printf("cwdemux %s\n", CWDEMUX_VERSION);
		cli_free(&o);
		return (fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK
							       : EXIT_RUNTIME);
	}
	if (o.completion != NULL) {
		completion_script(o.completion, &b);
		status = print_buf(&b);
		buf_free(&b);
	} else if (o.list)
		status = run_list(&o, &cause);
	else if (o.check)
		status = check_run(&o);
	else
		status = run(&o, &cause);
	if (cause != NULL) {
		log_error("%s", cause);
		free(cause);
	}
	cli_free(&o);
	return (status);
}
