#!/bin/sh
# --from on logs users saved with the AWS CLI (issue #21): "aws logs tail"
# output (detailed and short), the JSON of filter-log-events (one document
# from the CLI, and pages concatenated) and of get-log-events (a file per
# stream), and cwdemux's own JSON Lines; each regrouped and compared with
# the generated job's ground truth. The files come from the real AWS CLI v2
# (Debian's awscli, /usr/bin/aws) and boto3, against moto.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

AWS=/usr/bin/aws
if [ ! -x "$AWS" ]; then
	fail "no $AWS (the AWS CLI v2: make deps installs Debian's awscli)"
	finish
	exit 0
fi
START=$(($(date +%s) * 1000 - 3600 * 1000))
$PY tests/tools/genjob.py "$T/gen" --hosts 4 --lines-per-host 300 --seed 21 \
    --mpi-workers --start-ms "$START" >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
moto_start
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null
mkdir "$T/home"
GROUP=/aws/sagemaker/TrainingJobs
aws() {
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
	    AWS_PAGER= "$AWS" --endpoint-url "$MOTO_URL" "$@"
}
truth() {
	$PY tests/tools/checktruth.py "$T/gen" "$1"
}
streams=$(ls "$T/gen/$JOB")

# aws logs tail: one file, every stream, regrouped by the stream names.
aws logs tail $GROUP --log-stream-name-prefix "$JOB/" --since 1d >"$T/tail.log"
"$CWDEMUX" --debug --from "$T/tail.log" --output json "$JOB" >"$T/tail.jsonl" 2>"$T/tail.err"
check "tail: every event once, right group, merged" truth "$T/tail.jsonl"
contains "tail: --debug names the format" "$T/tail.err" "tail.log: read as tail"
gzip -c "$T/tail.log" | "$CWDEMUX" --from - --output json "$JOB" >"$T/tailgz.jsonl"
same "tail: gzip on standard input" "$T/tailgz.jsonl" "$T/tail.jsonl"
"$CWDEMUX" --from "$T/tail.log" --output json otherjob >"$T/other.jsonl" 2>"$T/other.err"
check "tail: streams of another job are left out" test ! -s "$T/other.jsonl"
contains "tail: and said" "$T/other.err" "starts with \"otherjob/\""

# --format short names no stream: one stream, with a warning.
aws logs tail $GROUP --log-stream-name-prefix "$JOB/" --since 1d --format short >"$T/short.log"
"$CWDEMUX" --from "$T/short.log" --output json "$JOB" >"$T/short.jsonl" 2>"$T/short.err"
contains "tail --format short: warned" "$T/short.err" "names no stream: read as one stream"
check "tail --format short: every event" test "$(wc -l <"$T/short.jsonl")" -eq \
    "$(wc -l <"$T/gen/truth.events.jsonl")"

# filter-log-events: the CLI's one document; pages from boto3 concatenated
# as a loop writes them (and the same pages twice: read once, by eventId);
# get-log-events: a file per stream, named after it.
aws logs filter-log-events --log-group-name $GROUP \
    --log-stream-name-prefix "$JOB/" >"$T/filter.json"
