"""livetailemu.py - CloudWatch Logs Live Tail for faultproxy.py (moto has none).

What AWS does (API reference, StartLiveTail and LiveTailSessionUpdate), and
so what this does:
  * The answer is HTTP 200, Content-Type application/vnd.amazon.eventstream,
    a body streamed until the session ends (here with chunked framing).
  * Messages: one `initial-response` ({}), one `sessionStart`, then a
    `sessionUpdate` every second with the events ingested in that second
    whose log group and stream name match the request.  More than
    SAMPLE_CAP (500) events in a second are sampled down to 500 and the
    update says `sessionMetadata.sampled: true`.
  * The session ends after 3 hours with a `SessionTimeoutException`
    exception message; an unknown server error is a
    `SessionStreamingException`.
  * Quotas: 15 concurrent sessions (LimitExceededException) and, through
    faultproxy's --rate StartLiveTail=5, 5 calls a second; refusals such as
    AccessDeniedException come from faultproxy's `fail` config.
"Ingested" means: a PutLogEvents that went through the proxy and that moto
answered with 200 (events moto reports as rejected are left out).  Writers
that talk to moto directly are not seen: point them at the proxy.
Not modelled: AWS's buffer of 10 updates / 5,000 events for a slow reader
(here a slow reader slows the writer thread of its own session only), and
logEventFilterPattern (accepted and logged with the session, not applied).

Faults, per session, from a script: a comma-separated list whose n-th entry
applies to the n-th session started (later sessions run clean):
    ok             nothing happens
    timeout@S      SessionTimeoutException S seconds in (as at 3 hours)
    streaming@S    SessionStreamingException S seconds in
    error@S        a `:message-type error` message S seconds in, then close
    reset@S        the first update from S seconds in that carries events is
                   cut halfway and the TCP connection reset (RST)
    corrupt@S      the first update from S seconds in that carries events
                   has a wrong message CRC (the stream goes on, as a
                   flipped bit on a path would)
    stall@S        from S seconds in, nothing more is sent; the connection
                   stays open until the client leaves

For benchmarks: with LIVETAILEMU_SENT_LOG=FILE in the environment, each
event of an update is written to FILE once the update is sent, as a line
"SENT_MS STREAM STAMP" (STAMP: the "@<ms> " a message starts with, as
simjob --stamp-writes writes; events without one are left out), so a
reader's latency can be split into the emulator's part and its own.

The event-stream encoder here is checked against botocore's
EventStreamBuffer by tests/integ/livetail_emu.sh.  Standard library only.
"""

import json
import os
import random
import re
import select
import struct
import threading
import time
import uuid
import zlib

CONTENT_TYPE = "application/vnd.amazon.eventstream"
SAMPLE_CAP = 500
MAX_SESSIONS = 15
SESSION_SECONDS = 3 * 3600
STAMP = re.compile(r"@(\d+) ")
FAULT_KINDS = ("ok", "timeout", "streaming", "error", "reset", "corrupt", "stall")


# ---- framing ----------------------------------------------------------------

def header(name, value):
    """One header: a str value is type 7 (string), bytes type 6."""
    n = name.encode("utf-8")
    if isinstance(value, bytes):
        v = b"\x06" + struct.pack(">H", len(value)) + value
    else:
        b = value.encode("utf-8")
        v = b"\x07" + struct.pack(">H", len(b)) + b
    return bytes([len(n)]) + n + v


def frame(headers, payload):
    """One message: prelude, prelude CRC, headers, payload, message CRC."""
    h = b"".join(header(k, v) for k, v in headers)
    total = 16 + len(h) + len(payload)
    prelude = struct.pack(">II", total, len(h))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + h + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event_frame(event_type, obj):
    """A modelled event, headers in the order AWS sends them."""
    return frame([(":event-type", event_type),
                  (":content-type", "application/json"),
                  (":message-type", "event")],
                 json.dumps(obj, separators=(",", ":")).encode("utf-8"))


