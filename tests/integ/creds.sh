#!/bin/sh
# The AWS configuration and credential chain as AWS CLI users know them,
# through tests/tools/credtest: environment keys, profiles in both files,
# credential_process and its refresh, AssumeRole and web identity against
# moto's STS (with SigV4 verified), container credentials and IMDSv2
# against tests/tools/fakemeta.py, the errors for SSO, for no credentials
# and for no region, and the endpoint chain.
#
# credtest runs under `env -i` with HOME set to an empty directory, so the
# machine's own ~/.aws and AWS_* variables never leak in.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

CT=$TOP/${BUILD:-build}/tools/credtest
H=$T/home
mkdir -p "$H/.aws"
ROLE=arn:aws:iam::123456789012:role/integ-role
META_PIDS=""

meta_stop() {
	stop_pids $META_PIDS
	META_PIDS=""
}
at_exit meta_stop

# meta_start LOGNAME [--hang]: start fakemeta.py and set META_PORT. The
# server prints its port once it listens; reading it from a FIFO waits for
# exactly that, without polling.
meta_start() {
	rm -f "$T/meta.fifo"
	mkfifo "$T/meta.fifo"
	$PY tests/tools/fakemeta.py --auth "container-auth-token" \
	    --log "$T/$1.log" $2 >"$T/meta.fifo" &
	META_PIDS="$META_PIDS $!"
	read -r META_PORT <"$T/meta.fifo"
}

# ct VAR=VALUE... "$CT" OPTIONS...: run in an empty environment, with
# instance metadata off unless a test turns it on. Sanitizer options pass.
ct() {
	env -i PATH="$PATH" HOME="$H" AWS_EC2_METADATA_DISABLED=true \
	    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} "$@"
}

# field NAME: the value of NAME= in the first line of the last output.
field() {
	sed -n "1s/.* $1=\([^ ]*\).*/\1/p; 1s/^$1=\([^ ]*\).*/\1/p" "$T/status.out"
}

# near SECONDS: the expires= field is about SECONDS from now.
near() {
	_exp=$(field expires)
	_now=$(date +%s)
	[ -n "$_exp" ] && [ "$_exp" -gt $((_now + $1 - 120)) ] &&
	    [ "$_exp" -lt $((_now + $1 + 120)) ]
}

moto_start || exit 1

# A credential_process: prints keys that expire in $1 minutes and counts
# its runs in $2.
cat >"$T/proc.sh" <<'EOF'
echo run >>"$2"
exp=$(date -u -d "+$1 minutes" +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "proc-secret-value", "SessionToken": "proc-token", "Expiration": "%s"}\n' "$exp"
EOF
printf 'eyJ.web-identity-token.sig\n' >"$T/web.token"
printf 'container-auth-token\n' >"$T/auth.token"
: >"$T/empty"

cat >"$H/.aws/config" <<EOF
# The machine's files are never read: HOME is $H.
[default]
region = eu-west-1
aws_access_key_id = AKIACONFIGDEFAULT
aws_secret_access_key = config-default-secret

[profile dev]
region = us-west-2
aws_access_key_id = AKIACONFIGDEV
aws_secret_access_key = config-dev-secret

[profile cfgonly]
aws_access_key_id = AKIACFGONLY
aws_secret_access_key = cfgonly-secret

[notaprofile]
aws_access_key_id = AKIANOTAPROFILE
aws_secret_access_key = x

[profile proc]
credential_process = sh $T/proc.sh 60 $T/proc60.count
[profile procsoon]
credential_process = sh $T/proc.sh 2 $T/proc2.count
[profile procflaky]
credential_process = sh -c 'if [ -e $T/flaky.ran ]; then echo "vault sealed" >&2; exit 1; fi; : >$T/flaky.ran; sh $T/proc.sh 2 $T/flaky.count'
[profile procfail]
credential_process = sh -c 'echo "boom: the vault is locked" >&2; echo more >&2; exit 3'
[profile procjson]
credential_process = sh -c 'echo "{not json"; echo "warning: half-written" >&2'
[profile procversion]
credential_process = echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "B"}'
[profile procandkeys]
credential_process = sh $T/proc.sh 60 $T/procandkeys.count
aws_access_key_id = AKIACONFIGKEYS
aws_secret_access_key = config-keys-secret

