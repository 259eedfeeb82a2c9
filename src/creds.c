/*
 * creds: the AWS CLI's credential chain. creds_get() runs the providers in
 * botocore's order until one has credentials; each answers "here they
 * are", "nothing configured here" or "configured but failed" (an error
 * that stops the chain, as in botocore). The top profile's providers are:
 * role_arn (STS AssumeRole, whose source credentials come from a
 * source_profile, recursively and with a loop check, or from a
 * credential_source), web identity (STS AssumeRoleWithWebIdentity), SSO
 * (refused), the credentials file's keys, login_session (refused),
 * credential_process, the config file's keys; then come the container
 * endpoint and EC2 instance metadata (IMDSv2).
 *
 * The providers that talk to something live in modules of their own:
 * process.c runs a credential_process, sts.c calls STS, metadata.c asks
 * the container endpoint and IMDS. This file decides the order, reads
 * what they answer (the JSON of a process or of the metadata services,
 * the values STS gives) and checks it: a value that could not be sent in
 * a header is refused. Secrets never reach a message or the debug log;
 * untrusted text that does (a process's stderr) is cut to one line and
 * sanitized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "creds.h"
#include "http.h"
#include "isotime.h"
#include "json.h"
#include "log.h"
#include "metadata.h"
#include "process.h"
#include "sanitize.h"
#include "sts.h"
#include "xmalloc.h"

#define CREDS_REFRESH_MARGIN 300 /* seconds before expiry */
#define CREDS_RETRY_AFTER 60 /* after a failed early refresh */
#define CREDS_TOKEN_MAX (64 * 1024) /* a web identity token file */
#define CREDS_SHOWN_MAX 200 /* bytes of untrusted text shown */
#define CREDS_ROLE_DEPTH_MAX 16 /* profiles in a source_profile chain */

#define SSO_ADVICE \
	"add `credential_process = aws configure export-credentials " \
	"--profile %s --format process` to a profile and use that one"

struct creds_chain {
	const struct config *cfg;
	struct creds cur;
	char *source; /* where cur came from */
	const char *method; /* the same, as botocore names it */
	int have; /* cur holds credentials */
	int stale; /* creds_expire() was called */
	time_t retry_after; /* a failed early refresh waits until then */
};

/* What a provider found. */
enum got { GOT_CREDS, GOT_NOTHING, GOT_ERROR };

/* One run of the chain. */
struct fetch {
	const struct config *cfg;
	time_t now;
	char *source; /* the provider that answered last */
	const char *method; /* botocore's name of it */
	char *imds_note; /* why instance metadata gave nothing */
	const char *visited[CREDS_ROLE_DEPTH_MAX]; /* source_profile chain */
	size_t nvisited;
};

static enum got
role_creds(struct fetch *, const char *profile, struct creds *, char **cause);
static enum got profile_creds(struct fetch *, const char *profile, int with_env,
    struct creds *, char **cause);

static void
creds_clear(struct creds *c)
{
	free(c->access_key_id);
	free(c->secret_access_key);
	free(c->session_token);
	memset(c, 0, sizeof *c);
}

static const char *
profile_value(const struct fetch *f, const char *profile, const char *key)
{
	const char *v = config_get_profile(f->cfg, profile, key);

	return (v == NULL || *v == '\0' ? NULL : v);
}

static const char *
file_value(const struct fetch *f, enum config_file file, const char *profile,
    const char *key)
{
	const char *v = config_get_file(f->cfg, file, profile, key);

	return (v == NULL || *v == '\0' ? NULL : v);
}

/*
 * The provider that answered: in words for messages, and as botocore's
 * name of the method ("env", "assume-role"...) for --check.
 */
static void
set_source(
    struct fetch *f, const char *method, const char *fmt, const char *arg)
{
	free(f->source);
	xasprintf(&f->source, fmt, arg);
	f->method = method;
}

static int
parse_expiration(const char *s, const char *who, time_t *t, char **cause)
{
	int64_t ms;
	size_t used;

	if (isotime_parse(s, strlen(s), &ms, &used) != 0 || used != strlen(s)) {
		xasprintf(cause,
		    "%s gave an Expiration that is not an ISO 8601 time", who);
		return (-1);
	}
	*t = (time_t)(ms / 1000);
	return (0);
}

