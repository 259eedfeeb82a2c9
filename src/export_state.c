/*
 * The resume state of an export: its text (built and parsed here), the
 * per-stream positions of this run, and the checks a loaded state must
 * pass before the files it names are cut back. The state is written at
 * checkpoints by export.c, after the files it names are synced, so it
 * never claims bytes a crash could lose.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export_state.h"
#include "json.h"
#include "sanitize.h"
#include "strmap.h"
#include "xmalloc.h"

#define STATE_VERSION 1
#define STATE_MAX (1024L * 1024 * 1024)
/* The longest name export_file_name() makes, with a "~N" of its own. */
#define STATE_FILE_NAME_MAX 224

/* A stream's resume position. */
struct spos {
	char *name;
	size_t len;
	unsigned long long seen; /* events handed over in this run */
	unsigned long long skip; /* events the files held at the start */
};

struct export_state {
	char *dir; /* for messages */
	int dirfd; /* borrowed */
	char *job; /* what the state is written for, or NULL */
	size_t job_len;
	char *placement; /* what placed lines in groups, or NULL */

	struct strmap *streams; /* stream name -> struct spos */
	struct spos **sv;
	size_t sn, scap;
	const char *last_stream; /* cache: interned upstream */
	struct spos *last_pos;

	/* What a load found: groups, their names interned in names. */
	struct export_state_group *groups;
	size_t ngroups, groups_cap;
	struct strmap *names;
	struct strmap *group_names; /* to refuse a group listed twice */
};

static const char hexdigits[] = "0123456789ABCDEF";

struct export_state *
export_state_new(
    const char *dir, int dirfd, const char *job, const char *placement)
{
	struct export_state *st;

	st = xcalloc(1, sizeof *st);
	st->dir = xstrdup(dir);
	st->dirfd = dirfd;
	if (job != NULL) {
		st->job = xstrdup(job);
		st->job_len = strlen(job);
	}
	if (placement != NULL)
		st->placement = xstrdup(placement);
	st->streams = strmap_new();
	st->names = strmap_new();
	st->group_names = strmap_new();
	return (st);
}

void
export_state_free(struct export_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->sn; i++) {
		free(st->sv[i]->name);
		free(st->sv[i]);
	}
	free(st->sv);
	strmap_free(st->streams);
	for (i = 0; i < st->ngroups; i++) {
		free(st->groups[i].hosts);
		free(st->groups[i].streams);
	}
	free(st->groups);
	strmap_free(st->names);
	strmap_free(st->group_names);
	free(st->job);
	free(st->placement);
	free(st->dir);
	free(st);
}

static struct spos *
spos_get(struct export_state *st, const char *name, size_t len)
{
	struct spos *sp;

	if ((sp = strmap_get(st->streams, name, len)) != NULL)
		return (sp);
	sp = xcalloc(1, sizeof *sp);
	sp->name = xmemdup(name, len);
	sp->len = len;
	strmap_put(st->streams, name, len, sp);
	st->sv = xgrow(st->sv, st->sn, &st->scap, 64, sizeof *st->sv);
	st->sv[st->sn++] = sp;
	return (sp);
}

int
export_state_seen(struct export_state *st, const char *stream, size_t len)
{
	if (stream != st->last_stream) {
		st->last_pos = spos_get(st, stream, len);
		st->last_stream = stream;
	}
	return (++st->last_pos->seen <= st->last_pos->skip);
}

struct spos *
export_state_stream(struct export_state *st, const char *stream, size_t len)
{
	return (spos_get(st, stream, len));
}

int
export_state_seen_at(struct export_state *st, struct spos *sp)
{
	/* export_state_seen() must not take it for its own last stream's. */
	st->last_stream = NULL;
	st->last_pos = sp;
	return (++sp->seen <= sp->skip);
}

void
export_state_unsee(struct export_state *st)
{
	if (st->last_pos != NULL && st->last_pos->seen > 0)
		st->last_pos->seen--;
}

