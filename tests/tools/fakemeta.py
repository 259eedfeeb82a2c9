#!/usr/bin/env python3
"""A fake ECS/EKS container credentials endpoint and EC2 instance metadata
service (IMDSv2 only) for tests/integ/creds.sh. Standard library only.

    fakemeta.py --auth TOKEN --log FILE [--hang]

Binds 127.0.0.1 on a free port, prints the port on one line, then serves:

  GET /creds                       container credentials; the Authorization
                                   header must be TOKEN (else 401)
  PUT /latest/api/token            an IMDSv2 session token; needs the header
                                   X-aws-ec2-metadata-token-ttl-seconds
  GET /latest/meta-data/iam/security-credentials/[ROLE]
                                   the role name, then its credentials; a
                                   GET without a valid token (IMDSv1) is 401

Every request is logged to FILE as "METHOD PATH RESULT". With --hang every
request waits forever (to test timeouts). Stops on SIGTERM.
"""
import argparse
import datetime
import json
import os
import secrets
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "fake-role"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"


def expiration():
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def credentials(prefix, token_key):
    return {
        "AccessKeyId": prefix,
        "SecretAccessKey": "fake-secret-" + prefix.lower(),
        token_key: "fake-token-" + prefix.lower(),
        "Expiration": expiration(),
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tokens = set()
    lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def note(self, result):
        with self.lock, open(self.server.log_path, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, result))

    def reply(self, status, body, result, ctype="text/plain"):
        self.note(result)
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def hang(self):
        self.note("hang")
        threading.Event().wait()

    def do_PUT(self):
        if self.server.hang:
            return self.hang()
        if self.path != "/latest/api/token":
            return self.reply(404, "not found", "404")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(400, "missing TTL", "400 no ttl")
        token = secrets.token_hex(16)
        with self.lock:
            self.tokens.add(token)
        self.reply(200, token, "200 token")

    def do_GET(self):
        if self.server.hang:
            return self.hang()
        if self.path == "/creds":
            return self.container()
        if self.path.startswith(ROLE_PATH):
            return self.imds()
        self.reply(404, "not found", "404")

    def container(self):
        if self.headers.get("Authorization") != self.server.auth:
            return self.reply(401, '{"Message": "bad token"}', "401 auth")
        body = json.dumps(credentials("ASIACONTAINER", "Token"))
        self.reply(200, body, "200 creds", "application/json")

    def imds(self):
        with self.lock:
            ok = self.headers.get("X-aws-ec2-metadata-token") in self.tokens
        if not ok:
            return self.reply(401, "", "401 imdsv1")
        rest = self.path[len(ROLE_PATH):]
        if rest == "":
            return self.reply(200, ROLE + "\n", "200 role")
        if rest != ROLE:
            return self.reply(404, "not found", "404")
        creds = credentials("ASIAIMDS", "Token")
        creds.update(Code="Success", Type="AWS-HMAC")
        self.reply(200, json.dumps(creds), "200 creds", "application/json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--auth", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--hang", action="store_true")
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.auth = args.auth
    server.log_path = args.log
    server.hang = args.hang
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The socket listens already: printing the port says "ready". Then
    # stdout is let go, so the reader of a FIFO can close it.
    print(server.server_address[1], flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    server.serve_forever()


if __name__ == "__main__":
    main()
