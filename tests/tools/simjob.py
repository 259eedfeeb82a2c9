#!/usr/bin/env python3
"""Simulate a live SageMaker heterogeneous training job on moto server.

    simjob.py ENDPOINT OUTDIR [--region R] [--job NAME] [--hosts N | --groups G]
              [--rate EV/S] [--duration S | --events-per-host N] [--seed S]
              [--mpi-workers] [--restart HOST] [--late-events F]
              [--late-max-seconds S] [--burst N] [--hostile]
              [--batch-interval MS] [--ready-file F] [--no-sagemaker]
              [--stamp-writes] [--verbose]

Creates the log group /aws/sagemaker/TrainingJobs (if missing) and the training
job (as loadjob.py does), writes OUTDIR/truth.json with "events": null, touches
--ready-file, and then writes the hosts' logs to CloudWatch Logs *while* a
reader follows them, with wall-clock timestamps.  At the end it writes the
final ground truth.

What the hosts print is genjob.py's (imported, not copied): start-up lines, the
invocation dump with its multi-line Training Env event and SM_* lines, MPI
master/worker lines, user output, --hostile lines.  The messages depend only on
the arguments (not on timing): genjob's plan is anchored at its fixed
DEFAULT_START_MS, so the asctime texts inside the messages read 2024-06-01 while
the event timestamps are now.  With --duration, the number of events per stream
(and so where the 256 KB --hostile line falls) also depends on --rate.

Timing, as on a real cluster:
  * hosts start a few hundred ms apart (at most 5 s for all of them), each
    host's stream "<job>/algo-N-<epoch s>" is created when the host starts;
  * each stream gets --rate events/s, in one PutLogEvents batch per stream
    every --batch-interval ms; timestamps are wall-clock ms spread over the
    interval, non-decreasing within a batch and along the stream; when moto
    cannot keep up, batches get longer rather than the rate lower;
  * --burst N: about one batch in ten on each stream ends with N events in the
    same millisecond (taken from the stream's later quota);
  * --late-events F: a fraction F of the events is held back and written in a
    later batch that holds only late events (sorted), with its original
    timestamp, up to --late-max-seconds older than the time of writing (but
    always in a later batch, and as long as the writer keeps up) -- a
    collector that flushes late;
  * --mpi-workers: workers print their start-up at once and their last lines
    ("Reporting status for ORTEd process ..." onwards) when the master ends;
  * --restart algo-K: the host's first stream stops half way (half the events,
    half the duration, or after 10 s without a limit), and a second stream
    "<job>/algo-K-<later epoch>" starts 1-2 s later and goes on without
    markers; with --events-per-host the two streams share the host's N events.
Throughput: moto serves about 300-400 PutLogEvents a second (one Python
process, whatever the number of streams or concurrent --writers), and far more
events a second when they come in larger batches.  Measured on 2 CPUs: 16
streams keep 200 ms ticks up to ~50,000 events/s (--rate 3000) and reach
~90,000 events/s with longer ticks; 128 streams need ~300 ms ticks at --rate 20
(2,600 events/s) and reach ~45,000 events/s (--rate 400, ~750 ms ticks); 500
streams keep the rate (5,000 events/s at --rate 10, 25,000 at --rate 50) with
~2 s ticks.  With --verbose the tool prints its rate and tick time each second.

--fail HOST: once the run ends, the job fails (genjob's --fail lines): every other
host with user output cascades first (an NCCL timeout or Gloo error, the toolkit's
failure report), timestamped now plus 1-3 s; then, --fail-late-seconds later (late
ingestion), HOST's out-of-memory traceback arrives, timestamped 2 s *before* the
cascade.  truth.json's scenario.fail names the first failure (host, group,
timestamp, summary), which therefore arrives after errors that are later.

Stream names (and their epochs) are planned before the start, so truth.json
lists them from the start.  A stream that never started (stopped early) is
left out of the final truth.  Each stream's events are never fewer than its
start-up (as genjob's --lines-per-host).

Stops after --duration seconds, once every host has written --events-per-host
events, or on SIGTERM/SIGINT (the batches in flight are finished, MPI workers
print their ends, held-back late events are flushed); without --duration or
--events-per-host it runs until signalled.  A second signal exits at once
(status 130) without the final truth.

Ground truth (genjob.py's formats):
  OUTDIR/truth.json          job, groups, hosts -> group, streams -> host,
                             "events"/"lines" (null until the end), scenario
                             (genjob's keys plus the live ones: start_ms,
                             rate, batch_interval_ms, late_events, bursts,
                             stopped_by, elapsed_seconds, ...)
  OUTDIR/truth.events.jsonl  written at the end, before the final truth.json:
                             {"stream","host","group","timestamp","message_b64"}
                             per event, with "behind_ms" for an event written
                             after a newer one of its stream (by how much:
                             the writer may fall behind, late events with
                             it; scenario.late_behind_max_ms is the most);
                             streams in name order, and each
                             stream's events in timestamp order, stable (equal
                             timestamps keep their write order).  That is the
                             order a reader of the stream sees, because
                             CloudWatch keeps a stream sorted by event time (and
                             moto sorts stably); late events therefore sit at
                             their timestamps, not where they were written.
Both files are replaced atomically.  Only events that moto accepted count: an
answer with rejectedLogEventsInfo (or any failed call) aborts with status 1.
"""

