#!/usr/bin/env python3
"""Run one command and say what it cost.

    measure.py OUT CMD [ARG...]

Runs CMD with its standard output to the file OUT (standard error passes
through) and prints one line: "WALL CPU MAXRSS STATUS" -- wall seconds,
user+system CPU seconds of CMD and every process it waited for, the peak
resident set in KiB of the largest of them, and the exit status. Taken
from wait4(), so a shell loop of many short processes counts them all.
"""

import os
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: measure.py OUT CMD [ARG...]\n")
        return 2
    with open(sys.argv[1], "wb") as out:
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(out.fileno(), 1)
                os.execvp(sys.argv[2], sys.argv[2:])
            finally:
                os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        wall = time.monotonic() - start
    print("%.3f %.3f %d %d" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss,
                               os.waitstatus_to_exitcode(status)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
