#!/bin/sh
# The AWS configuration as the AWS CLI resolves it, and cwdemux --check
# (#15). First a differential test: every configuration in
# tests/tools/awsconf.py (environment variables, profiles and
# source_profile chains, credential_process, web identity, container
# credentials, Region precedence, every endpoint variable, missing, empty
# and malformed files, odd INI syntax) is resolved by cwdemux --check and
# by botocore.session.Session(); the Region, the logs endpoint, the access
# key id and the credentials' source must be equal, or both refuse. Then
# --check against moto with its IAM checks on: each permission is tried by
# a real call, and a missing one is named with the action to grant.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

META_PID=""
meta_stop() {
	stop_pids $META_PID
	META_PID=""
}
at_exit meta_stop

moto_start || exit 1
mkfifo "$T/meta.fifo"
$PY tests/tools/fakemeta.py --auth container-auth-token --log "$T/meta.log" \
    >"$T/meta.fifo" &
META_PID=$!
read -r META_PORT <"$T/meta.fifo"

# The differential test: one check per configuration.
mkdir "$T/cases"
$PY tests/tools/awsconf.py run "$CWDEMUX" "$MOTO_URL" \
    "http://127.0.0.1:$META_PORT" "$T/cases" >"$T/diff.out" 2>&1
n=0
while IFS= read -r line; do
	case $line in
	"PASS "*) ok; n=$((n + 1)) ;;
	"FAIL "*) fail "botocore: ${line#FAIL }"; n=$((n + 1)) ;;
	*) echo "$line" ;;
	esac
done <"$T/diff.out"
check "the differential test ran its 40 configurations and more" test "$n" -ge 40

# --check against moto, IAM enforced: a job's streams, a user allowed
# everything and users each refused (AccessDenied) some calls. A run does
# without DescribeTrainingJob, and without one of FilterLogEvents and
# GetLogEvents unless an option needs it: those are warnings, exit 0.
START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
$PY tests/tools/genjob.py "$T/gen" --hosts 2 --lines-per-host 20 --seed 3 \
    --start-ms "$START" >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
