#!/bin/sh
# cwdemux --live-tail following a running job whose events reach moto
# through the fault proxy, so its Live Tail emulator pushes them: every
# event exactly once against the ground truth, with Live Tail healthy and
# 1,000 identical events in one millisecond (sampled to 500 by Live Tail,
# the rest found by the backstop); with sessions that time out, are reset
# mid-frame and fail a CRC while most seconds are sampled; and with Live
# Tail refused at the start (polling alone, after a warning).
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
moto_start
mkdir "$T/home"

. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh

# live_follow NAME EXTRA-STEP SIMJOB-ARGS...: follow job NAME with
# --live-tail while simjob writes it through the proxy; EXTRA-STEP runs
# once simjob is done, before the job ends.
live_follow() {
	_name=$1 _extra=$2
	shift 2
	rm -f "$T/ready"
	curl -s -X POST -d 'InProgress:Training' \
	    "$PROXY_URL/proxy-control/job-status" >/dev/null
	$PY tests/tools/simjob.py "$PROXY_URL" "$T/$_name" --ready-file "$T/ready" \
	    --job "$_name" "$@" >/dev/null &
	SIM_PID=$!
	wait_for "$T/ready"
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    timeout 300 "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
	    --live-tail --grace 2s --status-interval 1s --output json "$_name" \
	    >"$T/$_name.jsonl" 2>"$T/$_name.err" &
	CW_PID=$!
	wait "$SIM_PID"
	SIM_PID=""
	$_extra
	curl -s -X POST -d Completed:Completed \
	    "$PROXY_URL/proxy-control/job-status" >/dev/null
	wait "$CW_PID"
	_rc=$?
	CW_PID=""
	return $_rc
}

identical() {
	$PY tests/tools/ltident.py "$PROXY_URL" "$T/healthy" 1000
	# Until the backstop has read them too (at most its pace, 30 s).
	_want=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/healthy/truth.json")
	for _i in $(seq 900); do
		[ "$(wc -l <"$T/healthy.jsonl")" -ge "$_want" ] && break
		$PY -c 'import time; time.sleep(0.1)'
	done
}

proxy_start --job-status InProgress:Training@0
live_follow healthy identical --hosts 4 --rate 20 --duration 6 --seed 11
check "healthy: exit 0" test $? -eq 0
check "healthy: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/healthy" "$T/healthy.jsonl"
check "healthy: 1,000 identical events, 1,000 times" test \
    "$(grep -c 'the same line, many times in one millisecond' "$T/healthy.jsonl")" -eq 1000
contains "healthy: Live Tail brought them" "$T/healthy.err" "by Live Tail in 1 session)"
check "healthy: most by Live Tail" $PY - "$T/healthy.err" <<'PYEOF'
import re, sys
m = re.search(r"(\d+) events \((\d+) by Live Tail", open(sys.argv[1]).read())
assert m and int(m.group(2)) * 2 > int(m.group(1)), m and m.groups()
PYEOF
curl -s "$PROXY_URL/proxy-control/live" >"$T/live.json"
check "healthy: a sampled second" $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["sampled_updates"] >= 1' "$T/live.json"
proxy_stop

# Sessions that end three ways while most seconds are sampled.
proxy_start --job-status InProgress:Training@0 --live-sample 30 \
    --live-script timeout@3,reset@3,corrupt@3
live_follow broken true --hosts 6 --rate 15 --duration 14 --seed 12
check "broken: exit 0" test $? -eq 0
# Recovered events come late (out of their stream's order): a multiset.
check "broken: every event once" \
    $PY tests/tools/checkonce.py "$T/broken" "$T/broken.jsonl"
contains "broken: the reset is said" "$T/broken.err" "Connection reset by peer; trying again in"
contains "broken: the bad CRC is said" "$T/broken.err" "event stream: message CRC"
contains "broken: four sessions" "$T/broken.err" "by Live Tail in 4 sessions)"
proxy_stop

