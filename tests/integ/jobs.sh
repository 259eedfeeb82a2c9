#!/bin/sh
# --jobs (issue #17): the threaded reader gives byte for byte what one
# thread gives, on a random job whose size this script does not choose
# (hosts, events and part sizes drawn at run time; the seed is printed on
# failure to reproduce it), in every output and both layouts.
. tests/integ/lib/setup.sh

SEED=${JOBS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
set -- $($PY -c 'import random, sys
r = random.Random(int(sys.argv[1]))
print(r.randint(2, 40), r.randint(30, 2500), r.randint(50, 5000))' "$SEED")
HOSTS=$1 LINES=$2 PART=$3
$PY tests/tools/genjob.py "$T/exp" --hosts "$HOSTS" --lines-per-host "$LINES" \
    --part-events "$PART" --seed "$SEED" --mpi-workers --restart algo-2 >/dev/null
$PY tests/tools/genjob.py "$T/plain" --hosts "$HOSTS" --lines-per-host "$LINES" \
    --layout plain --seed "$SEED" --mpi-workers --restart algo-2 >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/exp/truth.json")
job="seed $SEED: $HOSTS hosts, $LINES lines a host, parts of $PART"

for layout in exp plain; do
	for out in lines json; do
		for j in 1 2 4; do
			"$CWDEMUX" --from "$T/$layout" --jobs $j --output $out \
			    "$JOB" >"$T/$layout.$out.$j" 2>"$T/$layout.$out.$j.err"
		done
		same "$layout $out --jobs 2 ($job)" "$T/$layout.$out.2" "$T/$layout.$out.1"
		same "$layout $out --jobs 4 ($job)" "$T/$layout.$out.4" "$T/$layout.$out.1"
		same "$layout $out: the same warnings" "$T/$layout.$out.2.err" "$T/$layout.$out.1.err"
	done
	"$CWDEMUX" --from "$T/$layout" --jobs 1 --export "$T/$layout.x1" "$JOB" 2>/dev/null
	"$CWDEMUX" --from "$T/$layout" --jobs 2 --export "$T/$layout.x2" "$JOB" 2>/dev/null
	check "$layout export --jobs 2 ($job)" diff -r "$T/$layout.x1" "$T/$layout.x2"
done
check "json --jobs 2 is the ground truth ($job)" \
    $PY tests/tools/checktruth.py "$T/exp" "$T/exp.json.2"

# A reader that goes away stops the threaded run quietly, as it does one
# thread's.
{ "$CWDEMUX" --from "$T/plain" --jobs 2 "$JOB" 2>"$T/pipe.err"; echo $? >"$T/pipe.rc"; } |
    head -1 >/dev/null
check "--jobs 2 into a closed pipe: exit 0" test "$(cat "$T/pipe.rc")" -eq 0
same "--jobs 2 into a closed pipe: quiet" "$T/pipe.err" /dev/null
status "--jobs 0" 2 "$CWDEMUX" --from "$T/exp" --jobs 0

finish
