#!/bin/sh
# What users of stern, lnav and aws logs tail reach for, on logs on disk:
# --include/--exclude over whole events, --host/--group globs, --fields,
# --timezone, colour by host (NO_COLOR wins), progress bars and the
# collector's #011/#015/#033 escapes in lines output (--raw and
# --raw-progress show them as they are), and JSON and exports keeping
# CloudWatch's bytes; then the options' errors.
. tests/integ/lib/setup.sh

# A job of two groups: algo-1 and algo-3 in data_group (the map that
# algo-1 prints places algo-3, which prints no marker), algo-2 in
# train_group. Events: escapes, a tqdm bar cut into events, colours, a
# traceback as one event.
mkdir -p "$T/logs/j/algo-1-1717243528" "$T/logs/j/algo-2-1717243536" \
    "$T/logs/j/algo-3-1717243530"
{
	printf '2024-06-01T12:00:00.000Z SM_CURRENT_INSTANCE_GROUP=data_group\n'
	printf '2024-06-01T12:00:00.001Z SM_INSTANCE_GROUPS_DICT={"data_group":{"hosts":["algo-3","algo-1"],"instance_group_name":"data_group","instance_type":"ml.c5.xlarge"},"train_group":{"hosts":["algo-2"],"instance_group_name":"train_group","instance_type":"ml.p3.2xlarge"}}\n'
	printf '2024-06-01T12:00:01.000Z batch 1#011queue=3\n'
	printf '2024-06-01T12:00:03.000Z Traceback (most recent call last):\n'
	printf '  File "/opt/ml/code/x.py", line 3, in <module>\n'
	printf 'ValueError: bad shard\n'
	printf '2024-06-01T12:00:04.000Z DEBUG noise\n'
} >"$T/logs/j/algo-1-1717243528/000000"
{
	printf '2024-06-01T12:00:00.500Z SM_CURRENT_INSTANCE_GROUP=train_group\n'
	printf '2024-06-01T12:00:01.500Z Epoch 1:   0%%|          | 0/4 [00:00<?, ?it/s]#015Epoch 1:  25%%|##5       | 1/4 [00:01<00:03]\n'
	printf '2024-06-01T12:00:02.000Z Epoch 1:  50%%|#####     | 2/4 [00:02<00:02]#015Epoch 1:  75%%|#######5  | 3/4 [00:03<00:01]\n'
	printf '2024-06-01T12:00:02.100Z step 71#011loss=2.25\n'
	printf '2024-06-01T12:00:02.200Z Epoch 1: 100%%|##########| 4/4 [00:04<00:00]\n'
	printf '2024-06-01T12:00:02.300Z #033[32mINFO#033[0m saved #000000 colour\n'
	printf '2024-06-01T12:00:02.400Z safe#015rm -rf ~\n'
	printf '2024-06-01T12:00:02.500Z #033[2J#033[31mcleared?#033]0;title#007\n'
} >"$T/logs/j/algo-2-1717243536/000000"
{
	printf '2024-06-01T12:00:00.200Z starting\n'
	printf '2024-06-01T12:00:02.500Z DEBUG more noise\n'
} >"$T/logs/j/algo-3-1717243530/000000"

run() {
	"$CWDEMUX" --from "$T/logs" "$@" j 2>"$T/err"
}

# Escapes decoded, a bar's latest state, the rest as the program wrote it.
run >"$T/lines"
printf '%s\n' \
    'data_group algo-1 SM_CURRENT_INSTANCE_GROUP=data_group' >"$T/want"
check "escapes: a TAB" grep -qx "$(printf 'data_group algo-1 batch 1\tqueue=3')" "$T/lines"
check "escapes: #000000 is text" grep -q 'INFO.* saved #000000 colour$' "$T/lines"
check "bars: the latest state before another line, then the full bar" test \
    "$(grep -o '[0-9]*%|' "$T/lines" | tr '\n' ' ')" = "75%| 100%| "
check "bars: in their place among the host's lines" sh -c \
    "grep -A2 '75%|' '$T/lines' | sed -n 's/^train_group algo-2 //p' | tr '\\n' '|' | grep -q '75%.*|step 71.*|Epoch 1: 100%'"
