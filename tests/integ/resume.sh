#!/bin/sh
# Interrupted exports resume exactly. A run with --export that is killed
# (SIGKILL: a torn tail after the last checkpoint) or interrupted (SIGINT,
# SIGTERM: finished files, a manifest that says "complete": false) at
# random points, and then run again with the same command, ends with the
# same files as a run that was never stopped: no event lost, none twice.
# Offline (--from, the kill at a chosen write through the failure shim)
# and live (following moto through the proxy, killed from outside); then
# state files that are corrupt, of another job or hostile.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
SHIM=$TOP/${BUILD:-build}/tools/failshim.so
if [ ! -f "$SHIM" ]; then
	fail "no $SHIM (make builds it)"
	finish
	exit 0
fi
SEED=${RESUME_SEED:-17}

# A job with MPI workers (whose group comes from other hosts' markers), a
# restart and hostile content. (A host without markers would hold every
# later event until the end of the input, merged by time, and so would
# leave nothing to interrupt before it: see tests/unit/test_resume.c for
# held events at an interruption.)
$PY tests/tools/genjob.py "$T/job" --hosts 8 --lines-per-host 1500 --seed 3 \
    --mpi-workers --restart algo-2 --hostile >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/job/truth.json")
"$CWDEMUX" --from "$T/job" --output json "$JOB" >"$T/all.jsonl" 2>/dev/null
"$CWDEMUX" --from "$T/job" --export "$T/ref" "$JOB" 2>/dev/null
check "reference export matches the truth" \
    $PY tests/tools/checktruth.py --export "$T/ref" "$T/job" "$T/all.jsonl"
check "reference manifest says complete" grep -q '"complete": true' "$T/ref/manifest.json"

# run DIR [VAR=VALUE...]: one export run into DIR, its status in $rc. A
# checkpoint every 100 kB makes several in this job.
run() {
	_dir=$1
	shift
	env CWDEMUX_CHECKPOINT_BYTES=100000 "$@" "$CWDEMUX" --from "$T/job" \
	    --export "$_dir" "$JOB" >/dev/null 2>"$T/run.err"
	rc=$?
}

# interrupt SIG N DIR: a run into DIR stopped by SIG at its N+1-th write
# into DIR (a group file, the state or the manifest).
interrupt() {
	run "$3" LD_PRELOAD="$SHIM" FAILSHIM_OPS=write FAILSHIM_PATH="$3/" \
	    FAILSHIM_AFTER="$2" FAILSHIM_SIGNAL="$1"
}

