/*
 * spool: every line the terminal UI can show, on disk, so the whole job
 * can be scrolled, searched and exported in constant memory (as lnav
 * indexes files rather than holding them). Each released event is split
 * into its lines; each line is appended to the spool's files as a record
 * (time, stream, length, carrier, and the raw bytes, or where they lie in
 * a file that holds them as is: a plain file given to --from is indexed
 * in place, not copied), and memory holds only an index of 16 bytes a
 * line: where its record is, its group and host, its mark, and links to
 * the next and previous lines of its group. No curses here.
 *
 * Lines are numbered in the order they were added (seq, from 1), so views
 * walk one group or all groups interleaved in arrival order and keep
 * their place while new lines come in.
 *
 * Limits: the files are segments; past the disk budget the oldest segment
 * is dropped whole and its lines counted as dropped. A write that fails
 * (a full disk) stops the spool: the lines kept stay readable, later ones
 * are counted as lost, and spool_error() says why. The files (0600, in a
 * private directory under $TMPDIR unless a directory is given) are removed
 * by spool_free() unless the directory was given. Files indexed in place
 * stay open (at most SPOOL_FILES_MAX of them; lines of others are copied):
 * one renamed or removed meanwhile is still read, one cut short gives
 * lines marked missing, one rewritten in place gives its new bytes.
 *
 * Ownership: the spool owns its files, index and interned names. A line
 * it returns is a copy held in a cache of recently read lines: its text
 * stays valid until opt.cache more lines have been read; names (host,
 * stream) live as long as the spool.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <stddef.h>
#include <stdint.h>

/* The default disk budget (--spool-limit). */
#define SPOOL_DEFAULT_LIMIT ((uint64_t)4 << 30)
/* The default count of lines cached in memory (--scrollback). */
#define SPOOL_DEFAULT_CACHE 10000
#define SPOOL_CACHE_MAX 1000000
/* Files indexed in place at most (fewer when descriptors are scarce). */
#define SPOOL_FILES_MAX 256

struct spool_line {
	uint64_t seq; /* order of arrival over all groups, from 1 */
	int64_t ts; /* ms since the epoch */
	const char *host; /* interned, NUL-terminated, raw bytes */
	const char *stream; /* interned */
	const char *via; /* the host whose stream carried it, or NULL */
	const char *text; /* len raw bytes, then a NUL */
	size_t len;
	uint32_t host_len;
	uint32_t stream_len;
	uint32_t via_len;
	unsigned group; /* index, see spool_group_name() */
	unsigned cont : 1; /* continues the previous line's event */
	/* The event's own final '\n' followed it: not stored as an empty
	 * line of its own, put back by whoever puts the event together. */
	unsigned eol : 1;
	unsigned mark : 4; /* free for marking lines; 0 when added */
	/* Its text could not be read back (the file that held it was cut
	 * short): text says so instead. */
	unsigned missing : 1;
};

/* An event to add; via (NULL: none) is the host whose stream carried it
 * when that is not host (an MPI rank's output forwarded by the master). */
struct spool_event {
	const char *group, *host, *stream, *via;
	size_t group_len, host_len, stream_len, via_len;
	int64_t ts;
	const char *msg;
	size_t len;
	/* msg is the len bytes at off of the regular file file, or file is
	 * NULL (sink.h's out_origin): then it is indexed there. */
	const char *file;
	uint64_t off;
};

struct spool_options {
	const char *dir; /* keep the files there; NULL: private, removed */
	uint64_t limit; /* bytes on disk; 0: SPOOL_DEFAULT_LIMIT */
	size_t cache; /* lines cached in memory; 0: SPOOL_DEFAULT_CACHE */
};

struct spool;

/* NULL with cause when the directory or first file cannot be made. */
struct spool *spool_new(const struct spool_options *, char **cause);
void spool_free(struct spool *);
/*
 * The process is dying (a fatal signal, no memory): unlink the files
 * spool_free() would, allocating nothing, and use the spool no more.
 */
void spool_abandon(struct spool *);

/* Add one event, one line per '\n'-separated part; a '\n' that ends the
 * event ends its last line (eol) and makes no empty line after it. */
void spool_add(struct spool *, const struct spool_event *);
/* Write out what is buffered (a quiet moment); lines stay readable. */
void spool_flush(struct spool *);
/* Why the spool stopped keeping lines (a write failed), or NULL. */
const char *spool_error(const struct spool *);
/* Lines not kept since then. */
uint64_t spool_lost(const struct spool *);
/* The directory of the files. */
const char *spool_dir(const struct spool *);

/* Groups in the order first seen. */
size_t spool_groups(const struct spool *);
const char *spool_group_name(const struct spool *, unsigned group, size_t *len);
/* The group's index, or -1 when it has no line yet. */
int spool_group_find(const struct spool *, const char *name, size_t len);
/* Lines held now, and lines dropped for the disk budget, of one group. */
uint64_t spool_group_lines(const struct spool *, unsigned group);
uint64_t spool_group_dropped(const struct spool *, unsigned group);
/* The same over every group. */
uint64_t spool_lines(const struct spool *);
uint64_t spool_dropped(const struct spool *);
/* Bytes on disk, and bytes of memory for the index. */
uint64_t spool_disk_bytes(const struct spool *);
/* Lines indexed in place (their text not copied), of those added. */
uint64_t spool_in_place(const struct spool *);
size_t spool_index_bytes(const struct spool *);
/* Set the bits in mask of the mark (SPOOL_MARKS) of the held line seq to
 * those of bits. */
#define SPOOL_MARKS 0xf
void spool_mark(struct spool *, uint64_t seq, unsigned mask, unsigned bits);
/* The sequence number of the newest line, 0 when empty. */
uint64_t spool_last_seq(const struct spool *);

/*
 * Walk lines of one group, or of all groups interleaved when group is
 * SPOOL_ALL: the held line with the largest seq below before, or the
 * smallest seq above after; NULL when there is none (or its record cannot
 * be read).
 */
#define SPOOL_ALL (-1)
const struct spool_line *spool_prev(struct spool *, int group, uint64_t before);
const struct spool_line *spool_next(struct spool *, int group, uint64_t after);
/*
 * Look at up to max held lines of group (or all) after after (or, back,
 * before before: from is that seq, UINT64_MAX from the end) without
 * caching them: fn gets each one's seq, mark and raw text (valid during
 * the call; lines that cannot be read are passed over) and returns
 * nonzero to stop there. Returns the seq it stopped
 * at (0: none), and sets *at to the last seq looked at (0: the walk
 * reached the end).
 */
uint64_t
spool_scan(struct spool *, int group, uint64_t from, int back, size_t max,
    int (*fn)(void *arg, uint64_t seq, unsigned mark, const char *, size_t),
    void *arg, uint64_t *at);
/* The group, host and mark of a held line, without reading it: 0, or
 * -1. */
int spool_peek(const struct spool *, uint64_t seq, unsigned *group,
    const char **host, unsigned *mark);

#endif
