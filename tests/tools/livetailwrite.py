#!/usr/bin/env python3
"""livetailwrite.py - events that try Live Tail's exactly-once, added to a
simulated job and to its ground truth.

    livetailwrite.py URL GENDIR identical N
    livetailwrite.py URL GENDIR burst N
    livetailwrite.py URL GENDIR stream N

identical: N events with the same timestamp (now) and the same message in
one PutLogEvents call to the first stream of GENDIR's truth; a reader must
show exactly N of them (Live Tail samples them to 500 in their second).
burst: N different events within one second, spread over the job's
streams, one PutLogEvents call a stream (above 500, Live Tail samples the
second). stream: a new stream of the first stream's host (as a restarted
host makes), created now, with N events.

Writes through URL, the fault proxy, so that its Live Tail sees them
ingested; then appends them to GENDIR/truth.events.jsonl and counts them
(and a new stream) in truth.json. Run it once the simulator has ended.
"""
import base64
import json
import os
import sys
import time

import boto3

GROUP = "/aws/sagemaker/TrainingJobs"
IDENTICAL = "the same line, many times in one millisecond"


def main():
    url, gendir, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(os.path.join(gendir, "truth.json")) as f:
        truth = json.load(f)
    firsts = {}
    with open(os.path.join(gendir, "truth.events.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            firsts.setdefault(e["stream"], e)
    logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    first = firsts[min(firsts)]
    now = int(time.time() * 1000)
    puts = {}                           # stream -> [(timestamp, message)]
    if mode == "identical":
        puts[first["stream"]] = [(now, IDENTICAL)] * n
    elif mode == "burst":
        names = sorted(firsts)
        for i in range(n):
            puts.setdefault(names[i % len(names)], []).append(
                (now + i * 1000 // n, "burst event %d of %d" % (i + 1, n)))
    elif mode == "stream":
        prefix = first["stream"].rsplit("-", 1)[0]
        epochs = [int(s.rsplit("-", 1)[1]) for s in truth["streams"] if s.startswith(prefix + "-")]
        name = "%s-%d" % (prefix, max(epochs + [now // 1000]) + 1)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=name)
        truth["streams"][name] = first["host"]
        firsts[name] = dict(first, stream=name)
        puts[name] = [(now + i, "a line of a stream made after Live Tail began, %d of %d"
                       % (i + 1, n)) for i in range(n)]
    else:
        sys.exit("livetailwrite: unknown mode %s" % mode)
    with open(os.path.join(gendir, "truth.events.jsonl"), "a") as f:
        for stream, events in sorted(puts.items()):
            logs.put_log_events(logGroupName=GROUP, logStreamName=stream,
                                logEvents=[{"timestamp": t, "message": m} for t, m in events])
            e = firsts[stream]
            for t, m in events:
                f.write(json.dumps({"stream": stream, "host": e["host"], "group": e["group"],
                                    "timestamp": t,
                                    "message_b64": base64.b64encode(m.encode()).decode()},
                                   separators=(",", ":")) + "\n")
    added = sum(len(v) for v in puts.values())
    truth["events"] += added
    truth["lines"] += added
    with open(os.path.join(gendir, "truth.json"), "w") as f:
        json.dump(truth, f)


if __name__ == "__main__":
    main()
