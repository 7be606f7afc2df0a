#!/usr/bin/env python3
"""Measures a responder's stateless path (tests/load/charon_receiver.sh): sends COUNT IKE_SA_INIT requests
(copies of one real request, each with its own SPIi, so none carries a cookie) at RATE per second (0 = as fast as
Python can) to a responder that demands cookies, and counts the COOKIE replies and their pace. The request is taken
from `ikesim load` (argv: BIN PROPOSAL); JSON on stdout."""
import argparse
import json
import os
import socket
import subprocess
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--target", default="127.0.0.1")
ap.add_argument("--source", default="127.2.0.1")
ap.add_argument("--count", type=int, default=20000)
ap.add_argument("--rate", type=float, default=0)
ap.add_argument("--proposal", default="aes128gcm16-prfsha256-x25519")
a = ap.parse_args()

# One genuine IKE_SA_INIT request: ikesim load's first datagram, caught on a port of our own (RFC 3948 marker off).
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("127.0.0.1", 0))
sink.settimeout(5)
psk = f"/tmp/cookie_flood_psk.{os.getpid()}"
with open(psk, "w") as f:
    f.write("x")
os.chmod(psk, 0o600)
p = subprocess.Popen([a.bin, "load", "--remote", f"127.0.0.1:{sink.getsockname()[1]}", "--count", "1",
                      "--proposals", a.proposal, "--esp-proposals", "aes128gcm16", "--psk-file", psk, "--id", "rw.example",
                      "--remote-id", "gw.example", "--local-ts", "10.2.0.0/16", "--remote-ts", "10.1.0.0/16",
                      "--timeout", "1", "--quiet", "--no-delete"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
req = sink.recv(65535)
p.wait()
os.unlink(psk)
if req[:4] == b"\0\0\0\0":
    req = req[4:]
req = bytearray(req)

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((a.source, 0))
s.settimeout(2)
# A first request that the responder takes: one half-open SA, so cookie_threshold = 1 is engaged from here on.
req[0:8] = os.urandom(8)
s.sendto(bytes(req), (a.target, 500))
s.recv(65535)
cookies, times = 0, []


def rx():
    global cookies
    while True:
        try:
            d = s.recv(65535)
        except socket.timeout:
            return
        if len(d) > 28 and d[16] == 41 and d[28 + 6:28 + 8] == (16390).to_bytes(2, "big"):  # N(COOKIE)
            cookies += 1
            times.append(time.monotonic())


t = threading.Thread(target=rx)
t.start()
t0 = time.monotonic()
for i in range(a.count):
    req[0:8] = (i + 1).to_bytes(8, "big")
    s.sendto(bytes(req), (a.target, 500))
    if a.rate > 0:
        while time.monotonic() < t0 + (i + 1) / a.rate:
            pass
t1 = time.monotonic()
t.join()
span = times[-1] - times[0] if len(times) > 1 else 0
print(json.dumps({"sent": a.count, "send_s": round(t1 - t0, 4), "cookies": cookies, "reply_span_s": round(span, 4),
                  "cookies_per_s": round(cookies / span, 1) if span else None, "request_bytes": len(req)}))
