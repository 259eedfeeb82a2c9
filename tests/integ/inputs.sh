#!/bin/sh
# --from on the inputs users have (issue #15): damaged and unreadable
# files, thousands of streams under a low descriptor limit, the same input
# twice, jobs side by side, a FIFO that no one writes, a single part file,
# standard input, CR LF line ends (offline and from CloudWatch).
. tests/integ/lib/setup.sh
GOLD=$TOP/tests/data/golden
JOB=hetero-pt-2024-06-01-12-00-00-123

$PY tests/tools/samples2tree.py "$T/exp" >/dev/null
rm "$T/exp/truth.json" "$T/exp/truth.events.jsonl"
# Events per host in the samples: algo-1 153, algo-2 150, algo-3 153.
hosts() {
	awk '{ n[$2]++ } END { for (h in n) print h, n[h] }' "$1" | sort |
	    tr '\n' ' '
}

# A truncated gzip part: named, exit 1, manifest incomplete, the other
# streams whole and the part's own events up to the cut.
cp -r "$T/exp" "$T/cut"
part=$(ls "$T/cut/$JOB"/algo-2-*/000000.gz)
size=$(wc -c <"$part")
head -c $((size / 2)) "$part" >"$T/half" && mv "$T/half" "$part"
status "truncated gzip: exit 1" 1 "$CWDEMUX" --from "$T/cut" "$JOB"
cp "$T/status.out" "$T/cut.lines"
contains "truncated gzip: named" "$T/status.err" "$part: unexpected end of file"
check "truncated gzip: other streams whole" test "$(hosts "$T/cut.lines" |
    sed 's/algo-2 [0-9]*/algo-2 N/')" = "algo-1 153 algo-2 N algo-3 153 "
check "truncated gzip: what came before the cut" test \
    "$(grep -c ' algo-2 ' "$T/cut.lines")" -gt 0
status "truncated gzip, export: exit 1" 1 "$CWDEMUX" --from "$T/cut" \
    --export "$T/cut.out" "$JOB"
contains "truncated gzip: manifest incomplete" "$T/cut.out/manifest.json" \
    '"complete": false'

# A corrupt part and a file that is no gzip at all beside good ones: every
# readable stream is output, each bad file named once.
cp -r "$T/exp" "$T/bad"
bad1=$(ls "$T/bad/$JOB"/algo-1-*/000000.gz)
printf '\037\213\010\000garbage that does not inflate' >"$bad1"
bad3=$(ls "$T/bad/$JOB"/algo-3-*/000000.gz)
printf '\037\213' >"$bad3"
status "corrupt files: exit 1" 1 "$CWDEMUX" --from "$T/bad" "$JOB"
check "corrupt files: the readable stream" test \
    "$(hosts "$T/status.out")" = "algo-2 150 "
check "corrupt files: each named once" test \
    "$(grep -c "$bad1" "$T/status.err") $(grep -c "$bad3" "$T/status.err")" = "1 1"
contains "corrupt files: counted" "$T/status.err" "2 files could not be read"
check "corrupt files: no path twice in a message" sh -c \
    "! grep -q '$bad1.*$bad1' '$T/status.err'"

# An unreadable file (open() refused) and one whose read() fails, made so
# by the LD_PRELOAD shim (chmod 000 does not stop root): every other
# stream is output, each bad file named once with its error, exit 1.
SHIM=$TOP/${BUILD:-build}/tools/failshim.so
no1=$(ls -d "$T/exp/$JOB"/algo-1-*)/000000.gz
no3=$(ls -d "$T/exp/$JOB"/algo-3-*)/000000.gz
status "unreadable file: exit 1" 1 env LD_PRELOAD="$SHIM" FAILSHIM_OPS=open \
    FAILSHIM_PATH="$no1" FAILSHIM_ERRNO=EACCES "$CWDEMUX" --from "$T/exp" "$JOB"
check "unreadable file: every other stream" test \
    "$(hosts "$T/status.out")" = "algo-2 150 algo-3 153 "
check "unreadable file: named once, with why" test \
    "$(grep -c "$no1: Permission denied" "$T/status.err")" -eq 1
contains "unreadable file: counted" "$T/status.err" "1 file could not be read"
status "read error: exit 1" 1 env LD_PRELOAD="$SHIM" FAILSHIM_OPS=read \
    FAILSHIM_PATH="$no3" FAILSHIM_ERRNO=EIO "$CWDEMUX" --from "$T/exp" "$JOB"
check "read error: every other stream" test \
    "$(hosts "$T/status.out")" = "algo-1 153 algo-2 150 "
check "read error: named once, with why" test \
    "$(grep -c "$no3: Input/output error" "$T/status.err")" -eq 1

# 3,000 streams of two parts each under "ulimit -n 256".
$PY - "$T/many/j" <<'EOF'
import gzip, os, sys
for i in range(3000):
    d = "%s/algo-%d-1700000000" % (sys.argv[1], i + 1)
    os.makedirs(d)
    for part in range(2):
        with gzip.open("%s/%06d.gz" % (d, part), "wt") as f:
            f.write("2024-06-01T00:00:0%d.%03dZ host %d part %d\n" %
                    (part, i % 1000, i, part))
EOF
status "3000 streams at ulimit -n 256" 0 sh -c \
    'ulimit -n 256 && "$1" --from "$2" j' sh "$CWDEMUX" "$T/many"
