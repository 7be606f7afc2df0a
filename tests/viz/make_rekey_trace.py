#!/usr/bin/env python3
"""Writes tests/viz/rekey.jsonl: a hand-made trace of a day in the life of one tunnel, in the
event vocabulary of issue 8 (docs/trace.md, /work/shared lifecycle vocabulary), for the viz tests
while the engine does not rekey yet. Values are placeholders (hashes of their names), not real keys.
Run from the repository root: python3 tests/viz/make_rekey_trace.py > tests/viz/rekey.jsonl"""
import hashlib
import json

A, B = "gw-a", "gw-b"
AA, BA = "192.0.2.1:500", "198.51.100.1:500"
lines = []


def ev(t, node, evname, **f):
    o = {"t": t, "node": node, "ev": evname}
    o.update({k.replace("_", "-") if k not in ("virtual_time",) else k: v for k, v in f.items()})
    lines.append(o)


def hexv(tag, n):
    return hashlib.sha256(tag.encode()).hexdigest()[: 2 * n] if n <= 32 else \
        (hashlib.sha256(tag.encode()).hexdigest() * 3)[: 2 * n]


def msg(t, sender, summary, ex, mid, flags, ispi, rspi, size=120, lat=0.02, lost=None):
    src, dst = (AA, BA) if sender == A else (BA, AA)
    f = dict(summary=summary, exchange=ex, msgid=mid, flags=flags, size=size, **{"from": src, "to": dst},
             initiator_spi=ispi, responder_spi=rspi)
    ev(t, sender, "ike.tx", **f)
    if lost:
        ev(t, sender, "link.drop", why=lost, size=size, **{"from": src, "to": dst})
        return
    ev(round(t + lat, 9), B if sender == A else A, "ike.rx", **f)


def kdf(t, node, name, inputs, n, ispi, rspi, tag):
    ev(t, node, "kdf", name=name, inputs=inputs, len=n, conn="site-a", initiator_spi=ispi, responder_spi=rspi,
       value=hexv(tag + name, n))


def ike_keys(t, ispi, rspi, gen, rekey):
    tag = "g%d" % gen
    kdf(t, A, "Ni", [], 32, ispi, rspi, tag)
    kdf(t, A, "Nr", [], 32, ispi, rspi, tag)
    kdf(t, A, "g^ir", ["KEi", "KEr"], 32, ispi, rspi, tag)
    kdf(t, A, "SKEYSEED", ["SK_d(old)", "g^ir", "Ni", "Nr"] if rekey else ["Ni", "Nr", "g^ir"], 32, ispi, rspi, tag)
    for name, n in (("SK_d", 32), ("SK_ei", 20), ("SK_er", 20), ("SK_pi", 32), ("SK_pr", 32)):
        kdf(t, A, name, ["SKEYSEED", "Ni", "Nr", "SPIi", "SPIr"], n, ispi, rspi, tag)


def child_keys(t, ispi, rspi, tag, pfs, nonces):
    if nonces:
        kdf(t, A, "Ni", [], 32, ispi, rspi, tag)
        kdf(t, A, "Nr", [], 32, ispi, rspi, tag)
    if pfs:
        kdf(t, A, "g^ir (PFS)", ["KEi", "KEr"], 32, ispi, rspi, tag)
    kdf(t, A, "KEYMAT", ["SK_d", "g^ir (PFS)", "Ni", "Nr"] if pfs else ["SK_d", "Ni", "Nr"], 40, ispi, rspi, tag)
    kdf(t, A, "ESP_ENCR_I", ["KEYMAT"], 20, ispi, rspi, tag)
    kdf(t, A, "ESP_ENCR_R", ["KEYMAT"], 20, ispi, rspi, tag)


def ike_state(t, node, frm, to, tr, why, ispi, rspi):
    ev(t, node, "ike_sa.state", **{"from": frm}, to=to, why=why, transition=tr, conn="site-a" if node == A else "site-b",
       initiator_spi=ispi, responder_spi=rspi)


def child_state(t, node, frm, to, tr, why, sin, sout, ispi):
    ev(t, node, "child_sa.state", **{"from": frm}, to=to, why=why, transition=tr, child="net",
       conn="site-a" if node == A else "site-b", spi_in=sin, spi_out=sout, initiator_spi=ispi)


I1, R1 = "8059928337c25b67", "27828255f37b7d68"
I2, R2 = "4b1d6f0c9a2e7735", "c3e09a51d7f26b08"
I3, R3 = "9e77a2c4015bd3f1", "12ab5e9f6c8d0e44"
C1 = ("f55e0a6a", "387cf50f")
C2 = ("c1d2e3f4", "a9b8c7d6")
C3 = ("5a6b7c8d", "0e1f2a3b")

