#!/usr/bin/env python3
"""Benchmark 7, Live Tail: latency from ingestion, backstop requests, CPU
and memory of `cwdemux --live-tail` beside plain polling, in the same run
on the same job.

    livetail.py --cwdemux BIN --live-proxy URL --poll-proxy URL --workdir DIR
                --streams N --rate EV/S --duration S [--batch-interval MS]
                [--warmup S] [--drain S] [--job NAME] [--sent-log FILE]

tests/tools/simjob.py writes N streams through the live proxy (so that its
Live Tail emulator sees them ingested, tests/tools/livetailemu.py), each
message stamped "@<epoch ms> " just before its PutLogEvents call. Two
cwdemux follow the job at once with --output json: one with --live-tail
through the live proxy, one without through the poll proxy (both in front
of the same moto), so each one's requests are counted apart. The latency
of an event is its arrival in a tool's output minus its stamp; events
stamped in the first --warmup seconds are left out; an event that never
arrives counts as infinitely late.  The latency is given twice: from the
write stamp (simjob's PutLogEvents call; it includes moto's time to take the
write, seconds on a loaded machine, which no reader can beat) and from
ingestion, the issue's measure: the event's ingestionTime as moto recorded
it, read back once the run is over (FilterLogEvents from --moto, or through
the live proxy after its counters were taken).

With --sent-log (the live proxy's LIVETAILEMU_SENT_LOG, see
tests/tools/livetailemu.py), the live tool's latency is also split at the
moment the emulator sent each event: "pushed_*" from ingestion to the send
(the emulator's one-second tick and its own delays), "own_*" from the send
to the line in the output (cwdemux's part: transport, decoding, the wait
for a stream's history, output).

A host's events wait in cwdemux (both tools alike) until its instance group
is known: until its own marker or a host map (another host's
"instance_groups_dict") is out; at simjob's slow rates that is a host's
first 10 s to 2 minutes. So each latency is also given over the events of
placed hosts only ("placed_*": stamped at or after the first write of a
marker of the host or of a host map): the delivery latency, which the
target is about; the other figures keep the wait for the group in.

Prints one JSON object: for "live" and "poll", events delivered (distinct,
duplicates apart), latency median and p99 (ms; "latency_*" from the write
stamp, "ingest_latency_*" from ingestion), requests per minute by
operation while writing, CPU% and peak RSS; and Live Tail's own figures
(sessions, updates, sampled updates) from the proxy.  With --check, the
live tool's output must equal the ground truth (tests/tools/checkonce.py:
recovered events may come out of their stream's order).
"""

import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import time

import botocore.session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from follow import (Reader, cpu_seconds, latency, now_ms, peak_rss_kb,  # noqa: E402
                    percentile, proxy, requests_by_op, stamp_of, wait_file)

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
STAMP_TEXT = re.compile(r"@(\d+) ")
MARKER_TEXT = re.compile(r'^(?:SM_CURRENT_INSTANCE_GROUP=|\s*"current_instance_group":|'
                         r'\s*"current_group_name":|SM_RESOURCE_CONFIG=\{.*"current_group_name")',
                         re.M)
MAP_TEXT = re.compile(r'"instance_groups_dict":|^SM_INSTANCE_GROUPS_DICT=|"instance_groups":', re.M)


def tee(pipe, keep):
    """The lines of pipe, also written to keep (a file, or None)."""
    for line in pipe:
        if keep is not None:
            keep.write(line)
            keep.flush()
        yield line


def ingestion_times(url, job, start_ms):
    """(stream, write stamp) -> ingestionTime of the job's events stamped
    from start_ms on (their timestamps are no later than their stamp), as
    moto holds them: one PutLogEvents call has one stamp and one
    ingestion."""
    client = botocore.session.get_session().create_client(
        "logs", region_name="us-east-1", endpoint_url=url,
        aws_access_key_id="testing", aws_secret_access_key="testing")
    times = {}
    pages = client.get_paginator("filter_log_events").paginate(
        logGroupName=LOG_GROUP, logStreamNamePrefix=job + "/",
        startTime=int(start_ms) - 60000)
    for page in pages:
        for e in page["events"]:
            m = STAMP_TEXT.match(e["message"])
            if m is not None and e["logStreamName"].startswith(job + "/"):
                key = (e["logStreamName"], int(m.group(1)))
                times[key] = min(times.get(key, e["ingestionTime"]), e["ingestionTime"])
    return times


