/*
 * config: the AWS CLI's settings, read once. The environment variables
 * cwdemux uses are copied at load time, and both shared files are parsed
 * into sections and keys the way botocore's configparser reads them: keys
 * are lower-cased, '=' or ':' separates a key from its value, '#' and ';'
 * start comment lines (not inline comments), a line indented under a key
 * continues its value, and a key with an empty value followed by indented
 * "name = value" lines is a nested block (how [services NAME] sections
 * give each service an endpoint_url). A malformed line, a repeated
 * section or a repeated key is an error naming the file and line.
 *
 * Profiles live in [default] and [profile NAME] sections of the config
 * file and in [NAME] sections of the credentials file; for the same key
 * the credentials file wins, and within a file the last section wins.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

/* The environment variables config_load() copies. */
enum config_env {
	ENV_PROFILE,
	ENV_DEFAULT_PROFILE,
	ENV_CONFIG_FILE,
	ENV_CREDENTIALS_FILE,
	ENV_REGION,
	ENV_DEFAULT_REGION,
	ENV_ENDPOINT_URL,
	ENV_ENDPOINT_URL_LOGS,
	ENV_ENDPOINT_URL_SAGEMAKER,
	ENV_ENDPOINT_URL_STS,
	ENV_IGNORE_ENDPOINTS,
	ENV_CA_BUNDLE,
	ENV_MAX_ATTEMPTS,
	ENV_COUNT
};

static const char *const env_names[ENV_COUNT] = {
    [ENV_PROFILE] = "AWS_PROFILE",
    [ENV_DEFAULT_PROFILE] = "AWS_DEFAULT_PROFILE",
    [ENV_CONFIG_FILE] = "AWS_CONFIG_FILE",
    [ENV_CREDENTIALS_FILE] = "AWS_SHARED_CREDENTIALS_FILE",
    [ENV_REGION] = "AWS_REGION",
    [ENV_DEFAULT_REGION] = "AWS_DEFAULT_REGION",
    [ENV_ENDPOINT_URL] = "AWS_ENDPOINT_URL",
    [ENV_ENDPOINT_URL_LOGS] = "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
    [ENV_ENDPOINT_URL_SAGEMAKER] = "AWS_ENDPOINT_URL_SAGEMAKER",
    [ENV_ENDPOINT_URL_STS] = "AWS_ENDPOINT_URL_STS",
    [ENV_IGNORE_ENDPOINTS] = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    [ENV_CA_BUNDLE] = "AWS_CA_BUNDLE",
    [ENV_MAX_ATTEMPTS] = "AWS_MAX_ATTEMPTS",
};

static const struct service {
	const char *signing_name;
	enum config_env env; /* AWS_ENDPOINT_URL_<SERVICE> */
	const char *services_key; /* its block in a [services NAME] section */
	const char *host_prefix; /* default host PREFIX.REGION.SUFFIX */
	int takes_option; /* --endpoint-url applies to it */
} services[] = {
    [SERVICE_LOGS] = {"logs", ENV_ENDPOINT_URL_LOGS, "cloudwatch_logs", "logs",
	1},
    [SERVICE_SAGEMAKER] = {"sagemaker", ENV_ENDPOINT_URL_SAGEMAKER, "sagemaker",
	"api.sagemaker", 1},
    [SERVICE_STS] = {"sts", ENV_ENDPOINT_URL_STS, "sts", "sts", 0},
};

/* DNS suffixes of the partitions other than the main one. */
static const struct partition {
	const char *region_prefix;
	const char *dns_suffix;
} partitions[] = {
    {"cn-", "amazonaws.com.cn"},
    {"us-iso-", "c2s.ic.gov"},
    {"us-isob-", "sc2s.sgov.gov"},
    {"eu-isoe-", "cloud.adc-e.uk"},
    {"us-isof-", "csp.hci.ic.gov"},
    {"eusc-", "amazonaws.eu"},
};

enum section_kind { SECTION_PROFILE, SECTION_SERVICES, SECTION_OTHER };

struct section {
	enum config_file file;
	enum section_kind kind;
	char *raw; /* the text between the brackets */
	char *name; /* the profile or services name; raw for the others */
};

