#!/bin/sh
# The adaptive request rate (src/budget.c), against botocore's adaptive
# retry mode as the oracle and against a simulated account quota (no
# server: tests/tools/rateoracle.py drives tools/ratetrace); then the
# real client through the fault proxy: every attempt, retries too, takes
# its token from the one budget, so the proxy never sees the ceiling
# passed for long however much it throttles.
. tests/integ/lib/setup.sh

RT=$TOP/$BUILD/tools/ratetrace
check "the rate equals botocore's adaptive mode after every answer" \
    $PY tests/tools/rateoracle.py "$RT" oracle
check "a 5/s quota with 10% random throttling: >= 80% used, never far above" \
    $PY tests/tools/rateoracle.py "$RT" quota
check "throttling stops: back at the ceiling within a minute, never above" \
    $PY tests/tools/rateoracle.py "$RT" recover

. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 4 --lines-per-host 30 --seed 3 \
    --layout plain --start-ms "$START" --events-file >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
moto_start
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null
mkdir "$T/home"

# Half the calls throttled, pages of a few events: about a hundred
# attempts, each retry due after its backoff but sent only with a token of
# the 2-a-second ceiling (without one, the retries came at up to 4 a
# second).
proxy_start --seed 5 --throttle 0.5 --ops FilterLogEvents --page-cap 2048
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --no-follow --output json --region us-east-1 \
    --endpoint-url "$PROXY_URL" --filter-rate 2 "$JOB" \
    >"$T/retries.jsonl" 2>"$T/retries.err"
check "half the calls throttled: exit 0" test $? -eq 0
check "half the calls throttled: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/retries.jsonl"
check "retries within the ceiling: never above 2 a second for long" \
    $PY tests/tools/ratecheck.py "$T/proxy.log" FilterLogEvents 2

# FilterLogEvents denied while the drain's slices are all out: the first
# refusal falls back to GetLogEvents, and the others' answers, which come
# after, must find their calls cancelled (they found freed batches).
SPAN=$($PY -c 'import json,sys
e = [json.loads(l)["timestamp"] for l in open(sys.argv[1])]
print("%d,%d" % (min(e), max(e)))' "$T/gen/truth.events.jsonl")
proxy_start --deny FilterLogEvents --job-times "$SPAN"
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --no-follow --output json --region us-east-1 \
    --endpoint-url "$PROXY_URL" "$JOB" >"$T/denied.jsonl" 2>"$T/denied.err"
check "slices denied: exit 0" test $? -eq 0
check "slices denied: GetLogEvents prints the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/denied.jsonl"

finish