unsigned long long
export_state_held(const struct export_state *st)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; i < st->sn; i++)
		n += st->sv[i]->skip;
	return (n);
}

const struct export_state_group *
export_state_groups(const struct export_state *st, size_t *n)
{
	*n = st->ngroups;
	return (st->groups);
}

static void
add_hex(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		buf_addc(b, hexdigits[p[i] >> 4]);
		buf_addc(b, hexdigits[p[i] & 15]);
	}
	buf_addc(b, '"');
}

static void
build_names(struct buf *b, const char *key, const char **v, size_t n)
{
	size_t i;

	buf_printf(b, ", \"%s\": [", key);
	for (i = 0; i < n; i++) {
		buf_adds(b, i == 0 ? "" : ", ");
		add_hex(b, v[i], strlen(v[i]));
	}
	buf_addc(b, ']');
}

void
export_state_build(const struct export_state *st,
    const struct export_state_group *g, size_t n, struct buf *b)
{
	const struct spos *sp;
	size_t i;

	buf_printf(b, "{\"cwdemux_state\": %d,\n\"job_hex\": ", STATE_VERSION);
	if (st->job != NULL)
		add_hex(b, st->job, st->job_len);
	else
		buf_adds(b, "null");
	if (st->placement != NULL) {
		buf_adds(b, ",\n\"placement_hex\": ");
		add_hex(b, st->placement, strlen(st->placement));
	}
	buf_adds(b, ",\n\"groups\": [");
	for (i = 0; i < n; i++) {
		buf_adds(
		    b, i == 0 ? "\n{\"name_hex\": " : ",\n{\"name_hex\": ");
		add_hex(b, g[i].name, g[i].len);
		buf_adds(b, ", \"file\": ");
		json_add_string(b, g[i].file, strlen(g[i].file));
		buf_printf(b,
		    ", \"bytes\": %llu, \"events\": %llu, \"lines\": %llu"
		    ", \"first\": %lld, \"last\": %lld",
		    g[i].bytes, g[i].events, g[i].lines, (long long)g[i].first,
		    (long long)g[i].last);
		build_names(b, "hosts_hex", g[i].hosts, g[i].nhosts);
		build_names(b, "streams_hex", g[i].streams, g[i].nstreams);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\n\"streams\": [");
	for (i = 0; i < st->sn; i++) {
		sp = st->sv[i];
		buf_adds(
		    b, i == 0 ? "\n{\"name_hex\": " : ",\n{\"name_hex\": ");
		add_hex(b, sp->name, sp->len);
		buf_printf(b, ", \"events\": %llu}",
		    sp->seen > sp->skip ? sp->seen : sp->skip);
	}
	buf_adds(b, "]}\n");
}

/* The member key of object o, of type t, or NULL. */
static yajl_val
member(yajl_val o, const char *key, yajl_type t)
{
	const char *path[] = {key, NULL};

	return (yajl_tree_get(o, path, t));
}

/* Decode a hex string value into b; -1 if it is not one. */
static int
unhex(struct buf *b, yajl_val v)
{
	const char *s, *d1, *d2;
	size_t i, len;

	buf_reset(b);
	*buf_reserve(b, 1) = '\0'; /* data is never NULL, even for "" */
	if ((s = YAJL_GET_STRING(v)) == NULL)
		return (-1);
	if ((len = strlen(s)) % 2 != 0)
		return (-1);
	for (i = 0; i < len; i += 2) {
		if ((d1 = strchr(hexdigits, s[i])) == NULL || s[i] == '\0' ||
		    (d2 = strchr(hexdigits, s[i + 1])) == NULL ||
		    s[i + 1] == '\0')
			return (-1);
		buf_addc(b, (char)((d1 - hexdigits) << 4 | (d2 - hexdigits)));
	}
	return (0);
}

