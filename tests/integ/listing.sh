#!/bin/sh
# Finding the job, and the shell (#16): --list against moto (newest first,
# a pattern, --status, instance groups), and the bash and zsh completion
# that make install puts in place, driven for real: bash's completion
# function with COMP_WORDS, zsh's completion system in a pseudo-terminal.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
moto_start

# Three jobs, a second apart (CreationTime orders them).
$PY - "$MOTO_URL" <<'PYEOF'
import sys, time
import boto3
sm = boto3.client("sagemaker", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
def job(name, groups=None):
    rc = {"VolumeSizeInGB": 30}
    if groups:
        rc["InstanceGroups"] = [{"InstanceGroupName": g, "InstanceType": t,
                                 "InstanceCount": n} for g, t, n in groups]
    else:
        rc.update(InstanceType="ml.m5.large", InstanceCount=1)
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
        RoleArn="arn:aws:iam::123456789012:role/sm",
        OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
        ResourceConfig=rc, StoppingCondition={"MaxRuntimeInSeconds": 3600})
job("plain-2024-06-01")
time.sleep(1.1)
job("hetero-pt-a", [("data_group", "ml.c5.xlarge", 2), ("train_group", "ml.p3.2xlarge", 1)])
time.sleep(1.1)
job("hetero-pt-b", [("dnn_group", "ml.p3.2xlarge", 4)])
PYEOF
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=$MOTO_URL AWS_EC2_METADATA_DISABLED=true

"$CWDEMUX" --list >"$T/list" 2>"$T/err"
check "--list: header, then the jobs newest first" test \
    "$(awk '{ print $1 }' "$T/list" | tr '\n' ' ')" = "NAME hetero-pt-b hetero-pt-a plain-2024-06-01 "
check "--list: status, age and groups" grep -Eq \
    '^hetero-pt-a +Completed +[0-9]+s +data_group:2,train_group:1$' "$T/list"
check "--list: a job of one group" grep -Eq \
    '^plain-2024-06-01 +Completed +[0-9]+s +homogeneousCluster:1$' "$T/list"
same "--list: nothing on stderr" "$T/err" /dev/null
"$CWDEMUX" --list hetero >"$T/pat"
check "--list PATTERN" test "$(awk 'NR > 1 { print $1 }' "$T/pat" | tr '\n' ' ')" = \
    "hetero-pt-b hetero-pt-a "
"$CWDEMUX" --list --status Completed pt-a >"$T/st"
check "--list --status Completed PATTERN" test "$(wc -l <"$T/st")" -eq 2
"$CWDEMUX" --list --status InProgress >"$T/none" 2>"$T/none.err"
check "--list: no job in a status: exit 0" test $? -eq 0
check "--list: no job, nothing on stdout" test ! -s "$T/none"
contains "--list: no job, said on stderr" "$T/none.err" "no training jobs in status InProgress"
status "--list with --from: a usage error" 2 "$CWDEMUX" --list --from "$T" x
status "--list: two patterns are a usage error" 2 "$CWDEMUX" --list a b
AWS_ENDPOINT_URL=http://127.0.0.1:1 AWS_MAX_ATTEMPTS=1 "$CWDEMUX" --list \
    >/dev/null 2>"$T/down"
check "--list: SageMaker unreachable is an error" test $? -ne 0
contains "--list: the failing call is named" "$T/down" "ListTrainingJobs"

# With IAM checks on: without sagemaker:ListTrainingJobs, exit 3 naming
# it; without sagemaker:DescribeTrainingJob, the jobs with "?" for groups
# and a warning. (The checks are turned off again after.)
$PY - "$MOTO_URL" >"$T/keys" <<'PYEOF'
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
for user, actions in (("nolist", ["logs:*"]), ("listonly", ["sagemaker:ListTrainingJobs"])):
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    print(key["AccessKeyId"], key["SecretAccessKey"])
PYEOF
curl -s -X POST -H 'Content-Type: text/plain' --data 0 \
    "$MOTO_URL/moto-api/reset-auth" >/dev/null
