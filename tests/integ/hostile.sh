#!/bin/sh
# Hostile content. The catalogue tests/data/hostile/ (one message a file,
# see its README) through the line output on a terminal and with colour:
# nothing reaches the terminal as a control, each case stays visible in
# its safe form; through --output json and --export: byte for byte. Then
# hostile group names (escaping the export directory, colliding once
# encoded, NUL, over-long), a catastrophic rule, 10,000 streams and a
# held-events budget run out: no crash, bounded memory, clear warnings.
. tests/integ/lib/setup.sh
H=tests/data/hostile

# One stream a case: a marker event, then the case's message.
$PY - "$H" "$T/tree" <<'PYEOF'
import os, sys
src, dst = sys.argv[1:3]
names = sorted(n for n in os.listdir(src) if n.endswith(".txt"))
for i, name in enumerate(names, 1):
    d = os.path.join(dst, "j", "algo-%d-1700000000" % i)
    os.makedirs(d)
    with open(os.path.join(src, name), "rb") as f:
        msg = f.read()
    with open(os.path.join(d, "000000"), "wb") as f:
        f.write(b"2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=hostile\n")
        f.write(b"2024-06-01T00:00:01.%03dZ " % i + msg + b"\n")
PYEOF

# check_term FILE CASES [--raw]: the rules of a terminal's output (the
# README's list). The only escapes allowed are SGR sequences of colours,
# which cwdemux writes itself (its fields' colours, and the log's own
# colours, rebuilt from what it parsed); they are taken out before the
# visible forms are looked for.
cat >"$T/term.py" <<'PYEOF'
import re, sys
path, cases = sys.argv[1:3]
raw = len(sys.argv) > 3 and sys.argv[3] == "--raw"
data = open(path, "rb").read()
bad = []
lines = data.replace(b"\r\n", b"\n").split(b"\n")
sgr = re.compile(rb"\x1b\[([0-9;]*)m")
colour = re.compile(rb"^(0|1|2|4|3[0-79]|4[0-79]|9[0-7]|10[0-7]|[34]8;5;[0-9]+)$")
def allowed(m):
    params = m.group(1).split(b";") if m.group(1) else [b"0"]
    i = 0
    while i < len(params):
        p = params[i]
        if p in (b"38", b"48") and i + 2 < len(params) and params[i + 1] == b"5":
            p = b";".join(params[i:i + 3])
            i += 2
        if not colour.match(p):
            return False
        i += 1
    return True
text = []
for n, line in enumerate(lines, 1):
    for m in sgr.finditer(line):
        if not allowed(m):
            bad.append("line %d: SGR %r is not a colour" % (n, m.group(0)))
    line = sgr.sub(b"", line)
    for b in line:
        if (b < 0x20 and b != 9) or b == 0x7f:
            bad.append("line %d: control byte 0x%02x" % (n, b))
            break
    try:
        s = line.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("line %d: not UTF-8 (%s)" % (n, e))
        continue
    for c in s:
        cp = ord(c)
        if (0x80 <= cp <= 0x9f or cp in (0x61c, 0x200b, 0x200e, 0x200f, 0x2028, 0x2029, 0xfeff)
                or 0x202a <= cp <= 0x202e or 0x2060 <= cp <= 0x2069
                or 0xfff9 <= cp <= 0xfffb or 0xe0000 <= cp <= 0xe007f):
            bad.append("line %d: U+%04X on the terminal" % (n, cp))
            break
    text.append(s)
shown = "\n".join(text)
for row in open(cases, encoding="utf-8"):
    if row.startswith("#"):
        continue
    cols = row.rstrip("\n").split("\t")
    name, want = cols[0], cols[1]
    if not raw and len(cols) > 2:
        want = cols[2]
    if want not in shown:
        bad.append("%s: %r not shown" % (name, want))
for b in bad[:20]:
    print(b)
sys.exit(1 if bad else 0)
PYEOF

