/*
 * OpenMPI's tags, command lines and job maps. Parsing is strict where a
 * mistake would mislead: a command line is only believed when every
 * option before the program is one whose arguments are known, so that the
 * program's own "--host" is never taken for mpirun's, and a mapping policy
 * this file does not model gives no answer rather than a guess.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi.h"
#include "xmalloc.h"

/* The most ranks placed from one command line. */
#define MPI_LAUNCH_RANKS 65536
/* The longest host name believed. */
#define MPI_NAME_MAX 255

static int
is_digit(char c)
{
	return (c >= '0' && c <= '9');
}

/* A whole number at *p, at most max; -1 when there is none. */
static long
number(const char **p, const char *end, long max)
{
	long v = 0;
	int n = 0;

	while (*p < end && is_digit(**p)) {
		v = v * 10 + (**p - '0');
		if (v > max)
			return (-1);
		(*p)++;
		n++;
	}
	return (n == 0 ? -1 : v);
}

/* A word that is a whole number, at most MPI_RANK_MAX; -1 when not. */
static long
whole(const char *s, size_t len)
{
	const char *p = s;
	long v = number(&p, s + len, MPI_RANK_MAX);

	return (p == s + len ? v : -1);
}

int
mpi_range_parse(const char *s, struct mpi_range *r)
{
	const char *dash = strchr(s, '-'), *end = s + strlen(s);
	long lo, hi;

	lo = whole(s, (size_t)((dash != NULL ? dash : end) - s));
	hi = dash != NULL ? whole(dash + 1, (size_t)(end - dash - 1)) : lo;
	if (lo < 0 || hi < 0 || hi < lo || hi > MPI_RANK_MAX)
		return (-1);
	r->lo = (unsigned)lo;
	r->hi = (unsigned)hi;
	return (0);
}

static int
skip(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return (0);
	*p += n;
	return (1);
}

int
mpi_tag_parse(const char *line, size_t len, struct mpi_tag *tag)
{
	const char *p = line, *end = line + len, *label = NULL, *close = NULL;
	long rank;

	if (!skip(&p, end, "[") || number(&p, end, 1000000000) < 0 ||
	    !skip(&p, end, ","))
		return (0);
	if (skip(&p, end, "mpirank:")) {
		if ((rank = number(&p, end, MPI_RANK_MAX)) < 0 ||
		    !skip(&p, end, ","))
			return (0);
		label = p;
		close = memchr(p, ']', (size_t)(end - p));
		if (close == NULL || close == p || close - p > MPI_NAME_MAX ||
		    memchr(p, ',', (size_t)(close - p)) != NULL)
			return (0);
		p = close;
	} else if ((rank = number(&p, end, MPI_RANK_MAX)) < 0)
		return (0);
	if (!skip(&p, end, "]<"))
		return (0);
	if (!skip(&p, end, "stdout") && !skip(&p, end, "stderr") &&
	    !skip(&p, end, "stddiag"))
		return (0);
	if (!skip(&p, end, ">:"))
		return (0);
	tag->rank = (unsigned)rank;
	tag->label = label;
	tag->label_len = label != NULL ? (size_t)(close - label) : 0;
	tag->len = (size_t)(p - line);
	return (1);
}

/* The words of a command line, split at blanks. */
struct words {
	const char **v;
	size_t *len;
	size_t n;
};

static void
words_split(const char *s, size_t len, struct words *w)
{
	const char *end = s + len, *start;

	memset(w, 0, sizeof *w);
	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		start = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		w->v = xreallocarray(w->v, w->n + 1, sizeof *w->v);
		w->len = xreallocarray(w->len, w->n + 1, sizeof *w->len);
		w->v[w->n] = start;
		w->len[w->n] = (size_t)(s - start);
		w->n++;
	}
}

static void
words_free(struct words *w)
{
	free(w->v);
	free(w->len);
}

/* The launcher's name, by any path. */
static int
is_launcher(const char *s, size_t len)
{
	static const char *const names[] = {"mpirun", "mpiexec", "orterun"};
	const char *base = s;
	size_t i, n;

	for (i = 0; i < len; i++)
		if (s[i] == '/')
			base = s + i + 1;
	n = (size_t)(s + len - base);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (n == strlen(names[i]) && memcmp(base, names[i], n) == 0)
			return (1);
	return (0);
}

/*
 * Options of mpirun (with one dash or two) and how many arguments each
 * takes; an option not listed ends the reading, since its arguments are
 * not known.
 */
