#!/usr/bin/env python3
"""faultproxy.py - an "AWS-behaviour proxy" between cwdemux and moto server.

    faultproxy.py --upstream http://127.0.0.1:MOTOPORT [--port 0] [--seed N]
                  [--log FILE] [fault and behaviour options]

The proxy listens on 127.0.0.1 and forwards every request to the moto
upstream unchanged: same method, path, body bytes and headers, in the same
order, including Authorization and the Host header *as the client sent it*.
moto verifies SigV4 by rebuilding the canonical request from the headers it
receives (moto/iam/access_control.py, _create_aws_request: the signed headers,
Host included, are taken from the incoming request), so a request signed for
the proxy's address still verifies at moto.  The only framing change: a
chunked request body is de-chunked and forwarded with a Content-Length
(botocore and curl send Content-Length, so this does not happen in practice).
Upstream responses are passed back with moto's status, reason, headers and
body bytes unchanged (a chunked upstream body is re-framed with
Content-Length; the proxy adds no Server/Date headers of its own).  One fresh
upstream connection is used per request and closed afterwards.

Once listening, it prints exactly one line "PORT <n>" to stdout and flushes,
so a shell test can read the port.  SIGTERM or SIGINT stops it cleanly
(exit status 0; stalled responses are abandoned at once).

The operation of a request is the part after the last "." of its
X-Amz-Target header (Logs_20140328.GetLogEvents -> GetLogEvents,
SageMaker.DescribeTrainingJob -> DescribeTrainingJob).  Requests without an
X-Amz-Target (e.g. moto's /moto-api/) are forwarded but never faulted.

Options
-------
--upstream URL       moto's base URL, http://HOST:PORT (required).
--port N             port to listen on (default 0 = pick a free one).
--seed N             seed for every random decision (default 0).  Decisions
                     are drawn from random.Random("<seed>:<op>:<n>") for the
                     n-th request of operation <op>, so the same sequence of
                     requests per operation gets the same faults, however
                     requests of different operations interleave.
--log FILE           append one line per AWS request ("-" = stderr):
                         <UTC time> <operation> <fault|ok> <upstream status|-> [notes...]
                     fault is one of throttle, rate, 5xx:500, 5xx:503, reset,
                     truncate:<sent>/<len>, malformed, stall:before:<s>,
                     stall:mid:<s>, upstream-error, or rejected (the
                     --prefix-fix InvalidParameterException below).  Notes describe
                     rewrites, e.g. pagecap:812->120, prefix:40->12,
                     jobstatus:InProgress/Training.
--ops A,B,...        restrict the random faults (--throttle, --error5xx,
                     --reset, --truncate, --malformed, --stall) to these
                     operations (default: all operations).

Random faults (each a probability 0..1 per request; at most one fault per
request: one uniform draw u is compared with the cumulative probabilities in
the order throttle, error5xx, reset, truncate, malformed, stall, so each
option gets exactly its own probability as long as they sum to <= 1):

--throttle P         answer without forwarding: HTTP 400,
                     {"__type":"ThrottlingException","message":"Rate exceeded"}
--error5xx P         answer without forwarding: HTTP 500 or 503 (50/50),
                     {"__type":"ServiceUnavailableException","message":
                      "The service is unavailable. Please try again later."}
--reset P            read the request, do not forward it, close the client
                     connection with SO_LINGER 0: the client sees a TCP RST
                     (ECONNRESET) and no response.
--truncate P         forward, send the status line and headers with the full
                     Content-Length but only a random part (0..len-1 bytes) of
                     the body, then close the connection (FIN).
--malformed P        forward, then replace the body by syntactically broken
                     JSON of exactly the same length (either the body cut
                     short and padded with spaces, or one structural
                     character replaced by '#'); status and headers are
                     moto's.
--stall P            forward, then stall for --stall-seconds S (default 5):
--stall-seconds S    50/50 either wait S before sending anything, or send the
                     headers and half the body, wait S, then send the rest.
                     The response is complete afterwards (if the client is
                     still there).

Every error the proxy makes up carries Content-Type
application/x-amz-json-1.1, Content-Length and an x-amzn-RequestId header.

AWS behaviours that moto lacks:

--rate OP=N          (repeatable) per-operation token bucket of N calls per
                     second with burst N (starts full), modelling CloudWatch's
                     per-account TPS quotas, e.g. --rate GetLogEvents=10
                     --rate FilterLogEvents=5.  A request over the quota gets
                     the ThrottlingException above (logged as "rate") and is
                     not forwarded; it does not consume a token.  --ops does
                     not apply to --rate.
--page-cap BYTES     AWS caps GetLogEvents/FilterLogEvents pages at 1 MB;
                     moto does not.  When a 200 answer of either operation
                     serialises to more than BYTES, the proxy keeps the
                     largest run of events whose re-serialised answer fits
                     (at least one event, even if that alone is over the
                     cap) and rewrites the token so that the next page
                     resumes right after the kept events:
                       GetLogEvents reading forward (a request nextToken
                       "f/..." or, without a token, startFromHead=true):
                       keep a prefix; nextForwardToken := f/<first+kept-1>.
                       GetLogEvents reading backward (token "b/..." or,
                       without a token, startFromHead false/absent, i.e. the
                       newest page): keep a suffix; nextBackwardToken :=
                       b/<last-kept+1>.
                       FilterLogEvents: keep a prefix; nextToken :=
                       "<logGroupName>@<stream>@<eventId>" of the last kept
                       event (it is set even if moto's answer had none).
                     moto token facts this relies on (moto 5.2.1
                     logs/models.py, LogStream.get_log_events and
                     LogGroup.filter_log_events): a non-empty GetLogEvents
                     page covering sorted-event indices first..last is
                     returned with nextBackwardToken "b/%056d" % first and
                     nextForwardToken "f/%056d" % last; a request with
                     "f/N" starts at index N+1, one with "b/N" ends at index
                     N-1.  A FilterLogEvents token "<group>@<stream>@<id>"
                     resumes after the event with that stream and eventId in
                     moto's (re-computed) list of matching events.
--deny OP            (repeatable) answer every OP request with 400
                     AccessDeniedException, as AWS does when the IAM policy
                     lacks the action (counted as "denied").
--drop-token P       GetLogEvents only: forward, then remove
                     nextForwardToken from the answer (its events kept): a
                     broken answer a reader must not go on from.
--expire-first N     answer the first N requests (of --ops, if given) with
                     400 ExpiredTokenException, as AWS does when a
                     session token has expired.
--clock-offset S     the proxy's clock is S seconds ahead (negative:
                     behind).  A request whose X-Amz-Date is more than 5
                     minutes from it gets AWS's 400 InvalidSignatureException
                     ("Signature expired: ..." / "Signature not yet
                     current: ...") with the proxy's time in Date, so a
                     client can correct its signing clock.
--prefix-fix         make FilterLogEvents honour logStreamNamePrefix (moto
                     ignores it): drop the returned events (and
                     searchedLogStreams entries) of streams not starting
                     with the prefix, keeping moto's paging token, so pages
                     may be partial or empty with a nextToken, as on AWS.  A
                     request with both logStreamNames and
                     logStreamNamePrefix gets HTTP 400 InvalidParameterException
                     without forwarding, as on AWS.  Applied before --page-cap.
--job-status SCRIPT  scripted DescribeTrainingJob status (moto reports every
                     job Completed at once).  SCRIPT is a comma-separated list
                     of STATUS:SECONDARY[:FAILURE REASON]@SECONDS, seconds
                     counted from the proxy's start, e.g.
                       InProgress:Training@0,Completed:Completed@30
                       InProgress:Training@0,Failed:Failed:out of memory@20
                     The latest entry whose time has come applies to every
                     job's 200 answer: TrainingJobStatus and SecondaryStatus
                     are replaced; FailureReason is set for Failed and
                     removed otherwise; TrainingEndTime is removed while the
                     status is InProgress or Stopping (AWS has none yet), and
                     is otherwise the time the entry came into force.
                     Before the first entry's time moto's answer is passed
                     through.  A reason may not contain ",".

Live Tail (StartLiveTail; moto has none, so the proxy answers it itself with
AWS's event-stream framing, see tests/tools/livetailemu.py): the events of
every PutLogEvents that goes through the proxy and that moto accepts are
pushed once a second to the sessions whose log group and stream match.

--job-times START,END  DescribeTrainingJob says the job ran from START to END
                     (ms since the epoch): TrainingStartTime and
                     TrainingEndTime, applied after --job-status.  moto
                     gives a job the times of its creation, hours away from
                     the events a test loads.

--live-script SCRIPT   faults by session: the n-th entry of a comma-separated
                       list applies to the n-th session (ok, timeout@S,
                       streaming@S, error@S, reset@S, corrupt@S, stall@S;
                       livetailemu.py says what each does).
--live-sample N        events per update before sampling (AWS: 500).
--live-max-sessions N  concurrent sessions before LimitExceededException
                       (AWS: 15 per account and Region).
--live-session-seconds S  a session's length before SessionTimeoutException
                       (AWS: 3 hours).
Refusals go through the fail key below, e.g. {"fail": {"StartLiveTail":
"400:AccessDeniedException:not allowed"}}; --rate StartLiveTail=5 is AWS's
quota of calls.

Control endpoints (served by the proxy itself, never forwarded, never
faulted, not logged, not counted):

GET  /proxy-control/stats        JSON {"<op>": {"requests", "forwarded",
                                 "throttled", "rate_limited", "5xx",
                                 "resets", "truncated", "malformed",
                                 "stalled", "upstream_errors", "page_capped",
                                 "prefix_filtered", "job_status_rewritten"},
                                 ...}; "throttled" counts --throttle and
                                 --rate, "rate_limited" the --rate part only.
POST /proxy-control/reset-stats  zero the counters.
POST /proxy-control/job-status   body "Completed:Completed" or
                                 "Failed:Failed:reason" sets the status now;
                                 a body with @SECONDS entries is a script
                                 relative to now; an empty body switches the
                                 rewriting off.  Answers the current status.
GET  /proxy-control/job-status   the status currently reported (JSON).
GET  /proxy-control/live         Live Tail counters (JSON): sessions, open,
                                 updates, events, sampled_updates,
                                 dropped_by_sampling, ended_timeout, faults.
GET  /proxy-control/config       the current fault settings (JSON).
POST /proxy-control/config       JSON object changing settings at run time:
                                 keys throttle, error5xx, reset, truncate,
                                 malformed, stall (probabilities),
                                 stall_seconds, ops (list or null), rate
                                 ({"OP": N}, replaces all buckets), page_cap
                                 (bytes or null), prefix_fix (bool),
                                 expire (N: answer the next N requests of
                                 --ops with ExpiredTokenException, as
                                 --expire-first does at the start), fail
                                 ({"OP": "STATUS:Code:message"}: answer
                                 every request of OP with that error, e.g.
                                 a job deleted mid-run; replaces all, {} or
                                 null for none), clock_offset (seconds, as
                                 --clock-offset: a clock that jumps),
                                 live_script (restarts the session
                                 count), live_sample, live_max_sessions,
                                 live_session_seconds (as the options).

Shell usage:

    python3 tests/tools/faultproxy.py --upstream http://127.0.0.1:$MOTO \
        --seed 1 --throttle 0.2 --ops GetLogEvents --log proxy.log >port.out &
    PROXY_PID=$!
    until grep -q '^PORT ' port.out 2>/dev/null; do sleep 0.05; done
    PROXY_PORT=$(awk '/^PORT /{print $2}' port.out)
    ...   # point cwdemux at http://127.0.0.1:$PROXY_PORT
    curl -s http://127.0.0.1:$PROXY_PORT/proxy-control/stats
    kill -TERM $PROXY_PID; wait $PROXY_PID

Notes on moto 5.2.1 seen through the proxy (passed through unchanged):
logs answers carry Content-Type text/html, not application/x-amz-json-1.1;
FilterLogEvents without "interleaved": true returns events stream by stream
(each stream sorted), not merged by timestamp.  botocore turns an
unparsable JSON body into {"message": <body>}, so --malformed shows up as an
empty result in boto3, not as an error; a C client sees the broken bytes.

Python 3.11 standard library only.
"""

