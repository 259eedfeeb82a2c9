#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "sigv4.h"
#include "xmalloc.h"

/*
 * AWS Signature Version 4, header form. Each stage is a pure function of
 * its inputs that returns a new string (or fills a fixed buffer), so the
 * test suite can check every stage against the published AWS vectors and
 * sigv4_sign() is only their composition, plus a check of its input. The
 * stages that hash (OpenSSL may fail) or convert the time return -1 with a
 * cause; the others cannot fail. Key material is wiped with
 * OPENSSL_cleanse() once used.
 */

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"

/* The canonical form of one header, before grouping equal names. */
struct canon_header {
	char *name; /* Lower-cased. */
	char *value; /* Trimmed, inner whitespace runs made one space. */
	size_t order; /* Place in the request: repeats keep their order. */
};

/* One query parameter, both halves already in canonical encoding. */
struct query_param {
	char *key;
	char *value;
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static char *
lower_dup(const char *s)
{
	char *l, *p;

	l = xstrdup(s);
	for (p = l; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return l;
}

/*
 * Percent-encodes every byte of s[0..len) outside the RFC 3986 unreserved
 * set (and '/' too unless keep_slash), with upper-case hex as AWS wants.
 */
char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	char esc[3];
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/'))
			buf_add(&b, &s[i], 1);
		else {
			esc[0] = '%';
			esc[1] = digits[c >> 4];
			esc[2] = digits[c & 0xf];
			buf_add(&b, esc, 3);
		}
	}
	return buf_steal(&b);
}

/*
 * Decodes %XX escapes of s[0..len) into a new buffer of *outlen bytes; a
 * '%' not followed by two hex digits stays a literal '%', and '+' stays
 * '+' (it means a space only in HTML forms, not in RFC 3986).
 */