set -- $(cat "$T/keys")
AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 "$CWDEMUX" --list >/dev/null 2>"$T/denied"
check "--list without the permission: exit 3" test $? -eq 3
contains "--list without the permission: names it" "$T/denied" \
    "cwdemux needs the IAM permission sagemaker:ListTrainingJobs"
AWS_ACCESS_KEY_ID=$3 AWS_SECRET_ACCESS_KEY=$4 "$CWDEMUX" --list hetero \
    >"$T/nodesc" 2>"$T/nodesc.err"
check "--list without DescribeTrainingJob: the jobs, groups unknown" test \
    "$(awk 'NR > 1 { print $1, $NF }' "$T/nodesc" | tr '\n' ' ')" = "hetero-pt-b ? hetero-pt-a ? "
contains "--list without DescribeTrainingJob: a warning naming the permission" \
    "$T/nodesc.err" "sagemaker:DescribeTrainingJob"
curl -s -X POST -H 'Content-Type: text/plain' --data 1000000 \
    "$MOTO_URL/moto-api/reset-auth" >/dev/null

# make install puts both scripts where bash-completion and zsh look.
make -s install BUILD="$BUILD" DESTDIR="$T/root" PREFIX=/usr/local >/dev/null 2>"$T/make.err"
check "make install: the bash script" test -s "$T/root/usr/local/share/bash-completion/completions/cwdemux"
check "make install: the zsh script" test -s "$T/root/usr/local/share/zsh/site-functions/_cwdemux"
"$CWDEMUX" --completion bash >"$T/cw.bash"
same "the installed bash script is --completion bash" \
    "$T/root/usr/local/share/bash-completion/completions/cwdemux" "$T/cw.bash"

# bash: the completion function, as bash calls it.
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$CWDEMUX" >"$T/bin/cwdemux"
chmod +x "$T/bin/cwdemux"
cat >"$T/comp.sh" <<'SHEOF'
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMPREPLY=()
_cwdemux
echo "${COMPREPLY[*]}"
SHEOF
comp() {
	PATH="$T/bin:$PATH" bash "$T/comp.sh" "$T/cw.bash" cwdemux "$@"
}
check "bash: long options" test "$(comp --raw)" = "--raw --raw-progress"
check "bash: --color=" test "$(comp --col)" = "--color="
check "bash: option values" test "$(comp --output j)" = "json"
check "bash: option values after =" test "$(comp --output = "")" = "lines json none"
check "bash: short option values" test "$(comp -o n)" = "none"
check "bash: --status" test "$(comp --list --status In)" = "InProgress"
check "bash: --fields, a list" test "$(comp --fields time,gr)" = "time,group"
check "bash: --timezone" test "$(comp --timezone l)" = "local"
check "bash: job names from --list" test "$(comp --no-follow hetero)" = "hetero-pt-b hetero-pt-a"
check "bash: job names, every job" test "$(comp "")" = "hetero-pt-b hetero-pt-a plain-2024-06-01"
check "bash: no guess for a time" test -z "$(comp --since "")"
mkdir -p "$T/home/.aws"
printf '[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n' >"$T/home/.aws/config"
check "bash: profiles of ~/.aws/config" test \
    "$(HOME="$T/home" comp --profile "")" = "default dev"

# zsh: the installed script, through compinit, in a pseudo-terminal.
if command -v zsh >/dev/null 2>&1; then
	zc() {
		PATH="$T/bin:$PATH" TMPDIR="$T" timeout 60 zsh -f \
		    tests/tools/zcomplete.zsh "$T/root/usr/local/share/zsh/site-functions" "$@"
	}
	check "zsh: option values" zc "json" cwdemux --output ""
	check "zsh: a long option" zc "--raw-progress" cwdemux --raw-p
	check "zsh: job names from --list" zc "hetero-pt-" cwdemux het
	check "zsh: --status values" zc "InProgress" cwdemux --list --status In
else
	fail "zsh is not installed (make deps)"
fi

finish
