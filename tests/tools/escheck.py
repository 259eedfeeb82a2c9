#!/usr/bin/env python3
"""escheck.py - random event streams, decoded by botocore, as the oracle
for the C decoder (tests/tools/esdump.c).

    escheck.py FIRST LAST DIR     for each seed FIRST..LAST, write a random
                                  stream to DIR/SEED.bin and botocore's
                                  decoding of it (esdump's form) to
                                  DIR/SEED.want

A stream holds 1 to 40 messages with 0 to 6 headers of every type and
payloads of 0 to 3,000 bytes.  Seeds divisible by 3 break one message: a
flipped bit anywhere, or a header name repeated (with right CRCs); seeds
divisible by 5 cut the stream short.  The encoder is checked too: botocore
must decode every message it makes to the values it was given.
"""
import random
import struct
import sys
import zlib

from botocore.eventstream import EventStreamBuffer


def value_bytes(t, v):
    if t in (0, 1):
        return b""
    if t == 2:
        return struct.pack(">b", v)
    if t == 3:
        return struct.pack(">h", v)
    if t == 4:
        return struct.pack(">i", v)
    if t in (5, 8):
        return struct.pack(">q", v)
    if t in (6, 7):
        return struct.pack(">H", len(v)) + v
    return v                                    # 9: 16 bytes


def encode(headers, payload):
    h = b"".join(bytes([len(n)]) + n + bytes([t]) + value_bytes(t, v)
                 for n, t, v in headers)
    total = 16 + len(h) + len(payload)
    pre = struct.pack(">II", total, len(h))
    pre += struct.pack(">I", zlib.crc32(pre))
    body = pre + h + payload
    return body + struct.pack(">I", zlib.crc32(body))


def random_header(rng, i):
    t = rng.randrange(10)
    name = ("h%d-" % i).encode() + bytes(rng.choice(b"abcxyz:-") for _ in range(rng.randrange(8)))
    v = None
    if t == 2:
        v = rng.randrange(-128, 128)
    elif t == 3:
        v = rng.randrange(-2**15, 2**15)
    elif t == 4:
        v = rng.randrange(-2**31, 2**31)
    elif t in (5, 8):
        v = rng.randrange(-2**63, 2**63) if t == 5 else rng.randrange(0, 2**45)
    elif t == 6:
        v = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
    elif t == 7:
        v = "".join(rng.choice("ab é✓\u00ff") for _ in range(rng.randrange(20))).encode()
    elif t == 9:
        v = bytes(rng.randrange(256) for _ in range(16))
    return name, t, v


def form(headers, payload):
    """One line as esdump prints it."""
    out = []
    for name, v in headers.items():
        if isinstance(v, bool):
            out.append("%s=b:%d" % (name, v))
        elif isinstance(v, int):
            out.append("%s=i:%d" % (name, v))
        elif isinstance(v, bytes):
            out.append("%s=x:%s" % (name, v.hex()))
        else:
            out.append("%s=s:%s" % (name, v.encode().hex()))
    return "".join(o + " " for o in out) + "| " + payload.hex()


def make(seed, path, want_path):
    rng = random.Random(seed)
    msgs = []
    for _ in range(rng.randint(1, 40)):
        headers = [random_header(rng, i) for i in range(rng.randint(0, 6))]
        payload = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 50, rng.randrange(3000)))))
        msgs.append((headers, payload))
    frames = [encode(h, p) for h, p in msgs]
    # The encoder against botocore, message by message.
    for (headers, payload), f in zip(msgs, frames):
        b = EventStreamBuffer()
        b.add_data(f)
        (m,) = list(b)
        got = m.headers
        want = {n.decode(): (bool(t == 0) if t in (0, 1) else
                             v.decode() if t == 7 else v) for n, t, v in headers}
        if got != want or m.payload != payload:
            sys.exit("escheck: botocore decodes the encoder's message differently:"
                     " %r != %r" % (got, want))
    if seed % 3 == 0:
        k = rng.randrange(len(frames))
        if rng.random() < 0.5 or not msgs[k][0]:
            f = bytearray(frames[k])
            i = rng.randrange(len(f))
            f[i] ^= 1 << rng.randrange(8)
            frames[k] = bytes(f)
        else:
            h = msgs[k][0]
            frames[k] = encode(h + [h[0]], msgs[k][1])
    data = b"".join(frames)
    if seed % 5 == 0:
        data = data[:rng.randrange(len(data))]
    with open(path, "wb") as fh:
        fh.write(data)
    b = EventStreamBuffer()
    b.add_data(data)
    n = 0
    lines = []
    it = iter(b)
    while True:
        try:
            m = next(it)
        except StopIteration:
            break
        except Exception:               # ChecksumMismatch, DuplicateHeader...
            lines.append("error after %d messages" % n)
            break
        lines.append(form(m.headers, m.payload))
        n += 1
    # botocore keeps the bytes of a message begun and not ended.
    if (not lines or not lines[-1].startswith("error")) and b._data:
        lines.append("truncated after %d messages" % n)
    with open(want_path, "w") as fh:
        fh.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: escheck.py FIRST LAST DIR")
    for n in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
        make(n, "%s/%d.bin" % (sys.argv[3], n), "%s/%d.want" % (sys.argv[3], n))
