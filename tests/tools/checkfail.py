#!/usr/bin/env python3
"""Compare the first failure cwdemux found with a failing job's ground truth.

    checkfail.py EXPORTDIR GENDIR [--late OUTPUT.jsonl]

EXPORTDIR is `cwdemux --export`'s directory; GENDIR holds truth.json with
scenario.fail (genjob.py --fail or --fail-rank, simjob.py --fail). Checks the
manifest's first_failure (host, group, timestamp, summary; rank and rank_host
for a rank's failure) against the truth, and that
every group that printed errors counts them. With --late, also that in the
JSON Lines output the first failure arrived after some other error (a
consequence), so the answer had to be replaced as it came in. Prints what
differs; exits 1.
"""

import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exportdir")
    ap.add_argument("gendir")
    ap.add_argument("--late", metavar="OUTPUT.jsonl")
    args = ap.parse_args()
    with open(os.path.join(args.gendir, "truth.json")) as f:
        want = json.load(f)["scenario"]["fail"]
    with open(os.path.join(args.exportdir, "manifest.json")) as f:
        manifest = json.load(f)
    got = manifest.get("first_failure")
    bad = []
    if got is None:
        bad.append("no first_failure in the manifest")
    else:
        keys = ["host", "group", "timestamp", "summary"]
        if "rank" in want:  # an MPI rank failed: named with the host it ran on
            keys += ["rank", "rank_host"]
        for key in keys:
            if got.get(key) != want[key]:
                bad.append("first_failure %s: got %r, want %r" % (key, got.get(key), want[key]))
        if got.get("role") != "cause" or got.get("severity") != "error":
            bad.append("first_failure is %s/%s" % (got.get("severity"), got.get("role")))
    for g in manifest["groups"]:
        if g["errors"] == 0 or g["first_error"] is None:
            bad.append("group %s: no errors counted" % g["name"])
    if args.late:
        first_other = first_fail = None
        with open(args.late) as f:
            for i, line in enumerate(f):
                e = json.loads(line)
                msg = e.get("message", "")
                if first_other is None and e["host"] != want["host"] and (
                        "Watchdog caught" in msg or "Connection closed by peer" in msg):
                    first_other = i
                if first_fail is None and e["host"] == want["host"] and msg == want["summary"]:
                    first_fail = i
        if first_other is None or first_fail is None or first_fail < first_other:
            bad.append("the first failure did not arrive late (line %s, other error at %s)"
                       % (first_fail, first_other))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