def ingest_latency(reader, keep, want, times):
    """Median and p99 latency (ms) from ingestion of the events keep admits,
    of want; an event moto does not hold is left out."""
    lat = []
    for line, (stamp, at) in reader.first.items():
        stream = json.loads(line)["stream"]
        if not keep(stream, stamp):
            continue
        t = times.get((stream, stamp))
        if t is not None:
            lat.append(at - t)
    lat.sort()
    missing = max(0, want - len(lat))
    return {"ingest_latency_median_ms": percentile(lat, missing, 0.5),
            "ingest_latency_p99_ms": percentile(lat, missing, 0.99)}


def sent_times(path):
    """(stream, write stamp) -> when the emulator first sent it (ms)."""
    times = {}
    with open(path) as f:
        for line in f:
            sent, stream, stamp = line.split()
            key = (stream, int(stamp))
            times[key] = min(times.get(key, int(sent)), int(sent))
    return times


def placed_since(gendir):
    """stream -> the write stamp from which its host's group is known: the
    first write of the host's marker or of any host map (the marker rules
    of patterns/sagemaker.rules, found as the stamped messages hold them)."""
    with open(os.path.join(gendir, "truth.json")) as f:
        hosts = json.load(f)["streams"]
    own, any_map = {}, None
    with open(os.path.join(gendir, "truth.events.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            msg = base64.b64decode(e["message_b64"]).decode("utf-8", "replace")
            m = STAMP_TEXT.match(msg)
            if m is None:
                continue
            stamp = int(m.group(1))
            if MAP_TEXT.search(msg) and (any_map is None or stamp < any_map):
                any_map = stamp
            if MARKER_TEXT.search(msg) and stamp < own.get(e["host"], stamp + 1):
                own[e["host"]] = stamp
    never = float("inf")
    return {stream: min(own.get(host, never), never if any_map is None else any_map)
            for stream, host in hosts.items()}


def write_latency(reader, keep, want):
    """Median and p99 latency (ms) from the write stamp of the events keep
    admits, of want."""
    lat = sorted(at - stamp for line, (stamp, at) in reader.first.items()
                 if keep(json.loads(line)["stream"], stamp))
    missing = max(0, want - len(lat))
    return {"latency_median_ms": percentile(lat, missing, 0.5),
            "latency_p99_ms": percentile(lat, missing, 0.99)}


def split_latency(reader, keep, ingested, sent):
    """Median and p99 (ms) of ingestion to send and of send to output, over
    the events keep admits that Live Tail sent."""
    pushed, own = [], []
    for line, (stamp, at) in reader.first.items():
        key = (json.loads(line)["stream"], stamp)
        if not keep(*key) or key not in sent:
            continue
        own.append(at - sent[key])
        if key in ingested:
            pushed.append(sent[key] - ingested[key])
    pushed.sort()
    own.sort()
    return {"pushed_median_ms": percentile(pushed, 0, 0.5),
            "pushed_p99_ms": percentile(pushed, 0, 0.99),
            "own_median_ms": percentile(own, 0, 0.5),
            "own_p99_ms": percentile(own, 0, 0.99), "own_measured": len(own)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cwdemux", required=True)
    ap.add_argument("--live-proxy", required=True)
    ap.add_argument("--poll-proxy", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--streams", type=int, required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--batch-interval", type=int, default=200)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--drain", type=float, default=60)
    ap.add_argument("--job")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--sent-log")
    ap.add_argument("--moto", help="read ingestion times here (moto itself: no "
                    "1 MB page cap); default the live proxy")
    args = ap.parse_args()
    job = args.job or "bench-live-%d" % args.streams
    out = os.path.join(args.workdir, job)
    os.makedirs(out, exist_ok=True)
    ready = os.path.join(out, "ready")
    home = os.path.join(args.workdir, "home")
    os.makedirs(home, exist_ok=True)
    procs = []
    tools = {}
    try:
        sim = subprocess.Popen(
            [sys.executable, "tests/tools/simjob.py", args.live_proxy, out,
             "--job", job, "--hosts", str(args.streams), "--rate", str(args.rate),
             "--duration", str(args.duration), "--batch-interval",
             str(args.batch_interval), "--stamp-writes", "--ready-file", ready,
             "--seed", "9"], stdout=subprocess.DEVNULL)
        procs.append(sim)
        if not wait_file(ready, 300):
            sys.stderr.write("livetail: simjob did not start\n")
            return 1
        env = {"PATH": os.environ["PATH"], "HOME": home,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_EC2_METADATA_DISABLED": "true"}
        for url in (args.live_proxy, args.poll_proxy):
            proxy(url, "reset-stats", post=True)
        live0 = proxy(args.live_proxy, "live")
        t0 = now_ms()
        for name, url, extra in (("live", args.live_proxy, ["--live-tail"]),
                                 ("poll", args.poll_proxy, [])):
            p = subprocess.Popen(
                [args.cwdemux, "--region", "us-east-1", "--endpoint-url", url,
                 "--output", "json"] + extra + [job], stdout=subprocess.PIPE,
                stderr=open(os.path.join(out, name + ".err"), "wb"), env=env)
            procs.append(p)
            keep = None
            if args.check and name == "live":
                keep = open(os.path.join(out, "live.jsonl"), "wb")
            r = Reader(tee(p.stdout, keep))
            r.start()
            tools[name] = {"proc": p, "reader": r, "cpu0": cpu_seconds(p.pid)}
        if sim.wait() != 0:
            sys.stderr.write("livetail: simjob failed\n")
            return 1
        t1 = now_ms()
        for t in tools.values():
            t["cpu1"] = cpu_seconds(t["proc"].pid)
            t["rss"] = peak_rss_kb(t["proc"].pid)
        # simjob's writes go through the live proxy too: not cwdemux's.
        stats = {name: {op: n for op, n in requests_by_op(proxy(url, "stats")).items()
                        if not op.startswith(("Put", "Create"))}
                 for name, url in (("live", args.live_proxy), ("poll", args.poll_proxy))}
        live1 = proxy(args.live_proxy, "live")
        with open(os.path.join(out, "truth.json")) as f:
            written = json.load(f)["events"]
        end = time.monotonic() + args.drain
        while time.monotonic() < end and any(
                t["reader"].lines < written and t["proc"].poll() is None
                for t in tools.values()):
            time.sleep(0.1)
        since = t0 + args.warmup * 1000
        with open(os.path.join(out, "truth.events.jsonl"), "rb") as f:
            want = sum(1 for line in f if stamp_of(line) >= since)
        minutes = (t1 - t0) / 60000
        result = {"streams": args.streams, "rate": args.rate, "written": written,
                  "seconds": round((t1 - t0) / 1000, 1),
                  "live_tail": {k: live1.get(k, 0) - live0.get(k, 0) for k in
                                ("sessions", "updates", "events", "sampled_updates",
                                 "dropped_by_sampling")}}
        times = ingestion_times(args.moto or args.live_proxy, job, since)
        placed = placed_since(out)

        def after_warmup(stream, stamp):
            return stamp >= since

        def of_placed(stream, stamp):
            return stamp >= since and stamp >= placed.get(stream, float("inf"))
        with open(os.path.join(out, "truth.events.jsonl"), "rb") as f:
            want_placed = sum(1 for line in f if of_placed(
                json.loads(line)["stream"], stamp_of(line)))
        for name, t in tools.items():
            r = latency(t["reader"], since, want)
            r.update(ingest_latency(t["reader"], after_warmup, want, times))
            r.update({"placed_" + k: v for k, v in
                      ingest_latency(t["reader"], of_placed, want_placed, times).items()})
            r.update({"placed_" + k: v for k, v in
                      write_latency(t["reader"], of_placed, want_placed).items()})
            r["placed_measured"] = want_placed
            if name == "live" and args.sent_log:
                r.update(split_latency(t["reader"], of_placed, times,
                                       sent_times(args.sent_log)))
            r.update({
                "delivered": t["reader"].lines,
                "requests_per_min": {op: round(n / minutes, 1)
                                     for op, n in stats[name].items()},
                "cpu_percent": round(100 * (t["cpu1"] - t["cpu0"]) / ((t1 - t0) / 1000), 2),
                "peak_rss_kb": t["rss"]})
            result[name] = r
        if args.check:
            tools["live"]["proc"].send_signal(signal.SIGTERM)
            tools["live"]["proc"].wait(timeout=30)
            tools["live"]["reader"].join(timeout=10)
            chk = subprocess.run([sys.executable, "tests/tools/checkonce.py",
                                  out, os.path.join(out, "live.jsonl")],
                                 capture_output=True, text=True)
            result["exact"] = chk.returncode == 0
            if chk.returncode != 0:
                sys.stderr.write(chk.stdout[-2000:] + chk.stderr[-2000:])
        print(json.dumps(result))
        return 0
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


if __name__ == "__main__":
    sys.exit(main())