check "CR in text that is no bar: shown whole" grep -q "$(printf 'safe\rrm -rf ~')" "$T/lines"
check "pipe: the log's colour bytes as the program wrote them" \
    grep -q "$(printf 'train_group algo-2 \033\\[32mINFO\033\\[0m')" "$T/lines"
run --raw >"$T/raw"
check "--raw: escapes as CloudWatch holds them" grep -q 'train_group algo-2 step 71#011loss=2.25' "$T/raw"
check "--raw: every bar event" test "$(grep -c 'Epoch 1:' "$T/raw")" -eq 3
run --raw-progress >"$T/rawp"
check "--raw-progress: every state on a line" test \
    "$(grep -c 'train_group algo-2 Epoch 1:' "$T/rawp")" -eq 5
check "--raw-progress: escapes decoded" grep -q "$(printf 'step 71\tloss')" "$T/rawp"
run --output json >"$T/json"
check "json: CloudWatch's bytes" grep -q '"message":"Epoch 1:   0%|          | 0/4 \[00:00<?, ?it/s\]#015Epoch' "$T/json"
"$CWDEMUX" --from "$T/logs" --export "$T/x" j 2>/dev/null
check "export: CloudWatch's bytes" grep -q ' algo-2 step 71#011loss=2.25$' "$T/x/train_group.log"
check "export: every bar event" test "$(grep -c 'Epoch 1:' "$T/x/train_group.log")" -eq 3

# Selection: events kept whole; globs; grouping unaffected.
run -i '^ValueError' >"$T/inc"
check "--include keeps the whole traceback" test "$(cat "$T/inc" | wc -l)" -eq 3
check "--include: its first line too" grep -q 'algo-1 Traceback (most' "$T/inc"
run --exclude DEBUG --exclude 'SM_' >"$T/exc"
check "--exclude (twice)" sh -c "! grep -q -e DEBUG -e SM_ '$T/exc'"
check "--exclude keeps the rest" grep -q 'algo-3 starting' "$T/exc"
run -g 'data*' >"$T/grp"
check "--group glob" sh -c "! grep -qv '^data_group ' '$T/grp'"
check "--group: a host without a marker of its own is placed" \
    grep -q '^data_group algo-3 starting' "$T/grp"
run --host 'algo-[23]' --group train_group >"$T/both"
check "--host and --group: both must hold" sh -c \
    "test -s '$T/both' && ! grep -qv '^train_group algo-2 ' '$T/both'"
run --include noise --output json >"$T/sel.json"
check "selection applies to JSON" test "$(wc -l <"$T/sel.json")" -eq 2
"$CWDEMUX" --from "$T/logs" --include noise --export "$T/x2" j 2>/dev/null
check "--export is the record: not filtered" test \
    "$(cat "$T/x2"/*.log | wc -l)" -eq "$(cat "$T/x"/*.log | wc -l)"
"$CWDEMUX" --from "$T/logs" --include noise --export "$T/x3" \
    --export-filtered j 2>/dev/null
check "--export-filtered" test "$(cat "$T/x3"/*.log | wc -l)" -eq 2
check "--export-filtered: a group with nothing shown has no lines" \
    test ! -s "$T/x3/train_group.log"
run --include 'step 71\tloss' >"$T/tab"
check "--include matches the text as shown (a TAB)" test "$(wc -l <"$T/tab")" -eq 1

