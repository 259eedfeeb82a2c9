#!/bin/sh
# cwdemux --live-tail following a running job whose events reach moto
# through the fault proxy, so its Live Tail emulator pushes them: every
# event exactly once against the ground truth, with Live Tail healthy and
# 1,000 identical events in one millisecond (sampled to 500 by Live Tail,
# the rest found by the backstop); started late (the job's history by the
# backstop, the rest by Live Tail), with a stream made after the session
# began and 2,000 events in one second (sampled); with sessions that time
# out, are reset mid-frame and fail a CRC while most seconds are sampled;
# and with Live Tail refused at the start (polling alone, after a warning),
# for good or while the account's sessions are in use.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
moto_start
mkdir "$T/home"

. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh

# live_follow NAME EXTRA-STEP SIMJOB-ARGS...: follow job NAME with
# --live-tail while simjob writes it through the proxy; EXTRA-STEP runs
# once simjob is done, before the job ends. With START_AFTER=N, cwdemux
# starts once simjob has made N PutLogEvents calls (and $T/NAME.start holds
# the wall time, ms, just before); WHILE_WRITING runs while simjob writes.
START_AFTER=0 WHILE_WRITING=true
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
	$PY - "$PROXY_URL" "$START_AFTER" "$T/$_name.start" <<'PYEOF'
import json, sys, time, urllib.request
for _ in range(1200):
    st = json.load(urllib.request.urlopen(sys.argv[1] + "/proxy-control/stats"))
    if st.get("PutLogEvents", {}).get("requests", 0) >= int(sys.argv[2]):
        break
    time.sleep(0.1)
open(sys.argv[3], "w").write("%d\n" % (time.time() * 1000))
PYEOF
	env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
	    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
	    timeout 300 "$CWDEMUX" --region us-east-1 --endpoint-url "$PROXY_URL" \
	    --live-tail --grace 2s --status-interval 1s --output json "$_name" \
	    >"$T/$_name.jsonl" 2>"$T/$_name.err" &
	CW_PID=$!
	$WHILE_WRITING
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

# all_out NAME: wait until the output holds as many events as the truth
# (the backstop reads what Live Tail sampled away within its pace, 30 s).
all_out() {
	_want=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/$1/truth.json")
	for _i in $(seq 900); do
		[ "$(wc -l <"$T/$1.jsonl")" -ge "$_want" ] && break
		$PY -c 'import time; time.sleep(0.1)'
	done
}

identical() {
	$PY tests/tools/livetailwrite.py "$PROXY_URL" "$T/healthy" identical 1000
	all_out healthy
}

# Once the session is live: a new stream, and 2,000 events in a second.
late_writes() {
	$PY - "$PROXY_URL" <<'PYEOF'
import json, sys, time, urllib.request
for _ in range(600):
    if json.load(urllib.request.urlopen(sys.argv[1] + "/proxy-control/live"))["updates"] >= 1:
        sys.exit(0)
    time.sleep(0.1)
sys.exit("no session")
PYEOF
	curl -s "$PROXY_URL/proxy-control/live" >"$T/late-live0.json"
	$PY tests/tools/livetailwrite.py "$PROXY_URL" "$T/late" stream 50
	$PY tests/tools/livetailwrite.py "$PROXY_URL" "$T/late" burst 2000
	all_out late
	curl -s "$PROXY_URL/proxy-control/live" >"$T/late-live1.json"
}

proxy_start --job-status InProgress:Training@0
live_follow healthy identical --hosts 4 --rate 20 --duration 6 --seed 11
check "healthy: exit 0" test $? -eq 0
check "healthy: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/healthy" "$T/healthy.jsonl"
check "healthy: 1,000 identical events, 1,000 times" test \
    "$(grep -c 'the same line, many times in one millisecond' "$T/healthy.jsonl")" -eq 1000
contains "healthy: Live Tail brought them" "$T/healthy.err" "by Live Tail in 1 session)"
curl -s "$PROXY_URL/proxy-control/live" >"$T/live.json"
# Of what the session pushed, most came out by Live Tail (the backstop's
# copy of an event may win the race only now and then). Not most of the
# job: a loaded machine may start the session seconds into the job.
check "healthy: most of what Live Tail pushed, by Live Tail" $PY - \
    "$T/healthy.err" "$T/live.json" <<'PYEOF'