"$CWDEMUX" --debug --from "$T/filter.json" --output json "$JOB" >"$T/filter.jsonl" 2>"$T/filter.err"
check "filter-log-events: every event once" truth "$T/filter.jsonl"
contains "filter-log-events: --debug names the format" "$T/filter.err" "filter.json: read as json"
$PY - "$MOTO_URL" "$JOB" "$T" <<'EOF'
import json, os, sys
import boto3
url, job, t = sys.argv[1:]
c = boto3.client("logs", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing")
g = "/aws/sagemaker/TrainingJobs"
with open(os.path.join(t, "pages.json"), "w") as f:
    kw = {"logGroupName": g, "logStreamNamePrefix": job + "/", "limit": 97}
    while True:
        page = c.filter_log_events(**kw)
        page.pop("ResponseMetadata", None)
        f.write(json.dumps(page, indent=4) + "\n")
        if not page.get("nextToken"):
            break
        kw["nextToken"] = page["nextToken"]
os.makedirs(os.path.join(t, "get", job))
for s in c.describe_log_streams(logGroupName=g, logStreamNamePrefix=job + "/")["logStreams"]:
    name = s["logStreamName"]
    page = c.get_log_events(logGroupName=g, logStreamName=name, startFromHead=True)
    page.pop("ResponseMetadata", None)
    with open(os.path.join(t, "get", name + ".json"), "w") as f:
        json.dump(page, f, indent=4)
EOF
"$CWDEMUX" --from "$T/pages.json" --output json "$JOB" >"$T/pages.jsonl"
check "filter-log-events pages concatenated" truth "$T/pages.jsonl"
cat "$T/pages.json" "$T/pages.json" >"$T/twice.json"
"$CWDEMUX" --from "$T/twice.json" --output json "$JOB" >"$T/twice.jsonl" 2>"$T/twice.err"
check "the same events twice: once, by eventId" truth "$T/twice.jsonl"
contains "the same events twice: said" "$T/twice.err" "read twice (the same eventId) were output once"
"$CWDEMUX" --from "$T/get" --output json "$JOB" >"$T/get.jsonl"
check "get-log-events, a file per stream" truth "$T/get.jsonl"

# cwdemux's JSON Lines back in: the same events, groups and hosts.
"$CWDEMUX" --from "$T/tail.jsonl" --output json "$JOB" >"$T/round.jsonl"
same "round trip through --output json" "$T/round.jsonl" "$T/tail.jsonl"

# Mixed formats in one run: one stream from tail, one from get-log-events,
# the others from the export tree.
set -- $streams
aws logs tail $GROUP --log-stream-names "$JOB/$1" --since 1d >"$T/one.log"
mkdir -p "$T/mixed/$JOB"
cp "$T/get/$JOB/$2.json" "$T/mixed/$JOB/"
shift 2
for s in "$@"; do
	cp -r "$T/gen/$JOB/$s" "$T/mixed/$JOB/"
done
"$CWDEMUX" --from "$T/one.log" --from "$T/mixed" --output json "$JOB" >"$T/mixed.jsonl"
check "mixed formats in one run" truth "$T/mixed.jsonl"

# A truncated JSON document: named, exit 1, the other files read whole.
set -- $streams
cut=$T/get/$JOB/$1.json
size=$(wc -c <"$cut")
head -c $((size / 2)) "$cut" >"$T/cut.json" && mv "$T/cut.json" "$cut"
status "truncated JSON: exit 1" 1 "$CWDEMUX" --from "$T/get" --output json "$JOB"
contains "truncated JSON: named" "$T/status.err" "$cut: the JSON text is cut short"
check "truncated JSON: the other files read whole" $PY - "$T/gen" "$T/status.out" "$JOB/$1" <<'EOF'
import collections, json, sys
gen, out, cut = sys.argv[1:]
want = collections.Counter(json.loads(l)["stream"] for l in open(gen + "/truth.events.jsonl"))
got = collections.Counter(json.loads(l)["stream"] for l in open(out))
bad = [s for s in want if s != cut and want[s] != got[s]]
sys.exit("streams not whole: %s" % bad if bad or not 0 < got[cut] < want[cut] else 0)
EOF

# --from-format forces a format; a line that does not fit is an error.
status "--from-format tail on an export" 1 "$CWDEMUX" --from-format tail --from "$T/gen" "$JOB"
contains "--from-format: the line named" "$T/status.err" "line 1: not tail input"
"$CWDEMUX" --from-format tail --from "$T/tail.log" --output json "$JOB" >"$T/forced.jsonl"
same "--from-format tail on tail output" "$T/forced.jsonl" "$T/tail.jsonl"
status "--from-format unknown" 2 "$CWDEMUX" --from-format xml --from "$T/tail.log"

finish
