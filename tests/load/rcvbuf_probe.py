#!/usr/bin/env python3
"""How many bytes Linux charges a UDP socket per datagram (skb truesize) over loopback, by payload size: a socket
nobody reads holds floor(rcvbuf / truesize) of them. The basis of netsim/run_rx.c's sim_rx_truesize (docs/cpu.md).
No root needed. Prints each payload size where the charge changes, and the truesize it implies."""
import socket


def held(payload, rcvbuf_set=None):
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if rcvbuf_set:
        r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf_set)
    r.bind(("127.0.0.1", 0))
    rcvbuf = r.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(600):
        s.sendto(b"x" * payload, r.getsockname())
    r.setblocking(False)
    n = 0
    try:
        while True:
            r.recv(65535)
            n += 1
    except BlockingIOError:
        pass
    r.close()
    s.close()
    return n, rcvbuf


prev = None
for size in list(range(0, 200)) + list(range(200, 1700, 2)) + [2000, 3000, 4000]:
    n, rcvbuf = held(size)
    if n != prev:
        print(f"payload {size:5d}: {n} held in {rcvbuf} bytes -> truesize ~{rcvbuf // n}")
        prev = n
n, rcvbuf = held(3000, 1)
print(f"a {rcvbuf}-byte buffer (the least) holds {n} datagram(s) of 3000 bytes: an empty buffer takes one")
