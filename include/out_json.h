/*
 * out_json: JSON Lines, one object per event:
 *   {"timestamp":MS,"group":G,"host":H,"stream":S,"message":M}
 * Always valid UTF-8 JSON. When the message holds bytes that are not valid
 * UTF-8, they show as U+FFFD in "message" and the exact bytes are added as
 * "message_base64", so nothing is lost; likewise "group_base64",
 * "host_base64" and "stream_base64" for names that are not UTF-8.
 *
 * Ownership: out_json_new() returns a state for out_json_sink.
 */
#ifndef OUT_JSON_H
#define OUT_JSON_H

#include "sink.h"

extern const struct sink out_json_sink;

void *out_json_new(int fd);

#endif
