#!/bin/sh
# Failure paths: writes that fail (ENOSPC, EIO) or come back short, through
# the LD_PRELOAD shim tests/tools/failshim.c, on standard output, each
# export file and the manifest; closed pipes; and AWS answers met while
# following: credentials that expire mid-run, a job deleted while followed,
# a log group that does not exist yet, a clock that jumps. A failed write must name the file,
# exit 1, say how far the output is complete, and never claim more.
# (The clock skew and expired-token retries of single calls are in
# faults.sh.)
. tests/integ/lib/setup.sh
SHIM=$TOP/${BUILD:-build}/tools/failshim.so
if [ ! -f "$SHIM" ]; then
	fail "no $SHIM (make builds it)"
	finish
	exit 0
fi

$PY tests/tools/genjob.py "$T/job" --hosts 4 --lines-per-host 3000 --seed 7 >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/job/truth.json")
"$CWDEMUX" --from "$T/job" "$JOB" >"$T/ref.lines"
"$CWDEMUX" --from "$T/job" --output json "$JOB" >"$T/ref.json"
"$CWDEMUX" --from "$T/job" --export "$T/ref" "$JOB" >/dev/null

# shim VAR=VALUE... -- CMD...: CMD with the shim preloaded and set up.
shim() {
	_env=""
	while [ "$1" != "--" ]; do
		_env="$_env $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	env LD_PRELOAD="$SHIM" $_env "$@"
}

# prefix NAME GOT FULL: GOT is a prefix of FULL (nothing doubled).
prefix() {
	_n=$(wc -c <"$2")
	if head -c "$_n" "$3" | cmp -s - "$2"; then
		ok
	else
		fail "$1: $2 is not a prefix of $3"
	fi
}

# Standard output on a full or broken disk: exit 1, the message says how
# many bytes got out, and the output is exactly that many bytes of it.
for err in ENOSPC EIO; do
	for out in lines json; do
		status "stdout $out $err" 1 shim FAILSHIM_OPS=write FAILSHIM_FD=1 \
		    FAILSHIM_AFTER=3 FAILSHIM_ERRNO=$err -- \
		    sh -c '"$1" --from "$2" --output "$3" "$4" >"$5"' sh \
		    "$CWDEMUX" "$T/job" "$out" "$JOB" "$T/out.$out"
		n=$(sed -n 's/.*standard output: write failed after \([0-9]*\) bytes.*/\1/p' "$T/status.err")
		check "stdout $out $err: says how far" test -n "$n"
		check "stdout $out $err: holds that much" test "$(wc -c <"$T/out.$out")" -eq "${n:-0}"
		prefix "stdout $out $err" "$T/out.$out" "$T/ref.$out"
		check "stdout $out $err: said once" test "$(wc -l <"$T/status.err")" -eq 1
	done
done

# Writes that come back short lose and double nothing (outbuf.c keeps what
# was not written; this is that fix's test).
status "short writes" 0 shim FAILSHIM_OPS=write FAILSHIM_SHORT=777 \
    FAILSHIM_AFTER=100000000 -- \
    sh -c '"$1" --from "$2" --output lines --export "$3" "$4" >"$5"' \
    sh "$CWDEMUX" "$T/job" "$T/short" "$JOB" "$T/short.lines"