static const struct {
	const char *name;
	int nargs;
} options[] = {
    {"H", 1},
    {"host", 1},
    {"np", 1},
    {"n", 1},
    {"c", 1},
    {"map-by", 1},
    {"npernode", 1},
    {"N", 1},
    {"bynode", 0},
    {"byslot", 0},
    {"mca", 2},
    {"gmca", 2},
    {"x", 1},
    {"bind-to", 1},
    {"rank-by", 1},
    {"wdir", 1},
    {"prefix", 1},
    {"output-filename", 1},
    {"tag-output", 0},
    {"display-map", 0},
    {"allow-run-as-root", 0},
    {"report-bindings", 0},
    {"oversubscribe", 0},
    {"timestamp-output", 0},
    {"q", 0},
    {"quiet", 0},
    {"v", 0},
    {"verbose", 0},
};

/* How mpirun places ranks. */
enum mapping {
	MAP_SLOT, /* fill each host's slots in list order (the default) */
	MAP_NODE, /* one rank per host in turn */
	MAP_PPR, /* so many per host, in list order */
	MAP_UNKNOWN,
};

static enum mapping
map_by(const char *s, size_t len, long *ppr)
{
	static const char *const filling[] = {"slot", "core", "socket", "numa",
	    "hwthread", "l3cache", "l2cache", "l1cache", "board"};
	const char *colon = memchr(s, ':', len), *p, *end = s + len;
	size_t i, n = colon != NULL ? (size_t)(colon - s) : len;

	if (n == 3 && memcmp(s, "ppr", 3) == 0) {
		if (colon == NULL)
			return (MAP_UNKNOWN);
		p = colon + 1;
		if ((*ppr = number(&p, end, MPI_LAUNCH_RANKS)) <= 0 ||
		    !skip(&p, end, ":node") || p != end)
			return (MAP_UNKNOWN);
		return (MAP_PPR);
	}
	if (n == 4 && memcmp(s, "node", 4) == 0)
		return (MAP_NODE);
	for (i = 0; i < sizeof filling / sizeof filling[0]; i++)
		if (n == strlen(filling[i]) && memcmp(s, filling[i], n) == 0)
			return (MAP_SLOT);
	return (MAP_UNKNOWN);
}

/* "algo-2:8,algo-1:8" into hosts; -1 when malformed. */
static int
host_list(const char *s, size_t len, struct mpi_launch *ml)
{
	const char *end = s + len, *item, *colon, *p;
	struct mpi_host *h;
	long slots;

	while (s < end) {
		item = s;
		while (s < end && *s != ',')
			s++;
		colon = memchr(item, ':', (size_t)(s - item));
		slots = 1;
		if (colon != NULL) {
			p = colon + 1;
			slots = number(&p, s, MPI_LAUNCH_RANKS);
			if (slots <= 0 || p != s)
				return (-1);
		}
		if ((colon != NULL ? colon : s) == item ||
		    (colon != NULL ? colon : s) - item > MPI_NAME_MAX)
			return (-1);
		ml->hosts =
		    xreallocarray(ml->hosts, ml->nhosts + 1, sizeof *ml->hosts);
		h = &ml->hosts[ml->nhosts++];
		h->name = item;
		h->len = (size_t)((colon != NULL ? colon : s) - item);
		h->slots = (unsigned)slots;
		if (s < end)
			s++;
	}
	return (ml->nhosts > 0 ? 0 : -1);
}

/* Place np ranks (np < 0: as many as there are slots). */
static int
place(struct mpi_launch *ml, enum mapping map, long np, long ppr)
{
	unsigned *left;
	size_t i, total = 0;
	unsigned r;
	int placed;

	for (i = 0; i < ml->nhosts; i++)
		total += ml->hosts[i].slots;
	if (map == MAP_PPR)
		total = (size_t)ppr * ml->nhosts;
	if (np < 0)
		np = (long)total;
	if (np <= 0 || (size_t)np > total || np > MPI_LAUNCH_RANKS)
		return (-1);
	ml->rank_host = xreallocarray(NULL, (size_t)np, sizeof *ml->rank_host);
	ml->nranks = (unsigned)np;
	left = xreallocarray(NULL, ml->nhosts, sizeof *left);
	for (i = 0; i < ml->nhosts; i++)
		left[i] = map == MAP_PPR ? (unsigned)ppr : ml->hosts[i].slots;
	r = 0;
	if (map == MAP_NODE) {
		/* Round after round, one rank per host with a slot left. */
		while (r < ml->nranks) {
			placed = 0;
			for (i = 0; i < ml->nhosts && r < ml->nranks; i++)
				if (left[i] > 0) {
					left[i]--;
					ml->rank_host[r++] = (unsigned)i;
					placed = 1;
				}
			if (!placed)
				break;
		}
	} else
		for (i = 0; i < ml->nhosts && r < ml->nranks; i++)
			while (left[i] > 0 && r < ml->nranks) {
				left[i]--;
				ml->rank_host[r++] = (unsigned)i;
			}
	free(left);
	return (0);
}

