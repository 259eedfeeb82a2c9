/*
 * mpi: what OpenMPI jobs print about their ranks. Every line a rank writes
 * reaches the master host's stream tagged "[1,3]<stdout>:" by mpirun's
 * --tag-output, which SageMaker's toolkit rewrites as
 * "[1,mpirank:3,algo-1]<stdout>:". The host in that tag is the toolkit's
 * guess (rank / processes per host + 1), wrong whenever mpirun's host list
 * is not in host order, so it is parsed but never trusted. Where ranks
 * really ran is read from the launcher's command line ("mpirun --host
 * algo-2:8,algo-1:8 -np 16 ..."), by OpenMPI's mapping rules, or from the
 * job map that mpirun --display-map prints.
 *
 * Ownership: a tag points into the caller's line; struct mpi_launch owns
 * its arrays (mpi_launch_free()) and points into the command line for host
 * names, which must outlive it.
 */
#ifndef MPI_H
#define MPI_H

#include <stddef.h>

/* The highest rank believed (beyond it a tag is taken for text). */
#define MPI_RANK_MAX 1000000

/* A range of ranks, lo to hi inclusive (--rank N or N-M). */
struct mpi_range {
	unsigned lo, hi;
};

/* Parse "N" or "N-M" (N <= M <= MPI_RANK_MAX); -1 when it is neither. */
int mpi_range_parse(const char *, struct mpi_range *);

/* An OpenMPI output tag at the start of a line. */
struct mpi_tag {
	unsigned rank;
	const char *label; /* the toolkit's host guess, or NULL */
	size_t label_len;
	size_t len; /* bytes of the tag, its ':' included */
};

/* Nonzero when line starts with a tag, with tag filled. */
int mpi_tag_parse(const char *line, size_t len, struct mpi_tag *);

/* One host of the launcher's host list, and its slots. */
struct mpi_host {
	const char *name;
	size_t len;
	unsigned slots;
};

/* An mpirun command line: its hosts and where each rank goes. */
struct mpi_launch {
	struct mpi_host *hosts;
	size_t nhosts;
	unsigned *rank_host; /* rank -> index into hosts */
	unsigned nranks;
};

/*
 * Nonzero when line is an OpenMPI launcher's command line (mpirun,
 * mpiexec or orterun, by any path) that lists its hosts with --host or -H,
 * with every rank placed by OpenMPI's mapping (by slot, by node, or so many
 * per node); a launch whose mapping cannot be known from its command line
 * (a hostfile, a rank file, a mapping policy not listed) gives 0.
 */
int mpi_launch_parse(const char *line, size_t len, struct mpi_launch *);
void mpi_launch_free(struct mpi_launch *);
/* The host rank runs on, or NULL when the launch does not place it. */
const struct mpi_host *mpi_launch_host(const struct mpi_launch *, unsigned);

/*
 * Lines of mpirun --display-map's job map: " Data for node: algo-2  Num
 * slots: 8 ..." starts a host's part (the name ends at white space or a
 * collector escape), and "Process OMPI jobid: [1,1] App: 0 Process rank:
 * 3 ..." names a rank that runs there.
 */
int
mpi_map_node(const char *line, size_t len, const char **name, size_t *name_len);
int mpi_map_rank(const char *line, size_t len, unsigned *rank);

#endif
