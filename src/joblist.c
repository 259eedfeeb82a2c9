/*
 * --list. SageMaker sorts and filters the list itself, but an emulator
 * may not (moto applies MaxResults before NameContains and ignores the
 * order), so pages are read until JOBLIST_MAX jobs match or the list ends
 * (at most JOBLIST_PAGES pages), and sorted here, newest first. A job whose
 * description fails still shows, its groups as "?".
 */
#include <stdlib.h>
#include <string.h>

#include "joblist.h"
#include "log.h"
#include "loop.h"
#include "sagemaker.h"
#include "sanitize.h"
#include "xmalloc.h"

/* Pages of ListTrainingJobs read at most (100 jobs each). */
#define JOBLIST_PAGES 10

struct row {
	struct sagemaker_summary sum;
	struct sagemaker_job job; /* described: job.status set */
	struct joblist *jl;
};

struct joblist {
	struct row *rows;
	size_t n, cap;
	size_t pending;
	char *next; /* the next page's token */
	int failed; /* a ListTrainingJobs call failed */
	char *cause;
	unsigned undescribed; /* descriptions that failed */
	char *describe_cause; /* the first one's cause */
};

static void
on_page(void *arg, const struct aws_result *r)
{
	struct joblist *jl = arg;
	struct sagemaker_list page;
	size_t i;

	jl->pending--;
	free(jl->next);
	jl->next = NULL;
	if (r->error != AWS_OK) {
		jl->failed = 1;
		jl->cause = xstrdup(r->cause);
		return;
	}
	if (sagemaker_parse_list(r->body, r->len, &page, &jl->cause) != 0) {
		jl->failed = 1;
		return;
	}
	for (i = 0; i < page.n; i++) {
		if (jl->n == jl->cap) {
			jl->cap = jl->cap == 0 ? 64 : jl->cap * 2;
			jl->rows =
			    xreallocarray(jl->rows, jl->cap, sizeof *jl->rows);
		}
		memset(&jl->rows[jl->n], 0, sizeof *jl->rows);
		jl->rows[jl->n].sum = page.v[i];
		jl->rows[jl->n].jl = jl;
		jl->n++;
	}
	page.n = 0; /* the rows own the summaries now */
	jl->next = page.next;
	page.next = NULL;
	sagemaker_list_free(&page);
}

static void
on_job(void *arg, const struct aws_result *r)
{
	struct row *row = arg;
	struct joblist *jl = row->jl;
	char *cause = NULL;

	jl->pending--;
	if (r->error == AWS_OK &&
	    sagemaker_parse_job(r->body, r->len, &row->job, &cause) == 0)
		return;
	if (jl->undescribed++ == 0)
		jl->describe_cause = cause != NULL ? cause : xstrdup(r->cause);
	else
		free(cause);
}

static int
newest_first(const void *a, const void *b)
{
	const struct row *ra = a, *rb = b;

	if (ra->sum.created != rb->sum.created)
		return (ra->sum.created > rb->sum.created ? -1 : 1);
	return (strcmp(ra->sum.name, rb->sum.name));
}

/* "45s", "12m", "5h", "3d". */
static void
add_age(struct buf *b, int64_t created, int64_t now)
{
	int64_t s = created > 0 && now > created ? (now - created) / 1000 : 0;

	if (created <= 0)
		buf_adds(b, "?");
	else if (s < 60)
		buf_printf(b, "%llds", (long long)s);
	else if (s < 3600)
		buf_printf(b, "%lldm", (long long)(s / 60));
	else if (s < 48 * 3600)
		buf_printf(b, "%lldh", (long long)(s / 3600));
	else
		buf_printf(b, "%lldd", (long long)(s / 86400));
}

/* "data_group:2,train_group:1"; a job of one group, "homogeneousCluster"
 * as the toolkit names it. */
static void
add_groups(struct buf *b, const struct sagemaker_job *job)
{
	size_t i;

	if (job->status == NULL || job->ngroups == 0) {
		buf_addc(b, '?');
		return;
	}
	for (i = 0; i < job->ngroups; i++) {
		if (i > 0)
			buf_addc(b, ',');
		if (job->groups[i].name != NULL)
			sanitize_field(b, job->groups[i].name,
			    strlen(job->groups[i].name));
		else
			buf_adds(b, "homogeneousCluster");
		buf_printf(b, ":%d", job->groups[i].count);
	}
}