struct entry {
	size_t section; /* index into config.sections */
	char *key; /* lower-cased, as the AWS CLI reads keys */
	char *subkey; /* a key of a nested block, case kept, or NULL */
	char *value;
};

struct config {
	char *env[ENV_COUNT]; /* copies; NULL when unset or empty */
	char *path[2]; /* by enum config_file; NULL without HOME */
	char *profile;
	const char *profile_from; /* "--profile", "AWS_PROFILE", ... or NULL */
	char *opt_region;
	char *opt_endpoint;
	struct section *sections;
	size_t nsections;
	struct entry *entries;
	size_t nentries;
};

/* The state of parsing one file. */
struct ini {
	struct config *cfg;
	enum config_file file;
	const char *path;
	unsigned line;
	int have_section;
	int have_key; /* the section has a key that may continue */
	size_t key; /* that key's entry */
	size_t key_indent; /* and its indentation */
	int nested; /* that key opened a nested block */
};

static const char *
file_label(enum config_file file)
{
	return (
	    file == CONFIG_FILE_CONFIG ? "config file" : "credentials file");
}

static char *
copy_nonempty(const char *s)
{
	return (s == NULL || *s == '\0' ? NULL : xstrdup(s));
}

int
config_is_true(const char *s)
{
	return (s != NULL && strcasecmp(s, "true") == 0);
}

const char *
config_getenv(const char *name)
{
	const char *v = getenv(name);

	return (v == NULL || *v == '\0' ? NULL : v);
}

