#!/bin/sh
# End to end on logs on disk: the reference samples against golden files,
# and generated jobs (MPI workers, restarts, late markers, hostile bytes)
# against the generator's ground truth.
. tests/integ/lib/setup.sh
GOLD=$TOP/tests/data/golden
JOB=hetero-pt-2024-06-01-12-00-00-123

$PY tests/tools/samples2tree.py "$T/exp" >/dev/null
$PY tests/tools/samples2tree.py --layout plain "$T/plain" >/dev/null

# The samples, every output, against golden files.
"$CWDEMUX" --from "$T/exp" "$JOB" >"$T/lines" 2>"$T/err"
same "samples lines" "$T/lines" "$GOLD/samples.lines"
same "samples: no warnings" "$T/err" /dev/null
"$CWDEMUX" --from "$T/exp" --timestamps "$JOB" >"$T/ts"
same "samples --timestamps" "$T/ts" "$GOLD/samples.ts.lines"
"$CWDEMUX" --from "$T/exp" --output json "$JOB" >"$T/json"
same "samples json" "$T/json" "$GOLD/samples.jsonl"
"$CWDEMUX" --from "$T/exp" --export "$T/out" "$JOB"
for f in data_group.log train_group.log manifest.json; do
	same "samples export $f" "$T/out/$f" "$GOLD/samples.export/$f"
done
check "export holds nothing else" test "$(ls "$T/out" | wc -l)" -eq 3

# Plain per-stream files give the same as the gzip export tree.
"$CWDEMUX" --from "$T/plain" "$JOB" >"$T/lines2"
same "plain layout" "$T/lines2" "$GOLD/samples.lines"
# An S3 download: key prefix and export task id above the streams.
mkdir -p "$T/s3/logs/0e2c4d1a-1b2c-4d3e-8f90-123456789abc"
cp -r "$T/exp/$JOB" "$T/s3/logs/0e2c4d1a-1b2c-4d3e-8f90-123456789abc/"
: >"$T/s3/logs/aws-logs-write-test"
"$CWDEMUX" --from "$T/s3" "$JOB" >"$T/lines3"
same "S3 export with task id" "$T/lines3" "$GOLD/samples.lines"
# Without JOB every stream is read; job-2 is not part of job.
cp -r "$T/exp/$JOB" "$T/exp/$JOB-2"
rm "$T/exp/truth.json" "$T/exp/truth.events.jsonl"
"$CWDEMUX" --from "$T/exp" "$JOB" >"$T/lines4"
same "JOB/ prefix keeps job-2 out" "$T/lines4" "$GOLD/samples.lines"
"$CWDEMUX" --from "$T/exp" >"$T/lines5"
check "without JOB every stream" test "$(wc -l <"$T/lines5")" -eq \
    $(($(wc -l <"$GOLD/samples.lines") * 2))

# A part file without a final newline: its last line is an event of its
# own, not glued to the next file's first line.
mkdir -p "$T/parts/j/algo-1-1700000000"
printf '2024-06-01T00:00:00.000Z a' >"$T/parts/j/algo-1-1700000000/000000"
printf '2024-06-01T00:00:01.000Z b\n' >"$T/parts/j/algo-1-1700000000/000001"
"$CWDEMUX" --from "$T/parts" j 2>/dev/null >"$T/parts.out"
check "part files without a final newline" test \
    "$(cat "$T/parts.out" | tr '\n' '|')" = "unassigned algo-1 a|unassigned algo-1 b|"

# grep and awk work on the lines.
check "grep ^train_group" test "$(grep -c '^train_group algo-2 ' "$T/lines")" -eq \
    "$(wc -l <"$T/lines" | awk -v d="$(grep -vc '^train_group ' "$T/lines")" '{print $1 - d}')"
check "awk fields" test "$(awk '{print $1}' "$T/lines" | sort -u | tr '\n' ' ')" = \
    "data_group train_group "

# A generated job with every difficulty, against its ground truth.
$PY tests/tools/genjob.py "$T/gen" --hosts 12 --lines-per-host 600 --seed 7 \
    --mpi-workers --restart algo-2 --late-marker --hostile \
    --no-markers algo-12 >/dev/null
GJOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
"$CWDEMUX" --from "$T/gen" --output json "$GJOB" >"$T/gen.jsonl" 2>"$T/gen.err"
check "generated job: every event once, right group, in order" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/gen.jsonl"
contains "generated job: unknown stream reported" "$T/gen.err" \
    "1 stream had no group marker"
"$CWDEMUX" --from "$T/gen" --export "$T/gen.out" "$GJOB" 2>/dev/null
check "generated job: export matches truth" \
    $PY tests/tools/checktruth.py --export "$T/gen.out" "$T/gen" "$T/gen.jsonl"

# --assign places a host no log names.
"$CWDEMUX" --from "$T/gen" --assign algo-12=manual_group --output json \
    "$GJOB" 2>"$T/assign.err" | grep -c '"group":"manual_group"' >"$T/n"
check "--assign" test "$(cat "$T/n")" -gt 0
check "--assign: nothing unassigned" sh -c "! grep -q 'had no group' '$T/assign.err'"

# --output none still reads everything (for --summary): the summary counts
# every event, as with an output.
"$CWDEMUX" --from "$T/gen" --output none --summary "$GJOB" 2>"$T/none.err"
"$CWDEMUX" --from "$T/gen" --output json --summary "$GJOB" 2>"$T/json.err" \
    >/dev/null
same "--output none --summary reads every event" "$T/none.err" "$T/json.err"

finish
