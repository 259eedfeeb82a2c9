/*
 * joblist: --list, the account's recent training jobs in the Region,
 * newest first, so that nobody copies a job name out of the console:
 * "NAME STATUS AGE GROUPS" lines under a header, GROUPS being the
 * instance groups and their host counts ("data_group:2,train_group:1").
 * ListTrainingJobs finds the jobs; DescribeTrainingJob, asked for every
 * job shown at once, gives the groups.
 *
 * Ownership: joblist_run() appends to the caller's buffer.
 */
#ifndef JOBLIST_H
#define JOBLIST_H

#include "aws.h"
#include "buf.h"
#include "http.h"

/* Jobs shown at most. */
#define JOBLIST_MAX 20

enum joblist_status {
	JOBLIST_OK,
	/* AWS refused (credentials, permissions) or failed for good (the
	 * network, a malformed answer), as a run's exit status 3: cause set */
	JOBLIST_AWS,
	JOBLIST_INTERRUPTED, /* SIGINT or SIGTERM */
};

/*
 * List jobs whose name contains pattern (NULL: all) in status (NULL: any)
 * into out; now_ms is the time ages are counted to.
 */
enum joblist_status
joblist_run(struct aws *, struct http *, const char *pattern,
    const char *status, int64_t now_ms, struct buf *out, char **cause);

#endif