# Fields and time zones.
run --fields host,time,rank,message --include batch >"$T/f"
check "--fields order" grep -qx "$(printf 'algo-1 2024-06-01T12:00:01.000Z - batch 1\tqueue=3')" "$T/f"
run --fields message,stream --include batch >"$T/f2"
check "--fields: message first" grep -qx "$(printf 'batch 1\tqueue=3 j/algo-1-1717243528')" "$T/f2"
run --fields group,host --include batch >"$T/f3"
check "--fields without message" grep -qx 'data_group algo-1' "$T/f3"
run -t --fields host,message --include batch >"$T/f4"
check "-t with --fields: time first" grep -q '^2024-06-01T12:00:01.000Z algo-1 batch' "$T/f4"
run --timezone Asia/Kolkata -t --include batch >"$T/tz"
check "--timezone ZONE" grep -q '^2024-06-01T17:30:01.000+05:30 data_group' "$T/tz"
run --timezone -04:00 -t --include batch >"$T/tz2"
check "--timezone offset" grep -q '^2024-06-01T08:00:01.000-04:00 ' "$T/tz2"
TZ=America/New_York run --timezone local -t --include batch >"$T/tz3"
check "--timezone local (TZ)" grep -q '^2024-06-01T08:00:01.000-04:00 ' "$T/tz3"
run --timezone utc -t --include batch >"$T/tz4"
check "--timezone utc" grep -q '^2024-06-01T12:00:01.000Z ' "$T/tz4"

# Colour by host: shades of the group's hue; NO_COLOR wins over auto.
TERM=xterm-256color run --color=always >"$T/c256"
check "colour: the first host in the group's colour" \
    grep -q "$(printf '\033\\[32mdata_group\033\\[0m \033\\[32malgo-1\033\\[0m')" "$T/c256"
check "colour: the second host a shade of it" \
    grep -q "$(printf '\033\\[32mdata_group\033\\[0m \033\\[38;5;46malgo-3\033\\[0m')" "$T/c256"
check "colour: the log's own colours shown" \
    grep -q "$(printf 'algo-2\033\\[0m \033\\[0;32mINFO\033\\[0m saved')" "$T/c256"
TERM=xterm run --color=always >"$T/c8"
check "colour, 8 colours: the shade is bold" \
    grep -q "$(printf '\033\\[1;32malgo-3\033\\[0m')" "$T/c8"
run --color=never >"$T/c0"
check "--color=never: the log's colours are text (a pipe)" sh -c \
    "! grep -q \"\$(printf '\033\\\\[3')\" '$T/c0' || grep -q 'INFO' '$T/c0'"
if script -qec true /dev/null >/dev/null 2>&1; then
	NO_COLOR=1 TERM=xterm-256color script -qec \
	    "'$CWDEMUX' --no-ui --from '$T/logs' j" /dev/null >"$T/nc" 2>&1
	check "NO_COLOR on a terminal: no escape at all" sh -c \
	    "! grep -q \"\$(printf '\033')\" '$T/nc'"
	check "NO_COLOR on a terminal: the log's colour codes taken out" \
	    grep -q 'train_group algo-2 INFO saved' "$T/nc"
	check "on a terminal: CR in text shown as ^M" grep -q 'safe^Mrm -rf' "$T/nc"
	check "on a terminal: a decoded escape that is no colour is shown, not obeyed" \
	    grep -q 'train_group algo-2 ^\[\[2Jcleared?#033\]0;title#007' "$T/nc"
	TERM=xterm-256color script -qec \
	    "'$CWDEMUX' --no-ui --color=always --from '$T/logs' j" /dev/null >"$T/tc" 2>&1
	check "colour on a terminal: only colours are interpreted" \
	    grep -q "$(printf 'algo-2\033\\[0m ^\\[\\[2J\033\\[0;31mcleared?#033')" "$T/tc"
fi

# The options' errors name the bad value, exit 2.
for bad in "--fields group,colour" "--fields host,host" "--timezone Mars/Base" \
    "--include a(b" "--rank 5-2" "--status Running --list" \
    "--export-filtered" "--completion fish" "-x"; do
	# shellcheck disable=SC2086
	status "bad option: $bad" 2 "$CWDEMUX" --from "$T/logs" $bad j
done
"$CWDEMUX" --fields group,colour j 2>"$T/err"
contains "the bad field is named" "$T/err" 'unknown field "colour"'
"$CWDEMUX" --from "$T/logs" --include 'a(b' j 2>"$T/err"
contains "the bad pattern is named, with its column" "$T/err" '--include a(b: column 4'
"$CWDEMUX" -tx j 2>"$T/err"
contains "an unknown short option in a cluster is named" "$T/err" 'unknown option -x'

finish
