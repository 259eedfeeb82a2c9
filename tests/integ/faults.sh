#!/bin/sh
# Reading a job through the AWS-behaviour proxy (tests/tools/faultproxy.py)
# in front of moto: throttling, 5xx, connection resets, truncated, garbled
# and stalled answers, AWS's 1 MB page cap and a skewed server clock. The
# complete output must still equal what was loaded, event for event.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 8 --lines-per-host 1500 --seed 21 \
    --mpi-workers --start-ms "$START" >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
moto_start
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null
mkdir "$T/home"

. tests/integ/lib/proxy.sh

cw() {
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    "$CWDEMUX" --no-follow --region us-east-1 --endpoint-url "$PROXY_URL" "$@"
}


# Every kind of fault at once, and pages cut at AWS's size.
proxy_start --seed 3 --throttle 0.1 --error5xx 0.1 --reset 0.05 \
    --truncate 0.05 --malformed 0.05 --stall 0.08 --stall-seconds 1 \
    --page-cap 65536
cw --output json "$JOB" >"$T/faults.jsonl" 2>"$T/faults.err"
check "every fault: exit 0" test $? -eq 0
check "every fault: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/faults.jsonl"
for fault in throttled 5xx resets truncated malformed stalled page_capped; do
	check "the proxy injected $fault" test "$(proxy_stat $fault)" -gt 0
done

# FilterLogEvents denied: GetLogEvents stream by stream, through the same
# faults, and answers without the forward token to go on from.
proxy_start --seed 4 --deny FilterLogEvents --throttle 0.1 --error5xx 0.1 \
    --reset 0.05 --truncate 0.05 --malformed 0.05 --drop-token 0.05 \
    --page-cap 65536
cw --output json "$JOB" >"$T/getlog.jsonl" 2>"$T/getlog.err"
check "GetLogEvents, every fault: exit 0" test $? -eq 0
check "GetLogEvents, every fault: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/getlog.jsonl"
contains "GetLogEvents: the fallback is said" "$T/getlog.err" \
    "reading stream by stream with GetLogEvents instead"
for fault in denied tokens_dropped; do
	check "the proxy injected $fault" test "$(proxy_stat $fault)" -gt 0
done

# AWS's per-account rate: 2 FilterLogEvents calls a second.
proxy_start --rate FilterLogEvents=2
cw --output json "$JOB" >"$T/rate.jsonl" 2>"$T/rate.err"
check "rate limited: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/rate.jsonl"

# Throttled on every call, for a while: never a reason to give up. The
# test turns throttling off once cwdemux has been refused a few times.
proxy_start --throttle 1 --ops FilterLogEvents
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    AWS_MAX_ATTEMPTS=2 "$CWDEMUX" --no-follow --region us-east-1 \
    --endpoint-url "$PROXY_URL" --output json "$JOB" >"$T/throttled.jsonl" \
    2>"$T/throttled.err" &
CW_PID=$!
for _i in $(seq 300); do
	[ "$(proxy_stat throttled)" -ge 4 ] && break
	$PY -c 'import time; time.sleep(0.1)'
done
curl -s -X POST -d '{"throttle": 0}' "$PROXY_URL/proxy-control/config" >/dev/null
wait "$CW_PID"
check "throttled for a while: exit 0" test $? -eq 0
check "throttled for a while: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/throttled.jsonl"
contains "throttled for a while: said, and kept trying" "$T/throttled.err" \
    "ThrottlingException: Rate exceeded (still throttled after every retry); trying again"

# The server's clock is an hour ahead: one skew error, then signed right.
proxy_start --clock-offset 3600
cw --output json "$JOB" >"$T/skew.jsonl" 2>"$T/skew.err"
check "clock skew: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/skew.jsonl"
contains "clock skew: corrected and said" "$T/skew.err" "the clock is 3600 s off AWS's"
check "clock skew: corrected after the first answer" test "$(proxy_stat skewed)" -le 2

# An expired session token: the credentials are fetched again, once.
cat >"$T/creds.sh" <<EOS
#!/bin/sh
echo x >>"$T/creds.calls"
echo '{"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}'
EOS
chmod +x "$T/creds.sh"
printf '[default]\ncredential_process = %s\n' "$T/creds.sh" >"$T/config"
proxy_start --expire-first 1 --ops DescribeTrainingJob
env -i PATH="$PATH" HOME="$T/home" AWS_CONFIG_FILE="$T/config" \
    AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --no-follow --region us-east-1 --endpoint-url "$PROXY_URL" \
    --output json "$JOB" >"$T/expired.jsonl" 2>"$T/expired.err"
check "expired token: output equals the loaded job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/expired.jsonl"
check "expired token: credentials fetched again" test "$(wc -l <"$T/creds.calls")" -eq 2

finish
