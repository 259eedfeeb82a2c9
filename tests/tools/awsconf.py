#!/usr/bin/env python3
"""The AWS configuration of cwdemux, judged by botocore: a differential
test for tests/integ/awsconfig.sh (issue #15).

    awsconf.py run CWDEMUX MOTO_URL FAKEMETA_URL WORKDIR
    awsconf.py oracle < [[ENV, ARGS, CWD], ...]

`run` builds each configuration below in a private HOME (environment
variables, ~/.aws/config, ~/.aws/credentials, token files, a
credential_process script), then resolves it twice, each in an empty
environment but for the configuration's own variables: with
`cwdemux --check`, and with `botocore.session.Session()` (`oracle`, a
child that replaces its whole environment before each case). It compares
what both resolved:

  region       the Region (or both refuse: botocore's NoRegionError)
  endpoint     the CloudWatch Logs endpoint
  method       where the credentials come from, as botocore names it
               (env, shared-credentials-file, assume-role, ...)
  key          the access key id (for assumed roles, STS mints a new key
               per call, so only its form is compared: ASIA..., non-empty)

A configuration either side refuses (a malformed file, a missing profile,
a failing credential_process) must be refused by both. A few cases are
known, documented differences (`differs`): cwdemux follows the AWS CLI v2
there, botocore 1.x does not; the test checks both sides give what they
are documented to give. One line per case: "PASS name" or "FAIL name:
why".

The calls --check makes are not judged here (their endpoints are often
real AWS, unreachable): https_proxy points at a closed port so they fail
at once, while no_proxy lets the STS calls of assumed roles reach moto.
"""
import json
import os
import stat
import subprocess
import sys

# Each case: name; env (variables); config / credentials (file texts, or
# None for no file); args (cwdemux --profile/--region/--endpoint-url);
# files (name -> text, written into HOME; "exec:" makes it executable);
# differs (field -> (cwdemux's, botocore's)) for a documented difference.
# "@MOTO@", "@META@" and "@HOME@" are replaced when the case is built.

KEYS = {"AWS_ACCESS_KEY_ID": "AKIAENVKEY", "AWS_SECRET_ACCESS_KEY": "env-secret"}
STS = {"AWS_ENDPOINT_URL_STS": "@MOTO@"}
ROLE = "arn:aws:iam::123456789012:role/test-role"
PROC = """#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token", "Expiration": "2099-01-01T00:00:00Z"}'
"""

