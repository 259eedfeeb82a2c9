#!/usr/bin/env python3
"""Benchmark 4, following: latency, requests, CPU and memory of cwdemux
following a job that tests/tools/simjob.py writes at a steady rate.

    follow.py --cwdemux BIN --moto URL --proxy URL [--peer-proxy URL]
              --workdir DIR
              --streams N --rate EV/S --duration S [--batch-interval MS]
              [--idle S] [--warmup S] [--drain S] [--job NAME]

The proxy (tests/tools/faultproxy.py, started with --job-status
InProgress:Training@0) keeps the job running and counts requests. simjob
writes N streams (one per host) with --stamp-writes: every message starts
with "@<epoch ms> ", taken just before its PutLogEvents call. cwdemux
follows the job with its default budget and --output json into a pipe read
here; the latency of an event is its arrival here minus its stamp. Events
written in the first --warmup seconds after cwdemux started are left out
(cwdemux is still listing and reading the streams' heads). Once simjob has
ended, cwdemux has --drain seconds to deliver the rest; an event that never
arrives counts as infinitely late. With --idle S, cwdemux then goes on
following the now silent job for S seconds: its CPU and requests then are
the idle figures.

With --peer-proxy (a second proxy like the first, so that each tool's
requests are counted apart), `aws logs tail --follow` (AWS CLI v2,
/usr/bin/aws) follows the same job at the same time through it, started
together with cwdemux, its output unbuffered (PYTHONUNBUFFERED=1: what is
measured is its polling, not Python's pipe buffering), and gets the same
figures under "peer".

Prints one JSON object: events written and delivered (distinct: an event
printed twice counts once, under "duplicates"), latency median and p99
(ms; null when more than that share never arrived), requests/s by
operation while writing, cwdemux's CPU% (user+sys over wall, from
/proc) and peak RSS while writing, and the idle CPU% and requests/s.
"""

import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

STAMP = re.compile(rb'"message":"@(\d+) ')
TAIL_STAMP = re.compile(rb'^\S+ \S+ @(\d+) ')
TICK = os.sysconf("SC_CLK_TCK")


def now_ms():
    return time.time_ns() // 1000000


