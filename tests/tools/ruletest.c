/*
 * ruletest: runs the data-driven rule tests (the .test files in tests/rules) through
 * the real rules, classify and store. A file holds cases:
 *
 *   === NAME                  starts a case
 *   options: no-default-rules hold-limit=N     (optional)
 *   assign: HOST=GROUP        (optional, repeatable)
 *   rules:                    extra rule lines follow, indented
 *   events:                   "STREAM MESSAGE" lines follow, indented;
 *                             in MESSAGE \n \t \\ \xNN are escapes;
 *                             "@MS STREAM MESSAGE" gives a timestamp
 *                             (default 0)
 *   expect:                   "HOST GROUP" lines ("unassigned" = none)
 *   output:                   "GROUP HOST LINE" lines, in release order
 *   errors:                   the errors found, in order, one a line:
 *                             "SEVERITY ROLE HOST LINES SUMMARY", HOST
 *                             being "HOST rank R" for an MPI rank's, or
 *                             "HOST rank R (host unknown)"
 *   marks:                    each event's mark and error, in release
 *                             order: "plain", "warning 0", "error 1",
 *                             "trace 1"
 *   first: HOST SUMMARY       the first failure ("first: none": no error)
 *   warn: TEXT                a warning containing TEXT must be printed
 *   error: TEXT               loading the rules must fail with TEXT
 *
 * Prints a FAIL line per mismatch and "# rules: N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "classify.h"
#include "errors.h"
#include "log.h"
#include "pipeline.h"
#include "rules.h"

enum section {
	S_NONE,
	S_RULES,
	S_EVENTS,
	S_EXPECT,
	S_OUTPUT,
	S_ERRORS,
	S_MARKS
};

struct tcase {
	char name[256];
	const char *file;
	unsigned line;
	int no_default;
	size_t hold_limit;
	struct buf rules, events, expect, output, warn, error, assign;
	struct buf errors, marks, first;
	int want_errors, want_marks, want_expect;
};

/* What the collecting sink saw. */
struct collected {
	struct buf out; /* "GROUP HOST LINE" lines */
	struct buf marks; /* one mark a line */
};

static int passed, failed;

static void
fail(const struct tcase *t, const char *fmt, const char *a, const char *b)
{
	failed++;
	printf("FAIL %s:%u %s: ", t->file, t->line, t->name);
	printf(fmt, a, b);
	putchar('\n');
}

/* Decode the escapes of an event message in place; returns its length. */
static size_t
unescape(char *s)
{
	char *r = s, *w = s;
	unsigned v;

	while (*r != '\0') {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case 'n':
			*w++ = '\n';
			r++;
			break;
		case 't':
			*w++ = '\t';
			r++;
			break;
		case 'x':
			if (sscanf(r + 1, "%2x", &v) == 1) {
				*w++ = (char)v;
				r += 3;
				break;
			}
			/* FALLTHROUGH */
		default:
			*w++ = *r++;
			break;
		}
	}
	return ((size_t)(w - s));
}

/* Decode only \xNN in expected text, which may hold other backslashes. */
static void
unescape_hex(struct buf *b)
{
	char *r, *w;
	unsigned v;

	if (b->data == NULL)
		return;
	for (r = w = b->data; r < b->data + b->len;) {
		if (r[0] == '\\' && r[1] == 'x' &&
		    sscanf(r + 2, "%2x", &v) == 1) {
			*w++ = (char)v;
			r += 4;
		} else
			*w++ = *r++;
	}
	b->len = (size_t)(w - b->data);
	*w = '\0';
}

static const char *const mark_names[] = {"plain", "trace", "warning", "error"};

