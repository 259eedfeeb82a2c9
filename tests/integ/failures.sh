#!/bin/sh
# Failing jobs: one host runs out of GPU memory, the others cascade with
# NCCL timeouts and Gloo errors a little later. The first failure cwdemux
# reports (--summary on stderr, first_failure in the manifest) must be the
# host that failed first, offline (--from, by timestamp, with skewed
# clocks) and live against moto (where that host's traceback arrives late,
# after the others' errors, with an earlier timestamp).
. tests/integ/lib/setup.sh

# offline NAME GENJOB-ARGS...: generate, read with --summary and --export.
offline() {
	_n=$1
	shift
	$PY tests/tools/genjob.py "$T/$_n" --layout plain \
	    --groups data_group:ml.c5.18xlarge:2,train_group:ml.p3dn.24xlarge:3 \
	    --lines-per-host 1500 "$@" >/dev/null
	_job=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/$_n/truth.json")
	"$CWDEMUX" --from "$T/$_n" --summary --export "$T/$_n.out" \
	    "$_job" 2>"$T/$_n.err"
	check "$_n: exit 0" test $? -eq 0
	check "$_n: the first failure is the host that failed first" \
	    $PY tests/tools/checkfail.py "$T/$_n.out" "$T/$_n"
	_host=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["scenario"]["fail"]["host"])' "$T/$_n/truth.json")
	contains "$_n: --summary says it" "$T/$_n.err" \
	    " $_host torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
	contains "$_n: --summary table" "$T/$_n.err" \
	    "GROUP       HOSTS     EVENTS WARNINGS   ERRORS  FIRST ERROR"
}

offline plain --seed 11 --fail algo-2
offline ahead --seed 12 --fail algo-4 --fail-skew 3500
offline behind --seed 13 --fail algo-1 --fail-skew -20000
offline export-layout --seed 14 --fail algo-5 --fail-skew 1000 --layout export

# A job without errors says so; --summary needs no export.
$PY tests/tools/samples2tree.py "$T/samples" >/dev/null
"$CWDEMUX" --from "$T/samples" --summary hetero-pt-2024-06-01-12-00-00-123 \
    >/dev/null 2>"$T/samples.err"
contains "no errors: said" "$T/samples.err" "first failure: none found"
contains "no errors: table" "$T/samples.err" \
    "data_group      2        122        0        0  -"

# Live: followed through the proxy, which plays the job's status.
. tests/integ/lib/moto.sh
moto_start
. tests/integ/lib/proxy.sh
mkdir "$T/home"
. tests/integ/lib/live.sh

proxy_start --job-status InProgress:Training@0
$PY tests/tools/simjob.py "$MOTO_URL" "$T/live" --ready-file "$T/ready" \
    --job live-fail --groups data_group:ml.c5.18xlarge:2,train_group:ml.p3dn.24xlarge:2 \
    --rate 40 --events-per-host 200 --seed 21 \
    --fail algo-3 --fail-late-seconds 3 &
SIM_PID=$!
wait_for "$T/ready"
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    timeout 120 "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
    --grace 2s --status-interval 1s --output json --summary \
    --export "$T/live.out" live-fail >"$T/live.jsonl" 2>"$T/live.err" &
CW_PID=$!
wait "$SIM_PID"
check "live: the simulator ran" test $? -eq 0
SIM_PID=""
# Everything written is out before the job is said to have failed.
_all=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/live/truth.json")
for _i in $(seq 600); do
	[ "$(wc -l <"$T/live.jsonl")" -ge "$_all" ] && break
	$PY -c 'import time; time.sleep(0.1)'
done
curl -s -X POST -d 'Failed:Failed:AlgorithmError: ExecuteUserScriptError: ExitCode 1' \
    "$PROXY_URL/proxy-control/job-status" >/dev/null
wait "$CW_PID"
check "live: exit 4 (the job failed)" test $? -eq 4
CW_PID=""
check "live: every event once" \
    $PY tests/tools/checktruth.py --late "$T/live" "$T/live.jsonl"
check "live: the late first failure replaced the earlier answer" \
    $PY tests/tools/checkfail.py --late "$T/live.jsonl" "$T/live.out" "$T/live"
contains "live: --summary names it" "$T/live.err" \
    " algo-3 torch.cuda.OutOfMemoryError: CUDA out of memory."
contains "live: and the job's FailureReason" "$T/live.err" \
    "failure reason: AlgorithmError: ExecuteUserScriptError: ExitCode 1"
contains "live: the manifest has the FailureReason" "$T/live.out/manifest.json" \
    '"failure_reason": "AlgorithmError: ExecuteUserScriptError: ExitCode 1"'

finish
