#!/bin/sh
# Following a running job: the simulator writes a heterogeneous job into
# moto while cwdemux follows it through the AWS-behaviour proxy, which also
# plays the job's status (moto marks jobs Completed at once). Streams appear
# while it runs (hosts start one by one, a host restarts); when the job
# ends, cwdemux reads the grace period, prints a final status line and
# exits with the job's outcome. The output must equal what was written.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
moto_start
mkdir "$T/home"

. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh
CW_ARGS=""

# follow NAME STATUS SIMJOB-ARGS...: one followed job that ends as STATUS.
follow() {
	_name=$1 _end=$2
	shift 2
	rm -f "$T/ready"
	$PY tests/tools/simjob.py "$MOTO_URL" "$T/$_name" --ready-file "$T/ready" \
	    --job "$_name" "$@" &
	SIM_PID=$!
	wait_for "$T/ready"
	curl -s -X POST -d 'InProgress:Training' \
	    "$PROXY_URL/proxy-control/job-status" >/dev/null
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    timeout 900 "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
	    --grace 2s --status-interval 1s --output json $CW_ARGS "$_name" \
	    >"$T/$_name.jsonl" 2>"$T/$_name.err" &
	CW_PID=$!
	# The simulator runs for its --duration, or until $STOP_WHEN (a
	# command) holds, within $STOP_WITHIN seconds.
	if [ -n "$STOP_WHEN" ]; then
		_deadline=$(($(date +%s) + STOP_WITHIN))
		until $STOP_WHEN || [ "$(date +%s)" -ge "$_deadline" ]; do
			$PY -c 'import time; time.sleep(1)'
		done
		kill -TERM "$SIM_PID"
	fi
	wait "$SIM_PID"
	SIM_PID=""
	# While the job still runs, everything written is soon out, not held
	# in a buffer until the end.
	_all=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/$_name/truth.json")
	# (At most 60 s, counted by the clock: on a loaded machine each turn
	# of this loop is slow, and the long case's events beyond its window
	# may never come.)
	_until=$(($(date +%s) + 60))
	while [ "$(wc -l <"$T/$_name.jsonl")" -lt "$_all" ] &&
	    [ "$(date +%s)" -lt "$_until" ]; do
		$PY -c 'import time; time.sleep(0.1)'
	done
	cp "$T/$_name.jsonl" "$T/$_name.early"
	curl -s -X POST -d "$_end" "$PROXY_URL/proxy-control/job-status" >/dev/null
	wait "$CW_PID"
	_rc=$?
	CW_PID=""
	return $_rc
}

proxy_start --job-status InProgress:Training@0
follow live Completed:Completed --hosts 6 --rate 40 --events-per-host 300 \
    --mpi-workers --restart algo-2 --burst 20 --seed 4
check "Completed: exit 0" test $? -eq 0
check "all output is out while the job still runs" test \
    "$(wc -l <"$T/live.early")" -eq \
    "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/live/truth.json")"
check "Completed: every event once, in each stream's order" \
    $PY tests/tools/checktruth.py --unordered "$T/live" "$T/live.jsonl"
contains "Completed: the end is said" "$T/live.err" "job live: Completed (Completed); reading what arrives in the next 2 s"
contains "Completed: final status line" "$T/live.err" "job live: Completed (Completed), 6 hosts in 3 groups; 7 streams"

follow failing 'Failed:Failed:AlgorithmError: ExecuteUserScriptError' \
    --hosts 3 --rate 40 --events-per-host 200 --seed 5
check "Failed: exit 4" test $? -eq 4
check "Failed: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/failing" "$T/failing.jsonl"
contains "Failed: the reason is said" "$T/failing.err" \
    "job failing: Failed (Failed): AlgorithmError: ExecuteUserScriptError"

follow stopped Stopped:Stopped --hosts 2 --rate 40 --events-per-host 150 --seed 6
check "Stopped: exit 5" test $? -eq 5

# Events ingested late with older timestamps, and bursts in one
# millisecond: each comes out once (found by the look-back), and equal
# timestamps keep their order.
follow late Completed:Completed --hosts 4 --rate 40 --events-per-host 400 \
    --late-events 0.05 --late-max-seconds 8 --burst 30 --seed 9
check "late: exit 0" test $? -eq 0
check "late: every event once, late ones too" \
    $PY tests/tools/checktruth.py --late --late-window 60000 "$T/late" \
    "$T/late.jsonl"
check "late: some events were late" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))
sys.exit(0 if t["scenario"]["late_events_written"] > 0 else 1)' "$T/late/truth.json"

# Faults while following: throttling, 5xx, resets, garbled answers.
stop_all
proxy_start --job-status InProgress:Training@0 --seed 8 --throttle 0.1 \
    --error5xx 0.05 --reset 0.03 --truncate 0.03 --malformed 0.03
follow faulty Completed:Completed --hosts 4 --rate 40 --events-per-host 300 \
    --mpi-workers --seed 7
check "faults: exit 0" test $? -eq 0
check "faults: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/faulty" "$T/faulty.jsonl"

# The long case: a thousand faults over 200 streams (two batches asked in
# parallel), with late events and bursts; the plain build only (CI's
# time). Three calls in four fail (throttled, 5xx, reset, answers cut
# short or garbled), so each call costs retries with exponential back-off,
# and the proxy cuts answers into pages of 256 KB (as AWS does at 1 MB):
# a look-back is a chain of pages, a page cut short or garbled is asked for
# again with the same token. The simulator writes until the proxy has
# injected 1,000 faults (issue 13; at most 600 s on a loaded machine).
# Nothing is lost or repeated, and throttling never ends the run. A loss
# once seen here came from the test: on a loaded machine the simulator
# fell behind, and its late events came minutes behind newer ones, beyond
# the reader's --late-window; the truth says how far behind each was
# written, and only those beyond the window may be missing
# (checktruth.py --late-window).
faults() {
	echo $(($(proxy_stat throttled) + $(proxy_stat 5xx) + \
	    $(proxy_stat resets) + $(proxy_stat truncated) + \
	    $(proxy_stat malformed)))
}
enough_faults() {
	[ "$(faults)" -ge 1000 ]
}
if [ "$BUILD" = build-asan ]; then
	echo "# follow: the long faults case runs in the plain build only"
else
	stop_all
	proxy_start --job-status InProgress:Training@0 --seed 11 \
	    --throttle 0.08 --error5xx 0.37 --reset 0.22 --truncate 0.05 \
	    --malformed 0.03 --page-cap 262144
	CW_ARGS="--filter-rate 50 --late-window 10s"
	STOP_WHEN=enough_faults STOP_WITHIN=600
	T0=$(date +%s)
	follow long Completed:Completed --hosts 200 --rate 0.2 \
	    --batch-interval 5000 --late-events 0.02 \
	    --late-max-seconds 4 --burst 5 --seed 10
	check "long: exit 0" test $? -eq 0
	check "long: every event once" $PY tests/tools/checktruth.py --late \
	    --late-window 10000 "$T/long" "$T/long.jsonl"
	n=$(faults)
	echo "# follow long: $n faults in $(($(date +%s) - T0)) s," \
	    "$(proxy_stat requests) requests; $(head -1 "$T/check.out")"
	check "long: at least 1000 faults ($n)" test "$n" -ge 1000
	CW_ARGS="" STOP_WHEN=""
fi

finish
