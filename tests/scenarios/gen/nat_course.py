#!/usr/bin/env python3
"""Writes tests/scenarios/nat_course_*.json: the NAT course scenarios (issue 10 acceptance 1, (b)-(e)).

Run from the top of the repository: python3 tests/scenarios/gen/nat_course.py
The files are committed; rerun after editing this script. The expectations were read off runs
(`ikesim run FILE --trace T`) and each description says what happens and when.
"""
import json
import sys

PSK = {"psk": "nat course key"}
TYPES = ["full-cone", "restricted", "port-restricted", "symmetric"]

# What the stranger's IKE_SA_INIT (198.51.100.7:500 -> the road warrior's 203.0.113.1:500 at 10 s) meets.
STRANGER = {
    "full-cone": "endpoint-independent filtering lets anyone in through a live mapping: it reaches rw, whose IKE daemon refuses it (NO_PROPOSAL_CHOSEN: no connection for this peer); that answer refreshes the 500 mapping until 40.024 s",
    "restricted": "address-dependent filtering: rw never sent to 198.51.100.7, so nat.drop filtered",
    "port-restricted": "address-and-port-dependent filtering: rw never sent to 198.51.100.7:500, so nat.drop filtered",
    "symmetric": "address-and-port-dependent mapping and filtering: the mapping belongs to gw:500 only, so nat.drop filtered",
}


def node(name, addrs, **kw):
    d = {"name": name, "addresses": addrs}
    d.update(kw)
    return d


def conn(name, on_node, peer, local_id, remote_id, lts, rts, **kw):
    d = {"name": name, "node": on_node}
    if peer[0].isdigit():
        d["remote"] = peer
    else:
        d["remote_node"] = peer
    d.update({"auth": PSK, "local_id": local_id, "remote_id": remote_id, "local_ts": lts, "remote_ts": rts})
    d.update(kw)
    return d


