#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "sigv4.h"
#include "unit.h"
#include "xmalloc.h"

/*
 * Tests for sigv4: {input, expected} tables for the encoding, trimming and
 * canonicalisation helpers, then every case of the AWS SigV4 test suite
 * (tests/sigv4/, or the directory in argv[1]) checked stage by stage
 * against its header-*.txt files: canonical URI, query, headers, signed
 * headers and payload hash, the whole canonical request, string to sign,
 * signature, and finally the headers sigv4_sign() adds against those in
 * header-signed-request.txt. A missing or empty vector directory fails.
 */

#define VECTOR_DIR "tests/sigv4"
#define MAX_HEADERS 32

/* A request.txt parsed in place: every pointer is into its text. */
struct http_text {
	const char *method;
	const char *path;
	const char *query; /* NULL when the target has no '?'. */
	struct sigv4_header headers[MAX_HEADERS];
	size_t nheaders;
	const char *body;
	size_t bodylen;
};

/* A case's context.json; the strings point into tree. */
struct context {
	yajl_val tree;
	const char *access_key_id;
	const char *secret;
	const char *token;
	const char *region;
	const char *service;
	time_t when;
	int normalize;
	int sign_body;
	int omit_token;
};

/* The expected canonical request cut into its parts, in place. */
struct creq_parts {
	const char *method;
	const char *uri;
	const char *query;
	const char *headers;
	const char *signed_headers;
	const char *payload_hash;
};

static const struct {
	const char *in;
	int keep_slash;
	const char *want;
} encode_table[] = {
    {"", 1, ""},
    {"-._~AZaz09", 0, "-._~AZaz09"},
    {"/a b/c", 1, "/a%20b/c"},
    {"/a b/c", 0, "%2Fa%20b%2Fc"},
    {"+*=&%", 0, "%2B%2A%3D%26%25"},
    {"\xe1\x88\xb4", 0, "%E1%88%B4"},
};

static const struct {
	const char *in;
	const char *want;
} trim_table[] = {
    {"", ""},
    {"value1", "value1"},
    {" \t value1 \t ", "value1"},
    {"\"a   b   c\"", "\"a b c\""},
    {"value1\n  value2\n     value3", "value1 value2 value3"},
    {"a\r\n\tb", "a b"},
};

static const struct {
	const char *in;
	int normalize;
	const char *want;
} uri_table[] = {
    {"", 1, "/"},
    {"/", 1, "/"},
    {"/a/b/../c", 1, "/a/c"},
    {"/a/./b/", 1, "/a/b/"},
    {"/../a", 1, "/a"},
    {"/a/b/..", 1, "/a"},
    {"/a//b", 0, "/a//b"},
    {"/%41", 1, "/%2541"},
};

static const struct {
	const char *in;
	const char *want;
} query_table[] = {
    {"", ""},
    {"b=2&a=1", "a=1&b=2"},
    {"a", "a="},
    {"a=1&a=0", "a=0&a=1"},
    {"&a=1&&b=2&", "a=1&b=2"},
    {"x=%7e&y=%7E", "x=~&y=~"},
    {"k=a+b c", "k=a%2Bb%20c"},
    {"k=100%", "k=100%25"},
    {"k=a=b", "k=a%3Db"},
};

static void
test_tables(void)
{
	char name[64], *got;
	size_t i;

	for (i = 0; i < sizeof encode_table / sizeof encode_table[0]; i++) {
		got = sigv4_uri_encode(encode_table[i].in,
		    strlen(encode_table[i].in), encode_table[i].keep_slash);
		snprintf(name, sizeof name, "uri_encode #%zu", i);
		UNIT_STREQ(got, encode_table[i].want, name);
		free(got);
	}
	for (i = 0; i < sizeof trim_table / sizeof trim_table[0]; i++) {
		got = sigv4_trim_value(trim_table[i].in);
		snprintf(name, sizeof name, "trim_value #%zu", i);
		UNIT_STREQ(got, trim_table[i].want, name);
		free(got);
	}
	for (i = 0; i < sizeof uri_table / sizeof uri_table[0]; i++) {
		got = sigv4_canonical_uri(
		    uri_table[i].in, uri_table[i].normalize);
		snprintf(name, sizeof name, "canonical_uri #%zu", i);
		UNIT_STREQ(got, uri_table[i].want, name);
		free(got);
	}
	for (i = 0; i < sizeof query_table / sizeof query_table[0]; i++) {
		got = sigv4_canonical_query(query_table[i].in);
		snprintf(name, sizeof name, "canonical_query #%zu", i);
		UNIT_STREQ(got, query_table[i].want, name);
		free(got);
	}
}