[profile base]
aws_access_key_id = AKIABASE
aws_secret_access_key = base-secret
[profile role]
role_arn = $ROLE
source_profile = base
role_session_name = integ-session
[profile chained]
role_arn = arn:aws:iam::123456789012:role/second
source_profile = role
[profile loop1]
role_arn = $ROLE
source_profile = loop2
[profile loop2]
role_arn = $ROLE
source_profile = loop1
[profile self]
role_arn = $ROLE
source_profile = self
aws_access_key_id = AKIASELF
aws_secret_access_key = self-secret
[profile orphan]
role_arn = $ROLE
source_profile = nowhere
[profile envsource]
role_arn = $ROLE
credential_source = Environment
[profile imdssource]
role_arn = $ROLE
credential_source = Ec2InstanceMetadata
[profile badsession]
role_arn = $ROLE
source_profile = base
role_session_name = this-session-name-is-far-too-long-for-sts-which-allows-sixty-four
[profile webprofile]
role_arn = $ROLE
web_identity_token_file = $T/web.token

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile login]
login_session = arn:aws:iam::123456789012:user/me

[profile local]
region = us-east-1
services = emulator
endpoint_url = http://localhost:4566
[services emulator]
cloudwatch_logs =
  endpoint_url = http://127.0.0.1:4001/
sagemaker =
  endpoint_url = http://[::1]:4002
EOF

cat >"$H/.aws/credentials" <<'EOF'
[default]
aws_access_key_id = AKIACREDDEFAULT
aws_secret_access_key = cred-default-secret

[dev]
aws_access_key_id = AKIACREDDEV
aws_secret_access_key = cred-dev-secret
aws_session_token = cred-dev-token

[credonly]
aws_access_key_id = AKIACREDONLY
aws_secret_access_key = credonly-secret
EOF

ENVKEYS="AWS_ACCESS_KEY_ID=AKIAENV AWS_SECRET_ACCESS_KEY=env-secret"

# Environment keys.
status "env keys" 0 ct $ENVKEYS AWS_SESSION_TOKEN=env-token "$CT"
contains "env keys: source" "$T/status.out" "source=environment key=AKIAENV token=yes expires=0 region=eu-west-1"
status "legacy AWS_SECURITY_TOKEN" 0 ct $ENVKEYS AWS_SECURITY_TOKEN=old "$CT"
contains "legacy token used" "$T/status.out" "key=AKIAENV token=yes"
status "env keys without token" 0 ct $ENVKEYS "$CT"
contains "no token" "$T/status.out" "key=AKIAENV token=no"
status "half the env keys" 1 ct AWS_ACCESS_KEY_ID=AKIAENV "$CT"
contains "half the env keys named" "$T/status.out" "error: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
status "env keys ignored with --profile" 0 ct $ENVKEYS "$CT" --profile dev
contains "--profile wins" "$T/status.out" "source=profile dev key=AKIACREDDEV token=yes"
status "env keys win over AWS_PROFILE" 0 ct $ENVKEYS AWS_PROFILE=dev "$CT"
contains "AWS_PROFILE: env keys" "$T/status.out" "source=environment key=AKIAENV"
contains "AWS_PROFILE: its region" "$T/status.out" "region=us-west-2"