int
config_read_token(
    const char *path, const char *what, size_t max, struct buf *b, char **cause)
{
	char chunk[4096];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s %s: %s", what, path, strerror(errno));
		return (-1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 && b->len + n <= max)
		buf_add(b, chunk, n);
	if (ferror(fp) || n > 0) {
		if (n > 0)
			xasprintf(cause, "%s %s: larger than %zu KB", what,
			    path, max / 1024);
		else
			xasprintf(
			    cause, "%s %s: %s", what, path, strerror(errno));
		fclose(fp);
		return (-1);
	}
	fclose(fp);
	while (b->len > 0 &&
	    (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = '\0';
	return (0);
}

/* Strip leading and trailing blanks in place. */
static char *
trim(char *s)
{
	size_t len;

	s += strspn(s, " \t\r\n\f\v");
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return (s);
}

static int ini_error(const struct ini *, char **, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
ini_error(const struct ini *ini, char **cause, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s %s line %u: %s", file_label(ini->file), ini->path,
	    ini->line, what);
	free(what);
	return (-1);
}

/* "WORD NAME" or "WORD \"NAME\"" gives a copy of NAME, else NULL. */
static char *
section_word(const char *raw, const char *word)
{
	size_t n = strlen(word), len;
	const char *s;
	int quoted = 0;

	if (strncmp(raw, word, n) != 0 || (raw[n] != ' ' && raw[n] != '\t'))
		return (NULL);
	s = raw + n + strspn(raw + n, " \t");
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
		s++;
		len -= 2;
		quoted = 1;
	}
	if (len == 0 || (!quoted && strcspn(s, " \t") < len))
		return (NULL);
	return (xstrndup(s, len));
}

static void
section_classify(struct section *sec)
{
	if (sec->file == CONFIG_FILE_CREDENTIALS ||
	    strcmp(sec->raw, "default") == 0) {
		sec->kind = SECTION_PROFILE;
		sec->name = xstrdup(sec->raw);
	} else if ((sec->name = section_word(sec->raw, "profile")) != NULL)
		sec->kind = SECTION_PROFILE;
	else if ((sec->name = section_word(sec->raw, "services")) != NULL)
		sec->kind = SECTION_SERVICES;
	else {
		sec->kind = SECTION_OTHER;
		sec->name = xstrdup(sec->raw);
	}
}

static int
ini_section(struct ini *ini, char *s, char **cause)
{
	struct config *cfg = ini->cfg;
	struct section *sec;
	char *end;
	size_t i;

	if ((end = strrchr(s, ']')) == NULL)
		return (ini_error(ini, cause, "no ] closes the section name"));
	*end = '\0';
	if (s[1] == '\0')
		return (ini_error(ini, cause, "empty section name []"));
	for (i = 0; i < cfg->nsections; i++) {
		sec = &cfg->sections[i];
		if (sec->file == ini->file && strcmp(sec->raw, s + 1) == 0)
			return (ini_error(
			    ini, cause, "section [%s] appears twice", s + 1));
	}
	cfg->sections = xreallocarray(
	    cfg->sections, cfg->nsections + 1, sizeof *cfg->sections);
	sec = &cfg->sections[cfg->nsections++];
	sec->file = ini->file;
	sec->raw = xstrdup(s + 1);
	section_classify(sec);
	ini->have_section = 1;
	ini->have_key = 0;
	return (0);
}

static size_t
entry_add(
    struct config *cfg, const char *key, const char *subkey, const char *value)
{
	struct entry *e;

	cfg->entries = xreallocarray(
	    cfg->entries, cfg->nentries + 1, sizeof *cfg->entries);
	e = &cfg->entries[cfg->nentries];
	e->section = cfg->nsections - 1;
	e->key = xstrdup(key);
	e->subkey = subkey == NULL ? NULL : xstrdup(subkey);
	e->value = xstrdup(value);
	return (cfg->nentries++);
}

static int
ini_key(struct ini *ini, char *s, size_t indent, char **cause)
{
	struct config *cfg = ini->cfg;
	char *sep, *key, *value, *p;
	size_t i;

	if (!ini->have_section)
		return (ini_error(ini, cause, "a key before any [section]"));
	sep = s + strcspn(s, "=:");
	if (*sep == '\0')
		return (
		    ini_error(ini, cause, "expected KEY = VALUE or [SECTION]"));
	*sep = '\0';
	key = trim(s);
	value = trim(sep + 1);
	if (*key == '\0')
		return (ini_error(ini, cause, "no key before the '='"));
	for (p = key; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	for (i = 0; i < cfg->nentries; i++) {
		if (cfg->entries[i].section == cfg->nsections - 1 &&
		    cfg->entries[i].subkey == NULL &&
		    strcmp(cfg->entries[i].key, key) == 0)
			return (ini_error(ini, cause,
			    "key %s appears twice in [%s]", key,
			    cfg->sections[cfg->nsections - 1].raw));
	}
	ini->key = entry_add(cfg, key, NULL, value);
	ini->key_indent = indent;
	ini->have_key = 1;
	ini->nested = 0;
	return (0);
}

/* A "name = value" line of a nested block. */
static int
ini_nested(struct ini *ini, char *s, char **cause)
{
	struct config *cfg = ini->cfg;
	char *sep, *subkey;

	if ((sep = strchr(s, '=')) == NULL)
		return (ini_error(ini, cause, "expected NAME = VALUE under %s",
		    cfg->entries[ini->key].key));
	*sep = '\0';
	subkey = trim(s);
	if (*subkey == '\0')
		return (ini_error(ini, cause, "no name before the '=' under %s",
		    cfg->entries[ini->key].key));
	entry_add(cfg, cfg->entries[ini->key].key, subkey, trim(sep + 1));
	return (0);
}

/* A line indented under a key: more of its value, or a nested block. */
static int
ini_continuation(struct ini *ini, char *s, char **cause)
{
	struct entry *e = &ini->cfg->entries[ini->key];
	char *joined;

	if (!ini->nested && e->value[0] == '\0')
		ini->nested = 1;
	if (ini->nested)
		return (ini_nested(ini, s, cause));
	xasprintf(&joined, "%s\n%s", e->value, s);
	free(e->value);
	e->value = joined;
	return (0);
}

static int
ini_line(struct ini *ini, char *line, char **cause)
{
	size_t indent = strspn(line, " \t");
	char *s = trim(line + indent);

	if (*s == '\0' || *s == '#' || *s == ';')
		return (0);
	if (indent > 0 && ini->have_key && indent > ini->key_indent)
		return (ini_continuation(ini, s, cause));
	if (*s == '[')
		return (ini_section(ini, s, cause));
	return (ini_key(ini, s, indent, cause));
}

/*
 * Parse one file. As botocore reads them, a file that does not exist or is
 * not a regular file (a directory, /dev/null) is empty, whether or not
 * AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE named it; one that cannot
 * be opened is empty too (the AWS CLI goes on without it), with a warning.
 */
static int
config_read(struct config *cfg, enum config_file file, char **cause)
{
	struct ini ini = {.cfg = cfg, .file = file, .path = cfg->path[file]};
	char *line = NULL;
	struct stat st;
	size_t cap = 0;
	FILE *f;
	int r = 0;

	if (ini.path == NULL || stat(ini.path, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return (0);
	if ((f = fopen(ini.path, "r")) == NULL) {
		log_warn("%s %s: %s; read as empty, as the AWS CLI does",
		    file_label(file), ini.path, strerror(errno));
		return (0);
	}
	while (r == 0 && getline(&line, &cap, f) != -1) {
		ini.line++;
		r = ini_line(&ini, line, cause);
	}
	if (r == 0 && ferror(f)) {
		xasprintf(cause, "%s %s: %s", file_label(file), ini.path,
		    strerror(errno));
		r = -1;
	}
	free(line);
	fclose(f);
	return (r);
}

/* The file's path: the variable (with ~/ expanded), or ~/.aws/NAME. */
static char *
file_path(const char *var, const char *name)
{
	const char *home = getenv("HOME");
	char *path;

	if (var != NULL && strncmp(var, "~/", 2) == 0 && home != NULL)
		xasprintf(&path, "%s%s", home, var + 1);
	else if (var != NULL)
		path = xstrdup(var);
	else if (home != NULL && *home != '\0')
		xasprintf(&path, "%s/.aws/%s", home, name);
	else
		path = NULL;
	return (path);
}

static void
choose_profile(struct config *cfg, const struct config_options *opt)
{
	if (opt->profile != NULL) {
		cfg->profile = xstrdup(opt->profile);
		cfg->profile_from = "--profile";
	} else if (cfg->env[ENV_PROFILE] != NULL) {
		cfg->profile = xstrdup(cfg->env[ENV_PROFILE]);
		cfg->profile_from = "AWS_PROFILE";
	} else if (cfg->env[ENV_DEFAULT_PROFILE] != NULL) {
		cfg->profile = xstrdup(cfg->env[ENV_DEFAULT_PROFILE]);
		cfg->profile_from = "AWS_DEFAULT_PROFILE";
	} else
		cfg->profile = xstrdup("default");
}

/* A chosen profile must exist, except "default", as in the AWS CLI. */
static int
check_profile(const struct config *cfg, char **cause)
{
	const char *conf = cfg->path[CONFIG_FILE_CONFIG];
	const char *cred = cfg->path[CONFIG_FILE_CREDENTIALS];

	if (cfg->profile_from == NULL || strcmp(cfg->profile, "default") == 0 ||
	    config_has_profile(cfg, cfg->profile))
		return (0);
	xasprintf(cause, "%s %s: no such profile in %s or %s",
	    cfg->profile_from, cfg->profile,
	    conf != NULL ? conf : "(no config file: HOME unset)",
	    cred != NULL ? cred : "(no credentials file: HOME unset)");
	return (-1);
}

struct config *
config_load(const struct config_options *opt, char **cause)
{
	struct config *cfg;
	int i;

	cfg = xcalloc(1, sizeof *cfg);
	for (i = 0; i < ENV_COUNT; i++)
		cfg->env[i] = copy_nonempty(getenv(env_names[i]));
	cfg->path[CONFIG_FILE_CONFIG] =
	    file_path(cfg->env[ENV_CONFIG_FILE], "config");
	cfg->path[CONFIG_FILE_CREDENTIALS] =
	    file_path(cfg->env[ENV_CREDENTIALS_FILE], "credentials");
	cfg->opt_region = copy_nonempty(opt->region);
	cfg->opt_endpoint = copy_nonempty(opt->endpoint_url);
	choose_profile(cfg, opt);
	if (config_read(cfg, CONFIG_FILE_CONFIG, cause) == -1 ||
	    config_read(cfg, CONFIG_FILE_CREDENTIALS, cause) == -1 ||
	    check_profile(cfg, cause) == -1) {
		config_free(cfg);
		return (NULL);
	}
	return (cfg);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < ENV_COUNT; i++)
		free(cfg->env[i]);
	for (i = 0; i < cfg->nentries; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].subkey);
		free(cfg->entries[i].value);
	}
	for (i = 0; i < cfg->nsections; i++) {
		free(cfg->sections[i].raw);
		free(cfg->sections[i].name);
	}
	free(cfg->entries);
	free(cfg->sections);
	free(cfg->path[0]);
	free(cfg->path[1]);
	free(cfg->profile);
	free(cfg->opt_region);
	free(cfg->opt_endpoint);
	free(cfg);
}

const char *
config_profile(const struct config *cfg)
{
	return (cfg->profile);
}

int
config_profile_from_cli(const struct config *cfg)
{
	return (cfg->profile_from != NULL &&
	    strcmp(cfg->profile_from, "--profile") == 0);
}

/* The value of the last matching entry: later sections win. */
static const char *
lookup(const struct config *cfg, enum config_file file, enum section_kind kind,
    const char *name, const char *key, const char *subkey)
{
	const struct entry *e;
	const struct section *sec;
	size_t i;

	for (i = cfg->nentries; i-- > 0;) {
		e = &cfg->entries[i];
		sec = &cfg->sections[e->section];
		if (sec->file != file || sec->kind != kind ||
		    strcmp(sec->name, name) != 0 || strcmp(e->key, key) != 0)
			continue;
		if (subkey == NULL
			? e->subkey == NULL
			: (e->subkey != NULL && strcmp(e->subkey, subkey) == 0))
			return (e->value);
	}
	return (NULL);
}

const char *
config_get_file(const struct config *cfg, enum config_file file,
    const char *profile, const char *key)
{
	return (lookup(cfg, file, SECTION_PROFILE, profile, key, NULL));
}

const char *
config_get_profile(
    const struct config *cfg, const char *profile, const char *key)
{
	const char *v;

	v = config_get_file(cfg, CONFIG_FILE_CREDENTIALS, profile, key);
	if (v == NULL)
		v = config_get_file(cfg, CONFIG_FILE_CONFIG, profile, key);
	return (v);
}

const char *
config_get(const struct config *cfg, const char *key)
{
	return (config_get_profile(cfg, cfg->profile, key));
}

int
config_has_profile(const struct config *cfg, const char *profile)
{
	size_t i;

	for (i = 0; i < cfg->nsections; i++) {
		if (cfg->sections[i].kind == SECTION_PROFILE &&
		    strcmp(cfg->sections[i].name, profile) == 0)
			return (1);
	}
	return (0);
}

const char *
config_file_path(const struct config *cfg, enum config_file file)
{
	return (cfg->path[file]);
}

/* A non-empty key of the profile in use. */
static const char *
profile_value(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, key);

	return (v == NULL || *v == '\0' ? NULL : v);
}

