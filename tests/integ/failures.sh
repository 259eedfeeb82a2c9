#!/bin/sh
# Failure paths: writes that fail (ENOSPC, EIO) or come back short, through
# the LD_PRELOAD shim tests/tools/failshim.c, on standard output, each
# export file and the manifest; closed pipes; and AWS answers that end a
# follow: credentials that expire mid-run, a job deleted while followed, a
# log group that does not exist yet. Every failure must name the file, exit
# 1, say how far the output is complete, and never claim more.
. tests/integ/lib.sh
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

finish