/* Check and copy credentials; who names the provider for messages. */
static enum got
creds_fill(struct creds *c, const char *akid, const char *secret,
    const char *token, const char *expiration, const char *who, char **cause)
{
	const char *bad = NULL;
	time_t exp = 0;

	if (!http_header_token_ok(akid))
		bad = "access key id";
	else if (!http_header_token_ok(secret))
		bad = "secret access key";
	else if (token != NULL && *token != '\0' &&
	    !http_header_token_ok(token))
		bad = "session token";
	if (bad != NULL) {
		xasprintf(cause,
		    "%s gave no usable %s (it is missing, empty or has "
		    "characters a key cannot have)",
		    who, bad);
		return (GOT_ERROR);
	}
	if (expiration != NULL &&
	    parse_expiration(expiration, who, &exp, cause) == -1)
		return (GOT_ERROR);
	creds_clear(c);
	c->access_key_id = xstrdup(akid);
	c->secret_access_key = xstrdup(secret);
	c->session_token =
	    token != NULL && *token != '\0' ? xstrdup(token) : NULL;
	c->expiration = exp;
	return (GOT_CREDS);
}

/* AWS_ACCESS_KEY_ID and friends. */
static enum got
env_creds(struct fetch *f, struct creds *c, char **cause)
{
	const char *akid = config_getenv("AWS_ACCESS_KEY_ID");
	const char *secret = config_getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = config_getenv("AWS_SESSION_TOKEN");
	enum got r;

	if (akid == NULL && secret == NULL)
		return (GOT_NOTHING);
	if (akid == NULL || secret == NULL) {
		xasprintf(cause, "%s is set but %s is not",
		    akid != NULL ? "AWS_ACCESS_KEY_ID"
				 : "AWS_SECRET_ACCESS_KEY",
		    akid != NULL ? "AWS_SECRET_ACCESS_KEY"
				 : "AWS_ACCESS_KEY_ID");
		return (GOT_ERROR);
	}
	if (token == NULL)
		token = config_getenv("AWS_SECURITY_TOKEN");
	r = creds_fill(c, akid, secret, token,
	    config_getenv("AWS_CREDENTIAL_EXPIRATION"), "the environment",
	    cause);
	if (r == GOT_CREDS)
		set_source(f, "env", "%s", "environment");
	return (r);
}

/* The static keys of a profile in one of the files. */
static enum got
file_creds(struct fetch *f, const char *profile, enum config_file file,
    struct creds *c, char **cause)
{
	const char *akid, *secret, *token;
	char *who;
	enum got r;

	akid = file_value(f, file, profile, "aws_access_key_id");
	secret = file_value(f, file, profile, "aws_secret_access_key");
	token = file_value(f, file, profile, "aws_session_token");
	if (token == NULL)
		token = file_value(f, file, profile, "aws_security_token");
	if (akid == NULL && secret == NULL)
		return (GOT_NOTHING);
	xasprintf(
	    &who, "profile %s in %s", profile, config_file_path(f->cfg, file));
	if (akid == NULL || secret == NULL) {
		xasprintf(cause, "%s has %s but no %s", who,
		    akid != NULL ? "aws_access_key_id"
				 : "aws_secret_access_key",
		    akid != NULL ? "aws_secret_access_key"
				 : "aws_access_key_id");
		r = GOT_ERROR;
	} else
		r = creds_fill(c, akid, secret, token, NULL, who, cause);
	if (r == GOT_CREDS)
		set_source(f,
		    file == CONFIG_FILE_CREDENTIALS ? "shared-credentials-file"
						    : "config-file",
		    "profile %s", profile);
	free(who);
	return (r);
}

static int
has_static_keys(const struct fetch *f, const char *profile)
{
	return (profile_value(f, profile, "aws_access_key_id") != NULL ||
	    profile_value(f, profile, "aws_secret_access_key") != NULL);
}

/* Parse a JSON object; the text is never quoted, it holds secrets. */
static yajl_val
json_object(const char *text, const char *who, char **cause)
{
	char errbuf[128];
	yajl_val root;

	root = json_tree_parse(text, strlen(text), errbuf, sizeof errbuf);
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		xasprintf(
		    cause, "%s gave something that is not a JSON object", who);
		return (NULL);
	}
	return (root);
}