static char *
uri_decode(const char *s, size_t len, size_t *outlen)
{
	char *out;
	size_t i, n = 0;
	int hi, lo;

	out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value((unsigned char)s[i + 1])) != -1 &&
		    (lo = hex_value((unsigned char)s[i + 2])) != -1) {
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[n++] = s[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/*
 * The path part of the canonical request. Normalising drops empty and "."
 * segments and lets ".." remove the segment before it (never climbing above
 * the root), keeping a trailing slash; then every segment is encoded once
 * more, as all services but S3 expect.
 */
char *
sigv4_canonical_uri(const char *path, int normalize)
{
	struct buf b = BUF_INIT;
	const char **seg;
	size_t *seglen, nseg = 0, len, i;
	const char *p, *end;
	char *enc;

	len = strlen(path);
	if (len == 0)
		return xstrdup("/");
	if (!normalize)
		return sigv4_uri_encode(path, len, 1);

	seg = xreallocarray(NULL, len, sizeof *seg);
	seglen = xreallocarray(NULL, len, sizeof *seglen);
	for (p = path; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		for (end = p; *end != '\0' && *end != '/'; end++)
			continue;
		if (end == p || (end - p == 1 && p[0] == '.'))
			continue;
		if (end - p == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg > 0)
				nseg--;
			continue;
		}
		seg[nseg] = p;
		seglen[nseg++] = (size_t)(end - p);
	}

	for (i = 0; i < nseg; i++) {
		buf_adds(&b, "/");
		enc = sigv4_uri_encode(seg[i], seglen[i], 0);
		buf_adds(&b, enc);
		free(enc);
	}
	if (nseg == 0 || path[len - 1] == '/')
		buf_adds(&b, "/");
	free(seglen);
	free(seg);
	return buf_steal(&b);
}

static int
query_param_cmp(const void *a, const void *b)
{
	const struct query_param *qa = a, *qb = b;
	int d;

	if ((d = strcmp(qa->key, qb->key)) != 0)
		return d;
	return strcmp(qa->value, qb->value);
}

/* Re-encodes one query component whatever encoding it arrived in. */
static char *
query_component(const char *s, size_t len)
{
	char *raw, *enc;
	size_t rawlen;

	raw = uri_decode(s, len, &rawlen);
	enc = sigv4_uri_encode(raw, rawlen, 0);
	free(raw);
	return enc;
}

/*
 * The query part: parameters split on '&' (empty ones dropped), each key
 * and value decoded and re-encoded strictly, a missing '=' read as an empty
 * value, sorted by key and then value.
 */
char *
sigv4_canonical_query(const char *query)
{
	struct buf b = BUF_INIT;
	struct query_param *qp;
	size_t nqp = 0, i;
	const char *p, *end, *eq;

	if (query == NULL || *query == '\0')
		return xstrdup("");

	qp = xreallocarray(NULL, strlen(query), sizeof *qp);
	for (p = query; *p != '\0'; p = *end == '&' ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (end == p)
			continue;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			eq = end;
		qp[nqp].key = query_component(p, (size_t)(eq - p));
		if (eq == end)
			qp[nqp].value = xstrdup("");
		else
			qp[nqp].value =
			    query_component(eq + 1, (size_t)(end - eq - 1));
		nqp++;
	}
	qsort(qp, nqp, sizeof *qp, query_param_cmp);

	for (i = 0; i < nqp; i++) {
		if (i > 0)
			buf_adds(&b, "&");
		buf_adds(&b, qp[i].key);
		buf_adds(&b, "=");
		buf_adds(&b, qp[i].value);
		free(qp[i].key);
		free(qp[i].value);
	}
	free(qp);
	return buf_steal(&b);
}

/*
 * A header value as signed: leading and trailing whitespace removed, and
 * every inner run of spaces, tabs and folded line breaks made one space.
 */
char *
sigv4_trim_value(const char *value)
{
	char *out;
	size_t n = 0;
	const char *p;
	int pending = 0;

	out = xmalloc(strlen(value) + 1);
	for (p = value; *p != '\0'; p++) {
		if (is_space((unsigned char)*p)) {
			pending = n > 0;
			continue;
		}
		if (pending)
			out[n++] = ' ';
		pending = 0;
		out[n++] = *p;
	}
	out[n] = '\0';
	return out;
}

static int
canon_header_cmp(const void *a, const void *b)
{
	const struct canon_header *ha = a, *hb = b;
	int d;

	if ((d = strcmp(ha->name, hb->name)) != 0)
		return d;
	return ha->order < hb->order ? -1 : ha->order > hb->order;
}

/* The headers in canonical form, sorted by name, duplicates in order. */
static struct canon_header *
canon_headers_new(const struct sigv4_header *h, size_t n)
{
	struct canon_header *ch;
	size_t i;

	ch = xreallocarray(NULL, n == 0 ? 1 : n, sizeof *ch);
	for (i = 0; i < n; i++) {
		ch[i].name = lower_dup(h[i].name);
		ch[i].value = sigv4_trim_value(h[i].value);
		ch[i].order = i;
	}
	qsort(ch, n, sizeof *ch, canon_header_cmp);
	return ch;
}

static void
canon_headers_free(struct canon_header *ch, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ch[i].name);
		free(ch[i].value);
	}
	free(ch);
}

/*
 * The canonical headers block: one "name:value\n" line per distinct name,
 * the values of a repeated name joined with commas in request order.
 */
char *
sigv4_canonical_headers(const struct sigv4_header *h, size_t n)
{
	struct buf b = BUF_INIT;
	struct canon_header *ch;
	size_t i;

	ch = canon_headers_new(h, n);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(ch[i].name, ch[i - 1].name) == 0)
			buf_adds(&b, ",");
		else {
			if (i > 0)
				buf_adds(&b, "\n");
			buf_adds(&b, ch[i].name);
			buf_adds(&b, ":");
		}
		buf_adds(&b, ch[i].value);
	}
	if (n > 0)
		buf_adds(&b, "\n");
	canon_headers_free(ch, n);
	return buf_steal(&b);
}

