#!/usr/bin/env python3
"""A hostile agent: a test script that stands in for a compromised guest.

It serves a channel socket as QEMU does for a VM, answers nfvcapd's sync with
a valid hello (so the channel is up, as with a guest that turned hostile
later), then attacks:

  random       1 MB of random bytes
  huge-line    one 100 MB line without a newline until the end
  flood        10,000 valid statistics messages a second for 2 seconds
  bad-utf8     messages whose strings are not UTF-8
  out-of-range counters and rates outside what the protocol allows
  identity     statistics claiming to come from another VM or monitor
  schema       unknown keys, wrong types, commands a guest may not send

After the attack it sends one valid statistics message with packets=4242 so
the test can see the channel still works, prints "done" and waits.

    hostile_agent.py SOCKET ATTACK
"""

import json
import os
import random
import socket
import sys
import time


def stats(seq, packets, **extra):
    m = {"type": "stats", "seq": seq, "timestamp_ns": time.time_ns(), "interval_ms": 100,
         "capture": {"state": "running", "engine": "afpacket", "device": "eth1"},
         "engine": {"source": "PACKET_STATISTICS", "packets": packets, "bytes": packets * 64,
                    "drops": {"socket_ring_full": 0}, "backlog_bytes": None},
         "nic": None, "rates": {"pps": 10, "bps": 5120, "drop_pps": 0}, "queues": []}
    m.update(extra)
    return m


def line(obj):
    return json.dumps(obj).encode() + b"\n"


def attack_random(c):
    rnd = random.Random(7)
    c.sendall(bytes(rnd.getrandbits(8) for _ in range(1 << 20)))
    c.sendall(b"\n")


def attack_huge_line(c):
    chunk = b"x" * (1 << 20)
    for _ in range(100):
        c.sendall(chunk)
    c.sendall(b"\n")


def attack_flood(c):
    msg = line(stats(1, 1))
    batch = msg * 100
    start = time.monotonic()
    for i in range(200):  # 100 batches of 100 a second, for 2 seconds
        c.sendall(batch)
        delay = start + (i + 1) * 0.01 - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def attack_bad_utf8(c):
    for bad in (b"\xc3\x28", b"\xed\xa0\x80", b"\xfe\xff", b"\x80"):
        text = line(stats(2, 2)).replace(b"PACKET_STATISTICS", b"PACKET" + bad)
        c.sendall(text.replace(b"\xff", b""))  # 0xFF would be a resync, not a string


def attack_out_of_range(c):
    for patch in ({"seq": -1}, {"engine": dict(stats(0, 0)["engine"], packets=-5)},
                  {"engine": dict(stats(0, 0)["engine"], bytes=2 ** 64)},
                  {"rates": {"pps": 10 ** 13, "bps": 0, "drop_pps": 0}},
                  {"queues": [{"queue": 999, "packets": 0, "bytes": 0, "drops": None, "pps": 0,
                               "bps": 0}]}):
        m = stats(3, 3)
        m.update(patch)
        c.sendall(line(m))


def attack_identity(c):
    for key, value in (("vm", "vm-good"), ("monitor", "good"), ("uuid", "0" * 32)):
        c.sendall(line(stats(4, 999999, **{key: value})))


def attack_schema(c):
    c.sendall(line(stats(5, 5, extra="x")))
    c.sendall(line({"type": "start_capture", "id": 1, "engine": "afpacket", "device": "eth0"}))
    c.sendall(line({"type": "stats", "seq": "one"}))
    c.sendall(b"[" * 10000 + b"\n")


ATTACKS = {"random": attack_random, "huge-line": attack_huge_line, "flood": attack_flood,
           "bad-utf8": attack_bad_utf8, "out-of-range": attack_out_of_range,
           "identity": attack_identity, "schema": attack_schema}


def main():
    path, attack = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    srv.bind(path)
    srv.listen(1)
    c, _ = srv.accept()
    buf = b""
    while b"\n" not in buf:
        buf += c.recv(4096)
    sync = json.loads(buf.split(b"\n")[0].lstrip(b"\xff"))
    hello = {"type": "hello", "id": sync["id"], "protocol": 1, "agent": "0.1.0",
             "engines": [{"name": "afpacket", "available": True, "reason": None, "version": None}],
             "devices": [], "capture": {"state": "idle", "engine": None, "device": None},
             "interval_ms": 100}
    c.sendall(b"\xff" + line(hello))
    time.sleep(0.2)
    ATTACKS[attack](c)
    # Let the rate limiter refill before the proof of life.
    time.sleep(1.2)
    c.sendall(b"\xff" + line(stats(6, 4242)))
    print("done", flush=True)
    while True:
        data = c.recv(65536)  # read and ignore commands until nfvcapd hangs up
        if not data:
            break


if __name__ == "__main__":
    main()