import argparse
import base64
import itertools
import json
import math
import os
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genjob  # noqa: E402
import loadjob  # noqa: E402

import boto3  # noqa: E402
import botocore.config  # noqa: E402

LOG_GROUP = loadjob.LOG_GROUP

# CloudWatch's limits for one event (256 KB including 26 bytes of overhead)
# and one PutLogEvents batch; moto does not enforce them, AWS does.
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 262144 - EVENT_OVERHEAD
MAX_BATCH_EVENTS = 10000
MAX_BATCH_BYTES = 1048576

BURST_P = 0.1                 # share of a stream's batches that end in a burst
START_GAP_MS = (150, 450)     # between two host starts
START_SPREAD_MAX_MS = 5000    # all hosts have started by then
RESTART_GAP_MS = (1000, 2000)
RESTART_AFTER_MS = 10000      # first stream of --restart without a limit
WORKER_TAIL = b"Reporting status for ORTEd process"

# genjob's --hostile lines, made valid UTF-8 (CloudWatch messages are strings):
# the raw C1 bytes become U+0080..U+009F, invalid/overlong UTF-8 and encoded
# surrogates become other awkward but valid text.  Same count and order, so
# the same events are hostile as in genjob.
HOSTILE_LINES = (
    genjob.HOSTILE_LINES[0], genjob.HOSTILE_LINES[1], genjob.HOSTILE_LINES[2],
    genjob.HOSTILE_LINES[3],
    "\u009b31m8-bit CSI\u009bm \u009d0;8-bit OSC title\u009c C1 as U+0080..U+009F "
    "\u0085NEL \u0084IND %d".encode(),
    genjob.HOSTILE_LINES[5], genjob.HOSTILE_LINES[6], genjob.HOSTILE_LINES[7],
    "replacement \ufffd noncharacters \ufffe\uffff\U0010ffff BOM \ufeff zero-width "
    "\u200b\u200d LS \u2028 PS \u2029 %d".encode(),
    "combining e\u0301\u0301\u0301 emoji \U0001f600 tag \U000e0041 CJK \u4e2d "
    "NUL\x00 DEL\x7f %d".encode(),
    genjob.HOSTILE_LINES[10], genjob.HOSTILE_LINES[11],
)
assert len(HOSTILE_LINES) == len(genjob.HOSTILE_LINES)
for _line in HOSTILE_LINES:
    (_line % 0).decode("utf-8")


class Abort(Exception):
    pass


def now_ms():
    return time.time_ns() // 1000000