/* The distinct lower-cased header names, sorted, joined with ';'. */
char *
sigv4_signed_headers(const struct sigv4_header *h, size_t n)
{
	struct buf b = BUF_INIT;
	struct canon_header *ch;
	size_t i;

	ch = canon_headers_new(h, n);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(ch[i].name, ch[i - 1].name) == 0)
			continue;
		if (i > 0)
			buf_adds(&b, ";");
		buf_adds(&b, ch[i].name);
	}
	canon_headers_free(ch, n);
	return buf_steal(&b);
}

int
sigv4_sha256_hex(
    const void *data, size_t len, char hex[SIGV4_HEX_SIZE], char **cause)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data == NULL ? "" : data, len, md, &mdlen, EVP_sha256(),
		NULL) != 1 ||
	    mdlen != 32) {
		*cause = xstrdup("SHA-256 digest failed in OpenSSL");
		return -1;
	}
	hex_encode(md, mdlen, hex);
	return 0;
}

/*
 * The canonical request over the request's own headers; the caller adds
 * X-Amz-Date (and any other header to be signed) to the request first.
 */
char *
sigv4_canonical_request(
    const struct sigv4_request *req, int normalize, const char *payload_hash)
{
	char *uri, *query, *headers, *signed_headers, *creq;

	uri = sigv4_canonical_uri(req->path, normalize);
	query = sigv4_canonical_query(req->query);
	headers = sigv4_canonical_headers(req->headers, req->nheaders);
	signed_headers = sigv4_signed_headers(req->headers, req->nheaders);
	xasprintf(&creq, "%s\n%s\n%s\n%s\n%s\n%s", req->method, uri, query,
	    headers, signed_headers, payload_hash);
	free(signed_headers);
	free(headers);
	free(query);
	free(uri);
	return creq;
}

/* The X-Amz-Date form of a time, in UTC. */
int
sigv4_amz_date(time_t when, char amz_date[SIGV4_DATE_SIZE], char **cause)
{
	struct tm tm;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(amz_date, SIGV4_DATE_SIZE, "%Y%m%dT%H%M%SZ", &tm) !=
		SIGV4_DATE_SIZE - 1) {
		xasprintf(cause, "signing time %lld is out of range",
		    (long long)when);
		return -1;
	}
	return 0;
}

/* The credential scope: date/region/service/aws4_request. */
char *
sigv4_scope(const char *amz_date, const char *region, const char *service)
{
	char *scope;

	xasprintf(&scope, "%.8s/%s/%s/aws4_request", amz_date, region, service);
	return scope;
}

int
sigv4_string_to_sign(const char *amz_date, const char *scope,
    const char *canonical_request, char **sts, char **cause)
{
	char hash[SIGV4_HEX_SIZE];

	if (sigv4_sha256_hex(
		canonical_request, strlen(canonical_request), hash, cause) != 0)
		return -1;
	xasprintf(
	    sts, "%s\n%s\n%s\n%s", SIGV4_ALGORITHM, amz_date, scope, hash);
	return 0;
}

static int
hmac_sha256(const void *key, size_t keylen, const char *data,
    unsigned char out[SIGV4_KEY_SIZE], char **cause)
{
	unsigned int outlen = 0;

	if (keylen > INT_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
		strlen(data), out, &outlen) == NULL ||
	    outlen != SIGV4_KEY_SIZE) {
		*cause = xstrdup("HMAC-SHA256 failed in OpenSSL");
		return -1;
	}
	return 0;
}

/*
 * The signing key: HMAC chained from "AWS4" + secret through the scope
 * date, region, service and "aws4_request".
 */