/* The worked example of the AWS documentation on deriving a key. */
static void
test_signing_key(void)
{
	unsigned char key[SIGV4_KEY_SIZE];
	char hex[2 * SIGV4_KEY_SIZE + 1], *cause = NULL;
	size_t i;

	if (sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"20120215T000000Z", "us-east-1", "iam", key, &cause) != 0) {
		UNIT_CHECK(0, "signing key: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < sizeof key; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	UNIT_STREQ(hex,
	    "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
	    "signing key (AWS documentation example)");
}

/* sigv4_sign() refuses bad input with a sentence and adds nothing. */
static void
test_sign_errors(void)
{
	static const struct sigv4_header no_host[] = {{"X-Amz-Target", "x"}};
	static const struct sigv4_header has_date[] = {
	    {"Host", "h"}, {"x-amz-date", "20150830T123600Z"}};
	static const struct sigv4_header bad_name[] = {
	    {"Host", "h"}, {"Bad Name", "x"}};
	static const struct sigv4_header bad_value[] = {
	    {"Host", "h\r\nInjected: yes"}};
	static const struct {
		const struct sigv4_header *headers;
		size_t n;
		const char *cause;
	} table[] = {
	    {no_host, 1, "request has no Host header to sign"},
	    {has_date, 2, "header x-amz-date is the signer's to add"},
	    {bad_name, 2, "header name \"Bad Name\" is not a token"},
	    {bad_value, 1, "header Host has a control character in its value"},
	};
	struct sigv4_params sp = {
	    "AKID", "secret", NULL, "us-east-1", "logs", 0, 0};
	struct sigv4_request req = {"POST", "/", NULL, NULL, 0, "{}", 2};
	struct sigv4_header *added;
	size_t i, nadded;
	char *cause;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		req.headers = table[i].headers;
		req.nheaders = table[i].n;
		cause = NULL;
		UNIT_CHECK(
		    sigv4_sign(&req, &sp, &added, &nadded, &cause) == -1 &&
			added == NULL && nadded == 0,
		    "sign error #%zu: did not fail", i);
		UNIT_STREQ(cause, table[i].cause, "sign error cause");
		free(cause);
	}
}

