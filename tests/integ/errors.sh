#!/bin/sh
# Bad input and failing outputs: clear messages that name the bad input,
# documented exit statuses, no silent loss, no escape to the terminal.
. tests/integ/lib/setup.sh
JOB=hetero-pt-2024-06-01-12-00-00-123
$PY tests/tools/samples2tree.py "$T/exp" >/dev/null

# Command line: exit 2 and a message naming the bad argument.
status "unknown option" 2 "$CWDEMUX" --frobnicate x
contains "unknown option named" "$T/status.err" "unknown option --frobnicate"
status "bad --output" 2 "$CWDEMUX" --from "$T/exp" --output xml
contains "bad --output named" "$T/status.err" "--output xml"
status "bad --assign" 2 "$CWDEMUX" --from "$T/exp" --assign algo-1
contains "bad --assign named" "$T/status.err" "--assign algo-1: expected HOST=GROUP"
# A group of 65 characters: the man page says 64 at most (#15).
G65=$(printf '%065d' 0 | tr 0 g)
status "--assign: a 65-character group" 2 "$CWDEMUX" --from "$T/exp" --assign "algo-1=$G65"
contains "--assign: the long group named" "$T/status.err" "--assign algo-1=$G65: the group is wider than 64 columns"
status "--assign: a 64-character group" 0 "$CWDEMUX" --from "$T/exp" --assign "algo-1=${G65#g}" "$JOB"
# Rates are decimal (#15): strtod took 0x10 for 16.
status "--filter-rate 0x10" 2 "$CWDEMUX" --from "$T/exp" --filter-rate 0x10
contains "--filter-rate 0x10 named" "$T/status.err" "--filter-rate 0x10: expected calls a second, 0.1 to 100"
status "--get-rate 1e1" 2 "$CWDEMUX" --from "$T/exp" --get-rate 1e1
status "--filter-rate 2.5" 0 "$CWDEMUX" --from "$T/exp" --filter-rate 2.5 "$JOB"
# An empty --stream-prefix read the whole log group (#15).
status "--stream-prefix ''" 2 "$CWDEMUX" --stream-prefix '' "$JOB"
contains "--stream-prefix '' said" "$T/status.err" "--stream-prefix is empty"
status "bad --hold-limit" 2 "$CWDEMUX" --from "$T/exp" --hold-limit lots
status "no job, no --from" 2 "$CWDEMUX"
status "two jobs" 2 "$CWDEMUX" --from "$T/exp" a b
status "missing --from path" 2 "$CWDEMUX" --from "$T/nowhere" "$JOB"
contains "missing path named" "$T/status.err" "--from $T/nowhere: No such file or directory"
status "--help" 0 "$CWDEMUX" --help
contains "--help points at the man page" "$T/status.out" "cwdemux(1)"
status "--version" 0 "$CWDEMUX" --version
contains "--version" "$T/status.out" "cwdemux "

# cwdemux(1) EXIT STATUS, the cases it names that need no AWS answer (#15);
# the others are proven where their area is: 1 for a file that cannot be
# read (inputs.sh) or standard output (failpaths.sh), 3 for refused
# credentials and permissions (cloudwatch.sh, awsconfig.sh), 4 and 5
# (follow.sh), 130 (inputs.sh, failpaths.sh).
mkdir "$T/home" "$T/empty"
aws_env() {
	env -i PATH="$PATH" HOME="$T/home" AWS_EC2_METADATA_DISABLED=true \
	    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} "$@"
}
KEYS="AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=secret"
status "exit 0: no stream found" 0 "$CWDEMUX" --from "$T/empty"
contains "exit 0: no stream found, said" "$T/status.err" "no log streams found"
: >"$T/afile"
status "exit 1: the export directory cannot be created" 1 \
    "$CWDEMUX" --from "$T/exp" --export "$T/afile/out" "$JOB"
contains "exit 1: the export directory named" "$T/status.err" \
    "export directory $T/afile/out: Not a directory"
printf '[default\nregion = us-east-1\n' >"$T/bad.config"
status "exit 2: a config file with an error" 2 aws_env $KEYS \
    AWS_CONFIG_FILE="$T/bad.config" "$CWDEMUX" --no-follow "$JOB"
contains "exit 2: the config file's line" "$T/status.err" "$T/bad.config line 1"
status "exit 2: a profile that does not exist" 2 aws_env $KEYS \
    "$CWDEMUX" --no-follow --region us-east-1 --profile nosuch "$JOB"