int
sigv4_signing_key(const char *secret, const char *amz_date, const char *region,
    const char *service, unsigned char key[SIGV4_KEY_SIZE], char **cause)
{
	unsigned char k1[SIGV4_KEY_SIZE], k2[SIGV4_KEY_SIZE];
	char *ksecret, *date;
	int rc = -1;

	if (strlen(amz_date) < 8) {
		xasprintf(cause, "signing date \"%s\" is too short", amz_date);
		return -1;
	}
	xasprintf(&ksecret, "AWS4%s", secret);
	date = xstrndup(amz_date, 8);
	if (hmac_sha256(ksecret, strlen(ksecret), date, k1, cause) != 0 ||
	    hmac_sha256(k1, sizeof k1, region, k2, cause) != 0 ||
	    hmac_sha256(k2, sizeof k2, service, k1, cause) != 0 ||
	    hmac_sha256(k1, sizeof k1, "aws4_request", key, cause) != 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(k2, sizeof k2);
	OPENSSL_cleanse(k1, sizeof k1);
	free(date);
	OPENSSL_cleanse(ksecret, strlen(ksecret));
	free(ksecret);
	return rc;
}

int
sigv4_signature(const unsigned char key[SIGV4_KEY_SIZE], const char *sts,
    char hex[SIGV4_HEX_SIZE], char **cause)
{
	unsigned char mac[SIGV4_KEY_SIZE];

	if (hmac_sha256(key, SIGV4_KEY_SIZE, sts, mac, cause) != 0)
		return -1;
	hex_encode(mac, sizeof mac, hex);
	return 0;
}

/* Header names are RFC 9110 tokens. */
static int
valid_name(const char *name)
{
	const char *p;

	if (*name == '\0')
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!is_unreserved((unsigned char)*p) &&
		    strchr("!#$%&'*+^`|", *p) == NULL)
			return 0;
	}
	return 1;
}

/* Values may not hold control bytes, except tabs and obs-fold breaks. */
static int
valid_value(const char *value)
{
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n')
			p++;
		if (*p == '\n') {
			if (p[1] != ' ' && p[1] != '\t')
				return 0;
		} else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	}
	return 1;
}

/* Checks what sigv4_sign() is given, naming the first bad input. */
static int
check_input(const struct sigv4_request *req, const struct sigv4_params *sp,
    char **cause)
{
	static const char *const reserved[] = {"authorization", "x-amz-date",
	    "x-amz-security-token", "x-amz-content-sha256"};
	size_t i, j;
	int host = 0;

	if (req->method == NULL || !valid_name(req->method)) {
		*cause = xstrdup("request method is missing or not a token");
		return -1;
	}
	if (req->path == NULL || (req->body == NULL && req->bodylen > 0)) {
		*cause = xstrdup("request path or body is missing");
		return -1;
	}
	if (sp->access_key_id == NULL || *sp->access_key_id == '\0' ||
	    sp->secret_access_key == NULL || *sp->secret_access_key == '\0') {
		*cause = xstrdup("access key id or secret access key is empty");
		return -1;
	}
	if (sp->region == NULL || *sp->region == '\0' || sp->service == NULL ||
	    *sp->service == '\0') {
		*cause = xstrdup("signing region or service is empty");
		return -1;
	}
	for (i = 0; i < req->nheaders; i++) {
		if (!valid_name(req->headers[i].name)) {
			xasprintf(cause, "header name \"%s\" is not a token",
			    req->headers[i].name);
			return -1;
		}
		if (!valid_value(req->headers[i].value)) {
			xasprintf(cause,
			    "header %s has a control character in its value",
			    req->headers[i].name);
			return -1;
		}
		if (strcasecmp(req->headers[i].name, "host") == 0)
			host = 1;
		for (j = 0; j < sizeof reserved / sizeof reserved[0]; j++) {
			if (strcasecmp(req->headers[i].name, reserved[j]) ==
			    0) {
				xasprintf(cause,
				    "header %s is the signer's to add",
				    req->headers[i].name);
				return -1;
			}
		}
	}
	if (!host) {
		*cause = xstrdup("request has no Host header to sign");
		return -1;
	}
	return 0;
}