set -- $($PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" \
    --iam full:logs:*,sagemaker:*,sts:* \
    --iam partial:logs:DescribeLogStreams,logs:GetLogEvents,sagemaker:DescribeTrainingJob,sts:* \
    --iam nojob:logs:*,sts:* \
    --iam noget:logs:DescribeLogStreams,logs:FilterLogEvents,sagemaker:*,sts:* \
    --iam noread:logs:DescribeLogStreams,sagemaker:*,sts:*)
FULL_KEY=$1 FULL_SECRET=$2 PART_KEY=$3 PART_SECRET=$4 NOJOB_KEY=$5 NOJOB_SECRET=$6
NOGET_KEY=$7 NOGET_SECRET=$8 NOREAD_KEY=$9 NOREAD_SECRET=${10}
curl -s -X POST -H 'Content-Type: text/plain' --data 0 \
    "$MOTO_URL/moto-api/reset-auth" >/dev/null
mkdir "$T/home"
# chk KEY SECRET [OPTION...]: cwdemux --check [OPTION...] JOB, against
# $ENDPOINT (moto, or the proxy in front of it).
ENDPOINT=$MOTO_URL
chk() {
	_key=$1 _secret=$2
	shift 2
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID="$_key" \
	    AWS_SECRET_ACCESS_KEY="$_secret" AWS_EC2_METADATA_DISABLED=true \
	    AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$ENDPOINT" \
	    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	    "$CWDEMUX" --check "$@" "$JOB"
}
status "--check, every permission: exit 0" 0 chk "$FULL_KEY" "$FULL_SECRET"
cp "$T/status.out" "$T/full.out"
contains "--check: the Region" "$T/full.out" "region: us-east-1"
contains "--check: the endpoint" "$T/full.out" "endpoint logs: $MOTO_URL"
contains "--check: the credentials' source" "$T/full.out" "credentials: environment (env)"
contains "--check: the access key id" "$T/full.out" "access key id: $FULL_KEY"
check "--check never prints the secret" sh -c "! grep -qF '$FULL_SECRET' '$T/full.out'"
contains "--check: GetCallerIdentity" "$T/full.out" "check sts:GetCallerIdentity: ok"
contains "--check: DescribeLogStreams found the streams" "$T/full.out" \
    "check logs:DescribeLogStreams: ok (streams, the first $JOB/"
contains "--check: FilterLogEvents" "$T/full.out" "check logs:FilterLogEvents: ok"
contains "--check: GetLogEvents" "$T/full.out" "check logs:GetLogEvents: ok"
contains "--check: DescribeTrainingJob" "$T/full.out" "check sagemaker:DescribeTrainingJob: ok"
contains "--check: all passed" "$T/full.out" "all checks passed"
status "--check, FilterLogEvents refused: exit 0" 0 chk "$PART_KEY" "$PART_SECRET"
contains "--check, FilterLogEvents refused: optional, what it costs" "$T/status.out" \
    "check logs:FilterLogEvents: missing, optional: a run reads stream by stream with GetLogEvents instead"
contains "--check, FilterLogEvents refused: the action to grant" "$T/status.out" \
    "grant logs:FilterLogEvents to have it"
contains "--check: the others allowed" "$T/status.out" "check logs:GetLogEvents: ok"
contains "--check, FilterLogEvents refused: summed up" "$T/status.out" \
    "every required check passed; 1 optional permission missing"
status "--check --filter-pattern, FilterLogEvents refused: exit 3" 3 \
    chk "$PART_KEY" "$PART_SECRET" --filter-pattern ERROR
contains "--check --filter-pattern: FilterLogEvents required" "$T/status.out" \
    "check logs:FilterLogEvents: MISSING: grant logs:FilterLogEvents"
status "--check --live-tail, DescribeLogGroups refused: exit 0" 0 \
    chk "$PART_KEY" "$PART_SECRET" --live-tail
contains "--check --live-tail: DescribeLogGroups optional" "$T/status.out" \
    "check logs:DescribeLogGroups: missing, optional: --live-tail finds no log group ARN"
contains "--check --live-tail: no ARN, no session asked for" "$T/status.out" \
    "check logs:StartLiveTail: skipped (no log group ARN to ask for)"
# StartLiveTail through the proxy's emulator (moto has none): a session
# opens and is closed at its first message; refused, it is optional.
. tests/integ/lib/proxy.sh
proxy_start
ENDPOINT=$PROXY_URL
status "--check --live-tail: exit 0" 0 chk "$FULL_KEY" "$FULL_SECRET" --live-tail
contains "--check --live-tail: the session opened" "$T/status.out" \
    "check logs:StartLiveTail: ok (a session opened, then closed)"
proxy_start --deny StartLiveTail
ENDPOINT=$PROXY_URL
status "--check --live-tail, StartLiveTail refused: exit 0" 0 \
    chk "$FULL_KEY" "$FULL_SECRET" --live-tail
contains "--check --live-tail, StartLiveTail refused: optional" "$T/status.out" \
    "check logs:StartLiveTail: missing, optional: --live-tail is refused"
ENDPOINT=$MOTO_URL
status "--check, DescribeTrainingJob refused: exit 0" 0 chk "$NOJOB_KEY" "$NOJOB_SECRET"
contains "--check, DescribeTrainingJob refused: optional, what it costs" "$T/status.out" \
    "check sagemaker:DescribeTrainingJob: missing, optional: the job's status is not known"
status "--check, GetLogEvents refused: exit 0" 0 chk "$NOGET_KEY" "$NOGET_SECRET"
contains "--check, GetLogEvents refused: optional" "$T/status.out" \
    "check logs:GetLogEvents: missing, optional: --tail and --filter-pattern will not work"
status "--check --tail, GetLogEvents refused: exit 3" 3 \
    chk "$NOGET_KEY" "$NOGET_SECRET" --tail 5
contains "--check --tail: GetLogEvents required" "$T/status.out" \
    "check logs:GetLogEvents: MISSING: grant logs:GetLogEvents"
status "--check, both ways of reading refused: exit 3" 3 chk "$NOREAD_KEY" "$NOREAD_SECRET"
contains "--check, both refused: FilterLogEvents" "$T/status.out" \
    "check logs:FilterLogEvents: MISSING"
contains "--check, both refused: GetLogEvents" "$T/status.out" \
    "check logs:GetLogEvents: MISSING"
status "--check, an unknown key: exit 3" 3 chk AKIAUNKNOWNKEY000000 whatever
contains "--check: the key refused" "$T/status.out" "InvalidClientTokenId"
status "--check and --from: exit 2" 2 "$CWDEMUX" --check --from "$T/gen"

finish
