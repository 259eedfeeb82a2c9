/*
 * Group-to-hosts maps, parsed with yajl's tree API: the maps are small
 * (a few hundred bytes per group), and a tree makes both shapes easy to
 * walk. Anything of another shape maps nothing; it is not an error, since
 * a user's rule may capture JSON that only sometimes is a map.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "hostmap.h"
#include "json.h"
#include "xmalloc.h"

#define HOSTMAP_MAX_LEN (4 * 1024 * 1024)

static yajl_val
object_get(yajl_val obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return (obj->u.object.values[i]);
	return (NULL);
}

static int
each_host(yajl_val hosts, const char *group, hostmap_fn fn, void *arg)
{
	size_t i;
	yajl_val h;
	int n = 0;

	if (hosts == NULL || !YAJL_IS_ARRAY(hosts))
		return (0);
	for (i = 0; i < hosts->u.array.len; i++) {
		h = hosts->u.array.values[i];
		if (!YAJL_IS_STRING(h))
			continue;
		fn(arg, group, strlen(group), h->u.string, strlen(h->u.string));
		n++;
	}
	return (n);
}

static int
walk_dict(yajl_val root, hostmap_fn fn, void *arg)
{
	size_t i;
	yajl_val v;
	int n = 0;

	for (i = 0; i < root->u.object.len; i++) {
		v = root->u.object.values[i];
		if (YAJL_IS_OBJECT(v))
			n += each_host(object_get(v, "hosts"),
			    root->u.object.keys[i], fn, arg);
	}
	return (n);
}

static int
walk_list(yajl_val root, hostmap_fn fn, void *arg)
{
	size_t i;
	yajl_val v, name;
	int n = 0;

	for (i = 0; i < root->u.array.len; i++) {
		v = root->u.array.values[i];
		if (!YAJL_IS_OBJECT(v))
			continue;
		name = object_get(v, "instance_group_name");
		if (name != NULL && YAJL_IS_STRING(name))
			n += each_host(
			    object_get(v, "hosts"), name->u.string, fn, arg);
	}
	return (n);
}

int
hostmap_parse(
    const char *json, size_t len, hostmap_fn fn, void *arg, char **cause)
{
	char err[256];
	yajl_val root;
	int n = 0;

	if (len > HOSTMAP_MAX_LEN) {
		xasprintf(cause, "host map of %zu bytes is too large", len);
		return (-1);
	}
	root = json_tree_parse(json, len, err, sizeof err);
	if (root == NULL) {
		err[strcspn(err, "\n")] = '\0';
		xasprintf(cause, "host map is not JSON: %s",
		    err[0] != '\0' ? err : "parse error");
		return (-1);
	}
	if (YAJL_IS_OBJECT(root))
		n = walk_dict(root, fn, arg);
	else if (YAJL_IS_ARRAY(root))
		n = walk_list(root, fn, arg);
	yajl_tree_free(root);
	return (n);
}