/*
 * Packs the added headers into one allocation (the array, then the
 * values), so that a single free() releases them.
 */
static struct sigv4_header *
pack_headers(const struct sigv4_header *h, size_t n)
{
	struct sigv4_header *out;
	size_t i, size, len;
	char *p;

	size = n * sizeof *out;
	for (i = 0; i < n; i++)
		size += strlen(h[i].value) + 1;
	out = xmalloc(size);
	p = (char *)(out + n);
	for (i = 0; i < n; i++) {
		len = strlen(h[i].value) + 1;
		memcpy(p, h[i].value, len);
		out[i].name = h[i].name;
		out[i].value = p;
		p += len;
	}
	return out;
}

/*
 * Signs req with the credentials and scope in sp and returns in *added the
 * headers to send with it: X-Amz-Date, X-Amz-Content-Sha256 (with
 * SIGV4_SIGN_BODY_HASH), X-Amz-Security-Token (with a session token) and
 * Authorization, in that order.
 */
int
sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *sp,
    struct sigv4_header **added, size_t *nadded, char **cause)
{
	struct sigv4_request signed_req;
	struct sigv4_header *all, out[4];
	char amz_date[SIGV4_DATE_SIZE], payload_hash[SIGV4_HEX_SIZE];
	char signature[SIGV4_HEX_SIZE];
	unsigned char key[SIGV4_KEY_SIZE];
	char *creq = NULL, *scope = NULL, *sts = NULL, *names = NULL;
	char *authorization = NULL;
	size_t n, nout = 0;
	int rc = -1;

	*added = NULL;
	*nadded = 0;
	if (check_input(req, sp, cause) != 0 ||
	    sigv4_amz_date(sp->when, amz_date, cause) != 0 ||
	    sigv4_sha256_hex(req->body, req->bodylen, payload_hash, cause) != 0)
		return -1;

	all = xreallocarray(NULL, req->nheaders + 3, sizeof *all);
	if (req->nheaders > 0)
		memcpy(all, req->headers, req->nheaders * sizeof *all);
	n = req->nheaders;
	out[nout++] = all[n++] = (struct sigv4_header){"X-Amz-Date", amz_date};
	if (sp->flags & SIGV4_SIGN_BODY_HASH)
		out[nout++] = all[n++] =
		    (struct sigv4_header){"X-Amz-Content-Sha256", payload_hash};
	if (sp->session_token != NULL) {
		out[nout] = (struct sigv4_header){
		    "X-Amz-Security-Token", sp->session_token};
		if (!(sp->flags & SIGV4_UNSIGNED_TOKEN))
			all[n++] = out[nout];
		nout++;
	}
	signed_req = *req;
	signed_req.headers = all;
	signed_req.nheaders = n;

	creq = sigv4_canonical_request(
	    &signed_req, !(sp->flags & SIGV4_UNNORMALIZED_PATH), payload_hash);
	scope = sigv4_scope(amz_date, sp->region, sp->service);
	if (sigv4_string_to_sign(amz_date, scope, creq, &sts, cause) != 0 ||
	    sigv4_signing_key(sp->secret_access_key, amz_date, sp->region,
		sp->service, key, cause) != 0 ||
	    sigv4_signature(key, sts, signature, cause) != 0)
		goto out;

	names = sigv4_signed_headers(all, n);
	xasprintf(&authorization,
	    "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
	    SIGV4_ALGORITHM, sp->access_key_id, scope, names, signature);
	out[nout++] = (struct sigv4_header){"Authorization", authorization};
	*added = pack_headers(out, nout);
	*nadded = nout;
	rc = 0;
out:
	free(authorization);
	free(names);
	OPENSSL_cleanse(key, sizeof key);
	free(sts);
	free(scope);
	free(creq);
	free(all);
	return rc;
}