# Profiles and the two files.
status "AWS_PROFILE" 0 ct AWS_PROFILE=dev "$CT"
contains "AWS_PROFILE keys" "$T/status.out" "source=profile dev key=AKIACREDDEV"
status "AWS_DEFAULT_PROFILE" 0 ct AWS_DEFAULT_PROFILE=credonly "$CT" --region us-east-2
contains "AWS_DEFAULT_PROFILE keys" "$T/status.out" "key=AKIACREDONLY"
status "credentials file first" 0 ct "$CT"
contains "credentials file keys win" "$T/status.out" "source=profile default key=AKIACREDDEFAULT token=no"
status "[profile x] in config" 0 ct "$CT" --profile cfgonly --region us-east-1
contains "config file keys" "$T/status.out" "source=profile cfgonly key=AKIACFGONLY"
status "[x] in config is no profile" 1 ct "$CT" --profile notaprofile
contains "no such profile" "$T/status.out" "error: --profile notaprofile: no such profile in $H/.aws/config or $H/.aws/credentials"
status "missing AWS_PROFILE" 1 ct AWS_PROFILE=ghost "$CT"
contains "missing AWS_PROFILE named" "$T/status.out" "error: AWS_PROFILE ghost: no such profile"
status "--region wins" 0 ct AWS_REGION=ap-south-1 "$CT" --region ca-central-1
contains "--region" "$T/status.out" "region=ca-central-1 logs=https://logs.ca-central-1.amazonaws.com"
status "AWS_REGION over the profile" 0 ct AWS_REGION=ap-south-1 AWS_DEFAULT_REGION=sa-east-1 "$CT"
contains "AWS_REGION" "$T/status.out" "region=ap-south-1"
printf '[default]\nregion = eu-west-1\nthis line is broken\n' >"$T/bad.config"
status "malformed config" 1 ct AWS_CONFIG_FILE="$T/bad.config" "$CT"
contains "malformed line located" "$T/status.out" "error: config file $T/bad.config line 3: expected KEY = VALUE or [SECTION]"
# A file that a variable names but that does not exist (or is not a
# regular file) is empty, as botocore reads it.
status "missing AWS_CONFIG_FILE is empty" 0 ct $ENVKEYS AWS_CONFIG_FILE="$T/none.config" "$CT" --region us-east-1
contains "missing AWS_CONFIG_FILE: the environment's keys" "$T/status.out" "source=environment"
status "missing AWS_SHARED_CREDENTIALS_FILE is empty" 0 ct AWS_SHARED_CREDENTIALS_FILE="$T/none.credentials" "$CT" --profile cfgonly --region us-east-1
contains "missing credentials file: the config's keys" "$T/status.out" "source=profile cfgonly key=AKIACFGONLY"
status "a directory as AWS_CONFIG_FILE is empty" 0 ct $ENVKEYS AWS_CONFIG_FILE="$T" "$CT" --region us-east-1

# credential_process.
status "credential_process" 0 ct "$CT" --profile proc --region us-east-1 --twice
contains "process source" "$T/status.out" "source=credential_process of profile proc key=AKIAPROC token=yes"
check "process expiration read" near 3600
check "process run once for fresh keys" test "$(wc -l <"$T/proc60.count")" -eq 1
status "credential_process refresh" 0 ct "$CT" --profile procsoon --region us-east-1 --twice
check "near expiry: run again" test "$(wc -l <"$T/proc2.count")" -eq 2
check "refreshed keys expire soon" near 120
status "creds_expire refetches" 0 ct "$CT" --profile proc --region us-east-1 --expire
check "expired: run again" test "$(wc -l <"$T/proc60.count")" -eq 3
status "failed refresh keeps the old keys" 0 ct "$CT" --profile procflaky --region us-east-1 --twice
check "old keys twice" test "$(grep -c key=AKIAPROC "$T/status.out")" -eq 2
contains "failed refresh warned" "$T/status.err" "cannot refresh AWS credentials from credential_process of profile procflaky, using them until they expire: credential_process of profile procflaky exited with status 1: vault sealed"
rm -f "$T/flaky.ran"
status "failed refetch after expiry" 1 ct "$CT" --profile procflaky --region us-east-1 --expire
contains "expired and not refetched" "$T/status.out" "error: credential_process of profile procflaky exited with status 1: vault sealed"
status "process before config-file keys" 0 ct "$CT" --profile procandkeys --region us-east-1
contains "process wins over config keys" "$T/status.out" "key=AKIAPROC"
status "failing process" 1 ct "$CT" --profile procfail --region us-east-1
contains "failing process quoted" "$T/status.out" "error: credential_process of profile procfail exited with status 3: boom: the vault is locked"
check "only stderr's first line" sh -c "! grep -q more '$T/status.out'"
status "process bad JSON" 1 ct "$CT" --profile procjson --region us-east-1
contains "bad JSON" "$T/status.out" "error: credential_process of profile procjson gave something that is not a JSON object: warning: half-written"
status "process Version 2" 1 ct "$CT" --profile procversion --region us-east-1
contains "Version 2 refused" "$T/status.out" 'printed JSON without "Version": 1'
ct "$CT" --debug --profile proc --region us-east-1 >"$T/debug.out" 2>&1
check "secrets never shown" sh -c "! grep -q -e proc-secret-value -e proc-token '$T/debug.out'"
contains "debug shows the key's start" "$T/debug.out" "access key AKIA..."