/* A count: a non-negative integer member. */
static int
count(yajl_val o, const char *key, unsigned long long *n)
{
	yajl_val v = member(o, key, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
		return (-1);
	*n = (unsigned long long)YAJL_GET_INTEGER(v);
	return (0);
}

static int
timestamp(yajl_val o, const char *key, int64_t *ts)
{
	yajl_val v = member(o, key, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v))
		return (-1);
	*ts = YAJL_GET_INTEGER(v);
	return (0);
}

/* Only a name export_file_name() can make: it stays in DIR, not hidden. */
static int
valid_file(const char *f)
{
	size_t len = strlen(f), i;

	if (len < 5 || len > STATE_FILE_NAME_MAX || f[0] == '.' ||
	    strcmp(f + len - 4, ".log") != 0)
		return (0);
	for (i = 0; i < len; i++)
		if (strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789_-.%~",
			f[i]) == NULL)
			return (0);
	return (1);
}

static const char *
intern(struct export_state *st, const char *s, size_t len)
{
	return (strmap_put(st->names, s, len, st));
}

/* The hex names of array key, interned, into *v and *n; -1 if bad. */
static int
load_names(struct export_state *st, yajl_val g, const char *key,
    const char ***v, size_t *n, struct buf *b)
{
	yajl_val a = member(g, key, yajl_t_array);
	size_t i;

	if (a == NULL)
		return (-1);
	*v = xreallocarray(NULL, a->u.array.len + 1, sizeof **v);
	for (i = 0; i < a->u.array.len; i++) {
		if (unhex(b, a->u.array.values[i]) != 0)
			return (-1);
		(*v)[(*n)++] = intern(st, b->data, b->len);
	}
	return (0);
}

/* One group of the state; what is wrong with it, or NULL. */
static const char *
load_group(struct export_state *st, yajl_val o, struct buf *b)
{
	struct export_state_group *g;
	const char *file;
	size_t i;

	if (!YAJL_IS_OBJECT(o) || unhex(b, member(o, "name_hex", yajl_t_any)))
		return ("a group without a valid name");
	if (strmap_get(st->group_names, b->data, b->len) != NULL)
		return ("a group listed twice");
	file = YAJL_GET_STRING(member(o, "file", yajl_t_string));
	if (file == NULL || !valid_file(file))
		return ("a group with a bad file name");
	for (i = 0; i < st->ngroups; i++)
		if (strcmp(st->groups[i].file, file) == 0)
			return ("two groups with one file");
	st->groups = xgrow(
	    st->groups, st->ngroups, &st->groups_cap, 8, sizeof *st->groups);
	g = &st->groups[st->ngroups++];
	memset(g, 0, sizeof *g);
	strmap_put(st->group_names, b->data, b->len, st);
	g->name = intern(st, b->data, b->len);
	g->len = b->len;
	g->file = intern(st, file, strlen(file));
	if (count(o, "bytes", &g->bytes) != 0 ||
	    count(o, "events", &g->events) != 0 ||
	    count(o, "lines", &g->lines) != 0 ||
	    timestamp(o, "first", &g->first) != 0 ||
	    timestamp(o, "last", &g->last) != 0)
		return ("a group with a bad count");
	if (load_names(st, o, "hosts_hex", &g->hosts, &g->nhosts, b) != 0 ||
	    load_names(st, o, "streams_hex", &g->streams, &g->nstreams, b) != 0)
		return ("a group with bad host or stream names");
	return (NULL);
}

static const char *
load_stream(struct export_state *st, yajl_val o, struct buf *b)
{
	struct spos *sp;

	if (!YAJL_IS_OBJECT(o) || unhex(b, member(o, "name_hex", yajl_t_any)))
		return ("a stream without a valid name");
	if (strmap_get(st->streams, b->data, b->len) != NULL)
		return ("a stream listed twice");
	sp = spos_get(st, b->data, b->len);
	if (count(o, "events", &sp->skip) != 0)
		return ("a stream with a bad count");
	return (NULL);
}

