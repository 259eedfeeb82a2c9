/*
 * metadata: credentials from where cwdemux runs, the ECS / EKS container
 * endpoint and EC2 instance metadata (IMDSv2). Each answers the JSON the
 * chain reads (AccessKeyId, SecretAccessKey, Token, Expiration).
 *
 * The requests block (http_fetch()), within short timeouts: about 4 s for
 * the container endpoint, metadata_service_timeout (1 s by default) for
 * each of the three IMDS requests. creds.h says why the chain may block.
 *
 * Ownership: the reply is the caller's buffer; note is a string the
 * caller frees (it may replace one given).
 */
#ifndef METADATA_H
#define METADATA_H

#include "buf.h"
#include "config.h"

#define METADATA_REPLY_MAX (64 * 1024)

/*
 * The container endpoint: 1 with its JSON in reply; 0 when the container
 * variables are not set; -1 with cause (a refused URL, a bad token file,
 * no answer or not 200).
 */
int metadata_container(const struct config *, struct buf *reply, char **cause);

/*
 * Instance metadata: 1 with the JSON in reply; 0 when it gave nothing, with
 * note saying why (disabled, unreachable, no role), as botocore goes on to
 * "no credentials"; -1 with cause for a bad setting.
 */
int metadata_imds(
    const struct config *, struct buf *reply, char **note, char **cause);

#endif