same "short writes: stdout whole" "$T/short.lines" "$T/ref.lines"
for f in "$T"/ref/*; do
	same "short writes: $(basename "$f") whole" "$T/short/$(basename "$f")" "$f"
done
# Short writes, then one that fails, then a disk that works again: the
# output is a prefix of the real one (the failed write is not repeated
# from its start when the output is finished).
status "short then failed write" 1 shim FAILSHIM_OPS=write FAILSHIM_FD=1 \
    FAILSHIM_SHORT=1000 FAILSHIM_AFTER=150 FAILSHIM_TIMES=1 -- \
    sh -c '"$1" --from "$2" "$3" >"$4"' sh "$CWDEMUX" "$T/job" "$JOB" "$T/retry.lines"
prefix "short then failed write" "$T/retry.lines" "$T/ref.lines"
check "short then failed write: more than before the failure" \
    test "$(wc -c <"$T/retry.lines")" -ge 150000

# An export file that cannot be created, written or synced: exit 1, the
# file named, no manifest (nor its temporary), and every file a prefix of
# what it holds after a whole run: complete up to the error, no more.
for op in open write fsync; do
	for err in ENOSPC EIO; do
		rm -rf "$T/x"
		status "export $op $err" 1 shim FAILSHIM_OPS=$op \
		    FAILSHIM_PATH=train_group.log FAILSHIM_ERRNO=$err -- \
		    "$CWDEMUX" --from "$T/job" --export "$T/x" "$JOB"
		contains "export $op $err: file named" "$T/status.err" "$T/x/train_group.log: "
		contains "export $op $err: says incomplete" "$T/status.err" \
		    "$T/x is incomplete: each file holds its group's lines up to the error, and no manifest.json was written"
		check "export $op $err: no manifest" test ! -e "$T/x/manifest.json"
		check "export $op $err: no manifest temporary" test ! -e "$T/x/manifest.json.tmp"
		# The run stops at the error: every file is a prefix of its
		# whole self (the failed one may not exist).
		for f in "$T"/ref/*.log; do
			g=$(basename "$f")
			[ -e "$T/x/$g" ] || [ "$g" = train_group.log ] ||
			    fail "export $op $err: no $g"
			[ -e "$T/x/$g" ] && prefix "export $op $err: $g" "$T/x/$g" "$f"
		done
	done
done
# The same deep into the run: the message says how many bytes got out.
rm -rf "$T/x"
status "export write later" 1 shim FAILSHIM_OPS=write FAILSHIM_PATH=train_group.log \
    FAILSHIM_AFTER=2 -- "$CWDEMUX" --from "$T/job" --export "$T/x" "$JOB"
n=$(sed -n 's/.*train_group.log: write failed after \([0-9]*\) bytes.*/\1/p' "$T/status.err")
check "export write later: says how far" test "${n:-0}" -gt 0
check "export write later: said once" test "$(grep -c 'write failed' "$T/status.err")" -eq 1
prefix "export write later" "$T/x/train_group.log" "$T/ref/train_group.log"