def log(args, fmt, *a):
    if args.verbose:
        sys.stderr.write("simjob: " + (fmt % a if a else fmt) + "\n")
        sys.stderr.flush()


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def truth_bytes(truth):
    return (json.dumps(truth, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------
# Streams


class Stream:
    """One log stream: its message sequence, schedule and what was written."""

    def __init__(self, spec, host, group, kind, seed, rate):
        self.spec = spec
        self.host = host
        self.group = group
        self.kind = kind
        self.rate = rate
        self.name = None            # live name, set by the schedule
        self.planned_ms = 0         # planned start (the name's epoch comes from it)
        self.stop_ms = None         # --restart first stream: planned stop time
        self.limit = None           # events to draw (None: until the end)
        self.tail = []              # MPI worker: events written when the master ends
        self.tail_written = False
        self.after = None           # --restart second stream: the first one
        self.state = "waiting"      # waiting, active, done
        self.start_ms = 0           # actual start
        self.drawn = 0
        self.last_ts = 0
        self.last_tick = 0
        self.pending = []           # late events: (release ms, ts, seq, msg)
        self.written = []           # (ts, msg) in write order = moto's insertion order
        self.bursts = 0
        self.late = 0
        self.created = False
        rng_key = "%d/%s/live" % (seed, spec["stream"])
        self.rng = random.Random(rng_key)        # timing: batch ts, bursts, late delays
        self.late_rng = random.Random(rng_key + "/late")  # which sequence numbers are late
        head = list(spec["head"])
        if kind == "mpi-worker":
            cut = next((i for i, (_, m) in enumerate(head) if WORKER_TAIL in m), len(head))
            head, self.tail = head[:cut], [m for _, m in head[cut:]]
        self.head_n = len(head)
        self.msgs = self._messages(head, seed)

    def _messages(self, head, seed):
        """Head, the planned body, then more body as long as needed."""
        spec = self.spec
        more = dict(spec, body_n=1 << 62)
        body = genjob.body_events(spec, seed)
        if spec["kind"] != "mpi-worker":
            # body_events draws two random numbers per event whatever the message,
            # so the longer body goes on where the planned one ends.
            body = itertools.chain(body, itertools.islice(
                genjob.body_events(more, seed), spec["body_n"], None))
        else:
            body = iter(())
        return (m for _, m in itertools.chain(head, body))

    def draw(self, n):
        """The next n messages (fewer if the sequence or the limit ends)."""
        if self.limit is not None:
            n = min(n, self.limit - self.drawn)
        out = list(itertools.islice(self.msgs, max(n, 0)))
        self.drawn += len(out)
        return out


def plan_live(args):
    """genjob's plan (what each stream prints): returns (streams, truth)."""
    gargs = argparse.Namespace(
        seed=args.seed, groups=args.groups, hosts=args.hosts, restart=args.restart,
        no_markers=None, job=args.job, mpi_workers=args.mpi_workers, late_marker=False,
        start_ms=genjob.DEFAULT_START_MS, hostile=args.hostile, layout="cloudwatch",
        lines_per_host=args.planned)
    specs, truth = genjob.plan(gargs)
    if args.hostile:
        # genjob puts its huge line half way through one stream's body; do not
        # pick a restarted host's, which stops (or starts) half way.
        for spec in specs:
            spec["huge_at"] = -1
        bodies = [spec for spec in specs if spec["body_n"] > 0 and spec["host"] != args.restart]
        if bodies:
            spec = random.Random("%d/huge" % args.seed).choice(bodies)
            spec["huge_at"] = spec["body_n"] // 2
            truth["scenario"]["huge_line_stream"] = spec["stream"]
    streams = [Stream(spec, spec["host"], spec["truth_group"], spec["kind"], args.seed,
                      args.rate) for spec in specs]
    truth["events"] = None
    truth["lines"] = None
    return streams, truth


def schedule(args, streams, truth, t0):
    """Start (and stop) times and live names of the streams, from t0 on."""
    rng = random.Random("%d/live-schedule" % args.seed)
    by_host = {}
    for s in streams:
        by_host.setdefault(s.host, []).append(s)
    for ss in by_host.values():
        ss.sort(key=lambda s: s.kind == "restart")

    # Hosts start in random order, a few hundred ms apart, all within 5 s.
    hosts = sorted(by_host, key=genjob.host_num)
    rng.shuffle(hosts)
    gaps = [rng.randint(*START_GAP_MS) for _ in hosts[1:]]
    scale = min(1.0, START_SPREAD_MAX_MS / sum(gaps)) if gaps else 1.0
    offset = 0
    offsets = {}
    for host, gap in zip(hosts, [0] + gaps):
        offset += gap * scale
        offsets[host] = int(offset)

    n = args.events_per_host
    for host in hosts:
        first = by_host[host][0]
        first.planned_ms = t0 + offsets[host]
        if n is not None:
            first.limit = max(first.head_n, n)
        if len(by_host[host]) > 1:
            second = by_host[host][1]
            second.after = first
            if n is not None:
                first.limit = max(first.head_n, n // 2)
                second.limit = max(second.head_n, n - first.limit)
                stop = first.planned_ms + int(first.limit * 1000 / args.rate)
                if first.kind == "mpi-worker":
                    # A worker waits for its master; a restarted one stops in time.
                    first.stop_ms = stop
            elif args.duration is not None:
                stop = max(t0 + int(args.duration * 500), first.planned_ms + args.batch_interval)
                first.stop_ms = stop
            else:
                stop = first.planned_ms + RESTART_AFTER_MS
                first.stop_ms = stop
            start = stop + rng.randint(*RESTART_GAP_MS)
            epoch = max(start // 1000, first.planned_ms // 1000 + 1)
            second.planned_ms = max(start, epoch * 1000)
        if first.kind == "mpi-worker":
            first.limit = first.head_n
    for s in streams:
        s.name = "%s/%s-%d" % (args.job, s.host, s.planned_ms // 1000)

    live_name = {s.spec["stream"]: s.name for s in streams}
    sc = truth["scenario"]
    sc["layout"] = "cloudwatch"
    sc["stream_kinds"] = {live_name[k]: v for k, v in sc["stream_kinds"].items()}
    sc["huge_line_stream"] = live_name.get(sc["huge_line_stream"])
    sc.update({"start_ms": t0, "rate": args.rate, "batch_interval_ms": args.batch_interval,
               "duration": args.duration, "events_per_host": args.events_per_host,
               "late_events": args.late_events, "late_max_seconds": args.late_max_seconds,
               "burst": args.burst,
               "stream_starts_ms": {s.name: s.planned_ms
                                    for s in sorted(streams, key=lambda s: s.name)}})
    truth["streams"] = {s.name: s.host for s in sorted(streams, key=lambda s: s.name)}


# ---------------------------------------------------------------------------
# Writing


def make_clients(args):
    cfg = botocore.config.Config(
        max_pool_connections=args.writers + 2, parameter_validation=False,
        retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=120)
    kw = dict(endpoint_url=args.endpoint, region_name=args.region,
              aws_access_key_id="testing", aws_secret_access_key="testing", config=cfg)
    return boto3.client("logs", **kw), boto3.client("sagemaker", **kw)


def batches_of(events):
    """Split (ts, msg) events at CloudWatch's batch limits."""
    batch, size = [], 0
    for ts, msg in events:
        n = len(msg) + EVENT_OVERHEAD
        if batch and (len(batch) >= MAX_BATCH_EVENTS or size + n > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((ts, msg))
        size += n
    if batch:
        yield batch


def send(logs, stream, create, puts, stamp=False):
    """Worker thread: create the stream if asked, then put each batch in order.
    Returns the batches as written (with --stamp-writes, each message starts
    with "@<epoch ms> ", the time of its PutLogEvents call)."""
    if create:
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    written = []
    for events in puts:
        done = []
        for batch in batches_of(events):
            if stamp:
                at = b"@%d " % now_ms()
                batch = [(ts, at + msg) for ts, msg in batch]
            done.extend(batch)
            resp = logs.put_log_events(
                logGroupName=LOG_GROUP, logStreamName=stream,
                logEvents=[{"timestamp": ts, "message": msg.decode("utf-8")}
                           for ts, msg in batch])
            rejected = resp.get("rejectedLogEventsInfo")
            if rejected:
                raise Abort("%s: moto rejected events: %s (batch of %d, %d..%d)"
                            % (stream, rejected, len(batch), batch[0][0], batch[-1][0]))
        written.append(done)
    return written


class Sim:
    def __init__(self, args, streams, logs):
        self.args = args
        self.streams = streams
        self.logs = logs
        self.pool = ThreadPoolExecutor(max_workers=args.writers)
        self.late_ms = int(args.late_max_seconds * 1000)
        self.interval = args.batch_interval
        self.master = next((s for s in streams if s.kind == "mpi-master"), None)
        self.workers = [s for s in streams if s.kind == "mpi-worker"]
        self.tails_done = False
        self.stop = threading.Event()
        self.stopped_by = None
        self.ticks = 0
        self.max_lag = 0

    # -- per stream, per tick

    def release_late(self, s, now, everything=False):
        """Held-back events due now (or all of them), as one batch sorted by time.

        An event is released when its delay is over, or before it would be more
        than --late-max-seconds late at the next tick."""
        if not s.pending:
            return []
        if everything:
            due, s.pending = s.pending, []
        else:
            due, keep = [], []
            limit = now + self.interval - self.late_ms
            for p in s.pending:
                (due if p[0] <= now or p[1] <= limit else keep).append(p)
            s.pending = keep
        due.sort(key=lambda p: (p[1], p[2]))
        s.late += len(due)
        return [(ts, msg) for _, ts, _, msg in due]

    def draw_batch(self, s, now, master_ended=False, final=False):
        """This tick's new events of s; late ones go to s.pending.  An MPI
        worker adds its last lines once its master has ended."""
        args = self.args
        due = int(s.rate * (now - s.start_ms) / 1000) + 1 - s.drawn
        burst = 0
        if args.burst and s.rng.random() < BURST_P:
            burst = args.burst
            due = max(due, burst)
        seq0 = s.drawn
        msgs = s.draw(due) if due > 0 else []
        if (s.kind == "mpi-worker" and master_ended and not s.tail_written
                and (final or s.drawn >= s.limit)):
            msgs += s.tail
            s.tail_written = True
        # Timestamps fall after the previous tick of this stream.
        lo = min(max(s.last_ts, s.last_tick + 1, s.start_ms), now)
        s.last_tick = now
        if not msgs:
            return []
        k = len(msgs)
        if burst and k >= burst:
            stamps = sorted(s.rng.randint(lo, now) for _ in range(k - burst)) + [now] * burst
            s.bursts += 1
        else:
            burst = 0
            stamps = sorted(s.rng.randint(lo, now) for _ in range(k))
        s.last_ts = stamps[-1]
        normal = []
        for i, (ts, msg) in enumerate(zip(stamps, msgs)):
            # One draw per event, so which sequence numbers are late does not
            # depend on timing; a burst's events are never late.
            late = args.late_events and s.late_rng.random() < args.late_events
            if late and i < k - burst:
                delay = s.rng.randint(min(self.interval, self.late_ms), self.late_ms)
                s.pending.append((ts + delay, ts, seq0 + i, msg))
            else:
                normal.append((ts, msg))
        return normal

    def finished(self, s):
        """s has written all it will before the end of the run."""
        return s.state == "done"

    # -- ticks

    def tick(self, now, final=False):
        """One round: start streams, draw, put (concurrently across streams, in
        order within one); returns the number of events written."""
        jobs = []
        master_ends = False
        if self.master is not None and not self.tails_done:
            master_ends = final or self.master.state == "done"
        for s in self.streams:
            create = False
            if s.state == "waiting":
                if final or now < s.planned_ms:
                    continue
                if s.after is not None and s.after.state != "done":
                    continue
                s.state = "active"
                s.start_ms = now
                s.last_tick = now - 1
                create = True
            if s.state != "active":
                continue
            late = self.release_late(s, now)
            normal = self.draw_batch(s, now, master_ends or self.tails_done, final)
            if s.kind == "mpi-worker":
                ends = s.tail_written
            else:
                ends = s.limit is not None and s.drawn >= s.limit
            if final or ends or (s.stop_ms is not None and now >= s.stop_ms):
                # A stream that stops (and the end of the run) flushes what it held back.
                s.state = "done"
                late += self.release_late(s, now, everything=True)
                late.sort(key=lambda e: e[0])
            puts = [b for b in (normal, late) if b]
            if create or puts:
                jobs.append((s, create, puts))
        if master_ends:
            self.tails_done = True
        futures = [(s, create, self.pool.submit(send, self.logs, s.name, create, puts,
                                                self.args.stamp_writes))
                   for s, create, puts in jobs]
        written = 0
        error = None
        for s, create, f in futures:
            try:
                puts = f.result()
            except Exception as e:  # noqa: BLE001 - reported, then the run aborts
                error = error or e
                continue
            s.created = s.created or create
            for b in puts:
                s.written.extend(b)
                written += len(b)
        if error is not None:
            if isinstance(error, Abort):
                raise error
            raise Abort("PutLogEvents/CreateLogStream failed: %s: %s"
                        % (type(error).__name__, error))
        self.ticks += 1
        return written

    def run(self):
        args = self.args
        t0 = min(s.planned_ms for s in self.streams)
        end = t0 + int(args.duration * 1000) if args.duration is not None else None
        next_tick = now_ms()
        report = next_tick + 1000
        total = last_total = 0
        self.stopped_by = "signal"
        while not self.stop.is_set():
            now = now_ms()
            if end is not None and now >= end:
                self.stopped_by = "duration"
                break
            total += self.tick(now)
            if args.events_per_host is not None and all(map(self.finished, self.streams)):
                self.stopped_by = "events"
                break
            after = now_ms()
            self.max_lag = max(self.max_lag, after - now - self.interval)
            if after >= report:
                active = sum(s.state == "active" for s in self.streams)
                log(args, "%.1fs: %d streams active, %d events, %d in the last %.1f s, "
                    "last tick %d ms", (after - t0) / 1000, active, total,
                    total - last_total, (after - report + 1000) / 1000, after - now)
                last_total = total
                report = after + 1000
            next_tick += self.interval
            if next_tick <= after:
                next_tick = after
            else:
                wake = next_tick if end is None else min(next_tick, end)
                self.stop.wait(max(0, wake - after) / 1000)
        # The end: MPI workers print their last lines, late events are flushed.
        total += self.tick(now_ms(), final=True)
        self.pool.shutdown(wait=True)
        return total, t0


# ---------------------------------------------------------------------------


def fail_epilogue(args, truth, streams, logs):
    """--fail: the cascade now, then the first failure late with an earlier
    timestamp.  Returns the number of events written."""
    last = {}
    for s in streams:
        if s.created and s.kind != "mpi-worker" and s.written:
            if s.host not in last or s.start_ms > last[s.host].start_ms:
                last[s.host] = s
    if args.fail not in last:
        raise Abort("--fail %s: that host wrote no user output" % args.fail)
    rng = random.Random("%d/fail-live" % args.seed)
    now = now_ms()
    n = 0
    for host in sorted(last, key=genjob.host_num):
        if host == args.fail:
            continue
        s = last[host]
        events = genjob.failure_events("cascade", host, s.spec["style"],
                                       now + rng.randint(1000, 3000))
        send(logs, s.name, False, [events])
        s.written.extend(events)
        n += len(events)
    time.sleep(args.fail_late_seconds)
    s = last[args.fail]
    ts = now - 1000
    events = genjob.failure_events("cause", args.fail, s.spec["style"], ts)
    send(logs, s.name, False, [events])
    s.written.extend(events)
    truth["scenario"]["fail"] = {
        "host": args.fail, "group": s.group, "stream": s.name,
        "summary": genjob.FAIL_OOM.decode(), "timestamp": ts,
        "late_seconds": args.fail_late_seconds}
    return n + len(events)


def final_truth(args, truth, streams, sim, t0, t_end):
    made = sorted((s for s in streams if s.created), key=lambda s: s.name)
    events = lines = 0
    huge = None
    path = os.path.join(args.outdir, "truth.events.jsonl")
    with open(path + ".tmp", "wb") as out:
        for s in made:
            prefix = genjob.truth_prefix(s.name, s.host, s.group).encode()
            # How far each event is behind the newest of its stream written
            # before it (s.written is in write order): a reader promises
            # the events up to its --late-window behind (checktruth.py
            # --late-window).
            newest, behind = None, []
            for ts, _ in s.written:
                behind.append(0 if newest is None or ts >= newest else newest - ts)
                newest = ts if newest is None else max(newest, ts)
            sc_behind = max(behind, default=0)
            truth["scenario"]["late_behind_max_ms"] = max(
                truth["scenario"].get("late_behind_max_ms", 0), sc_behind)
            # CloudWatch (and moto) keep a stream sorted by timestamp; sort is stable.
            rows = sorted(((ts, msg, late) for (ts, msg), late in zip(s.written, behind)),
                          key=lambda e: e[0])
            s.written = [(ts, msg) for ts, msg, _ in rows]
            out.write(b"".join(b'%s"timestamp":%d,%s"message_b64":"%s"}\n'
                               % (prefix, ts, b'"behind_ms":%d,' % late if late else b"",
                                  base64.b64encode(msg)) for ts, msg, late in rows))
            events += len(s.written)
            lines += sum(msg.count(b"\n") + 1 for _, msg in s.written)
            if any(len(msg) >= 65536 for _, msg in s.written):
                huge = s.name
    os.replace(path + ".tmp", path)
    truth["streams"] = {s.name: s.host for s in made}
    truth["events"] = events
    truth["lines"] = lines
    sc = truth["scenario"]
    sc["stream_kinds"] = {s.name: s.kind for s in made}
    sc["stream_starts_ms"] = {s.name: s.start_ms for s in made}
    sc["huge_line_stream"] = huge
    sc["stopped_by"] = sim.stopped_by
    sc["elapsed_seconds"] = round((t_end - t0) / 1000, 3)
    sc["late_events_written"] = sum(s.late for s in made)
    sc["bursts"] = sum(s.bursts for s in made)
    sc["events_per_stream"] = {s.name: len(s.written) for s in made}
    write_atomic(os.path.join(args.outdir, "truth.json"), truth_bytes(truth))
    return events


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Create a SageMaker heterogeneous training job in moto and write its "
                    "hosts' logs to CloudWatch Logs live, with the ground truth.",
        epilog="Writes OUTDIR/truth.json at the start (\"events\": null) and at the end, "
               "and OUTDIR/truth.events.jsonl at the end.  See the module docstring.")
    ap.add_argument("endpoint", metavar="ENDPOINT", help="moto server URL, http://HOST:PORT")
    ap.add_argument("outdir", metavar="OUTDIR")
    ap.add_argument("--region", default="us-east-1", help="(default: %(default)s)")
    ap.add_argument("--job", help="training job name (default: hetero-sim-SEED)")
    who = ap.add_mutually_exclusive_group()
    who.add_argument("--groups", default=genjob.DEFAULT_GROUPS,
                     help="NAME:INSTANCE_TYPE:COUNT,... (default: %(default)s)")
    who.add_argument("--hosts", type=int, metavar="N",
                     help="N hosts spread over data_group, train_group and eval_group")
    ap.add_argument("--rate", type=float, default=20.0, metavar="EVENTS_PER_SEC_PER_STREAM",
                    help="events per second per stream (default: %(default)s)")
    stop = ap.add_mutually_exclusive_group()
    stop.add_argument("--duration", type=float, metavar="SECONDS",
                      help="stop after SECONDS (default: run until SIGTERM/SIGINT)")
    stop.add_argument("--events-per-host", type=int, metavar="N",
                      help="stop once every host has written N events (never fewer than "
                           "its start-up; MPI workers print only their ~25 lines)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    ap.add_argument("--mpi-workers", action="store_true",
                    help="the largest group runs MPI: only its first host prints markers")
    ap.add_argument("--restart", metavar="HOST",
                    help="HOST (algo-N)'s stream stops half way; a second, later stream "
                         "without markers goes on")
    ap.add_argument("--late-events", type=float, default=0.0, metavar="FRACTION",
                    help="write this fraction of the events late, in later batches")
    ap.add_argument("--late-max-seconds", type=float, default=20.0, metavar="S",
                    help="how late a late event can be (default: %(default)s)")
    ap.add_argument("--burst", type=int, default=0, metavar="N",
                    help="some batches end with N events in the same millisecond")
    ap.add_argument("--hostile", action="store_true",
                    help="terminal escapes, C1 controls, bidi overrides, NUL and one "
                         "256 KB line in user output (all valid UTF-8)")
    ap.add_argument("--fail", metavar="HOST",
                    help="at the end the job fails: HOST first, its traceback written late")
    ap.add_argument("--fail-late-seconds", type=float, default=3.0, metavar="S",
                    help="how long after the cascade --fail HOST's failure is written "
                         "(default: %(default)s)")
    ap.add_argument("--batch-interval", type=int, default=200, metavar="MS",
                    help="one PutLogEvents per stream every MS ms (default: %(default)s)")
    ap.add_argument("--ready-file", metavar="F",
                    help="touch F once the job and truth.json exist")
    ap.add_argument("--no-sagemaker", action="store_true",
                    help="do not create the training job")
    ap.add_argument("--writers", type=int, default=8, metavar="N",
                    help="concurrent PutLogEvents calls (default: %(default)s)")
    ap.add_argument("--stamp-writes", action="store_true",
                    help="start each message with \"@<epoch ms> \", the time of its "
                         "PutLogEvents call, so a reader can measure latency (the truth "
                         "holds the stamped messages)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print progress on stderr")
    args = ap.parse_args(argv)
    if args.job is None:
        args.job = "hetero-sim-%d" % args.seed
    if not genjob.JOB_RE.match(args.job):
        ap.error("--job %r is not a valid training job name" % args.job)
    if args.hosts is not None and args.hosts < 1:
        ap.error("--hosts must be at least 1")
    if not args.rate > 0 or not math.isfinite(args.rate):
        ap.error("--rate must be positive")
    if args.duration is not None and not args.duration > 0:
        ap.error("--duration must be positive")
    if args.events_per_host is not None and args.events_per_host < 1:
        ap.error("--events-per-host must be positive")
    if not 0 <= args.late_events <= 1:
        ap.error("--late-events must be between 0 and 1")
    if not args.late_max_seconds > 0:
        ap.error("--late-max-seconds must be positive")
    if args.burst < 0 or args.batch_interval < 1 or args.writers < 1:
        ap.error("--burst, --batch-interval and --writers must be positive")
    # Events per host the plan is sized for (where the huge line and epoch 2/2 fall).
    if args.events_per_host is not None:
        args.planned = args.events_per_host
    elif args.duration is not None:
        args.planned = max(1, int(args.rate * args.duration))
    else:
        args.planned = max(1, int(args.rate * 3600))
    return ap, args


def main(argv=None):
    ap, args = parse_args(argv)
    genjob.HOSTILE_LINES = HOSTILE_LINES
    # Room for an MPI rank tag in front of the huge line.
    genjob.HUGE_LINE_BYTES = MAX_EVENT_BYTES - 64
    genjob.HUGE_FILL = genjob.HUGE_FILL[:genjob.HUGE_LINE_BYTES]
    try:
        streams, truth = plan_live(args)
    except ValueError as e:
        ap.error(str(e))

    sim = None

    def on_signal(signum, frame):
        if sim is None or sim.stop.is_set():
            sys.stderr.write("simjob: stopped by signal %d\n" % signum)
            os._exit(130)
        sim.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        logs, sm = make_clients(args)
        try:
            logs.create_log_group(logGroupName=LOG_GROUP)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
        old = logs.describe_log_streams(logGroupName=LOG_GROUP,
                                        logStreamNamePrefix=args.job + "/", limit=1)
        if old.get("logStreams"):
            raise Abort("log group %s already has streams of job %s (use another --job)"
                        % (LOG_GROUP, args.job))
        if not args.no_sagemaker:
            loadjob.create_job(sm, truth)
        os.makedirs(args.outdir, exist_ok=True)
        for name in ("truth.events.jsonl",):
            try:
                os.remove(os.path.join(args.outdir, name))
            except FileNotFoundError:
                pass
        schedule(args, streams, truth, now_ms())
        write_atomic(os.path.join(args.outdir, "truth.json"), truth_bytes(truth))
        if args.ready_file:
            with open(args.ready_file, "a"):
                pass
        log(args, "job %s: %d hosts, %d streams planned", args.job, len(truth["hosts"]),
            len(streams))
        sim = Sim(args, streams, logs)
        total, t0 = sim.run()
        if args.fail:
            total += fail_epilogue(args, truth, streams, logs)
        t_end = now_ms()
        events = final_truth(args, truth, streams, sim, t0, t_end)
        assert events == total, (events, total)
        secs = max(t_end - t0, 1) / 1000
        log(args, "done (%s): %d events in %.1f s, %.0f events/s, %d ticks, max tick lag %d ms",
            sim.stopped_by, events, secs, events / secs, sim.ticks, sim.max_lag)
    except Abort as e:
        sys.stderr.write("simjob: error: %s\n" % e)
        return 1
    except Exception as e:  # noqa: BLE001 - boto errors etc.: one line, status 1
        sys.stderr.write("simjob: error: %s: %s\n" % (type(e).__name__, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