import argparse
import calendar
import datetime
import http.client
import http.server
import io
import json
import random
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid

import livetailemu

JSON_CT = "application/x-amz-json-1.1"
CONTROL_PREFIX = "/proxy-control/"
# Largest request body the proxy accepts (AWS JSON requests are tiny).
MAX_REQUEST_BODY = 64 * 1024 * 1024
# Headers that describe one hop's framing, not the message.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection",
              "upgrade", "te", "trailer"}
# Order of the random faults for the cumulative draw (see docstring).
FAULTS = ("throttle", "error5xx", "reset", "truncate", "malformed", "stall",
          "drop_token")
COUNTERS = ("requests", "forwarded", "throttled", "rate_limited", "5xx", "resets",
            "truncated", "malformed", "stalled", "upstream_errors", "page_capped",
            "prefix_filtered", "job_status_rewritten", "skewed", "expired", "failed",
            "tokens_dropped", "denied")
# Statuses for which AWS does not report TrainingEndTime yet.
RUNNING_STATUSES = {"InProgress", "Stopping"}


def utc_now_iso():
    """UTC wall time with milliseconds, for the request log."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def json_bytes(obj):
    """Serialise like moto does (json.dumps with default separators)."""
    return json.dumps(obj).encode("utf-8")


# --------------------------------------------------------------------------
# Settings, quotas, job-status script, counters
# --------------------------------------------------------------------------

class TokenBucket:
    """N tokens per second, capacity N, starting full."""

    def __init__(self, rate):
        self.rate = float(rate)
        self.tokens = float(rate)
        self.stamp = time.monotonic()

    def take(self):
        """Take one token; False if the bucket is empty (request throttled)."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def parse_job_state(text):
    """'STATUS:SECONDARY[:REASON]' -> dict; raises ValueError."""
    parts = text.strip().split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError("job state must be STATUS:SECONDARY[:REASON], got %r" % text)
    state = {"TrainingJobStatus": parts[0], "SecondaryStatus": parts[1]}
    if len(parts) == 3:
        state["FailureReason"] = parts[2]
    return state