# AssumeRole against moto's STS.
STS="AWS_ENDPOINT_URL_STS=$MOTO_URL"
status "role_arn + source_profile" 0 ct $STS "$CT" --profile role --region us-east-1
contains "assumed role" "$T/status.out" "source=role_arn of profile role key=ASIA"
contains "assumed role: token" "$T/status.out" "token=yes"
contains "assumed role: sts endpoint" "$T/status.out" "sts=$MOTO_URL"
check "assumed role expires in an hour" near 3600
status "role chain" 0 ct $STS "$CT" --profile chained --region us-east-1
contains "chained role" "$T/status.out" "source=role_arn of profile chained key=ASIA"
status "source_profile loop" 1 ct $STS "$CT" --profile loop1 --region us-east-1
contains "loop named" "$T/status.out" "error: source_profile loop: loop1 -> loop2 -> loop1"
status "source_profile naming itself" 0 ct $STS "$CT" --profile self --region us-east-1
contains "self with keys" "$T/status.out" "source=role_arn of profile self key=ASIA"
status "missing source_profile" 1 ct $STS "$CT" --profile orphan --region us-east-1
contains "missing source named" "$T/status.out" "error: source_profile nowhere of profile orphan does not exist"
status "credential_source Environment" 0 ct $STS $ENVKEYS "$CT" --profile envsource --region us-east-1
contains "env as role source" "$T/status.out" "source=role_arn of profile envsource key=ASIA"
status "credential_source without env keys" 1 ct $STS "$CT" --profile envsource --region us-east-1
contains "no env for the role" "$T/status.out" "credential_source Environment of profile envsource: no credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
status "STS error reply" 1 ct $STS "$CT" --profile badsession --region us-east-1
contains "STS error quoted" "$T/status.out" "error: role_arn of profile badsession: STS answered ValidationError: 1 validation error detected"
status "STS unreachable" 1 ct AWS_ENDPOINT_URL_STS=http://127.0.0.1:1 "$CT" --profile role --region us-east-1
contains "STS unreachable named" "$T/status.out" "error: role_arn of profile role: POST http://127.0.0.1:1: "
status "STS on plain http elsewhere" 1 ct AWS_ENDPOINT_URL_STS=http://example.com "$CT" --profile role --region us-east-1
contains "plain http STS refused" "$T/status.out" "AWS_ENDPOINT_URL_STS: URL \"http://example.com\": plain http is allowed only to loopback hosts"

