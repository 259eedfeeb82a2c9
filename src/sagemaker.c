/*
 * DescribeTrainingJob and ListTrainingJobs. The answers are small, so they
 * are parsed as yajl trees. SageMaker's JSON 1.1 times are epoch seconds
 * with a fraction.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "json.h"
#include "sagemaker.h"
#include "xmalloc.h"

char *
sagemaker_describe_body(const char *job)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "{\"TrainingJobName\":");
	json_add_string(&b, job, strlen(job));
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

static char *
get_string(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

	return (v == NULL ? NULL : xstrdup(v->u.string));
}

/* Seconds beyond any real time (year 33658) are unknown, not overflowed. */
#define SAGEMAKER_SECONDS_MAX 1e12

static int64_t
get_ms(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);
	double s;

	if (v == NULL)
		return (0);
	if (YAJL_IS_DOUBLE(v))
		s = YAJL_GET_DOUBLE(v);
	else if (YAJL_IS_INTEGER(v))
		s = (double)YAJL_GET_INTEGER(v);
	else
		return (0);
	if (!(s >= -SAGEMAKER_SECONDS_MAX && s <= SAGEMAKER_SECONDS_MAX))
		return (0);
	return ((int64_t)(s * 1000.0));
}

static int
get_int(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
	    YAJL_GET_INTEGER(v) > 1000000)
		return (0);
	return ((int)YAJL_GET_INTEGER(v));
}

static void
parse_resources(yajl_val rc, struct sagemaker_job *job)
{
	const char *groups_path[] = {"InstanceGroups", NULL};
	yajl_val list, g;
	size_t i;

	list = yajl_tree_get(rc, groups_path, yajl_t_array);
	if (list == NULL || list->u.array.len == 0) {
		job->groups = xcalloc(1, sizeof *job->groups);
		job->ngroups = 1;
		job->groups[0].instance_type = get_string(rc, "InstanceType");
		job->groups[0].count = get_int(rc, "InstanceCount");
		job->hosts = job->groups[0].count;
		return;
	}
	job->groups = xcalloc(list->u.array.len, sizeof *job->groups);
	for (i = 0; i < list->u.array.len; i++) {
		g = list->u.array.values[i];
		if (!YAJL_IS_OBJECT(g))
			continue;
		job->groups[job->ngroups].name =
		    get_string(g, "InstanceGroupName");
		job->groups[job->ngroups].instance_type =
		    get_string(g, "InstanceType");
		job->groups[job->ngroups].count = get_int(g, "InstanceCount");
		job->hosts += job->groups[job->ngroups].count;
		job->ngroups++;
	}
}

int
sagemaker_parse_job(
    const char *body, size_t len, struct sagemaker_job *job, char **cause)
{
	const char *rc_path[] = {"ResourceConfig", NULL};
	yajl_val root, rc;
	char err[256];

	memset(job, 0, sizeof *job);
	root = json_tree_parse(body, len, err, sizeof err);
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		err[strcspn(err, "\n")] = '\0';
		xasprintf(cause, "malformed DescribeTrainingJob response: %s",
		    root == NULL ? err : "not an object");
		yajl_tree_free(root);
		return (-1);
	}
	job->name = get_string(root, "TrainingJobName");
	job->status = get_string(root, "TrainingJobStatus");
	job->secondary = get_string(root, "SecondaryStatus");
	job->failure_reason = get_string(root, "FailureReason");
	job->created = get_ms(root, "CreationTime");
	job->started = get_ms(root, "TrainingStartTime");
	job->ended = get_ms(root, "TrainingEndTime");
	job->modified = get_ms(root, "LastModifiedTime");
	if ((rc = yajl_tree_get(root, rc_path, yajl_t_object)) != NULL)
		parse_resources(rc, job);
	yajl_tree_free(root);
	if (job->status == NULL) {
		xasprintf(cause,
		    "malformed DescribeTrainingJob response: no "
		    "TrainingJobStatus");
		sagemaker_job_free(job);
		return (-1);
	}
	return (0);
}

void
sagemaker_job_free(struct sagemaker_job *job)
{
	size_t i;

	for (i = 0; i < job->ngroups; i++) {
		free(job->groups[i].name);
		free(job->groups[i].instance_type);
	}
	free(job->groups);
	free(job->name);
	free(job->status);
	free(job->secondary);
	free(job->failure_reason);
	memset(job, 0, sizeof *job);
}

int
sagemaker_job_ended(const struct sagemaker_job *job)
{
	return (job->status != NULL &&
	    (strcmp(job->status, "Completed") == 0 ||
		strcmp(job->status, "Failed") == 0 ||
		strcmp(job->status, "Stopped") == 0));
}

/* A page is at most this many jobs (SageMaker's maximum). */
#define SAGEMAKER_LIST_PAGE 100

char *
sagemaker_list_body(const char *pattern, const char *status, const char *token)
{
	struct buf b = BUF_INIT;

	buf_printf(&b,
	    "{\"SortBy\":\"CreationTime\",\"SortOrder\":\"Descending\","
	    "\"MaxResults\":%d",
	    SAGEMAKER_LIST_PAGE);
	if (pattern != NULL) {
		buf_adds(&b, ",\"NameContains\":");
		json_add_string(&b, pattern, strlen(pattern));
	}
	if (status != NULL) {
		buf_adds(&b, ",\"StatusEquals\":");
		json_add_string(&b, status, strlen(status));
	}
	if (token != NULL) {
		buf_adds(&b, ",\"NextToken\":");
		json_add_string(&b, token, strlen(token));
	}
	buf_addc(&b, '}');
	return (buf_steal(&b));
}

int
sagemaker_parse_list(
    const char *body, size_t len, struct sagemaker_list *l, char **cause)
{
	const char *jobs_path[] = {"TrainingJobSummaries", NULL};
	struct sagemaker_summary *sum;
	yajl_val root, jobs, j;
	char err[256];
	size_t i;

	memset(l, 0, sizeof *l);
	root = json_tree_parse(body, len, err, sizeof err);
	jobs =
	    root != NULL ? yajl_tree_get(root, jobs_path, yajl_t_array) : NULL;
	if (jobs == NULL) {
		err[strcspn(err, "\n")] = '\0';
		xasprintf(cause, "malformed ListTrainingJobs response: %s",
		    root == NULL ? err : "no TrainingJobSummaries");
		yajl_tree_free(root);
		return (-1);
	}
	l->v = xcalloc(jobs->u.array.len + 1, sizeof *l->v);
	for (i = 0; i < jobs->u.array.len; i++) {
		j = jobs->u.array.values[i];
		if (!YAJL_IS_OBJECT(j))
			continue;
		sum = &l->v[l->n];
		if ((sum->name = get_string(j, "TrainingJobName")) == NULL)
			continue;
		sum->status = get_string(j, "TrainingJobStatus");
		sum->created = get_ms(j, "CreationTime");
		l->n++;
	}
	l->next = get_string(root, "NextToken");
	yajl_tree_free(root);
	return (0);
}

void
sagemaker_list_free(struct sagemaker_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].status);
	}
	free(l->v);
	free(l->next);
	memset(l, 0, sizeof *l);
}