ev(0, "sim", "sim.start", schema=1, scenario="tests/viz/rekey.jsonl", seed=1, duration=30000.0, nodes=2, links=1)
ike_state(0, A, "CREATED", "CONNECTING", "i-start", "initiate", I1, "0" * 16)
msg(0, A, "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]", "IKE_SA_INIT", 0, "I", I1, "0" * 16)
ike_state(0.02, B, "CREATED", "CONNECTING", "r-init", "answer", I1, R1)
msg(0.02, B, "IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]", "IKE_SA_INIT", 0, "R", I1, R1)
ike_keys(0.04, I1, R1, 1, False)
ev(0.04, A, "sa.selected", sa="ike", proposal="AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519", encr_alg="AES_GCM_16_128",
   prf_alg="PRF_HMAC_SHA2_256", dh_group="CURVE_25519", conn="site-a", initiator_spi=I1, responder_spi=R1)
child_state(0.04, A, "CREATED", "INSTALLING", "installing", "sent IKE_AUTH", "00000000", "00000000", I1)
ev(0.04, A, "ike.tx", summary="IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) IDr AUTH SA TSi TSr ]", exchange="IKE_AUTH",
   msgid=1, flags="I", size=2890, **{"from": AA, "to": BA}, initiator_spi=I1, responder_spi=R1)
ev(0.04, A, "ike.frag", action="split", fragments=3, size=2890, conn="site-a", initiator_spi=I1, responder_spi=R1)
ev(0.06, B, "ike.frag", action="reassembled", fragments=3, size=2890, conn="site-b", initiator_spi=I1, responder_spi=R1)
ev(0.06, B, "ike.rx", summary="IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) IDr AUTH SA TSi TSr ]", exchange="IKE_AUTH",
   msgid=1, flags="I", size=2890, **{"from": AA, "to": BA}, initiator_spi=I1, responder_spi=R1)
ike_state(0.06, B, "CONNECTING", "ESTABLISHED", "r-auth-ok", "AUTH verified", I1, R1)
child_state(0.06, B, "INSTALLING", "INSTALLED", "installed", "KEYMAT derived", C1[1], C1[0], I1)
msg(0.06, B, "IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]", "IKE_AUTH", 1, "R", I1, R1)
ike_state(0.08, A, "CONNECTING", "ESTABLISHED", "i-auth-ok", "AUTH verified", I1, R1)
child_keys(0.08, I1, R1, "c1", False, False)
child_state(0.08, A, "INSTALLING", "INSTALLED", "installed", "KEYMAT derived", C1[0], C1[1], I1)

# The link goes down; DPD finds the peer silent, then the link comes back before the peer is declared dead.
ev(10, "sim", "fault", kind="link-down", fault=0, link="gw-a-gw-b")
ev(40.08, A, "dpd", action="sent", after=40, conn="site-a", initiator_spi=I1, responder_spi=R1)
msg(40.08, A, "INFORMATIONAL request 2 [ ]", "INFORMATIONAL", 2, "I", I1, R1, size=57, lost="fault")
ev(44.08, A, "ike.retransmit", exchange="INFORMATIONAL", msgid=2, attempt=1, size=57, conn="site-a", initiator_spi=I1,
   responder_spi=R1)
ev(44.08, A, "link.drop", why="fault", size=57, **{"from": AA, "to": BA})
ev(45, "sim", "fault", kind="link-up", fault=0, link="gw-a-gw-b")
ev(51.28, A, "ike.retransmit", exchange="INFORMATIONAL", msgid=2, attempt=2, size=57, conn="site-a", initiator_spi=I1,
   responder_spi=R1)
ev(51.3, B, "ike.rx", summary="INFORMATIONAL request 2 [ ]", exchange="INFORMATIONAL", msgid=2, flags="I", size=57,
   **{"from": AA, "to": BA}, initiator_spi=I1, responder_spi=R1)
msg(51.3, B, "INFORMATIONAL response 2 [ ]", "INFORMATIONAL", 2, "R", I1, R1, size=57)
ev(51.32, A, "dpd", action="answered", after=0.04, conn="site-a", initiator_spi=I1, responder_spi=R1)

# CHILD rekey with PFS at ~1 h, then the old CHILD SA is deleted.
t = 3412.5
child_state(t, A, "INSTALLED", "REKEYING", "rekeying", "lifetime: rekey", C1[0], C1[1], I1)
msg(t, A, "CREATE_CHILD_SA request 3 [ N(REKEY_SA) SA No KE TSi TSr ]", "CREATE_CHILD_SA", 3, "I", I1, R1, size=250)
msg(t + 0.02, B, "CREATE_CHILD_SA response 3 [ SA No KE TSi TSr ]", "CREATE_CHILD_SA", 3, "R", I1, R1, size=240)
child_keys(t + 0.04, I1, R1, "c2", True, True)
child_state(t + 0.04, A, "CREATED", "INSTALLED", "installed", "KEYMAT derived", C2[0], C2[1], I1)
ev(t + 0.04, A, "child_sa.rekeyed", child="net", old_spi_in=C1[0], old_spi_out=C1[1], spi_in=C2[0], spi_out=C2[1],
   pfs="CURVE_25519", reason="lifetime", conn="site-a", initiator_spi=I1, responder_spi=R1)
