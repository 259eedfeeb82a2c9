/*
 * Fuzz the functions that shape log lines and read MPI output, checking
 * their promises:
 *
 *   escapes_decode: never longer than its input; no escape left that
 *     escapes_find() would find, unless decoding made one ("##011").
 *   progress_collapse: a result inside the input, free of CR, a bar's
 *     state by progress_parse().
 *   sgr_next: runs that tile the input but for the SGR sequences it
 *     skips, colours within 0..255 or SGR_DEFAULT.
 *   mpi_tag_parse, mpi_launch_parse, mpi_map_*: results inside the input,
 *     every rank placed on a listed host.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escapes.h"
#include "mpi.h"
#include "progress.h"
#include "sgr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_escapes(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	escapes_decode(&b, s, len);
	if (b.len > len)
		abort();
	buf_free(&b);
}

static void
check_progress(const char *s, size_t len)
{
	struct progress_bar pb;
	const char *p;
	size_t n = 0;

	if ((p = progress_collapse(s, len, &n, &pb)) == NULL)
		return;
	if (p < s || p + n > s + len || n == 0 || memchr(p, '\r', n) != NULL ||
	    !progress_parse(p, n, &pb))
		abort();
	if (pb.key < p || pb.key + pb.key_len > p + n)
		abort();
}

static void
check_sgr(const char *s, size_t len)
{
	struct sgr_attr a = SGR_ATTR_INIT;
	const char *p = s, *end = s + len, *text;
	size_t n, covered = 0;

	while (sgr_next(&p, end, &a, &text, &n)) {
		if (text < s || text + n > end || n == 0 || p != text + n)
			abort();
		if (a.fg < SGR_DEFAULT || a.fg > 255 || a.bg < SGR_DEFAULT ||
		    a.bg > 255)
			abort();
		covered += n;
	}
	if (p != end || covered > len)
		abort();
}

static void
check_mpi(const char *s, size_t len)
{
	struct mpi_launch ml;
	struct mpi_tag tag;
	const struct mpi_host *h;
	const char *name;
	size_t n, i;
	unsigned r;

	if (mpi_tag_parse(s, len, &tag) &&
	    (tag.len > len || tag.rank > MPI_RANK_MAX ||
		(tag.label != NULL &&
		    (tag.label < s || tag.label + tag.label_len > s + len))))
		abort();
	if (mpi_launch_parse(s, len, &ml)) {
		for (r = 0; r < ml.nranks; r++) {
			if ((h = mpi_launch_host(&ml, r)) == NULL)
				abort();
			for (i = 0; i < ml.nhosts && h != &ml.hosts[i]; i++)
				;
			if (i == ml.nhosts || h->name < s ||
			    h->name + h->len > s + len)
				abort();
		}
		if (mpi_launch_host(&ml, ml.nranks) != NULL)
			abort();
		mpi_launch_free(&ml);
	}
	if (mpi_map_node(s, len, &name, &n) &&
	    (name < s || name + n > s + len || n == 0))
		abort();
	(void)mpi_map_rank(s, len, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_escapes(s, size);
	check_progress(s, size);
	check_sgr(s, size);
	check_mpi(s, size);
	return (0);
}
