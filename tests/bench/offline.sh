#!/bin/sh
# Benchmark 1 (issue #17): cwdemux --from against what a user would run
# instead, on the same files in the same run: cat, a mawk one-liner that
# only prefixes every line with a group and host (file after file), and
# zcat for the gzipped export. Times are the best of five runs, output to
# /dev/null, page cache warm. Then the memory of 10,000 gzipped streams.
# Writes rows to $ROWS (see run.sh); alone:
#   ROWS=/tmp/rows CWDEMUX=$PWD/build/cwdemux sh tests/bench/offline.sh
set -e
: "${CWDEMUX:?set CWDEMUX}" "${ROWS:?set ROWS}"
PY=${PYTHON:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-bench-offline.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# best ID CMD...: the fastest of five runs, in seconds; and in the file
# $T/cpu.ID the least CPU time (user + sys, from /usr/bin/time, to 10 ms)
# of the five, which other engineers' load on the shared machine changes
# far less than the elapsed time. $PREP, when set, is run before each
# run, untimed.
best() {
	_id=$1
	shift
	_best=""
	_cpu=""
	for _i in 1 2 3 4 5; do
		[ -z "$PREP" ] || eval "$PREP"
		_s=$(date +%s.%N)
		/usr/bin/time -f '%U %S' -o "$T/time" "$@" >/dev/null 2>&1
		_e=$(date +%s.%N)
		_t=$(awk -v s="$_s" -v e="$_e" 'BEGIN { printf "%.4f", e - s }')
		if [ -z "$_best" ] || awk -v t="$_t" -v b="$_best" 'BEGIN { exit !(t < b) }'; then
			_best=$_t
		fi
		_c=$(awk 'END { printf "%.2f", $1 + $2 }' "$T/time")
		if [ -z "$_cpu" ] || awk -v t="$_c" -v b="$_cpu" 'BEGIN { exit !(t < b) }'; then
			_cpu=$_c
		fi
	done
	echo "$_cpu" >"$T/cpu.$_id"
	echo "$_best"
}

load() {
	cut -d' ' -f1 /proc/loadavg
}

echo "== 1. offline: --from over a generated job (64 hosts, 1.05 M events), baselines cat, mawk, zcat"
LOAD0=$(load)
# The issue's dataset: 64 hosts, 16,400 events each, plain per-stream
# files, and the same job as an S3 export (parts of 4,000 events, gzip).
$PY tests/tools/genjob.py "$T/plain" --hosts 64 --lines-per-host 16400 \
    --layout plain --seed 3 >/dev/null
$PY tests/tools/genjob.py "$T/exp" --hosts 64 --lines-per-host 16400 \
    --part-events 4000 --seed 3 >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/plain/truth.json")
EVENTS=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/plain/truth.json")
MB=$(du -sm "$T/plain/$JOB" | cut -f1)
GZMB=$(du -sm "$T/exp/$JOB" | cut -f1)
# Warm the page cache.
cat "$T/plain/$JOB"/* "$T/exp/$JOB"/*/* >/dev/null

CAT=$(best 1 sh -c "cat '$T/plain/$JOB'/*")
MAWK=$(best 2 sh -c "mawk '{ print \"g\", FILENAME, \$0 }' '$T/plain/$JOB'/*")
ZCAT=$(best 3 sh -c "zcat '$T/exp/$JOB'/*/*.gz")
LINES=$(best 4 "$CWDEMUX" --from "$T/plain" "$JOB")
LINES1=$(best 5 "$CWDEMUX" --from "$T/plain" --jobs 1 "$JOB")
JSON=$(best 6 "$CWDEMUX" --from "$T/plain" --output json "$JOB")
# Each export into an empty directory: into the last run's, the run
# would resume a complete export and write nothing.
EXPORT=$(PREP='rm -rf "$T/out"' best 7 "$CWDEMUX" --from "$T/plain" --output none --export "$T/out" "$JOB")
GZ=$(best 8 "$CWDEMUX" --from "$T/exp" "$JOB")
GZ1=$(best 9 "$CWDEMUX" --from "$T/exp" --jobs 1 "$JOB")
LOAD1=$(load)
printf '%-34s %8s %12s %8s\n' command seconds "M events/s" "CPU s"
_n=0
for r in "cat files:$CAT" "mawk prefixer:$MAWK" "zcat export:$ZCAT" \
    "cwdemux lines:$LINES" "cwdemux lines --jobs 1:$LINES1" \
    "cwdemux json:$JSON" "cwdemux --export:$EXPORT" \
    "cwdemux lines, gzip export:$GZ" "cwdemux gzip export --jobs 1:$GZ1"; do
	_n=$((_n + 1))
	awk -v n="$EVENTS" -v w="${r%%:*}" -v s="${r##*:}" -v c="$(cat "$T/cpu.$_n")" \
	    'BEGIN { printf "%-34s %8.3f %12.2f %8.2f\n", w, s, n / s / 1e6, c }'
done
echo "($EVENTS events, $MB MB plain, $GZMB MB gzipped; load average $LOAD0 before, $LOAD1 after)"

# time-vs-baseline rows; eps: the events/s target (0: none).
vs() {
	awk -v what="$1" -v s="$2" -v bs="$3" -v bname="$4" -v eps="$5" \
	    -v n="$EVENTS" -v mb="$MB" 'BEGIN {
		r = s / bs
		t = (r <= 1.0 ? "<= 1.0: met" : "<= 1.0: MISSED")
		if (eps > 0)
			t = t sprintf("; %d M/s: %s", eps, (n / s >= eps * 1e6 ? "met" : "MISSED"))
		printf "1 offline|%s, time vs %s|%.3f s (%.2f M events/s) vs %.3f s (%d MB)|%.2f|%s\n",
		    what, bname, s, n / s / 1e6, bs, mb, r, t
	}' >>"$ROWS"
}
# events/s rows against a target, with cat for scale.
eps() {
	awk -v what="$1" -v s="$2" -v c="$CAT" -v eps="$3" -v n="$EVENTS" 'BEGIN {
		printf "1 offline|%s, events/s (vs cat)|%.3f s (%.2f M events/s) vs %.3f s|%.1f|%d M/s: %s\n",
		    what, s, n / s / 1e6, c, s / c, eps, (n / s >= eps * 1e6 ? "met" : "MISSED")
	}' >>"$ROWS"
}
vs "lines" "$LINES" "$MAWK" mawk 5
vs "lines --jobs 1" "$LINES1" "$MAWK" mawk 0
eps "json" "$JSON" 3
eps "export" "$EXPORT" 3
vs "gzip export" "$GZ" "$ZCAT" zcat 0
vs "gzip export --jobs 1" "$GZ1" "$ZCAT" zcat 0
# CPU time (user + sys) against mawk's: no target, but what the load of
# a shared machine changes least.
cpu() {
	awk -v what="$1" -v c="$(cat "$T/cpu.$2")" -v m="$(cat "$T/cpu.2")" \
	    'BEGIN {
		printf "1 offline|%s, CPU time vs mawk|%.2f s vs %.2f s|%.2f|-\n",
		    what, c, m, c / m
	}' >>"$ROWS"
}
cpu "lines" 4
cpu "lines --jobs 1" 5
cpu "json" 6
cpu "export" 7

