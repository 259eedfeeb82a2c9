/*
 * Table tests of MPI ranks: OpenMPI's output tags, launcher command lines
 * placed by OpenMPI's mapping rules, job maps, and the rank map that puts
 * released events on the host their rank ran on.
 */
#include <stdlib.h>
#include <string.h>

#include "mpi.h"
#include "rankmap.h"
#include "unit.h"

static void
test_tags(void)
{
	static const struct {
		const char *in;
		int ok;
		unsigned rank;
		const char *label;
		size_t len;
	} t[] = {
	    {"[1,mpirank:3,algo-2]<stdout>:hello", 1, 3, "algo-2", 29},
	    {"[1,mpirank:12,algo-1]<stderr>:Traceback", 1, 12, "algo-1", 30},
	    {"[1,7]<stdout>:x", 1, 7, NULL, 14},
	    {"[1,0]<stddiag>:", 1, 0, NULL, 15},
	    {"[1,3]<stdin>:x", 0, 0, NULL, 0},
	    {"[1,3]<stdout>x", 0, 0, NULL, 0},
	    {"[1,mpirank:3]<stdout>:x", 0, 0, NULL, 0},
	    {"[1,mpirank:3,]<stdout>:x", 0, 0, NULL, 0},
	    {"[1,mpirank:3,a,b]<stdout>:x", 0, 0, NULL, 0},
	    {"[1,mpirank:9999999,algo-1]<stdout>:x", 0, 0, NULL, 0},
	    {"[a,3]<stdout>:x", 0, 0, NULL, 0},
	    {"[algo-1] produced batch 3", 0, 0, NULL, 0},
	    {"[", 0, 0, NULL, 0},
	    {"", 0, 0, NULL, 0},
	};
	struct mpi_tag tag;
	size_t i;
	int ok;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&tag, 0, sizeof tag);
		ok = mpi_tag_parse(t[i].in, strlen(t[i].in), &tag);
		UNIT_CHECK(
		    ok == t[i].ok, "mpi_tag_parse(%s) = %d", t[i].in, ok);
		if (!ok || !t[i].ok)
			continue;
		UNIT_CHECK(tag.rank == t[i].rank && tag.len == t[i].len,
		    "%s: rank %u len %zu", t[i].in, tag.rank, tag.len);
		if (t[i].label == NULL)
			UNIT_CHECK(tag.label == NULL, "%s: no label", t[i].in);
		else
			UNIT_MEMEQ(tag.label, tag.label_len, t[i].label,
			    strlen(t[i].label), t[i].in);
	}
}

