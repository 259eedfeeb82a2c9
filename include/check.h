/*
 * check: cwdemux --check [JOB], the first-run diagnostic. It prints what
 * the AWS settings resolve to, as the AWS CLI would resolve them (the
 * profile, the Region, each endpoint, where the credentials come from and
 * their access key id; never a secret key or token), then makes each call
 * cwdemux makes, once, and says of each whether it is allowed, naming the
 * IAM action to grant when it is not.
 *
 * Its lines are "NAME: VALUE", one per fact, so scripts (and the tests,
 * which compare them with botocore's answers) can read them.
 */
#ifndef CHECK_H
#define CHECK_H

#include "cli.h"

/* Run the diagnostic on stdout; the exit status (cli.h). */
int check_run(const struct options *);

#endif
