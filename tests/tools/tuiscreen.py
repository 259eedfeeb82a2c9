#!/usr/bin/env python3
"""The Python side of tests/integ/tui.sh: checks of a captured tmux screen
and the inputs the UI tests write. One subcommand per job:

  sgr-only            stdin (capture-pane -e): fails on any escape but SGR
  no-color            stdin (capture-pane -e): fails on any colour attribute
  highlighted         stdin (capture-pane -e): the log rows (starting with a
                      mark) whose last character is highlighted (reverse,
                      or a red background): the error a key jumped to
  cols MODE ... FILE  columns of a captured screen as a terminal counts them
                      (wide characters 2, combining ones 0); MODE aligned,
                      width N or long
  fail-truth TRUTH SUMMARY
                      shell assignments of a failing job's first failure
                      (FJOB FHOST FGROUP FTIME FSUM, the summary's first 40
                      bytes) and of the --summary table's counts (ERR_group,
                      WARN_group)
  json-get FILE KEY   a top-level string of a JSON file
  prepend FILE LINE   puts LINE before the first line of a log file
  hostile FILE        appends genjob's hostile lines to a plain log file
  wide FILE           writes the wide and combining characters' log file
  held-stream URL     puts a stream whose host names no group into moto
  crlf URL            puts job crlf-job's events that end in CR LF into moto
"""
import json
import re
import shlex
import sys
import time
import unicodedata


def sgr_only(args):
    data = sys.stdin.buffer.read()
    left = re.sub(rb"\x1b\[[0-9;:]*m", b"", data)
    bad = [m.start() for m in re.finditer(rb"[\x00-\x08\x0b-\x1f\x7f]", left)]
    if bad:
        print("escapes other than SGR at", bad[:5],
              repr(left[bad[0] - 20:bad[0] + 20]))
        return 1
    return 0


def no_color(args):
    for m in re.finditer(rb"\x1b\[([0-9;:]*)m", sys.stdin.buffer.read()):
        for p in m.group(1).split(b";"):
            if p.startswith(b"38") or p.startswith(b"48") or (
                    len(p) == 2 and p[:1] in b"349" and p[1:] in b"01234567"):
                print("colour", m.group(0))
                return 1
    return 0


def highlighted(args):
    for row in sys.stdin.read().split("\n"):
        rev = red = False
        text, hi = "", []
        for m in re.finditer(r"\x1b\[([0-9;:]*)m|([^\x1b])", row):
            if m.group(2) is not None:
                text += m.group(2)
                hi.append(rev or red)
                continue
            ps = m.group(1).split(";") if m.group(1) else ["0"]
            for p in ps:
                if p in ("", "0"):
                    rev = red = False
                elif p == "7":
                    rev = True
                elif p == "27":
                    rev = False
                elif p == "41":
                    red = True
                elif re.fullmatch(r"4[0-9]", p):
                    red = False
        end = len(text.rstrip())
        if end > 0 and text[:1] in "!|~" and hi[end - 1]:
            print(text.rstrip())
    return 0


def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def cols(args):
    mode, args = args[0], args[1:]
    rows = open(args[-1], encoding="utf-8").read().split("\n")
    if mode == "aligned":
        ends = {}
        for r in rows:
            for n in range(6):
                if r.startswith("j/algo-1-1 w%d " % n) and "|END" in r:
                    ends[n] = width(r[:r.index("|END")])
        print(ends)
        return 0 if len(ends) == 6 and len(set(ends.values())) == 1 else 1
    if mode == "width":
        bad = [r for r in rows if width(r) > int(args[0])]
        print(bad)
        return 1 if bad else 0
    if mode == "long":
        i = [k for k, r in enumerate(rows) if r.startswith("j/algo-1-1 long ")][0]
        got = ""
        for r in rows[i:]:
            got += r.rstrip()
            if "|END" in r:
                break
        print(got.count("\u6f22"), len(rows[i:]))
        return 0 if got.count("\u6f22") == 150 and got.endswith("|END") else 1
    print("cols: unknown mode", mode, file=sys.stderr)
    return 2