static void
table(struct joblist *jl, size_t n, int64_t now, struct buf *out)
{
	struct buf name = BUF_INIT, status = BUF_INIT;
	size_t i, wn = 4, ws = 6;
	const char *st;

	for (i = 0; i < n; i++) {
		buf_reset(&name);
		sanitize_field(
		    &name, jl->rows[i].sum.name, strlen(jl->rows[i].sum.name));
		wn = name.len > wn ? name.len : wn;
		st = jl->rows[i].sum.status;
		ws = st != NULL && strlen(st) > ws ? strlen(st) : ws;
	}
	buf_printf(out, "%-*s  %-*s  %4s  %s\n", (int)wn, "NAME", (int)ws,
	    "STATUS", "AGE", "GROUPS");
	for (i = 0; i < n; i++) {
		buf_reset(&name);
		sanitize_field(
		    &name, jl->rows[i].sum.name, strlen(jl->rows[i].sum.name));
		buf_reset(&status);
		st = jl->rows[i].sum.status;
		sanitize_field(
		    &status, st != NULL ? st : "", st ? strlen(st) : 0);
		buf_printf(out, "%-*s  %-*s  ", (int)wn, name.data, (int)ws,
		    status.data);
		buf_reset(&name);
		add_age(&name, jl->rows[i].sum.created, now);
		buf_printf(out, "%4s  ", name.data);
		add_groups(out, &jl->rows[i].job);
		buf_addc(out, '\n');
	}
	buf_free(&name);
	buf_free(&status);
}

static void
joblist_free(struct joblist *jl)
{
	size_t i;

	for (i = 0; i < jl->n; i++) {
		free(jl->rows[i].sum.name);
		free(jl->rows[i].sum.status);
		sagemaker_job_free(&jl->rows[i].job);
	}
	free(jl->rows);
	free(jl->next);
	free(jl->cause);
	free(jl->describe_cause);
}

/* Run the calls in flight; a status other than JOBLIST_OK ends the list. */
static enum joblist_status
wait_calls(struct joblist *jl, struct http *http, struct aws *aws, char **cause)
{
	switch (loop_calls(http, aws, &jl->pending, cause)) {
	case LOOP_DONE:
		break;
	case LOOP_INTERRUPTED:
		return (JOBLIST_INTERRUPTED);
	default:
		return (JOBLIST_AWS);
	}
	if (!jl->failed)
		return (JOBLIST_OK);
	*cause = jl->cause;
	jl->cause = NULL;
	return (JOBLIST_AWS);
}

enum joblist_status
joblist_run(struct aws *aws, struct http *http, const char *pattern,
    const char *status, int64_t now, struct buf *out, char **cause)
{
	struct joblist jl;
	enum joblist_status rc;
	char *body;
	size_t i, n;
	int pages = 0;

	memset(&jl, 0, sizeof jl);
	do {
		body = sagemaker_list_body(pattern, status, jl.next);
		jl.pending = 1;
		aws_call(aws, SERVICE_SAGEMAKER, "ListTrainingJobs", body,
		    on_page, &jl);
		free(body);
		if ((rc = wait_calls(&jl, http, aws, cause)) != JOBLIST_OK)
			goto out;
	} while (
	    jl.next != NULL && jl.n < JOBLIST_MAX && ++pages < JOBLIST_PAGES);
	if (jl.n > 0)
		qsort(jl.rows, jl.n, sizeof *jl.rows, newest_first);
	n = jl.n < JOBLIST_MAX ? jl.n : JOBLIST_MAX;
	jl.pending = n;
	for (i = 0; i < n; i++) {
		body = sagemaker_describe_body(jl.rows[i].sum.name);
		aws_call(aws, SERVICE_SAGEMAKER, "DescribeTrainingJob", body,
		    on_job, &jl.rows[i]);
		free(body);
	}
	if ((rc = wait_calls(&jl, http, aws, cause)) != JOBLIST_OK)
		goto out;
	if (jl.undescribed > 0)
		log_warn(
		    "the instance groups of %u job%s are not known (\"?\"): "
		    "%s",
		    jl.undescribed, jl.undescribed == 1 ? "" : "s",
		    jl.describe_cause);
	if (n > 0)
		table(&jl, n, now, out);
	else
		log_info("no training jobs%s%s%s%s",
		    pattern ? " whose name holds " : "", pattern ? pattern : "",
		    status ? " in status " : "", status ? status : "");
out:
	joblist_free(&jl);
	return (rc);
}
