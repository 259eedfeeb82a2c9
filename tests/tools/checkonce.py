#!/usr/bin/env python3
"""checkonce.py - every event of a generated job exactly once, in any order.

    checkonce.py GENDIR OUTPUT.jsonl

The ground truth (GENDIR/truth.events.jsonl, from genjob.py or simjob.py)
and `cwdemux --output json` compared as multisets of (stream, timestamp,
message): identical events count separately. For outputs whose order is
not a stream's own, such as Live Tail's recovered events (checktruth.py
checks order too). Prints what differs; exits 1.
"""
import base64
import collections
import json
import sys


def main():
    gendir, output = sys.argv[1], sys.argv[2]
    want = collections.Counter()
    with open(gendir + "/truth.events.jsonl") as f:
        for line in f:
            e = json.loads(line)
            want[(e["stream"], e["timestamp"], base64.b64decode(e["message_b64"]))] += 1
    got = collections.Counter()
    with open(output) as f:
        for line in f:
            e = json.loads(line)
            m = (base64.b64decode(e["message_base64"]) if "message_base64" in e
                 else e["message"].encode("utf-8"))
            got[(e["stream"], e["timestamp"], m)] += 1
    missing, extra = want - got, got - want
    if not missing and not extra:
        return 0
    print("%d events missing, %d extra (of %d)" % (sum(missing.values()),
                                                   sum(extra.values()),
                                                   sum(want.values())))
    for what, c in (("missing", missing), ("extra", extra)):
        for (stream, ts, msg), n in list(c.items())[:5]:
            print("  %s %dx: %s %d %r" % (what, n, stream, ts, msg[:80]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
