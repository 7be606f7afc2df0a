#!/usr/bin/env python3
"""The receiver cost (per datagram) at which the simulated storm drops as many datagrams in its receive buffer as
charon's socket did (tests/load/charon_storm.sh): a bisection over storm_scenario.py + `ikesim run`. charon's real
receiver shares two vCPUs with its workers, the load generator and whatever else runs, so its pace in a burst is
far below its cost alone (charon_receiver.sh); this finds the pace the measured drops imply. Prints the cost in us."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--drops", type=int, required=True, help="the measured drops to match")
ap.add_argument("--lo", type=float, default=5.0)
ap.add_argument("--hi", type=float, default=2000.0)
ap.add_argument("--steps", type=int, default=10)
a, rest = ap.parse_known_args()  # the rest goes to storm_scenario.py (--group, --spread, --rcvbuf, ...)
here = os.path.dirname(os.path.abspath(__file__))


def drops(us):
    with tempfile.TemporaryDirectory() as d:
        costs = json.dumps({"base": "charon", "receiver": f"{us:.3f}us"})
        scn = subprocess.run([sys.executable, os.path.join(here, "storm_scenario.py"), "--costs", costs] + rest,
                             check=True, capture_output=True, text=True).stdout
        with open(os.path.join(d, "s.json"), "w") as f:
            f.write(scn)
        subprocess.run([a.bin, "run", os.path.join(d, "s.json"), "--metrics", os.path.join(d, "m.json"), "--quiet"],
                       check=False, capture_output=True)
        with open(os.path.join(d, "m.json")) as f:
            return json.load(f)["totals"].get("drops.cpu.rcvbuf", 0)


lo, hi = a.lo, a.hi
for _ in range(a.steps):  # geometric bisection: drops grow with the cost
    mid = (lo * hi) ** 0.5
    if drops(mid) < a.drops:
        lo = mid
    else:
        hi = mid
print(f"{(lo * hi) ** 0.5:.1f}")
