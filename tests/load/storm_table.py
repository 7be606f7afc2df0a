#!/usr/bin/env python3
"""Prints docs/load.md's table from charon_storm.sh's OUTDIR: measured (ikesim load against charon) vs simulated
(ikesim run --metrics). Usage: storm_table.py OUTDIR GROUP..."""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


out, groups = sys.argv[1], sys.argv[2:]
print("| group | | all established (s) | p50 (s) | p90 (s) | p99 (s) | max (s) | up | retransmissions | charon CPU (s) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for g in groups:
    real = load(os.path.join(out, f"real-{g}.json"))
    cpu = load(os.path.join(out, f"real-{g}-cpu.json")) or {}
    sim = load(os.path.join(out, f"sim-{g}.json"))
    rows = []
    if real:
        lat = real["latency_ms"]
        r = [real["duration_ms"] / 1e3] + [lat[k] / 1e3 for k in ("p50", "p90", "p99", "max")]
        rows.append(("measured", r, real["established"], real["retransmissions"], cpu.get("charon_cpu_s", "")))
    if sim:
        lat = sim["latency"]
        s = [lat["max"], lat["p50"], lat["p90"], lat["p99"], lat["max"]]
        rows.append(("simulated", s, lat["count"],
                     sim["totals"].get("retransmits", ""), ""))
    for name, v, up, rt, c in rows:
        print(f"| {g} | {name} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {up} | {rt} | {c} |")
    if real and sim:
        d = [(s - r) / r * 100 if r else 0 for s, r in zip(rows[1][1], rows[0][1])]
        print(f"| {g} | sim vs real | " + " | ".join(f"{x:+.0f}%" for x in d) + " | | | |")
