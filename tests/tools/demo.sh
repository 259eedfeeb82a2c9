#!/bin/sh
# make demo: cwdemux on a live job, with nothing of AWS but an emulator.
#
# Installs what is missing (tests/tools/deps.sh), builds, then starts on
# 127.0.0.1 a private moto server, the AWS-behaviour proxy in front of it
# (it plays the job's status: moto says Completed at once) and the job
# simulator, which writes a heterogeneous job into moto while cwdemux reads
# it: three instance groups, twelve hosts, MPI worker hosts that never say
# their group, and one host that runs out of GPU memory with a traceback
# while the others time out after it. On a terminal, cwdemux opens its UI
# on the job; without one (CI, a pipe) it writes lines for a bounded time.
# Every process started here is stopped on the way out, however it ends.
#
# Environment: CWDEMUX (a built binary: no install, no build), DEMO_SECONDS
# (how long the job runs before its failure; 90 on a terminal, 10 without),
# PYTHON (python3), TMPDIR.
set -u
cd "$(dirname "$0")/../.." || exit 1
PY=${PYTHON:-python3}
JOB=hetero-demo
LAYOUT=data_group:ml.c5.18xlarge:3,train_group:ml.p3dn.24xlarge:6,eval_group:ml.g5.2xlarge:3
# With this seed the MPI master of train_group is algo-4, the host that fails.
SEED=6
FAIL=algo-4
REASON='AlgorithmError: ExecuteUserScriptError: ExitCode 1'

if [ -t 0 ] && [ -t 1 ]; then
	UI=1
	SECONDS_=${DEMO_SECONDS:-90}
else
	UI=""
	SECONDS_=${DEMO_SECONDS:-10}
fi

say() {
	echo "demo: $*" >&2
}

if [ -z "${CWDEMUX:-}" ]; then
	# On stderr, so that standard output is cwdemux's alone.
	sh tests/tools/deps.sh >&2 || exit 1
	# A make of its own, so the libraries deps.sh just installed are seen.
	${MAKE:-make} -s cwdemux >&2 || exit 1
	CWDEMUX=$PWD/cwdemux
fi

# Nothing of the caller's AWS setup reaches the simulator or cwdemux (a
# profile that boto3 cannot find would end the simulator).
for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-demo.XXXXXX") || exit 1
SIM_PID=""
. tests/integ/lib/cleanup.sh
trap 'exit 130' INT TERM HUP
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh
at_exit 'stop_pids $SIM_PID'

say "starting moto (the AWS emulator) on 127.0.0.1"
moto_start || exit 1
proxy_start --job-status InProgress:Training@0
say "moto at $MOTO_URL, cwdemux reads through the status proxy at $PROXY_URL"

# The simulator, then the job's end: a watcher of its own, so that the
# job fails in SageMaker only once the failing host's traceback is written.
rm -f "$T/ready"
(
	$PY tests/tools/simjob.py "$MOTO_URL" "$T/job" --job "$JOB" \
	    --groups "$LAYOUT" --mpi-workers --fail "$FAIL" --seed "$SEED" \
	    --rate 5 --duration "$SECONDS_" --ready-file "$T/ready" \
	    >"$T/simjob.log" 2>&1 &
	sim=$!
	trap 'kill "$sim" 2>/dev/null; wait "$sim"; exit 143' TERM
	wait "$sim" || exit 1
	$PY - "$PROXY_URL/proxy-control/job-status" "Failed:Failed:$REASON" <<'EOF'
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], data=sys.argv[2].encode(), timeout=10).read()
EOF
) &
SIM_PID=$!
for _i in $(seq 300); do
	[ -e "$T/ready" ] && break
	kill -0 "$SIM_PID" 2>/dev/null || break
	sleep 0.1
done
if [ ! -e "$T/ready" ]; then
	say "the job simulator did not start:"
	cat "$T/simjob.log" >&2
	exit 1
fi
say "job $JOB: 12 hosts in 3 groups; $FAIL fails after about $SECONDS_ s"

# cwdemux as a user runs it, in an environment of its own: no AWS settings
# of the caller's are read, and none are needed but dummy keys.
mkdir "$T/home"
cw() {
	${BOUND:-} env -i PATH="$PATH" HOME="$T/home" TERM="${TERM:-}" \
	    LANG="${LANG:-C.UTF-8}" LC_ALL="${LC_ALL:-}" NO_COLOR="${NO_COLOR:-}" \
	    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
	    "$CWDEMUX" --endpoint-url "$PROXY_URL" --status-interval 2s \
	    --grace 5s "$@" "$JOB"
}

if [ -n "$UI" ]; then
	say "opening the UI: ? lists the keys, q quits"
	cw --summary
	rc=$?
else
	say "no terminal: lines until the job ends"
	BOUND="timeout --foreground $((SECONDS_ + 120))" cw --output lines --summary
	rc=$?
fi
# The job fails, so a run that saw it to the end exits 4; q before the
# end, 0; control-C, 130.
case $rc in
0 | 4) exit 0 ;;
*) say "cwdemux exited with status $rc"; exit "$rc" ;;
esac
