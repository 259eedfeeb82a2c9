#!/bin/sh
# --since and --until: exact in every mode, by the event's own timestamp:
# an event at --since is in, one at --until is out, each event once. Read
# from disk (--from), drained from CloudWatch (--no-follow), and followed
# (a job that ended an hour ago: read to its end at once, without waiting
# the grace period, which counts from the job's end).
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 4 --lines-per-host 300 --seed 31 \
    --start-ms "$START" >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
# The window's ends are events' own times: the 400th and the 800th. Every
# host starts before the window, so the markers that place it are outside
# (the window is what is shown; a host's group comes from its whole
# stream).
set -- $($PY -c '
import json, sys, datetime
ts = sorted(json.loads(l)["timestamp"] for l in open(sys.argv[1]))
iso = lambda ms: datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)
print(ts[400], ts[800], iso(ts[400]), iso(ts[800]))' "$T/gen/truth.events.jsonl")
SINCE_MS=$1 UNTIL_MS=$2 SINCE=$3 UNTIL=$4
moto_start
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null
mkdir "$T/home"
. tests/integ/lib/proxy.sh

cw() {
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    "$CWDEMUX" --region us-east-1 --output json "$@"
}

"$CWDEMUX" --from "$T/gen" --since "$SINCE" --until "$UNTIL" --output json \
    "$JOB" >"$T/from.jsonl" 2>"$T/from.err"
check "--from: exactly the window, hosts in their groups" \
    $PY tests/tools/checktruth.py --since "$SINCE_MS" --until "$UNTIL_MS" \
    "$T/gen" "$T/from.jsonl"
check "--from: the window's first event is its --since" \
    $PY -c 'import json,sys; sys.exit(0 if json.loads(open(sys.argv[1]).readline())["timestamp"] == int(sys.argv[2]) else 1)' \
    "$T/from.jsonl" "$SINCE_MS"

cw --no-follow --endpoint-url "$MOTO_URL" --since "$SINCE" --until "$UNTIL" \
    "$JOB" >"$T/drain.jsonl" 2>"$T/drain.err"
check "--no-follow: exactly the window, hosts in their groups" \
    $PY tests/tools/checktruth.py --since "$SINCE_MS" \
    --until "$UNTIL_MS" "$T/gen" "$T/drain.jsonl"
# Where FilterLogEvents is denied, GetLogEvents reads the window and the
# heads alike.
proxy_start --deny FilterLogEvents
cw --no-follow --endpoint-url "$PROXY_URL" --since "$SINCE" --until "$UNTIL" \
    "$JOB" >"$T/getlog.jsonl" 2>"$T/getlog.err"
check "--no-follow by GetLogEvents: exactly the window, hosts in their groups" \
    $PY tests/tools/checktruth.py --since "$SINCE_MS" --until "$UNTIL_MS" \
    "$T/gen" "$T/getlog.jsonl"
cw --no-follow --endpoint-url "$MOTO_URL" --until "$UNTIL" "$JOB" \
    >"$T/until.jsonl" 2>/dev/null
check "--no-follow --until alone: everything before it" \
    $PY tests/tools/checktruth.py --until "$UNTIL_MS" "$T/gen" "$T/until.jsonl"
cw --no-follow --endpoint-url "$MOTO_URL" --since 1w "$JOB" \
    >"$T/week.jsonl" 2>/dev/null
check "--since 1w: the whole job" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/week.jsonl"

# Followed: the job ended an hour ago. With the grace counted from when
# cwdemux noticed the end, this would run ten minutes.
proxy_start --job-status 'Completed:Completed@-3600'
timeout 120 env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" --output json \
    --grace 10m --since "$SINCE" --until "$UNTIL" "$JOB" \
    >"$T/follow.jsonl" 2>"$T/follow.err"
check "following a job that ended an hour ago: exit 0 at once" test $? -eq 0
check "following: exactly the window, hosts in their groups" \
    $PY tests/tools/checktruth.py --unordered --since "$SINCE_MS" \
    --until "$UNTIL_MS" "$T/gen" "$T/follow.jsonl"
contains "following: the end is said" "$T/follow.err" "Completed (Completed), 3600 s ago; reading it to its end"

# Followed while the job runs on: --until passing ends the run, after the
# grace period counted from it.
proxy_start --job-status 'InProgress:Training@0'
timeout 120 env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" --output json \
    --grace 2s --since "$SINCE" --until "$($PY -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%SZ"))')" "$JOB" \
    >"$T/running.jsonl" 2>"$T/running.err"
check "following a running job: --until ends the run, exit 0" test $? -eq 0
contains "following a running job: said" "$T/running.err" "--until has passed"
check "following a running job: exactly the window, hosts in their groups" \
    $PY tests/tools/checktruth.py --unordered --since "$SINCE_MS" \
    "$T/gen" "$T/running.jsonl"

status "--until before --since: exit 2" 2 "$CWDEMUX" --no-follow \
    --since "$UNTIL" --until "$SINCE" "$JOB"
contains "--until before --since: said" "$T/status.err" "--until is not after --since"
status "a bad --until: exit 2" 2 "$CWDEMUX" --no-follow --until 2026-13-01 "$JOB"
contains "a bad --until: named" "$T/status.err" "--until 2026-13-01: expected"

finish