# Web identity against moto (unsigned).
status "web identity from the environment" 0 ct $STS AWS_WEB_IDENTITY_TOKEN_FILE="$T/web.token" AWS_ROLE_ARN=$ROLE AWS_REGION=us-east-1 "$CT"
contains "web identity" "$T/status.out" "source=web identity of profile default key=ASIA"
check "web identity expires in an hour" near 3600
status "web identity from a profile" 0 ct $STS "$CT" --profile webprofile --region us-east-1
contains "web identity profile" "$T/status.out" "source=web identity of profile webprofile key=ASIA"
status "web identity without a role" 1 ct $STS AWS_WEB_IDENTITY_TOKEN_FILE="$T/web.token" "$CT"
contains "web identity needs a role" "$T/status.out" "has no role: set AWS_ROLE_ARN"
status "web identity token missing" 1 ct $STS AWS_WEB_IDENTITY_TOKEN_FILE="$T/none.token" AWS_ROLE_ARN=$ROLE "$CT"
contains "token file named" "$T/status.out" "web identity token file $T/none.token: No such file or directory"

# Container credentials and IMDSv2 against fakemeta.py.
meta_start meta
META=http://127.0.0.1:$META_PORT
status "profile keys before the container" 0 ct AWS_CONTAINER_CREDENTIALS_FULL_URI=$META/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=container-auth-token "$CT" --profile credonly --region us-east-1
contains "profile before container" "$T/status.out" "source=profile credonly"
status "container credentials" 0 ct AWS_CONTAINER_CREDENTIALS_FULL_URI=$META/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=container-auth-token AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
contains "container source" "$T/status.out" "source=container key=ASIACONTAINER token=yes"
check "container expires in an hour" near 3600
status "container token file" 0 ct AWS_CONTAINER_CREDENTIALS_FULL_URI=$META/creds AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/auth.token" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
contains "token file wins" "$T/status.out" "source=container key=ASIACONTAINER"
status "container wrong token" 1 ct AWS_CONTAINER_CREDENTIALS_FULL_URI=$META/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
contains "container refused" "$T/status.out" "error: container credentials: $META/creds answered HTTP 401"
status "container host not allowed" 1 ct AWS_CONTAINER_CREDENTIALS_FULL_URI=http://example.com/creds AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
contains "container host named" "$T/status.out" "host example.com is not loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23"
IMDS="AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=$META AWS_CONFIG_FILE=$T/empty AWS_SHARED_CREDENTIALS_FILE=$T/empty"
status "IMDSv2" 0 ct $IMDS "$CT" --region us-east-1
contains "imds source" "$T/status.out" "source=instance metadata key=ASIAIMDS token=yes"
check "imds expires in an hour" near 3600
check "IMDSv2 protocol followed" test "$(grep -c -e '^PUT /latest/api/token 200' -e 'security-credentials/ 200 role' -e 'security-credentials/fake-role 200 creds' "$T/meta.log")" -eq 3
check "no IMDSv1 request" sh -c "! grep -q imdsv1 '$T/meta.log'"
status "role from instance metadata" 0 ct $STS AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=$META "$CT" --profile imdssource --region us-east-1
contains "imds as role source" "$T/status.out" "source=role_arn of profile imdssource key=ASIA"
status "IMDS refused" 1 ct AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1 AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
contains "IMDS down: no credentials" "$T/status.out" "error: no AWS credentials found"
meta_start hang --hang
_t0=$(date +%s)
status "IMDS that never answers" 1 ct AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$META_PORT AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
_t1=$(date +%s)
contains "IMDS timeout: no credentials" "$T/status.out" "error: no AWS credentials found"
contains "IMDS timeout named" "$T/status.out" "imed out"
check "IMDS timeout costs about a second" test $((_t1 - _t0)) -le 3

