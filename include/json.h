/*
 * json: writing JSON text (JSON Lines output, the export manifest). Any
 * bytes can be written as a string, and the result is always valid UTF-8
 * JSON: invalid bytes become U+FFFD and the caller is told, so it can keep
 * the exact bytes another way (base64).
 *
 * Ownership: functions append to a caller-owned struct buf.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "buf.h"

/*
 * Append s as a quoted JSON string. Returns 1 when some bytes were not
 * valid UTF-8 and were replaced by U+FFFD, else 0.
 */
int json_add_string(struct buf *, const char *s, size_t len);
/* Append s, base64-encoded (RFC 4648, padded), as a quoted JSON string. */
void json_add_base64(struct buf *, const void *s, size_t len);
void json_add_int(struct buf *, int64_t);

/*
 * Append the bytes a JSON string body (the text between the quotes) stands
 * for, decoding every escape including surrogate pairs. Returns 0, or -1
 * when an escape is malformed.
 */
int json_unescape(struct buf *, const char *s, size_t len);

/*
 * Nonzero when JSON text nests arrays and objects no deeper than max
 * (brackets inside strings do not count). Tree parsers free recursively,
 * so deeper input from untrusted sources is refused before parsing.
 */
int json_depth_ok(const char *s, size_t len, int max);

/*
 * yajl_tree_parse() of len bytes (no NUL needed), refusing input nested
 * deeper than JSON_MAX_DEPTH. NULL with a message in err on failure; the
 * caller frees the tree with yajl_tree_free().
 */
#define JSON_MAX_DEPTH 64
yajl_val json_tree_parse(const char *s, size_t len, char *err, size_t errlen);

/* The member key of an object, if it has type; else NULL. */
yajl_val json_member(yajl_val object, const char *key, yajl_type type);
/* The string member key of an object, or NULL. */
const char *json_member_string(yajl_val object, const char *key);

#endif
