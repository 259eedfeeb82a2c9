#!/usr/bin/env python3
"""Turn the reference sample host logs into the on-disk tree genjob.py writes.

Input: one "<algo-N>.tsv" file per host, one CloudWatch event a line,
"<epoch-ms>\\t<message>", where the message writes newline, tab and backslash as
\\n, \\t and \\\\ (the convention of /work/shared/reference/samples).

Output, in OUTDIR: the streams "<job>/algo-N-<epoch>" (epoch = the first event's
second, which gives algo-1-1717243528, algo-2-1717243536 and algo-3-1717243530 for
the reference samples) in the export or plain layout, and truth.json plus
truth.events.jsonl in genjob.py's formats.  The truth is read from the samples'
own SM_INSTANCE_GROUPS_DICT line; a host that no dict lists is "unassigned".
"""

import argparse
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # keep tests/tools free of __pycache__
from genjob import PART_EVENTS, truth_prefix, write_stream, write_truth  # noqa: E402

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "samples")
DEFAULT_JOB = "hetero-pt-2024-06-01-12-00-00-123"
HOST_FILE_RE = re.compile(r"(algo-[1-9][0-9]*)\.tsv\Z")
ESCAPES = {b"n": b"\n", b"t": b"\t", b"\\": b"\\"}
GROUPS_DICT = b"SM_INSTANCE_GROUPS_DICT="


def unescape(text, where):
    """Decode \\n, \\t and \\\\; any other backslash sequence is an error."""
    def sub(m):
        if m.group(1) not in ESCAPES:
            raise ValueError("%s: bad escape \\%s" % (where, m.group(1).decode("latin-1")))
        return ESCAPES[m.group(1)]
    return re.sub(rb"\\(.?)", sub, text, flags=re.S)


def read_tsv(path):
    """[(timestamp_ms, message bytes)] of one sample file."""
    events = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            where = "%s line %d" % (path, n)
            ts, tab, msg = line.rstrip(b"\n").partition(b"\t")
            if not tab or not ts.isdigit():
                raise ValueError("%s: not <epoch-ms>TAB<message>" % where)
            events.append((int(ts), unescape(msg, where)))
    if not events:
        raise ValueError("%s: no events" % path)
    return events


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Convert sample host logs (algo-N.tsv) into a CloudWatch log tree "
                    "with truth.json, as genjob.py writes.")
    ap.add_argument("outdir", metavar="OUTDIR")
    ap.add_argument("samples", metavar="TSV", nargs="*",
                    default=[os.path.join(SAMPLES, "algo-%d.tsv" % i) for i in (1, 2, 3)],
                    help="algo-N.tsv files (default: the three reference samples)")
    ap.add_argument("--job", default=DEFAULT_JOB, help="job name (default: %(default)s)")
    ap.add_argument("--layout", choices=("export", "plain"), default="export",
                    help="export: <stream>/000000.gz ... parts; plain: one file per stream "
                         "(default: %(default)s)")
    ap.add_argument("--gzip", action="store_true",
                    help="gzip plain-layout files (.gz); export parts are always gzipped")
    args = ap.parse_args(argv)

    streams = {}
    for path in args.samples:
        m = HOST_FILE_RE.search(os.path.basename(path))
        if not m:
            ap.error("%s: the file name must be algo-N.tsv" % path)
        try:
            events = read_tsv(path)
        except (OSError, ValueError) as e:
            ap.error(str(e))
        host = m.group(1)
        stream = "%s/%s-%d" % (args.job, host, events[0][0] // 1000)
        if stream in streams:
            ap.error("%s: stream %s given twice" % (path, stream))
        streams[stream] = (host, events)
    if os.path.exists(os.path.join(args.outdir, args.job)):
        ap.error("%s already exists" % os.path.join(args.outdir, args.job))

    groups = {}
    for _, events in streams.values():
        for _, msg in events:
            if msg.startswith(GROUPS_DICT):
                for name, group in json.loads(msg[len(GROUPS_DICT):]).items():
                    groups.setdefault(name, {"instance_type": group["instance_type"],
                                             "hosts": group["hosts"]})
    group_of = {h: g for g, obj in groups.items() for h in obj["hosts"]}
    hosts = sorted({host for host, _ in streams.values()}, key=lambda h: int(h[5:]))

    n_events = n_lines = 0
    for stream in sorted(streams):
        host, events = streams[stream]
        prefix = truth_prefix(stream, host, group_of.get(host, "unassigned"))
        e, n = write_stream(args.outdir, stream, events, args.layout, args.gzip, PART_EVENTS,
                            jsonl_prefix=prefix)
        n_events += e
        n_lines += n
    truth = {
        "job": args.job,
        "groups": groups,
        "hosts": {h: group_of.get(h, "unassigned") for h in hosts},
        "streams": {s: streams[s][0] for s in sorted(streams)},
        "events": n_events,
        "lines": n_lines,
        "scenario": {"source": [os.path.abspath(p) for p in args.samples],
                     "layout": args.layout},
    }
    write_truth(args.outdir, truth, list(streams))
    return 0


if __name__ == "__main__":
    sys.exit(main())