# The terminal line output: --no-ui, since on a terminal the UI would
# start and wait for a key (the UI has its own hostile cases in tui.sh).
if script -qec true /dev/null >/dev/null 2>&1; then
	TERM=xterm script -qec "'$CWDEMUX' --no-ui --color=always --from '$T/tree' j" \
	    /dev/null >"$T/tty.out" 2>&1
	check "terminal: no control reaches it, every case visible" \
	    $PY "$T/term.py" "$T/tty.out" "$H/cases.tsv"
	TERM=xterm script -qec "'$CWDEMUX' --no-ui --color=never --timestamps --from '$T/tree' j" \
	    /dev/null >"$T/tty2.out" 2>&1
	check "terminal without colour, with times: the same" \
	    $PY "$T/term.py" "$T/tty2.out" "$H/cases.tsv"
	TERM=xterm script -qec "'$CWDEMUX' --no-ui --raw --color=always --from '$T/tree' j" \
	    /dev/null >"$T/tty3.out" 2>&1
	check "terminal, --raw: the same, escapes shown" \
	    $PY "$T/term.py" "$T/tty3.out" "$H/cases.tsv" --raw
fi
# Colour asked for a pipe (less -R shows it): neutralised all the same.
"$CWDEMUX" --color=always --from "$T/tree" j >"$T/color.out"
check "--color=always into a pipe: the same" \
    $PY "$T/term.py" "$T/color.out" "$H/cases.tsv"

# JSON and export keep every byte.
"$CWDEMUX" --output json --from "$T/tree" j >"$T/out.jsonl"
"$CWDEMUX" --from "$T/tree" --export "$T/x" j
cat >"$T/exact.py" <<'PYEOF'
import base64, json, os, sys
src, jsonl, export = sys.argv[1:4]
names = sorted(n for n in os.listdir(src) if n.endswith(".txt"))
want = {}
for i, name in enumerate(names, 1):
    with open(os.path.join(src, name), "rb") as f:
        want["algo-%d" % i] = (name, f.read())
marker = b"SM_CURRENT_INSTANCE_GROUP=hostile"
got_json, got_export = {}, {}
for line in open(jsonl, encoding="utf-8"):
    ev = json.loads(line)
    msg = (base64.b64decode(ev["message_base64"]) if "message_base64" in ev
           else ev["message"].encode("utf-8"))
    if msg != marker:
        got_json[ev["host"]] = msg
for line in open(os.path.join(export, "hostile.log"), "rb").read().split(b"\n")[:-1]:
    ts, host, msg = line.split(b" ", 2)
    if msg != marker:
        got_export[host.decode()] = msg
bad = 0
for host, (name, data) in sorted(want.items()):
    for how, got in (("json", got_json), ("export", got_export)):
        if got.get(host) != data:
            print("%s: %s differs (%s bytes, want %d)" % (name, how,
                  len(got[host]) if host in got else "no", len(data)))
            bad += 1
sys.exit(1 if bad else 0)
PYEOF
check "json and export: every case byte for byte" \
    $PY "$T/exact.py" "$H" "$T/out.jsonl" "$T/x"

# maxrss FILE: the maximum resident set in KiB that /usr/bin/time -v saw.
maxrss() {
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"
}
have_time() {
	[ -x /usr/bin/time ]
}
# Memory bounds in KiB; an ASan build needs about three times as much.
if grep -q __asan_init "$CWDEMUX" 2>/dev/null; then
	RSS_SCALE=3
else
	RSS_SCALE=1
fi

# Group names that try to leave the export directory, hide, collide once
# encoded or cut, carry NUL, or are too long: every file lands inside it,
# one per group, within NAME_MAX; an over-long or empty name is refused.
$PY - "$T/names" <<'PYEOF'
import os, sys
dst = sys.argv[1]
emoji = "\U0001f600" * 63
groups = [b"../x", b"/etc", b".", b"..", b"a\x00b", b"%41", b"A",
          (emoji + "\U0001f601").encode(), (emoji + "\U0001f602").encode(),
          b"x" * 65, b"manifest.json", b"-"]
for i, g in enumerate(groups, 1):
    d = os.path.join(dst, "j", "algo-%d-1700000000" % i)
    os.makedirs(d)
    with open(os.path.join(d, "000000"), "wb") as f:
        f.write(b"2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=" + g + b"\n")
        f.write(b"2024-06-01T00:00:01.000Z hello from " + str(i).encode() + b"\n")
PYEOF
mkdir "$T/namesout"
"$CWDEMUX" --from "$T/names" --export "$T/namesout/x" j 2>"$T/names.err"
check "hostile names: exit 0" test $? -eq 0
check "hostile names: nothing next to the export directory" \
    test "$(ls -A "$T/namesout")" = x