def exception_frame(exc_type, message):
    return frame([(":exception-type", exc_type),
                  (":content-type", "application/json"),
                  (":message-type", "exception")],
                 json.dumps({"message": message}).encode("utf-8"))


def error_frame(code, message):
    return frame([(":error-code", code), (":error-message", message),
                  (":message-type", "error")], b"")


# ---- the script of faults -----------------------------------------------------

def parse_script(text):
    """'kind@S,...' -> [(kind, seconds)]; raises ValueError."""
    out = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        kind, _, when = item.partition("@")
        if kind not in FAULT_KINDS:
            raise ValueError("live script: unknown fault %r (one of %s)"
                             % (kind, ", ".join(FAULT_KINDS)))
        seconds = float(when) if when else 0.0
        if seconds < 0:
            raise ValueError("live script: negative time in %r" % item)
        out.append((kind, seconds))
    return out


# ---- the request --------------------------------------------------------------

class BadRequest(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def group_name(identifier):
    """'arn:aws:logs:REGION:ACCOUNT:log-group:NAME' -> NAME; AWS wants
    ARNs here and refuses one ending in '*'."""
    if not isinstance(identifier, str) or not identifier.startswith("arn:"):
        raise BadRequest("InvalidParameterException",
                         "logGroupIdentifiers must be log group ARNs, got %r" % (identifier,))
    if identifier.endswith("*"):
        raise BadRequest("InvalidParameterException",
                         "log group ARN must not end with '*': %r" % identifier)
    parts = identifier.split(":", 6)
    if len(parts) != 7 or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        raise BadRequest("InvalidParameterException",
                         "not a log group ARN: %r" % identifier)
    return parts[6]


def parse_request(req):
    """Validate as AWS does; returns (groups {name: arn}, names, prefixes)."""
    if not isinstance(req, dict):
        raise BadRequest("SerializationException", "the request is not a JSON object")
    ids = req.get("logGroupIdentifiers")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 10:
        raise BadRequest("InvalidParameterException",
                         "logGroupIdentifiers must hold 1 to 10 ARNs")
    groups = {group_name(i): i for i in ids}
    names = req.get("logStreamNames")
    prefixes = req.get("logStreamNamePrefixes")
    if names is not None and prefixes is not None:
        raise BadRequest("InvalidParameterException",
                         "logStreamNames and logStreamNamePrefixes are mutually exclusive")
    for what, value in (("logStreamNames", names), ("logStreamNamePrefixes", prefixes)):
        if value is None:
            continue
        if (not isinstance(value, list) or not 1 <= len(value) <= 100
                or not all(isinstance(v, str) and v for v in value)):
            raise BadRequest("InvalidParameterException",
                             "%s must hold 1 to 100 names" % what)
        if len(ids) != 1:
            raise BadRequest("InvalidParameterException",
                             "%s needs exactly one log group" % what)
    return groups, names, prefixes


# ---- sessions and the hub -----------------------------------------------------

class Session:
    def __init__(self, number, groups, names, prefixes):
        self.number = number
        self.groups = groups
        self.names = set(names) if names else None
        self.prefixes = prefixes
        self.pending = []               # events ingested since the last update
        self.gone = False

    def wants(self, group, stream):
        if group not in self.groups:
            return False
        if self.names is not None:
            return stream in self.names
        if self.prefixes is not None:
            return any(stream.startswith(p) for p in self.prefixes)
        return True


class Hub:
    """Sessions and what was ingested for them; shared by handler threads."""

    def __init__(self, seed, script="", sample_cap=SAMPLE_CAP, max_sessions=MAX_SESSIONS,
                 session_seconds=SESSION_SECONDS):
        self.lock = threading.Lock()
        self.seed = seed
        self.script = parse_script(script)
        self.sample_cap = sample_cap
        self.max_sessions = max_sessions
        self.session_seconds = session_seconds
        self.sessions = []
        self.started = 0
        self.stats = dict(sessions=0, updates=0, events=0, sampled_updates=0,
                          dropped_by_sampling=0, ended_timeout=0, faults=0)
        path = os.environ.get("LIVETAILEMU_SENT_LOG")
        self.sent_log = open(path, "a", buffering=1) if path else None

    def sent(self, events):
        """An update went out: its stamped events to the sent log."""
        if self.sent_log is None:
            return
        now = int(time.time() * 1000)
        lines = []
        for e in events:
            m = STAMP.match(e["message"])
            if m is not None:
                lines.append("%d %s %s\n" % (now, e["logStreamName"], m.group(1)))
        with self.lock:
            self.sent_log.write("".join(lines))

    def configure(self, script=None, sample_cap=None, max_sessions=None,
                  session_seconds=None):
        parsed = parse_script(script) if script is not None else None
        with self.lock:
            if parsed is not None:
                self.script = parsed
                self.started = 0        # the script counts sessions anew
            if sample_cap is not None:
                self.sample_cap = max(1, int(sample_cap))
            if max_sessions is not None:
                self.max_sessions = max(1, int(max_sessions))
            if session_seconds is not None:
                self.session_seconds = max(0.1, float(session_seconds))

    def config(self):
        with self.lock:
            return dict(live_script=",".join("%s@%g" % f for f in self.script),
                        live_sample=self.sample_cap, live_max_sessions=self.max_sessions,
                        live_session_seconds=self.session_seconds)

    def open(self, groups, names, prefixes):
        """A new session and its fault, or raise BadRequest (quota)."""
        with self.lock:
            if len(self.sessions) >= self.max_sessions:
                raise BadRequest("LimitExceededException",
                                 "You have exceeded the maximum number of concurrent "
                                 "Live Tail sessions (%d)" % self.max_sessions)
            n = self.started
            self.started += 1
            fault = self.script[n] if n < len(self.script) else ("ok", 0.0)
            s = Session(n, groups, names, prefixes)
            self.sessions.append(s)
            self.stats["sessions"] += 1
            return s, fault

    def close(self, session):
        with self.lock:
            session.gone = True
            if session in self.sessions:
                self.sessions.remove(session)

    def ingest(self, group, stream, events, rejected, now_ms):
        """A PutLogEvents moto accepted: hand its events to the sessions."""
        skip = set()
        if isinstance(rejected, dict):
            old = rejected.get("tooOldLogEventEndIndex")
            expired = rejected.get("expiredLogEventEndIndex")
            new = rejected.get("tooNewLogEventStartIndex")
            for end in (old, expired):
                if isinstance(end, int):
                    skip.update(range(0, end + 1))
            if isinstance(new, int):
                skip.update(range(new, len(events)))
        with self.lock:
            targets = [s for s in self.sessions if s.wants(group, stream)]
            if not targets:
                return
            for i, ev in enumerate(events):
                if i in skip or not isinstance(ev, dict):
                    continue
                for s in targets:
                    s.pending.append({"logStreamName": stream,
                                      "logGroupIdentifier": s.groups[group],
                                      "message": ev.get("message", ""),
                                      "timestamp": ev.get("timestamp", 0),
                                      "ingestionTime": now_ms})

    def take(self, session, tick):
        """The update due now: (events, sampled)."""
        with self.lock:
            batch, session.pending = session.pending, []
            cap = self.sample_cap
            sampled = len(batch) > cap
            if sampled:
                rng = random.Random("%d:live:%d:%d" % (self.seed, session.number, tick))
                keep = sorted(rng.sample(range(len(batch)), cap))
                self.stats["dropped_by_sampling"] += len(batch) - cap
                batch = [batch[i] for i in keep]
                self.stats["sampled_updates"] += 1
            self.stats["updates"] += 1
            self.stats["events"] += len(batch)
            return batch, sampled

    def count(self, name):
        with self.lock:
            self.stats[name] += 1

    def stats_snapshot(self):
        with self.lock:
            return dict(self.stats, open=len(self.sessions))


def client_left(sock):
    """True when the peer closed its end (readable with nothing to read)."""
    try:
        r, _, _ = select.select([sock], [], [], 0)
        if not r:
            return False
        return sock.recv(1, 0x2) == b""     # MSG_PEEK
    except OSError:
        return True


def serve(handler, hub, req, stop, log):
    """Answer one StartLiveTail on handler (faultproxy's Handler) until the
    session ends, the client leaves or stop is set.  Raises BadRequest
    before anything is sent when the request or a quota refuses it."""
    groups, names, prefixes = parse_request(req)
    session, (kind, at) = hub.open(groups, names, prefixes)
    request_id = str(uuid.uuid4())
    log("session %d open%s%s" % (session.number, "" if kind == "ok" else
                                  " fault %s@%g" % (kind, at),
                                  " pattern %s" % json.dumps(req["logEventFilterPattern"])
                                  if req.get("logEventFilterPattern") else ""))
    handler.close_connection = True     # the stream ends the connection
    try:
        handler.send_response_only(200)
        handler.send_header("Content-Type", CONTENT_TYPE)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.send_header("x-amzn-RequestId", request_id)
        handler.end_headers()
        send = lambda data: handler.write(b"%x\r\n%s\r\n" % (len(data), data))
        send(event_frame("initial-response", {}))
        start_obj = {"requestId": request_id, "sessionId": str(uuid.uuid4()),
                     "logGroupIdentifiers": list(groups.values()),
                     "logEventFilterPattern": req.get("logEventFilterPattern", "")}
        if names is not None:
            start_obj["logStreamNames"] = names
        if prefixes is not None:
            start_obj["logStreamNamePrefixes"] = prefixes
        send(event_frame("sessionStart", start_obj))
        t0 = time.monotonic()
        tick = 0
        with hub.lock:
            limit = hub.session_seconds
        while True:
            tick += 1
            if stop.wait(max(0.0, t0 + tick - time.monotonic())):
                return
            elapsed = time.monotonic() - t0
            if kind in ("reset", "corrupt") and elapsed >= at:
                # Nothing to lose yet: wait for an update that has some.
                events, sampled = hub.take(session, tick)
                if not events:
                    send(event_frame("sessionUpdate", {
                        "sessionMetadata": {"sampled": sampled},
                        "sessionResults": events}))
                    continue
            if kind != "ok" and elapsed >= at:
                hub.count("faults")
                log("session %d fault %s at %.1f s" % (session.number, kind, elapsed))
                if kind == "timeout":
                    hub.count("ended_timeout")
                    send(exception_frame("SessionTimeoutException",
                                         "Session timed out after %g seconds" % at))
                    handler.write(b"0\r\n\r\n")
                    return
                if kind == "streaming":
                    send(exception_frame("SessionStreamingException",
                                         "Internal error in the stream"))
                    handler.write(b"0\r\n\r\n")
                    return
                if kind == "error":
                    send(error_frame("InternalFailure", "The stream failed"))
                    handler.write(b"0\r\n\r\n")
                    return
                if kind == "stall":
                    while not stop.wait(0.2):
                        if client_left(handler.connection):
                            return
                    return
                data = event_frame("sessionUpdate", {
                    "sessionMetadata": {"sampled": sampled}, "sessionResults": events})
                # A test checks that none of these reach the output.
                log("session %d withheld %s" % (session.number, json.dumps(
                    [e["message"] for e in events])))
                if kind == "reset":
                    half = len(data) // 2
                    handler.write(b"%x\r\n%s" % (len(data), data[:half]))
                    handler.abort_with_reset()
                    return
                # corrupt: one bit of the message CRC flipped, then go on.
                send(data[:-1] + bytes([data[-1] ^ 0x01]))
                kind = "ok"
                continue
            if elapsed >= limit:
                hub.count("ended_timeout")
                send(exception_frame("SessionTimeoutException",
                                     "Session timed out after %g seconds" % limit))
                handler.write(b"0\r\n\r\n")
                return
            events, sampled = hub.take(session, tick)
            send(event_frame("sessionUpdate", {
                "sessionMetadata": {"sampled": sampled}, "sessionResults": events}))
            hub.sent(events)
    finally:
        hub.close(session)
        log("session %d closed" % session.number)
