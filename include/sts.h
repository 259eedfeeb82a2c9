/*
 * sts: the two STS calls of the credential chain, AssumeRole (signed with
 * the source credentials) and AssumeRoleWithWebIdentity (unsigned), and
 * GetCallerIdentity for cwdemux --check, sent
 * to the STS endpoint the configuration resolves, as Query requests whose
 * XML answer holds the new credentials.
 *
 * The call blocks (http_fetch()), within STS_TIMEOUT_MS: creds.h says why
 * the chain may block.
 *
 * Ownership: sts_call() fills keys with new strings; sts_keys_clear()
 * wipes and frees them. The caller checks them (creds.c does).
 */
#ifndef STS_H
#define STS_H

#include <time.h>

#include "buf.h"
#include "config.h"

#define STS_CONNECT_MS 5000
#define STS_TIMEOUT_MS 15000

/* The four values of an answer's <Credentials>, each NULL if missing. */
struct sts_keys {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;
	char *expiration; /* ISO 8601, always set after a success */
};

void sts_keys_clear(struct sts_keys *);

/* The keys that sign a call (the token may be NULL). */
struct sts_signer {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;
};

/* Append "&name=value" to a form, value URI-encoded. */
void sts_field(struct buf *form, const char *name, const char *value);

/*
 * POST action with the fields (a form that starts with '&') to STS,
 * signed with signer when it is not NULL, at time now. who names the
 * provider in messages ("role_arn of profile dev"). 0 with keys; -1 with
 * a cause that says what STS answered, made safe to show.
 */
int sts_call(const struct config *, time_t now, const char *action,
    const struct buf *fields, const struct sts_signer *, const char *who,
    struct sts_keys *, char **cause);

/*
 * GetCallerIdentity signed with c (cwdemux --check): 0 with the caller's
 * ARN, made safe to show, in a new string; -1 with a cause.
 */
int sts_caller_identity(const struct config *, time_t now,
    const struct sts_signer *, char **arn, char **cause);

#endif