echo "== 1. offline: 10,000 gzipped streams of 100 events, peak RSS"
$PY - "$T/many" <<'EOF'
import gzip, os, random, sys, time
r = random.Random(5)
t0 = 1717243528000
for i in range(10000):
    d = os.path.join(sys.argv[1], "j", "algo-%d-1717243528" % (i + 1))
    os.makedirs(d)
    k = 0
    for part in range(2):
        lines = []
        if part == 0:
            lines.append("2024-06-01T12:05:28.000Z SM_CURRENT_INSTANCE_GROUP=g%d" % (i % 7))
        for e in range(50):
            ms = t0 + k * 37 + r.randint(0, 30)
            k += 1
            s, m = divmod(ms, 1000)
            lines.append("%s.%03dZ step %d loss=%.5f throughput=%d img/s" % (
                time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)), m, k,
                r.random(), r.randint(1000, 9000)))
        with gzip.open(os.path.join(d, "%06d.gz" % part), "wt", compresslevel=1) as f:
            f.write("\n".join(lines) + "\n")
EOF
/usr/bin/time -f '%M' -o "$T/rss" "$CWDEMUX" --from "$T/many" j >/dev/null 2>&1
RSS=$(cat "$T/rss")
/usr/bin/time -f '%M' -o "$T/rss.zcat" sh -c "zcat '$T/many/j'/*/*.gz >/dev/null"
echo "peak RSS $RSS KiB (zcat $(cat "$T/rss.zcat") KiB)"
awk -v r="$RSS" -v z="$(cat "$T/rss.zcat")" 'BEGIN {
	printf "1 offline|RSS at 10,000 streams vs 100 MB|%.1f MB (1 M events; zcat of the same files %.1f MB) vs 100 MB|%.2f|<= 100 MB: %s\n",
	    r / 1024, z / 1024, r / 1024 / 100, (r <= 102400 ? "met" : "MISSED")
}' >>"$ROWS"
