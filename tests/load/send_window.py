#!/usr/bin/env python3
"""How long `ikesim load` takes to send the first IKE_SA_INIT of COUNT setups started at once (its own DH key
generation sets the pace): it runs the load against a socket here that never answers and prints the seconds from
the first request to the last one. tests/load/charon_storm.sh spreads the simulated burst over this window."""
import argparse
import os
import socket
import subprocess
import time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--count", type=int, default=2000)
ap.add_argument("--proposal", required=True)
ap.add_argument("--local", required=True, help="the address range the real run uses")
ap.add_argument("--psk-file", required=True)
a = ap.parse_args()
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)  # up to rmem_max: none of the burst may be lost here
r.bind(("127.0.0.1", 0))
p = subprocess.Popen([a.bin, "load", "--remote", f"127.0.0.1:{r.getsockname()[1]}", "--count", str(a.count),
                      "--local", a.local, "--ports", "40000-40000", "--proposals", a.proposal,
                      "--esp-proposals", "aes128gcm16", "--local-id-pattern", "rw%u.example", "--remote-id", "gw.example",
                      "--local-ts", "10.2.0.0/16", "--remote-ts", "10.1.0.0/16", "--psk-file", a.psk_file,
                      "--retransmit", "60,1.8,1", "--timeout", "3", "--quiet", "--no-delete"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r.settimeout(10)
times = []
try:
    while len(times) < a.count:
        r.recv(65535)
        times.append(time.monotonic())
        r.settimeout(2)
except socket.timeout:
    pass
p.kill()
p.wait()
print(f"{times[-1] - times[0]:.4f}" if len(times) > 1 else "0")