/* Read mpirun's options up to the program; -1 when one is not known. */
static int
read_options(const struct words *w, const char **hosts, size_t *hosts_len,
    long *np, enum mapping *map, long *ppr)
{
	const char *p, *eq, *name, *o;
	size_t i, j, k, n;

	for (i = 1; i < w->n; i++) {
		if (w->v[i][0] != '-')
			return (0); /* the program */
		/* "--host=a,b" is "--host a,b". */
		o = w->v[i] + (w->len[i] > 1 && w->v[i][1] == '-' ? 2 : 1);
		eq = memchr(w->v[i], '=', w->len[i]);
		n = (size_t)((eq != NULL ? eq : w->v[i] + w->len[i]) - o);
		for (j = 0; j < sizeof options / sizeof options[0]; j++)
			if (strlen(options[j].name) == n &&
			    memcmp(options[j].name, o, n) == 0)
				break;
		if (j == sizeof options / sizeof options[0])
			return (-1);
		if (options[j].nargs == 0) {
			if (eq != NULL)
				return (-1);
			if (strcmp(options[j].name, "bynode") == 0)
				*map = MAP_NODE;
			continue;
		}
		if (eq != NULL && options[j].nargs != 1)
			return (-1);
		if (eq == NULL && i + (size_t)options[j].nargs >= w->n)
			return (-1);
		p = eq != NULL ? eq + 1 : w->v[i + 1];
		k = eq != NULL ? (size_t)(w->v[i] + w->len[i] - p)
			       : w->len[i + 1];
		if (eq == NULL)
			i += (size_t)options[j].nargs;
		name = options[j].name;
		if (strcmp(name, "H") == 0 || strcmp(name, "host") == 0) {
			*hosts = p;
			*hosts_len = k;
		} else if (strcmp(name, "np") == 0 || strcmp(name, "n") == 0 ||
		    strcmp(name, "c") == 0) {
			if ((*np = whole(p, k)) <= 0)
				return (-1);
		} else if (strcmp(name, "npernode") == 0 ||
		    strcmp(name, "N") == 0) {
			*map = MAP_PPR;
			if ((*ppr = whole(p, k)) <= 0)
				return (-1);
		} else if (strcmp(name, "map-by") == 0)
			*map = map_by(p, k, ppr);
		else if (strcmp(name, "rank-by") == 0)
			*map = MAP_UNKNOWN; /* ranks in another order */
	}
	return (-1); /* no program */
}

int
mpi_launch_parse(const char *line, size_t len, struct mpi_launch *ml)
{
	struct words w;
	const char *hosts = NULL;
	size_t hosts_len = 0;
	long np = -1, ppr = 0;
	enum mapping map = MAP_SLOT;
	int ok = 0;

	memset(ml, 0, sizeof *ml);
	/* Quick refusal: most lines are no command line. */
	if (len < 6 || memmem(line, len, "mp", 2) == NULL)
		return (0);
	words_split(line, len, &w);
	if (w.n < 2 || !is_launcher(w.v[0], w.len[0]) ||
	    read_options(&w, &hosts, &hosts_len, &np, &map, &ppr) != 0 ||
	    hosts == NULL || map == MAP_UNKNOWN)
		goto out;
	if (host_list(hosts, hosts_len, ml) != 0 ||
	    place(ml, map, np, ppr) != 0)
		goto out;
	ok = 1;
out:
	words_free(&w);
	if (!ok)
		mpi_launch_free(ml);
	return (ok);
}

void
mpi_launch_free(struct mpi_launch *ml)
{
	free(ml->hosts);
	free(ml->rank_host);
	memset(ml, 0, sizeof *ml);
}

const struct mpi_host *
mpi_launch_host(const struct mpi_launch *ml, unsigned rank)
{
	if (rank >= ml->nranks)
		return (NULL);
	return (&ml->hosts[ml->rank_host[rank]]);
}

int
mpi_map_node(const char *line, size_t len, const char **name, size_t *name_len)
{
	static const char lit[] = "Data for node: ";
	const char *p = memmem(line, len, lit, sizeof lit - 1), *end;

	if (p == NULL)
		return (0);
	p += sizeof lit - 1;
	end = p;
	while (end < line + len && *end != ' ' && *end != '\t' && *end != '#')
		end++;
	if (end == p || end - p > MPI_NAME_MAX)
		return (0);
	*name = p;
	*name_len = (size_t)(end - p);
	return (1);
}

int
mpi_map_rank(const char *line, size_t len, unsigned *rank)
{
	static const char lit[] = "Process rank: ";
	const char *p = memmem(line, len, lit, sizeof lit - 1);
	long v;

	if (p == NULL || memmem(line, len, "Process OMPI jobid", 18) == NULL)
		return (0);
	p += sizeof lit - 1;
	if ((v = number(&p, line + len, MPI_RANK_MAX)) < 0)
		return (0);
	*rank = (unsigned)v;
	return (1);
}
