#!/usr/bin/env python3
"""ltwriter.py - write a job's log lines through the fault proxy, so its
Live Tail emulator sees them ingested.

    ltwriter.py URL JOB SECONDS [--other]

Creates /aws/sagemaker/TrainingJobs and the streams JOB/algo-1-1 and
JOB/algo-2-1 (and other-JOB/algo-1-1 with --other, whose lines no session
of JOB's prefix may show), prints "ready", then writes one line to each
stream every 0.2 s for SECONDS (or until SIGTERM) and prints every line it
wrote of JOB's streams as "STREAM TIMESTAMP MESSAGE" (the ground truth) at
the end.
"""
import signal
import sys
import time

import boto3

GROUP = "/aws/sagemaker/TrainingJobs"


def main():
    url, job, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    logs = boto3.client("logs", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    try:
        logs.create_log_group(logGroupName=GROUP)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    mine = ["%s/algo-1-1" % job, "%s/algo-2-1" % job]
    other = ["other-%s/algo-1-1" % job] if "--other" in sys.argv else []
    for s in mine + other:
        try:
            logs.create_log_stream(logGroupName=GROUP, logStreamName=s)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
    print("ready", flush=True)
    truth = []
    end = time.monotonic() + seconds
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    i = 0
    while time.monotonic() < end and not stop:
        t = int(time.time() * 1000)
        for s in mine + other:
            msg = "%s line %d" % (s, i)
            logs.put_log_events(logGroupName=GROUP, logStreamName=s,
                                logEvents=[{"timestamp": t, "message": msg}])
            if s in mine:
                truth.append("%s %d %s" % (s, t, msg))
        i += 1
        time.sleep(0.2)
    print("\n".join(truth), flush=True)


if __name__ == "__main__":
    main()