# The manifest: whatever step fails, there is none, the group files are
# whole, and the message says so.
for op in open write fsync rename; do
	rm -rf "$T/x"
	status "manifest $op" 1 shim FAILSHIM_OPS=$op FAILSHIM_PATH=manifest.json \
	    FAILSHIM_ERRNO=EIO -- "$CWDEMUX" --from "$T/job" --export "$T/x" "$JOB"
	contains "manifest $op: named" "$T/status.err" "$T/x/manifest.json"
	contains "manifest $op: says the rest is whole" "$T/status.err" \
	    "the group files in $T/x are complete, but no manifest.json was written"
	check "manifest $op: none" test ! -e "$T/x/manifest.json"
	check "manifest $op: no temporary" test ! -e "$T/x/manifest.json.tmp"
	for f in "$T"/ref/*.log; do
		same "manifest $op: $(basename "$f") whole" "$T/x/$(basename "$f")" "$f"
	done
done

# An input file that cannot be read: named, exit 1.
status "input open EIO" 1 shim FAILSHIM_OPS=open FAILSHIM_PATH=algo-2 FAILSHIM_ERRNO=EIO -- \
    "$CWDEMUX" --from "$T/job" "$JOB"
contains "input open EIO: named" "$T/status.err" "algo-2"

# A closed pipe, lines and JSON, with SIGPIPE as it comes and ignored: a
# quiet stop, exit 0, and an export next to it complete.
for out in lines json; do
	for sig in default ignored; do
		rm -rf "$T/x"
		if [ $sig = ignored ]; then trap '' PIPE; fi
		{ "$CWDEMUX" --from "$T/job" --output $out --export "$T/x" "$JOB" 2>"$T/pipe.err"
		  echo $? >"$T/pipe.rc"; } | head -1 >"$T/pipe.out"
		trap - PIPE
		check "pipe $out $sig: exit 0" test "$(cat "$T/pipe.rc")" -eq 0
		check "pipe $out $sig: quiet" test ! -s "$T/pipe.err"
		check "pipe $out $sig: one line" test "$(wc -l <"$T/pipe.out")" -eq 1
		for f in "$T"/ref/*.log; do
			same "pipe $out $sig: $(basename "$f") whole" "$T/x/$(basename "$f")" "$f"
		done
	done
done

# ---- AWS: answers that end or stall a follow ------------------------------
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh
moto_start
mkdir "$T/home"

# until SECONDS CMD...: poll CMD every 0.1 s until it succeeds, or fail.
until_ok() {
	_n=$(($1 * 10))
	shift
	for _i in $(seq "$_n"); do
		"$@" && return 0
		$PY -c 'import time; time.sleep(0.1)'
	done
	return 1
}

lines_at_least() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

running() {
	kill -0 "$1" 2>/dev/null
}

proxy_config() {
	curl -s -X POST -d "$1" "$PROXY_URL/proxy-control/config" >/dev/null
}

# start_follow NAME [cwdemux options]: write job NAME into moto (all of
# it, quickly), then follow it in the background; CW_PID is cwdemux.
start_follow() {
	_name=$1
	shift
	rm -f "$T/ready"
	$PY tests/tools/simjob.py "$MOTO_URL" "$T/$_name" --ready-file "$T/ready" \
	    --job "$_name" --hosts 3 --rate 200 --events-per-host 120 --seed 9 \
	    >/dev/null 2>&1
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    "$@" "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
	    --grace 1s --status-interval 1s --output json "$_name" \
	    >"$T/$_name.jsonl" 2>"$T/$_name.err" &
	CW_PID=$!
	EVENTS=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/$_name/truth.json")
}

# stop_follow: wait at most 60 s for cwdemux to end; RC is its status.
stop_follow() {
	until_ok 60 sh -c "! kill -0 $CW_PID 2>/dev/null"
	wait "$CW_PID"
	RC=$?
	CW_PID=""
}

# A log group that does not exist yet (a fresh account, a job that has
# not logged): cwdemux says so and waits; when the job's logs arrive they
# are read, every event once. (No job either: it follows until stopped.)
proxy_start
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
    --status-interval 1s --output json late >"$T/late.jsonl" 2>"$T/late.err" &
CW_PID=$!
check "no log group: said" until_ok 30 grep -q "log group /aws/sagemaker/TrainingJobs does not exist (yet): waiting for it" "$T/late.err"
check "no log group: still waiting" running "$CW_PID"
$PY tests/tools/simjob.py "$MOTO_URL" "$T/late" --job late --hosts 2 --rate 200 \
    --events-per-host 100 --seed 3 --no-sagemaker >/dev/null 2>&1
EVENTS=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/late/truth.json")
check "no log group: events read once it exists" until_ok 60 lines_at_least "$T/late.jsonl" "$EVENTS"
kill -INT "$CW_PID"
stop_follow
check "no log group: interrupted, exit 130" test "$RC" -eq 130
check "no log group: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/late" "$T/late.jsonl"

# A job deleted while it is followed (DescribeTrainingJob answers
# ValidationException or ResourceNotFoundException): cwdemux says its end
# cannot be seen, keeps reading the logs, and stops when told to, with
# every event out.
n=0
for code in ValidationException ResourceNotFoundException; do
	n=$((n + 1))
	proxy_start --job-status InProgress:Training@0
	start_follow "gone$n"
	check "deleted job ($code): events out" until_ok 60 lines_at_least "$T/gone$n.jsonl" "$EVENTS"
	proxy_config "{\"fail\": {\"DescribeTrainingJob\": \"400:$code:Requested resource not found.\"}}"
	check "deleted job ($code): said" until_ok 30 grep -q \
	    "DescribeTrainingJob: $code: Requested resource not found. (reading the logs anyway; the job's end will not be seen)" \
	    "$T/gone$n.err"
	check "deleted job ($code): still reading" running "$CW_PID"
	kill -TERM "$CW_PID"
	stop_follow
	check "deleted job ($code): exit 130" test "$RC" -eq 130
	check "deleted job ($code): every event once" \
	    $PY tests/tools/checktruth.py --unordered "$T/gone$n" "$T/gone$n.jsonl"
done

# A clock that jumps an hour while following (AWS's clock and ours part):
# one warning, signing goes on with AWS's time, nothing is lost. (Waits
# and intervals use the monotonic clock, which does not jump.)
proxy_start --job-status InProgress:Training@0
start_follow jumping
check "clock jump: events out" until_ok 60 lines_at_least "$T/jumping.jsonl" "$EVENTS"
proxy_config '{"clock_offset": 3600}'
check "clock jump: corrected and said" until_ok 30 grep -q \
    "the clock is 3600 s off AWS's; signing with AWS's time" "$T/jumping.err"
curl -s -X POST -d Completed:Completed "$PROXY_URL/proxy-control/job-status" >/dev/null
stop_follow
check "clock jump: the job's end, exit 0" test "$RC" -eq 0
check "clock jump: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/jumping" "$T/jumping.jsonl"

# Credentials that expire mid-run: fetched again (credential_process), and
# the follow goes on to the job's end. When fresh ones are refused too,
# the run ends with exit 3 and names where they came from.
cat >"$T/creds.sh" <<EOS
#!/bin/sh
echo x >>"$T/creds.calls"
echo '{"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}'
EOS
chmod +x "$T/creds.sh"
printf '[default]\ncredential_process = %s\n' "$T/creds.sh" >"$T/config"
proxy_start --job-status InProgress:Training@0
start_follow expiring env AWS_CONFIG_FILE="$T/config" AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY=
check "expiring: events out" until_ok 60 lines_at_least "$T/expiring.jsonl" "$EVENTS"
proxy_config '{"expire": 1}'
check "expiring: fetched again" until_ok 30 sh -c "test \"\$(wc -l <'$T/creds.calls')\" -ge 2"
curl -s -X POST -d Completed:Completed "$PROXY_URL/proxy-control/job-status" >/dev/null
stop_follow
check "expiring: the job's end, exit 0" test "$RC" -eq 0
check "expiring: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/expiring" "$T/expiring.jsonl"
rm -f "$T/creds.calls"
proxy_start --job-status InProgress:Training@0
start_follow expired env AWS_CONFIG_FILE="$T/config" AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY=
check "expired: events out" until_ok 60 lines_at_least "$T/expired.jsonl" "$EVENTS"
proxy_config '{"expire": 1000}'
stop_follow
check "expired for good: exit 3" test "$RC" -eq 3
contains "expired for good: said, with the source" "$T/expired.err" "ExpiredTokenException"
contains "expired for good: the source named" "$T/expired.err" "credential_process"
check "expired for good: what was read is out" \
    $PY tests/tools/checktruth.py --unordered "$T/expired" "$T/expired.jsonl"

# A closed pipe on a quiet follow (cwdemux JOB | grep -m1 x, #15): every
# event fits in the pipe before grep exits, then the job is quiet, so no
# write meets EPIPE. cwdemux must notice the reader is gone and stop, 0.
proxy_start --job-status InProgress:Training@0
rm -f "$T/ready" "$T/quiet.pipe"
$PY tests/tools/simjob.py "$MOTO_URL" "$T/quiet" --ready-file "$T/ready" \
    --job quiet --hosts 3 --rate 200 --events-per-host 120 --seed 9 \
    >/dev/null 2>&1
mkfifo "$T/quiet.pipe"
grep -m1 -q algo "$T/quiet.pipe" &
GREP_PID=$!
at_exit 'stop_pids $GREP_PID'
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
    --status-interval 1s --output lines quiet \
    >"$T/quiet.pipe" 2>"$T/quiet.err" &
CW_PID=$!
wait "$GREP_PID"
check "closed pipe, quiet follow: grep found a line" test $? -eq 0
GREP_PID=""
check "closed pipe, quiet follow: cwdemux stops" until_ok 60 sh -c "! kill -0 $CW_PID 2>/dev/null"
kill "$CW_PID" 2>/dev/null
wait "$CW_PID"
RC=$?
CW_PID=""
check "closed pipe, quiet follow: a quiet stop, status 0" test "$RC" -eq 0

finish