/* Credentials from a JSON object; token_key is SessionToken or Token. */
static enum got
json_creds(yajl_val root, const char *token_key, const char *who,
    struct creds *c, char **cause)
{
	const char *akid = json_member_string(root, "AccessKeyId");
	const char *secret = json_member_string(root, "SecretAccessKey");

	if (akid == NULL || secret == NULL) {
		xasprintf(cause, "%s gave no %s", who,
		    akid == NULL ? "AccessKeyId" : "SecretAccessKey");
		return (GOT_ERROR);
	}
	return (creds_fill(c, akid, secret, json_member_string(root, token_key),
	    json_member_string(root, "Expiration"), who, cause));
}

/* A command's stderr for a message: its first line, made safe. */
static char *
stderr_line(const struct buf *err)
{
	struct buf b = BUF_INIT;

	sanitize_excerpt(
	    &b, err->data != NULL ? err->data : "", err->len, CREDS_SHOWN_MAX);
	return (buf_steal(&b));
}

static enum got
process_failed(const char *who, int status, const struct buf *err, char **cause)
{
	char *line = stderr_line(err);

	if (WIFEXITED(status))
		xasprintf(cause, "%s exited with status %d%s%s", who,
		    WEXITSTATUS(status), *line != '\0' ? ": " : "", line);
	else
		xasprintf(cause, "%s was killed by signal %d%s%s", who,
		    WTERMSIG(status), *line != '\0' ? ": " : "", line);
	free(line);
	return (GOT_ERROR);
}

/* The JSON a credential_process printed: Version 1 and the keys. */
static enum got
process_json(const struct buf *out, const struct buf *err, const char *who,
    struct creds *c, char **cause)
{
	yajl_val root, version;
	char *line, *why;
	enum got r;

	if ((root = json_object(
		 out->data != NULL ? out->data : "", who, &why)) == NULL) {
		line = stderr_line(err);
		xasprintf(
		    cause, "%s%s%s", why, *line != '\0' ? ": " : "", line);
		free(line);
		free(why);
		return (GOT_ERROR);
	}
	version = json_member(root, "Version", yajl_t_number);
	if (version == NULL || !YAJL_IS_INTEGER(version) ||
	    YAJL_GET_INTEGER(version) != 1) {
		xasprintf(cause, "%s printed JSON without \"Version\": 1", who);
		r = GOT_ERROR;
	} else
		r = json_creds(root, "SessionToken", who, c, cause);
	yajl_tree_free(root);
	return (r);
}

/* The profile's credential_process, run with /bin/sh -c. */
static enum got
process_creds(
    struct fetch *f, const char *profile, struct creds *c, char **cause)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *cmd, *why = NULL;
	char *who;
	int status;
	enum got r;

	if ((cmd = profile_value(f, profile, "credential_process")) == NULL)
		return (GOT_NOTHING);
	xasprintf(&who, "credential_process of profile %s", profile);
	log_debug("running %s", who);
	if (process_run(cmd, &out, &err, &status, &why, cause) == -1) {
		if (why != NULL)
			xasprintf(cause, "%s %s", who, why);
		r = GOT_ERROR;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = process_failed(who, status, &err, cause);
	else
		r = process_json(&out, &err, who, c, cause);
	if (r == GOT_CREDS)
		set_source(f, "custom-process",
		    "credential_process of profile %s", profile);
	buf_wipe(&out);
	buf_free(&err);
	free(who);
	return (r);
}

/* An STS call whose answer becomes c, checked like any provider's. */
static enum got
sts_creds(struct fetch *f, const char *action, const struct buf *fields,
    const struct creds *src, const char *who, struct creds *c, char **cause)
{
	struct sts_signer signer;
	struct sts_keys k;
	enum got r;

	if (src != NULL)
		signer = (struct sts_signer){src->access_key_id,
		    src->secret_access_key, src->session_token};
	if (sts_call(f->cfg, f->now, action, fields,
		src != NULL ? &signer : NULL, who, &k, cause) == -1)
		return (GOT_ERROR);
	r = creds_fill(c, k.access_key_id, k.secret_access_key, k.session_token,
	    k.expiration, who, cause);
	sts_keys_clear(&k);
	return (r);
}

