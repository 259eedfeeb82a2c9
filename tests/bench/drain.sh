#!/bin/sh
# Benchmark 6 (issue 13), draining a finished job: cwdemux --no-follow
# beside AWS CLI v2 `aws logs tail` (Debian's awscli, /usr/bin/aws, the
# same command a user would type), on one moto, each job in a moto of its
# own, through tests/tools/faultproxy.py (no faults; AWS's 1 MB page cap
# and stream prefixes), which counts each tool's requests. Three sizes
# (streams x events): 16 x 5,000, 128 x 500 and 1,000 x 100; the median of
# RUNS runs (3) of each tool, every run's output checked against the truth.
# Then the strictest quota: the proxy allows 5 FilterLogEvents a second and
# throttles 10% of them at random besides; the drain must use >= 80% of the
# quota, never give up, and print every event once.
#
#   ROWS=FILE CWDEMUX=BINARY [DRAIN_SIZES="16x5000 ..."] sh tests/bench/drain.sh
#
# At 1,000 streams every host's start-up dump lists all 1,000 hosts, so
# pages hold about 200 events under the 1 MB cap, and moto's FilterLogEvents
# costs O(events in the group) a page: that size takes tens of minutes on a
# busy 2-core machine (for both tools alike).
#
# Also cwdemux's GetLogEvents reader once per size (FilterLogEvents denied
# by the proxy), to say where, if anywhere, it is the better tool.
# cwdemux runs with --raw --raw-progress: messages as CloudWatch holds
# them, as aws logs tail prints them, so both are checked byte for byte.
# Appends rows "BENCH|WHAT|FIGURES|RATIO|TARGET" to ROWS.
set -u
: "${CWDEMUX:?set CWDEMUX to the binary}"
: "${ROWS:?set ROWS to the table file}"
PY=${PYTHON:-python3}
RUNS=${RUNS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-bench-drain.XXXXXX")
. tests/integ/lib/cleanup.sh
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
GROUP=/aws/sagemaker/TrainingJobs
mkdir "$T/home"

if [ ! -x /usr/bin/aws ]; then
	echo "installing Debian's awscli (AWS CLI v2) for the comparison"
	DEBIAN_FRONTEND=noninteractive apt-get install -y awscli >"$T/apt.log" 2>&1 ||
	    { cat "$T/apt.log"; echo "drain: cannot install awscli" >&2; exit 1; }
fi
echo "== 6. draining a finished job: cwdemux --no-follow beside $(/usr/bin/aws --version 2>&1 | cut -d' ' -f1) logs tail (load $(cut -d' ' -f1-3 /proc/loadavg))"

# one NAME FORMAT CMD...: one run; prints "WALL CPU RSS REQUESTS OK".
one() {
	_n=$1 _f=$2
	shift 2
	curl -s -X POST "$PROXY_URL/proxy-control/reset-stats" >/dev/null
	set -- $($PY tests/bench/measure.py "$T/$_n.out" env -i PATH="$PATH" \
	    HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
	    AWS_EC2_METADATA_DISABLED=true AWS_PAGER= "$@" 2>"$T/$_n.err")
	[ "$4" -eq 0 ] || { echo "drain: $_n exited $4:" >&2; head -5 "$T/$_n.err" >&2; }
	_ok=yes
	$PY tests/bench/checkout.py "$_f" "$T/gen" "$T/$_n.out" >"$T/check" 2>&1 ||
	    { _ok=NO; tail -3 "$T/check" >&2; }
	echo "$1 $2 $3 $(proxy_stat requests) $_ok"
}

# median NAME: the median run of NAME's lines in $T/NAME.runs, by wall.
median() {
	sort -n "$T/$1.runs" | sed -n "$(( (RUNS + 1) / 2 ))p"
}

for size in ${DRAIN_SIZES-16x5000 128x500 1000x100}; do
	hosts=${size%x*} events=${size#*x}
	rm -rf "$T/gen"
	START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
	$PY tests/tools/genjob.py "$T/gen" --hosts "$hosts" \
	    --lines-per-host "$events" --seed 21 --start-ms "$START" \
	    --layout plain --events-file >/dev/null
	set -- $($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["job"], t["events"], len(t["streams"]))' "$T/gen/truth.json")
	JOB=$1 EVENTS=$2 NSTREAMS=$3
	SINCE=$($PY -c 'import json,sys,time
e = [json.loads(l)["timestamp"] for l in open(sys.argv[1])]
print("%dm" % ((time.time() * 1000 - min(e)) // 60000 + 10))' "$T/gen/truth.events.jsonl")
	SPAN=$($PY -c 'import json,sys
e = [json.loads(l)["timestamp"] for l in open(sys.argv[1])]
print("%d,%d" % (min(e), max(e)))' "$T/gen/truth.events.jsonl")
	moto_start || exit 1
	$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null || exit 1
	# The job's times are its events' (moto's are its creation's), as
	# on AWS: cwdemux reads a drain in slices of that time.
	proxy_start --prefix-fix --page-cap 1048576 --job-times "$SPAN"
	: >"$T/cwdemux.runs"
	: >"$T/tail.runs"
	for i in $(seq "$RUNS"); do
		one cwdemux lines "$CWDEMUX" --no-follow --raw --raw-progress --region us-east-1 \
		    --endpoint-url "$PROXY_URL" "$JOB" >>"$T/cwdemux.runs"
		one tail tail /usr/bin/aws --endpoint-url "$PROXY_URL" logs tail \
		    "$GROUP" --log-stream-name-prefix "$JOB/" --since "$SINCE" \
		    --format detailed --color off >>"$T/tail.runs"
	done
	echo "-- $NSTREAMS streams x $events events ($EVENTS): wall cpu rss-KiB requests ok, each run"
	sed 's/^/   cwdemux /' "$T/cwdemux.runs"
	sed 's/^/   tail    /' "$T/tail.runs"
	set -- $(median cwdemux) $(median tail)
	ok_all=$(cat "$T/cwdemux.runs" "$T/tail.runs" | awk '$5 != "yes" { bad = 1 } END { print bad ? "NO" : "yes" }')
	awk -v s="$NSTREAMS x $events" -v cw="$1" -v cc="$2" -v cr="$3" \
	    -v cq="$4" -v tw="$6" -v tc="$7" -v tr="$8" -v tq="$9" \
	    -v ok="$ok_all" 'BEGIN {
		printf "6 drain %s|wall vs aws logs tail|%.2f s vs %.2f s (every event, every run: %s)|%.2f|<= 1.0: %s\n", s, cw, tw, ok, cw / tw, (cw / tw <= 1.0 ? "met" : "MISSED")
		printf "6 drain %s|CPU vs aws logs tail|%.3f s vs %.2f s|%.3f|<= 0.1: %s\n", s, cc, tc, cc / tc, (cc / tc <= 0.1 ? "met" : "MISSED")
		printf "6 drain %s|requests vs aws logs tail|%d vs %d|%+d|<= +3: %s\n", s, cq, tq, cq - tq, (cq - tq <= 3 ? "met" : "MISSED")
		printf "6 drain %s|peak RSS vs aws logs tail|%.1f MB vs %.1f MB|%.2f|-\n", s, cr / 1024, tr / 1024, cr / tr
	}' >>"$ROWS"
	# cwdemux's other reader, GetLogEvents stream by stream (what it
	# uses when FilterLogEvents is denied), once: is it ever the better
	# tool?
	proxy_start --prefix-fix --page-cap 1048576 --deny FilterLogEvents \
	    --job-times "$SPAN"
	set -- $(one getlog lines "$CWDEMUX" --no-follow --raw --raw-progress --region us-east-1 \
	    --endpoint-url "$PROXY_URL" "$JOB") $(median cwdemux)
	echo "   getlog  $1 $2 $3 $4 $5"
	awk -v s="$NSTREAMS x $events" -v gw="$1" -v gc="$2" -v gq="$4" \
	    -v ok="$5" -v cw="$6" -v cq="$9" 'BEGIN {
		printf "6 drain %s|GetLogEvents reader vs FilterLogEvents|%.2f s, %d requests vs %.2f s, %d requests (every event: %s)|%.2f|-\n", s, gw, gq, cw, cq, ok, gw / cw
	}' >>"$ROWS"
	proxy_stop
	moto_stop
done

# The strictest quota, 5 FilterLogEvents a second, and 10% of them
# throttled at random: 16 x 200 events in pages cut to 8 KB (about 150
# pages), so that the drain lasts long enough to measure the rate and moto
# (whose FilterLogEvents costs O(events in the group) a page) can answer
# well over 5 calls a second. The proxy gives the job the times of its
# events (moto gives it those of its creation), as AWS does, so that the
# drain reads its slices of time at once (follow.h). The Region is
# us-east-1, whose published quota (25) is cwdemux's ceiling: the
# adaptive rate has to find the lower one.
rm -rf "$T/gen"
START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 16 --lines-per-host 200 \
    --seed 22 --start-ms "$START" --layout plain --events-file >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
SPAN=$($PY -c 'import json,sys
e = [json.loads(l)["timestamp"] for l in open(sys.argv[1])]
print("%d,%d" % (min(e), max(e)))' "$T/gen/truth.events.jsonl")
moto_start || exit 1
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null || exit 1
proxy_start --prefix-fix --page-cap 8192 --rate FilterLogEvents=5 \
    --throttle 0.1 --ops FilterLogEvents --seed 5 --job-times "$SPAN"
set -- $(one cwdemux lines "$CWDEMUX" --no-follow --raw --raw-progress --region us-east-1 \
    --endpoint-url "$PROXY_URL" "$JOB")
WALL=$1 OK=$5
STATS=$(curl -s "$PROXY_URL/proxy-control/stats")
set -- $(echo "$STATS" | $PY -c '
import json, sys
s = json.load(sys.stdin).get("FilterLogEvents", {})
print(s.get("forwarded", 0), s.get("throttled", 0), s.get("rate_limited", 0))')
FWD=$1 THR=$2 LIM=$3
echo "-- quota 5/s + 10% throttled: $FWD answered in $WALL s, $THR throttled ($LIM by the quota), every event: $OK"
awk -v w="$WALL" -v f="$FWD" -v t="$THR" -v l="$LIM" -v ok="$OK" \
    -v rows="$ROWS" 'BEGIN {
	u = f / w / 5
	printf "   quota used: %.0f%% of 5 calls a second\n", u * 100
	printf "6 drain at quota 5/s + 10%% throttling|quota used|%d calls answered in %.1f s, %d throttled (%d by the quota), every event once: %s|%.2f|>= 0.80: %s\n", f, w, t, l, ok, u, (u >= 0.8 && ok == "yes" ? "met" : "MISSED") >>rows
}'