def parse_job_script(text, origin):
    """'S:S[:R]@T,...' -> sorted [(origin+T, state)]; an entry without a
    numeric '@T' suffix means @0."""
    entries = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        offset = 0.0
        head, sep, tail = item.rpartition("@")
        if sep:
            try:
                offset = float(tail)
                item = head
            except ValueError:
                pass  # the '@' belongs to a failure reason
        entries.append((origin + offset, parse_job_state(item)))
    entries.sort(key=lambda e: e[0])
    return entries


def parse_job_times(text):
    """--job-times START,END (ms since the epoch) -> (start, end)."""
    try:
        start, end = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("--job-times wants START,END in ms, got %r" % text) from None
    if end < start:
        raise argparse.ArgumentTypeError("--job-times: END before START")
    return start, end


def parse_rate(text):
    """'OP=N' -> (op, N)."""
    op, sep, n = text.partition("=")
    if not sep or not op.strip():
        raise argparse.ArgumentTypeError("--rate wants OP=N, got %r" % text)
    try:
        value = float(n)
    except ValueError:
        raise argparse.ArgumentTypeError("--rate wants OP=N, got %r" % text) from None
    if value <= 0:
        raise argparse.ArgumentTypeError("--rate N must be > 0")
    return short_op(op.strip()), value