static void
test_launch(void)
{
	static const struct {
		const char *in;
		int ok;
		const char *hosts; /* rank by rank, hosts' last characters */
	} t[] = {
	    {"mpirun --host algo-2:2,algo-1:2 -np 4 python x.py", 1, "2211"},
	    {"/opt/amazon/openmpi/bin/mpirun -H algo-3:2,algo-1:1 python x", 1,
		"331"},
	    {"mpirun --host algo-2:2,algo-1:2 -np 3 --allow-run-as-root "
	     "-mca btl_tcp_if_include eth0 -x NCCL_DEBUG=INFO python x.py "
	     "--host z",
		1, "221"},
	    {"mpirun --host=algo-2:2,algo-1:2 --map-by node python x", 1,
		"2121"},
	    {"mpirun --host algo-2:3,algo-1:1 -bynode python x", 1, "2122"},
	    {"mpirun --host algo-2:4,algo-1:4 -N 1 python x", 1, "21"},
	    {"mpirun --host algo-2:4,algo-1:4 --map-by ppr:2:node python x", 1,
		"2211"},
	    {"mpirun --host algo-2,algo-1 python x", 1, "21"},
	    {"mpirun --host algo-2:2,algo-1:2 -map-by socket:PE=2 python x", 1,
		"2211"},
	    {"mpiexec -n 2 -H algo-4:1,algo-5:1 python x", 1, "45"},
	    /* Cannot be known from the command line. */
	    {"mpirun --hostfile /tmp/h -np 4 python x", 0, NULL},
	    {"mpirun --host algo-2:2,algo-1:2 --rank-by node python x", 0,
		NULL},
	    {"mpirun --host algo-2:2 --map-by dist:span python x", 0, NULL},
	    {"mpirun --host algo-2:2 --map-by ppr python x", 0, NULL},
	    {"mpirun --host algo-2:2 --map-by ppr:2 python x", 0, NULL},
	    {"mpirun --host algo-2:2 --frobnicate 3 python x", 0, NULL},
	    {"mpirun --host algo-2:2,algo-1:2 -np 5 python x", 0, NULL},
	    {"mpirun --host algo-2:x python x", 0, NULL},
	    {"mpirun --host ,algo-1 python x", 0, NULL},
	    {"mpirun --host algo-1:1", 0, NULL},
	    {"mpirun -np", 0, NULL},
	    {"python train.py --host algo-1:8", 0, NULL},
	    {"echo mpirun --host algo-1 python", 0, NULL},
	    {"", 0, NULL},
	};
	struct mpi_launch ml;
	const struct mpi_host *h;
	size_t i, r;
	int ok;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ok = mpi_launch_parse(t[i].in, strlen(t[i].in), &ml);
		UNIT_CHECK(
		    ok == t[i].ok, "mpi_launch_parse(%s) = %d", t[i].in, ok);
		if (!ok || !t[i].ok) {
			mpi_launch_free(&ml);
			continue;
		}
		UNIT_CHECK(ml.nranks == strlen(t[i].hosts), "%s: %u ranks",
		    t[i].in, ml.nranks);
		for (r = 0; r < strlen(t[i].hosts) && r < ml.nranks; r++) {
			h = mpi_launch_host(&ml, (unsigned)r);
			UNIT_CHECK(
			    h != NULL && h->name[h->len - 1] == t[i].hosts[r],
			    "%s: rank %zu on %.*s", t[i].in, r,
			    h != NULL ? (int)h->len : 0,
			    h != NULL ? h->name : "");
		}
		UNIT_CHECK(mpi_launch_host(&ml, ml.nranks) == NULL,
		    "%s: no rank past the last", t[i].in);
		mpi_launch_free(&ml);
	}
}

static void
test_job_map(void)
{
	const char *name;
	size_t len;
	unsigned rank;

	UNIT_CHECK(mpi_map_node(" Data for node: algo-2#011Num slots: 8", 38,
		       &name, &len) &&
		len == 6 && memcmp(name, "algo-2", 6) == 0,
	    "node with escaped TAB");
	UNIT_CHECK(mpi_map_node(" Data for node: algo-1\tNum slots: 8", 35,
		       &name, &len) &&
		len == 6,
	    "node with TAB");
	UNIT_CHECK(
	    !mpi_map_node(" Data for node: ", 16, &name, &len), "no name");
	UNIT_CHECK(mpi_map_rank(" #011Process OMPI jobid: [4444,1] App: 0 "
				"Process rank: 13 Bound: N/A",
		       67, &rank) &&
		rank == 13,
	    "rank line");
	UNIT_CHECK(!mpi_map_rank("Process rank: 3", 15, &rank),
	    "a rank without the job id is not the job map");
}

static void
test_ranges(void)
{
	static const struct {
		const char *in;
		int ok;
		unsigned lo, hi;
	} t[] = {
	    {"3", 1, 3, 3},
	    {"8-15", 1, 8, 15},
	    {"0-0", 1, 0, 0},
	    {"1000000", 1, 1000000, 1000000},
	    {"1000001", 0, 0, 0},
	    {"99999999999999999999", 0, 0, 0},
	    {"x", 0, 0, 0},
	    {"-3", 0, 0, 0},
	    {"3-", 0, 0, 0},
	    {"5-2", 0, 0, 0},
	    {"1-2-3", 0, 0, 0},
	    {" 3", 0, 0, 0},
	    {"", 0, 0, 0},
	};
	struct mpi_range r;
	size_t i;
	int ok;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ok = mpi_range_parse(t[i].in, &r) == 0;
		UNIT_CHECK(
		    ok == t[i].ok, "mpi_range_parse(%s) = %d", t[i].in, ok);
		if (ok && t[i].ok)
			UNIT_CHECK(r.lo == t[i].lo && r.hi == t[i].hi,
			    "%s: %u-%u", t[i].in, r.lo, r.hi);
	}
}

