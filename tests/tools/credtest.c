/*
 * credtest: runs the real configuration and credential chain the way
 * cwdemux does and prints what they found, for tests/integ/creds.sh:
 *
 *   credtest [--profile P] [--region R] [--endpoint-url U] [--debug]
 *            [--twice | --expire]
 *
 * prints "source=S key=AKID token=yes|no expires=EPOCH region=R logs=URL
 * sagemaker=URL sts=URL" once, or twice: --twice gets the credentials
 * again (a refresh happens when they expire within five minutes), --expire
 * calls creds_expire() first. Any error prints "error: CAUSE" and exits 1.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "creds.h"
#include "log.h"

static int
usage(void)
{
	fprintf(stderr,
	    "usage: credtest [--profile P] [--region R] "
	    "[--endpoint-url U] [--debug] [--twice | --expire]\n");
	return (2);
}

/* The region and the three endpoints, as one line's tail. */
static int
print_endpoints(const struct config *cfg, char **cause)
{
	static const enum config_service svcs[] = {
	    SERVICE_LOGS, SERVICE_SAGEMAKER, SERVICE_STS};
	static const char *const names[] = {"logs", "sagemaker", "sts"};
	const char *region;
	char *url;
	size_t i;

	if (config_region(cfg, &region, cause) == -1)
		return (-1);
	printf(" region=%s", region);
	for (i = 0; i < 3; i++) {
		if (config_endpoint(cfg, svcs[i], &url, cause) == -1)
			return (-1);
		printf(" %s=%s", names[i], url);
		free(url);
	}
	return (0);
}

static int
get_and_print(struct creds_chain *ch, const struct config *cfg, char **cause)
{
	const struct creds *c;

	if (creds_get(ch, time(NULL), &c, cause) == -1)
		return (-1);
	printf("source=%s key=%s token=%s expires=%lld", creds_source(ch),
	    c->access_key_id, c->session_token != NULL ? "yes" : "no",
	    (long long)c->expiration);
	if (print_endpoints(cfg, cause) == -1) {
		putchar('\n');
		return (-1);
	}
	putchar('\n');
	return (0);
}

int
main(int argc, char **argv)
{
	struct config_options opt = {NULL, NULL, NULL};
	struct creds_chain *ch = NULL;
	struct config *cfg;
	char *cause = NULL;
	int i, twice = 0, expire = 0, r = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--twice") == 0)
			twice = 1;
		else if (strcmp(argv[i], "--expire") == 0)
			expire = 1;
		else if (strcmp(argv[i], "--debug") == 0)
			log_set_debug(1);
		else if (i + 1 == argc)
			return (usage());
		else if (strcmp(argv[i], "--profile") == 0)
			opt.profile = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			opt.region = argv[++i];
		else if (strcmp(argv[i], "--endpoint-url") == 0)
			opt.endpoint_url = argv[++i];
		else
			return (usage());
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((cfg = config_load(&opt, &cause)) == NULL)
		goto out;
	ch = creds_new(cfg);
	if (get_and_print(ch, cfg, &cause) == -1)
		goto out;
	if (expire)
		creds_expire(ch);
	if ((twice || expire) && get_and_print(ch, cfg, &cause) == -1)
		goto out;
	r = 0;
out:
	if (r != 0)
		printf("error: %s\n", cause);
	free(cause);
	creds_free(ch);
	config_free(cfg);
	curl_global_cleanup();
	return (r);
}