static int
region_valid(const char *r)
{
	size_t len = strlen(r);

	return (len > 0 && len < 64 &&
	    strspn(r,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-") == len);
}

int
config_region(const struct config *cfg, const char **region, char **cause)
{
	const char *r, *from, *of = "";

	if ((r = cfg->opt_region) != NULL)
		from = "--region";
	else if ((r = cfg->env[ENV_REGION]) != NULL)
		from = "AWS_REGION";
	else if ((r = cfg->env[ENV_DEFAULT_REGION]) != NULL)
		from = "AWS_DEFAULT_REGION";
	else if ((r = profile_value(cfg, "region")) != NULL) {
		from = "region of profile ";
		of = cfg->profile;
	} else {
		xasprintf(cause,
		    "no AWS region: use --region, set AWS_REGION or "
		    "AWS_DEFAULT_REGION, or set region in profile %s "
		    "(aws configure)",
		    cfg->profile);
		return (-1);
	}
	if (!region_valid(r)) {
		xasprintf(cause,
		    "%s%s: \"%s\" is not a region name (letters, digits and "
		    "dashes only)",
		    from, of, r);
		return (-1);
	}
	*region = r;
	return (0);
}

const char *
config_signing_name(enum config_service svc)
{
	return (services[svc].signing_name);
}

static int
host_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return (0);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("-._", s[i]) == NULL)
			return (0);
	}
	return (1);
}

