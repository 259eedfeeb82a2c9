#!/bin/sh
# Against moto: read a job's streams from CloudWatch Logs once, signed with
# SigV4, and compare the complete output with what was loaded; then turn
# moto's signature and IAM checks on and check the errors users get.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

# A recent job (moto drops events older than 14 days) with MPI workers.
START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 6 --lines-per-host 400 --seed 11 \
    --mpi-workers --restart algo-2 --start-ms "$START" >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
moto_start
set -- $($PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" \
    --iam full:logs:*,sagemaker:* \
    --iam partial:logs:DescribeLogStreams,sagemaker:DescribeTrainingJob \
    --iam getonly:logs:DescribeLogStreams,logs:GetLogEvents,sagemaker:DescribeTrainingJob)
FULL_KEY=$1 FULL_SECRET=$2 PART_KEY=$3 PART_SECRET=$4 GET_KEY=$5 GET_SECRET=$6
mkdir "$T/home"

# cwdemux with nothing of this machine's AWS setup: keys and settings given.
KEY=testing SECRET=testing
cw() {
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID="$KEY" \
	    AWS_SECRET_ACCESS_KEY="$SECRET" AWS_EC2_METADATA_DISABLED=true \
	    "$CWDEMUX" --no-follow --region us-east-1 --endpoint-url "$MOTO_URL" "$@"
}

# Every event once, under its host's true group, merged by time.
cw --output json "$JOB" >"$T/out.jsonl" 2>"$T/err"
check "json equals the loaded job" $PY tests/tools/checktruth.py "$T/gen" "$T/out.jsonl"
contains "summary names the job's state and groups" "$T/err" \
    "job $JOB: Completed (Completed), 6 hosts in 3 groups; 7 streams"
SEEN=$($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print("hosts seen: " + ", ".join("%s %d of %d" % (g, len(v["hosts"]), len(v["hosts"])) for g, v in t["groups"].items()))' "$T/gen/truth.json")
contains "every group's hosts seen, against DescribeTrainingJob" "$T/err" "$SEEN"
check "no status line when stderr is not a terminal" sh -c "! grep -q \"\$(printf '\\r')\" '$T/err'"
# The same lines as reading the same job from disk.
cw "$JOB" >"$T/cw.lines" 2>/dev/null
cp "$T/cw.lines" "$T/cw.lines.want"
"$CWDEMUX" --from "$T/gen" "$JOB" >"$T/disk.lines" 2>/dev/null
same "CloudWatch and disk give the same lines" "$T/cw.lines" "$T/disk.lines"
# On a terminal (stdout to a file), a status line shows progress.
if script -qec true /dev/null >/dev/null 2>&1; then
	env -i PATH="$PATH" HOME="$T/home" TERM=xterm AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    script -qec "'$CWDEMUX' --no-follow --region us-east-1 --endpoint-url '$MOTO_URL' '$JOB' >'$T/tty.lines'" \
	    /dev/null >"$T/tty.err" 2>&1
	contains "a terminal's stderr shows progress" "$T/tty.err" "cwdemux: reading "
	same "the output is the same with progress shown" "$T/tty.lines" "$T/cw.lines.want"
fi
cw --export "$T/out" "$JOB" 2>/dev/null
check "export equals the loaded job" \
    $PY tests/tools/checktruth.py --export "$T/out" "$T/gen" "$T/out.jsonl"

# No streams: a log group that does not exist, a job with no streams.
status "missing log group: exit 0" 0 cw --log-group /no/such/group "$JOB"
contains "missing log group: said" "$T/status.err" "log group /no/such/group does not exist (yet)"
status "unknown job: exit 0" 0 cw nosuchjob
contains "unknown job: DescribeTrainingJob failure is a warning" "$T/status.err" \
    "DescribeTrainingJob"
check "unknown job: no output" test ! -s "$T/status.out"
# Any set of streams with --stream-prefix (no SageMaker job is asked for).
PREFIX=$($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(sorted(t["streams"])[0])' "$T/gen/truth.json")
status "--stream-prefix" 0 cw --stream-prefix "$PREFIX" --output json
check "--stream-prefix: only that stream" test \
    "$($PY -c 'import json,sys; print(len({json.loads(l)["stream"] for l in open(sys.argv[1])}))' "$T/status.out")" -eq 1

# The calls cwdemux makes only sometimes, through its own AWS layer.
awscall() {
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID="$KEY" \
	    AWS_SECRET_ACCESS_KEY="$SECRET" AWS_EC2_METADATA_DISABLED=true \
	    AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$MOTO_URL" \
	    "$TOP/$BUILD/tools/awscall" "$@"
}
set -- $($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(*sorted(t["streams"])[:2])' "$T/gen/truth.json")
awscall filter /aws/sagemaker/TrainingJobs - "$1" "$2" >"$T/filter.out" 2>"$T/filter.err"
WANT=$($PY -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["stream"] in sys.argv[2:]))' \
    "$T/gen/truth.events.jsonl" "$1" "$2")
check "FilterLogEvents of two named streams, all pages" test \
    "$(wc -l <"$T/filter.out")" -eq "$WANT"
check "FilterLogEvents: eventIds are unique" test \
    "$(awk '{print $2}' "$T/filter.out" | sort -u | wc -l)" -eq "$WANT"
awscall describe-job "$JOB" >"$T/job.out"
contains "DescribeTrainingJob: status and groups" "$T/job.out" "Completed Completed 6"
status "DescribeTrainingJob of an unknown job fails" 1 awscall describe-job no-such-job

# 60 streams: the backlog finds them all from its answers (a listing
# would take two DescribeLogStreams pages of 50).
$PY tests/tools/genjob.py "$T/wide" --hosts 60 --lines-per-host 60 --seed 5 \
    --start-ms "$START" --job wide-job >/dev/null
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/wide" --no-sagemaker >/dev/null
cw --output json wide-job >"$T/wide.jsonl" 2>"$T/wide.err"
check "60 streams over two DescribeLogStreams pages" \
    $PY tests/tools/checktruth.py "$T/wide" "$T/wide.jsonl"
contains "60 streams listed" "$T/wide.err" "60 streams"

# Settings: no region, a plain-http endpoint that is not loopback.
status "no region: exit 2" 2 env -i PATH="$PATH" HOME="$T/home" \
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y "$CWDEMUX" --no-follow "$JOB"
contains "no region: said" "$T/status.err" "region"
status "http endpoint off loopback: exit 2" 2 env -i PATH="$PATH" HOME="$T/home" \
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y "$CWDEMUX" --no-follow \
    --region us-east-1 --endpoint-url http://example.com "$JOB"
contains "http endpoint off loopback: said" "$T/status.err" "http://example.com"

# Signature and IAM checks on.
curl -s -X POST -H 'Content-Type: text/plain' --data 0 \
    "$MOTO_URL/moto-api/reset-auth" >/dev/null
KEY=$FULL_KEY SECRET=$FULL_SECRET
cw --output json "$JOB" >"$T/auth.jsonl" 2>/dev/null
check "auth on: a correct key reads everything" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/auth.jsonl"
cw --debug "$JOB" >/dev/null 2>"$T/debug.err"
contains "--debug logs requests" "$T/debug.err" "X-Amz-Target: Logs_20140328.FilterLogEvents"
contains "--debug redacts the signature" "$T/debug.err" "Authorization: <redacted>"
check "--debug never prints the secret" sh -c "! grep -qF '$FULL_SECRET' '$T/debug.err'"
SECRET=wrong-secret
status "wrong secret: exit 3" 3 cw "$JOB"
contains "wrong secret: said" "$T/status.err" "SignatureDoesNotMatch"
KEY=AKIAUNKNOWNKEY000000 SECRET=whatever
status "unknown key: exit 3" 3 cw "$JOB"
contains "unknown key: said" "$T/status.err" "InvalidClientTokenId"
KEY=$PART_KEY SECRET=$PART_SECRET
status "missing permission: exit 3" 3 cw "$JOB"
contains "missing permission: names the IAM action" "$T/status.err" \
    "cwdemux needs the IAM permission logs:GetLogEvents"
# FilterLogEvents denied, GetLogEvents allowed: stream by stream, said.
KEY=$GET_KEY SECRET=$GET_SECRET
cw --output json "$JOB" >"$T/getonly.jsonl" 2>"$T/getonly.err"
check "FilterLogEvents denied: GetLogEvents reads everything" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/getonly.jsonl"
contains "FilterLogEvents denied: said" "$T/getonly.err" \
    "logs:FilterLogEvents); reading stream by stream with GetLogEvents instead"

finish