import json, re, sys
m = re.search(r"(\d+) events \((\d+) by Live Tail", open(sys.argv[1]).read())
pushed = json.load(open(sys.argv[2]))["events"]
assert m and int(m.group(2)) * 2 > pushed, (m and m.groups(), pushed)
PYEOF
check "healthy: a sampled second" $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["sampled_updates"] >= 1' "$T/live.json"
proxy_stop

# Started late: the job has logged for a while when cwdemux starts, so its
# history can only come from the backstop; then a stream made after the
# session began, and 2,000 events in one second.
proxy_start --job-status InProgress:Training@0
START_AFTER=12
live_follow late late_writes --hosts 3 --rate 10 --duration 8 \
    --batch-interval 500 --seed 16
check "late: exit 0" test $? -eq 0
START_AFTER=0
# The 2,000 events of one second are sampled: the backstop recovers 1,500
# of them, released late, so order is not checked.
check "late: every event once" \
    $PY tests/tools/checkonce.py "$T/late" "$T/late.jsonl"
check "late: the history by the backstop, the rest by Live Tail" $PY - \
    "$T/late.err" "$T/late/truth.events.jsonl" "$T/late.start" <<'PYEOF'
import json, re, sys
m = re.search(r"(\d+) events \((\d+) by Live Tail", open(sys.argv[1]).read())
before = sum(1 for line in open(sys.argv[2])
             if json.loads(line)["timestamp"] < int(open(sys.argv[3]).read()))
total, live = int(m.group(1)), int(m.group(2))
assert before > 0 and live > 0 and total - live >= before, (total, live, before)
PYEOF
_made="made after Live Tail began, [0-9]* of 50"
check "late: the new stream's 50 events, once each" test \
    "$(grep -c "$_made" "$T/late.jsonl")" -eq 50 -a \
    "$(grep -o "$_made" "$T/late.jsonl" | sort -u | wc -l)" -eq 50
check "late: 2,000 events of one second, once each" test \
    "$(grep -c '"message":"burst event [0-9]* of 2000"' "$T/late.jsonl")" -eq 2000
check "late: Live Tail pushed them, sampled" $PY - "$T/late-live0.json" \
    "$T/late-live1.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["events"] - a["events"] >= 550 and b["sampled_updates"] > a["sampled_updates"], (a, b)
assert b["sessions"] == 1, b
PYEOF
proxy_stop

# Sessions that end three ways while most seconds are sampled. The job
# writes until the fourth session has pushed events (or 4 minutes),
# however slow a loaded machine makes the three before it.
four_sessions() {
	$PY - "$PROXY_URL" <<'PYEOF'
import json, sys, time, urllib.request
def live():
    return json.load(urllib.request.urlopen(sys.argv[1] + "/proxy-control/live"))
for _ in range(2400):
    if live()["sessions"] >= 4:
        break
    time.sleep(0.1)
# Then events pushed by the fourth session.
pushed = live()["events"]
for _ in range(600):
    if live()["events"] > pushed:
        break
    time.sleep(0.1)
PYEOF
	kill -TERM "$SIM_PID"
}
proxy_start --job-status InProgress:Training@0 --live-sample 30 \
    --live-script timeout@3,reset@3,corrupt@3
WHILE_WRITING=four_sessions
live_follow broken true --hosts 6 --rate 15 --duration 240 --seed 12
check "broken: exit 0" test $? -eq 0
WHILE_WRITING=true
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
proxy_stop

# The account's sessions in use: a warning, polling meanwhile, as exact.
proxy_start --job-status InProgress:Training@0
curl -s -X POST -d '{"fail": {"StartLiveTail": "400:LimitExceededException:You have exceeded the maximum number of concurrent Live Tail sessions"}}' \
    "$PROXY_URL/proxy-control/config" >/dev/null
live_follow quota true --hosts 3 --rate 10 --duration 4 --seed 17
check "quota: exit 0" test $? -eq 0
check "quota: every event once" \
    $PY tests/tools/checktruth.py --unordered "$T/quota" "$T/quota.jsonl"
contains "quota: a warning" "$T/quota.err" "Live Tail: StartLiveTail: LimitExceededException"
contains "quota: to try again later" "$T/quota.err" "; trying again in"
finish