/* Reads dir/name whole, NUL-terminated; NULL with errno set on failure. */
static char *
read_file(const char *dir, const char *name, size_t *lenp)
{
	char *path, *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int saved;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	free(path);
	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = xreallocarray(buf, 1, cap);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		saved = errno;
		fclose(f);
		free(buf);
		errno = saved;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Cuts the line starting at p; returns the next line, NULL at the end. */
static char *
cut_line(char *p, char *end)
{
	char *nl;

	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return NULL;
	*nl = '\0';
	if (nl > p && nl[-1] == '\r')
		nl[-1] = '\0';
	return nl + 1;
}

/*
 * Parses an HTTP request in place: the request line (whose target may hold
 * spaces), headers with their continuation lines kept in the value, a
 * blank line and the body. The body is empty if the text ends early.
 */
static int
parse_http(char *buf, size_t len, struct http_text *ht, char **cause)
{
	char *end = buf + len, *p, *next, *nl, *sp1, *sp2, *colon, *q;

	memset(ht, 0, sizeof *ht);
	ht->body = "";
	if ((next = cut_line(buf, end)) == NULL) {
		*cause = xstrdup("no request line");
		return -1;
	}
	if ((sp1 = strchr(buf, ' ')) == NULL ||
	    (sp2 = strrchr(buf, ' ')) == sp1) {
		*cause = xstrdup("request line is not METHOD TARGET VERSION");
		return -1;
	}
	*sp1 = *sp2 = '\0';
	ht->method = buf;
	ht->path = sp1 + 1;
	if ((q = strchr(sp1 + 1, '?')) != NULL) {
		*q = '\0';
		ht->query = q + 1;
	}

	for (p = next; p != NULL && p < end; p = next) {
		if (*p == '\n' || (p[0] == '\r' && p[1] == '\n')) {
			ht->body = p + (*p == '\n' ? 1 : 2);
			ht->bodylen = (size_t)(end - ht->body);
			break;
		}
		for (nl = p;
		     (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL;
		     nl++) {
			if (nl + 1 == end || (nl[1] != ' ' && nl[1] != '\t'))
				break;
		}
		next = NULL;
		if (nl != NULL) {
			next = nl + 1;
			*nl = '\0';
			if (nl > p && nl[-1] == '\r')
				nl[-1] = '\0';
		}
		if ((colon = strchr(p, ':')) == NULL) {
			xasprintf(cause, "header line \"%s\" has no colon", p);
			return -1;
		}
		if (ht->nheaders == MAX_HEADERS) {
			*cause = xstrdup("too many headers");
			return -1;
		}
		*colon = '\0';
		ht->headers[ht->nheaders].name = p;
		ht->headers[ht->nheaders++].value = colon + 1;
	}
	return 0;
}

static const char *
find_header(const struct http_text *ht, const char *name)
{
	size_t i;

	for (i = 0; i < ht->nheaders; i++) {
		if (strcasecmp(ht->headers[i].name, name) == 0)
			return ht->headers[i].value;
	}
	return NULL;
}

static const char *
json_string(yajl_val tree, const char *a, const char *b)
{
	const char *path[] = {a, b, NULL};
	yajl_val v;

	v = yajl_tree_get(tree, path, yajl_t_string);
	return v == NULL ? NULL : YAJL_GET_STRING(v);
}

static int
json_true(yajl_val tree, const char *key, int dflt)
{
	const char *path[] = {key, NULL};
	yajl_val v;

	if ((v = yajl_tree_get(tree, path, yajl_t_any)) == NULL)
		return dflt;
	return YAJL_IS_TRUE(v);
}

/*
 * Reads context.json, or takes the suite's usual context when the case has
 * none.
 */
static int
load_context(const char *dir, struct context *ctx, char **cause)
{
	char *text, err[256];
	const char *ts;
	struct tm tm;

	memset(ctx, 0, sizeof *ctx);
	ctx->access_key_id = "AKIDEXAMPLE";
	ctx->secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	ctx->region = "us-east-1";
	ctx->service = "service";
	ts = "2015-08-30T12:36:00Z";
	ctx->normalize = 1;
	if ((text = read_file(dir, "context.json", NULL)) != NULL) {
		ctx->tree = yajl_tree_parse(text, err, sizeof err);
		free(text);
		if (ctx->tree == NULL) {
			xasprintf(cause, "context.json: %s", err);
			return -1;
		}
		ctx->access_key_id =
		    json_string(ctx->tree, "credentials", "access_key_id");
		ctx->secret =
		    json_string(ctx->tree, "credentials", "secret_access_key");
		ctx->token = json_string(ctx->tree, "credentials", "token");
		ctx->region = json_string(ctx->tree, "region", NULL);
		ctx->service = json_string(ctx->tree, "service", NULL);
		ts = json_string(ctx->tree, "timestamp", NULL);
		ctx->normalize = json_true(ctx->tree, "normalize", 1);
		ctx->sign_body = json_true(ctx->tree, "sign_body", 0);
		ctx->omit_token = json_true(ctx->tree, "omit_session_token", 0);
		if (ctx->access_key_id == NULL || ctx->secret == NULL ||
		    ctx->region == NULL || ctx->service == NULL || ts == NULL) {
			*cause = xstrdup("context.json lacks credentials, "
					 "region, service or timestamp");
			return -1;
		}
	}
	memset(&tm, 0, sizeof tm);
	if (sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		xasprintf(cause, "context.json: bad timestamp \"%s\"", ts);
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon--;
	ctx->when = timegm(&tm);
	return 0;
}

/* Splits an expected canonical request into its six parts. */
static int
split_creq(char *buf, struct creq_parts *cp)
{
	char *end = buf + strlen(buf), *p, *blank;

	cp->method = buf;
	if ((p = cut_line(buf, end)) == NULL)
		return -1;
	cp->uri = p;
	if ((p = cut_line(p, end)) == NULL)
		return -1;
	cp->query = p;
	if ((p = strchr(p, '\n')) == NULL ||
	    (blank = strstr(p, "\n\n")) == NULL)
		return -1;
	*p = '\0';
	cp->headers = p + 1;
	blank[1] = '\0';
	cp->signed_headers = blank + 2;
	if ((p = cut_line(blank + 2, end)) == NULL)
		return -1;
	cp->payload_hash = p;
	return 0;
}

/*
 * Every header sigv4_sign() added must be in the signed request with the
 * same value, and the signed request must hold nothing else new.
 */
static void
check_signed_request(const char *name, const struct http_text *req,
    const struct sigv4_header *added, size_t nadded,
    const struct http_text *want)
{
	const char *v;
	size_t i;

	for (i = 0; i < nadded; i++) {
		v = find_header(want, added[i].name);
		UNIT_CHECK(v != NULL && strcmp(v, added[i].value) == 0,
		    "%s: added %s: [%s], signed request has [%s]", name,
		    added[i].name, added[i].value, v == NULL ? "(none)" : v);
	}
	UNIT_CHECK(want->nheaders == req->nheaders + nadded,
	    "%s: signed request has %zu headers, want %zu + %zu added", name,
	    want->nheaders, req->nheaders, nadded);
}

/* Compares one stage's output with the vector's, then frees it. */
static void
check_stage(const char *name, const char *stage, char *got, const char *want)
{
	char what[128];

	snprintf(what, sizeof what, "%s: %s", name, stage);
	UNIT_STREQ(got, want, what);
	free(got);
}

/*
 * The stages, each against its part of the expected files. Each stage
 * after the canonical request starts from the expected output of the one
 * before, so a bug fails where it is; sigv4_sign() then checks the chain.
 */
static void
check_stages(const char *name, const struct http_text *ht,
    const struct context *ctx, const struct creq_parts *want_creq,
    const char *want_creq_text, const char *want_sts, const char *want_sig)
{
	struct sigv4_header all[MAX_HEADERS + 3];
	struct sigv4_request req = {ht->method, ht->path, ht->query, all,
	    ht->nheaders, ht->body, ht->bodylen};
	char amz_date[SIGV4_DATE_SIZE], hash[SIGV4_HEX_SIZE];
	char sig[SIGV4_HEX_SIZE], what[128];
	unsigned char key[SIGV4_KEY_SIZE];
	char *creq = NULL, *scope = NULL, *sts = NULL, *cause = NULL;

	if (sigv4_amz_date(ctx->when, amz_date, &cause) != 0 ||
	    sigv4_sha256_hex(ht->body, ht->bodylen, hash, &cause) != 0)
		goto out;
	memcpy(all, ht->headers, ht->nheaders * sizeof all[0]);
	all[req.nheaders++] = (struct sigv4_header){"X-Amz-Date", amz_date};
	if (ctx->token != NULL && !ctx->omit_token)
		all[req.nheaders++] =
		    (struct sigv4_header){"X-Amz-Security-Token", ctx->token};
	if (ctx->sign_body)
		all[req.nheaders++] =
		    (struct sigv4_header){"X-Amz-Content-Sha256", hash};

	check_stage(name, "canonical URI",
	    sigv4_canonical_uri(req.path, ctx->normalize), want_creq->uri);
	check_stage(name, "canonical query", sigv4_canonical_query(req.query),
	    want_creq->query);
	check_stage(name, "canonical headers",
	    sigv4_canonical_headers(all, req.nheaders), want_creq->headers);
	check_stage(name, "signed headers",
	    sigv4_signed_headers(all, req.nheaders), want_creq->signed_headers);
	check_stage(
	    name, "payload hash", xstrdup(hash), want_creq->payload_hash);
	creq = sigv4_canonical_request(&req, ctx->normalize, hash);
	snprintf(what, sizeof what, "%s: canonical request", name);
	UNIT_STREQ(creq, want_creq_text, what);

	scope = sigv4_scope(amz_date, ctx->region, ctx->service);
	if (sigv4_string_to_sign(
		amz_date, scope, want_creq_text, &sts, &cause) != 0)
		goto out;
	snprintf(what, sizeof what, "%s: string to sign", name);
	UNIT_STREQ(sts, want_sts, what);
	if (sigv4_signing_key(ctx->secret, amz_date, ctx->region, ctx->service,
		key, &cause) != 0 ||
	    sigv4_signature(key, want_sts, sig, &cause) != 0)
		goto out;
	snprintf(what, sizeof what, "%s: signature", name);
	UNIT_STREQ(sig, want_sig, what);
out:
	if (cause != NULL)
		UNIT_CHECK(0, "%s: %s", name, cause);
	free(cause);
	free(sts);
	free(scope);
	free(creq);
}

static void
run_case(const char *dir, const char *name)
{
	static const char *const files[] = {"request.txt",
	    "header-canonical-request.txt", "header-string-to-sign.txt",
	    "header-signature.txt", "header-signed-request.txt"};
	enum { REQ, CREQ, STS, SIG, SREQ, NFILES };
	struct http_text ht, signed_ht;
	struct context ctx = {0};
	struct creq_parts parts;
	struct sigv4_params sp;
	struct sigv4_request req;
	struct sigv4_header *added = NULL;
	char *text[NFILES] = {NULL}, *path, *creq_copy = NULL, *cause = NULL;
	size_t len[NFILES], nadded = 0, i;

	xasprintf(&path, "%s/%s", dir, name);
	for (i = 0; i < NFILES; i++) {
		if ((text[i] = read_file(path, files[i], &len[i])) == NULL) {
			UNIT_CHECK(0, "%s: cannot read %s: %s", name, files[i],
			    strerror(errno));
			goto out;
		}
	}
	len[SIG] = strcspn(text[SIG], "\r\n");
	text[SIG][len[SIG]] = '\0';
	creq_copy = xstrdup(text[CREQ]);
	if (load_context(path, &ctx, &cause) != 0 ||
	    parse_http(text[REQ], len[REQ], &ht, &cause) != 0 ||
	    parse_http(text[SREQ], len[SREQ], &signed_ht, &cause) != 0) {
		UNIT_CHECK(0, "%s: %s", name, cause);
		goto out;
	}
	if (split_creq(creq_copy, &parts) != 0) {
		UNIT_CHECK(
		    0, "%s: header-canonical-request.txt is malformed", name);
		goto out;
	}
	check_stages(name, &ht, &ctx, &parts, text[CREQ], text[STS], text[SIG]);

	sp = (struct sigv4_params){ctx.access_key_id, ctx.secret, ctx.token,
	    ctx.region, ctx.service, ctx.when, 0};
	if (!ctx.normalize)
		sp.flags |= SIGV4_UNNORMALIZED_PATH;
	if (ctx.sign_body)
		sp.flags |= SIGV4_SIGN_BODY_HASH;
	if (ctx.omit_token)
		sp.flags |= SIGV4_UNSIGNED_TOKEN;
	req = (struct sigv4_request){ht.method, ht.path, ht.query, ht.headers,
	    ht.nheaders, ht.body, ht.bodylen};
	if (sigv4_sign(&req, &sp, &added, &nadded, &cause) != 0) {
		UNIT_CHECK(0, "%s: sigv4_sign: %s", name, cause);
		goto out;
	}
	check_signed_request(name, &ht, added, nadded, &signed_ht);
out:
	free(added);
	free(cause);
	yajl_tree_free(ctx.tree);
	free(creq_copy);
	for (i = 0; i < NFILES; i++)
		free(text[i]);
	free(path);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every case directory of dir in name order; none is a failure. */
static void
run_vectors(const char *dir)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **names = NULL, *path;
	size_t n = 0, i;

	if ((d = opendir(dir)) == NULL) {
		UNIT_CHECK(0, "vector directory %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		run_case(dir, names[i]);
		free(names[i]);
	}
	free(names);
	UNIT_CHECK(n > 0, "vector directory %s holds no cases", dir);
}

int
main(int argc, char **argv)
{
	test_tables();
	test_signing_key();
	test_sign_errors();
	run_vectors(argc > 1 ? argv[1] : VECTOR_DIR);
	return unit_done("sigv4");
}
