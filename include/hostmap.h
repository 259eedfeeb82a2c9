/*
 * hostmap: read the group-to-hosts maps the SageMaker toolkit prints, in
 * either of its two shapes:
 *
 *   {"GROUP": {"hosts": ["algo-1", ...], ...}, ...}      instance_groups_dict
 *   [{"instance_group_name": "GROUP", "hosts": [...]}, ...]   instance_groups
 *
 * Ownership: the strings passed to the callback are valid only during it.
 */
#ifndef HOSTMAP_H
#define HOSTMAP_H

#include <stddef.h>

typedef void (*hostmap_fn)(void *arg, const char *group, size_t group_len,
    const char *host, size_t host_len);

/*
 * Call fn for every (group, host) pair in the JSON text. Returns the number
 * of pairs, or -1 with cause set when the text is not JSON.
 */
int hostmap_parse(
    const char *json, size_t len, hostmap_fn fn, void *arg, char **cause);

#endif
