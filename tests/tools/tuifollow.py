#!/usr/bin/env python3
"""Benchmark 6, following with the UI (issue #20): what the spool costs
while the terminal UI follows a live job, against cwdemux without it, the
same job, the same run.

    tuifollow.py --cwdemux BIN --moto URL --proxy URL --workdir DIR
                 --streams N --rate EV/S-PER-STREAM --duration S
                 [--batch-interval MS] [--warmup S] [--drain S]

tests/tools/simjob.py writes N streams at a steady rate, each message
stamped "@<epoch ms> " just before its PutLogEvents call (as
tests/bench/follow.py has it). Three cwdemux follow the job at once through
the proxy, each with its default budget:

- the UI, in a private tmux server (200x50), on its all-groups view,
  following: every line goes into its spool;
- --output none: the same reading, nothing kept or shown (the CPU
  baseline);
- --output json into a pipe read here (the lag baseline: --output none
  shows nothing to time).

Twice a second while simjob writes (after --warmup), the lag of each is
sampled: now minus the newest stamp the UI's screen shows, and now minus
the newest stamp the JSON pipe delivered. Once simjob ends, the time until
the UI's status line counts every event written, and until the pipe has
them all (at most --drain s). CPU is user+sys over the writing time, from
/proc.

Prints one JSON object: written, seconds, lag median and p90 (ms) of the UI
and of JSON, drain seconds of both (null: not all within --drain) and the
events each had then, CPU% of the UI, --output none and JSON, peak RSS of
the UI and --output none.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
from follow import Reader, cpu_seconds, now_ms, peak_rss_kb, wait_file  # noqa: E402

SCREEN_STAMP = re.compile(r"@(\d{13}) ")
EVENTS = re.compile(r"\| (\d+) events ")


class Tmux:
    def __init__(self, workdir):
        self.sock = "cwdemux-tuifollow-%d" % os.getpid()
        self.workdir = workdir

    def __call__(self, *args):
        return subprocess.run(["tmux", "-L", self.sock] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              check=False).stdout.decode("utf-8", "replace")

    def screen(self):
        return self("capture-pane", "-p", "-t", "f")

    def stop(self):
        self("kill-server")


def newest(reader):
    """The newest stamp the reader has (its thread adds while we look)."""
    while True:
        try:
            return max(w for w, _ in list(reader.first.values()))
        except RuntimeError:
            continue


def median(v):
    return sorted(v)[len(v) // 2] if v else None


def p90(v):
    return sorted(v)[min(len(v) - 1, int(0.9 * len(v)))] if v else None


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
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--drain", type=float, default=60)
    args = ap.parse_args()
    job = "bench-tuifollow-%d" % args.streams
    out = os.path.join(args.workdir, job)
    os.makedirs(out, exist_ok=True)
    ready = os.path.join(out, "ready")
    home = os.path.join(args.workdir, "home")
    os.makedirs(home, exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": home,
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_EC2_METADATA_DISABLED": "true", "TMPDIR": args.workdir}
    cmd = [args.cwdemux, "--region", "us-east-1", "--endpoint-url", args.proxy]
    tm = Tmux(args.workdir)
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
            sys.stderr.write("tuifollow: simjob did not start\n")
            return 1
        pidfile = os.path.join(args.workdir, "ui.pid")
        envs = " ".join("%s='%s'" % kv for kv in env.items())
        tm("-f", "/dev/null", "new-session", "-d", "-s", "f", "-x", "200", "-y", "50",
           "env -i %s LANG=C.UTF-8 TERM=screen sh -c 'echo $$ >%s; exec %s %s' 2>%s/ui.err"
           % (envs, pidfile, " ".join(cmd), job, args.workdir))
        none = subprocess.Popen(cmd + ["--output", "none", job],
                                stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(out, "none.err"), "wb"), env=env)
        procs.append(none)
        js = subprocess.Popen(cmd + ["--output", "json", job], stdout=subprocess.PIPE,
                              stderr=open(os.path.join(out, "json.err"), "wb"), env=env)
        procs.append(js)
        reader = Reader(js.stdout)
        reader.start()
        if not wait_file(pidfile, 30):
            sys.stderr.write("tuifollow: the UI did not start\n")
            return 1
        time.sleep(0.2)
        ui = int(open(pidfile).read())
        tm("send-keys", "-t", "f", "a")
        t0 = now_ms()
        cpu0 = {n: cpu_seconds(p) for n, p in
                (("ui", ui), ("none", none.pid), ("json", js.pid))}
        ui_lag, json_lag = [], []
        while sim.poll() is None:
            time.sleep(0.5)
            at = now_ms()
            if at - t0 < args.warmup * 1000:
                continue
            stamps = [int(s) for s in SCREEN_STAMP.findall(tm.screen())]
            if stamps:
                ui_lag.append(at - max(stamps))
            if reader.first:
                json_lag.append(at - newest(reader))
        if sim.returncode != 0:
            sys.stderr.write("tuifollow: simjob failed\n")
            return 1
        t1 = now_ms()
        cpu = {n: round(100 * (cpu_seconds(p) - cpu0[n]) / ((t1 - t0) / 1000), 2)
               for n, p in (("ui", ui), ("none", none.pid), ("json", js.pid))}
        rss = {"ui": peak_rss_kb(ui), "none": peak_rss_kb(none.pid)}
        with open(os.path.join(out, "truth.json")) as f:
            written = json.load(f)["events"]
        ui_done = json_done = None
        ui_events = 0
        end = time.monotonic() + args.drain
        while time.monotonic() < end and (ui_done is None or json_done is None):
            m = EVENTS.search(tm.screen())
            ui_events = int(m.group(1)) if m else ui_events
            if ui_done is None and ui_events >= written:
                ui_done = round((now_ms() - t1) / 1000, 1)
            if json_done is None and reader.lines >= written:
                json_done = round((now_ms() - t1) / 1000, 1)
            time.sleep(0.1)
        print(json.dumps({
            "streams": args.streams, "rate": args.rate, "written": written,
            "seconds": round((t1 - t0) / 1000, 1),
            "ui_lag_median_ms": median(ui_lag), "ui_lag_p90_ms": p90(ui_lag),
            "json_lag_median_ms": median(json_lag), "json_lag_p90_ms": p90(json_lag),
            "samples": len(ui_lag),
            "ui_drain_s": ui_done, "json_drain_s": json_done,
            "ui_events": ui_events, "json_events": reader.lines,
            "cpu_percent": cpu, "peak_rss_kb": rss}))
        return 0
    finally:
        tm.stop()
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


if __name__ == "__main__":
    sys.exit(main())
