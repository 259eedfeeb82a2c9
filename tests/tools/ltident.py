#!/usr/bin/env python3
"""ltident.py - N identical events in one millisecond of one stream, added
to a simulated job and to its ground truth.

    ltident.py URL GENDIR N

Writes N events with the same timestamp (now) and the same message in one
PutLogEvents call to the first stream of GENDIR's truth (through URL, the
fault proxy, so that its Live Tail sees them ingested), then appends them
to GENDIR/truth.events.jsonl and counts them in truth.json: a reader must
show exactly N of them.
"""
import base64
import json
import os
import sys
import time

import boto3

GROUP = "/aws/sagemaker/TrainingJobs"
MESSAGE = "the same line, many times in one millisecond"


def main():
    url, gendir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(os.path.join(gendir, "truth.json")) as f:
        truth = json.load(f)
    with open(os.path.join(gendir, "truth.events.jsonl")) as f:
        first = json.loads(f.readline())
    logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    ts = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName=first["stream"],
                        logEvents=[{"timestamp": ts, "message": MESSAGE}] * n)
    rec = json.dumps({"stream": first["stream"], "host": first["host"],
                      "group": first["group"], "timestamp": ts,
                      "message_b64": base64.b64encode(MESSAGE.encode()).decode()},
                     separators=(",", ":"))
    with open(os.path.join(gendir, "truth.events.jsonl"), "a") as f:
        f.write((rec + "\n") * n)
    truth["events"] += n
    truth["lines"] += n
    with open(os.path.join(gendir, "truth.json"), "w") as f:
        json.dump(truth, f)


if __name__ == "__main__":
    main()