static void
session_name(const struct fetch *f, const char *name, struct buf *fields)
{
	char dflt[64];

	if (name == NULL) {
		snprintf(dflt, sizeof dflt, "cwdemux-session-%lld",
		    (long long)f->now);
		name = dflt;
	}
	sts_field(fields, "RoleSessionName", name);
}

/* An error naming what a profile's credential_source lacked. */
static enum got
source_missing(
    const char *profile, const char *source, const char *what, char **cause)
{
	xasprintf(cause,
	    "credential_source %s of profile %s: no credentials from %s",
	    source, profile, what);
	return (GOT_ERROR);
}

/*
 * What a metadata service answered (metadata.h: 1 found, 0 nothing, -1 an
 * error): the credentials of its JSON, which is then wiped. who names the
 * service in messages, source and method as set_source() takes them.
 */
static enum got
reply_creds(struct fetch *f, int found, struct buf *reply, const char *who,
    const char *method, const char *source, struct creds *c, char **cause)
{
	yajl_val root = NULL;
	enum got r;

	if (found <= 0)
		r = found == 0 ? GOT_NOTHING : GOT_ERROR;
	else if ((root = json_object(reply->data != NULL ? reply->data : "",
		      who, cause)) == NULL)
		r = GOT_ERROR;
	else if ((r = json_creds(root, "Token", who, c, cause)) == GOT_CREDS)
		set_source(f, method, "%s", source);
	yajl_tree_free(root);
	buf_wipe(reply);
	return (r);
}

/* ECS / EKS container credentials. */
static enum got
container_creds(struct fetch *f, struct creds *c, char **cause)
{
	struct buf reply = BUF_INIT;
	int found = metadata_container(f->cfg, &reply, cause);

	return (reply_creds(f, found, &reply, "container credentials",
	    "container-role", "container", c, cause));
}

/* EC2 instance metadata. Unreachable means nothing found. */
static enum got
imds_creds(struct fetch *f, struct creds *c, char **cause)
{
	struct buf reply = BUF_INIT;
	int found = metadata_imds(f->cfg, &reply, &f->imds_note, cause);

	return (reply_creds(f, found, &reply, "instance metadata", "iam-role",
	    "instance metadata", c, cause));
}

static enum got
credential_source_creds(struct fetch *f, const char *profile,
    const char *source, struct creds *c, char **cause)
{
	enum got r;

	if (strcmp(source, "Environment") == 0) {
		if ((r = env_creds(f, c, cause)) == GOT_NOTHING)
			return (source_missing(profile, source,
			    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
			    cause));
	} else if (strcmp(source, "Ec2InstanceMetadata") == 0) {
		if ((r = imds_creds(f, c, cause)) == GOT_NOTHING)
			return (source_missing(
			    profile, source, "instance metadata", cause));
	} else if (strcmp(source, "EcsContainer") == 0) {
		if ((r = container_creds(f, c, cause)) == GOT_NOTHING)
			return (source_missing(
			    profile, source, "the container endpoint", cause));
	} else {
		xasprintf(cause,
		    "credential_source %s of profile %s is not Environment, "
		    "Ec2InstanceMetadata or EcsContainer",
		    source, profile);
		r = GOT_ERROR;
	}
	return (r);
}

static int
visited(const struct fetch *f, const char *profile)
{
	size_t i;

	for (i = 0; i < f->nvisited; i++) {
		if (strcmp(f->visited[i], profile) == 0)
			return (1);
	}
	return (0);
}

static enum got
source_loop(const struct fetch *f, const char *source, char **cause)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < f->nvisited; i++)
		buf_printf(&b, "%s -> ", f->visited[i]);
	xasprintf(cause,
	    "source_profile loop: %s%s (a profile may name itself only when it "
	    "has its own aws_access_key_id)",
	    b.data, source);
	buf_free(&b);
	return (GOT_ERROR);
}

/*
 * The credentials a source_profile gives: its own (without environment
 * variables) when it has static keys or no role_arn, else its role.
 */