# whole NAME DIR: DIR holds exactly the reference export.
whole() {
	for _f in "$T"/ref/*.log "$T/ref/manifest.json"; do
		same "$1: $(basename "$_f")" "$2/$(basename "$_f")" "$_f"
	done
	check "$1: no other file" test "$(ls "$2" | wc -l)" -eq "$(ls "$T/ref" | wc -l)"
}

# consistent NAME DIR: after SIGINT or SIGTERM every file is a prefix of
# its whole self, the manifest says incomplete and counts what is there.
consistent() {
	check "$1: manifest says incomplete" grep -q '"complete": false' "$2/manifest.json"
	check "$1: files are prefixes, counted" $PY - "$2" "$T/ref" <<'EOF'
import json, os, sys
got, ref = sys.argv[1], sys.argv[2]
for g in json.load(open(os.path.join(got, "manifest.json")))["groups"]:
    data = open(os.path.join(got, g["file"]), "rb").read()
    whole = open(os.path.join(ref, g["file"]), "rb").read()
    assert whole.startswith(data), g["file"] + " is not a prefix"
    assert data.count(b"\n") == g["lines"], g["file"] + " lines"
EOF
}

# Random points (seeded): a signal and how many writes pass first.
$PY -c '
import random, sys
r = random.Random(int(sys.argv[1]))
for i in range(32):
    print(r.choice(["KILL", "KILL", "INT", "TERM"]), r.randrange(0, 60))
' "$SEED" >"$T/points"

# 1. Each point alone: stopped there, then run again to the end.
stopped=0
sed -n 1,12p "$T/points" >"$T/alone"
while read -r sig n; do
	rm -rf "$T/x"
	interrupt "$sig" "$n" "$T/x"
	case "$sig:$rc" in
	KILL:137) stopped=$((stopped + 1)) ;;
	INT:130 | TERM:130)
		stopped=$((stopped + 1))
		consistent "$sig at write $n" "$T/x"
		;;
	*:0) ;; # the run ended before that write
	*)
		fail "$sig at write $n: exit status $rc"
		sed 's/^/    /' "$T/run.err" | head -5
		;;
	esac
	run "$T/x"
	check "$sig at write $n, resumed: exit 0" test "$rc" -eq 0
	whole "$sig at write $n, resumed" "$T/x"
done <"$T/alone"
check "most single points stopped a run ($stopped of 12)" test "$stopped" -ge 9

# 2. One directory stopped again and again: each run resumes the last,
# goes a little further and is stopped again; then one run to the end.
stopped=0
rm -rf "$T/chain"
sed -n '13,32p' "$T/points" >"$T/chain.points"
while read -r sig n; do
	interrupt "$sig" "$((n % 5))" "$T/chain"
	case "$rc" in
	137 | 130) stopped=$((stopped + 1)) ;;
	0) ;;
	*)
		fail "chain: $sig at write $((n % 5)): exit status $rc"
		sed 's/^/    /' "$T/run.err" | head -5
		;;
	esac
done <"$T/chain.points"
check "the chain was stopped often ($stopped of 20)" test "$stopped" -ge 15
run "$T/chain"
check "chain, last run: exit 0" test "$rc" -eq 0
contains "chain, last run: says it resumes" "$T/run.err" "resuming the export in $T/chain"
whole "chain" "$T/chain"
check "chain: matches the truth" \
    $PY tests/tools/checktruth.py --export "$T/chain" "$T/job" "$T/all.jsonl"

# A complete export run again: nothing is written twice.
cp -R "$T/ref" "$T/again"
run "$T/again"
check "complete export run again: exit 0" test "$rc" -eq 0
whole "complete export run again" "$T/again"

# Run again placed otherwise (#15): another --assign or other rules would
# split a host over two files, so the run is refused with a message and
# the export left as it was.
find "$T/again" -printf '%p %s %T@\n' | sort >"$T/again.before"
: >"$T/empty.rules"
for opts in "--assign algo-1=elsewhere" "--rules $T/empty.rules"; do
	# shellcheck disable=SC2086
	"$CWDEMUX" --from "$T/job" --export "$T/again" $opts "$JOB" \
	    >/dev/null 2>"$T/place.err"
	check "placed otherwise ($opts): exit 2" test "$?" -eq 2
	contains "placed otherwise ($opts): says why" "$T/place.err" \
	    "placed in groups by other settings"
	check "placed otherwise ($opts): the export is untouched" sh -c \
	    "find '$T/again' -printf '%p %s %T@\\n' | sort | cmp - '$T/again.before'"
	case $opts in
	--assign*) contains "placed otherwise: names the --assign" \
	    "$T/place.err" "; --assign algo-1=elsewhere)" ;;
	esac
done

# 3. Live: a job written into moto while cwdemux follows it through the
# proxy (with some throttling and 5xx), stopped again and again from
# outside (SIGTERM or SIGKILL at seeded random moments) and started again
# with the same command; once the job ends, the last run ends too.
moto_start
mkdir "$T/home"
. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh

# follow [timeout SECONDS]: start cwdemux following the job into
# $T/live.x, in the background (CW_PID is cwdemux itself, unless a timeout
# wraps it); its JSON Lines in $T/live.jsonl.
follow() {
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    CWDEMUX_CHECKPOINT_BYTES=20000 \
	    "$@" "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
	    --grace 2s --status-interval 1s --output json --export "$T/live.x" \
	    live >"$T/live.jsonl" 2>"$T/live.err" &
	CW_PID=$!
}

proxy_start --job-status InProgress:Training@0 --seed 5 --throttle 0.05 \
    --error5xx 0.05
$PY tests/tools/simjob.py "$MOTO_URL" "$T/live" --ready-file "$T/ready" \
    --job live --hosts 4 --rate 40 --events-per-host 400 --mpi-workers \
    --burst 10 --seed 12 &
SIM_PID=$!
wait_for "$T/ready"
curl -s -X POST -d 'InProgress:Training' \
    "$PROXY_URL/proxy-control/job-status" >/dev/null
$PY -c '
import random, sys
r = random.Random(int(sys.argv[1]))
for i in range(8):
    print(r.choice(["TERM", "KILL"]), "%.2f" % r.uniform(0.3, 1.5))
' "$SEED" >"$T/live.points"
stopped=0
while read -r sig pause; do
	follow
	# Stopped once it has begun (its state is written), after a while.
	wait_for "$T/live.x/.cwdemux-state"
	$PY -c 'import sys, time; time.sleep(float(sys.argv[1]))' "$pause"
	kill -"$sig" "$CW_PID"
	wait "$CW_PID" 2>/dev/null
	rc=$?
	CW_PID=""
	case "$sig:$rc" in
	TERM:130)
		stopped=$((stopped + 1))
		check "live $sig: manifest says incomplete" \
		    grep -q '"complete": false' "$T/live.x/manifest.json"
		;;
	KILL:137) stopped=$((stopped + 1)) ;;
	*)
		fail "live $sig after ${pause}s: exit status $rc"
		sed 's/^/    /' "$T/live.err" | head -5
		;;
	esac
done <"$T/live.points"
check "live: stopped 8 times ($stopped)" test "$stopped" -eq 8
wait "$SIM_PID"
SIM_PID=""
follow timeout 400
curl -s -X POST -d Completed:Completed "$PROXY_URL/proxy-control/job-status" >/dev/null
wait "$CW_PID"
rc=$?
CW_PID=""
check "live, last run: exit 0" test "$rc" -eq 0
contains "live, last run: resumed" "$T/live.err" "which are not written again"
check "live: the last run's own output has every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/live" "$T/live.jsonl"
check "live: the resumed export equals the truth" \
    $PY tests/tools/checktruth.py --unordered --export "$T/live.x" "$T/live" "$T/live.jsonl"
check "live: manifest says complete" grep -q '"complete": true' "$T/live.x/manifest.json"

finish