def probability(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("probability must be within 0..1: %r" % text)
    return value


def short_op(target):
    """'Logs_20140328.GetLogEvents' -> 'GetLogEvents'."""
    return target.rsplit(".", 1)[-1].strip()


class ProxyState:
    """Everything the handler threads share; each part has its own lock."""

    def __init__(self, args):
        url = urllib.parse.urlsplit(args.upstream)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("--upstream must be http://HOST:PORT, got %r" % args.upstream)
        self.upstream_https = url.scheme == "https"
        self.upstream_host = url.hostname
        self.upstream_port = url.port or (443 if self.upstream_https else 80)
        self.upstream_timeout = args.upstream_timeout
        self.seed = args.seed
        self.start = time.monotonic()
        self.stop = threading.Event()

        self.lock = threading.Lock()          # config, buckets, per-op counters
        self.probs = {name: getattr(args, name) for name in FAULTS}
        self.stall_seconds = args.stall_seconds
        self.ops = set(short_op(o) for o in args.ops.split(",") if o.strip()) if args.ops else None
        self.buckets = {op: TokenBucket(n) for op, n in args.rate}
        self.deny = set(args.deny)
        self.page_cap = args.page_cap
        self.prefix_fix = args.prefix_fix
        self.clock_offset = args.clock_offset
        self.expire_left = args.expire_first
        self.fail = {}                        # op -> (status, code, message)
        self.op_seq = {}

        self.live = livetailemu.Hub(args.seed, args.live_script, args.live_sample,
                                    args.live_max_sessions, args.live_session_seconds)

        self.job_lock = threading.Lock()
        self.job_script = parse_job_script(args.job_status, self.start) if args.job_status else []
        self.job_times = args.job_times

        self.stats_lock = threading.Lock()
        self.stats = {}

        self.log_lock = threading.Lock()
        self.log_file = None
        if args.log == "-":
            self.log_file = sys.stderr
        elif args.log:
            self.log_file = open(args.log, "a", buffering=1, encoding="utf-8")

    # ---- configuration -------------------------------------------------

    def config_dict(self):
        with self.lock:
            cfg = dict(self.probs)
            cfg.update(stall_seconds=self.stall_seconds,
                       ops=sorted(self.ops) if self.ops is not None else None,
                       rate={op: b.rate for op, b in self.buckets.items()},
                       page_cap=self.page_cap, prefix_fix=self.prefix_fix,
                       seed=self.seed)
        cfg.update(self.live.config())
        return cfg

    def update_config(self, changes):
        """Apply a /proxy-control/config object, all or nothing; raises
        ValueError (or TypeError) on a bad key or value."""
        if not isinstance(changes, dict):
            raise ValueError("config body must be a JSON object")
        probs = {}
        other = {}
        for key, value in changes.items():
            if key in FAULTS:
                value = float(value)
                if not 0.0 <= value <= 1.0:
                    raise ValueError("%s must be within 0..1" % key)
                probs[key] = value
            elif key == "stall_seconds":
                other[key] = max(0.0, float(value))
            elif key == "ops":
                if value is not None and not isinstance(value, list):
                    raise ValueError("ops must be a list of operation names or null")
                other[key] = None if value is None else set(short_op(str(o)) for o in value)
            elif key == "rate":
                if not isinstance(value, dict):
                    raise ValueError("rate must be an object {OP: N}")
                other[key] = {short_op(op): TokenBucket(float(n))
                              for op, n in value.items() if float(n) > 0}
            elif key == "page_cap":
                if value is not None and int(value) <= 0:
                    raise ValueError("page_cap must be > 0 or null")
                other[key] = None if value is None else int(value)
            elif key == "prefix_fix":
                other[key] = bool(value)
            elif key == "expire":
                other[key] = max(0, int(value))
            elif key == "clock_offset":
                other[key] = float(value)
            elif key in ("live_script", "live_sample", "live_max_sessions",
                         "live_session_seconds"):
                if key == "live_script":
                    livetailemu.parse_script(str(value or ""))
                    other[key] = str(value or "")
                elif float(value) <= 0:
                    raise ValueError("%s must be > 0" % key)
                else:
                    other[key] = value
            elif key == "fail":
                if value is not None and not isinstance(value, dict):
                    raise ValueError('fail must be {"OP": "STATUS:Code:message"} or null')
                fail = {}
                for op, spec in (value or {}).items():
                    status, code, msg = (str(spec).split(":", 2) + ["", ""])[:3]
                    fail[short_op(op)] = (int(status), code, msg)
                other[key] = fail
            else:
                raise ValueError("unknown config key %r" % key)
        with self.lock:
            self.probs.update(probs)
            self.stall_seconds = other.get("stall_seconds", self.stall_seconds)
            self.ops = other.get("ops", self.ops)
            self.buckets = other.get("rate", self.buckets)
            self.page_cap = other.get("page_cap", self.page_cap)
            self.prefix_fix = other.get("prefix_fix", self.prefix_fix)
            self.expire_left = other.get("expire", self.expire_left)
            self.fail = other.get("fail", self.fail)
            self.clock_offset = other.get("clock_offset", self.clock_offset)
        self.live.configure(script=other.get("live_script"),
                            sample_cap=other.get("live_sample"),
                            max_sessions=other.get("live_max_sessions"),
                            session_seconds=other.get("live_session_seconds"))

    # ---- per-request decisions ----------------------------------------

    def failure(self, op):
        """The fail config key: (status, code, message) for op, or None."""
        with self.lock:
            return self.fail.get(op)

    def take_expired(self, op):
        """--expire-first: True for the first N requests (of --ops)."""
        with self.lock:
            if self.expire_left <= 0 or (self.ops is not None and op not in self.ops):
                return False
            self.expire_left -= 1
            return True

    def decide(self, op):
        """Return (fault name or None, rng) for the next request of op."""
        with self.lock:
            n = self.op_seq.get(op, 0)
            self.op_seq[op] = n + 1
            bucket = self.buckets.get(op)
            rate_ok = bucket.take() if bucket else True
            probs = dict(self.probs)
            eligible = self.ops is None or op in self.ops
        rng = random.Random("%d:%s:%d" % (self.seed, op, n))
        u = rng.random()            # always drawn, so later draws do not shift
        if not rate_ok:
            return "rate", rng
        if eligible:
            acc = 0.0
            for name in FAULTS:
                acc += probs[name]
                if u < acc:
                    return name, rng
        return None, rng

    def job_state(self):
        """The scripted job state in force now, or None; "since" is the
        epoch time (seconds) it came into force."""
        now = time.monotonic()
        with self.job_lock:
            current = None
            for when, state in self.job_script:
                if when <= now:
                    current = dict(state, since=time.time() - (now - when))
            return current

    def set_job_script(self, text):
        entries = parse_job_script(text, time.monotonic())
        with self.job_lock:
            self.job_script = entries

    # ---- counters and log ----------------------------------------------

    def count(self, op, *names):
        with self.stats_lock:
            c = self.stats.setdefault(op, dict.fromkeys(COUNTERS, 0))
            for name in names:
                c[name] += 1

    def stats_snapshot(self):
        with self.stats_lock:
            return {op: dict(c) for op, c in self.stats.items()}

    def reset_stats(self):
        with self.stats_lock:
            self.stats = {}

    def log(self, op, fault, status, notes):
        if self.log_file is None:
            return
        line = "%s %s %s %s" % (utc_now_iso(), op, fault or "ok",
                                status if status is not None else "-")
        if notes:
            line += " " + " ".join(notes)
        with self.log_lock:
            try:
                self.log_file.write(line + "\n")
                self.log_file.flush()
            except (OSError, ValueError):
                pass


# --------------------------------------------------------------------------
# Response rewriting (AWS behaviours)
# --------------------------------------------------------------------------

def largest_fit(obj, key, events, cap, keep_prefix, retoken):
    """Largest k >= 1 such that obj with events[:k] (or [-k:]) re-serialised
    with retoken(k) applied fits in cap bytes.  Returns (k, body bytes)."""
    sizes = [len(json_bytes(e)) for e in events]
    base = dict(obj)
    base[key] = []
    retoken(base, 1)
    budget = cap - len(json_bytes(base))
    k, used = 0, 0
    order = sizes if keep_prefix else list(reversed(sizes))
    for size in order:
        extra = size + (2 if k else 0)          # ", " between elements
        if used + extra > budget:
            break
        used += extra
        k += 1
    k = max(k, 1)
    while True:                                  # exact check (token widths)
        out = dict(obj)
        out[key] = events[:k] if keep_prefix else events[len(events) - k:]
        retoken(out, k)
        body = json_bytes(out)
        if len(body) <= cap or k == 1:
            return k, body
        k -= 1


def token_index(token, letter):
    """moto's 'f/<56 digits>' -> int; None if it is not of that shape."""
    if not isinstance(token, str) or not token.startswith(letter + "/"):
        return None
    try:
        return int(token[2:])
    except ValueError:
        return None


def cap_get_log_events(req, obj, cap):
    """Apply the page cap to a GetLogEvents answer.  Returns (new body, note)
    or (None, None) when nothing changes."""
    events = obj.get("events")
    if not isinstance(events, list) or len(events) < 2 or len(json_bytes(obj)) <= cap:
        return None, None
    token = req.get("nextToken")
    forward = token.startswith("f") if isinstance(token, str) and token else bool(req.get("startFromHead"))
    first = token_index(obj.get("nextBackwardToken"), "b")
    last = token_index(obj.get("nextForwardToken"), "f")
    if first is None or last is None:
        return None, "pagecap:skipped-unknown-token"
    if forward:
        def retoken(o, k):
            o["nextForwardToken"] = "f/%056d" % (first + k - 1)
    else:
        def retoken(o, k):
            o["nextBackwardToken"] = "b/%056d" % (last - k + 1)
    k, body = largest_fit(obj, "events", events, cap, forward, retoken)
    return body, "pagecap:%d->%d" % (len(events), k)


def cap_filter_log_events(req, obj, cap):
    """Apply the page cap to a FilterLogEvents answer (prefix kept)."""
    events = obj.get("events")
    if not isinstance(events, list) or len(events) < 2 or len(json_bytes(obj)) <= cap:
        return None, None
    group = req.get("logGroupName")
    if not isinstance(group, str):
        token = obj.get("nextToken") or req.get("nextToken")
        group = token.split("@", 1)[0] if isinstance(token, str) and "@" in token else None
    if group is None:
        return None, "pagecap:skipped-no-group"

    def retoken(o, k):
        e = o["events"][-1] if o["events"] else None
        if e is not None:
            o["nextToken"] = "%s@%s@%s" % (group, e.get("logStreamName"), e.get("eventId"))
    k, body = largest_fit(obj, "events", events, cap, True, retoken)
    return body, "pagecap:%d->%d" % (len(events), k)


def prefix_filter(req, obj):
    """Drop FilterLogEvents events of streams outside logStreamNamePrefix.
    Returns a note, or None when the request has no prefix."""
    prefix = req.get("logStreamNamePrefix")
    if not isinstance(prefix, str):
        return None
    events = obj.get("events")
    if isinstance(events, list):
        obj["events"] = [e for e in events
                         if isinstance(e, dict) and str(e.get("logStreamName", "")).startswith(prefix)]
    searched = obj.get("searchedLogStreams")
    if isinstance(searched, list):
        obj["searchedLogStreams"] = [s for s in searched if isinstance(s, dict)
                                     and str(s.get("logStreamName", "")).startswith(prefix)]
    return "prefix:%d->%d" % (len(events) if isinstance(events, list) else 0,
                              len(obj.get("events") or []))


def apply_job_state(obj, state):
    """Overwrite the status fields of a DescribeTrainingJob answer."""
    obj["TrainingJobStatus"] = state["TrainingJobStatus"]
    obj["SecondaryStatus"] = state["SecondaryStatus"]
    if state["TrainingJobStatus"] == "Failed":
        obj["FailureReason"] = state.get("FailureReason") or "Failed (faultproxy)"
    else:
        obj.pop("FailureReason", None)
    if state["TrainingJobStatus"] in RUNNING_STATUSES:
        obj.pop("TrainingEndTime", None)
    else:
        # The job ended when the script said so, not when moto made it.
        obj["TrainingEndTime"] = round(state["since"], 3)
    return "jobstatus:%s/%s" % (state["TrainingJobStatus"], state["SecondaryStatus"])


def json_object(data):
    """The JSON object in data, or None when data is not one."""
    try:
        obj = json.loads(data)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def drop_token(data):
    """--drop-token: a GetLogEvents answer with its events but without
    nextForwardToken: a broken answer a reader must not go on from."""
    obj = json_object(data)
    if obj is None:
        return data
    obj.pop("nextForwardToken", None)
    return json_bytes(obj)


def malform(body, rng):
    """Syntactically broken JSON with exactly len(body) bytes."""
    n = len(body)
    if n == 0:
        return body          # an empty body is already not JSON
    if rng.random() < 0.5 and n > 1:
        cut = rng.randrange(1, n)                       # cut short, pad
        broken = body[:cut] + b" " * (n - cut)
    else:
        spots = [i for i, ch in enumerate(body) if ch in b'{}[]:,"']
        broken = bytearray(body)
        broken[spots[rng.randrange(len(spots))] if spots else 0] = ord("#")
        broken = bytes(broken)
    try:
        json.loads(broken)
    except ValueError:
        return broken
    return b"{" * n          # still parsed somehow: use an unmistakable one


# --------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------

class ClientGone(Exception):
    """The client connection broke while we wrote to it."""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive, like AWS endpoints
    server_version = "faultproxy"
    timeout = 300                       # idle keep-alive connections
    state: ProxyState = None            # set in main()

    # Every method goes through the same path.
    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, fmt, *args):
        pass                            # our own log is --log

    # ---- request plumbing ------------------------------------------------

    def read_body(self):
        """The request body as bytes; raises ValueError on bad framing."""
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass            # trailers
                    break
                total += size
                if total > MAX_REQUEST_BODY:
                    raise ValueError("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks), True
        length = self.headers.get("Content-Length")
        if length is None:
            return b"", False
        n = int(length)
        if n < 0 or n > MAX_REQUEST_BODY:
            raise ValueError("bad Content-Length")
        body = self.rfile.read(n)
        if len(body) != n:
            raise ValueError("short request body")
        return body, False

    def send_raw(self, status, reason, headers, body, head_only=False):
        """Send status line, headers (list of pairs) and body."""
        self.send_response_only(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if body and not head_only:
            self.write(body)

    def write(self, data):
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (OSError, ValueError) as exc:
            self.close_connection = True
            raise ClientGone() from exc

    def send_json(self, status, obj, extra=()):
        body = json.dumps(obj).encode("utf-8")
        self.send_raw(status, None, [("Content-Type", "application/json"),
                                     ("Content-Length", str(len(body)))] + list(extra), body)

    def send_aws_error(self, status, code, message, rng):
        """An AWS JSON 1.1 error response made up by the proxy."""
        body = json.dumps({"__type": code, "message": message},
                          separators=(",", ":")).encode("utf-8")
        request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.send_raw(status, None, [("x-amzn-RequestId", request_id),
                                     ("Content-Type", JSON_CT),
                                     ("Content-Length", str(len(body))),
                                     ("Date", self.date_time_string(
                                         time.time() + self.state.clock_offset))],
                      body)

    def clock_skewed(self, rng):
        """--clock-offset: answer as AWS does to a request signed more than
        5 minutes away from the proxy's clock (InvalidSignatureException,
        with the proxy's time in the Date header). True when answered."""
        offset = self.state.clock_offset
        amz_date = self.headers.get("X-Amz-Date", "")
        if not offset or not amz_date:
            return False
        try:
            signed = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            return False
        now = time.time() + offset
        if abs(now - signed) <= 300:
            return False
        fmt = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
        if signed < now:
            msg = "Signature expired: %s is now earlier than %s (%s - 5 min.)" % (
                amz_date, fmt(now - 300), fmt(now))
        else:
            msg = "Signature not yet current: %s is still later than %s (%s + 5 min.)" % (
                amz_date, fmt(now + 300), fmt(now))
        self.send_aws_error(400, "InvalidSignatureException", msg, rng)
        return True

    def abort_with_reset(self):
        """Close the client connection so that the peer sees a TCP RST."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        # The makefile() objects hold references to the socket: close them
        # first so that close() really releases the descriptor (and sends
        # the RST) now, instead of socketserver's shutdown(SHUT_WR) sending
        # a FIN later.
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except (OSError, ValueError):
                pass
        try:
            self.connection.close()
        except OSError:
            pass
        # Keep BaseHTTPRequestHandler's final flush/close harmless.
        self.rfile, self.wfile = io.BytesIO(), io.BytesIO()

    def forward(self, body):
        """Send the request to moto; return (status, reason, headers, body).
        The upstream connection is always closed."""
        st = self.state
        cls = http.client.HTTPSConnection if st.upstream_https else http.client.HTTPConnection
        conn = cls(st.upstream_host, st.upstream_port, timeout=st.upstream_timeout)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() == "transfer-encoding":
                    continue                    # body is re-framed below
                if k.lower() == "content-length" and self.dechunked:
                    continue
                conn.putheader(k, v)
            if self.dechunked:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        finally:
            conn.close()

    # ---- main dispatch -----------------------------------------------------

    def handle_any(self):
        try:
            self.handle_request()
        except ClientGone:
            self.close_connection = True
        except Exception as exc:   # never let a bad request kill anything
            self.close_connection = True
            sys.stderr.write("faultproxy: internal error on %s %s: %r\n"
                             % (self.command, self.path, exc))
            try:
                self.send_json(500, {"__type": "FaultProxyInternalError", "message": repr(exc)})
            except Exception:
                pass

    def handle_request(self):
        st = self.state
        self.dechunked = False
        try:
            body, self.dechunked = self.read_body()
        except (ValueError, OSError) as exc:
            self.close_connection = True
            try:
                self.send_json(400, {"__type": "FaultProxyBadRequest", "message": str(exc)})
            except ClientGone:
                pass
            return

        if self.path.startswith(CONTROL_PREFIX):
            self.handle_control(body)
            return

        target = self.headers.get("X-Amz-Target")
        if not target:
            # Not an AWS JSON call (e.g. /moto-api/): plain pass-through.
            self.pass_through(body)
            return

        op = short_op(target)
        st.count(op, "requests")
        fault, rng = st.decide(op)
        notes = []
        if self.clock_skewed(rng):
            st.count(op, "skewed")
            st.log(op, "skew", None, notes)
            return
        failure = st.failure(op)
        if failure is not None:
            st.count(op, "failed")
            st.log(op, "fail:" + failure[1], None, notes)
            self.send_aws_error(failure[0], failure[1], failure[2], rng)
            return
        if st.take_expired(op):
            st.count(op, "expired")
            st.log(op, "expired", None, notes)
            self.send_aws_error(400, "ExpiredTokenException",
                                "The security token included in the request is expired", rng)
            return

        # ---- faults answered without forwarding -----------------------------
        if op in st.deny:
            st.count(op, "denied")
            st.log(op, "denied", None, notes)
            self.send_aws_error(400, "AccessDeniedException",
                                "User is not authorized to perform: logs:%s" % op, rng)
            return
        if fault in ("throttle", "rate"):
            st.count(op, "throttled", *(["rate_limited"] if fault == "rate" else []))
            st.log(op, fault, None, notes)
            self.send_aws_error(400, "ThrottlingException", "Rate exceeded", rng)
            return
        if fault == "error5xx":
            status = rng.choice((500, 503))
            st.count(op, "5xx")
            st.log(op, "5xx:%d" % status, None, notes)
            self.send_aws_error(status, "ServiceUnavailableException",
                                "The service is unavailable. Please try again later.", rng)
            return
        if fault == "reset":
            st.count(op, "resets")
            st.log(op, "reset", None, notes)
            self.abort_with_reset()
            return

        try:
            req = json.loads(body) if body else {}
        except ValueError:
            req = None
        if not isinstance(req, dict):
            req = None                  # not JSON: forward, rewrite nothing

        if op == "StartLiveTail":       # moto has none: the proxy answers
            self.live_tail(req, rng)
            return

        if (op == "FilterLogEvents" and req is not None and self.prefix_fix_on()
                and "logStreamNames" in req and "logStreamNamePrefix" in req):
            st.log(op, "rejected", None, ["prefix:both-names-and-prefix"])
            self.send_aws_error(400, "InvalidParameterException",
                                "logStreamNames and logStreamNamePrefix cannot both be specified.",
                                rng)
            return

        # ---- forward ----------------------------------------------------------
        try:
            status, reason, headers, data = self.forward(body)
        except (OSError, http.client.HTTPException) as exc:
            st.count(op, "upstream_errors")
            st.log(op, "upstream-error", None, [type(exc).__name__])
            self.close_connection = True
            self.send_json(502, {"__type": "FaultProxyUpstreamError",
                                 "message": "faultproxy: upstream %r" % exc})
            return
        st.count(op, "forwarded")
        if op == "PutLogEvents" and status == 200 and req is not None:
            self.ingested(req, data)

        # ---- AWS behaviours: rewrite successful answers -------------------------
        if status == 200 and req is not None:
            data = self.rewrite(op, req, data, notes)
        if fault == "drop_token" and status == 200 and op == "GetLogEvents":
            data = drop_token(data)
            st.count(op, "tokens_dropped")
            notes.append("drop-token")

        headers = self.response_headers(headers, data)
        head_only = self.command == "HEAD"

        # ---- faults on the answer ---------------------------------------------
        if fault == "truncate":
            sent = rng.randrange(len(data)) if data else 0
            st.count(op, "truncated")
            st.log(op, "truncate:%d/%d" % (sent, len(data)), status, notes)
            self.close_connection = True
            self.send_raw(status, reason, headers, data[:sent], head_only)
            return
        if fault == "malformed":
            data = malform(data, rng)
            st.count(op, "malformed")
            st.log(op, "malformed", status, notes)
            self.send_raw(status, reason, headers, data, head_only)
            return
        if fault == "stall":
            seconds = self.stall_seconds()
            mid = rng.random() < 0.5
            st.count(op, "stalled")
            st.log(op, "stall:%s:%g" % ("mid" if mid else "before", seconds), status, notes)
            if not mid:
                if st.stop.wait(seconds):
                    self.close_connection = True
                    return
                self.send_raw(status, reason, headers, data, head_only)
                return
            half = len(data) // 2
            self.send_raw(status, reason, headers, data[:half], head_only)
            if st.stop.wait(seconds):
                self.close_connection = True
                return
            if not head_only:
                self.write(data[half:])
            return

        st.log(op, None, status, notes)
        self.send_raw(status, reason, headers, data, head_only)

    def live_tail(self, req, rng):
        """StartLiveTail, served by livetailemu (see its docstring)."""
        st = self.state
        try:
            livetailemu.serve(self, st.live, req, st.stop,
                              lambda text: st.log("StartLiveTail", None, None, [text]))
        except livetailemu.BadRequest as exc:
            st.count("StartLiveTail", "failed")
            st.log("StartLiveTail", "refused:" + exc.code, None, [])
            self.send_aws_error(400, exc.code, exc.message, rng)

    def ingested(self, req, data):
        """Events moto accepted reach the Live Tail sessions."""
        answer = json_object(data) or {}
        events = req.get("logEvents")
        if not isinstance(events, list):
            return
        self.state.live.ingest(req.get("logGroupName"), req.get("logStreamName"),
                               events, answer.get("rejectedLogEventsInfo"),
                               int(time.time() * 1000))

    def prefix_fix_on(self):
        with self.state.lock:
            return self.state.prefix_fix

    def stall_seconds(self):
        with self.state.lock:
            return self.state.stall_seconds

    def rewrite(self, op, req, data, notes):
        """Apply --prefix-fix, --page-cap and --job-status to a 200 answer.
        Returns the body (moto's bytes when nothing changed)."""
        st = self.state
        with st.lock:
            cap, fix = st.page_cap, st.prefix_fix
        if op not in ("GetLogEvents", "FilterLogEvents", "DescribeTrainingJob"):
            return data
        if op == "DescribeTrainingJob":
            state = st.job_state()
            if state is None and st.job_times is None:
                return data
        elif not cap and not (fix and op == "FilterLogEvents"):
            return data
        obj = json_object(data)
        if obj is None:
            return data

        if op == "DescribeTrainingJob":
            if state is not None:
                notes.append(apply_job_state(obj, state))
                st.count(op, "job_status_rewritten")
            if st.job_times is not None:
                obj["TrainingStartTime"] = st.job_times[0] / 1000
                if "TrainingEndTime" in obj or state is None:
                    obj["TrainingEndTime"] = st.job_times[1] / 1000
                notes.append("jobtimes")
            return json_bytes(obj)

        changed = False
        if op == "FilterLogEvents" and fix:
            note = prefix_filter(req, obj)
            if note:
                notes.append(note)
                st.count(op, "prefix_filtered")
                changed = True
        if cap:
            fn = cap_get_log_events if op == "GetLogEvents" else cap_filter_log_events
            body, note = fn(req, obj, cap)
            if note:
                notes.append(note)
            if body is not None:
                st.count(op, "page_capped")
                return body
        return json_bytes(obj) if changed else data

    def response_headers(self, headers, data):
        """moto's headers minus hop-by-hop framing, with a Content-Length
        that matches data (for HEAD, moto's own Content-Length is kept)."""
        if self.command == "HEAD":
            return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        out = [(k, v) for k, v in headers
               if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        out.append(("Content-Length", str(len(data))))
        return out

    def pass_through(self, body):
        try:
            status, reason, headers, data = self.forward(body)
        except (OSError, http.client.HTTPException) as exc:
            self.close_connection = True
            self.send_json(502, {"__type": "FaultProxyUpstreamError",
                                 "message": "faultproxy: upstream %r" % exc})
            return
        self.send_raw(status, reason, self.response_headers(headers, data), data,
                      self.command == "HEAD")

    # ---- control endpoints ---------------------------------------------------

    def handle_control(self, body):
        st = self.state
        name = urllib.parse.urlsplit(self.path).path[len(CONTROL_PREFIX):].strip("/")
        text = body.decode("utf-8", "replace").strip()
        try:
            if name == "stats" and self.command == "GET":
                self.send_json(200, st.stats_snapshot())
            elif name == "reset-stats" and self.command == "POST":
                st.reset_stats()
                self.send_json(200, {})
            elif name == "job-status" and self.command == "POST":
                st.set_job_script(text)
                self.send_json(200, {"current": st.job_state()})
            elif name == "job-status" and self.command == "GET":
                self.send_json(200, {"current": st.job_state()})
            elif name == "live" and self.command == "GET":
                self.send_json(200, st.live.stats_snapshot())
            elif name == "config" and self.command == "GET":
                self.send_json(200, st.config_dict())
            elif name == "config" and self.command == "POST":
                st.update_config(json.loads(text or "{}"))
                self.send_json(200, st.config_dict())
            else:
                self.send_json(404, {"message": "unknown control endpoint %s %s"
                                     % (self.command, self.path)})
        except (ValueError, TypeError) as exc:
            self.send_json(400, {"message": str(exc)})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # One line instead of a traceback; the handler already answered.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            sys.stderr.write("faultproxy: error with %s: %r\n" % (client_address, exc))


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="AWS-behaviour and fault-injection proxy in front of moto "
                    "(see the module docstring for details).")
    ap.add_argument("--upstream", required=True, help="moto base URL, http://HOST:PORT")
    ap.add_argument("--port", type=int, default=0, help="listen port (0 = any free)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log", help="request log file ('-' = stderr)")
    ap.add_argument("--ops", help="comma-separated operations the random faults apply to")
    ap.add_argument("--throttle", type=probability, default=0.0)
    ap.add_argument("--deny", action="append", default=[], metavar="OP")
    ap.add_argument("--error5xx", type=probability, default=0.0)
    ap.add_argument("--reset", type=probability, default=0.0)
    ap.add_argument("--truncate", type=probability, default=0.0)
    ap.add_argument("--malformed", type=probability, default=0.0)
    ap.add_argument("--stall", type=probability, default=0.0)
    ap.add_argument("--drop-token", dest="drop_token", type=probability, default=0.0,
                    help="answer without the paging token (events kept)")
    ap.add_argument("--stall-seconds", type=float, default=5.0)
    ap.add_argument("--rate", type=parse_rate, action="append", default=[],
                    metavar="OP=N", help="token bucket N calls/s, burst N (repeatable)")
    ap.add_argument("--page-cap", type=int, default=None, metavar="BYTES")
    ap.add_argument("--prefix-fix", action="store_true")
    ap.add_argument("--expire-first", type=int, default=0, metavar="N",
                    help="answer the first N requests (of --ops) with "
                         "ExpiredTokenException")
    ap.add_argument("--clock-offset", type=float, default=0.0, metavar="SECONDS",
                    help="the proxy's clock runs this far ahead (or behind): "
                         "requests signed over 5 minutes off get AWS's "
                         "InvalidSignatureException, with the proxy's Date")
    ap.add_argument("--job-status", metavar="SCRIPT")
    ap.add_argument("--job-times", type=parse_job_times, default=None,
                    metavar="START,END")
    ap.add_argument("--live-script", default="", metavar="SCRIPT",
                    help="Live Tail faults, one entry a session: ok, timeout@S, "
                         "streaming@S, error@S, reset@S, corrupt@S, stall@S")
    ap.add_argument("--live-sample", type=int, default=livetailemu.SAMPLE_CAP,
                    metavar="N", help="events per Live Tail update before sampling (500)")
    ap.add_argument("--live-max-sessions", type=int, default=livetailemu.MAX_SESSIONS,
                    metavar="N", help="concurrent Live Tail sessions (15)")
    ap.add_argument("--live-session-seconds", type=float,
                    default=livetailemu.SESSION_SECONDS, metavar="S",
                    help="a session's length before SessionTimeoutException (3 h)")
    ap.add_argument("--upstream-timeout", type=float, default=120.0,
                    help="seconds to wait for moto (default 120)")
    args = ap.parse_args(argv)
    if args.page_cap is not None and args.page_cap <= 0:
        ap.error("--page-cap must be > 0")
    try:
        state = ProxyState(args)
    except (ValueError, OSError) as exc:
        ap.error(str(exc))

    Handler.state = state
    server = Server(("127.0.0.1", args.port), Handler)

    def on_signal(signum, frame):
        state.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="faultproxy-server", daemon=True)
    thread.start()
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()

    while not state.stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    if state.log_file is not None and state.log_file is not sys.stderr:
        state.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