/* Whether the state's job (v: its hex, or null) is this state's job. */
static int
same_job(struct export_state *st, yajl_val v, struct buf *job, char **cause)
{
	struct buf b = BUF_INIT;

	if (YAJL_IS_NULL(v) == (st->job == NULL) &&
	    (st->job == NULL ||
		(job->len == st->job_len &&
		    memcmp(job->data, st->job, job->len) == 0)))
		return (1);
	buf_adds(&b, "the export there is of ");
	if (YAJL_IS_NULL(v))
		buf_adds(&b, "no job");
	else {
		buf_adds(&b, "job ");
		sanitize_field(&b, job->data, job->len);
	}
	buf_adds(&b, "; give another directory");
	xasprintf(cause, "%s/%s: %s", st->dir, EXPORT_STATE_FILE, b.data);
	buf_free(&b);
	return (0);
}

/* A placement's settings on one line, for a message. */
static void
placement_line(struct buf *b, const char *s, size_t len)
{
	const char *end = s + len, *nl;

	if (len == 0) {
		buf_adds(b, "(none)");
		return;
	}
	for (;;) {
		nl = memchr(s, '\n', (size_t)(end - s));
		sanitize_term(b, s, (size_t)((nl != NULL ? nl : end) - s));
		if (nl == NULL)
			break;
		buf_adds(b, "; ");
		s = nl + 1;
	}
}

/*
 * Whether the state was placed as this run places (v: its hex, or NULL
 * when the state is older than the record): the same rules and --assign,
 * or a host would be split over two files.
 */
static int
same_placement(struct export_state *st, yajl_val v, char **cause)
{
	struct buf b = BUF_INIT, there = BUF_INIT;
	const char *here = st->placement != NULL ? st->placement : "";
	int same;

	if (v == NULL)
		return (1);
	if (unhex(&there, v) != 0) {
		xasprintf(cause, "%s/%s: no valid placement", st->dir,
		    EXPORT_STATE_FILE);
		buf_free(&there);
		return (0);
	}
	same = there.len == strlen(here) &&
	    memcmp(there.data, here, there.len) == 0;
	if (!same) {
		buf_adds(&b,
		    "the export there was placed in groups by other "
		    "settings (there: ");
		placement_line(&b, there.data, there.len);
		buf_adds(&b, "; here: ");
		placement_line(&b, here, strlen(here));
		buf_adds(&b,
		    "), and resuming it would split hosts over two "
		    "files: give the same --rules and --assign, or "
		    "another directory");
		xasprintf(
		    cause, "%s/%s: %s", st->dir, EXPORT_STATE_FILE, b.data);
	}
	buf_free(&b);
	buf_free(&there);
	return (same);
}

/* The state in text; -1 with cause (says what is wrong). */
static int
state_parse(struct export_state *st, const char *text, size_t len, char **cause)
{
	yajl_val root, v, a;
	struct buf b = BUF_INIT, job = BUF_INIT;
	const char *bad = NULL;
	char err[256];
	size_t i;

	if ((root = json_tree_parse(text, len, err, sizeof err)) == NULL) {
		xasprintf(cause, "%s/%s: not a state file: %s", st->dir,
		    EXPORT_STATE_FILE, err);
		return (-1);
	}
	v = member(root, "cwdemux_state", yajl_t_number);
	if (!YAJL_IS_OBJECT(root) || v == NULL || !YAJL_IS_INTEGER(v) ||
	    YAJL_GET_INTEGER(v) != STATE_VERSION)
		bad = "not a state file of this version";
	else if ((v = member(root, "job_hex", yajl_t_any)) == NULL ||
	    (!YAJL_IS_NULL(v) && unhex(&job, v) != 0))
		bad = "no valid job";
	else if (!same_job(st, v, &job, cause) ||
	    !same_placement(
		st, member(root, "placement_hex", yajl_t_any), cause))
		goto out;
	if (bad == NULL && (a = member(root, "groups", yajl_t_array)) == NULL)
		bad = "no groups";
	for (i = 0; bad == NULL && i < a->u.array.len; i++)
		bad = load_group(st, a->u.array.values[i], &b);
	if (bad == NULL && (a = member(root, "streams", yajl_t_array)) == NULL)
		bad = "no streams";
	for (i = 0; bad == NULL && i < a->u.array.len; i++)
		bad = load_stream(st, a->u.array.values[i], &b);
	if (bad != NULL)
		xasprintf(cause, "%s/%s: %s", st->dir, EXPORT_STATE_FILE, bad);
out:
	yajl_tree_free(root);
	buf_free(&b);
	buf_free(&job);
	return (*cause != NULL ? -1 : 0);
}