def matrix(nat_type, keepalive):
    on = keepalive
    nat = {"type": nat_type, "inside": ["rw"], "timeout": "30s"}
    desc = (
        f"NAT behaviour x keepalives: a road warrior behind a {nat_type} NAT (30 s UDP mapping timeout), "
        f"keepalives {'on (every 10 s)' if on else 'off'}, the gateway checks liveness after 60 s of quiet. "
        "IKE_SA_INIT makes the 500 mapping, NAT detection moves IKE_AUTH to 4500 (a second mapping). "
        f"At 10 s a stranger (198.51.100.7) sends IKE_SA_INIT to rw's public 203.0.113.1:500: {STRANGER[nat_type]}. "
    )
    if on:
        desc += ("The 500 mapping, idle, expires 30 s after its last outbound datagram; the keepalives refresh the 4500 one, so the gateway's DPD "
                 "at about 60 s reaches rw and is answered: both ends stay up, nothing dies at the NAT but the stranger's packet.")
    else:
        desc += ("Nothing refreshes the mappings: the 4500 one expires at 30.046 s, the 500 one 30 s after its last outbound datagram (nat.map expired). The gateway's DPD at about 60 s "
                 "and its two retransmissions die at the NAT (nat.drop no-mapping: the mapping is gone, so the filter is never "
                 "asked, whatever the behaviour), and the gateway declares rw dead; rw still thinks the tunnel is up.")
    rw = conn("home", "rw", "gw", "rw.example", "gw.example", ["10.1.0.2/32"], ["198.51.100.1/32"],
              initiate=True, keepalive="10s" if on else "0s")
    gw = conn("home", "gw", "203.0.113.1", "gw.example", "rw.example", ["198.51.100.1/32"], ["10.1.0.2/32"],
              dpd_delay="60s", retransmit={"timeout": "1s", "factor": 1, "tries": 2})
    scan = conn("probe", "scan", "203.0.113.1", "scan.example", "rw.example", ["198.51.100.7/32"], ["10.1.0.2/32"],
                initiate=True, at="10s", retransmit={"timeout": "1s", "factor": 1, "tries": 0})
    reach = 1 if nat_type == "full-cone" else 0
    expect = [
        {"node": "rw", "conn": "home", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
        {"node": "nat", "event": "nat.map", "why": None},
        {"node": "nat", "event": "nat.drop", "why": "filtered", "count": 1 - reach},
        {"node": "nat", "event": "nat.drop", "why": "no-mapping", "count": 0 if on else 3},
        {"node": "rw", "event": "ike.keepalive", "min" if on else "max": 5 if on else 0},
        {"node": "rw", "exchange": "IKE_SA_INIT", "response": True, "messages": reach},
    ]
    del expect[1]
    if on:
        expect.append({"node": "gw", "conn": "home", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"})
        expect.append({"node": "gw", "event": "dpd", "min": 1})
    else:
        expect.append({"node": "gw", "conn": "home", "ike_state": "NONE", "timed_out": True})
        expect.append({"node": "nat", "event": "nat.map", "from": "29s", "to": "41s", "count": 2})
    return {
        "description": desc, "seed": 21, "duration": "75s",
        "nodes": [node("rw", ["10.1.0.2"]), node("nat", ["203.0.113.1", "10.1.0.1"], nat=nat),
                  node("gw", ["198.51.100.1"]), node("scan", ["198.51.100.7"])],
        "links": [{"a": "rw", "b": "nat", "latency": "2ms"}, {"a": "nat", "b": "gw", "latency": "20ms"},
                  {"a": "nat", "b": "scan", "latency": "20ms"}],
        "connections": [rw, gw, scan], "expect": expect,
    }


def cgn(n):
    """n road warriors, each its own inside address, all on port 500, behind one carrier-grade NAT."""
    nodes, links, conns, expect = [], [], [], []
    inside = []
    for i in range(n):
        name = f"cpe{i + 1}"
        addr = f"100.64.{i // 250}.{i % 250 + 2}"
        inside.append(name)
        nodes.append(node(name, [addr]))
        links.append({"a": name, "b": "cgn", "latency": "3ms"})
        conns.append(conn("hq", name, "gw", f"{name}.example", "gw.example", [addr + "/32"], ["198.51.100.1/32"],
                          initiate=True, at=f"{i}ms"))
    nodes.append(node("cgn", ["203.0.113.1", "100.64.255.1"], nat={"type": "symmetric", "inside": inside}))
    nodes.append(node("gw", ["198.51.100.1"]))
    links.append({"a": "cgn", "b": "gw", "latency": "15ms"})
    conns.append(conn("hq", "gw", "203.0.113.1", "gw.example", "*.example", ["198.51.100.1/32"], ["100.64.0.0/10"]))
    expect.append({"node": "gw", "conn": "hq", "ike_sas": n, "child_sas": n})
    for i in (0, n // 2, n - 1):
        expect.append({"node": f"cpe{i + 1}", "conn": "hq", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"})
    expect += [
        {"node": "cgn", "event": "nat.map", "count": 2 * n},
        {"node": "cgn", "event": "nat.drop", "count": 0},
        {"node": "gw", "exchange": "IKE_AUTH", "response": True, "messages": n},
        {"node": "gw", "event": "ike.float", "count": n},
    ]
    return {
        "description": (f"(d) {n} customers behind one carrier-grade NAT (symmetric, one public address), each its own inside address and all on port 500, "
                        "starting 1 ms apart. Every customer gets its own outside port per mapping (500 and 4500 are taken "
                        f"once per public address), all {n} establish, the gateway floats each to port 4500 once: "
                        f"{2 * n} mappings, no drop. Written by tests/scenarios/gen/nat_course.py."),
        "seed": 5, "duration": "5s", "nodes": nodes, "links": links, "connections": conns, "expect": expect,
    }


def two_sites():
    """(b) both gateways behind NATs; gw-b's NAT forwards UDP 500 and 4500 to it."""
    return {
        "description": ("(b) both gateways behind NATs: gw-a (10.1.0.2) behind a port-restricted home NAT (public 203.0.113.1), "
                        "gw-b (10.2.0.2) behind a NAT (public 198.51.100.1) that forwards UDP 500 and 4500 to it. gw-a "
                        "initiates to 198.51.100.1; both sides see a NAT in IKE_SA_INIT (each NAT_DETECTION hash fails: "
                        "local-behind-nat and remote-behind-nat true), IKE_AUTH moves to 4500, ESP goes in UDP and pc-a's pings "
                        "to srv-b cross both NATs. Both gateways send keepalives (both are behind a NAT). "
                        "lessons/05-nat-traversal/exercise-3.json is this file without the 4500 rule."),
        "seed": 3, "duration": "50s",
        "nodes": [node("gw-a", ["10.1.0.2"]),
                  node("nat-a", ["203.0.113.1", "10.1.0.1"], nat={"type": "port-restricted", "inside": ["gw-a"]}),
                  node("nat-b", ["198.51.100.1", "10.2.0.1"],
                       nat={"type": "port-restricted", "inside": ["gw-b"],
                            "forward": [{"port": 500, "to": "10.2.0.2"}, {"port": 4500, "to": "10.2.0.2"}]}),
                  node("gw-b", ["10.2.0.2"])],
        "links": [{"a": "gw-a", "b": "nat-a", "latency": "2ms"}, {"a": "nat-a", "b": "nat-b", "latency": "20ms"},
                  {"a": "nat-b", "b": "gw-b", "latency": "2ms"}],
        "connections": [
            conn("site-a", "gw-a", "198.51.100.1", "gw-a.example", "gw-b.example", ["10.1.1.0/24"], ["10.2.1.0/24"],
                 initiate=True),
            conn("site-b", "gw-b", "203.0.113.1", "gw-b.example", "gw-a.example", ["10.2.1.0/24"], ["10.1.1.0/24"])],
        "hosts": [{"name": "pc-a", "address": "10.1.1.10", "gateway": "gw-a"},
                  {"name": "srv-b", "address": "10.2.1.20", "gateway": "gw-b"}],
        "flows": [{"name": "ping1", "from": "pc-a", "to": "srv-b", "kind": "ping", "start": "1s", "count": 3,
                   "interval": "20s"}],
        "expect": [
            {"node": "gw-a", "conn": "site-a", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
            {"node": "gw-b", "conn": "site-b", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
            {"flow": "ping1", "sent": 6, "delivered": 6},
            {"node": "nat-a", "event": "nat.drop", "count": 0},
            {"node": "nat-b", "event": "nat.drop", "count": 0},
            {"node": "gw-a", "event": "ike.float", "count": 1},
            {"node": "gw-a", "event": "ike.keepalive", "min": 1},
            {"node": "gw-b", "event": "ike.keepalive", "min": 1},
        ],
    }


def dpd_restart():
    """(c) keepalives off, 30 s mapping timeout: silent break, DPD notices, the SA comes back."""
    rw = conn("home", "rw", "gw", "rw.example", "gw.example", ["10.1.0.2/32"], ["198.51.100.1/32"],
              initiate=True, keepalive="0s", dpd_delay="60s", dpd_action="restart",
              retransmit={"timeout": "1s", "factor": 1, "tries": 2})
    gw = conn("home", "gw", "203.0.113.1", "gw.example", "rw.example", ["198.51.100.1/32"], ["10.1.0.2/32"],
              dpd_delay="40s", retransmit={"timeout": "1s", "factor": 1, "tries": 2})
    return {
        "description": ("(c) keepalives off and a 30 s mapping timeout: the tunnel breaks silently when the mappings expire "
                        "(30 s after their last outbound datagram). Nobody notices until the gateway's DPD at 40 s: it and its "
                        "retransmissions die at the NAT (nat.drop no-mapping) and the gateway clears the SA at 43 s. The road "
                        "warrior's own DPD (60 s, dpd_action restart) makes a new mapping on its way out, reaches the gateway, "
                        "which no longer knows that SA and drops it (error drop: no IKE SA for these SPIs); after its retransmissions rw declares the peer "
                        "dead and restarts: a new IKE SA from scratch through new mappings. Only the side behind the NAT can "
                        "restart: the gateway's packets cannot get in."),
        "seed": 17, "duration": "90s",
        "nodes": [node("rw", ["10.1.0.2"]),
                  node("nat", ["203.0.113.1", "10.1.0.1"], nat={"type": "port-restricted", "inside": ["rw"], "timeout": "30s"}),
                  node("gw", ["198.51.100.1"])],
        "links": [{"a": "rw", "b": "nat", "latency": "2ms"}, {"a": "nat", "b": "gw", "latency": "20ms"}],
        "connections": [rw, gw],
        "expect": [
            {"node": "gw", "conn": "home", "at": "42s", "ike_state": "ESTABLISHED"},
            {"node": "gw", "event": "dpd", "from": "40s", "to": "44s", "min": 2},
            {"node": "nat", "event": "nat.drop", "why": "no-mapping", "min": 3},
            {"node": "rw", "exchange": "IKE_SA_INIT", "response": False, "messages": 2},
            {"node": "rw", "conn": "home", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
            {"node": "gw", "conn": "home", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
            {"node": "rw", "event": "ike.keepalive", "count": 0},
        ],
    }


def symmetric_pair(sym):
    """(e) both peers behind NATs, no forwarding, both initiate at once (hole punching)."""
    a_nat = {"type": "symmetric", "inside": ["a"], "port_preservation": False} if sym else \
        {"type": "port-restricted", "inside": ["a"]}
    b_nat = {"type": "port-restricted", "inside": ["b"]}
    retx = {"timeout": "1s", "factor": 1, "tries": 2}
    conns = [
        conn("p2p", "a", "198.51.100.1", "a.example", "b.example", ["10.1.0.2/32"], ["10.2.0.2/32"],
             initiate=True, retransmit=retx),
        conn("p2p", "b", "203.0.113.1", "b.example", "a.example", ["10.2.0.2/32"], ["10.1.0.2/32"],
             initiate=True, retransmit=retx),
    ]
    if sym:
        desc = ("(e) a symmetric NAT and its consequence: peers a and b are each behind a NAT with no port forwarding and "
                "both initiate at the same instant to the other's public address (what hole punching relies on). "
                "b's port-restricted NAT keeps port 500, but a's symmetric NAT (no port preservation, like most carrier "
                "NATs) gives a's datagram to b a random outside port. b's NAT only lets in what comes from 203.0.113.1:500, "
                "the endpoint b sent to, so a's IKE_SA_INIT dies there (nat.drop filtered), and b's IKE_SA_INIT "
                "reaches a's NAT at port 500 where no mapping exists (nat.drop no-mapping). Every retransmission dies "
                "the same way; neither side ever hears from the other. The twin nat_course_cone_pair.json with a "
                "port-restricted NAT on a's side comes up.")
        expect = [
            {"node": "a", "conn": "p2p", "ike_state": "NONE", "timed_out": True},
            {"node": "b", "conn": "p2p", "ike_state": "NONE", "timed_out": True},
            {"node": "nat-b", "event": "nat.drop", "why": "filtered", "count": 3},
            {"node": "nat-a", "event": "nat.drop", "why": "no-mapping", "count": 3},
        ]
    else:
        desc = ("(e, the twin) the same two peers both initiating at once, with port-preserving cone NATs (port-restricted) "
                "on both sides: each NAT has made the mapping to the other's public 500 before the other's IKE_SA_INIT "
                "arrives, so both get in (simultaneous open). Two IKE SAs come up, one per direction; b's holds the "
                "lowest nonce and loses the collision (RFC 7296 2.8.2): b deletes it and one IKE SA is left.")
        expect = [
            {"node": "a", "conn": "p2p", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
            {"node": "b", "conn": "p2p", "ike_state": "ESTABLISHED", "child_state": "INSTALLED"},
            {"node": "nat-a", "event": "nat.drop", "count": 0},
            {"node": "nat-b", "event": "nat.drop", "count": 0},
            {"node": "a", "conn": "p2p", "ike_sas": 1},
            {"node": "b", "conn": "p2p", "ike_sas": 1},
        ]
    return {
        "description": desc, "seed": 9, "duration": "10s",
        "nodes": [node("a", ["10.1.0.2"]), node("nat-a", ["203.0.113.1", "10.1.0.1"], nat=a_nat),
                  node("nat-b", ["198.51.100.1", "10.2.0.1"], nat=b_nat), node("b", ["10.2.0.2"])],
        "links": [{"a": "a", "b": "nat-a", "latency": "2ms"}, {"a": "nat-a", "b": "nat-b", "latency": "20ms"},
                  {"a": "nat-b", "b": "b", "latency": "2ms"}],
        "connections": conns, "expect": expect,
    }


def write(name, sc):
    with open(f"tests/scenarios/nat_course_{name}.json", "w") as f:
        json.dump(sc, f, indent=1)
        f.write("\n")


def main():
    for t in TYPES:
        for on in (True, False):
            write(f"{t.replace('-', '_')}_keepalive_{'on' if on else 'off'}", matrix(t, on))
    write("cgn500", cgn(500))
    write("two_sites_port_forward", two_sites())
    write("dpd_restart", dpd_restart())
    write("symmetric_pair", symmetric_pair(True))
    write("cone_pair", symmetric_pair(False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
