#!/bin/sh
# make bench: benchmarks, each figure a ratio against a baseline measured in
# the same run (absolute times on a shared machine are noise), printed as one
# table at the end. Writes to a private temp dir; takes about 8 minutes on
# 2 cores. See README.md here for what each row means.
set -e
BUILD=${BUILD:-build}
CWDEMUX=${CWDEMUX:-$PWD/$BUILD/cwdemux}
PY=${PYTHON:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-bench.XXXXXX")
ROWS=$T/rows
export CWDEMUX ROWS
. tests/integ/lib/cleanup.sh
BEGAN=$(date +%s)
: >"$ROWS"

# Benchmark 1: the offline path against cat, a mawk prefixer and zcat.
sh tests/bench/offline.sh

echo "== 2. response parsing: 1 MB GetLogEvents pages, baseline bare yajl"
# The same events twice: non-ASCII escaped as \uXXXX (as moto and Python
# write it) and as raw UTF-8 (as CloudWatch sends it).
$PY - "$T/page-escaped.json" "$T/page-utf8.json" <<'PYEOF'
import json, sys
events, size, i = [], 2, 0
while size < 1_000_000 and len(events) < 10000:
    m = "2024-06-01 12:05:%02d,%03d INFO step %d loss=%.4f throughput=%d img/s \u2588" % (i % 60, i % 1000, i, 1 / (i + 1), 5000 + i)
    e = {"timestamp": 1717243531318 + i, "message": m, "ingestionTime": 1717243532318 + i}
    size += len(json.dumps(e)) + 1
    events.append(e)
    i += 1
page = {"events": events, "nextForwardToken": "f/%056d" % len(events),
        "nextBackwardToken": "b/%056d" % 0}
for path, ascii in ((sys.argv[1], True), (sys.argv[2], False)):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(page, separators=(",", ":"), ensure_ascii=ascii))
PYEOF
for page in escaped utf8; do
	R=$("$BUILD/tools/parsebench" "$T/page-$page.json" 3)
	echo "$page: $R"
	eval "$R"
	# shellcheck disable=SC2154
	awk -v p="$page" -v y="$yajl_mbs" -v nm="$noop_mbs" -v nr="$noop_ratio" \
	    -v c="$cwdemux_mbs" -v r="$ratio" -v ev="$events" 'BEGIN {
		printf "2 parsing|%s page vs bare yajl|%.0f vs %.0f MB/s, %d events (yajl, empty callbacks: %.2f)|%.2f|>= 0.70: %s\n",
		    p, c, y, ev, nr, r, (r >= 0.70 ? "met" : "MISSED")
	}' >>"$ROWS"
done

sh tests/bench/e2e.sh
sh tests/bench/drain.sh

echo "== 4. following: simjob writes at a steady rate, default budget; aws logs tail --follow beside"
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
moto_start
PROXY_OPTS="--job-status InProgress:Training@0 --prefix-fix --page-cap 1048576"
# shellcheck disable=SC2086
proxy_start $PROXY_OPTS
# A second proxy for the peer, so that each tool's requests count apart.
PEER_PID=""
mkfifo "$T/peer.fifo"
# shellcheck disable=SC2086
$PY tests/tools/faultproxy.py --upstream "$MOTO_URL" --port 0 $PROXY_OPTS \
    >"$T/peer.fifo" &