static enum got
source_profile_creds(struct fetch *f, const char *parent, const char *source,
    struct creds *c, char **cause)
{
	int keys;
	enum got r;

	if (!config_has_profile(f->cfg, source)) {
		xasprintf(cause,
		    "source_profile %s of profile %s does not exist", source,
		    parent);
		return (GOT_ERROR);
	}
	keys = has_static_keys(f, source);
	if (visited(f, source) && (strcmp(source, parent) != 0 || !keys))
		return (source_loop(f, source, cause));
	if (f->nvisited == CREDS_ROLE_DEPTH_MAX) {
		xasprintf(cause,
		    "profile %s: more than %d source_profile steps", parent,
		    CREDS_ROLE_DEPTH_MAX);
		return (GOT_ERROR);
	}
	f->visited[f->nvisited++] = source;
	if (keys || profile_value(f, source, "role_arn") == NULL) {
		r = profile_creds(f, source, 0, c, cause);
		if (r == GOT_NOTHING) {
			xasprintf(cause,
			    "source_profile %s of profile %s has no "
			    "credentials",
			    source, parent);
			r = GOT_ERROR;
		}
	} else
		r = role_creds(f, source, c, cause);
	return (r);
}

/* The source credentials of a role: source_profile or credential_source. */
static enum got
role_source_creds(
    struct fetch *f, const char *profile, struct creds *c, char **cause)
{
	const char *sp = profile_value(f, profile, "source_profile");
	const char *cs = profile_value(f, profile, "credential_source");

	if (sp != NULL && cs != NULL) {
		xasprintf(cause,
		    "profile %s has both source_profile and credential_source",
		    profile);
		return (GOT_ERROR);
	}
	if (sp == NULL && cs == NULL) {
		xasprintf(cause,
		    "profile %s has role_arn but neither source_profile nor "
		    "credential_source",
		    profile);
		return (GOT_ERROR);
	}
	if (profile_value(f, profile, "mfa_serial") != NULL) {
		xasprintf(cause,
		    "profile %s needs an MFA code (mfa_serial), which cwdemux "
		    "cannot ask for; " SSO_ADVICE
		    ", after entering the code once with "
		    "`aws sts get-caller-identity --profile %s`",
		    profile, profile, profile);
		return (GOT_ERROR);
	}
	if (sp != NULL)
		return (source_profile_creds(f, profile, sp, c, cause));
	return (credential_source_creds(f, profile, cs, c, cause));
}

static int
role_fields(const struct fetch *f, const char *profile, struct buf *fields,
    char **cause)
{
	const char *v;

	sts_field(fields, "RoleArn", profile_value(f, profile, "role_arn"));
	session_name(f, profile_value(f, profile, "role_session_name"), fields);
	if ((v = profile_value(f, profile, "external_id")) != NULL)
		sts_field(fields, "ExternalId", v);
	if ((v = profile_value(f, profile, "duration_seconds")) != NULL) {
		if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 6) {
			xasprintf(cause,
			    "duration_seconds \"%s\" of profile %s is not a "
			    "number of seconds",
			    v, profile);
			return (-1);
		}
		sts_field(fields, "DurationSeconds", v);
	}
	return (0);
}

/* The profile's role_arn (without web_identity_token_file): AssumeRole. */
static enum got
role_creds(struct fetch *f, const char *profile, struct creds *c, char **cause)
{
	struct creds src = {0};
	struct buf fields = BUF_INIT;
	char *who;
	enum got r;

	if (profile_value(f, profile, "role_arn") == NULL ||
	    profile_value(f, profile, "web_identity_token_file") != NULL)
		return (GOT_NOTHING);
	if ((r = role_source_creds(f, profile, &src, cause)) != GOT_CREDS)
		goto out;
	xasprintf(&who, "role_arn of profile %s", profile);
	if (role_fields(f, profile, &fields, cause) == -1)
		r = GOT_ERROR;
	else
		r = sts_creds(f, "AssumeRole", &fields, &src, who, c, cause);
	if (r == GOT_CREDS)
		set_source(f, "assume-role", "role_arn of profile %s", profile);
	free(who);
out:
	buf_wipe(&fields);
	creds_clear(&src);
	return (r);
}

