#!/usr/bin/env python3
"""Did a client keep within a request rate? Reads faultproxy.py's request log.

    ratecheck.py LOG OPERATION CEILING [WINDOW]

Every request of OPERATION the proxy saw counts, answered or throttled
(retries too). A token bucket of CEILING calls a second holding at most
max(CEILING, 1) tokens lets through at most CEILING * WINDOW + max(CEILING, 1)
calls in any WINDOW seconds (5 unless given); two more are allowed for the
proxy's log times (a forwarded call is logged when its answer comes, a
throttled one at once). Prints the busiest window and the mean rate; exits 1
when the busiest window is over the bound, or when there were too few
requests to say anything.
"""

import datetime
import sys


def stamps(path, op):
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or parts[1] != op:
                continue
            t = datetime.datetime.strptime(parts[0], "%Y-%m-%dT%H:%M:%S.%fZ")
            out.append(t.timestamp())
    return sorted(out)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    path, op, ceiling = sys.argv[1], sys.argv[2], float(sys.argv[3])
    window = float(sys.argv[4]) if len(sys.argv) == 5 else 5.0
    t = stamps(path, op)
    if len(t) < 2 * ceiling * window:
        print("only %d %s requests: too few to judge the rate" % (len(t), op))
        return 1
    busiest, j = 0, 0
    for i in range(len(t)):
        while t[i] - t[j] > window:
            j += 1
        busiest = max(busiest, i - j + 1)
    bound = ceiling * window + max(ceiling, 1) + 2
    mean = (len(t) - 1) / (t[-1] - t[0]) if t[-1] > t[0] else float("inf")
    print("%d %s requests, %.2f a second; busiest %g s: %d (at most %d)"
          % (len(t), op, mean, window, busiest, bound))
    return 0 if busiest <= bound else 1


if __name__ == "__main__":
    sys.exit(main())
