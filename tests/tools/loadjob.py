#!/usr/bin/env python3
"""Load a generated job (genjob.py's truth.events.jsonl) into moto server.

    loadjob.py ENDPOINT GENDIR [--region R] [--group G] [--no-sagemaker]
               [--iam USER:ACTIONS]

Creates the log group and one stream per stream of the truth, puts every
event (in batches, in order), and creates the SageMaker training job with
the truth's instance groups. With --iam, also creates an IAM user whose
policy allows ACTIONS (comma separated, e.g. logs:*,sagemaker:*) and prints
its "ACCESS_KEY SECRET" on stdout. moto drops events older than 14 days,
so generate the job with a recent --start-ms.
"""

import argparse
import base64
import collections
import json
import os
import sys

import boto3

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
BATCH_EVENTS = 5000
BATCH_BYTES = 900_000


def client(service, endpoint, region):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def load_events(gendir):
    streams = collections.defaultdict(list)
    with open(os.path.join(gendir, "truth.events.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            msg = base64.b64decode(e["message_b64"]).decode("utf-8", "replace")
            streams[e["stream"]].append((e["timestamp"], msg))
    return streams


def put_stream(logs, group, stream, events):
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    batch, size = [], 0
    for ts, msg in events:
        if batch and (len(batch) >= BATCH_EVENTS or size + len(msg) > BATCH_BYTES):
            logs.put_log_events(logGroupName=group, logStreamName=stream,
                                logEvents=batch)
            batch, size = [], 0
        batch.append({"timestamp": ts, "message": msg})
        size += len(msg) + 26
    if batch:
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=batch)


def create_job(sm, truth):
    groups = [{"InstanceGroupName": name, "InstanceType": g["instance_type"],
               "InstanceCount": len(g["hosts"])}
              for name, g in truth["groups"].items()]
    sm.create_training_job(
        TrainingJobName=truth["job"],
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
        RoleArn="arn:aws:iam::123456789012:role/sm",
        OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
        ResourceConfig={"InstanceGroups": groups, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600})


def create_user(endpoint, region, spec):
    user, actions = spec.split(":", 1)
    iam = client("iam", endpoint, region)
    iam.create_user(UserName=user)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions.split(","), "Resource": "*"}]}
    iam.put_user_policy(UserName=user, PolicyName="p",
                        PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("gendir")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--group", default=LOG_GROUP)
    ap.add_argument("--no-sagemaker", action="store_true")
    ap.add_argument("--iam", action="append", default=[])
    args = ap.parse_args()
    with open(os.path.join(args.gendir, "truth.json")) as f:
        truth = json.load(f)
    logs = client("logs", args.endpoint, args.region)
    try:
        logs.create_log_group(logGroupName=args.group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    for stream, events in sorted(load_events(args.gendir).items()):
        put_stream(logs, args.group, stream, events)
    if not args.no_sagemaker:
        create_job(client("sagemaker", args.endpoint, args.region), truth)
    for spec in args.iam:
        print("%s %s" % create_user(args.endpoint, args.region, spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
