#!/bin/sh
# Benchmark 3, end to end against moto: drain a 16-host x 5,000-event job
# with --no-follow, and the same job with the tools users would pick
# instead, in the same run: AWS CLI v2 `aws logs tail` (Debian's awscli
# package, /usr/bin/aws) and a per-stream `get-log-events` loop with the
# preinstalled v1 CLI (python3 -m awscli). Every tool talks to moto through
# tests/tools/faultproxy.py (no faults; AWS's 1 MB page cap and stream
# prefixes), which counts the requests. Each tool's output is checked
# against the truth: every event, once, unchanged.
#
#   ROWS=FILE CWDEMUX=BINARY sh tests/bench/e2e.sh
#
# Prints what it measures; appends table rows
# "BENCH|WHAT|FIGURES|RATIO|TARGET" to ROWS. Needs moto and awscli (installed with apt-get when missing).
set -u
: "${CWDEMUX:?set CWDEMUX to the binary}"
: "${ROWS:?set ROWS to the table file}"
PY=${PYTHON:-python3}
# Absolute, so that clients run with a private HOME still find it.
PYBIN=$($PY -c 'import sys; print(sys.executable)')
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-bench-e2e.XXXXXX")
. tests/integ/lib/cleanup.sh
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
GROUP=/aws/sagemaker/TrainingJobs

if [ ! -x /usr/bin/aws ]; then
	echo "installing Debian's awscli (AWS CLI v2) for the comparison"
	DEBIAN_FRONTEND=noninteractive apt-get install -y awscli >"$T/apt.log" 2>&1 ||
	    { cat "$T/apt.log"; echo "e2e: cannot install awscli" >&2; exit 1; }
fi

# A recent job (moto drops events older than 14 days).
START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 16 --lines-per-host 5000 \
    --seed 21 --start-ms "$START" --layout plain --events-file >/dev/null
set -- $($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["job"], t["events"], len(t["streams"]))' "$T/gen/truth.json")
JOB=$1 EVENTS=$2 NSTREAMS=$3
# aws logs tail reads from --since: from before the first event.
SINCE=$($PY -c 'import json,sys,time
e = [json.loads(l)["timestamp"] for l in open(sys.argv[1])]
print("%dm" % ((time.time() * 1000 - min(e)) // 60000 + 10))' "$T/gen/truth.events.jsonl")
moto_start || exit 1
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null || exit 1
proxy_start --prefix-fix --page-cap 1048576
mkdir "$T/home"

# The v1 loop: list the job's streams, then read each from its head,
# following the forward token until the service hands the same one back.
cat >"$T/gle.sh" <<'SHEOF'
aws1() { "$PYBIN" -m awscli --endpoint-url "$URL" --output json "$@"; }
aws1 logs describe-log-streams --log-group-name "$GROUP" \
    --log-stream-name-prefix "$JOB/" --query 'logStreams[].logStreamName' \
    --output text | tr '\t' '\n' >"$T/gle.streams" || exit 1
while read -r s; do
	printf '{"stream": "%s"}\n' "$s"
	tok=""
	while :; do
		aws1 logs get-log-events --log-group-name "$GROUP" \
		    --log-stream-name "$s" --start-from-head \
		    ${tok:+--next-token "$tok"} >"$T/gle.page" || exit 1
		cat "$T/gle.page"
		new=$(sed -n 's/.*"nextForwardToken": "\([^"]*\)".*/\1/p' "$T/gle.page")
		[ -z "$new" ] || [ "$new" = "$tok" ] && break
		tok=$new
	done
done <"$T/gle.streams"
SHEOF

# run NAME FORMAT CMD...: measure one tool with a clean environment;
# sets NAME_wall, NAME_cpu, NAME_rss (KiB), NAME_req, NAME_ok.
run() {
	_n=$1 _f=$2
	shift 2
	curl -s -X POST "$PROXY_URL/proxy-control/reset-stats" >/dev/null
	set -- $($PY tests/bench/measure.py "$T/$_n.out" env -i PATH="$PATH" \
	    HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
	    AWS_EC2_METADATA_DISABLED=true AWS_PAGER= URL="$PROXY_URL" \
	    GROUP="$GROUP" JOB="$JOB" T="$T" PYBIN="$PYBIN" "$@" \
	    2>"$T/$_n.err")
	_req=$(proxy_stat requests)
	if [ "$4" -ne 0 ]; then
		echo "e2e: $_n exited $4:" >&2
		head -5 "$T/$_n.err" >&2
	fi
	if _c=$($PY tests/bench/checkout.py "$_f" "$T/gen" "$T/$_n.out"); then
		_ok=yes
	else
		_ok=NO
		echo "$_c" | tail -5 >&2
	fi
	eval "${_n}_wall=$1 ${_n}_cpu=$2 ${_n}_rss=$3 ${_n}_req=$_req ${_n}_ok=$_ok"
	printf '%-12s %8.2f %8.2f %8d %8d  %s\n' "$_n" "$1" "$2" \
	    $(($3 / 1024)) "$_req" "$_ok"
}

echo "== 3. end to end against moto: $NSTREAMS streams, $EVENTS events, --no-follow"
printf '%-12s %8s %8s %8s %8s  %s\n' tool wall-s cpu-s rss-MB requests "all events"
run cwdemux lines "$CWDEMUX" --no-follow --raw --raw-progress --region us-east-1 \
    --endpoint-url "$PROXY_URL" "$JOB"
# The same with the FilterLogEvents ceiling lifted: what moto allows.
run fast lines "$CWDEMUX" --no-follow --raw --raw-progress --region us-east-1 \
    --endpoint-url "$PROXY_URL" --filter-rate 100 "$JOB"
run tail tail /usr/bin/aws --endpoint-url "$PROXY_URL" logs tail "$GROUP" \
    --log-stream-name-prefix "$JOB/" --since "$SINCE" --format detailed \
    --color off
run gle gle sh "$T/gle.sh"

# Rows: cwdemux's figures over each peer's (below 1: cwdemux is cheaper).
for peer in tail gle; do
	eval "pw=\$${peer}_wall pc=\$${peer}_cpu pr=\$${peer}_rss pq=\$${peer}_req pok=\$${peer}_ok"
	case $peer in
	tail) label="aws logs tail"; target="<= 0.1" ;;
	gle) label="get-log-events loop"; target="-" ;;
	esac
	awk -v l="$label" -v t="$target" -v cw="$cwdemux_wall" \
	    -v cc="$cwdemux_cpu" -v cr="$cwdemux_rss" -v cq="$cwdemux_req" \
	    -v pw="$pw" -v pc="$pc" -v pr="$pr" -v pq="$pq" \
	    -v ok="$cwdemux_ok/$pok" -v fw="$fast_wall" -v fq="$fast_req" 'BEGIN {
		r = cc / pc
		if (t != "-")
			t = t ": " (r <= 0.1 ? "met" : "MISSED")
		printf "3 e2e|CPU vs %s|%.2f s vs %.2f s|%.3f|%s\n", l, cc, pc, r, t
		printf "3 e2e|wall vs %s|%.2f s vs %.2f s (--filter-rate 100: %.2f s)|%.2f|-\n", l, cw, pw, fw, cw / pw
		printf "3 e2e|peak RSS vs %s|%.1f MB vs %.1f MB|%.2f|-\n", l, cr / 1024, pr / 1024, cr / pr
		printf "3 e2e|requests vs %s|%d vs %d (every event: %s)|%.2f|-\n", l, cq, pq, ok, cq / pq
	}' >>"$ROWS"
done
