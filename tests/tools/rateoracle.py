#!/usr/bin/env python3
"""Check cwdemux's request budget (src/budget.c, driven by ratetrace).

usage: rateoracle.py RATETRACE oracle|quota|recover

oracle   botocore's adaptive mode (ClientRateLimiter with its TokenBucket,
         CubicCalculator and RateClocker, on a fake clock) and the budget
         undamped without a ceiling are fed the same random answers; the
         fill rate must be botocore's after every answer.
quota    a simulated CloudWatch with a 5/s quota (a token bucket of burst 5,
         as faultproxy's --rate) plus 10% random throttling, 120 s of calls
         sent whenever the budget allows (ceiling 25, damped): after
         the first 10 s the accepted calls reach >= 80% of the quota, and the
         calls sent stay within 1.5x the quota over every 10 s.
recover  the quota (5/s) is lifted after 60 s: within 60 s more the budget
         is back at its ceiling (25/s), and it never goes above it.
Exit status 0 when the check holds; a sentence on stderr otherwise.
"""
import random
import subprocess
import sys

from botocore.retries import adaptive, bucket, throttling


class FakeClock(bucket.Clock):
    def __init__(self, t):
        self.t = t

    def sleep(self, amount):
        self.t += amount

    def current_time(self):
        return self.t


class Detector:
    """Stands for botocore's ThrottlingErrorDetector: the trace says."""

    def is_throttling_error(self, **kwargs):
        return kwargs["throttled"]


class Trace:
    """ratetrace as a coprocess, one line at a time."""

    def __init__(self, exe, ceiling, damped, start_ms):
        self.p = subprocess.Popen([exe, str(ceiling), str(damped), str(start_ms)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().split()

    def answer(self, ms, throttled):
        fill, rate, measured = map(float, self.ask("answer %d %d" % (ms, throttled)))
        return fill, rate, measured

    def take(self, ms):
        r = self.ask("take %d" % ms)
        return (True, None) if r[0] == "1" else (False, int(r[1]))

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait()
        if rc != 0:
            raise SystemExit("ratetrace exited %d" % rc)


def oracle(exe):
    for seed in range(5):
        rng = random.Random(seed)
        start_ms = 1_700_000_000_000 + rng.randrange(1000)
        clock = FakeClock(start_ms / 1000.0)
        limiter = adaptive.ClientRateLimiter(
            rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time()),
            rate_clocker=adaptive.RateClocker(clock),
            token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
            throttling_detector=Detector(), clock=clock)
        ours = Trace(exe, 1e9, 0, start_ms)
        ms = start_ms
        p_throttle = 0.0
        for i in range(1500):
            if i % 100 == 0:
                p_throttle = rng.choice([0.0, 0.0, 0.05, 0.3, 0.8])
            ms += rng.choice([1, 20, 80, 150, 400, 700, 1300, 3000])
            thr = rng.random() < p_throttle
            clock.t = ms / 1000.0
            limiter.on_receiving_response(throttled=thr)
            want = limiter._token_bucket.max_rate
            fill, _, _ = ours.answer(ms, thr)
            if abs(fill - want) > 1e-9 * max(1.0, abs(want)):
                sys.exit("seed %d answer %d at %d ms (throttled %s): rate %.12g, botocore %.12g"
                         % (seed, i, ms, thr, fill, want))
        ours.close()
    print("5 traces of 1500 answers: the rate equals botocore's after every answer")


def simulate(exe, quota_until_ms, total_ms, noise):
    """Calls go whenever the budget allows; answers come 50 ms later. The
    server throttles above a 5/s token bucket (burst 5) until quota_until_ms,
    and at random with probability noise meanwhile. Returns per-call records
    (send ms, throttled) and the rates after each answer."""
    rng = random.Random(7)
    ours = Trace(exe, 25, 1, 0)
    tokens, filled = 5.0, 0
    sent, rates, pending = [], [], []
    now = 0
    while now < total_ms:
        ok, deadline = ours.take(now)
        if ok:
            tokens = min(5.0, tokens + (now - filled) / 1000.0 * 5)
            filled = now
            thr = False
            if now < quota_until_ms:
                if tokens >= 1:
                    tokens -= 1
                else:
                    thr = True
                thr = thr or rng.random() < noise
            sent.append((now, thr))
            pending.append((now + 50, thr))
            continue
        nxt = min([deadline] + [t for t, _ in pending])
        for t, thr in sorted(pending):
            if t <= nxt:
                rates.append((t, ours.answer(t, thr)[1]))
        pending = [(t, thr) for t, thr in pending if t > nxt]
        now = max(nxt, now + 1)
    ours.close()
    return sent, rates


def quota(exe):
    sent, _ = simulate(exe, 120_000, 120_000, 0.10)
    accepted = sum(1 for t, thr in sent if t >= 10_000 and not thr)
    share = accepted / 110.0 / 5
    if share < 0.8:
        sys.exit("the accepted calls reached %.0f%% of the 5/s quota (want >= 80%%)" % (share * 100))
    worst = 0
    for w in range(10_000, 120_000, 10_000):
        n = sum(1 for t, _ in sent if w <= t < w + 10_000)
        worst = max(worst, n / 10.0)
    if worst > 7.5:
        sys.exit("%.1f calls a second sent in one 10 s window (quota 5/s, want <= 7.5)" % worst)
    print("quota 5/s plus 10%% throttling: %.0f%% of the quota used, at most %.1f calls/s sent"
          % (share * 100, worst))


def recover(exe):
    _, rates = simulate(exe, 60_000, 130_000, 0.0)
    top = max(r for _, r in rates)
    if top > 25 + 1e-9:
        sys.exit("the rate went to %.2f, above its ceiling 25" % top)
    back = [t for t, r in rates if t >= 60_000 and r >= 25 - 1e-9]
    if not back or back[0] > 120_000:
        sys.exit("the rate was not back at its ceiling 60 s after the quota lifted")
    print("back at the ceiling %.0f s after throttling stopped" % ((back[0] - 60_000) / 1000.0))


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("oracle", "quota", "recover"):
        sys.exit(__doc__)
    {"oracle": oracle, "quota": quota, "recover": recover}[sys.argv[2]](sys.argv[1])


if __name__ == "__main__":
    main()
