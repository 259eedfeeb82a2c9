/*
 * rules: the PCRE2 rules that say which host a stream is and which group a
 * host is in. A rule file holds one rule a line, "KIND[,OPTION...] REGEX"
 * (see cwdemux-rules(5)):
 *
 *   stream   matched against a stream name; (?<host>) names its host.
 *   marker   matched against every line of every event; (?<group>) is the
 *            group of the printing host, or of (?<host>) when captured.
 *   hostmap  matched against the whole event (a map may span lines);
 *            (?<map>) is JSON mapping every group to its hosts.
 *
 * Rules are compiled once (JIT when available) and run under match, depth
 * and heap limits, so no rule can hang the program; a rule that keeps
 * hitting a limit is switched off with a warning.
 *
 * Ownership: struct rules owns its compiled rules. The strings in a struct
 * rules_hit belong to the rules object and are valid only during the
 * callback that receives them.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>

struct rules;

enum rule_kind {
	RULE_STREAM,
	RULE_MARKER,
	RULE_HOSTMAP,
};

/* What one rule found in one line, event or stream name. */
struct rules_hit {
	enum rule_kind kind;
	const char *file; /* where the rule was written */
	unsigned line;
	const char *group; /* marker: the group (decoded), else NULL */
	size_t group_len;
	const char *host; /* stream, or marker with (?<host>), else NULL */
	size_t host_len;
	const char *map; /* hostmap: the captured JSON, else NULL */
	size_t map_len;
};

/* Returns nonzero to stop looking for more hits. */
typedef int (*rules_hit_fn)(void *arg, const struct rules_hit *);

struct rules *rules_new(void);
void rules_free(struct rules *);

/*
 * Add the rules in text (len bytes) read from name. On error fills cause
 * with "NAME line L column C: what is wrong" and returns -1.
 */
int rules_load(struct rules *, const char *name, const char *text, size_t len,
    char **cause);
/* Read and add a rule file. */
int rules_load_file(struct rules *, const char *path, char **cause);
/* Add the shipped rules (patterns/sagemaker.rules, built in). */
int rules_load_default(struct rules *, char **cause);

/*
 * The host of a stream name by the first stream rule that matches; returns
 * 1 and calls fn with the hit, or 0 when no rule matches.
 */
int rules_match_stream(
    struct rules *, const char *name, size_t len, rules_hit_fn fn, void *arg);
/* Run every marker rule over one line. */
void rules_match_line(
    struct rules *, const char *line, size_t len, rules_hit_fn fn, void *arg);
/* Run every hostmap rule over a whole event. */
void rules_match_event(
    struct rules *, const char *msg, size_t len, rules_hit_fn fn, void *arg);

#endif