def cpu_seconds(pid):
    """User+system CPU seconds of a live process, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def proxy(url, path, post=False):
    req = urllib.request.Request(url + "/proxy-control/" + path,
                                 data=b"" if post else None)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def requests_by_op(stats):
    return {op: c["requests"] for op, c in stats.items() if c["requests"]}


class Reader(threading.Thread):
    """Reads a tool's output; keeps (stamp, first arrival) of each event,
    known by its line (time, stream and message), so an event printed
    twice is counted once, as a duplicate."""

    def __init__(self, pipe, stamp=STAMP):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.stamp = stamp
        self.first = {}
        self.lines = 0
        self.duplicates = 0

    def run(self):
        for line in self.pipe:
            at = now_ms()
            m = self.stamp.search(line)
            if m is None:
                continue
            if line in self.first:
                self.duplicates += 1
                continue
            self.first[line] = (int(m.group(1)), at)
            self.lines += 1


def percentile(sorted_ms, missing, q):
    """The q-quantile of latencies where missing ones are infinite."""
    n = len(sorted_ms) + missing
    if n == 0:
        return None
    k = min(n - 1, int(q * n))
    return sorted_ms[k] if k < len(sorted_ms) else None


def latency(reader, since, want):
    """Median and p99 latency (ms) of the events stamped since, of want."""
    lat = sorted(a - w for w, a in reader.first.values() if w >= since)
    missing = max(0, want - len(lat))
    return {"measured": want, "missing": missing,
            "duplicates": reader.duplicates,
            "latency_median_ms": percentile(lat, missing, 0.5),
            "latency_p99_ms": percentile(lat, missing, 0.99)}


def wait_file(path, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.1)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cwdemux", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--streams", type=int, required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--batch-interval", type=int, default=200)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--drain", type=float, default=60)
    ap.add_argument("--idle", type=float, default=0)
    ap.add_argument("--job")
    ap.add_argument("--peer-proxy")
    args = ap.parse_args()
    job = args.job or "bench-follow-%d" % args.streams
    out = os.path.join(args.workdir, job)
    os.makedirs(out, exist_ok=True)
    ready = os.path.join(out, "ready")
    home = os.path.join(args.workdir, "home")
    os.makedirs(home, exist_ok=True)
    procs = []
    try:
        sim = subprocess.Popen(
            [sys.executable, "tests/tools/simjob.py", args.moto, out, "--job", job,
             "--hosts", str(args.streams), "--rate", str(args.rate),
             "--duration", str(args.duration), "--batch-interval",
             str(args.batch_interval), "--stamp-writes", "--ready-file", ready,
             "--seed", "9"], stdout=subprocess.DEVNULL)
        procs.append(sim)
        if not wait_file(ready, 120):
            sys.stderr.write("follow: simjob did not start\n")
            return 1
        env = {"PATH": os.environ["PATH"], "HOME": home,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_EC2_METADATA_DISABLED": "true"}
        args.peer = args.peer_proxy is not None
        for url in (args.proxy, args.peer_proxy):
            if url is not None:
                proxy(url, "reset-stats", post=True)
        t0 = now_ms()
        cw = subprocess.Popen(
            [args.cwdemux, "--region", "us-east-1", "--endpoint-url", args.proxy,
             "--output", "json", job], stdout=subprocess.PIPE,
            stderr=open(os.path.join(out, "cwdemux.err"), "wb"), env=env)
        procs.append(cw)
        reader = Reader(cw.stdout)
        reader.start()
        if args.peer:
            tail = subprocess.Popen(
                ["/usr/bin/aws", "--endpoint-url", args.peer_proxy, "--region",
                 "us-east-1", "logs", "tail", "/aws/sagemaker/TrainingJobs",
                 "--follow", "--log-stream-name-prefix", job + "/", "--since",
                 "10m", "--format", "detailed", "--color", "off"],
                stdout=subprocess.PIPE, stderr=open(os.path.join(out, "tail.err"), "wb"),
                env=dict(env, PYTHONUNBUFFERED="1", AWS_PAGER=""))
            procs.append(tail)
            peer = Reader(tail.stdout, TAIL_STAMP)
            peer.start()
            pcpu0 = cpu_seconds(tail.pid)
        cpu0 = cpu_seconds(cw.pid)
        if sim.wait() != 0:
            sys.stderr.write("follow: simjob failed\n")
            return 1
        t1 = now_ms()
        cpu1 = cpu_seconds(cw.pid)
        rss = peak_rss_kb(cw.pid)
        if args.peer:
            pcpu1 = cpu_seconds(tail.pid)
            prss = peak_rss_kb(tail.pid)
        stats = requests_by_op(proxy(args.proxy, "stats"))
        if args.peer:
            peer_stats = requests_by_op(proxy(args.peer_proxy, "stats"))
        with open(os.path.join(out, "truth.json")) as f:
            written = json.load(f)["events"]
        # Everything written is delivered within the drain time, or late.
        # The peer is not waited for once it has printed nothing new for
        # three of its 5 s polls (it skips events it finds late).
        end = time.monotonic() + args.drain
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < end and cw.poll() is None:
            if args.peer and peer.lines != last:
                last, quiet_since = peer.lines, time.monotonic()
            if reader.lines >= written and (
                    not args.peer or peer.lines >= written or
                    time.monotonic() - quiet_since > 15):
                break
            time.sleep(0.1)
        t2 = now_ms()
        result = {"streams": args.streams, "rate": args.rate,
                  "seconds": round((t1 - t0) / 1000, 1), "written": written,
                  "delivered": reader.lines,
                  "drain_seconds": round((t2 - t1) / 1000, 1)}
        idle_cpu = idle_req = peer_idle = peer_idle_req = None
        if args.idle > 0 and cw.poll() is None:
            for url in (args.proxy, args.peer_proxy):
                if url is not None:
                    proxy(url, "reset-stats", post=True)
            c0, i0 = cpu_seconds(cw.pid), time.monotonic()
            if args.peer and tail.poll() is None:
                pc0 = cpu_seconds(tail.pid)
            time.sleep(args.idle)
            c1, i1 = cpu_seconds(cw.pid), time.monotonic()
            idle_cpu = 100 * (c1 - c0) / (i1 - i0)
            if args.peer and tail.poll() is None:
                peer_idle = 100 * (cpu_seconds(tail.pid) - pc0) / (i1 - i0)
            idle_req = requests_by_op(proxy(args.proxy, "stats"))
            idle_req = {op: round(n / (i1 - i0), 2) for op, n in idle_req.items()}
            if args.peer:
                peer_idle_req = requests_by_op(proxy(args.peer_proxy, "stats"))
                peer_idle_req = {op: round(n / (i1 - i0), 2)
                                 for op, n in peer_idle_req.items()}
        # The measured events: written after the warm-up, by their stamp.
        since = t0 + args.warmup * 1000
        with open(os.path.join(out, "truth.events.jsonl"), "rb") as f:
            want = sum(1 for line in f if stamp_of(line) >= since)
        result.update(latency(reader, since, want))
        if args.peer:
            result["peer"] = latency(peer, since, want)
            result["peer"].update({
                "cpu_percent": round(100 * (pcpu1 - pcpu0) / ((t1 - t0) / 1000), 2),
                "peak_rss_kb": prss,
                "requests_per_s": {op: round(n * 1000 / (t1 - t0), 2)
                                   for op, n in peer_stats.items()},
                "idle_cpu_percent": None if peer_idle is None else round(peer_idle, 3),
                "idle_requests_per_s": peer_idle_req})
        result.update({
            "requests_per_s": {op: round(n * 1000 / (t1 - t0), 2)
                               for op, n in stats.items()},
            "cpu_percent": round(100 * (cpu1 - cpu0) / ((t1 - t0) / 1000), 2),
            "peak_rss_kb": rss,
            "idle_cpu_percent": None if idle_cpu is None else round(idle_cpu, 3),
            "idle_requests_per_s": idle_req,
        })
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


def stamp_of(line):
    """The write stamp of a truth.events.jsonl record."""
    msg = base64.b64decode(json.loads(line)["message_b64"])
    return int(msg[1:msg.index(b" ")])


if __name__ == "__main__":
    sys.exit(main())
