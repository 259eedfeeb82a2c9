/*
 * Fuzz the DescribeTrainingJob parser: a description parses to a job with
 * a status, or fails with a message; times and counts stay in range.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sagemaker.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sagemaker_job job;
	char *cause = NULL;
	size_t i;
	int hosts = 0;

	if (sagemaker_parse_job((const char *)data, size, &job, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return (0);
	}
	if (job.status == NULL)
		abort();
	for (i = 0; i < job.ngroups; i++) {
		if (job.groups[i].count < 0)
			abort();
		hosts += job.groups[i].count;
	}
	if (hosts != job.hosts)
		abort();
	(void)sagemaker_job_ended(&job);
	sagemaker_job_free(&job);
	return (0);
}
