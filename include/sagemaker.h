/*
 * sagemaker: DescribeTrainingJob, as pure functions: the request body and
 * the parsed answer (status, secondary status, failure reason, times, and
 * the instance groups with their host counts).
 *
 * Ownership: sagemaker_parse_job() fills a struct the caller releases
 * with sagemaker_job_free().
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

#endif
