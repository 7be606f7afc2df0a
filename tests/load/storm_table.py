#!/usr/bin/env python3
"""Prints docs/load.md's table from charon_storm.sh's OUTDIR: measured (ikesim load against charon) vs simulated
(ikesim run --metrics). Usage: storm_table.py OUTDIR SIM_QUEUE GROUP..."""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


out, queue, groups = sys.argv[1], sys.argv[2], sys.argv[3:]
print("| group | | all established (s) | p50 (s) | p90 (s) | p99 (s) | max (s) | up | retransmissions | gateway drops (charon: its sockets) | gateway CPU (s) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for g in groups:
    real = load(os.path.join(out, f"real-{g}.json"))
    cpu = load(os.path.join(out, f"real-{g}-cpu.json")) or {}
    rows = []
    if real:
        lat = real["latency_ms"]
        r = [real["duration_ms"] / 1e3] + [lat[k] / 1e3 for k in ("p50", "p90", "p99", "max")]
        rows.append(("measured (charon)", r, real["established"], real["retransmissions"],
                     cpu.get("charon_socket_drops", cpu.get("udp_rcvbuf_drops", "")), cpu.get("charon_cpu_s", "")))
    fitted = ""
    try:
        with open(os.path.join(out, f"sim-{g}-fit.receiver")) as f:
            fitted = f.read().strip()
    except OSError:
        pass
    for name, sfx in (("simulated", ""), (f"simulated, queue {queue}", f"-q{queue}"),
                      (f"simulated, receiver {fitted} us (fitted to the drops)", "-fit")):
        sim = load(os.path.join(out, f"sim-{g}{sfx}.json"))
        if not sim:
            continue
        lat = sim["latency"]
        done = (sim.get("recovery") or {}).get("at") or lat["max"]  # the last setup up (starts may be spread)
        s = [done, lat["p50"], lat["p90"], lat["p99"], lat["max"]]
        t = sim["totals"]
        cols = [i for i, c in enumerate(sim["columns"]) if c.startswith("cpu.gw.")]
        iv = sim["meta"]["interval"]
        busy = round(sum(row[i] for row in sim["rows"] for i in cols) * iv, 2)  # utilisation x interval, all cores
        rows.append((name, s, lat["count"], t.get("retransmits", ""), t.get("drops", ""), busy))
    for name, v, up, rt, dr, c in rows:
        print(f"| {g} | {name} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {up} | {rt} | {dr} | {c} |")
    for k in range(1, len(rows)):
        if rows[0][0].startswith("measured"):
            d = [(s - r) / r * 100 if r else 0 for s, r in zip(rows[k][1], rows[0][1])]
            print(f"| {g} | {rows[k][0]} vs measured | " + " | ".join(f"{x:+.0f}%" for x in d) + " | | | | |")