check "3000 streams: every event" test "$(wc -l <"$T/status.out")" -eq 6000

# The same input twice, by another path: every event once.
ln -s "$T/exp" "$T/link"
"$CWDEMUX" --from "$T/exp" --from "$T/link/" --from "$T/exp/$JOB" \
    "$JOB" >"$T/twice.lines" 2>/dev/null
same "same input twice" "$T/twice.lines" "$GOLD/samples.lines"

# A single part file is read as its stream (named after the directories
# above it), with or without the job; "-" is standard input.
part=$(ls "$T/exp/$JOB"/algo-2-*/000000.gz)
"$CWDEMUX" --from "$part" "$JOB" >"$T/part.lines" 2>/dev/null
grep ' algo-2 ' "$GOLD/samples.lines" >"$T/algo2.lines"
same "a part file named by --from" "$T/part.lines" "$T/algo2.lines"
"$CWDEMUX" --from "$part" >"$T/part2.lines" 2>/dev/null
same "a part file without JOB" "$T/part2.lines" "$T/algo2.lines"
gzip -dc "$part" | "$CWDEMUX" --from - >"$T/stdin.lines" 2>/dev/null
check "--from - reads standard input" test \
    "$(awk '{ print $1, $2 }' "$T/stdin.lines" | sort -u)" = "train_group stdin"
check "--from -: every event" test "$(wc -l <"$T/stdin.lines")" -eq 150

# Two jobs side by side, --from without a job: a host is per job, so job
# jb's algo-1 (no marker) is not placed by job ja's algo-1's marker.
mkdir -p "$T/two/ja/algo-1-1700000000" "$T/two/jb/algo-1-1700000001"
printf '2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=eval_group\n2024-06-01T00:00:02.000Z a says hi\n' \
    >"$T/two/ja/algo-1-1700000000/000000"
printf '2024-06-01T00:00:01.000Z b says hi\n2024-06-01T00:00:03.000Z b again\n' \
    >"$T/two/jb/algo-1-1700000001/000000"
"$CWDEMUX" --from "$T/two" --output json 2>/dev/null |
    $PY -c 'import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["stream"].split("/")[0], e["group"])' | sort | uniq -c |
    awk '{ print $2, $3, $1 }' >"$T/two.got"
printf 'ja eval_group 2\njb unassigned 2\n' >"$T/two.want"
same "two jobs side by side: a host is per job" "$T/two.got" "$T/two.want"

# A FIFO no one writes: SIGTERM ends the run with 130 (it hung in open()).
mkfifo "$T/fifo"
"$CWDEMUX" --from "$T/fifo" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 400 ] && [ "$(cat /proc/$pid/wchan 2>/dev/null)" != wait_for_partner ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
if kill -0 $pid 2>/dev/null; then
	fail "FIFO: still blocked 20 s after SIGTERM"
	kill -KILL $pid
fi
wait $pid
check "FIFO: SIGTERM ends with 130" test $? -eq 130

# CR LF line ends: the marker's group and the lines lose the CR.
mkdir -p "$T/crlf/j/algo-1-1700000000"
printf '2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=eval_group\r\n2024-06-01T00:00:01.000Z loss 1\r\n' \
    >"$T/crlf/j/algo-1-1700000000/000000"
"$CWDEMUX" --from "$T/crlf" j >"$T/crlf.lines"
printf 'eval_group algo-1 SM_CURRENT_INSTANCE_GROUP=eval_group\neval_group algo-1 loss 1\n' \
    >"$T/crlf.want"
same "CR LF line ends" "$T/crlf.lines" "$T/crlf.want"

# The same from CloudWatch, where an event keeps its line end: CR LF, a
# lone CR at the end, CR LF between lines. Each prints as lines of its
# own, no CR and no empty line; JSON and --raw keep the message whole.
. tests/integ/lib/moto.sh
moto_start
$PY - "$MOTO_URL" <<'PYEOF'
import sys, time
import boto3
logs = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1",
                    aws_access_key_id="testing", aws_secret_access_key="testing")
group, stream = "/aws/sagemaker/TrainingJobs", "crlf-job/algo-1-1700000000"
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName=stream)
now = int(time.time() * 1000) - 10000
msgs = ["SM_CURRENT_INSTANCE_GROUP=eval_group\r\n", "loss 1\r\n", "loss 2\r",
        "two\r\nlines\r\n", "plain"]
logs.put_log_events(logGroupName=group, logStreamName=stream,
                    logEvents=[{"timestamp": now + i, "message": m}
                               for i, m in enumerate(msgs)])
PYEOF
live() {
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
	    "$CWDEMUX" --endpoint-url "$MOTO_URL" --no-follow "$@" crlf-job \
	    2>"$T/live.err"
}
live >"$T/live.lines"
printf 'eval_group algo-1 %s\n' SM_CURRENT_INSTANCE_GROUP=eval_group \
    'loss 1' 'loss 2' two lines plain >"$T/live.want"
same "CR LF line ends, live" "$T/live.lines" "$T/live.want"
live --raw >"$T/live.raw"
check "CR LF line ends, live --raw: kept" test \
    "$(tr -cd '\r' <"$T/live.raw" | wc -c)" -eq 5
live --output json >"$T/live.jsonl"
contains "CR LF line ends, live JSON: kept" "$T/live.jsonl" '"two\r\nlines\r\n"'

finish
