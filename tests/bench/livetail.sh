#!/bin/sh
# Benchmark 7 (issue 14), Live Tail: cwdemux --live-tail beside plain
# polling, the same job, the same run (tests/bench/livetail.py), at 16, 128,
# 500 and 2,000 streams, then 2,000 events a second for 10 s (sampled),
# whose live output must equal the ground truth. Each size gets a moto of
# its own (moto's FilterLogEvents slows with every event it holds, so a
# size run after another would pay for the first) and two proxies in front
# of it: simjob writes through the first, whose Live Tail emulator pushes
# what it ingests; the polling cwdemux reads through the second, so each
# tool's requests count apart.
#
#   ROWS=FILE CWDEMUX=BINARY [LIVE_SIZES="16 128 500 2000 sampled"] \
#       sh tests/bench/livetail.sh
#
# Appends rows "BENCH|WHAT|FIGURES|RATIO|TARGET" to ROWS; prints each
# size's JSON as it comes.
set -u
: "${CWDEMUX:?set CWDEMUX to the binary}"
: "${ROWS:?set ROWS to the table file}"
PY=${PYTHON:-python3}
LIVE_SIZES=${LIVE_SIZES:-16 128 500 2000 sampled}
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-bench-live.XXXXXX")
. tests/integ/lib/cleanup.sh
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
PROXY_OPTS="--job-status InProgress:Training@0 --prefix-fix --page-cap 1048576"
echo "== 7. Live Tail: --live-tail beside polling, the same job, the same run (load $(cut -d' ' -f1-3 /proc/loadavg))"

PEER_PID=""
peer_stop() {
	stop_pids $PEER_PID
	PEER_PID=""
}
at_exit peer_stop

# servers: a fresh moto, the live proxy and the polling tool's proxy.
servers() {
	peer_stop
	proxy_stop
	moto_stop
	moto_start
	# shellcheck disable=SC2086
	proxy_start $PROXY_OPTS
	rm -f "$T/peer.fifo"
	mkfifo "$T/peer.fifo"
	# shellcheck disable=SC2086
	$PY tests/tools/faultproxy.py --upstream "$MOTO_URL" --port 0 \
	    $PROXY_OPTS >"$T/peer.fifo" &
	PEER_PID=$!
	read -r _word PEER_PORT <"$T/peer.fifo"
}

# live NAME STREAMS RATE SECONDS BATCH-MS [livetail.py options]
live() {
	_n=$1
	shift
	# Only the live proxy has sessions, so only it writes to the log.
	LIVETAILEMU_SENT_LOG=$T/sent-$_n.log
	export LIVETAILEMU_SENT_LOG
	servers
	$PY tests/bench/livetail.py --cwdemux "$CWDEMUX" \
	    --live-proxy "$PROXY_URL" --poll-proxy "http://127.0.0.1:$PEER_PORT" \
	    --sent-log "$LIVETAILEMU_SENT_LOG" --moto "$MOTO_URL" \
	    --workdir "$T/live" --streams "$1" --rate "$2" --duration "$3" \
	    --batch-interval "$4" ${5:+"$5"} ${6:+"$6"} ${7:+"$7"} ${8:+"$8"} \
	    ${9:+"$9"} >"$T/live-$_n.json" || {
		echo "livetail: the $_n run failed" >&2
		return 1
	}
	cat "$T/live-$_n.json"
	$PY - "$T/live-$_n.json" >>"$ROWS" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
lv, pl, lt = r["live"], r["poll"], r["live_tail"]
what = "7 live tail %d streams" % r["streams"]
if "exact" in r:
    what = "7 live tail sampled"


def s(ms):
    return "never" if ms is None else "%.2f s" % (ms / 1000)


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def missed(x):
    m = "" if x["missing"] == 0 else ", %d of %d never" % (x["missing"], x["measured"])
    return m + ("" if x["duplicates"] == 0 else ", %d twice" % x["duplicates"])


p99 = lv["placed_ingest_latency_p99_ms"]
print("%s|latency p99 from ingestion, live vs polling|%s vs %s%s (median %s vs %s; placed hosts)|%s|<= 1.5 s: %s" % (
    what, s(p99), s(pl["placed_ingest_latency_p99_ms"]), missed(lv),
    s(lv["placed_ingest_latency_median_ms"]), s(pl["placed_ingest_latency_median_ms"]),
    ratio(p99, pl["placed_ingest_latency_p99_ms"]),
    "met" if p99 is not None and p99 <= 1500 else "MISSED"))
print("%s|the same, every event after warm-up|%s vs %s (median %s vs %s; a host's lines wait for its group)|%s|-" % (
    what, s(lv["ingest_latency_p99_ms"]), s(pl["ingest_latency_p99_ms"]),
    s(lv["ingest_latency_median_ms"]), s(pl["ingest_latency_median_ms"]),
    ratio(lv["ingest_latency_p99_ms"], pl["ingest_latency_p99_ms"])))
if "own_p99_ms" in lv:
    print("%s|live p99: emulator's push, then cwdemux's own|%s from ingestion to the send, then %s to the output (medians %s, %s)|-|-" % (
        what, s(lv["pushed_p99_ms"]), s(lv["own_p99_ms"]), s(lv["pushed_median_ms"]),
        s(lv["own_median_ms"])))
print("%s|latency p99 from the write, live vs polling|%s vs %s (median %s vs %s; placed hosts; moto's write time in)|%s|-" % (
    what, s(lv["placed_latency_p99_ms"]), s(pl["placed_latency_p99_ms"]),
    s(lv["placed_latency_median_ms"]), s(pl["placed_latency_median_ms"]),
    ratio(lv["placed_latency_p99_ms"], pl["placed_latency_p99_ms"])))
back = lv["requests_per_min"].get("FilterLogEvents", 0)
print("%s|backstop FilterLogEvents/min vs polling|%.1f vs %.1f (%d session%s, %d updates, %d sampled)|%s|-" % (
    what, back, pl["requests_per_min"].get("FilterLogEvents", 0), lt["sessions"],
    "" if lt["sessions"] == 1 else "s", lt["updates"], lt["sampled_updates"],
    ratio(back, pl["requests_per_min"].get("FilterLogEvents", 0))))
print("%s|CPU, peak RSS live vs polling|%.2f%%, %.1f MB vs %.2f%%, %.1f MB (%d events/s)|%s|-" % (
    what, lv["cpu_percent"], lv["peak_rss_kb"] / 1024, pl["cpu_percent"],
    pl["peak_rss_kb"] / 1024, r["written"] / r["seconds"],
    ratio(lv["cpu_percent"], pl["cpu_percent"])))
if "exact" in r:
    print("%s|exactly once (2,000 events/s, sampled)|%s, %d sampled updates, %d events left to the backstop|-|exact: %s" % (
        what, "equal to the truth" if r["exact"] else "NOT equal", lt["sampled_updates"],
        lt["dropped_by_sampling"], "met" if r["exact"] else "MISSED"))
PYEOF
}

for _size in $LIVE_SIZES; do
	case $_size in
	16) live 16 16 10 40 200 ;;
	128) live 128 128 2 40 1000 ;;
	500) live 500 500 0.5 60 4000 --warmup 15 ;;
	2000) live 2000 2000 0.2 60 10000 --warmup 30 --drain 120 ;;
	# 2,000 events a second for 10 s: every second sampled to 500.
	sampled) live sampled 16 125 10 200 --job bench-live-sampled --check ;;
	*) echo "livetail: unknown size $_size" >&2 ;;
	esac
done
