#!/bin/sh
# Asking CloudWatch for less (#16): --filter-pattern (FilterLogEvents'
# own filter) and --tail N (the newest N events of each host, then on,
# as stern's --tail), against moto through the AWS-behaviour proxy. Both skip the
# streams' heads, where hosts print the markers that place them: the
# heads are read unfiltered, for their markers only, so lines land in
# their groups, an MPI worker's too (placed by its master's map).
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
moto_start
. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh

# Four hosts: data_group algo-?, train_group two (an MPI master and a
# worker that never names its group), eval_group one; one host fails.
JOB=tail-pt-2024-06-01-12-00-00-123
start=$($PY -c 'import time; print(int(time.time() * 1000) - 240000)')
$PY tests/tools/genjob.py --job "$JOB" --start-ms "$start" --hosts 4 \
    --mpi-workers --lines-per-host 150 --seed 4 --fail-rank 1 "$T/gen" >/dev/null
check "the job loads" $PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen"
proxy_start --job-status InProgress:Training@0
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
cw() {
	"$CWDEMUX" --endpoint-url "$PROXY_URL" --grace 1s --status-interval 1s "$@"
}

# truth.py MODE OUT.jsonl [ARG]: the output against the truth.
#   match TERM: exactly the events holding TERM, each in its true group;
#   tail N: exactly each host's newest N events (over all its streams, a
#   restarted host has two), in their true groups.
cat >"$T/truth.py" <<'PYEOF'
import base64, collections, json, sys
gen, mode, out, arg = sys.argv[1:5]
truth = json.load(open(gen + "/truth.json"))
want = collections.Counter()
hosts = collections.defaultdict(list)
for line in open(gen + "/truth.events.jsonl"):
    e = json.loads(line)
    hosts[truth["streams"][e["stream"]]].append(
        (e["timestamp"], e["stream"], base64.b64decode(e["message_b64"])))
for host, events in hosts.items():
    if mode == "tail":
        events.sort(key=lambda ev: ev[0])
        events = events[-int(arg):] if int(arg) > 0 else []
    else:
        events = [ev for ev in events if arg.encode() in ev[2]]
    for ts, stream, msg in events:
        want[(stream, ts, msg)] += 1
got = collections.Counter()
bad = []
for line in open(out):
    e = json.loads(line)
    msg = e["message"].encode()
    got[(e["stream"], e["timestamp"], msg)] += 1
    host = truth["streams"][e["stream"]]
    if e["group"] != truth["hosts"][host]:
        bad.append("%s in %s, want %s" % (host, e["group"], truth["hosts"][host]))
if not want:
    bad.append("the truth has no such events")
if got != want:
    bad.append("missing %s, extra %s" % (list(want - got)[:2], list(got - want)[:2]))
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
PYEOF

# --filter-pattern: only matching events come; the worker's one line is
# placed by the master's map, read in the master's head.
cw --no-follow --filter-pattern '"Begin looking for status file"' --output json \
    "$JOB" >"$T/worker.jsonl" 2>"$T/worker.err"
check "--filter-pattern: exactly the matching events, in their groups" \
    $PY "$T/truth.py" "$T/gen" match "$T/worker.jsonl" "Begin looking for status file"
check "--filter-pattern: a worker that names no group is placed" \
    grep -q '"group":"train_group"' "$T/worker.jsonl"
cw --no-follow --filter-pattern OutOfMemoryError --output json --summary \
    "$JOB" >"$T/oom.jsonl" 2>"$T/oom.err"
check "--filter-pattern OutOfMemoryError: the failing rank's line" \
    $PY "$T/truth.py" "$T/gen" match "$T/oom.jsonl" OutOfMemoryError
contains "--filter-pattern: the first failure of what was read" "$T/oom.err" \
    "rank 1 torch.cuda.OutOfMemoryError"
contains "--filter-pattern: CloudWatch sent the one event, no more" "$T/oom.err" \
    "4 streams, 1 events in"

# --tail N: the newest N events of every stream, merged by time.
cw --no-follow --tail 3 --output json "$JOB" >"$T/t3.jsonl" 2>"$T/t3.err"
check "--tail 3 --no-follow: each stream's newest 3, in their groups" \
    $PY "$T/truth.py" "$T/gen" tail "$T/t3.jsonl" 3
check "--tail 3: merged by time" $PY -c '
import json, sys
ts = [json.loads(l)["timestamp"] for l in open(sys.argv[1])]
sys.exit(ts != sorted(ts))' "$T/t3.jsonl"
# A host whose container restarted has two streams: still N events, the
# newest of both (the second stream's 40, and 5 of the first's end).
RJOB=restart-pt-2024-06-01-12-00-00-123
$PY tests/tools/genjob.py --job "$RJOB" --start-ms "$start" --hosts 3 \
    --lines-per-host 40 --seed 5 --restart algo-2 "$T/rgen" >/dev/null
check "the restarted job loads" $PY tests/tools/loadjob.py "$MOTO_URL" "$T/rgen" \
    --no-sagemaker
check "the restarted host has two streams" test \
    "$(ls "$T/rgen/$RJOB" | grep -c '^algo-2-')" -eq 2