/* Read the state file fd (closed here); -1 with cause. */
static int
state_read(struct export_state *st, int fd, char **cause)
{
	struct buf text = BUF_INIT;
	ssize_t n;
	int rc;

	for (;;) {
		n = read(fd, buf_reserve(&text, 65536), 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text.len += (size_t)n;
		if (text.len > STATE_MAX) {
			n = 0;
			errno = EFBIG;
			break;
		}
	}
	if (n < 0 || text.len > STATE_MAX) {
		xasprintf(cause, "%s/%s: %s", st->dir, EXPORT_STATE_FILE,
		    strerror(errno));
		rc = -1;
	} else
		rc = state_parse(
		    st, text.data != NULL ? text.data : "", text.len, cause);
	close(fd);
	buf_free(&text);
	return (rc);
}

/*
 * Each group's file must hold at least what the state says: a shorter one
 * was changed by someone else, and the export cannot go on. Checked for
 * all before any is cut, so a refused directory is left as it was.
 */
static int
check_files(struct export_state *st, int *usage, char **cause)
{
	const struct export_state_group *g;
	struct stat st_;
	size_t i;

	for (i = 0; i < st->ngroups; i++) {
		g = &st->groups[i];
		if (fstatat(st->dirfd, g->file, &st_, AT_SYMLINK_NOFOLLOW) !=
		    0) {
			if (errno == ENOENT && g->bytes == 0)
				continue;
			*usage = errno == ENOENT;
			xasprintf(cause, "%s/%s: %s", st->dir, g->file,
			    strerror(errno));
			return (-1);
		}
		if (!S_ISREG(st_.st_mode) ||
		    (unsigned long long)st_.st_size < g->bytes) {
			*usage = 1;
			xasprintf(cause,
			    "%s/%s: %s the %llu bytes %s/%s says it holds; "
			    "it was changed since",
			    st->dir, g->file,
			    S_ISREG(st_.st_mode) ? "shorter than"
						 : "not a file holding",
			    g->bytes, st->dir, EXPORT_STATE_FILE);
			return (-1);
		}
	}
	return (0);
}

/*
 * Cut each group's file back to what the state says it holds: a kill may
 * have left more, which this run writes again.
 */
static int
cut_files(struct export_state *st, char **cause)
{
	const struct export_state_group *g;
	size_t i;
	int fd;

	for (i = 0; i < st->ngroups; i++) {
		g = &st->groups[i];
		fd = openat(
		    st->dirfd, g->file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && g->bytes == 0)
			continue;
		if (fd < 0 || ftruncate(fd, (off_t)g->bytes) != 0) {
			xasprintf(cause, "%s/%s: %s", st->dir, g->file,
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			return (-1);
		}
		close(fd);
	}
	return (0);
}

int
export_state_load(struct export_state *st, int *usage, char **cause)
{
	int fd;

	*usage = 0;
	fd = openat(
	    st->dirfd, EXPORT_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return (0);
	if (fd < 0) {
		*usage = errno == ELOOP;
		xasprintf(cause, "%s/%s: %s", st->dir, EXPORT_STATE_FILE,
		    strerror(errno));
		return (-1);
	}
	if (state_read(st, fd, cause) != 0) {
		*usage = 1;
		return (-1);
	}
	if (check_files(st, usage, cause) != 0 || cut_files(st, cause) != 0)
		return (-1);
	return (1);
}
