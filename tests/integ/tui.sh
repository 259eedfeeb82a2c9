#!/bin/sh
# The terminal UI, driven for real in a private tmux server: a shell in a
# 120x40 pane runs cwdemux, keys are sent with send-keys and the screen is
# read with capture-pane. Offline (--from the samples, plus a stream of
# hostile bytes) and live (moto, the job simulator and the fault proxy that
# plays the job's status). Every wait polls the screen with a bound.
. tests/integ/lib/setup.sh
GOLD=$TOP/tests/data/golden
JOB=hetero-pt-2024-06-01-12-00-00-123
SOCK=""
TM_N=0
TM_UP=""

tm() {
	tmux -L "$SOCK" "$@"
}

tm_stop() {
	if [ -n "$TM_UP" ]; then
		tm kill-server 2>/dev/null
		TM_UP=""
	fi
}
at_exit tm_stop

# screen [-e]: the pane as text (with -e: with its attributes).
screen() {
	tm capture-pane -p "$@" -t ui
}

# wait_screen TEXT [SECONDS]: until the pane shows TEXT (a fixed string).
wait_screen() {
	_n=$(( ${2:-30} * 10 ))
	while [ "$_n" -gt 0 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "timed out waiting for: $1" >&2
	screen >&2
	return 1
}

# wait_gone TEXT [SECONDS]: until the pane no longer shows TEXT.
wait_gone() {
	_n=$(( ${2:-30} * 10 ))
	while [ "$_n" -gt 0 ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	echo "timed out waiting for the end of: $1" >&2
	screen >&2
	return 1
}

# see NAME TEXT: the pane shows TEXT now or soon.
see() {
	if wait_screen "$2" "${TUI_WAIT:-30}" >"$T/see.out" 2>&1; then
		ok
	else
		fail "$1: the screen does not show \"$2\""
		sed 's/^/    /' "$T/see.out" | head -50
	fi
}

# see_slow NAME TEXT: as see, waiting up to $SLOW seconds (a job of a
# million lines being read, or swept).
see_slow() {
	if wait_screen "$2" "$SLOW" >"$T/see.out" 2>&1; then
		ok
	else
		fail "$1: the screen does not show \"$2\""
		sed 's/^/    /' "$T/see.out" | head -50
	fi
}

# body: the rows between the header (2) and the status line (2).
body() {
	screen | sed -n '3,38p'
}

# A fresh tmux server (on a socket of its own: the last one may still be
# going away) with a shell whose prompt is "$ ", in a clean environment.
# EXTRA (variable=value words) is added to it.
tm_start() {
	tm_stop
	TM_N=$((TM_N + 1))
	SOCK="cwdemux-tui-$$-$TM_N"
	tm -f /dev/null new-session -d -s ui -x 120 -y 40 \
	    "env -i PATH='$PATH' HOME='$T/home' TMPDIR='$T' LANG=C.UTF-8 TERM=screen \
	    PS1='$ ' $EXTRA sh"
	TM_UP=1
	tm set-option -g set-clipboard on
	tm set-option -g allow-rename on
	tm set-option -g allow-passthrough off 2>/dev/null
	tm set-option -g remain-on-exit on
	wait_screen '$' 10
}

# ui ARGS...: start cwdemux in the pane; "rc=N" shows when it ends.
ui() {
	tm send-keys -t ui "clear; $CWDEMUX $* 2>$T/ui.err; echo rc=\$?" Enter
}

# The pane's escapes are SGR attributes only: no log byte drove tmux.
only_sgr() {
	screen -e | $PY tests/tools/tuiscreen.py sgr-only
}

# The pane uses attributes (bold, reverse) but sets no colour.
no_color() {
	screen -e | $PY tests/tools/tuiscreen.py no-color
}

mkdir "$T/home"
$PY tests/tools/samples2tree.py --layout plain "$T/plain" >/dev/null
# A stream of hostile bytes for train_group's host, after its last line.
f=$(ls "$T/plain/$JOB"/algo-2-*)
PYTHONPATH=tests/tools $PY tests/tools/tuiscreen.py hostile "$f"
"$CWDEMUX" --from "$T/plain" --export "$T/ref" "$JOB" >/dev/null 2>&1

# Offline: the samples, read into the UI, which stays until q.
tm_start
ui --from "$T/plain" --export "$T/alongside" --assign nohost=g "$JOB"
see "header: job" "cwdemux  $JOB  from files (all read)"
see "header: groups and hosts" "data_group 2  | train_group 1"
see "overview: data pane" "> data_group  hosts 2"
see "overview: train pane" "  train_group  hosts 1"
check "overview: data pane shows its hosts" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | sed -n '4,20p' | grep -q '^algo-[13] '"
see "a warning while curses runs is counted" "warnings 1: --assign nohost"
check "no escape but SGR" only_sgr

# Switching: Tab, a digit, all groups.
tm send-keys -t ui Tab
see "Tab selects the next group" "> train_group"
tm send-keys -t ui 1
see "1 focuses data_group" "> data_group  hosts 2"
check "data_group view: only its hosts" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | sed -n '4,38p' | grep -v '^algo-[13] ' | grep -q . && exit 1 || exit 0"
tm send-keys -t ui 2
see "2 focuses train_group" "> train_group  hosts 1"
tm send-keys -t ui a
see "a: all groups" "all groups, interleaved"
see "a: lines tagged by group" "[data_group] algo-"
see "a: lines tagged by group" "[train_group] algo-2"
# Its title adds up every group's hosts and lines (it said "hosts 0  0
# lines"); the export of the same lines says how many.
all_lines=$($PY -c 'import json,sys
print(sum(g["lines"] for g in json.load(open(sys.argv[1]))["groups"]))' \
    "$T/ref/manifest.json")
see "a: the title counts all hosts and lines" \
    "all groups, interleaved  hosts 3  $all_lines lines"

# Hostile bytes: shown visibly, never obeyed.
see "SGR as colour, other escapes shown as ^[" "ERROR step 0 ^[[2J^[[Hscreen cleared"
see "OSC 52 shown" "^[]52;c;"
see "C1 bytes shown" "\\x9b31m8-bit CSI"
see "encoded C1 shown" "<U+009B>31mUTF-8 encoded C1 CSI"
see "bidi override shown" "bidi <U+202E>exe.txt<U+202C>"
see "invalid UTF-8 shown" "invalid UTF-8 \\xff\\xfe \\xc3( \\xe2\\x82 lone \\x80"
see "NUL shown" "NUL^@inside^@the message"
check "hostile: no escape but SGR" only_sgr
check "hostile: no clipboard write (OSC 52)" test -z "$(tm list-buffers)"
check "hostile: the title is unchanged" sh -c \
    "! tmux -L $SOCK display -p -t ui '#{pane_title}' | grep -q -e pwned -e title"

# Search: the newest match, highlighted; n goes to older ones.
tm send-keys -t ui / 'loss=[0-9.]+' Enter
see "search: shown in the status line" "search /loss=[0-9.]+/"
see "search pauses" " PAUSED "
check "search: the match is highlighted" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | grep -q 'loss=2.2961'"
tm send-keys -t ui /
tm send-keys -t ui '(' Enter
see "invalid regex: a message, no crash" "search: regex at offset 1: missing closing parenthesis"
tm send-keys -t ui / Enter G
wait_gone "search /"

# Filter in and out, and narrowing to one host.
tm send-keys -t ui 1 f 'produced batch' Enter
see "filter in: status line" "only /produced batch/"
check "filter in: every line matches" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | sed -n '4,38p' | grep . | grep -v 'produced batch' | grep -q . && exit 1 || exit 0"
tm send-keys -t ui F 'produced batch' Enter
see "filter out: status line" "hiding /produced batch/"
check "filter out: no line matches" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | sed -n '4,38p' | grep -q 'produced batch'"
tm send-keys -t ui f Enter h
see "h narrows to a host" "| host algo-"
h=$(screen | sed -n 's/.*| host \(algo-[0-9]\).*/\1/p')
check "narrowed: every line is that host's" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | sed -n '4,38p' | grep . | grep -v '^$h ' | grep -q . && exit 1 || exit 0"
tm send-keys -t ui h h
wait_gone "| host algo-"

# Timestamps, wrapping, pause.
tm send-keys -t ui t
see "t: times" "12:05:"
tm send-keys -t ui f PYTHONPATH Enter w
see "w: wrapping" "| wrap "
check "w: long lines go on on the next rows" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | sed -n '4,38p' | grep . | grep -q -v '^[0-9][0-9]:'"
tm send-keys -t ui w
wait_gone "| wrap "
check "unwrapped: every row is a line" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | sed -n '4,38p' | grep . | grep -q -v '^[0-9][0-9]:'"
tm send-keys -t ui f Enter
wait_gone "only /PYTHONPATH/"
tm send-keys -t ui t p
see "p pauses" " PAUSED "
tm send-keys -t ui p
see "p again follows" " FOLLOW "

# Scrolling: Home shows the oldest line, PgDn/End come back.
tm send-keys -t ui 2 Home
see "Home: the oldest line" "algo-2 bash: cannot set terminal process group"
tm send-keys -t ui End
see "End: following" " FOLLOW "
# The mouse wheel (X10 reports, as TERM=screen asks): up scrolls and
# pauses, down past the end follows again.
tm send-keys -t ui -H 1b 5b 4d 60 2a 2a
see "wheel up: paused" " PAUSED "
for _i in 1 2 3; do
	tm send-keys -t ui -H 1b 5b 4d 61 2a 2a
done
see "wheel down to the end: following" " FOLLOW "

# Export from the UI: the same files as --export, and --export alongside.
tm send-keys -t ui e C-u "$T/inui" Enter
see "export: said" "exported "
for f in data_group.log train_group.log manifest.json; do
	same "export from the UI: $f" "$T/inui/$f" "$T/ref/$f"
done
# The UI's export overwrites nothing (#15): a directory holding an export
# (finished: a manifest; running: this UI's own --export, locked) or any
# file is refused and left as it was; an empty one is written.
find "$T/ref" -printf '%p %s %T@\n' | sort >"$T/ref.before"
tm send-keys -t ui e C-u "$T/ref" Enter
see "export: --export's directory is refused" \
    "holds a resumable export (.cwdemux-state)"
check "export: the refused export is untouched" sh -c \
    "find '$T/ref' -printf '%p %s %T@\\n' | sort | cmp - '$T/ref.before'"
tm send-keys -t ui e C-u "$T/alongside" Enter
see "export: the UI's own --export is refused" "in use by another cwdemux"
mkdir "$T/other" "$T/empty" && echo mine >"$T/other/notes.txt"
tm send-keys -t ui e C-u "$T/other" Enter
see "export: a directory with a file is refused" "holds the file notes.txt"
contains "export: the file there is kept" "$T/other/notes.txt" mine
tm send-keys -t ui e C-u "$T/empty" Enter
see "export: an empty directory is written" "exported "
same "export: into an empty directory" "$T/empty/manifest.json" \
    "$T/ref/manifest.json"
tm send-keys -t ui e C-u "$T/empty" Enter
see "export: the UI's own export is not overwritten" \
    "holds an export (manifest.json)"

# Resize: the layout follows the window.
tm resize-window -t ui -x 80 -y 24
see "resize: status line on the new last rows" " FOLLOW | "
# (Polled: tmux keeps the old rows' bottom until the UI redraws.)
check "resize: status line is row 23" sh -c \
    "for i in \$(seq 100); do tmux -L $SOCK capture-pane -p -t ui | sed -n 23p | grep -q FOLLOW && exit 0; sleep 0.1; done; exit 1"
check "resize: no escape but SGR" only_sgr
tm resize-window -t ui -x 120 -y 40

# Help, then q: the terminal is back and the held warning printed.
tm send-keys -t ui '?'
see "help lists keys" "narrow to the next / previous host"
tm send-keys -t ui x q
see "q: exit status 0" "rc=0"
check "q: alternate screen left" test "$(tm display -p -t ui '#{alternate_on}')" = 0
contains "held warning printed after the UI" "$T/ui.err" "warning: --assign nohost"
for f in data_group.log train_group.log manifest.json; do
	same "--export alongside the UI: $f" "$T/alongside/$f" "$T/ref/$f"
done

# Control-C: interrupted, the terminal restored.
ui --from "$T/plain" "$JOB"
see "again" "> data_group"
tm send-keys -t ui C-c
see "C-c: exit status 130" "rc=130"
check "C-c: alternate screen left" test "$(tm display -p -t ui '#{alternate_on}')" = 0

# A failing job (genjob --fail): the header names the first failure and
# counts errors per group as --summary does; ! lands on its traceback, ]
# and [ step through the errors of a group or of all groups.
$PY tests/tools/genjob.py "$T/fail" --layout plain \
    --groups data_group:ml.c5.18xlarge:2,train_group:ml.p3dn.24xlarge:3 \
    --lines-per-host 300 --seed 11 --fail algo-2 >/dev/null
"$CWDEMUX" --from "$T/fail" --summary --output json >/dev/null \
    "$($PY tests/tools/tuiscreen.py json-get "$T/fail/truth.json" job)" 2>"$T/fail.sum"
eval "$($PY tests/tools/tuiscreen.py fail-truth "$T/fail/truth.json" "$T/fail.sum")"
ui --from "$T/fail" "$FJOB"
see "failure: the first failure in the header" \
    "first failure $FTIME $FGROUP $FHOST  $FSUM"
see "failure: errors of train_group in the header" \
    "train_group 3, $ERR_train_group errors"
see "failure: errors of data_group in the header" \
    "data_group 2, $ERR_data_group errors"
see "failure: errors and warnings in the pane's title" \
    "lines  $ERR_train_group errors  $WARN_train_group warnings"
tm send-keys -t ui '!'
see "!: the first failure, said" \
    "first failure, error 1/$ERR_train_group: $FTIME $FGROUP $FHOST $FSUM"
see "!: train_group focused, errors by host" \
    "$ERR_train_group errors  $WARN_train_group warnings  by host: "
check "!: its traceback's first line is highlighted" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | grep -qx '!$FHOST Traceback (most recent call last):'"
check "!: only that line is highlighted" sh -c \
    "test \$(tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | wc -l) -eq 1"
check "!: its summary line shows below it" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | grep -q '^|$FHOST $FSUM'"
tm send-keys -t ui ']'
see "]: the next error of the group" "error 2/$ERR_train_group: "
check "]: an error line is highlighted" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | grep -q '^!algo-[2-5] '"
tm send-keys -t ui '['
see "[: back to the first" "error 1/$ERR_train_group: $FTIME $FGROUP $FHOST"
check "[: the traceback again" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | grep -qx '!$FHOST Traceback (most recent call last):'"
tm send-keys -t ui '['
see "[: none older in the group" "no older error in this group"
# From the end, [ counts every error of the group back, as --summary does.
tm send-keys -t ui G '['
see "[ from the end: the group's last error" "error $ERR_train_group/$ERR_train_group: "
i=1
while [ "$i" -lt "$ERR_train_group" ]; do
	tm send-keys -t ui '['
	i=$((i + 1))
done
see "[ through the group: down to the first" "error 1/$ERR_train_group: "
# All groups interleaved: every error of the job.
all=$((ERR_train_group + ERR_data_group))
tm send-keys -t ui a G '['
see "a, [: the job's last error" "error $all/$all: "
check "a: the highlighted line is tagged by group" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | grep -q '^!\[[a-z_]*\] algo-'"
tm send-keys -t ui '!'
see "a, !: the first failure among all errors" "first failure, error "
check "a, !: the view stays interleaved" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | grep -q 'all groups, interleaved'"
check "a, !: highlighted" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | grep -qx '!\[$FGROUP\] $FHOST Traceback (most recent call last):'"
# Narrowed to a host: its errors in the status line, as in the title.
tm send-keys -t ui 2 h
see "h: narrowed" "| host algo-"
h=$(screen | sed -n 's/.*| host \(algo-[0-9]\) (\([0-9]*\) errors*).*/\1 \2/p')
check "h: the host's errors in the status line" test -n "$h"
check "h: the same count as the title's" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | grep -q 'by host: .*${h% *} ${h#* }'"
tm send-keys -t ui q
see "failure: q" "rc=0"
# A spool over its disk budget: the oldest lines are dropped and counted;
# the first failure's line is gone, and said to be; [ passes over dropped
# errors to the newest one kept; an export says it is incomplete.
# The job goes on after the failure (3000 lines), so its line is dropped.
cp -R "$T/fail" "$T/failmore"
f=$(ls "$T/failmore/$FJOB"/algo-1-* | head -1)
$PY -c 'import sys
with open(sys.argv[1], "a") as f:
    for i in range(3000):
        f.write("2024-06-01T13:%02d:%02d.000Z still running %d\n" % (i // 60 % 60, i % 60, i))' "$f"
ui --from "$T/failmore" --spool-limit 64K "$FJOB"
see "spool limit: the first failure still in the header" \
    "first failure $FTIME $FGROUP $FHOST  $FSUM"
see "spool limit: dropped lines counted" "lines dropped (--spool-limit)"
tm send-keys -t ui '!'
see "spool limit: !: its line is gone" \
    "that error's line is no longer in the spool"
tm send-keys -t ui e C-u "$T/part" Enter
see "spool limit: the export is said to be incomplete" "INCOMPLETE"
contains "spool limit: the export's manifest says incomplete" \
    "$T/part/manifest.json" '"complete": false'
tm send-keys -t ui q
see "spool limit: q" "rc=0"

# Wide and combining characters: every row keeps its columns. Each line's
# text is 10 columns before "|END" (ASCII, CJK, emoji, combining accents);
# a line of CJK wraps into rows of at most the width; one cut at the edge
# leaves no half character.
mkdir -p "$T/wide/j/algo-1-1"
$PY tests/tools/tuiscreen.py wide "$T/wide/j/algo-1-1/000000"
ui --from "$T/wide" j
see "wide: the UI" "> g  hosts 1"
tm send-keys -t ui 1
see "wide: the group" "w5 "
screen >"$T/wide.screen"
check "wide: every 10-column text ends at the same column" \
    $PY tests/tools/tuiscreen.py cols aligned "$T/wide.screen"
check "wide: no row is wider than the window" \
    $PY tests/tools/tuiscreen.py cols width 120 "$T/wide.screen"
check "wide: the cut line ends in whole characters" sh -c \
    "grep '^j/algo-1-1 cut x' $T/wide.screen | grep -v '|END' | grep -q 'x\$'"
check "wide: no escape but SGR" only_sgr
tm send-keys -t ui w
see "wide: wrapping" "| wrap "
screen >"$T/wrap.screen"
check "wide, wrapped: no row wider than the window" \
    $PY tests/tools/tuiscreen.py cols width 120 "$T/wrap.screen"
check "wide, wrapped: the long line whole, over rows" \
    $PY tests/tools/tuiscreen.py cols long "$T/wrap.screen"
check "wide, wrapped: the status line in its place" sh -c \
    "sed -n 39p $T/wrap.screen | grep -q '| wrap'"
tm send-keys -t ui q
see "wide: q" "rc=0"

# Out of memory while the UI runs (a 64 MB line, with little memory): the
# terminal is restored and the failure printed.
mkdir -p "$T/big/j/algo-1-1"
{
	printf '2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=g\n'
	printf '2024-06-01T00:00:01.000Z '
	head -c 67108864 /dev/zero | tr '\0' x
	printf '\n'
} >"$T/big/j/algo-1-1/000000"
if nm "$CWDEMUX" 2>/dev/null | grep -q __asan_init; then
	# ASan reserves far more address space than any ulimit allows.
	limit="ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=20:detect_leaks=0"
else
	limit="ulimit -v 120000;"
fi
tm send-keys -t ui "clear; ($limit exec $CWDEMUX --from $T/big j 2>$T/oom.err); echo rc=\$?" Enter
see "out of memory: exit status 70" "rc=70"
check "out of memory: alternate screen left" test "$(tm display -p -t ui '#{alternate_on}')" = 0
contains "out of memory: said" "$T/oom.err" "cwdemux: out of memory"
check "out of memory: the spool removed" sh -c "! ls '$T' | grep -q '^cwdemux-spool'"
rm -rf "$T/big"

# NO_COLOR: attributes, no colours.
EXTRA="NO_COLOR=1" tm_start
ui --from "$T/plain" "$JOB"
see "NO_COLOR: the UI runs" "> data_group"
check "NO_COLOR: no colour in the pane" no_color
tm send-keys -t ui q
see "NO_COLOR: q" "rc=0"

# --no-ui and --output keep the lines output on a terminal.
ui --no-ui --from "$T/plain" "$JOB"
see "--no-ui: lines" "train_group algo-2 "
ui --output none --from "$T/plain" "$JOB"
see "--output none: nothing on the terminal" "rc=0"

# Shaping (#16, #19): collector escapes decoded, a progress bar's latest
# state, the log's SGR colours (and only colours), hosts of one group in
# shades of its colour, times in --timezone, the command line's selection
# as the initial filter, MPI ranks narrowed and in a column.
EXTRA="" tm_start
mkdir -p "$T/shape/j/algo-1-1" "$T/shape/j/algo-2-1"
$PY - "$T/shape/j" <<'EOF'
import sys
d = sys.argv[1]
one = ["SM_CURRENT_INSTANCE_GROUP=g",
       "step 71#011loss=2.2502#011throughput=5109.4 img/s",
       "  0%|          | 0/10 [00:00<?, ?it/s]#015 50%|#####     | 5/10 [00:01<00:01, 5it/s]#015100%|##########| 10/10 [00:02<00:00, 5it/s]",
       "epoch:  10%|#         | 1/10 [00:01<00:09, 1.0it/s]",
       "epoch:  20%|##        | 2/10 [00:02<00:08, 1.0it/s]",
       "epoch:  30%|###       | 3/10 [00:03<00:07, 1.0it/s]",
       "\x1b[31mred alert\x1b[0m plain again \x1b[2Jnot a colour",
       "[1,mpirank:0,algo-1]<stdout>:rank zero says hello",
       "[1,mpirank:1,algo-1]<stdout>:rank one says hello"]
two = ["SM_CURRENT_INSTANCE_GROUP=g", "the second host of g"]
for host, lines in (("algo-1-1", one), ("algo-2-1", two)):
    with open("%s/%s/000000" % (d, host), "w") as f:
        for i, l in enumerate(lines):
            f.write("2024-06-01T00:00:%02d.000Z %s\n" % (i, l))
EOF
ui --from "$T/shape" --timezone +02:00 j
see "shape: the UI" "> g  hosts 2"
tm send-keys -t ui 1
see "shape: #011 is a TAB" "j/algo-1-1 step 71 loss=2.2502 "
see "shape: a CR bar shows its last state" "100%|##########| 10/10"
check "shape: not its first states" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | grep -q ' 50%|#####'"
see "shape: bar messages: the latest" "epoch:  30%|###"
check "shape: the older states hidden" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | grep -q 'epoch:  20%'"
see "shape: SGR shown as colour, other escapes neutralised" \
    "red alert plain again ^[[2Jnot a colour"
check "shape: red alert in red" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | grep -q '\[3[18][;m0-9]*mred alert'"
check "shape: hosts of one group in two shades" \
    $PY tests/tools/tuishades.py "$SOCK" j/algo-1-1 j/algo-2-1
tm send-keys -t ui t
see "shape: --timezone +02:00" "02:00:01.000 j/algo-1-1 step 71"
tm send-keys -t ui r
see "shape: r narrows to rank 0" "| rank 0 "
check "shape: only rank 0's lines" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | grep -q -e 'rank one' -e 'step 71'"
tm send-keys -t ui c
see "shape: c: the rank in a column, the tag off" \
    "j/algo-1-1 r0 rank zero says hello"
tm send-keys -t ui r r c
wait_gone "| rank "
tm send-keys -t ui q
see "shape: q" "rc=0"
ui --from "$T/shape" --raw j
see "shape: --raw" "> g  hosts 2"
tm send-keys -t ui 1
see "shape: --raw: escapes as received" "step 71#011loss"
see "shape: --raw: every bar message" "epoch:  20%"
tm send-keys -t ui q
see "shape: --raw: q" "rc=0"
ui --from "$T/shape" --include hello j
see "shape: --include: the initial filter" "| selected by the command line"
tm send-keys -t ui 1
check "shape: --include: only the selected events" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | grep -q 'step 71'"
tm send-keys -t ui f Enter
wait_gone "| selected by the command line"
see "shape: f, empty: every line again" "step 71"
tm send-keys -t ui q
see "shape: --include: q" "rc=0"
# An MPI job (as ranks.sh's): rank 11 runs on algo-3 (the tags guess
# algo-2) and fails; the header and ! name the rank on its real host.
$PY tests/tools/genjob.py "$T/mpi" --layout plain --seed 6 --mpi-workers \
    --groups data_group:ml.c5.18xlarge:1,train_group:ml.p3dn.24xlarge:2 \
    --lines-per-host 400 --fail-rank 11 >/dev/null
MJOB=$($PY tests/tools/tuiscreen.py json-get "$T/mpi/truth.json" job)
"$CWDEMUX" --from "$T/mpi" --export "$T/mpi.ref" "$MJOB" 2>/dev/null
ui --from "$T/mpi" "$MJOB"
see "mpi: the first failure names the rank and its host" \
    "algo-3 rank 11  torch.cuda.OutOfMemoryError"
tm send-keys -t ui '!'
see "mpi: ! names the rank" "algo-3 rank 11 torch.cuda.OutOfMemoryError"
see "mpi: a rank's line under its real host, via the master" \
    "algo-3 via algo-1 "
tm send-keys -t ui r
see "mpi: r narrows to a rank" "| rank 0 "
# The UI's export marks the forwarded lines as --export does (#19).
tm send-keys -t ui e C-u "$T/mpi.ui" Enter
see "mpi: the export is said" "exported "
same "mpi: the UI's export equals --export: train_group.log" \
    "$T/mpi.ui/train_group.log" "$T/mpi.ref/train_group.log"
check "mpi: the UI's export marks forwarded lines" \
    grep -q ' algo-3<algo-1 \[1,mpirank:11,' "$T/mpi.ui/train_group.log"
tm send-keys -t ui q
see "mpi: q" "rc=0"

# The spool (#20): every line of a job of 1,000,000 lines is in the UI, on
# disk under TMPDIR (0600, removed on q, C-c and SIGTERM; kept with
# --spool), and its first line is found by scrolling, by a search from
# the end, by a filter and a host narrowing swept over every line (Esc
# stops a sweep); the UI's export of it equals --export's; a spool limit
# reached mid-run drops the oldest lines, said; a full disk under the
# spool stops the spool, not the UI.
# A sanitizer build reads several times slower: 200,000 lines there.
# Loading and sweeping the job are waited for up to SLOW seconds.
case $CWDEMUX in
*asan*) HUGE_PER_HOST=25000 ;;
*) HUGE_PER_HOST=125000 ;;
esac
SLOW=${TUI_SLOW_WAIT:-240}
$PY tests/tools/genjob.py "$T/huge" --hosts 8 \
    --lines-per-host "$HUGE_PER_HOST" --layout plain --seed 5 >/dev/null
HJOB=$($PY tests/tools/tuiscreen.py json-get "$T/huge/truth.json" job)
f=$(ls "$T/huge/$HJOB"/algo-1-*)
$PY tests/tools/tuiscreen.py prepend "$f" \
    "2024-06-01T00:00:00.000Z first-line-of-the-job"
"$CWDEMUX" --from "$T/huge" --export "$T/huge.ref" "$HJOB" 2>/dev/null
mkdir "$T/tmp"
SHIM=$TOP/${BUILD:-build}/tools/failshim.so
EXTRA="TMPDIR=$T/tmp" tm_start
# uis ARGS...: cwdemux in the pane (UIENV: variables for it only), its
# pid in $T/ui.pid.
UIENV=""
uis() {
	rm -f "$T/ui.pid"
	tm send-keys -t ui "clear; sh -c 'echo \$\$ >$T/ui.pid; exec env $UIENV $CWDEMUX $*' 2>$T/ui.err; echo rc=\$?" Enter
}
spools() {
	ls "$T/tmp" | grep -c '^cwdemux-spool\.'
}
uis --from "$T/huge" "$HJOB"
see_slow "spool: the job read" "from files (all read)"
check "spool: one spool under TMPDIR" test "$(spools)" -eq 1
check "spool: its files are 0600" sh -c \
    "test -z \"\$(find '$T/tmp' -type f ! -perm 600)\" && test -n \"\$(find '$T/tmp' -type f)\""
tm send-keys -t ui a Home
see_slow "spool: Home shows the job's first line" "first-line-of-the-job"
check "spool: nothing dropped" sh -c "! tmux -L $SOCK capture-pane -p -t ui | grep -q dropped"
tm send-keys -t ui End
wait_gone "first-line-of-the-job"
tm send-keys -t ui / 'first-line-of' Enter
see_slow "spool: a search from the end finds the first line" \
    "first-line-of-the-job"
wait_gone "searching " "$SLOW"
# A filter and a host narrowing over every line: the first line is the
# only one of the whole job that matches, found from the end.
tm send-keys -t ui End
wait_gone "first-line-of-the-job"
tm send-keys -t ui f 'first-line-of' Enter
see_slow "spool: a filter from the end shows the first line" \
    "first-line-of-the-job"
wait_gone "narrowing " "$SLOW"
check "spool: the filter shows that line only" test \
    "$(screen | sed -n '4,38p' | grep -c .)" -eq 1
tm send-keys -t ui F 'first-line-of' Enter h
see "spool: h narrows to the first line's host" "| host algo-1 "
wait_gone "narrowing " "$SLOW"
screen | sed -n '4,38p' >"$T/hbody"
check "spool: every line shown is algo-1's, none the first" sh -c \
    "test \"\$(grep -c '^\[train_group\] algo-1 ' '$T/hbody')\" -eq 35 &&
    ! grep -q first-line-of '$T/hbody'"
tm send-keys -t ui Home
wait_screen "PAUSED" >/dev/null
check "spool: Home, narrowed: the host's oldest line after the first" sh -c \
    "tmux -L $SOCK capture-pane -p -t ui | sed -n 4p | grep -q '^\[train_group\] algo-1 '"
tm send-keys -t ui f Enter H f '^(.+)+\d{40}' Enter
see "spool: a filter that costs (PCRE2's limit each line): swept" \
    "| narrowing "
tm send-keys -t ui Escape
see "spool: Esc stops the sweep" "narrowing stopped: every line shown"
check "spool: the filter is gone" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | grep -q 'only /'"
tm send-keys -t ui e C-u "$T/huge.ui" Enter
see_slow "spool: the export is said" "exported "
for f in data_group.log train_group.log eval_group.log manifest.json; do
	same "spool: the UI's export equals --export: $f" "$T/huge.ui/$f" \
	    "$T/huge.ref/$f"
done
tm send-keys -t ui q
see "spool: q" "rc=0"
check "spool: removed on q" test "$(spools)" -eq 0
uis --from "$T/huge" "$HJOB"
see_slow "spool: again" "from files (all read)"
tm send-keys -t ui C-c
see "spool: C-c" "rc=130"
check "spool: removed on C-c" test "$(spools)" -eq 0
uis --from "$T/huge" "$HJOB"
see_slow "spool: again" "from files (all read)"
kill -TERM "$(cat "$T/ui.pid")"
see "spool: SIGTERM" "rc=130"
check "spool: removed on SIGTERM" test "$(spools)" -eq 0
# SIGHUP (the terminal closed under it): the spool goes with the process.
uis --from "$T/huge" "$HJOB"
see_slow "spool: again" "from files (all read)"
kill -HUP "$(cat "$T/ui.pid")"
see "spool: SIGHUP" "rc=129"
check "spool: removed on SIGHUP" test "$(spools)" -eq 0
uis --from "$T/huge" --spool "$T/kept" "$HJOB"
see_slow "spool: --spool" "from files (all read)"
tm send-keys -t ui q
see "spool: --spool, q" "rc=0"
check "spool: kept with --spool" sh -c "ls '$T/kept' | grep -q spool-"
check "spool: --spool made nothing under TMPDIR" test "$(spools)" -eq 0
# A spool limit reached mid-run (the job's lines take 32 bytes each of
# spool, indexed in place: 32 MB, 6.4 MB under a sanitizer): the oldest
# are dropped, the first line with them; a search no longer finds it; the
# export says it is incomplete.
uis --from "$T/huge" --spool-limit 2M "$HJOB"
see_slow "spool limit mid-run: the job read" "from files (all read)"
see "spool limit mid-run: dropped lines counted" \
    "lines dropped (--spool-limit)"
tm send-keys -t ui a Home
wait_screen "PAUSED" >/dev/null
check "spool limit mid-run: Home: the first line is gone" sh -c \
    "! tmux -L $SOCK capture-pane -p -t ui | grep -q first-line-of-the-job"
tm send-keys -t ui End / 'first-line-of' Enter
see_slow "spool limit mid-run: a search no longer finds it" \
    "no older match for /first-line-of/"
tm send-keys -t ui e C-u "$T/huge.part" Enter
see_slow "spool limit mid-run: the export is said to be incomplete" "INCOMPLETE"
tm send-keys -t ui q
see "spool limit mid-run: q" "rc=0"
check "spool limit mid-run: removed on q" test "$(spools)" -eq 0
# A full disk after 2 writes into the spool: the lines kept stay, the
# others are counted; the UI goes on.
UIENV="LD_PRELOAD=$SHIM FAILSHIM_OPS=write FAILSHIM_PATH=$T/tmp/ FAILSHIM_AFTER=2"
uis --from "$T/huge" "$HJOB"
UIENV=""
see_slow "full disk: said" "new lines are no longer kept"
see "full disk: lines not kept counted" "lines not kept (spool)"
tm send-keys -t ui a Home
see "full disk: the kept lines are shown" "first-line-of-the-job"
tm send-keys -t ui q
see "full disk: q" "rc=0"
contains "full disk: the warning printed after the UI" "$T/ui.err" \
    "No space left on device"
check "full disk: removed on q" test "$(spools)" -eq 0
EXTRA="" tm_start

# Live: the job simulator writes into moto while the UI follows it.
. tests/integ/lib/moto.sh
moto_start
. tests/integ/lib/proxy.sh
. tests/integ/lib/live.sh
proxy_start --job-status InProgress:Training@0
rm -f "$T/ready"
$PY tests/tools/simjob.py "$MOTO_URL" "$T/live" --ready-file "$T/ready" \
    --job live --rate 10 \
    --groups data_group:ml.c5.18xlarge:2,train_group:ml.p3dn.24xlarge:2,eval_group:ml.g5.2xlarge:1 --duration 120 --hostile --seed 3 &
SIM_PID=$!
wait_for "$T/ready"
EXTRA="AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true" tm_start
# --raw-progress: a bar's newer state replaces its older line, which moves
# a paused view by a line (a known defect, in the closing note of #20); the
# pause check below is about new lines, which must not move it.
ui --region us-east-1 --endpoint-url "$PROXY_URL" --grace 1s \
    --status-interval 1s --raw-progress live
see "live header: status" "live  InProgress (Training)"
see "live header: elapsed" "elapsed "
see "live header: data_group, type, hosts" "data_group ml.c5.18xlarge 2/2"
see "live header: train_group" "train_group ml.p3dn.24xlarge 2/2"
see "live header: eval_group" "eval_group ml.g5.2xlarge 1/1"
see "live pane: data_group hosts seen" "data_group  ml.c5.18xlarge  hosts 2/2"
see "live status: requests and budget" "req/s, budget"
see "live status: lag" "| lag "
tm send-keys -t ui a
see "live: all groups" "all groups, interleaved"
see "live hostile: non-SGR ESC visible" "^[[2J^[[Hscreen cleared"
check "live hostile: no escape but SGR" only_sgr
check "live hostile: no clipboard write" test -z "$(tm list-buffers)"
# A stream whose host names no group is held, and counted in the header.
$PY tests/tools/tuiscreen.py held-stream "$MOTO_URL"
see "held: a stream of unknown group counted" "streams  1 stream held (group unknown)"

# Pause: new lines arrive (the count grows) but the view stays (its lines:
# the title row above them counts lines, once a second).
tm send-keys -t ui p
see "live: paused" " PAUSED "
body | sed 1d >"$T/paused1"
n1=$(screen | sed -n 's/.* \([0-9][0-9]*\) events .*/\1/p')
for _i in $(seq 300); do
	n2=$(screen | sed -n 's/.* \([0-9][0-9]*\) events .*/\1/p')
	[ "${n2:-0}" -gt "${n1:-0}" ] && break
	sleep 0.1
done
check "live: events keep coming while paused" test "${n2:-0}" -gt "${n1:-0}"
body | sed 1d >"$T/paused2"
same "live: the paused view does not move" "$T/paused2" "$T/paused1"
tm send-keys -t ui p
see "live: following again" " FOLLOW "

# SIGTERM: the terminal is restored, status 130.
kill -TERM "$(pgrep -f -n -- "--endpoint-url $PROXY_URL")" 2>/dev/null
see "SIGTERM: exit status 130" "rc=130"
check "SIGTERM: alternate screen left" test "$(tm display -p -t ui '#{alternate_on}')" = 0

# A fatal signal: restored, then the signal's own death.
tm send-keys -t ui clear Enter
ui --region us-east-1 --endpoint-url "$PROXY_URL" --status-interval 1s live
see "again: the UI" "live  InProgress (Training)"
kill -SEGV "$(pgrep -f -n -- "--endpoint-url $PROXY_URL")" 2>/dev/null
see "SIGSEGV: died of it" "rc=139"
check "SIGSEGV: alternate screen left" test "$(tm display -p -t ui '#{alternate_on}')" = 0
check "SIGSEGV: the spool removed" sh -c "! ls '$T' | grep -q '^cwdemux-spool'"

# The job ends: the UI says so and stays until q; exit status 0.
ui --region us-east-1 --endpoint-url "$PROXY_URL" --grace 1s \
    --status-interval 1s live
see "live again" "live  InProgress (Training)"
curl -s -X POST -d 'Completed:Completed' "$PROXY_URL/proxy-control/job-status" >/dev/null
see "the end is shown" "live  Completed (Completed)"
tm send-keys -t ui q
see "ended job: q, exit 0" "rc=0"
contains "the summary is printed after the UI" "$T/ui.err" "job live: Completed (Completed)"

# CR LF from CloudWatch (#15): an event keeps its line end, CR LF or a
# lone CR; the UI shows each line without ^M and no empty line for the
# event's own last line end (lines output: inputs.sh). Its export keeps
# the messages as CloudWatch holds them.
$PY tests/tools/tuiscreen.py crlf "$MOTO_URL"
tm send-keys -t ui clear Enter
ui --region us-east-1 --endpoint-url "$MOTO_URL" --no-follow crlf-job
see "CR LF: the UI" "plain"
tm send-keys -t ui a
see "CR LF: all groups" "all groups, interleaved"
body >"$T/crlf.screen"
check "CR LF: no ^M shown" sh -c "! grep -qF '^M' '$T/crlf.screen'"
# The rows from "loss 1" on, each row's text after its host column.
sed -n '/loss 1/,$p' "$T/crlf.screen" | sed 's/^.*algo-1 *//; s/ *$//' |
    sed -n 1,5p >"$T/crlf.rows"
printf '%s\n' 'loss 1' 'loss 2' two lines plain >"$T/crlf.want"
same "CR LF: one row a line, no empty row" "$T/crlf.rows" "$T/crlf.want"
tm send-keys -t ui e C-u "$T/crlf.ui" Enter
see "CR LF: the export is said" "exported "
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_EC2_METADATA_DISABLED=true "$CWDEMUX" --region us-east-1 \
    --endpoint-url "$MOTO_URL" --no-follow --export "$T/crlf.ref" crlf-job \
    >/dev/null 2>&1
same "CR LF: the UI's export equals --export" \
    "$T/crlf.ui/eval_group.log" "$T/crlf.ref/eval_group.log"
tm send-keys -t ui q
see "CR LF: q, exit 0" "rc=0"

# A failing job, live: the other hosts' errors come first, then the
# failing host's out-of-memory traceback, late and with an earlier time;
# the header ends on it, the job's FailureReason beside or below it.
stop_all
proxy_start --job-status InProgress:Training@0
$PY tests/tools/simjob.py "$MOTO_URL" "$T/livefail" --ready-file "$T/ready2" \
    --job live-fail \
    --groups data_group:ml.c5.18xlarge:2,train_group:ml.p3dn.24xlarge:2 \
    --rate 40 --events-per-host 200 --seed 21 \
    --fail algo-3 --fail-late-seconds 3 &
SIM_PID=$!
wait_for "$T/ready2"
ui --region us-east-1 --endpoint-url "$PROXY_URL" --grace 1s \
    --status-interval 1s live-fail
see "live failure: the UI" "live-fail  InProgress (Training)"
wait "$SIM_PID"
check "live failure: the simulator ran" test $? -eq 0
SIM_PID=""
eval "$($PY tests/tools/tuiscreen.py fail-truth "$T/livefail/truth.json" /dev/null)"
see "live failure: the late first failure in the header" \
    "first failure $FTIME $FGROUP $FHOST  $FSUM"
curl -s -X POST -d 'Failed:Failed:AlgorithmError: ExecuteUserScriptError: ExitCode 1' \
    "$PROXY_URL/proxy-control/job-status" >/dev/null
see "live failure: the job's status" "live-fail  Failed (Failed)"
see "live failure: the job's FailureReason" \
    "reason: AlgorithmError: ExecuteUserScriptError: ExitCode 1"
see "live failure: the first failure stays" "first failure $FTIME $FGROUP $FHOST"
tm send-keys -t ui '!'
see "live failure: ! says it" "first failure, error "
check "live failure: ! highlights its traceback" sh -c \
    "tmux -L $SOCK capture-pane -p -e -t ui | $PY tests/tools/tuiscreen.py highlighted | grep -qx '!$FHOST Traceback (most recent call last):'"
check "live failure: no escape but SGR" only_sgr
see "live failure: all read" "streams (all read)"
tm send-keys -t ui q
see "live failure: q, exit 4 (the job failed)" "rc=4"

stop_all
finish