static int
port_valid(const char *s, size_t len)
{
	unsigned long port = 0;
	size_t i;

	if (len == 0 || len > 5)
		return (0);
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (0);
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return (port >= 1 && port <= 65535);
}

/* Split an authority into host and port, or say what is wrong with it. */
static const char *
authority_split(
    const char *auth, size_t len, char **host, const char **port, size_t *plen)
{
	const char *hend, *colon;
	struct in6_addr a6;

	*port = NULL;
	*plen = 0;
	if (len == 0)
		return ("it has no host");
	if (memchr(auth, '@', len) != NULL)
		return ("user names in URLs are not supported");
	if (*auth == '[') {
		if ((hend = memchr(auth, ']', len)) == NULL)
			return ("no ] closes the IPv6 address");
		*host = xstrndup(auth + 1, (size_t)(hend - auth - 1));
		if (inet_pton(AF_INET6, *host, &a6) != 1)
			return ("the address in [] is not an IPv6 address");
		colon = hend + 1 < auth + len ? hend + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return ("unexpected text after the IPv6 address");
	} else {
		colon = memchr(auth, ':', len);
		hend = colon != NULL ? colon : auth + len;
		if (!host_valid(auth, (size_t)(hend - auth)))
			return (
			    "the host name has characters a host cannot have");
		*host = xstrndup(auth, (size_t)(hend - auth));
	}
	if (colon != NULL) {
		*port = colon + 1;
		*plen = (size_t)(auth + len - *port);
		if (!port_valid(*port, *plen))
			return ("the port is not a number from 1 to 65535");
	}
	return (NULL);
}