CASES = [
    # Credentials from the environment and the two files.
    dict(name="environment keys", env=dict(KEYS, AWS_DEFAULT_REGION="us-east-1")),
    dict(name="environment keys with a session token",
         env=dict(KEYS, AWS_SESSION_TOKEN="tok", AWS_DEFAULT_REGION="us-east-1")),
    dict(name="only AWS_ACCESS_KEY_ID: refused",
         env={"AWS_ACCESS_KEY_ID": "AKIAHALF", "AWS_DEFAULT_REGION": "us-east-1"}),
    dict(name="credentials file, default profile",
         credentials="[default]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s\n",
         config="[default]\nregion = eu-west-1\n"),
    dict(name="config file keys",
         config="[default]\nregion = eu-west-1\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n"),
    dict(name="credentials file before config file",
         credentials="[default]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s\n",
         config="[default]\nregion = eu-west-1\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n"),
    dict(name="environment before the files",
         env=KEYS,
         credentials="[default]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s\n",
         config="[default]\nregion = eu-west-1\n"),
    dict(name="--profile skips the environment's keys",
         env=KEYS, args=["--profile", "dev"],
         credentials="[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n",
         config="[profile dev]\nregion = us-west-2\n"),
    dict(name="AWS_PROFILE keeps the environment's keys",
         env=dict(KEYS, AWS_PROFILE="dev"),
         credentials="[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n",
         config="[profile dev]\nregion = us-west-2\n"),
    dict(name="AWS_PROFILE",
         env={"AWS_PROFILE": "dev"},
         credentials="[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n",
         config="[profile dev]\nregion = us-west-2\n"),
    dict(name="AWS_DEFAULT_PROFILE",
         env={"AWS_DEFAULT_PROFILE": "dev"},
         credentials="[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n",
         config="[profile dev]\nregion = us-west-2\n"),
    dict(name="AWS_PROFILE and AWS_DEFAULT_PROFILE (documented difference)",
         env={"AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "ops"},
         credentials="[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"
                     "[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = s\n",
         config="[profile dev]\nregion = us-west-2\n[profile ops]\nregion = eu-north-1\n",
         differs={"key": ("AKIADEV", "AKIAOPS"), "region": ("us-west-2", "eu-north-1"),
                  "endpoint": ("https://logs.us-west-2.amazonaws.com",
                               "https://logs.eu-north-1.amazonaws.com")}),
    dict(name="a missing AWS_PROFILE: refused",
         env={"AWS_PROFILE": "ghost"},
         config="[default]\nregion = eu-west-1\n"),
    dict(name="a missing --profile: refused", args=["--profile", "ghost"],
         config="[default]\nregion = eu-west-1\n"),
    dict(name="[dev] in the config file is not profile dev", args=["--profile", "dev"],
         config="[dev]\nregion = eu-west-1\naws_access_key_id = AKIAX\naws_secret_access_key = s\n"),
    dict(name="no credentials anywhere",
         env={"AWS_DEFAULT_REGION": "us-east-1"}),
    dict(name="keys without a secret in the file: refused",
         credentials="[default]\naws_access_key_id = AKIAHALF\n",
         config="[default]\nregion = eu-west-1\n"),

    # credential_process.
    dict(name="credential_process",
         files={"proc.sh": "exec:" + PROC},
         config="[default]\nregion = us-east-1\ncredential_process = @HOME@/proc.sh\n"),
    dict(name="credential_process that fails: refused",
         files={"fail.sh": "exec:#!/bin/sh\necho nope >&2\nexit 3\n"},
         config="[default]\nregion = us-east-1\ncredential_process = @HOME@/fail.sh\n"),
    dict(name="credential_process printing no JSON: refused",
         files={"bad.sh": "exec:#!/bin/sh\necho not json\n"},
         config="[default]\nregion = us-east-1\ncredential_process = @HOME@/bad.sh\n"),
    dict(name="credential_process of Version 2: refused",
         files={"v2.sh": "exec:#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}'\n"},
         config="[default]\nregion = us-east-1\ncredential_process = @HOME@/v2.sh\n"),
    dict(name="static keys before credential_process",
         files={"proc.sh": "exec:" + PROC},
         credentials="[default]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s\n",
         config="[default]\nregion = us-east-1\ncredential_process = @HOME@/proc.sh\n"),

    # Roles (STS at moto).
    dict(name="role_arn with a source_profile", env=STS, args=["--profile", "role"],
         credentials="[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
         config="[profile role]\nregion = us-east-1\nrole_arn = %s\nsource_profile = base\nrole_session_name = s1\n" % ROLE),
    dict(name="role_arn with credential_source Environment",
         env=dict(STS, **KEYS), args=["--profile", "role"],
         config="[profile role]\nregion = us-east-1\nrole_arn = %s\ncredential_source = Environment\n" % ROLE),
    dict(name="a chain of two roles", env=STS, args=["--profile", "top"],
         credentials="[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
         config="[profile mid]\nregion = us-east-1\nrole_arn = %s\nsource_profile = base\n"
                "[profile top]\nregion = us-east-1\nrole_arn = %s\nsource_profile = mid\n" % (ROLE, ROLE)),
    dict(name="a source_profile loop: refused", env=STS, args=["--profile", "a"],
         config="[profile a]\nregion = us-east-1\nrole_arn = %s\nsource_profile = b\n"
                "[profile b]\nrole_arn = %s\nsource_profile = a\n" % (ROLE, ROLE)),
    dict(name="a missing source_profile: refused", env=STS, args=["--profile", "role"],
         config="[profile role]\nregion = us-east-1\nrole_arn = %s\nsource_profile = nowhere\n" % ROLE),
    dict(name="web identity from the environment",
         env=dict(STS, AWS_WEB_IDENTITY_TOKEN_FILE="@HOME@/token", AWS_ROLE_ARN=ROLE,
                  AWS_ROLE_SESSION_NAME="web", AWS_DEFAULT_REGION="us-east-1"),
         files={"token": "a-web-identity-token\n"}),
    dict(name="web identity from the profile", env=STS,
         files={"token": "a-web-identity-token\n"},
         config="[default]\nregion = us-east-1\nrole_arn = %s\nweb_identity_token_file = @HOME@/token\n" % ROLE),
    dict(name="an SSO profile: refused",
         config="[default]\nregion = us-east-1\nsso_start_url = https://example.awsapps.com/start\n"
                "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = R\n"),

    # Container credentials (tests/tools/fakemeta.py).
    dict(name="container credentials",
         env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": "@META@/creds",
              "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token",
              "AWS_DEFAULT_REGION": "us-east-1"}),

    # The Region.
    dict(name="AWS_DEFAULT_REGION", env=dict(KEYS, AWS_DEFAULT_REGION="sa-east-1")),
    dict(name="the profile's region", env=KEYS, config="[default]\nregion = ap-northeast-1\n"),
    dict(name="AWS_DEFAULT_REGION over the profile's",
         env=dict(KEYS, AWS_DEFAULT_REGION="sa-east-1"), config="[default]\nregion = ap-northeast-1\n"),
    dict(name="--region over the environment",
         env=dict(KEYS, AWS_DEFAULT_REGION="sa-east-1"), args=["--region", "ca-central-1"]),
    dict(name="no Region: refused", env=KEYS),
    dict(name="AWS_REGION (documented difference)",
         env=dict(KEYS, AWS_REGION="ap-south-1"),
         differs={"region": ("ap-south-1", None), "endpoint": ("https://logs.ap-south-1.amazonaws.com", None)}),
    dict(name="a role profile's region, not its source's", env=STS, args=["--profile", "role"],
         credentials="[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
         config="[profile base]\nregion = eu-west-3\n"
                "[profile role]\nregion = us-east-1\nrole_arn = %s\nsource_profile = base\n" % ROLE),
    dict(name="a China Region's endpoint", env=dict(KEYS, AWS_DEFAULT_REGION="cn-north-1")),

    # Endpoints.
    dict(name="AWS_ENDPOINT_URL", env=dict(KEYS, AWS_DEFAULT_REGION="us-east-1",
                                           AWS_ENDPOINT_URL="http://127.0.0.1:4566")),
    dict(name="AWS_ENDPOINT_URL_CLOUDWATCH_LOGS over AWS_ENDPOINT_URL",
         env=dict(KEYS, AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL="http://127.0.0.1:4566",
                  AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="http://127.0.0.1:4567")),
    dict(name="the profile's endpoint_url", env=KEYS,
         config="[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4568\n"),
    dict(name="a [services] section", env=KEYS,
         config="[default]\nregion = us-east-1\nservices = local\n"
                "[services local]\nlogs =\n  endpoint_url = http://127.0.0.1:4569\n"),
    dict(name="the environment over the [services] section",
         env=dict(KEYS, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="http://127.0.0.1:4570"),
         config="[default]\nregion = us-east-1\nservices = local\n"
                "[services local]\nlogs =\n  endpoint_url = http://127.0.0.1:4569\n"),
    dict(name="AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
         env=dict(KEYS, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true",
                  AWS_ENDPOINT_URL="http://127.0.0.1:4566"),
         config="[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4568\n"),
    dict(name="ignore_configured_endpoint_urls in the profile", env=KEYS,
         config="[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4568\n"
                "ignore_configured_endpoint_urls = true\n"),
    dict(name="--endpoint-url over everything",
         env=dict(KEYS, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="http://127.0.0.1:4570"),
         args=["--endpoint-url", "http://127.0.0.1:4571"],
         config="[default]\nregion = us-east-1\n"),

    # Files: missing, empty, not regular, malformed, odd INI syntax.
    dict(name="a missing AWS_CONFIG_FILE is empty",
         env=dict(KEYS, AWS_CONFIG_FILE="@HOME@/none", AWS_DEFAULT_REGION="us-east-1")),
    dict(name="a missing AWS_SHARED_CREDENTIALS_FILE is empty",
         env={"AWS_SHARED_CREDENTIALS_FILE": "@HOME@/none"},
         config="[default]\nregion = us-east-1\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n"),
    dict(name="a directory as AWS_CONFIG_FILE is empty",
         env=dict(KEYS, AWS_CONFIG_FILE="@HOME@", AWS_DEFAULT_REGION="us-east-1")),
    dict(name="/dev/null as AWS_CONFIG_FILE is empty",
         env=dict(KEYS, AWS_CONFIG_FILE="/dev/null", AWS_DEFAULT_REGION="us-east-1")),
    dict(name="empty files", env=KEYS, config="", credentials=""),
    dict(name="a malformed config file: refused", env=KEYS,
         config="[default]\nregion = eu-west-1\nthis line is broken\n"),
    dict(name="a key before any section: refused", env=KEYS,
         config="region = eu-west-1\n[default]\n"),
    dict(name="comments, blank lines and spaces around =", env=KEYS,
         config="# a comment\n; another\n\n[default]\n  region   =   eu-central-1  \n"),
    dict(name="AWS_CONFIG_FILE with ~/", env=dict(KEYS, AWS_CONFIG_FILE="~/elsewhere"),
         files={"elsewhere": "[default]\nregion = eu-south-1\n"}),
    dict(name="upper-case key names", env=KEYS, config="[default]\nREGION = eu-west-2\n"),
    dict(name="a profile section with extra spaces", env=KEYS, args=["--profile", "dev"],
         config="[profile   dev]\nregion = us-west-1\n"),
    dict(name="the same key twice: refused", env=KEYS,
         config="[default]\nregion = eu-west-1\nregion = eu-west-2\n"),
    dict(name="a nested block under a key", env=KEYS,
         config="[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n"),
    dict(name="an empty region value", env=KEYS, config="[default]\nregion =\n"),
]


