#!/bin/sh
# Live Tail against the fault proxy's emulator (tests/tools/livetailemu.py),
# through cwdemux's own session driver (tests/tools/livetaildump): every
# way a session ends (reset mid-frame, a bad CRC, SessionTimeoutException,
# SessionStreamingException, an error message, a stall) is followed by a
# gap and a new session; nothing of a broken frame is shown, nothing twice,
# nothing of another job; refusals are a warning.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
DUMP_PID="" WRITER_PID=""
GROUP=/aws/sagemaker/TrainingJobs

dump() {
	env -i PATH="$PATH" HOME="$T" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$PROXY_URL" \
	    "$BUILD/tools/livetaildump" "$@"
}

# until_line FILE TEXT: wait (at most 60 s) for a line holding TEXT.
until_line() {
	for _i in $(seq 600); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		$PY -c 'import time; time.sleep(0.1)'
	done
	return 1
}

moto_start
at_exit 'stop_pids $DUMP_PID $WRITER_PID'
proxy_start --live-script reset@1.5,corrupt@1.5,timeout@1.5,streaming@1.5,error@1.5,stall@1.5
$PY tests/tools/ltwriter.py "$PROXY_URL" lt-job 0 >/dev/null
dump "$GROUP" lt-job/ 90 7 >"$T/out" 2>"$T/err" &
DUMP_PID=$!
until_line "$T/err" "state LIVE"
$PY tests/tools/ltwriter.py "$PROXY_URL" lt-job 90 --other >"$T/truth" &
WRITER_PID=$!
wait "$DUMP_PID"
kill -TERM "$WRITER_PID"
wait "$WRITER_PID"
DUMP_PID="" WRITER_PID=""
sed -i 1d "$T/truth"

check "seven sessions" test "$(grep -c '^state LIVE' "$T/err")" -eq 7
check "six gaps" test "$(grep -c '^gap' "$T/err")" -eq 6
contains "reset" "$T/err" "Connection reset by peer; trying again in"
contains "bad CRC" "$T/err" "event stream: message CRC 0x"
contains "exception" "$T/err" "the session ended: SessionStreamingException: Internal error in the stream"
contains "error message" "$T/err" "the session ended: InternalFailure: The stream failed"
contains "stall" "$T/err" "Less than 1 bytes/sec transferred the last 10 seconds"
check "a timeout is no warning" test "$(grep -c '^state WAITING: ' "$T/err")" -eq 5
check "events shown" test -s "$T/out"
check "nothing twice" test -z "$(sort "$T/out" | uniq -d)"
check "nothing of another job" test -z "$(grep -v '^lt-job/' "$T/out")"
sort "$T/truth" >"$T/truth.sorted"
sort "$T/out" >"$T/out.sorted"
check "only what was written" test -z "$(comm -13 "$T/truth.sorted" "$T/out.sorted")"
sed -n 's/.* session [0-9]* withheld //p' "$T/proxy.log" |
    $PY -c 'import json,sys; [print(m) for l in sys.stdin for m in json.loads(l)]' >"$T/withheld"
check "broken updates held events" test -s "$T/withheld"
check "nothing of a broken update" test -z "$(sed 's/^[^ ]* [0-9]* //' "$T/out" | grep -xF -f "$T/withheld")"

# Refusals: a warning, and no session.
curl -s -X POST -d '{"fail": {"StartLiveTail": "400:AccessDeniedException:User is not authorized to perform: logs:StartLiveTail"}}' \
    "$PROXY_URL/proxy-control/config" >/dev/null
dump "$GROUP" lt-job/ 20 >"$T/out" 2>"$T/err"
contains "access denied" "$T/err" "state REFUSED: Live Tail refused: StartLiveTail: AccessDeniedException: User is not authorized to perform: logs:StartLiveTail (cwdemux needs the IAM permission logs:StartLiveTail); following by polling alone"
curl -s -X POST -d '{"fail": {"StartLiveTail": "400:LimitExceededException:too many sessions"}}' \
    "$PROXY_URL/proxy-control/config" >/dev/null
dump "$GROUP" lt-job/ 2 >"$T/out" 2>"$T/err"
contains "session quota" "$T/err" "state WAITING: Live Tail: StartLiveTail: LimitExceededException: too many sessions; trying again in"
check "quota retried slowly" test "$(sed -n 's/.*trying again in \([0-9]*\) s$/\1/p' "$T/err")" -ge 15
curl -s -X POST -d '{"fail": {"DescribeLogGroups": "400:AccessDeniedException:no"}}' \
    "$PROXY_URL/proxy-control/config" >/dev/null
dump "$GROUP" lt-job/ 20 >"$T/out" 2>"$T/err"
contains "no DescribeLogGroups" "$T/err" "(cwdemux needs the IAM permission logs:DescribeLogGroups); following by polling alone"
finish