PEER_PID=$!
at_exit 'stop_pids $PEER_PID'
read -r _word PEER_PORT <"$T/peer.fifo"
# follow STREAMS RATE SECONDS BATCH-MS [follow.py options]
follow() {
	_n=$1
	$PY tests/bench/follow.py --cwdemux "$CWDEMUX" --moto "$MOTO_URL" \
	    --proxy "$PROXY_URL" --peer-proxy "http://127.0.0.1:$PEER_PORT" \
	    --workdir "$T/follow" --streams "$1" \
	    --rate "$2" --duration "$3" --batch-interval "$4" \
	    ${5:+"$5"} ${6:+"$6"} ${7:+"$7"} ${8:+"$8"} >"$T/follow-$_n.json"
	cat "$T/follow-$_n.json"
	$PY - "$T/follow-$_n.json" >>"$ROWS" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["peer"]
n = r["streams"]
what = "4 follow %d streams" % n
# A round over every stream: one FilterLogEvents per batch of up to 100
# streams, each batch asked again a second after its answer, within the
# default ceiling of us-east-1's quota, 25 calls/s.
rnd = max(1.0, -(-n // 100) / 25.0)


def s(ms):
    return "never" if ms is None else "%.1f s" % (ms / 1000)


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def missed(x):
    m = "" if x["missing"] == 0 else ", %d of %d never" % (x["missing"], x["measured"])
    return m + ("" if x["duplicates"] == 0 else ", %d twice" % x["duplicates"])


print("%s|latency median vs tail|%s vs %s%s%s; budget round %.1f s|%s|-" % (
    what, s(r["latency_median_ms"]), s(p["latency_median_ms"]),
    missed(r), (" (tail" + missed(p) + ")") if missed(p) else "", rnd,
    ratio(r["latency_median_ms"], p["latency_median_ms"])))
print("%s|latency p99 vs tail|%s vs %s|%s|-" % (
    what, s(r["latency_p99_ms"]), s(p["latency_p99_ms"]),
    ratio(r["latency_p99_ms"], p["latency_p99_ms"])))
print("%s|CPU while writing vs tail|%.2f%% vs %.2f%% (%d events/s written)|%s|-" % (
    what, r["cpu_percent"], p["cpu_percent"], r["written"] / r["seconds"],
    ratio(r["cpu_percent"], p["cpu_percent"])))
print("%s|peak RSS vs tail|%.1f MB vs %.1f MB|%s|-" % (
    what, r["peak_rss_kb"] / 1024, p["peak_rss_kb"] / 1024,
    ratio(r["peak_rss_kb"], p["peak_rss_kb"])))
req = r["requests_per_s"]
ours = sum(req.values())
theirs = sum(p["requests_per_s"].values())
calls = ", ".join("%s %.2f" % (k, v) for k, v in sorted(req.items(), key=lambda kv: -kv[1])
                  if k in ("GetLogEvents", "FilterLogEvents"))
rate = r["written"] / r["seconds"]
print("%s|requests/s vs tail|%.2f (%s; %.4f per event) vs %.2f|%s|-" % (
    what, ours, calls, ours / rate if rate else 0, theirs, ratio(ours, theirs)))
if r["idle_cpu_percent"] is not None:
    print("%s|idle CPU vs tail|%.2f%% vs %s|%s|< 1%%: %s" % (
        what, r["idle_cpu_percent"],
        "-" if p["idle_cpu_percent"] is None else "%.2f%%" % p["idle_cpu_percent"],
        ratio(r["idle_cpu_percent"], p["idle_cpu_percent"]),
        "met" if r["idle_cpu_percent"] < 1 else "MISSED"))
PYEOF
}
follow 16 20 30 200 --idle 20
follow 128 5 60 1000 --drain 60
follow 500 2 120 2000 --warmup 10 --drain 150
follow 2000 0.2 120 5000 --warmup 20 --drain 240

echo "== 5. memory: 1 million lines in the UI's spool, baseline 16 bytes a line"
R=$("$BUILD/tools/spoolmem" 1000000 4 64)
echo "$R"
eval "$R"
# shellcheck disable=SC2154
awk -v l="$lines" -v h="$held_bytes" -v r="$rss_kib" -v b="$rss_before_kib" \
    -v ix="$index_bytes" -v g="$growth_per_line" -v m="$target_met" 'BEGIN {
	printf "5 memory|RSS growth a line (%d lines, %.0f MB held on disk)|%.1f B (RSS %.1f MB, %.1f at start; index %.1f MB) vs 16 B|%.2f|index <= 16 B a line, growth <= 16 B + 20 MB: %s\n",
	    l, h / 1048576, g, r / 1024, b / 1024, ix / 1048576, g / 16,
	    (m ? "met" : "MISSED")
}' >>"$ROWS"

echo "== 6. the whole job in the UI: 10 M lines offline (spool), lnav beside"
sh tests/bench/spool.sh

# Benchmark 7: Live Tail beside polling, each size on a moto of its own.
sh tests/bench/livetail.sh

ENDED=$(date +%s)
echo
echo "== cwdemux benchmarks: ratio = cwdemux / baseline, same run ($(( (ENDED - BEGAN + 30) / 60 )) min, $(nproc) cores)"
awk -F'|' '
	BEGIN { printf "%-20s %-34s %-62s %6s  %s\n", "benchmark", "measure", "cwdemux vs baseline", "ratio", "target" }
	{ printf "%-20s %-34s %-62s %6s  %s\n", $1, $2, $3, $4, $5 }' "$ROWS"
