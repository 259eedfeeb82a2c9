#!/usr/bin/env python3
"""Did a tool print every event of a generated job, once, unchanged?

    checkout.py FORMAT GENDIR OUTPUT

GENDIR holds genjob.py's truth.json and truth.events.jsonl. FORMAT says
how OUTPUT is written:
  lines   cwdemux's default output, "GROUP HOST LINE" for every line of
          every message: compared as each host's multiset of lines.
  tail    `aws logs tail --format detailed`: "TIME STREAM MESSAGE" with
          the message's trailing whitespace stripped and its further
          lines as they are: compared as each stream's multiset of
          messages (stripped the same way).
  gle     a get-log-events loop: for each stream a line
          {"stream": NAME}, then every answer of `aws logs get-log-events
          --output json` for it: compared as each stream's list of
          messages, in order.
Prints "EVENTS LINES" (what the output holds, in the unit compared) and
exits 0 when it equals the truth; otherwise says what differs, exit 1.
"""

import base64
import collections
import json
import os
import re
import sys


def load_truth(gendir):
    with open(os.path.join(gendir, "truth.json")) as f:
        truth = json.load(f)
    events = collections.defaultdict(list)
    with open(os.path.join(gendir, "truth.events.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            msg = base64.b64decode(e["message_b64"]).decode("utf-8", "replace")
            events[e["stream"]].append(msg)
    return truth, events


def from_lines(path, truth, events):
    want = collections.defaultdict(collections.Counter)
    for stream, msgs in events.items():
        for m in msgs:
            want[truth["streams"][stream]].update(m.split("\n"))
    got = collections.defaultdict(collections.Counter)
    n = 0
    with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
        for line in f:
            parts = line[:-1].split(" ", 2)
            if len(parts) == 3:
                got[parts[1]][parts[2]] += 1
                n += 1
    return want, got, n


def from_tail(path, truth, events):
    want = {s: collections.Counter(m.rstrip() for m in msgs)
            for s, msgs in events.items()}
    start = re.compile(r"^\d{4}-\d\d-\d\dT[0-9:.]+\+00:00 (\S+) ?(.*)$")
    got = collections.defaultdict(collections.Counter)
    cur = None
    n = 0

    def close():
        if cur is not None:
            got[cur[0]]["\n".join(cur[1]).rstrip()] += 1

    with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
        for line in f:
            line = line[:-1] if line.endswith("\n") else line
            m = start.match(line)
            if m and m.group(1) in events:
                close()
                cur = (m.group(1), [m.group(2)])
                n += 1
            elif cur is not None:
                cur[1].append(line)
    close()
    return want, got, n


def from_gle(path, truth, events):
    want = {s: list(msgs) for s, msgs in events.items()}
    got = collections.defaultdict(list)
    dec = json.JSONDecoder()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    i, stream, n = 0, None, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            break
        obj, i = dec.raw_decode(text, i)
        if "stream" in obj:
            stream = obj["stream"]
            continue
        for e in obj.get("events", []):
            got[stream].append(e["message"])
            n += 1
    return want, got, n


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("lines", "tail", "gle"):
        sys.stderr.write("usage: checkout.py lines|tail|gle GENDIR OUTPUT\n")
        return 2
    truth, events = load_truth(sys.argv[2])
    read = {"lines": from_lines, "tail": from_tail, "gle": from_gle}[sys.argv[1]]
    want, got, n = read(sys.argv[3], truth, events)
    bad = 0
    for key in sorted(set(want) | set(got)):
        if want.get(key) != got.get(key):
            w, g = want.get(key), got.get(key)
            wn = sum(w.values()) if isinstance(w, collections.Counter) else len(w or [])
            gn = sum(g.values()) if isinstance(g, collections.Counter) else len(g or [])
            print("%s: %d wanted, %d printed, or different text" % (key, wn, gn))
            bad += 1
    print("%d %s" % (n, "ok" if bad == 0 else "DIFFERENT"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