check "hostile names: 12 groups (11 named, unassigned), a manifest, the resume state" \
    test "$(ls -A "$T/namesout/x" | wc -l)" -eq 14
check "hostile names: every name fits NAME_MAX" \
    test "$(ls -A "$T/namesout/x" | awk 'length($0) > 255' | wc -l)" -eq 0
check "hostile names: no dot file but the resume state" \
    test "$(ls -A "$T/namesout/x" | grep -v '^\.cwdemux-state$' | grep -c '^\.')" -eq 0
contains "hostile names: over-long refused" "$T/names.err" "over-long"
check "hostile names: manifest names each file once" $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))
files = [g["file"] for g in m["groups"]]
assert len(files) == len(set(files)) == 12, files
' "$T/namesout/x/manifest.json"

# A catastrophic rule ((a+)+$ on a long line of a's): PCRE2's limits stop
# it, the rule is reported, the run ends in seconds.
printf 'marker ^(?<group>(a+)+)$\n' >"$T/evil.rules"
mkdir -p "$T/redos/j/algo-1-1700000000"
$PY -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(200):
        f.write("2024-06-01T00:00:%02d.%03dZ " % (i // 1000, i % 1000) + "a" * 5000 + "b\n")
' "$T/redos/j/algo-1-1700000000/000000"
start=$(date +%s)
status "catastrophic rule: runs to the end" 0 timeout 120 \
    "$CWDEMUX" --from "$T/redos" --rules "$T/evil.rules" j
check "catastrophic rule: within 60 s" test $(($(date +%s) - start)) -lt 60
contains "catastrophic rule: reported" "$T/status.err" "evil.rules line 1: "
contains "catastrophic rule: switched off" "$T/status.err" "switched off after"

# 10,000 streams (hosts) offline: all read, memory bounded.
$PY - "$T/many" <<'PYEOF'
import os, sys
for i in range(10000):
    d = os.path.join(sys.argv[1], "j", "algo-%d-1700000000" % (i + 1))
    os.makedirs(d)
    with open(os.path.join(d, "000000"), "w") as f:
        f.write("2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=g%d\n" % (i % 7))
        f.write("2024-06-01T00:00:01.000Z line of host %d\n" % (i + 1))
PYEOF
if have_time; then
	/usr/bin/time -v "$CWDEMUX" --from "$T/many" --output json j \
	    >"$T/many.jsonl" 2>"$T/many.err"
	check "10,000 streams: exit 0" test $? -eq 0
	check "10,000 streams: every event" test "$(wc -l <"$T/many.jsonl")" -eq 20000
	rss=$(maxrss "$T/many.err")
	echo "# 10,000 streams: max RSS ${rss} KiB"
	check "10,000 streams: under 512 MiB" test "${rss:-999999999}" -lt $((524288 * RSS_SCALE))
fi

# Hosts that never name their group past the held-events budget: a
# warning, the events go out as unassigned, memory stays near the budget.
$PY - "$T/held" <<'PYEOF'
import os, sys
for h in range(4):
    d = os.path.join(sys.argv[1], "j", "algo-%d-1700000000" % (h + 1))
    os.makedirs(d)
    with open(os.path.join(d, "000000"), "w") as f:
        for i in range(20000):
            f.write("2024-06-01T00:%02d:%02d.%03dZ %s\n" % (i // 60000, i // 1000 % 60, i % 1000, "x" * 1000))
PYEOF
if have_time; then
	/usr/bin/time -v "$CWDEMUX" --from "$T/held" --hold-limit 4M --output json j \
	    >"$T/held.jsonl" 2>"$T/held.err"
	check "hold budget: exit 0" test $? -eq 0
	check "hold budget: every event out" test "$(wc -l <"$T/held.jsonl")" -eq 80000
	contains "hold budget: warned" "$T/held.err" "hold limit of 4194304 bytes reached"
	rss=$(maxrss "$T/held.err")
	echo "# hold budget 4 MiB, 80 MB of input: max RSS ${rss} KiB"
	check "hold budget: memory bounded (under 64 MiB)" test "${rss:-999999999}" -lt $((65536 * RSS_SCALE))
fi

finish