status "exit 2: no Region" 2 aws_env $KEYS "$CWDEMUX" --no-follow "$JOB"
contains "exit 2: no Region, said" "$T/status.err" "no AWS region"
status "exit 2: not a Region name" 2 aws_env $KEYS \
    "$CWDEMUX" --no-follow --region 'us east' "$JOB"
status "exit 2: an endpoint that is no URL" 2 aws_env $KEYS \
    "$CWDEMUX" --no-follow --region us-east-1 --endpoint-url 'x!y' "$JOB"
status "exit 2: plain http to a host not loopback" 2 aws_env $KEYS \
    "$CWDEMUX" --no-follow --region us-east-1 \
    --endpoint-url http://example.com "$JOB"
contains "exit 2: plain http, said" "$T/status.err" "plain http is allowed only to loopback hosts"
status "exit 3: no credentials found" 3 aws_env "$CWDEMUX" --no-follow \
    --region us-east-1 --endpoint-url http://127.0.0.1:9 "$JOB"
contains "exit 3: no credentials, said" "$T/status.err" "no AWS credentials found"
# --list: an answer that is not JSON fails for good, as in a run: exit 3
# (it was 1). A stub server answers every request with 200 and garbage.
$PY - "$T/stub.port" <<'PYEOF' >/dev/null 2>&1 &
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", "8")
        self.end_headers()
        self.wfile.write(b"not json")
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
PYEOF
STUB_PID=$!
at_exit "stop_pids $STUB_PID"
wait_for "$T/stub.port"
status "exit 3: --list, a malformed answer" 3 aws_env $KEYS "$CWDEMUX" --list \
    --region us-east-1 --endpoint-url "http://127.0.0.1:$(cat "$T/stub.port")"
contains "exit 3: --list, the answer named" "$T/status.err" "ListTrainingJobs"

# Rule files: file, line and column, exit 2.
printf '# mine\nmarker ^G=(?<group>[a-z)\n' >"$T/bad.rules"
status "bad rule file" 2 "$CWDEMUX" --from "$T/exp" --rules "$T/bad.rules"
contains "bad rule located" "$T/status.err" "$T/bad.rules line 2 column 25: missing terminating ]"
status "missing rule file" 2 "$CWDEMUX" --from "$T/exp" --rules "$T/none.rules"
contains "missing rule file named" "$T/status.err" "rules file $T/none.rules"
# A loop of symbolic links is named with the links; a UTF-8 byte order
# mark and CR LF line ends (a file saved on Windows) are accepted.
ln -s "$T/loop.b" "$T/loop.a"
ln -s "$T/loop.a" "$T/loop.b"
status "rule file: a symlink loop" 2 "$CWDEMUX" --from "$T/exp" --rules "$T/loop.a"
contains "rule file: the loop named" "$T/status.err" \
    "rules file $T/loop.a: a loop of symbolic links ($T/loop.a -> $T/loop.b -> $T/loop.a)"
printf '\357\273\277marker ^MYGROUP=(?<group>\\w+)\r\n' >"$T/bom.rules"
mkdir -p "$T/bom/j/algo-1-1700000000"
echo "2024-06-01T00:00:00Z MYGROUP=mine" >"$T/bom/j/algo-1-1700000000/000000"
status "rule file with a BOM and CR LF" 0 "$CWDEMUX" --from "$T/bom" \
    --rules "$T/bom.rules" j
contains "rule file with a BOM: its rule applies" "$T/status.out" "mine algo-1 MYGROUP=mine"

# A closed pipe is a quiet stop.
$PY tests/tools/genjob.py "$T/big" --hosts 4 --lines-per-host 20000 >/dev/null
{ "$CWDEMUX" --from "$T/big" 2>"$T/pipe.err"; echo $? >"$T/pipe.rc"; } | head -1 >/dev/null
check "closed pipe: quiet" test ! -s "$T/pipe.err"
check "closed pipe: exit 0" test "$(cat "$T/pipe.rc")" -eq 0

# A pager that quits does not cut an export short.
BJOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/big/truth.json")
{ "$CWDEMUX" --from "$T/big" --output lines --export "$T/pipe.out" "$BJOB"; echo $? >"$T/pipe.rc"; } | head -1 >/dev/null
check "closed pipe with --export: exit 0" test "$(cat "$T/pipe.rc")" -eq 0
"$CWDEMUX" --from "$T/big" --output json "$BJOB" >"$T/big.jsonl"
check "closed pipe with --export: export complete" \
    $PY tests/tools/checktruth.py --export "$T/pipe.out" "$T/big" "$T/big.jsonl"

