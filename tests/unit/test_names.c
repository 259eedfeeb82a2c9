/*
 * Table tests of the names cwdemux derives from untrusted input: export
 * file names from group names, stream names from paths on disk.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "export.h"
#include "source_files.h"
#include "unit.h"

static void
test_export_file_name(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} t[] = {
	    {"train_group", 11, "train_group.log"},
	    {"data-group.v2", 13, "data-group.v2.log"},
	    {"../../etc", 9, "%2E.%2F..%2Fetc.log"},
	    {"a/b", 3, "a%2Fb.log"},
	    {".hidden", 7, "%2Ehidden.log"},
	    {"..", 2, "%2E..log"},
	    {"a b", 3, "a%20b.log"},
	    {"100%", 4, "100%25.log"},
	    {"caf\xc3\xa9", 5, "caf%C3%A9.log"},
	    {"nul\0x", 5, "nul%00x.log"},
	    {"manifest.json", 13, "manifest.json.log"},
	    {"unassigned", 10, "unassigned.log"},
	    /* Found by fuzzing: an empty name gave the dot file ".log". */
	    {"", 0, "%.log"},
	};
	struct buf b = BUF_INIT;
	char long_name[300];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		export_file_name(&b, t[i].in, t[i].len);
		UNIT_MEMEQ(
		    b.data, b.len, t[i].want, strlen(t[i].want), t[i].want);
	}
	/* 64 four-byte characters encode to 768 bytes: cut, with a hash. */
	for (i = 0; i < 256; i += 4)
		memcpy(long_name + i, "\xf0\x9f\x98\x80", 4);
	buf_reset(&b);
	export_file_name(&b, long_name, 256);
	UNIT_CHECK(b.len <= 255 && strchr(b.data, '/') == NULL &&
		strstr(b.data, "~") != NULL &&
		strcmp(b.data + b.len - 4, ".log") == 0,
	    "long name encodes to %zu bytes: %s", b.len, b.data);
	long_name[0] = 'x';
	{
		struct buf b2 = BUF_INIT;

		export_file_name(&b2, long_name, 256);
		UNIT_CHECK(strcmp(b.data, b2.data) != 0,
		    "different long names get different files");
		buf_free(&b2);
	}
	buf_free(&b);
}

static void
test_stream_name(void)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: not a log file */
	} t[] = {
	    {"JOB/algo-1-1700000000/000000.gz", "JOB/algo-1-1700000000"},
	    {"JOB/algo-1-1700000000/000001", "JOB/algo-1-1700000000"},
	    {"logs/0e2c4d1a-1b2c-4d3e-8f90-123456789abc/JOB/algo-1-17/"
	     "000000.gz",
		"JOB/algo-1-17"},
	    {"a/0E2C4D1A-1B2C-4D3E-8F90-123456789ABC/J/s/000000.gz", "J/s"},
	    {"JOB/algo-2-1700000000", "JOB/algo-2-1700000000"},
	    {"JOB/algo-2-1700000000.gz", "JOB/algo-2-1700000000"},
	    {"algo-3.log", "algo-3.log"},
	    /* Saved get-log-events output: the stream is the file's name. */
	    {"JOB/algo-4-1700000000.json", "JOB/algo-4-1700000000"},
	    {"JOB/algo-4-1700000000.json.gz", "JOB/algo-4-1700000000"},
	    {"000000.gz", NULL},
	    {"prefix/aws-logs-write-test", NULL},
	    {"JOB/.DS_Store", NULL},
	    {"not-a-uuid-1b2c-4d3e-8f90-123456789abc/J/s",
		"not-a-uuid-1b2c-4d3e-8f90-123456789abc/J/s"},
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = source_files_stream_name(t[i].in);
		if (t[i].want == NULL)
			UNIT_CHECK(got == NULL, "%s gives %s, want none",
			    t[i].in, got);
		else
			UNIT_STREQ(got, t[i].want, t[i].in);
		free(got);
	}
}

int
main(void)
{
	test_export_file_name();
	test_stream_name();
	return (unit_done("names"));
}