# The UI: the header says LIVE; the L key switches Live Tail off and on.
SOCK="cwdemux-livetail-$$"
tm() {
	tmux -L "$SOCK" "$@"
}
# see TEXT [ABSENT]: the pane shows TEXT (with ABSENT: no longer shows it)
# within 60 s.
see() {
	for _i in $(seq 600); do
		if tm capture-pane -p -t ui | grep -qF -- "$1"; then
			[ -z "$2" ] && return 0
		elif [ -n "$2" ]; then
			return 0
		fi
		$PY -c 'import time; time.sleep(0.1)'
	done
	return 1
}
proxy_start --job-status InProgress:Training@0
rm -f "$T/ready"
$PY tests/tools/simjob.py "$PROXY_URL" "$T/ui" --ready-file "$T/ready" \
    --job ui --hosts 2 --rate 5 --duration 600 --seed 14 >/dev/null &
SIM_PID=$!
wait_for "$T/ready"
at_exit 'tm kill-server 2>/dev/null'
tm -f /dev/null new-session -d -s ui -x 120 -y 30 \
    "env -i PATH='$PATH' HOME='$T/home' LANG=C.UTF-8 TERM=screen \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_EC2_METADATA_DISABLED=true $CWDEMUX --region us-east-1 \
    --endpoint-url $PROXY_URL --live-tail ui 2>$T/ui.err; sleep 600"
check "UI: the header says LIVE" see "  LIVE"
tm send-keys -t ui L
check "UI: L turns it off" see "Live Tail off: following by polling alone"
check "UI: LIVE is gone" see "  LIVE" absent
tm send-keys -t ui L
check "UI: L turns it on again" see "Live Tail on (AWS bills it per session-minute)"
check "UI: LIVE again" see "  LIVE"
# The proxy sees the first session gone when a write to it fails.
check "UI: two sessions, one open" $PY - "$PROXY_URL" <<'PYEOF'
import json, sys, time, urllib.request
for _ in range(300):
    d = json.load(urllib.request.urlopen(sys.argv[1] + "/proxy-control/live"))
    if (d["sessions"], d["open"]) == (2, 1):
        sys.exit(0)
    time.sleep(0.1)
sys.exit("sessions %d, open %d" % (d["sessions"], d["open"]))
PYEOF
tm send-keys -t ui q
tm kill-server 2>/dev/null
stop_all

# Interrupted while Live Tail's lines wait for their streams' history (the
# backstop is throttled): they are written out, not dropped.
proxy_start --job-status InProgress:Training@0 --rate FilterLogEvents=0.01
rm -f "$T/ready"
$PY tests/tools/simjob.py "$PROXY_URL" "$T/held" --ready-file "$T/ready" \
    --job held --hosts 2 --rate 5 --duration 600 --seed 15 >/dev/null &
SIM_PID=$!
wait_for "$T/ready"
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" --live-tail \
    --output json held >"$T/held.jsonl" 2>"$T/held.err" &
CW_PID=$!
check "held: Live Tail brought events" $PY - "$PROXY_URL" <<'PYEOF'
import json, sys, time, urllib.request
for _ in range(600):
    if json.load(urllib.request.urlopen(sys.argv[1] + "/proxy-control/live"))["events"] >= 20:
        sys.exit(0)
    time.sleep(0.1)
sys.exit("no events pushed")
PYEOF
kill -STOP "$SIM_PID"
curl -s "$PROXY_URL/proxy-control/live" >"$T/held-live.json"
kill -TERM "$CW_PID"
wait "$CW_PID"
check "held: interrupted, exit 130" test $? -eq 130
CW_PID=""
kill -CONT "$SIM_PID"
check "held: every event Live Tail brought is out" $PY -c '
import json, sys
pushed = json.load(open(sys.argv[1]))["events"]
out = sum(1 for _ in open(sys.argv[2]))
assert out >= pushed, (out, pushed)' "$T/held-live.json" "$T/held.jsonl"
stop_all

# Refused: a warning, then polling alone, as exact.
proxy_start --job-status InProgress:Training@0
curl -s -X POST -d '{"fail": {"StartLiveTail": "400:AccessDeniedException:not authorized to perform logs:StartLiveTail"}}' \
    "$PROXY_URL/proxy-control/config" >/dev/null
live_follow refused true --hosts 3 --rate 10 --duration 4 --seed 13
check "refused: exit 0" test $? -eq 0
check "refused: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/refused" "$T/refused.jsonl"
contains "refused: a warning" "$T/refused.err" "Live Tail refused: StartLiveTail: AccessDeniedException"
contains "refused: polling alone" "$T/refused.err" "following by polling alone"
finish
