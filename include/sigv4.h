/*
 * sigv4: AWS Signature Version 4 signing of HTTP requests (the header
 * form, algorithm AWS4-HMAC-SHA256), as a chain of small pure stages that
 * sigv4_sign() runs in order: canonical request, string to sign, signing
 * key, signature, Authorization header.
 *
 * Ownership: a struct sigv4_request, its headers, strings and body, and a
 * struct sigv4_params belong to the caller; no function keeps or frees
 * them. Every char * a function returns or stores through an out
 * parameter is newly allocated and the caller frees it with free(); that
 * includes the *cause sentence filled when a function returns -1.
 * sigv4_sign() returns its headers as one allocation: free(*added)
 * releases the array and every string in it. Fixed-size results (dates,
 * hex digests, keys) are written into caller buffers of the sizes below.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_DATE_SIZE 17 /* "YYYYMMDDTHHMMSSZ" and its NUL. */
#define SIGV4_HEX_SIZE 65 /* A SHA-256 in lower-case hex and its NUL. */
#define SIGV4_KEY_SIZE 32 /* An HMAC-SHA256 signing key. */

/* Flags for struct sigv4_params; CloudWatch and SageMaker need none. */
#define SIGV4_UNNORMALIZED_PATH 0x1 /* Sign the path as given, as S3 does. */
#define SIGV4_SIGN_BODY_HASH 0x2 /* Add and sign X-Amz-Content-Sha256. */
#define SIGV4_UNSIGNED_TOKEN 0x4 /* Add the session token unsigned. */

struct sigv4_header {
	const char *name; /* Any case, e.g. "Host". */
	const char *value; /* Untrimmed; obs-fold line breaks allowed. */
};

/* A request to sign, exactly as it will be sent. */
struct sigv4_request {
	const char *method; /* "GET", "POST". */
	const char *path; /* The path without the query; "" means "/". */
	const char *query; /* After the '?', without it; NULL for none. */
	const struct sigv4_header *headers; /* All signed; must hold Host. */
	size_t nheaders;
	const void *body; /* May be NULL when bodylen is 0. */
	size_t bodylen;
};

/* Who signs, for which scope, and when. */
struct sigv4_params {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term credentials. */
	const char *region; /* "us-east-1". */
	const char *service; /* Signing name: "logs", "sagemaker". */
	time_t when; /* Signing time, seconds since the epoch. */
	int flags; /* SIGV4_* flags above, usually 0. */
};

/* Percent-encodes len bytes of s except unreserved ones (and '/'). */
char *sigv4_uri_encode(const char *s, size_t len, int keep_slash);
/* The path, normalised (., .., //) or not, then encoded. */
char *sigv4_canonical_uri(const char *path, int normalize);
/* The query re-encoded and sorted; NULL or "" gives "". */
char *sigv4_canonical_query(const char *query);
/* A header value trimmed, whitespace runs and folds made one space. */
char *sigv4_trim_value(const char *value);
/* "name:value\n" lines, names lower-cased and sorted, repeats joined. */
char *sigv4_canonical_headers(const struct sigv4_header *, size_t);
/* The lower-cased header names, sorted and distinct, joined with ';'. */
char *sigv4_signed_headers(const struct sigv4_header *, size_t);
/* The SHA-256 of len bytes in lower-case hex: the payload hash. */
int sigv4_sha256_hex(
    const void *, size_t len, char hex[SIGV4_HEX_SIZE], char **cause);
/* The six-line canonical request of req as it stands. */
char *sigv4_canonical_request(
    const struct sigv4_request *req, int normalize, const char *payload_hash);
/* The X-Amz-Date value of a time, "YYYYMMDDTHHMMSSZ" in UTC. */
int sigv4_amz_date(time_t, char amz_date[SIGV4_DATE_SIZE], char **cause);
/* The credential scope "YYYYMMDD/region/service/aws4_request". */
char *
sigv4_scope(const char *amz_date, const char *region, const char *service);
/* The four-line string to sign, stored in *sts. */
int sigv4_string_to_sign(const char *amz_date, const char *scope,
    const char *canonical_request, char **sts, char **cause);
/* The signing key derived from the secret and the scope. */
int
sigv4_signing_key(const char *secret, const char *amz_date, const char *region,
    const char *service, unsigned char key[SIGV4_KEY_SIZE], char **cause);
/* The hex HMAC-SHA256 of the string to sign under the signing key. */
int sigv4_signature(const unsigned char key[SIGV4_KEY_SIZE], const char *sts,
    char hex[SIGV4_HEX_SIZE], char **cause);

/*
 * All stages: fills *added (one allocation) and *nadded with the headers
 * to send along with req: X-Amz-Date, X-Amz-Content-Sha256 (with
 * SIGV4_SIGN_BODY_HASH), X-Amz-Security-Token (with a session token) and
 * Authorization. On -1, *added is NULL and *cause says why.
 */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *sp,
    struct sigv4_header **added, size_t *nadded, char **cause);

#endif