/* Put one event of host (stream named like it) through the map. */
static struct out_event
through(struct rankmap *rm, const char *host, const char *msg)
{
	struct out_event ev = unit_event("train_group", host, msg, 0);

	rankmap_event(rm, &ev);
	return (ev);
}

static void
test_rankmap(void)
{
	struct rankmap *rm = rankmap_new();
	struct out_event ev;

	/* Before any launch: the rank is known, its host is not. */
	ev = through(rm, "algo-2", "[1,mpirank:9,algo-2]<stdout>:early");
	UNIT_CHECK(ev.ranked && ev.rank == 9 && !ev.rank_placed &&
		strcmp(ev.host, "algo-2") == 0 && strcmp(ev.via, "algo-2") == 0,
	    "rank 9 unplaced");
	ev = through(rm, "algo-2",
	    "Invoking script with the following command:\n\n"
	    "mpirun --host algo-2:2,algo-1:2 -np 4 python x.py");
	UNIT_CHECK(!ev.ranked, "a command line has no rank");
	ev = through(rm, "algo-2", "[1,mpirank:1,algo-1]<stdout>:x");
	UNIT_CHECK(ev.ranked && ev.rank == 1 && ev.rank_placed &&
		strcmp(ev.host, "algo-2") == 0 && strcmp(ev.via, "algo-2") == 0,
	    "rank 1 on algo-2 (the tag says algo-1)");
	ev = through(rm, "algo-2", "[1,mpirank:3,algo-2]<stdout>:x");
	UNIT_CHECK(ev.rank_placed && strcmp(ev.host, "algo-1") == 0 &&
		ev.host_len == 6,
	    "rank 3 on algo-1 (the tag says algo-2)");
	ev = through(rm, "algo-2", "[1,mpirank:4,algo-3]<stdout>:x");
	UNIT_CHECK(
	    ev.ranked && !ev.rank_placed && strcmp(ev.host, "algo-2") == 0,
	    "rank 4 past the launch: unplaced");
	ev = through(rm, "algo-1", "[1,mpirank:3,algo-2]<stdout>:x");
	UNIT_CHECK(
	    ev.ranked && !ev.rank_placed, "another carrier has no launch");
	/* The job map corrects the placement, with listed hosts only. */
	through(rm, "algo-2",
	    "Data for JOB [4444,1] offset 0\n"
	    " Data for node: algo-1#011Num slots: 2\n"
	    " #011Process OMPI jobid: [4444,1] App: 0 Process rank: 0\n"
	    " Data for node: ip-10-0-1-2#011Num slots: 2\n"
	    " #011Process OMPI jobid: [4444,1] App: 0 Process rank: 1\n"
	    " #011Process OMPI jobid: [4444,1] App: 0 Process rank: 99");
	ev = through(rm, "algo-2", "[1,mpirank:0,algo-1]<stdout>:x");
	UNIT_CHECK(ev.rank_placed && strcmp(ev.host, "algo-1") == 0,
	    "job map moves rank 0 to algo-1");
	ev = through(rm, "algo-2", "[1,mpirank:1,algo-1]<stdout>:x");
	UNIT_CHECK(ev.rank_placed && strcmp(ev.host, "algo-2") == 0,
	    "a node not in the host list changes nothing");
	/* A new launch replaces the placement. */
	through(rm, "algo-2", "mpirun -H algo-5:4 python x.py");
	ev = through(rm, "algo-2", "[1,mpirank:3,algo-1]<stdout>:x");
	UNIT_CHECK(ev.rank_placed && strcmp(ev.host, "algo-5") == 0,
	    "relaunched on algo-5");
	ev = through(rm, "algo-2", "plain line");
	UNIT_CHECK(!ev.ranked && strcmp(ev.host, "algo-2") == 0, "plain");
	rankmap_free(rm);
}

int
main(void)
{
	test_tags();
	test_ranges();
	test_launch();
	test_job_map();
	test_rankmap();
	return (unit_done("mpi"));
}
