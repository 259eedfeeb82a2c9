#!/usr/bin/env python3
"""Extract the examples of a man page or a README, so that a test runs them.

    docexamples.py FILE OUTDIR

FILE is an mdoc page (its EXAMPLES section) or a Markdown file.  Every
example is marked just before its block, in a comment the reader does not see:

    mdoc                               Markdown
    .\\" example: STATUS [TEXT]         <!-- example: STATUS [TEXT] -->
    .Bd -literal -offset indent        ```sh
    cwdemux --from logs/ JOB | head    cwdemux --from logs/ JOB | head
    .Ed                                ```

"example" blocks are shell commands: run them, expect exit status STATUS and,
when given, the fixed string TEXT in what they print (stdout and stderr).
"file: NAME" blocks are written to the file NAME before the commands run.
In mdoc, every literal block of EXAMPLES must be marked; in Markdown, every
```sh block (other blocks are shown, not run), so no example goes untested.

Writes OUTDIR/NNN.sh (the command), OUTDIR/NNN.status, OUTDIR/NNN.text,
OUTDIR/NNN.where ("FILE line N") in order, and OUTDIR/files/NAME.  Exits 1
with a message naming the line on an unmarked or badly marked block.
"""

import os
import re
import sys

MARK = re.compile(r"^(example|file):\s*(.*?)\s*$")


def unroff(line):
    """The text an mdoc literal line shows."""
    line = line.replace("\\e", "\0")
    line = re.sub(r"\\\((dq|aq)", lambda m: '"' if m.group(1) == "dq" else "'", line)
    line = line.replace("\\&", "").replace("\\-", "-")
    return line.replace("\0", "\\")


def from_mdoc(lines):
    """(line number, mark, block text) of the literal blocks of EXAMPLES."""
    out = []
    section = None
    mark = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(".Sh "):
            section = line[4:].strip()
        elif section == "EXAMPLES" and line.startswith('.\\" '):
            m = MARK.match(line[4:])
            if m:
                mark = (i + 1, m)
        elif section == "EXAMPLES" and line.startswith(".Bd -literal"):
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith(".Ed"):
                body.append(unroff(lines[i]))
                i += 1
            if mark is None or mark[0] != start - 1:
                raise ValueError("line %d: a literal block of EXAMPLES without "
                                 "an example: or file: comment before it" % start)
            out.append((start, mark[1], "\n".join(body) + "\n"))
            mark = None
        i += 1
    return out


def from_markdown(lines):
    """(line number, mark, block text) of the marked fenced blocks."""
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            start = i + 1
            info = line[3:].strip()
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            prev = lines[start - 2].strip() if start >= 2 else ""
            m = re.match(r"^<!--\s*(.*?)\s*-->$", prev)
            m = MARK.match(m.group(1)) if m else None
            if info == "sh" and m is None:
                raise ValueError("line %d: a ```sh block without an <!-- example: --> "
                                 "or <!-- file: --> comment before it" % start)
            if m is not None:
                out.append((start, m, "\n".join(body) + "\n"))
        i += 1
    return out


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: docexamples.py FILE OUTDIR\n")
        return 2
    path, outdir = sys.argv[1:]
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    try:
        blocks = (from_markdown if path.endswith(".md") else from_mdoc)(lines)
    except ValueError as e:
        sys.stderr.write("docexamples: %s %s\n" % (path, e))
        return 1
    os.makedirs(os.path.join(outdir, "files"), exist_ok=True)
    n = 0
    for lineno, m, text in blocks:
        kind, arg = m.group(1), m.group(2)
        if kind == "file":
            if not re.match(r"^[A-Za-z0-9_.-]+$", arg):
                sys.stderr.write("docexamples: %s line %d: bad file name %r\n"
                                 % (path, lineno, arg))
                return 1
            with open(os.path.join(outdir, "files", arg), "w") as f:
                f.write(text)
            continue
        status, _, want = arg.partition(" ")
        if not status.isdigit():
            sys.stderr.write("docexamples: %s line %d: example: wants a status first\n"
                             % (path, lineno))
            return 1
        n += 1
        base = os.path.join(outdir, "%03d" % n)
        for ext, data in (("sh", text), ("status", status + "\n"), ("text", want),
                          ("where", "%s line %d\n" % (path, lineno))):
            with open(base + "." + ext, "w") as f:
                f.write(data)
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