msg(t + 0.04, A, "INFORMATIONAL request 4 [ D ]", "INFORMATIONAL", 4, "I", I1, R1, size=69)
msg(t + 0.06, B, "INFORMATIONAL response 4 [ D ]", "INFORMATIONAL", 4, "R", I1, R1, size=69)
child_state(t + 0.08, A, "REKEYING", "DELETED", "rekeyed", "old SA deleted", C1[0], C1[1], I1)

# IKE rekey at ~4 h: SKEYSEED from the old SK_d; the CHILD SA moves over; the old IKE SA is deleted.
t = 14123.25
msg(t, A, "CREATE_CHILD_SA request 5 [ SA No KE ]", "CREATE_CHILD_SA", 5, "I", I1, R1, size=200)
msg(t + 0.02, B, "CREATE_CHILD_SA response 5 [ SA No KE ]", "CREATE_CHILD_SA", 5, "R", I1, R1, size=200)
ike_keys(t + 0.04, I2, R2, 2, True)
ev(t + 0.04, A, "ike_sa.rekeyed", old_initiator_spi=I1, old_responder_spi=R1, initiator_spi=I2, responder_spi=R2,
   reason="lifetime", dh_group="CURVE_25519", conn="site-a")
ike_state(t + 0.04, A, "CREATED", "ESTABLISHED", "i-rekeyed", "IKE SA rekeyed", I2, R2)
msg(t + 0.04, A, "INFORMATIONAL request 6 [ D ]", "INFORMATIONAL", 6, "I", I1, R1, size=65)
msg(t + 0.06, B, "INFORMATIONAL response 6 [ D ]", "INFORMATIONAL", 6, "R", I1, R1, size=65)
ike_state(t + 0.08, A, "REKEYED", "DESTROYING", "i-delete-ok", "old IKE SA deleted", I1, R1)

# CHILD rekey without PFS under the new IKE SA (message IDs start again at 0).
t = 17021.75
msg(t, A, "CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]", "CREATE_CHILD_SA", 0, "I", I2, R2, size=210)
msg(t + 0.02, B, "CREATE_CHILD_SA response 0 [ SA No TSi TSr ]", "CREATE_CHILD_SA", 0, "R", I2, R2, size=200)
child_keys(t + 0.04, I2, R2, "c3", False, True)
child_state(t + 0.04, A, "CREATED", "INSTALLED", "installed", "KEYMAT derived", C3[0], C3[1], I2)
ev(t + 0.04, A, "child_sa.rekeyed", child="net", old_spi_in=C2[0], old_spi_out=C2[1], spi_in=C3[0], spi_out=C3[1],
   pfs="none", reason="lifetime", conn="site-a", initiator_spi=I2, responder_spi=R2)

# Second IKE rekey, started by the responder this time.
t = 28310.5
msg(t, B, "CREATE_CHILD_SA request 0 [ SA No KE ]", "CREATE_CHILD_SA", 0, "", I2, R2, size=200)
ike_keys(t + 0.02, I3, R3, 3, True)
ev(t + 0.02, A, "ike_sa.rekeyed", old_initiator_spi=I2, old_responder_spi=R2, initiator_spi=I3, responder_spi=R3,
   reason="lifetime", dh_group="CURVE_25519", conn="site-a")
ev(t + 0.02, A, "sa.selected", sa="ike", proposal="AES_GCM_16_128/PRF_HMAC_SHA2_384/CURVE_25519",
   encr_alg="AES_GCM_16_128", prf_alg="PRF_HMAC_SHA2_384", dh_group="CURVE_25519", conn="site-a", initiator_spi=I3,
   responder_spi=R3)
msg(t + 0.02, A, "CREATE_CHILD_SA response 0 [ SA No KE ]", "CREATE_CHILD_SA", 0, "IR", I2, R2, size=200)
ev(t + 0.5, A, "mystery.event", note="viz must ignore events it does not know")
ev(t + 0.5, "sim", "summary", virtual_time=t + 0.5, seed=1, datagrams={"sent": 30, "delivered": 27, "dropped": 3},
   nodes=[{"name": A, "conns": []}, {"name": B, "conns": []}])

for o in lines:
    o["t"] = "%.9f" % o["t"]
    s = json.dumps(o, separators=(",", ":"))
    print(s.replace('"t":"%s"' % o["t"], '"t":%s' % o["t"]))