/* A web identity setting: the environment first (when allowed). */
static const char *
web_setting(const struct fetch *f, const char *profile, int with_env,
    const char *env, const char *key)
{
	const char *v = with_env ? config_getenv(env) : NULL;

	return (v != NULL ? v : profile_value(f, profile, key));
}

/* A web identity token and role: AssumeRoleWithWebIdentity, unsigned. */
static enum got
web_identity_creds(struct fetch *f, const char *profile, int with_env,
    struct creds *c, char **cause)
{
	const char *file, *arn;
	struct buf fields = BUF_INIT, token = BUF_INIT;
	enum got r = GOT_ERROR;

	file = web_setting(f, profile, with_env, "AWS_WEB_IDENTITY_TOKEN_FILE",
	    "web_identity_token_file");
	if (file == NULL)
		return (GOT_NOTHING);
	arn = web_setting(f, profile, with_env, "AWS_ROLE_ARN", "role_arn");
	if (arn == NULL) {
		xasprintf(cause,
		    "web identity token file %s has no role: set AWS_ROLE_ARN "
		    "or role_arn in profile %s",
		    file, profile);
		return (GOT_ERROR);
	}
	if (config_read_token(file, "web identity token file", CREDS_TOKEN_MAX,
		&token, cause) == -1)
		goto out;
	sts_field(&fields, "RoleArn", arn);
	session_name(f,
	    web_setting(f, profile, with_env, "AWS_ROLE_SESSION_NAME",
		"role_session_name"),
	    &fields);
	sts_field(&fields, "WebIdentityToken", token.data);
	r = sts_creds(f, "AssumeRoleWithWebIdentity", &fields, NULL,
	    "web identity", c, cause);
	if (r == GOT_CREDS)
		set_source(f, "assume-role-with-web-identity",
		    "web identity of profile %s", profile);
out:
	buf_wipe(&token);
	buf_wipe(&fields);
	return (r);
}

/* Providers cwdemux cannot use: an error that shows the way through. */
static enum got
sso_refused(const struct fetch *f, const char *profile, char **cause)
{
	static const char *const keys[] = {
	    "sso_session", "sso_start_url", "sso_account_id", "sso_role_name"};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (profile_value(f, profile, keys[i]) != NULL) {
			xasprintf(cause,
			    "profile %s uses AWS SSO, which cwdemux cannot "
			    "use; " SSO_ADVICE,
			    profile, profile);
			return (GOT_ERROR);
		}
	}
	return (GOT_NOTHING);
}

static enum got
login_refused(const struct fetch *f, const char *profile, char **cause)
{
	if (profile_value(f, profile, "login_session") == NULL)
		return (GOT_NOTHING);
	xasprintf(cause,
	    "profile %s uses an `aws login` session, which cwdemux cannot "
	    "use; " SSO_ADVICE,
	    profile, profile);
	return (GOT_ERROR);
}

/*
 * A profile's own providers in botocore's order; with_env is zero for a
 * source_profile, whose web identity comes from the profile only.
 */
static enum got
profile_creds(struct fetch *f, const char *profile, int with_env,
    struct creds *c, char **cause)
{
	enum got r;

	if ((r = web_identity_creds(f, profile, with_env, c, cause)) !=
	    GOT_NOTHING)
		return (r);
	if ((r = sso_refused(f, profile, cause)) != GOT_NOTHING)
		return (r);
	if ((r = file_creds(f, profile, CONFIG_FILE_CREDENTIALS, c, cause)) !=
	    GOT_NOTHING)
		return (r);
	if ((r = login_refused(f, profile, cause)) != GOT_NOTHING)
		return (r);
	if ((r = process_creds(f, profile, c, cause)) != GOT_NOTHING)
		return (r);
	return (file_creds(f, profile, CONFIG_FILE_CONFIG, c, cause));
}