def fail_truth(args):
    t = json.load(open(args[0]))
    f = t["scenario"]["fail"]
    ms = f["timestamp"]
    out = {"FJOB": t["job"], "FHOST": f["host"], "FGROUP": f["group"],
           "FTIME": time.strftime("%H:%M:%S", time.gmtime(ms // 1000)) +
           ".%03d" % (ms % 1000),
           "FSUM": f["summary"][:40]}
    for line in open(args[1]):
        w = line.split()
        if len(w) >= 5 and w[1].isdigit() and w[4].isdigit():
            out["ERR_" + w[0]] = w[4]
            out["WARN_" + w[0]] = w[3]
    for k, v in out.items():
        print("%s=%s" % (k, shlex.quote(str(v))))
    return 0


def json_get(args):
    print(json.load(open(args[0]))[args[1]])
    return 0


def prepend(args):
    data = open(args[0], "rb").read()
    with open(args[0], "wb") as f:
        f.write(args[1].encode() + b"\n" + data)
    return 0


def hostile(args):
    import genjob
    with open(args[0], "ab") as out:
        for i, line in enumerate(genjob.HOSTILE_LINES):
            out.write(b"2024-06-01T13:00:%02d.000Z " % i + (line % i) + b"\n")
    return 0


def wide(args):
    lines = ["SM_CURRENT_INSTANCE_GROUP=g",
             "w0 abcdefghij|END",
             "w1 \u65e5\u672c\u8a9e\u30c6\u30ad|END",
             "w2 \U0001F600\U0001F389ab\u65e5\u672c|END",
             "w3 e\u0301e\u0301e\u0301e\u0301e\u0301abcde|END",
             "w4 a\u0300\u0301\u0302bcdefghij|END",
             "w5 \uac00\ub098\ub2e4\ub77c\ub9c8|END",
             "cut " + "x" * 104 + "\u65e5\u672c\u8a9e|END",
             "long " + "\u6f22" * 150 + "|END"]
    with open(args[0], "w", encoding="utf-8") as f:
        for i, l in enumerate(lines):
            f.write("2024-06-01T00:00:%02d.000Z %s\n" % (i, l))
    return 0


def held_stream(args):
    import boto3
    c = boto3.client("logs", endpoint_url=args[0], region_name="us-east-1",
                     aws_access_key_id="testing",
                     aws_secret_access_key="testing")
    g, s = "/aws/sagemaker/TrainingJobs", "live/algo-9-1700000000"
    c.create_log_stream(logGroupName=g, logStreamName=s)
    c.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
        {"timestamp": int(time.time() * 1000), "message": "no group said here"}])
    return 0


def crlf(args):
    """As inputs.sh's: CR LF, a lone CR at the end, CR LF between lines."""
    import boto3
    c = boto3.client("logs", endpoint_url=args[0], region_name="us-east-1",
                     aws_access_key_id="testing",
                     aws_secret_access_key="testing")
    g, s = "/aws/sagemaker/TrainingJobs", "crlf-job/algo-1-1700000000"
    try:
        c.create_log_group(logGroupName=g)
    except c.exceptions.ResourceAlreadyExistsException:
        pass
    c.create_log_stream(logGroupName=g, logStreamName=s)
    now = int(time.time() * 1000) - 10000
    msgs = ["SM_CURRENT_INSTANCE_GROUP=eval_group\r\n", "loss 1\r\n",
            "loss 2\r", "two\r\nlines\r\n", "plain"]
    c.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
        {"timestamp": now + i, "message": m} for i, m in enumerate(msgs)])
    return 0


COMMANDS = {"sgr-only": sgr_only, "no-color": no_color,
            "highlighted": highlighted, "cols": cols,
            "fail-truth": fail_truth, "json-get": json_get,
            "prepend": prepend,
            "hostile": hostile, "wide": wide, "held-stream": held_stream,
            "crlf": crlf}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