static int
url_error(struct config_url *u, const char *url, const char *why, char **cause)
{
	xasprintf(cause, "URL \"%s\": %s", url, why);
	config_url_free(u);
	return (-1);
}

int
config_url_parse(const char *url, struct config_url *u, char **cause)
{
	const char *sep, *auth, *end, *port, *why;
	size_t i, plen;

	memset(u, 0, sizeof *u);
	for (i = 0; url[i] != '\0'; i++) {
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return (url_error(u, url,
			    "it has spaces or control characters", cause));
	}
	if ((sep = strstr(url, "://")) == NULL)
		return (url_error(u, url, "it has no scheme://", cause));
	u->scheme = xstrndup(url, (size_t)(sep - url));
	for (i = 0; u->scheme[i] != '\0'; i++)
		u->scheme[i] = tolower((unsigned char)u->scheme[i]);
	if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0)
		return (url_error(
		    u, url, "the scheme must be http or https", cause));
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	why =
	    authority_split(auth, (size_t)(end - auth), &u->host, &port, &plen);
	if (why != NULL)
		return (url_error(u, url, why, cause));
	u->authority = xstrndup(auth, (size_t)(end - auth));
	u->path = xstrdup(end);
	return (0);
}

void
config_url_free(struct config_url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->authority);
	free(u->path);
	memset(u, 0, sizeof *u);
}

int
config_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return (1);
	if (inet_pton(AF_INET, host, &a4) == 1)
		return ((ntohl(a4.s_addr) >> 24) == 127);
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return (IN6_IS_ADDR_LOOPBACK(&a6));
	return (0);
}

/* Check a configured endpoint and return it without trailing slashes. */
static int
endpoint_check(const char *url, const char *from, char **out, char **cause)
{
	struct config_url u;
	const char *why = NULL;
	size_t len;
	char *c;

	if (config_url_parse(url, &u, &c) == -1) {
		xasprintf(cause, "%s: %s", from, c);
		free(c);
		return (-1);
	}
	if (strcmp(u.scheme, "http") == 0 && !config_host_is_loopback(u.host))
		why =
		    "plain http is allowed only to loopback hosts (127.0.0.1, "
		    "::1, localhost); use https";
	else if (strpbrk(u.path, "?#") != NULL)
		why = "an endpoint cannot have a query or a fragment";
	if (why != NULL) {
		xasprintf(cause, "%s: URL \"%s\": %s", from, url, why);
		config_url_free(&u);
		return (-1);
	}
	len = strlen(u.path);
	while (len > 0 && u.path[len - 1] == '/')
		len--;
	xasprintf(out, "%s://%s%.*s", u.scheme, u.authority, (int)len, u.path);
	config_url_free(&u);
	return (0);
}

