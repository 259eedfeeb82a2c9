#!/usr/bin/env python3
"""Compare cwdemux output with a generated job's ground truth.

    checktruth.py GENDIR OUTPUT.jsonl
    checktruth.py --export EXPORTDIR GENDIR OUTPUT.jsonl
    checktruth.py --unordered GENDIR OUTPUT.jsonl
    checktruth.py --late [--late-window MS] GENDIR OUTPUT.jsonl
    checktruth.py --since MS --until MS [--any-group] GENDIR OUTPUT.jsonl

GENDIR holds truth.json and truth.events.jsonl (genjob.py, samples2tree.py);
OUTPUT.jsonl is `cwdemux --output json`. Checks that every event appears
exactly once, under its host's true group, in each stream's own order (an
MPI rank's output under the host the rank ran on, with its rank), and
that the output is merged by time (not with --unordered: a followed job's
output comes as it arrives, each stream in its own order). With --export, also that every group's
file and the manifest agree with the truth. With --late (a followed job
whose events may be ingested late with older timestamps), a stream's events
may come out of timestamp order, but each exactly once, and events with the
same timestamp in the order they were written. With --late-window MS (the
reader's --late-window), an event the truth says was written more than MS
behind a newer event of its stream (simjob.py's behind_ms: its writer fell
behind) is outside what the reader promises: it may be missing, never
repeated; every other event is wanted exactly once. Each event missing is
named. With --since/--until (ms),
only the truth's events with since <= timestamp < until are wanted; with
--any-group the groups are not checked (a window read from CloudWatch may
leave out the markers). Prints what differs; exits 1.
"""

import argparse
import base64
import collections
import json
import os
import re
import sys

# An MPI rank's tag, as SageMaker's toolkit writes it; its host is a guess.
RANK_TAG = re.compile(rb"^\[1,mpirank:(\d+),[^\]]+\]<std(?:out|err|diag)>:")


def message_bytes(obj):
    if "message_base64" in obj:
        return base64.b64decode(obj["message_base64"])
    return obj["message"].encode("utf-8")


