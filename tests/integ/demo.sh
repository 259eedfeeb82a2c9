#!/bin/sh
# make demo's script (tests/tools/demo.sh), both ways a newcomer meets it:
# without a terminal it writes lines and exits 0; on a terminal (a private
# tmux server) it opens the UI, which q closes. Each run is a session of its
# own, so "nothing left behind" is: no process of that session remains.
. tests/integ/lib/setup.sh
SOCK=cwdemux-demo-$$
TM_UP=""
tm() {
	tmux -L "$SOCK" "$@"
}
at_exit '[ -n "$TM_UP" ] && tm kill-server 2>/dev/null'

# none_left SID: no process of session SID runs but its leader; those
# that do are listed. A zombie is not running: one left by a program
# that died is init's to reap, however soon it does.
none_left() {
	ps -e -o sid=,pid=,stat=,args= | awk -v s="$1" \
	    '$1 == s && $2 != s && $3 !~ /^Z/ { print; n++ } END { exit n > 0 }'
}

# Without a terminal: a short job, as lines.
DEMO_SECONDS=6 TMPDIR=$T setsid sh "$TOP/tests/tools/demo.sh" \
    >"$T/lines.out" 2>"$T/lines.err" </dev/null &
sid=$!
wait "$sid"
rc=$?
if [ "$rc" -eq 0 ]; then
	ok
else
	fail "lines: exit status $rc, want 0"
	sed 's/^/    /' "$T/lines.err" | tail -20
fi
for g in data_group train_group eval_group; do
	check "lines: group $g" grep -q "^$g " "$T/lines.out"
done
check "lines: MPI workers placed, nothing unassigned" \
    sh -c "! grep -q '^unassigned ' '$T/lines.out'"
contains "lines: twelve hosts" "$T/lines.err" "12 hosts in 3 groups; 12 streams"
contains "lines: the failing host's traceback" "$T/lines.out" \
    "train_group algo-4 Traceback (most recent call last):"
contains "lines: and its error" "$T/lines.out" \
    "train_group algo-4 torch.cuda.OutOfMemoryError: CUDA out of memory."
contains "lines: the first failure is found" "$T/lines.err" \
    "first failure: group train_group, "
check "lines: nothing left running" none_left "$sid"
check "lines: the temp dir is gone" \
    test -z "$(find "$T" -mindepth 1 -maxdepth 1 -name 'cwdemux-demo.*')"

# On a terminal: the UI opens on the live job; q ends it all.
# wait_screen TEXT: until the pane shows TEXT (at most 60 s).
wait_screen() {
	for _i in $(seq 600); do
		tm capture-pane -p -t demo | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	tm capture-pane -p -t demo
	return 1
}
# ended RC: the demo ended with status RC (else the end of its stderr).
ended() {
	wait_screen "rc=$1" && return 0
	tail -5 "$T/ui.err"
	return 1
}
tm -f /dev/null new-session -d -s demo -x 120 -y 40 \
    "env -i PATH='$PATH' HOME='$T' LANG=C.UTF-8 TERM=screen PS1='$ ' \
    TMPDIR='$T' CWDEMUX='$CWDEMUX' DEMO_SECONDS=6 sh"
TM_UP=1
sid=$(tm display -p -t demo '#{pane_pid}')
wait_screen '$' >/dev/null
tm send-keys -t demo "sh $TOP/tests/tools/demo.sh 2>>$T/ui.err; echo rc=\$?" Enter
check "ui: opens on the job" wait_screen "cwdemux  hetero-demo  InProgress"
check "ui: three groups, twelve hosts" wait_screen \
    "data_group ml.c5.18xlarge 3/3  | train_group ml.p3dn.24xlarge 6/6  | eval_group ml.g5.2xlarge 3/3"
check "ui: the job fails" wait_screen "hetero-demo  Failed (Failed)"
tm send-keys -t demo q
check "ui: q, exit 0" ended 0
check "ui: nothing left running" none_left "$sid"

# Control-C in the UI ends the demo too, and everything it started.
tm send-keys -t demo clear Enter
tm send-keys -t demo "sh $TOP/tests/tools/demo.sh 2>>$T/ui.err; echo rc=\$?" Enter
check "ui again: opens on the job" wait_screen "cwdemux  hetero-demo  InProgress"
tm send-keys -t demo C-c
check "control-C: exit 130" ended 130
check "control-C: nothing left running" none_left "$sid"

finish
