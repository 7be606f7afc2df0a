#!/usr/bin/env python3
"""The simulator's side of tests/load/charon_storm.sh: COUNT road warriors start at once against one gateway with
charon's cost table on CORES workers and strongSwan's overload defaults (profile "strongswan"). JSON on stdout."""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("--count", type=int, default=2000)
ap.add_argument("--group", default="x25519")
ap.add_argument("--cores", type=int, default=2)
ap.add_argument("--costs", default="charon", help="a built-in table name, or a JSON object")
ap.add_argument("--queue", type=int, default=0, help="the gateway's bounded input queue (jobs), 0 = none")
ap.add_argument("--rate", type=float, default=0, help="starts per second (uniform window), 0 = all at once")
ap.add_argument("--latency", default="20us", help="one way, member to gateway (loopback: tens of us)")
ap.add_argument("--spread", type=float, default=0,
                help="seconds over which the burst's first IKE_SA_INITs leave (uniform): the load generator's own pace")
ap.add_argument("--rcvbuf", type=int, default=212992,
                help="the gateway's UDP receive buffer in bytes (net.core.rmem_default), 0 = none (no receiver thread)")
a = ap.parse_args()
costs = json.loads(a.costs) if a.costs.startswith("{") else a.costs
ike = "aes128gcm16-prfsha256-" + a.group
scn = {
    "description": f"charon_storm: {a.count} initiators at once against a {a.cores}-core gateway with the "
                   f"charon cost table, {a.group} (tests/load/storm_scenario.py)",
    "seed": 1,
    "duration": "200s",
    "metrics": {"interval": "1s"},
    "nodes": [{"name": "gw", "addresses": ["198.51.100.1"], "profile": "strongswan",
               "cpu": dict({"cores": a.cores, "costs": costs, "queue": a.queue},
                           **({"rcvbuf": a.rcvbuf} if a.rcvbuf else {}))}],
    "populations": [{
        "name": "rw", "count": a.count, "addresses": "100.64.0.1",
        "link": {"to": "gw", "latency": a.latency},
        "start": {"uniform": {"from": "0s", "to": f"{a.count / a.rate:.6f}s"}} if a.rate > 0 else
                 {"uniform": {"from": "0s", "to": f"{a.spread:.6f}s"}} if a.spread > 0 else "0s",
        "profile": "strongswan",
        "connection": {"remote_node": "gw", "auth": {"psk": "load storm key"}, "remote_id": "gw.example",
                       "ike": ike, "esp": "aes128gcm16", "remote_ts": ["10.0.0.0/16"]}}],
    "connections": [{"name": "rw", "node": "gw", "remote": "0.0.0.0", "auth": {"psk": "load storm key"},
                     "local_id": "gw.example", "ike": ike, "esp": "aes128gcm16",
                     "local_ts": ["10.0.0.0/16"], "remote_ts": ["100.64.0.0/10"]}],
}
print(json.dumps(scn, indent=1))
