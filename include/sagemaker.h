/*
 * sagemaker: DescribeTrainingJob and ListTrainingJobs, as pure functions:
 * the request bodies and the parsed answers (status, secondary status,
 * failure reason, times, and the instance groups with their host counts;
 * a page of job summaries).
 *
 * Ownership: sagemaker_parse_job() fills a struct the caller releases
 * with sagemaker_job_free(); sagemaker_parse_list(), sagemaker_list_free().
 */
#ifndef SAGEMAKER_H
#define SAGEMAKER_H

#include <stddef.h>
#include <stdint.h>

struct sagemaker_group {
	char *name;
	char *instance_type;
	int count;
};

struct sagemaker_job {
	char *name;
	char *status; /* InProgress, Completed, Failed, ... */
	char *secondary; /* Starting, Training, ... */
	char *failure_reason; /* or NULL */
	int64_t created, started, ended; /* ms since the epoch, 0: unknown */
	int64_t modified; /* LastModifiedTime: a stopped job's end */
	/* Heterogeneous jobs list their groups; others have one, unnamed. */
	struct sagemaker_group *groups;
	size_t ngroups;
	int hosts; /* all instances of the job */
};

char *sagemaker_describe_body(const char *job);
int sagemaker_parse_job(
    const char *body, size_t len, struct sagemaker_job *, char **cause);
void sagemaker_job_free(struct sagemaker_job *);
/* Nonzero for Completed, Failed and Stopped. */
int sagemaker_job_ended(const struct sagemaker_job *);

/* One job of a ListTrainingJobs page. */
struct sagemaker_summary {
	char *name;
	char *status;
	int64_t created; /* ms since the epoch, 0: unknown */
};

struct sagemaker_list {
	struct sagemaker_summary *v;
	size_t n;
	char *next; /* the next page's token, or NULL */
};

/*
 * A ListTrainingJobs request, newest first: jobs whose name contains
 * pattern (or all: NULL), in status (or any: NULL), from the page of token
 * (or the first: NULL).
 */
char *
sagemaker_list_body(const char *pattern, const char *status, const char *token);
int sagemaker_parse_list(
    const char *body, size_t len, struct sagemaker_list *, char **cause);
void sagemaker_list_free(struct sagemaker_list *);

#endif
