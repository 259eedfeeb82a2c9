/*
 * Fuzz the parser of AWS error bodies (JSON, or moto's XML). The code and
 * message must be NUL-terminated within their arrays, and a code is
 * always found (AWS's, or "HTTP N").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_err e;
	char *body;

	/* Bodies reach the parser NUL-terminated, as http hands them out. */
	if ((body = malloc(size + 1)) == NULL)
		return (0);
	memcpy(body, data, size);
	body[size] = '\0';
	aws_parse_error(400, body, size, &e);
	if (memchr(e.code, '\0', sizeof e.code) == NULL ||
	    memchr(e.message, '\0', sizeof e.message) == NULL)
		abort();
	if (e.code[0] == '\0')
		abort();
	free(body);
	return (0);
}