static int
ignore_configured_endpoints(const struct config *cfg)
{
	return (config_is_true(cfg->env[ENV_IGNORE_ENDPOINTS]) ||
	    config_is_true(
		profile_value(cfg, "ignore_configured_endpoint_urls")));
}

/* The endpoint_url of the service in the profile's [services] section. */
static const char *
services_endpoint(
    const struct config *cfg, enum config_service svc, const char **name)
{
	const char *v;

	if ((*name = profile_value(cfg, "services")) == NULL)
		return (NULL);
	v = lookup(cfg, CONFIG_FILE_CONFIG, SECTION_SERVICES, *name,
	    services[svc].services_key, "endpoint_url");
	return (v == NULL || *v == '\0' ? NULL : v);
}

/* An endpoint the user configured, and where (*from, allocated). */
static const char *
configured_endpoint(
    const struct config *cfg, enum config_service svc, char **from)
{
	const char *v, *name;

	if (services[svc].takes_option && cfg->opt_endpoint != NULL) {
		*from = xstrdup("--endpoint-url");
		return (cfg->opt_endpoint);
	}
	if (ignore_configured_endpoints(cfg))
		return (NULL);
	if ((v = cfg->env[services[svc].env]) != NULL) {
		*from = xstrdup(env_names[services[svc].env]);
		return (v);
	}
	if ((v = cfg->env[ENV_ENDPOINT_URL]) != NULL) {
		*from = xstrdup(env_names[ENV_ENDPOINT_URL]);
		return (v);
	}
	if ((v = services_endpoint(cfg, svc, &name)) != NULL) {
		xasprintf(from, "endpoint_url of %s in [services %s]",
		    services[svc].services_key, name);
		return (v);
	}
	if ((v = profile_value(cfg, "endpoint_url")) != NULL) {
		xasprintf(from, "endpoint_url of profile %s", cfg->profile);
		return (v);
	}
	return (NULL);
}

static const char *
dns_suffix(const char *region)
{
	size_t i;

	for (i = 0; i < sizeof partitions / sizeof partitions[0]; i++) {
		if (strncmp(region, partitions[i].region_prefix,
			strlen(partitions[i].region_prefix)) == 0)
			return (partitions[i].dns_suffix);
	}
	return ("amazonaws.com");
}

/* The configured endpoint of svc, else AWS's own: host_prefix first
 * ("stream-" for the streaming operations), then the service's. */
static int
endpoint(const struct config *cfg, enum config_service svc,
    const char *host_prefix, char **url, char **cause)
{
	const char *v, *region;
	char *from = NULL;
	int r;

	if ((v = configured_endpoint(cfg, svc, &from)) != NULL) {
		r = endpoint_check(v, from, url, cause);
		free(from);
		return (r);
	}
	if (config_region(cfg, &region, cause) == -1)
		return (-1);
	xasprintf(url, "https://%s%s.%s.%s", host_prefix,
	    services[svc].host_prefix, region, dns_suffix(region));
	return (0);
}

int
config_endpoint(
    const struct config *cfg, enum config_service svc, char **url, char **cause)
{
	return (endpoint(cfg, svc, "", url, cause));
}

int
config_stream_endpoint(
    const struct config *cfg, enum config_service svc, char **url, char **cause)
{
	return (endpoint(cfg, svc, "stream-", url, cause));
}

const char *
config_ca_bundle(const struct config *cfg)
{
	if (cfg->env[ENV_CA_BUNDLE] != NULL)
		return (cfg->env[ENV_CA_BUNDLE]);
	return (profile_value(cfg, "ca_bundle"));
}

int
config_max_attempts(const struct config *cfg)
{
	const char *v = cfg->env[ENV_MAX_ATTEMPTS];
	char *end;
	long n;

	if (v == NULL)
		v = profile_value(cfg, "max_attempts");
	if (v == NULL)
		return (0);
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 100)
		return (0);
	return ((int)n);
}