second=$(ls -d "$T/rgen/$RJOB"/algo-2-* | tail -1)
rn=$(( $(gzip -dc "$second"/*.gz | wc -l) + 5 ))
for n in 3 "$rn"; do
	cw --no-follow --tail "$n" --output json "$RJOB" >"$T/r$n.jsonl" 2>"$T/r$n.err"
	check "--tail $n, a restarted host: its newest $n over both streams" \
	    $PY "$T/truth.py" "$T/rgen" tail "$T/r$n.jsonl" "$n"
done
cw --no-follow --tail 0 "$JOB" >"$T/t0" 2>"$T/t0.err"
check "--tail 0 --no-follow: nothing, exit 0" test $? -eq 0 -a ! -s "$T/t0"

# --tail 2, following: the tails, then what the hosts write next, once.
cw --tail 2 --output json "$JOB" >"$T/tf.jsonl" 2>"$T/tf.err" &
CW_PID=$!
nstreams=$(ls "$T/gen/$JOB" | wc -l)
until_lines() {
	for _i in $(seq 600); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		$PY -c 'import time; time.sleep(0.1)'
	done
	return 1
}
check "--tail 2, following: the tails first" until_lines "$T/tf.jsonl" $((nstreams * 2))
stream=$(ls "$T/gen/$JOB" | head -1)
$PY - "$MOTO_URL" "$JOB/$stream" <<'PYEOF'
import sys, time
import boto3
logs = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1",
                    aws_access_key_id="testing", aws_secret_access_key="testing")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=sys.argv[2],
                    logEvents=[{"timestamp": now + i, "message": "after the tail %d" % i}
                               for i in range(3)])
PYEOF
check "--tail 2, following: then new events" until_lines "$T/tf.jsonl" $((nstreams * 2 + 3))
curl -s -X POST -d Completed:Completed "$PROXY_URL/proxy-control/job-status" >/dev/null
wait "$CW_PID"
RC=$?
CW_PID=""
check "--tail 2, following: the job's end, exit 0" test "$RC" -eq 0
check "--tail 2, following: every event once" test \
    "$(wc -l <"$T/tf.jsonl")" -eq $((nstreams * 2 + 3))
check "--tail 2, following: the new events in their host's group" \
    $PY -c '
import json, sys
truth = json.load(open(sys.argv[1]))
new = [json.loads(l) for l in open(sys.argv[2]) if "after the tail" in l]
want = truth["hosts"][truth["streams"][new[0]["stream"]]]
sys.exit(len(new) != 3 or any(e["group"] != want for e in new))' \
    "$T/gen/truth.json" "$T/tf.jsonl"

# Following with Live Tail and a pattern: StartLiveTail gets it too (the
# emulator logs it; it does not apply it), the backstop filters.
curl -s -X POST -d InProgress:Training "$PROXY_URL/proxy-control/job-status" >/dev/null
cw --live-tail --filter-pattern OutOfMemoryError --output json "$JOB" \
    >"$T/lt.jsonl" 2>"$T/lt.err" &
CW_PID=$!
session_open() {
	for _i in $(seq 600); do
		grep -q 'session [0-9]* open pattern "OutOfMemoryError"' "$T/proxy.log" &&
		    return 0
		$PY -c 'import time; time.sleep(0.1)'
	done
	return 1
}
check "--live-tail --filter-pattern: StartLiveTail carries the pattern" session_open
check "--live-tail --filter-pattern: the matching event" until_lines "$T/lt.jsonl" 1
curl -s -X POST -d Completed:Completed "$PROXY_URL/proxy-control/job-status" >/dev/null
wait "$CW_PID"
CW_PID=""
check "--live-tail --filter-pattern: only the matching event, once" \
    $PY "$T/truth.py" "$T/gen" match "$T/lt.jsonl" OutOfMemoryError

# FilterLogEvents denied: with a pattern, GetLogEvents cannot stand in.
proxy_start --deny FilterLogEvents
status "--filter-pattern without FilterLogEvents: exit 3" 3 \
    cw --no-follow --filter-pattern OutOfMemoryError "$JOB"
contains "--filter-pattern without FilterLogEvents: said" "$T/status.err" \
    "--filter-pattern needs it (GetLogEvents cannot filter)"

# Bad values, and --from, are usage errors naming them.
status "--tail 10001" 2 "$CWDEMUX" --tail 10001 "$JOB"
contains "--tail 10001: named" "$T/status.err" "--tail 10001: expected a number of events, 0 to 10000"
status "--tail -1" 2 "$CWDEMUX" --tail -1 "$JOB"
status "--filter-pattern ''" 2 "$CWDEMUX" --filter-pattern '' "$JOB"
status "--tail with --from" 2 "$CWDEMUX" --tail 3 --from "$T/gen" "$JOB"
contains "--tail with --from: said" "$T/status.err" "it does not go with --from"
status "--tail with --filter-pattern" 2 "$CWDEMUX" --tail 3 --filter-pattern x "$JOB"
contains "--tail with --filter-pattern: said why" "$T/status.err" "newest N events that match"
status "--filter-pattern with --from" 2 "$CWDEMUX" --filter-pattern x --from "$T/gen" "$JOB"

finish
