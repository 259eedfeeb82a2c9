#!/usr/bin/env python3
"""livetailcheck.py - botocore's own start_live_tail against the fault
proxy's Live Tail, so the emulator's framing and events are AWS's as
botocore reads them, not only as cwdemux reads them.

    livetailcheck.py PROXY_URL

Needs moto behind the proxy.  Prints "ok NAME" or "FAIL NAME: why" per
check and exits 1 if any failed.  About 15 seconds.
"""
import json
import sys
import threading
import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

GROUP = "/aws/sagemaker/TrainingJobs"
JOB = "lt-check-2026"
results = []


def check(name, cond, why=""):
    results.append(cond)
    print(("ok %s" % name) if cond else ("FAIL %s: %s" % (name, why)))
    sys.stdout.flush()


def control(url, body):
    req = urllib.request.Request(url + "/proxy-control/config", method="POST",
                                 data=json.dumps(body).encode())
    urllib.request.urlopen(req, timeout=10).read()


class Reader(threading.Thread):
    """Reads one session: updates, or the exception that ended it."""

    def __init__(self, logs, arn, prefix):
        super().__init__(daemon=True)
        self.resp = logs.start_live_tail(logGroupIdentifiers=[arn],
                                         logStreamNamePrefixes=[prefix])
        self.started = threading.Event()
        self.events = []
        self.updates = []
        self.error = None
        self.first = None

    def run(self):
        try:
            for ev in self.resp["responseStream"]:
                if self.first is None:
                    self.first = list(ev)[0]
                if "sessionStart" in ev:
                    self.start_info = ev["sessionStart"]
                    self.started.set()
                elif "sessionUpdate" in ev:
                    u = ev["sessionUpdate"]
                    self.updates.append(u)
                    self.events.extend(u["sessionResults"])
        except Exception as exc:       # what ended the stream
            self.error = exc
        self.started.set()

    def wait_for(self, cond, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not cond():
            time.sleep(0.05)
        return cond()

    def close(self):
        self.resp["responseStream"].close()


def put(logs, stream, messages, t0):
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=[
        {"timestamp": t0 + i, "message": m} for i, m in enumerate(messages)])


def main():
    url = sys.argv[1]
    logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(inject_host_prefix=False,
                                      retries={"max_attempts": 1}))
    logs.create_log_group(logGroupName=GROUP)
    for s in ("algo-1-1", "algo-2-1"):
        logs.create_log_stream(logGroupName=GROUP, logStreamName="%s/%s" % (JOB, s))
    logs.create_log_stream(logGroupName=GROUP, logStreamName="other-job/algo-1-1")
    arn = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["logGroupArn"]
    t0 = int(time.time() * 1000)

    # Every event of the prefix, once; none of another job.
    r = Reader(logs, arn, JOB + "/")
    r.start()
    r.started.wait(20)
    # botocore refuses a stream whose first message is not initial-response
    # and consumes it; what the reader sees first is sessionStart.
    check("initial-response, then sessionStart", r.first == "sessionStart",
          "first event %r" % r.first)
    check("sessionStart echoes the request",
          getattr(r, "start_info", {}).get("logStreamNamePrefixes") == [JOB + "/"]
          and r.start_info.get("logGroupIdentifiers") == [arn], repr(getattr(r, "start_info", None)))
    want = []
    for k in range(3):
        for s in ("algo-1-1", "algo-2-1"):
            msgs = ["%s line %d.%d" % (s, k, i) for i in range(20)]
            put(logs, "%s/%s" % (JOB, s), msgs, t0 + 100 * k)
            want += msgs
        put(logs, "other-job/algo-1-1", ["not mine %d" % k], t0)
    same = ["identical"] * 5             # five identical events, one ms
    logs.put_log_events(logGroupName=GROUP, logStreamName=JOB + "/algo-1-1",
                        logEvents=[{"timestamp": t0 + 999, "message": m} for m in same])
    want += same
    r.wait_for(lambda: len(r.events) >= len(want))
    time.sleep(1.5)                       # one more update: nothing extra
    got = sorted(e["message"] for e in r.events)
    check("every event once", got == sorted(want),
          "%d events, want %d" % (len(got), len(want)))
    check("fields", all(e["logGroupIdentifier"] == arn and e["ingestionTime"] >= t0
                        and e["logStreamName"].startswith(JOB + "/") for e in r.events),
          repr(r.events[:1]))
    check("updates every second", len(r.updates) >= 2 and
          all(u["sessionMetadata"]["sampled"] is False for u in r.updates), repr(len(r.updates)))

    # More than 500 in a second: 500 of them, sampled.
    n0 = len(r.events)
    put(logs, JOB + "/algo-2-1", ["burst %d" % i for i in range(1200)], t0 + 5000)
    r.wait_for(lambda: any(u["sessionMetadata"]["sampled"] for u in r.updates))
    sampled = [u for u in r.updates if u["sessionMetadata"]["sampled"]]
    check("sampled to 500", len(sampled) == 1 and len(sampled[0]["sessionResults"]) == 500,
          "%d sampled updates, %s events" % (len(sampled),
                                             [len(u["sessionResults"]) for u in sampled]))
    check("sample is of the burst", len(r.events) - n0 == 500 and
          len(set(e["message"] for e in r.events[n0:])) == 500, str(len(r.events) - n0))

    # The quota of sessions: one more than allowed is refused.
    control(url, {"live_max_sessions": 1})
    try:
        Reader(logs, arn, JOB + "/")
        check("LimitExceededException", False, "a second session was allowed")
    except ClientError as exc:
        check("LimitExceededException",
              exc.response["Error"]["Code"] == "LimitExceededException", repr(exc))
    r.close()
    r.join(10)
    control(url, {"live_max_sessions": 15})

    # Refused by IAM.
    control(url, {"fail": {"StartLiveTail": "400:AccessDeniedException:not allowed"}})
    try:
        Reader(logs, arn, JOB + "/")
        check("AccessDeniedException", False, "allowed")
    except ClientError as exc:
        check("AccessDeniedException",
              exc.response["Error"]["Code"] == "AccessDeniedException", repr(exc))
    control(url, {"fail": {}})

    # Sessions that end: timeout, streaming error, error message, CRC, reset.
    control(url, {"live_script": "timeout@1,streaming@1,error@1,corrupt@1,reset@1"})
    for name, want_text in (("SessionTimeoutException", "SessionTimeoutException"),
                            ("SessionStreamingException", "SessionStreamingException"),
                            (":message-type error", "InternalFailure"),
                            ("bad CRC", "Checksum"),
                            ("reset mid-frame", "")):
        s = Reader(logs, arn, JOB + "/")
        s.start()
        # A broken update must carry events: write until the session ends.
        deadline = time.monotonic() + 20
        while s.is_alive() and time.monotonic() < deadline:
            put(logs, JOB + "/algo-1-1", ["during %s" % name], t0)
            s.join(0.3)
        err = s.error
        text = "%s %r" % (type(err).__name__, err)
        ok = err is not None and want_text in text
        if name == "SessionTimeoutException":
            ok = ok and isinstance(err, EventStreamError)
        check(name, ok and not s.is_alive(), text)
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
