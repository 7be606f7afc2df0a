#!/usr/bin/env python3
"""Writes tests/scenarios/cpu_*.json: road warriors against a gateway whose crypto costs virtual time (docs/cpu.md).

Run from the top of the repository: python3 tests/scenarios/gen/cpu_storm.py
The files are committed; rerun after editing this script. Expectations were read off runs and checked
against the arithmetic in each description.
"""
import json

PSK = {"psk": "cpu storm key"}


def scenario(name, desc, n, group, cpu, duration, expect, seed=3, client_profile=None):
    nodes = [{"name": "gw", "addresses": ["198.51.100.1"], "cpu": cpu}]
    links, conns = [], []
    conns.append({"name": "rw", "node": "gw", "remote": "0.0.0.0", "auth": PSK, "local_id": "gw.example", "remote_id": "*.example",
                  "ike": "aes128gcm16-prfsha256-" + group, "esp": "aes128gcm16",
                  "local_ts": ["10.0.0.0/16"], "remote_ts": ["192.0.2.0/24", "100.64.0.0/10"]})
    for i in range(1, n + 1):
        c = f"rw{i}"
        addr = f"100.64.{i // 250}.{i % 250 + 2}"
        nd = {"name": c, "addresses": [addr]}
        if client_profile:
            nd["profile"] = client_profile
        nodes.append(nd)
        links.append({"a": c, "b": "gw", "latency": "10ms"})
        cc = {"name": "rw", "node": c, "remote_node": "gw", "auth": PSK, "local_id": f"{c}.example",
              "remote_id": "gw.example", "ike": "aes128gcm16-prfsha256-" + group, "esp": "aes128gcm16",
              "local_ts": [addr + "/32"], "remote_ts": ["10.0.0.0/16"], "initiate": True, "at": "0s"}
        if client_profile:
            cc["profile"] = client_profile
        conns.append(cc)
    sc = {"description": desc + " Written by tests/scenarios/gen/cpu_storm.py.", "seed": seed,
          "duration": duration, "nodes": nodes, "links": links, "connections": conns, "expect": expect}
    with open(f"tests/scenarios/{name}.json", "w") as f:
        json.dump(sc, f, indent=2)
        f.write("\n")


def gw(at, n):
    return {"node": "gw", "conn": "rw", "at": at, "child_sas": n}


ONE_CHARON = {"cores": 1, "costs": "charon"}
scenario("cpu_storm_x25519",
         "100 road warriors start at once against a gateway with one core and charon's costs (x25519). Each "
         "datagram the gateway handles costs it 600 us, the DH ~75 us more: ~1.3 ms a handshake. strongSwan "
         "runs IKE_SA_INIT jobs (medium priority) before IKE_AUTH jobs (low), so all 100 IKE_SA_INITs are "
         "answered first and the first CHILD SA is up only at 78 ms, the last at 138 ms.",
         100, "x25519", ONE_CHARON, "2s", [gw("0.075s", 0), gw("0.1s", 38), gw("0.14s", 100)])
scenario("cpu_storm_modp2048",
         "The same 100 road warriors with modp2048: charon's responder work is ~4.2 ms a handshake (a slow "
         "derive with OpenSSL's full public-value check), so the IKE_SA_INITs alone keep the core busy until "
         "0.37 s; the first CHILD SA is up at 369 ms, the last at 429 ms. Compare cpu_storm_x25519.json.",
         100, "modp2048", ONE_CHARON, "2s", [gw("0.36s", 0), gw("0.43s", 100)])
scenario("cpu_storm_two_cores",
         "cpu_storm_modp2048 with two cores: the same work on two workers, all up after ~0.23 s.",
         100, "modp2048", {"cores": 2, "costs": "charon"}, "2s", [gw("0.18s", 0), gw("0.23s", 100)])
scenario("cpu_queue_drop",
         "A gateway whose job queue holds 20 (x25519): of 100 IKE_SA_INITs arriving together one is run, 20 "
         "wait and 79 are dropped (cpu.drop why \"queue full\"). The initiators retransmit on strongSwan's "
         "schedule (4 s x 1.8^n: at 4, 11.2, 24.2 and 47.5 s), all at the same instants, so each wave gets "
         "21 more in: 21, 42, 63, 84, then the last 16.",
         100, "x25519", {"cores": 1, "costs": "charon", "queue": 20}, "60s",
         [gw("1s", 21), gw("5s", 42), gw("12s", 63), gw("25s", 84), gw("50s", 100),
          {"node": "gw", "event": "cpu.drop", "count": 190}])
