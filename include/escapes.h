/*
 * escapes: the collector's escapes of control characters. SageMaker's log
 * collector writes each control character of a line as '#' and three octal
 * digits ("#011" for TAB, "#015" for CR, "#033" for ESC), so that is how
 * CloudWatch holds them. Decoding gives back the bytes the program wrote,
 * for reading; outputs that are the record (JSON, exports) keep the
 * escaped form. A program that printed "#011" itself cannot be told apart.
 *
 * Ownership: the functions append to a caller-owned struct buf.
 */
#ifndef ESCAPES_H
#define ESCAPES_H

#include <stddef.h>

#include "buf.h"

/* Nonzero when s holds at least one escape that escapes_decode() decodes. */
int escapes_find(const char *s, size_t len);

/*
 * Append s with the escapes that matter for reading replaced by their
 * byte: "#011" (TAB), "#015" (CR) and "#033" before '[' (ESC of a control
 * sequence). Every other "#", "#007" or "#000000" say, is copied as it is.
 */
void escapes_decode(struct buf *, const char *s, size_t len);

#endif
