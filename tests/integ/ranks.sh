#!/bin/sh
# MPI ranks (#19), on a generated job whose MPI group runs 16 ranks on
# algo-1 and algo-3 ("mpirun --host algo-1:8,algo-3:8"): the toolkit's tag
# guesses algo-2 for ranks 8-15, wrongly. Rank 11 runs out of memory, its
# traceback one tagged line an event amid another rank's lines. Checked
# against the generator's ground truth: every rank's line on its real host
# with its rank (JSON, --fields rank), --rank, the first failure naming the
# rank and its host; then, without the command line, "(host unknown)".
. tests/integ/lib/setup.sh

$PY tests/tools/genjob.py "$T/gen" --layout plain --seed 6 --mpi-workers \
    --groups data_group:ml.c5.18xlarge:1,train_group:ml.p3dn.24xlarge:2 \
    --lines-per-host 400 --fail-rank 11 >/dev/null
JOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
check "the scenario: ranks 8-15 on algo-3, the tags say algo-2" $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))["scenario"]
assert s["mpi_rank_hosts"] == ["algo-1"] * 8 + ["algo-3"] * 8, s["mpi_rank_hosts"]
assert s["fail"]["rank"] == 11 and s["fail"]["host"] == "algo-3", s["fail"]' "$T/gen/truth.json"

# Every event once, in its group, a rank's under its real host, ranked.
"$CWDEMUX" --from "$T/gen" --output json "$JOB" >"$T/all.jsonl" 2>"$T/err"
check "JSON: ranks on their real hosts, against the truth" \
    $PY tests/tools/checktruth.py "$T/gen" "$T/all.jsonl"

# The first failure names the rank and the host it ran on.
"$CWDEMUX" --from "$T/gen" --export "$T/x" --summary "$JOB" 2>"$T/summary"
check "manifest: the first failure is rank 11 on algo-3" \
    $PY tests/tools/checkfail.py "$T/x" "$T/gen"
contains "summary: the first failure names the rank and its host" "$T/summary" \
    "algo-3 rank 11 torch.cuda.OutOfMemoryError: CUDA out of memory."
check "export: the export's hosts hold the ranks' lines" \
    $PY tests/tools/checktruth.py --export "$T/x" "$T/gen" "$T/all.jsonl"
# Each line a rank's host sent through the master's stream reads
# "TIME HOST<MASTER ", every other line "TIME HOST ": exact per host.
check "export: forwarded lines marked HOST<MASTER, exactly those" $PY -c '
import base64, collections, glob, json, re, sys
gen, x = sys.argv[1], sys.argv[2]
truth = json.load(open(gen + "/truth.json"))
hosts = truth["scenario"]["mpi_rank_hosts"]
tag = re.compile(rb"^\[1,mpirank:(\d+),[^\]]+\]<std(?:out|err|diag)>:")
want = collections.Counter()
for line in open(gen + "/truth.events.jsonl"):
    e = json.loads(line)
    msg = base64.b64decode(e["message_b64"])
    m = tag.match(msg)
    host = hosts[int(m.group(1))] if m else e["host"]
    field = host if host == e["host"] else host + "<" + e["host"]
    want[field.encode()] += msg.count(b"\n") + 1
got = collections.Counter()
for f in glob.glob(x + "/*.log"):
    for line in open(f, "rb"):
        got[line.split(b" ", 2)[1]] += 1
assert got == want, (sorted(got.items()), sorted(want.items()))
assert got[b"algo-3<algo-1"] > 0, got' "$T/gen" "$T/x"

# --fields rank (with --raw, exact against the truth, tags kept) and --rank.
cat >"$T/expect.py" <<'PYEOF'
import base64, collections, json, re, sys
gen, fields, ranks = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
truth = json.load(open(gen + "/truth.json"))
hosts = truth["scenario"]["mpi_rank_hosts"]
lo, _, hi = ranks.partition("-")
tag = re.compile(rb"^\[1,mpirank:(\d+),[^\]]+\]<std(?:out|err|diag)>:")
out = collections.Counter()
for line in open(gen + "/truth.events.jsonl"):
    e = json.loads(line)
    msg = base64.b64decode(e["message_b64"])
    m = tag.match(msg)
    rank = int(m.group(1)) if m else None
    if ranks != "all" and (rank is None or not int(lo) <= rank <= int(hi or lo)):
        continue
    host = hosts[rank] if rank is not None else e["host"]
    for text in msg.split(b"\n"):
        cols = {"rank": b"-" if rank is None else b"%d" % rank,
                "host": host.encode(), "stream": e["stream"].encode(),
                "message": text}
        out[b" ".join(cols[f] for f in fields)] += 1
got = collections.Counter(open(sys.argv[4], "rb").read().split(b"\n")[:-1])
if not out:
    sys.exit("the truth has no such lines")
if got != out:
    print("missing:", list((out - got).items())[:3])
    print("extra:", list((got - out).items())[:3])
    sys.exit(1)
PYEOF
"$CWDEMUX" --from "$T/gen" --raw --fields rank,host,stream,message "$JOB" >"$T/f"
check "--fields rank,host,stream,message: exact" \
    $PY "$T/expect.py" "$T/gen" rank,host,stream,message all "$T/f"
"$CWDEMUX" --from "$T/gen" --raw --fields rank,host,message --rank 11 "$JOB" >"$T/r11"
check "--rank 11: exactly its lines" $PY "$T/expect.py" "$T/gen" rank,host,message 11 "$T/r11"
"$CWDEMUX" --from "$T/gen" --raw --fields rank,host,message --rank 6-9 "$JOB" >"$T/r69"
check "--rank 6-9: exactly theirs" $PY "$T/expect.py" "$T/gen" rank,host,message 6-9 "$T/r69"
"$CWDEMUX" --from "$T/gen" --rank 8-15 --host algo-3 --output json "$JOB" >"$T/r3.jsonl"
check "--rank 8-15 --host algo-3: every line of ranks 8-15" test \
    "$(wc -l <"$T/r3.jsonl")" -eq "$(grep -c '"rank_host":"algo-3"' "$T/all.jsonl")"
"$CWDEMUX" --from "$T/gen" --rank 8-15 --host algo-2 "$JOB" >"$T/guess"
check "--host algo-2 (the tags' guess) has none of them" test ! -s "$T/guess"
"$CWDEMUX" --from "$T/gen" --fields rank,message --rank 11 "$JOB" >"$T/notag"
check "--fields rank: the tag is taken off the message" sh -c \
    "grep -q '^11 Traceback (most recent call last):' '$T/notag' && ! grep -q 'mpirank:' '$T/notag'"

# Without the launcher's command line and job map, ranks stay under the
# master, "rank R (host unknown)", never the tags' guess.
master=$(ls "$T/gen/$JOB" | grep '^algo-1-')
grep -v -e 'mpirun --host' -e 'Data for node' "$T/gen/$JOB/$master" >"$T/m"
mv "$T/m" "$T/gen/$JOB/$master"
"$CWDEMUX" --from "$T/gen" --summary --output json "$JOB" >"$T/unknown.jsonl" 2>"$T/unknown"
contains "no command line: rank 11 (host unknown), under the master" "$T/unknown" \
    "algo-1 rank 11 (host unknown) torch.cuda.OutOfMemoryError"
check "no command line: rank_host null, host the master" test \
    "$(grep -c '"rank":11,' "$T/unknown.jsonl")" -eq \
    "$(grep -c '"host":"algo-1",.*"rank":11,"rank_host":null' "$T/unknown.jsonl")" -a \
    "$(grep -c '"rank":11,' "$T/unknown.jsonl")" -gt 3

finish