static enum sink_status
collect_event(void *state, const struct out_event *ev, char **cause)
{
	struct collected *c = state;
	struct buf *b = &c->out;
	const char *p = ev->msg, *end = ev->msg + ev->len, *nl;

	(void)cause;
	buf_adds(&c->marks, mark_names[ev->mark]);
	if (ev->mark != EVENT_PLAIN)
		buf_printf(&c->marks, " %ld", ev->error);
	buf_addc(&c->marks, '\n');
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		buf_add(b, ev->group, ev->group_len);
		buf_addc(b, ' ');
		buf_add(b, ev->host, ev->host_len);
		buf_addc(b, ' ');
		buf_add(b, p, (size_t)((nl != NULL ? nl : end) - p));
		buf_addc(b, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return (SINK_OK);
}

static enum sink_status
collect_finish(void *state, char **cause)
{
	(void)state;
	(void)cause;
	return (SINK_OK);
}

static void
collect_free(void *state)
{
	(void)state;
}

static const struct sink collect_sink = {
    .name = "collect",
    .event = collect_event,
    .finish = collect_finish,
    .free = collect_free,
};

/* Capture what the program warns on stderr into a file we read back. */
static FILE *
capture_stderr(int *saved)
{
	FILE *f = tmpfile();

	fflush(stderr);
	*saved = dup(2);
	dup2(fileno(f), 2);
	return (f);
}

static void
restore_stderr(FILE *f, int saved, struct buf *out)
{
	char chunk[4096];
	size_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
}

static void
check_expect(const struct tcase *t, struct pipeline *p, struct buf *got)
{
	(void)p;
	if (strcmp(got->data == NULL ? "" : got->data,
		t->expect.data == NULL ? "" : t->expect.data) != 0)
		fail(t, "assignments differ:\n--- got\n%s--- want\n%s",
		    got->data == NULL ? "" : got->data,
		    t->expect.data == NULL ? "" : t->expect.data);
	else
		passed++;
}

/* Compare a listing with what the case wants. */
static void
check_text(const struct tcase *t, const char *what, const struct buf *got,
    const struct buf *want)
{
	const char *g = got->data == NULL ? "" : got->data;
	const char *w = want->data == NULL ? "" : want->data;

	if (strcmp(g, w) != 0) {
		failed++;
		printf("FAIL %s:%u %s: %s differ:\n--- got\n%s--- want\n%s",
		    t->file, t->line, t->name, what, g, w);
	} else
		passed++;
}

/* HOST, or "HOST rank R" or "HOST rank R (host unknown)". */
static void
add_host(struct buf *b, const struct errors_entry *e)
{
	buf_add(b, e->host, e->host_len);
	if (e->ranked)
		buf_printf(b, " rank %u%s", e->rank,
		    e->rank_placed ? "" : " (host unknown)");
}

/* "SEVERITY ROLE HOST LINES SUMMARY" for every error found. */
static void
list_errors(struct errors *es, struct buf *b)
{
	const struct errors_entry *e;
	size_t i;

	for (i = 0; (e = errors_at(es, i)) != NULL; i++) {
		buf_printf(b, "%s %s ",
		    e->severity == RULE_SEV_ERROR ? "error" : "warning",
		    e->role == RULE_CAUSE ? "cause" : "consequence");
		add_host(b, e);
		buf_printf(b, " %u ", e->lines);
		buf_add(b, e->summary, e->summary_len);
		buf_addc(b, '\n');
	}
}

static void
check_errors(const struct tcase *t, struct pipeline *p, struct collected *c)
{
	struct errors *es = pipeline_errors(p);
	const struct errors_entry *first = errors_first(es);
	struct buf got = BUF_INIT;

	if (t->want_errors) {
		list_errors(es, &got);
		check_text(t, "errors", &got, &t->errors);
	}
	if (t->want_marks)
		check_text(t, "marks", &c->marks, &t->marks);
	if (t->first.len > 0) {
		buf_reset(&got);
		if (first == NULL)
			buf_adds(&got, "none");
		else {
			add_host(&got, first);
			buf_addc(&got, ' ');
			buf_add(&got, first->summary, first->summary_len);
		}
		buf_addc(&got, '\n');
		check_text(t, "first failure", &got, &t->first);
	}
	buf_free(&got);
}

static void
run_case(struct tcase *t)
{
	struct rules *rules = rules_new();
	struct pipeline *p = NULL;
	struct collected col = {BUF_INIT, BUF_INIT};
	struct buf *out = &col.out, errs = BUF_INIT, hosts = BUF_INIT;
	char *cause = NULL, *line, *save, *sp, *eq, empty[1] = "", *msg;
	long long ts;
	size_t len;
	FILE *cap;
	int saved;

	buf_reserve(&t->assign, 0);
	buf_reserve(&t->events, 0);
	unescape_hex(&t->expect);
	unescape_hex(&t->output);
	unescape_hex(&t->errors);
	unescape_hex(&t->first);
	cap = capture_stderr(&saved);
	if ((!t->no_default && rules_load_default(rules, &cause) != 0) ||
	    (t->rules.len > 0 &&
		rules_load(
		    rules, "case", t->rules.data, t->rules.len, &cause) != 0)) {
		restore_stderr(cap, saved, &errs);
		if (t->error.len == 0)
			fail(t, "rules failed to load: %s%s", cause, "");
		else if (strstr(cause, t->error.data) == NULL)
			fail(t, "error \"%s\" lacks \"%s\"", cause,
			    t->error.data);
		else
			passed++;
		goto out;
	}
	if (t->error.len > 0) {
		restore_stderr(cap, saved, &errs);
		fail(t, "rules loaded, but want error \"%s\"%s", t->error.data,
		    "");
		goto out;
	}
	p = pipeline_new(rules, STORE_ORDERED,
	    t->hold_limit != 0 ? t->hold_limit : (size_t)64 << 20);
	pipeline_add_sink(p, &collect_sink, &col);
	for (line = strtok_r(t->assign.data, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		pipeline_assign(
		    p, line, (size_t)(eq - line), eq + 1, strlen(eq + 1));
	}
	for (line = strtok_r(t->events.data, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		msg = empty;
		len = 0;
		ts = 0;
		if (line[0] == '@' && (sp = strchr(line, ' ')) != NULL) {
			ts = strtoll(line + 1, NULL, 10);
			line = sp + 1;
		}
		if ((sp = strchr(line, ' ')) != NULL) {
			*sp = '\0';
			msg = sp + 1;
			len = unescape(msg);
		}
		pipeline_event(p, pipeline_stream(p, line, strlen(line)),
		    (int64_t)ts, msg, len, &cause);
	}
	pipeline_finish(p, &cause);
	restore_stderr(cap, saved, &errs);
	pipeline_describe_hosts(p, &hosts);
	/* Cases about errors alone need not say where hosts went. */
	if (t->want_expect ||
	    (!t->want_errors && !t->want_marks && t->first.len == 0))
		check_expect(t, p, &hosts);
	check_errors(t, p, &col);
	if (t->output.len > 0) {
		if (strcmp(out->data == NULL ? "" : out->data,
			t->output.data) != 0)
			fail(t, "output differs:\n--- got\n%s--- want\n%s",
			    out->data == NULL ? "" : out->data, t->output.data);
		else
			passed++;
	}
	if (t->warn.len > 0) {
		if (errs.data == NULL ||
		    strstr(errs.data, t->warn.data) == NULL)
			fail(t, "no warning \"%s\" in:\n%s", t->warn.data,
			    errs.data == NULL ? "" : errs.data);
		else
			passed++;
	}
out:
	free(cause);
	pipeline_free(p);
	rules_free(rules);
	buf_free(&col.out);
	buf_free(&col.marks);
	buf_free(&errs);
	buf_free(&hosts);
}

static void
case_reset(struct tcase *t)
{
	buf_free(&t->rules);
	buf_free(&t->events);
	buf_free(&t->expect);
	buf_free(&t->output);
	buf_free(&t->warn);
	buf_free(&t->error);
	buf_free(&t->assign);
	buf_free(&t->errors);
	buf_free(&t->marks);
	buf_free(&t->first);
	memset(t, 0, sizeof *t);
}

/* "key: value" on a case's header line; returns the value or NULL. */
static const char *
keyword(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return (NULL);
	line += n + 1;
	while (*line == ' ')
		line++;
	return (line);
}

static void
parse_options(struct tcase *t, const char *v)
{
	if (strstr(v, "no-default-rules") != NULL)
		t->no_default = 1;
	if ((v = strstr(v, "hold-limit=")) != NULL)
		t->hold_limit = (size_t)strtoull(v + 11, NULL, 10);
}

static int
run_file(const char *path)
{
	struct tcase t;
	enum section sec = S_NONE;
	char *line = NULL, *body;
	const char *v;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	int have = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		printf("FAIL %s: cannot open\n", path);
		failed++;
		return (-1);
	}
	memset(&t, 0, sizeof t);
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "=== ", 4) == 0) {
			if (have)
				run_case(&t);
			case_reset(&t);
			snprintf(t.name, sizeof t.name, "%s", line + 4);
			t.file = path;
			t.line = lineno;
			have = 1;
			sec = S_NONE;
			continue;
		}
		if (!have || line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] == ' ' || line[0] == '\t') {
			for (body = line; *body == ' ' || *body == '\t'; body++)
				;
			struct buf *b = sec == S_RULES ? &t.rules
			    : sec == S_EVENTS	       ? &t.events
			    : sec == S_EXPECT	       ? &t.expect
			    : sec == S_OUTPUT	       ? &t.output
			    : sec == S_ERRORS	       ? &t.errors
			    : sec == S_MARKS	       ? &t.marks
						       : NULL;
			if (b == NULL) {
				printf("FAIL %s:%u: indented line outside a "
				       "section\n",
				    path, lineno);
				failed++;
				continue;
			}
			buf_adds(b, body);
			buf_addc(b, '\n');
			continue;
		}
		if (keyword(line, "rules") != NULL)
			sec = S_RULES;
		else if (keyword(line, "events") != NULL)
			sec = S_EVENTS;
		else if (keyword(line, "expect") != NULL) {
			sec = S_EXPECT;
			t.want_expect = 1;
		} else if (keyword(line, "output") != NULL)
			sec = S_OUTPUT;
		else if (keyword(line, "errors") != NULL) {
			sec = S_ERRORS;
			t.want_errors = 1;
		} else if (keyword(line, "marks") != NULL) {
			sec = S_MARKS;
			t.want_marks = 1;
		} else if ((v = keyword(line, "first")) != NULL) {
			buf_adds(&t.first, v);
			buf_addc(&t.first, '\n');
		} else if ((v = keyword(line, "options")) != NULL)
			parse_options(&t, v);
		else if ((v = keyword(line, "assign")) != NULL) {
			buf_adds(&t.assign, v);
			buf_addc(&t.assign, '\n');
		} else if ((v = keyword(line, "warn")) != NULL)
			buf_adds(&t.warn, v);
		else if ((v = keyword(line, "error")) != NULL)
			buf_adds(&t.error, v);
		else {
			printf("FAIL %s:%u: unknown line \"%s\"\n", path,
			    lineno, line);
			failed++;
		}
	}
	if (have)
		run_case(&t);
	case_reset(&t);
	free(line);
	fclose(f);
	return (0);
}

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		run_file(argv[i]);
	printf("# rules: %d passed, %d failed\n", passed, failed);
	return (failed == 0 && passed > 0 ? 0 : 1);
}