def load_truth(gendir):
    with open(os.path.join(gendir, "truth.json")) as f:
        truth = json.load(f)
    events = collections.defaultdict(list)
    behind = {}
    with open(os.path.join(gendir, "truth.events.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            event = (e["timestamp"], base64.b64decode(e["message_b64"]))
            events[e["stream"]].append(event)
            if e.get("behind_ms"):
                behind[(e["stream"],) + event] = e["behind_ms"]
    return truth, events, behind


def excuse_beyond(want, got, behind, window, problems):
    """Drop from want the events beyond the window that did not come out;
    returns how many were beyond it and how many of those are missing."""
    beyond = missing = 0
    for stream in want:
        have = collections.Counter(got.get(stream, ()))
        kept = []
        for event in want[stream]:
            late = behind.get((stream,) + event, 0)
            if late > window:
                beyond += 1
                if have[event] == 0:
                    missing += 1
                    continue
            have[event] -= 1
            kept.append(event)
        want[stream] = kept
    return beyond, missing


def name_missing(want, got, problems):
    """Say which events of a stream differ: the first few missing and
    repeated, by timestamp."""
    for stream in sorted(want):
        w, g = collections.Counter(want[stream]), collections.Counter(got.get(stream, ()))
        for event in sorted((w - g).elements())[:3]:
            problems.append("stream %s: missing the event at %d: %.60r"
                            % (stream, event[0], event[1]))
        for event in sorted((g - w).elements())[:3]:
            problems.append("stream %s: extra event at %d: %.60r"
                            % (stream, event[0], event[1]))


def read_output(path):
    got = collections.defaultdict(list)
    with open(path, "rb") as f:
        for raw in f:
            obj = json.loads(raw)
            got[obj["stream"]].append((obj["timestamp"], message_bytes(obj)))
    return got


def check_output(truth, want, path, problems, merged=True, late=False,
                 any_group=False):
    got = collections.defaultdict(list)
    groups = {}
    last_ts = None
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            obj = json.loads(raw)
            stream, host, group = obj["stream"], obj["host"], obj["group"]
            msg = message_bytes(obj)
            got[stream].append((obj["timestamp"], msg))
            want_host = truth["streams"].get(stream)
            tag = RANK_TAG.match(msg)
            rank_hosts = truth.get("scenario", {}).get("mpi_rank_hosts") or []
            if tag is not None and int(tag.group(1)) < len(rank_hosts):
                rank = int(tag.group(1))
                want_host = rank_hosts[rank]
                if obj.get("rank") != rank or obj.get("rank_host") != want_host:
                    problems.append("line %d: rank %s on %s, want %d on %s"
                                    % (n, obj.get("rank"), obj.get("rank_host"),
                                       rank, want_host))
            elif "rank" in obj:
                problems.append("line %d: a rank without a tag" % n)
            if want_host != host:
                problems.append("line %d: stream %s has host %s, want %s"
                                % (n, stream, host, want_host))
            want_group = truth["hosts"].get(host, "unassigned")
            if group != want_group and not any_group:
                problems.append("line %d: host %s in group %s, want %s"
                                % (n, host, group, want_group))
            groups.setdefault(group, collections.Counter())[host] += 1
            if merged and last_ts is not None and obj["timestamp"] < last_ts:
                problems.append("line %d: not merged by time" % n)
            last_ts = obj["timestamp"]
    for stream in sorted(set(want) | set(got)):
        if late:
            # sorted() is stable: equal timestamps keep the output's order.
            got[stream] = sorted(got[stream], key=lambda e: e[0])
        if got[stream] != want[stream]:
            problems.append("stream %s: %d events out, %d in the truth, "
                            "or in another order or with other bytes"
                            % (stream, len(got[stream]), len(want[stream])))
            name_missing({stream: want[stream]}, got, problems)
    return groups


def check_export(truth, want, exportdir, problems):
    with open(os.path.join(exportdir, "manifest.json")) as f:
        manifest = json.load(f)
    by_group = collections.defaultdict(lambda: [0, 0, set()])
    for stream, events in want.items():
        host = truth["streams"][stream]
        g = by_group[truth["hosts"].get(host, "unassigned")]
        g[0] += len(events)
        g[1] += sum(m.count(b"\n") + 1 for _, m in events)
        g[2].add(host)
    seen = set()
    for entry in manifest["groups"]:
        name = entry["name"]
        seen.add(name)
        events, lines, hosts = by_group.get(name, [0, 0, set()])
        if entry["events"] != events or entry["lines"] != lines:
            problems.append("manifest %s: %d events %d lines, want %d %d"
                            % (name, entry["events"], entry["lines"], events, lines))
        if set(entry["hosts"]) != hosts:
            problems.append("manifest %s: hosts %s, want %s"
                            % (name, entry["hosts"], sorted(hosts)))
        path = os.path.join(exportdir, entry["file"])
        with open(path, "rb") as f:
            n = sum(1 for _ in f)
        if n != lines:
            problems.append("%s: %d lines, want %d" % (path, n, lines))
    if seen != set(by_group):
        problems.append("manifest groups %s, want %s" % (sorted(seen), sorted(by_group)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export")
    ap.add_argument("--unordered", action="store_true")
    ap.add_argument("--late", action="store_true")
    ap.add_argument("--late-window", type=int, metavar="MS")
    ap.add_argument("--since", type=int)
    ap.add_argument("--until", type=int)
    ap.add_argument("--any-group", action="store_true")
    ap.add_argument("gendir")
    ap.add_argument("output")
    args = ap.parse_args()
    truth, want, behind = load_truth(args.gendir)
    for stream in want:
        want[stream] = [e for e in want[stream]
                        if (args.since is None or e[0] >= args.since)
                        and (args.until is None or e[0] < args.until)]
    problems = []
    if args.late_window is not None:
        beyond, missing = excuse_beyond(want, read_output(args.output), behind,
                                        args.late_window, problems)
        print("%d events written more than %d ms behind a newer one of their "
              "stream (beyond the window), %d of them not shown"
              % (beyond, args.late_window, missing))
    check_output(truth, want, args.output, problems,
                 merged=not (args.unordered or args.late), late=args.late,
                 any_group=args.any_group)
    if args.export:
        check_export(truth, want, args.export, problems)
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print("... and %d more" % (len(problems) - 20))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