def build(case, home, moto, meta):
    """Write the case's files into home; return (env, args)."""
    def fill(s):
        return s.replace("@MOTO@", moto).replace("@META@", meta).replace("@HOME@", home)

    os.makedirs(os.path.join(home, ".aws"))
    for name, text in case.get("files", {}).items():
        path = os.path.join(home, name)
        executable = text.startswith("exec:")
        with open(path, "w") as f:
            f.write(fill(text[5:] if executable else text))
        if executable:
            os.chmod(path, stat.S_IRWXU)
    for key, name in (("config", "config"), ("credentials", "credentials")):
        if case.get(key) is not None:
            with open(os.path.join(home, ".aws", name), "w") as f:
                f.write(fill(case[key]))
    env = {"PATH": os.environ["PATH"], "HOME": home,
           "AWS_EC2_METADATA_DISABLED": "true",
           "https_proxy": "http://127.0.0.1:9", "no_proxy": "127.0.0.1,localhost"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    for k, v in case.get("env", {}).items():
        env[k] = fill(v)
    return env, [fill(a) for a in case.get("args", [])]


def parse_check(out):
    """What cwdemux --check resolved, from its "NAME: VALUE" lines."""
    got = {"region": None, "endpoint": None, "method": None, "key": None,
           "refused": None}
    for line in out.splitlines():
        name, _, value = line.partition(": ")
        if name == "settings":
            got["refused"] = value
        elif name == "region" and not value.startswith("none"):
            got["region"] = value
        elif name == "endpoint logs" and not value.startswith("none"):
            got["endpoint"] = value
        elif name == "credentials":
            if value.startswith("none"):
                got["refused"] = got["refused"] or value
                got["method"] = "none" if "no AWS credentials found" in value else None
            else:
                got["method"] = value[value.rfind("(") + 1:-1]
        elif name == "access key id":
            got["key"] = value
    return got


def resolve(argv):
    """What botocore resolves in this process's environment."""
    import botocore.exceptions
    import botocore.session
    args = dict(zip(argv[0::2], argv[1::2]))
    got = {"region": None, "endpoint": None, "method": None, "key": None,
           "refused": None}
    try:
        s = botocore.session.Session(profile=args.get("--profile"))
        region = args.get("--region") or s.get_config_variable("region")
        got["region"] = region or None
        if region:
            c = s.create_client("logs", region_name=region,
                                endpoint_url=args.get("--endpoint-url"),
                                aws_access_key_id="x", aws_secret_access_key="y")
            got["endpoint"] = c.meta.endpoint_url
    except botocore.exceptions.BotoCoreError as e:
        got["refused"] = "%s: %s" % (type(e).__name__, e)
        return got
    try:
        creds = s.get_credentials()
        if creds is None:
            got["method"] = "none"
            got["refused"] = "no credentials"
        else:
            got["key"] = creds.get_frozen_credentials().access_key
            got["method"] = creds.method
    except Exception as e:  # botocore raises more than BotoCoreError here
        got["refused"] = "%s: %s" % (type(e).__name__, e)
    return got


def oracle():
    """For each [env, args, cwd] of the JSON list on stdin, what botocore
    resolves with exactly that environment: one process for every case
    (importing botocore is most of the time), os.environ replaced each
    time, a new Session each time."""
    out = []
    for env, args, cwd in json.load(sys.stdin):
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        out.append(resolve(args))
    json.dump(out, sys.stdout)
    return 0


def compare(case, mine, theirs):
    """The differences that matter, as a list of sentences."""
    bad = []
    differs = case.get("differs", {})
    fields = ["region", "endpoint", "method", "key"]
    if theirs["refused"] and theirs["method"] != "none":
        # botocore refused the configuration: cwdemux must too.
        if mine["refused"] is None and mine["key"] is not None:
            bad.append("botocore refuses (%s) but cwdemux got %s" % (theirs["refused"], mine))
        fields = [f for f in ("region", "endpoint") if theirs[f] is not None]
    elif mine["refused"] and mine["method"] != "none" and mine["key"] is None and \
            "key" not in differs:
        bad.append("cwdemux refuses (%s) but botocore got %s" % (mine["refused"], theirs))
        fields = []
    for f in fields:
        want_mine, want_theirs = differs.get(f, (theirs[f], theirs[f]))
        if f == "key" and theirs["method"] in ("assume-role", "assume-role-with-web-identity"):
            # Each STS call mints a new key: compare the form.
            ok = bool(mine[f]) and bool(theirs[f]) and mine[f][:4] == theirs[f][:4]
            if not ok:
                bad.append("key: cwdemux %r, botocore %r" % (mine[f], theirs[f]))
            continue
        if mine[f] != want_mine or theirs[f] != want_theirs:
            bad.append("%s: cwdemux %r, botocore %r" % (f, mine[f], theirs[f]))
    return bad


def run(cwdemux, moto, meta, work):
    built, mine = [], []
    for i, case in enumerate(CASES):
        home = os.path.join(work, "case%02d" % i)
        env, args = build(case, home, moto, meta)
        r = subprocess.run([cwdemux, "--check"] + args, env=env, cwd=home,
                           capture_output=True, text=True, timeout=120)
        built.append([env, args, home])
        mine.append((parse_check(r.stdout), r.stdout))
    o = subprocess.run([sys.executable, os.path.abspath(__file__), "oracle"],
                       input=json.dumps(built), env={"PATH": os.environ["PATH"]},
                       capture_output=True, text=True, timeout=600)
    if o.returncode != 0:
        print("FAIL the oracle: %s" % o.stderr.strip()[-500:])
        return 0
    for case, (got, out), theirs in zip(CASES, mine, json.loads(o.stdout)):
        bad = compare(case, got, theirs)
        if bad:
            print("FAIL %s: %s" % (case["name"], "; ".join(bad)))
            for line in out.splitlines()[:8]:
                print("    | " + line)
        else:
            print("PASS %s" % case["name"])
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "oracle":
        sys.exit(oracle())
    if len(sys.argv) == 6 and sys.argv[1] == "run":
        sys.exit(run(*sys.argv[2:]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