# Hints for inputs that silently match nothing.
"$CWDEMUX" --from "$T/exp/$JOB" "$JOB" 2>"$T/hint.err"
contains "--from below the job: hint" "$T/hint.err" "none of the 3 streams under --from starts with"
"$CWDEMUX" --from "$T/exp" --assign algo-9=g "$JOB" >/dev/null 2>"$T/hint.err"
contains "--assign of an unseen host: warned" "$T/hint.err" "--assign algo-9: no stream of that host was seen"

# A full disk is an error that says so, not silent loss.
if [ -w /dev/full ]; then
	status "stdout on a full disk" 1 sh -c '"$1" --from "$2" >/dev/full' sh "$CWDEMUX" "$T/exp"
	contains "full disk named" "$T/status.err" "standard output: write failed after 0 bytes: No space left on device"
fi

# A symbolic link planted in the export directory is not followed.
mkdir "$T/out"
echo precious >"$T/target"
ln -s "$T/target" "$T/out/train_group.log"
status "symlink in export dir" 1 "$CWDEMUX" --from "$T/exp" --export "$T/out" "$JOB"
contains "symlink refused" "$T/status.err" "train_group.log"
check "symlink target untouched" test "$(cat "$T/target")" = precious
check "no manifest after a failed export" test ! -e "$T/out/manifest.json"

# Hostile group names stay inside the export directory.
mkdir -p "$T/hostile/j/algo-1-1700000000" "$T/hostile/j/algo-2-1700000000" \
    "$T/hostile/j/algo-3-1700000000"
printf '2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=../../escape\n' \
    >"$T/hostile/j/algo-1-1700000000/000000"
printf '2024-06-01T00:00:00.001Z SM_CURRENT_INSTANCE_GROUP=.hidden/x\n' \
    >"$T/hostile/j/algo-2-1700000000/000000"
printf '2024-06-01T00:00:00.002Z SM_CURRENT_INSTANCE_GROUP=\033]52;c;aGk=\007\n' \
    >"$T/hostile/j/algo-3-1700000000/000000"
"$CWDEMUX" --from "$T/hostile" --export "$T/hostile.out" j
check "hostile names: files stay inside" test "$(ls -A "$T/hostile.out" | sort | tr '\n' ' ')" = \
    "%1B%5D52%3Bc%3BaGk%3D%07.log %2E.%2F..%2Fescape.log %2Ehidden%2Fx.log .cwdemux-state manifest.json "
check "hostile names: nothing escaped" test ! -e "$T/escape.log"
"$CWDEMUX" --from "$T/hostile" j >"$T/hostile.lines"
check "hostile names: fields have no spaces" test "$(awk 'NF < 3' "$T/hostile.lines" | wc -l)" -eq 0

# On a terminal, log content cannot drive it: no ESC reaches the screen.
if script -qec true /dev/null >/dev/null 2>&1; then
	printf '2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=g\n2024-06-01T00:00:01.000Z \033]52;c;aGVsbG8=\007 \033[2J\033]0;title\007 \302\233 \342\200\256 \377\n' \
	    >"$T/hostile/j/algo-1-1700000000/000000"
	TERM=xterm script -qec "'$CWDEMUX' --no-ui --color=never --from '$T/hostile' j" /dev/null \
	    >"$T/tty.out" 2>&1
	check "terminal: no escape character" sh -c "! grep -q \"\$(printf '\\033')\" '$T/tty.out'"
	contains "terminal: shown visibly" "$T/tty.out" '^[]52;c;aGVsbG8=^G ^[[2J^[]0;title^G <U+009B> <U+202E> \xff'
	NO_COLOR=1 TERM=xterm script -qec "'$CWDEMUX' --no-ui --from '$T/exp' $JOB" /dev/null >"$T/nocolor.out" 2>&1
	check "NO_COLOR: no colour on a terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$T/nocolor.out'"
	TERM=xterm script -qec "'$CWDEMUX' --no-ui --from '$T/exp' $JOB" /dev/null >"$T/color.out" 2>&1
	contains "colour on a terminal" "$T/color.out" \
	    "$(printf '\033[32mdata_group\033[0m \033[32malgo-1\033[0m bash')"
fi

finish