/* The error when no provider had anything: what was tried, and how on. */
static char *
nothing_found(const struct fetch *f)
{
	const char *conf = config_file_path(f->cfg, CONFIG_FILE_CONFIG);
	const char *cred = config_file_path(f->cfg, CONFIG_FILE_CREDENTIALS);
	char *msg;

	xasprintf(&msg,
	    "no AWS credentials found; tried: the environment "
	    "(AWS_ACCESS_KEY_ID%s), profile %s in %s and %s (keys, role_arn, "
	    "web_identity_token_file, credential_process), container "
	    "credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / FULL_URI "
	    "not set), EC2 instance metadata (%s); run `aws configure`, or "
	    "choose a profile with --profile or AWS_PROFILE",
	    config_profile_from_cli(f->cfg) ? ": skipped for --profile" : "",
	    config_profile(f->cfg), cred != NULL ? cred : "(HOME unset)",
	    conf != NULL ? conf : "(HOME unset)",
	    f->imds_note != NULL ? f->imds_note : "nothing");
	return (msg);
}

/* The whole chain, in the AWS CLI's order. */
static enum got
chain_run(struct fetch *f, struct creds *c, char **cause)
{
	const char *profile = config_profile(f->cfg);
	enum got r;

	if (!config_profile_from_cli(f->cfg) &&
	    (r = env_creds(f, c, cause)) != GOT_NOTHING)
		return (r);
	f->visited[f->nvisited++] = profile;
	if ((r = role_creds(f, profile, c, cause)) != GOT_NOTHING)
		return (r);
	if ((r = profile_creds(f, profile, 1, c, cause)) != GOT_NOTHING)
		return (r);
	if ((r = container_creds(f, c, cause)) != GOT_NOTHING)
		return (r);
	if ((r = imds_creds(f, c, cause)) != GOT_NOTHING)
		return (r);
	*cause = nothing_found(f);
	return (GOT_ERROR);
}

struct creds_chain *
creds_new(const struct config *cfg)
{
	struct creds_chain *ch;

	ch = xcalloc(1, sizeof *ch);
	ch->cfg = cfg;
	return (ch);
}

void
creds_free(struct creds_chain *ch)
{
	if (ch == NULL)
		return;
	if (ch->cur.secret_access_key != NULL)
		explicit_bzero(ch->cur.secret_access_key,
		    strlen(ch->cur.secret_access_key));
	creds_clear(&ch->cur);
	free(ch->source);
	free(ch);
}

/* Current credentials can be used at now without fetching again. */
static int
creds_fresh(const struct creds_chain *ch, time_t now)
{
	return (ch->have && !ch->stale &&
	    (ch->cur.expiration == 0 ||
		now < ch->cur.expiration - CREDS_REFRESH_MARGIN ||
		now < ch->retry_after));
}

/* A failed early refresh keeps the old credentials while they last. */
static int
creds_keep(struct creds_chain *ch, time_t now, char *err)
{
	if (!ch->have || ch->stale || now >= ch->cur.expiration)
		return (0);
	log_warn("cannot refresh AWS credentials from %s, using them until "
		 "they expire: %s",
	    ch->source, err);
	ch->retry_after = now + CREDS_RETRY_AFTER;
	free(err);
	return (1);
}

int
creds_get(
    struct creds_chain *ch, time_t now, const struct creds **out, char **cause)
{
	struct fetch f = {.cfg = ch->cfg, .now = now};
	struct creds c = {0};
	char *err = NULL;

	if (creds_fresh(ch, now)) {
		*out = &ch->cur;
		return (0);
	}
	if (chain_run(&f, &c, &err) == GOT_CREDS) {
		creds_clear(&ch->cur);
		ch->cur = c;
		free(ch->source);
		ch->source = f.source;
		ch->method = f.method;
		f.source = NULL;
		ch->have = 1;
		ch->stale = 0;
		ch->retry_after = 0;
		log_debug("AWS credentials from %s, access key %.4s...",
		    ch->source, ch->cur.access_key_id);
	} else if (!creds_keep(ch, now, err)) {
		creds_clear(&c);
		free(f.source);
		free(f.imds_note);
		*cause = err;
		return (-1);
	}
	free(f.source);
	free(f.imds_note);
	*out = &ch->cur;
	return (0);
}

void
creds_expire(struct creds_chain *ch)
{
	ch->stale = 1;
}

const char *
creds_source(const struct creds_chain *ch)
{
	return (ch->source != NULL ? ch->source : "none");
}

const char *
creds_method(const struct creds_chain *ch)
{
	return (ch->method != NULL ? ch->method : "none");
}
