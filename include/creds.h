/*
 * creds: AWS credentials found the way the AWS CLI finds them, in its
 * order: environment keys (unless --profile chose the profile), the
 * profile's role_arn (STS AssumeRole, from source_profile or
 * credential_source), web identity (AWS_WEB_IDENTITY_TOKEN_FILE with
 * AWS_ROLE_ARN, or the profile's web_identity_token_file), the profile's
 * static keys, its credential_process, ECS/EKS container credentials,
 * and EC2 instance metadata (IMDSv2). A profile that uses a provider
 * cwdemux cannot use (SSO, login sessions) is an error that names
 * credential_process with "aws configure export-credentials" as the way
 * through.
 *
 * Temporary credentials are refreshed five minutes before they expire and
 * after the caller reports an expired token, so a tail that runs for hours
 * keeps working.
 *
 * Fetching blocks the caller, and so the event loop's pass: it is the one
 * wait outside http_wait(). It happens at start, when nothing can be signed
 * yet, and about once an hour; making it asynchronous means running the
 * chain (recursive role chains included) as a state machine inside the
 * loop, not done yet. Each step is bounded instead: a credential_process
 * 60 s (process.h), an STS call 15 s per role of a chain (sts.h), the
 * container endpoint 4 s, each of IMDS's three requests
 * metadata_service_timeout, 1 s by default (metadata.h). While a refresh
 * blocks, signals are caught and take effect after it.
 *
 * Ownership: the chain owns the credentials it returns; they stay valid
 * until the next creds_get() or creds_free(). It borrows the config.
 */
#ifndef CREDS_H
#define CREDS_H

#include <time.h>

#include "config.h"

struct creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL for long-term keys */
	time_t expiration; /* 0: does not expire */
};

struct creds_chain;

struct creds_chain *creds_new(const struct config *);
void creds_free(struct creds_chain *);

/*
 * Current credentials, fetched when missing and refreshed near expiry.
 * -1 with a cause that says which providers were tried, or which one
 * failed and why.
 */
int creds_get(
    struct creds_chain *, time_t now, const struct creds **, char **cause);
/* The service said the token expired: fetch afresh at the next get. */
void creds_expire(struct creds_chain *);
/* Where the current credentials came from ("environment", "profile dev",
 * "credential_process of profile dev", "container", ...). */
const char *creds_source(const struct creds_chain *);
/* The same as botocore's Credentials.method names it: "env",
 * "shared-credentials-file", "config-file", "assume-role",
 * "assume-role-with-web-identity", "custom-process", "container-role",
 * "iam-role"; "none" before any. */
const char *creds_method(const struct creds_chain *);

#endif