# Providers cwdemux cannot use, and nothing at all.
status "SSO profile" 1 ct "$CT" --profile sso --region us-east-1
contains "SSO message" "$T/status.out" 'error: profile sso uses AWS SSO, which cwdemux cannot use; add `credential_process = aws configure export-credentials --profile sso --format process` to a profile and use that one'
status "login profile" 1 ct "$CT" --profile login --region us-east-1
contains "login message" "$T/status.out" "aws configure export-credentials --profile login --format process"
status "no credentials" 1 ct AWS_CONFIG_FILE="$T/empty" AWS_SHARED_CREDENTIALS_FILE="$T/empty" "$CT" --region us-east-1
contains "no credentials: what was tried" "$T/status.out" "error: no AWS credentials found; tried: the environment (AWS_ACCESS_KEY_ID), profile default in $T/empty and $T/empty"
contains "no credentials: metadata off" "$T/status.out" "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
contains "no credentials: the way on" "$T/status.out" 'run `aws configure`'
status "no region" 1 ct $ENVKEYS AWS_CONFIG_FILE="$T/empty" "$CT"
contains "no region message" "$T/status.out" "error: no AWS region: use --region, set AWS_REGION or AWS_DEFAULT_REGION, or set region in profile default (aws configure)"
status "bad region" 1 ct $ENVKEYS AWS_REGION='us-east-1;rm' "$CT"
contains "bad region named" "$T/status.out" 'error: AWS_REGION: "us-east-1;rm" is not a region name'

# Endpoints.
status "endpoint variables" 0 ct $ENVKEYS AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:4001/ AWS_ENDPOINT_URL_SAGEMAKER=https://sm.example.com AWS_ENDPOINT_URL=http://localhost:4566 "$CT"
contains "endpoint variables used" "$T/status.out" "logs=http://127.0.0.1:4001 sagemaker=https://sm.example.com sts=http://localhost:4566"
status "services section" 0 ct $ENVKEYS AWS_PROFILE=local "$CT"
contains "services section used" "$T/status.out" "logs=http://127.0.0.1:4001 sagemaker=http://[::1]:4002 sts=http://localhost:4566"
status "ignore configured endpoints" 0 ct $ENVKEYS AWS_PROFILE=local AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true "$CT" --endpoint-url http://127.0.0.1:9
contains "only --endpoint-url kept" "$T/status.out" "logs=http://127.0.0.1:9 sagemaker=http://127.0.0.1:9 sts=https://sts.us-east-1.amazonaws.com"
status "partition host" 0 ct $ENVKEYS AWS_REGION=cn-north-1 "$CT"
contains "china hosts" "$T/status.out" "logs=https://logs.cn-north-1.amazonaws.com.cn sagemaker=https://api.sagemaker.cn-north-1.amazonaws.com.cn sts=https://sts.cn-north-1.amazonaws.com.cn"
status "http://example.com refused" 1 ct $ENVKEYS AWS_ENDPOINT_URL=http://example.com "$CT"
contains "plain http refused" "$T/status.out" 'error: AWS_ENDPOINT_URL: URL "http://example.com": plain http is allowed only to loopback hosts'

# With moto checking signatures: AssumeRole is signed correctly, and a
# wrong secret is refused (last: it changes moto for good).
$PY - "$MOTO_URL" >"$T/iam.keys" <<'PYEOF'
import json, sys, urllib.request
import boto3
url = sys.argv[1]
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="integ")
iam.put_user_policy(UserName="integ", PolicyName="assume", PolicyDocument=json.dumps(
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
key = iam.create_access_key(UserName="integ")["AccessKey"]
req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0",
                             headers={"Content-Type": "text/plain"}, method="POST")
urllib.request.urlopen(req).read()
print(key["AccessKeyId"], key["SecretAccessKey"])
PYEOF
read -r IAM_KEY IAM_SECRET <"$T/iam.keys"
status "signed AssumeRole verified" 0 ct $STS AWS_ACCESS_KEY_ID="$IAM_KEY" AWS_SECRET_ACCESS_KEY="$IAM_SECRET" "$CT" --profile envsource --region us-east-1
contains "moto accepted the signature" "$T/status.out" "source=role_arn of profile envsource key=ASIA"
status "wrong secret refused" 1 ct $STS AWS_ACCESS_KEY_ID="$IAM_KEY" AWS_SECRET_ACCESS_KEY=wrong "$CT" --profile envsource --region us-east-1
contains "signature error quoted" "$T/status.out" "STS answered SignatureDoesNotMatch: The request signature we calculated does not match"

finish
