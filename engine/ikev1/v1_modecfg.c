/*
 * Mode Config (draft-dukes-ike-mode-cfg-02) for IKEv1 road warriors: the client pulls (REQUEST
 * INTERNAL_IP4_ADDRESS/NETMASK/DNS, the gateway REPLYs from its pool) or takes a pushed SET (ACKed), and uses
 * the address as its Quick Mode selector: a virtual IP. Leases live in the ISAKMP SAs themselves (no global
 * state): an address is free when no SA of the peer holds it; the same user from the same address keeps its one.
 */
#include <stdio.h>
#include <string.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static void trace_mcfg(v1_ike_sa *sa, ike_time now, const char *result, const uint8_t *addr, uint8_t prefix)
{
	if (!sa->peer->host.trace)
		return;
	char a[24] = "";
	if (addr)
		snprintf(a, sizeof(a), "%u.%u.%u.%u/%u", addr[0], addr[1], addr[2], addr[3], prefix);
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "role", sa->initiator ? "client" : "gateway");
	ike_jsonw_str(&w, "result", result);
	if (addr)
		ike_jsonw_str(&w, "address", a);
	if (sa->xuser[0])
		ike_jsonw_str(&w, "user", sa->xuser);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "modecfg", &w);
}

void v1_vip_ts(const v1_ike_sa *sa, ike_ts *t)
{
	memset(t, 0, sizeof(*t));
	t->family = 4;
	memcpy(t->start, sa->vip, 4);
	memcpy(t->end, sa->vip, 4);
	t->end_port = 65535;
}

void v1_mcfg_request(v1_ike_sa *sa, ike_time now)
{
	v1_cfg r = { .type = V1_CFG_REQUEST, .n = 3 };
	ike_drbg_bytes(&sa->peer->rng, &r.identifier, sizeof(r.identifier));
	r.attr[0] = (v1_attr){ .type = V1_CA_INTERNAL_IP4_ADDRESS };
	r.attr[1] = (v1_attr){ .type = V1_CA_INTERNAL_IP4_NETMASK };
	r.attr[2] = (v1_attr){ .type = V1_CA_INTERNAL_IP4_DNS };
	sa->txn.ident = r.identifier;
	v1_txn_send(sa, now, &r, true, true);
	sa->txn.mcfg_asked = true;
}

static bool held(const ike_peer *p, const v1_ike_sa *self, uint32_t a)
{
	for (const v1_ike_sa *o = p->v1_sas; o; o = o->next)
		if (o != self && o->vip_set && ike_get_u32(o->vip) == a)
			return true;
	return false;
}

/* An address of the pool for this client: the one its user already holds from this address, else the lowest free. */
static bool lease(v1_ike_sa *sa, uint8_t out[4])
{
	const ike_conn_cfg *cc = sa->conn;
	for (const v1_ike_sa *o = sa->peer->v1_sas; o; o = o->next)
		if (o != sa && o->vip_set && o->conn_idx == sa->conn_idx && !strcmp(o->xuser, sa->xuser) &&
		    v2_same_addr(&o->remote, &sa->remote)) {
			memcpy(out, o->vip, 4);
			return true;
		}
	uint8_t pl = cc->pool_prefix > 32 ? 32 : cc->pool_prefix;
	uint32_t mask = pl ? ~0u << (32 - pl) : 0, base = ike_get_u32(cc->pool) & mask;
	uint64_t size = 1ull << (32 - pl);
	uint64_t first = size > 2 ? 1 : 0, last = size > 2 ? size - 2 : size - 1; /* no network/broadcast address */
	for (uint64_t i = first; i <= last && i < 65536; i++) {
		uint32_t a = base + (uint32_t)i;
		if (!held(sa->peer, sa, a)) {
			ike_put_u32(out, a);
			return true;
		}
	}
	return false;
}

static v1_attr addr_attr(uint16_t type, const uint8_t *a)
{
	v1_attr x = { .type = type, .len = 4 };
	memcpy(x.inl, a, 4);
	return x;
}

/* Gateway: a client's REQUEST gets an address (and its netmask) from the pool, or an empty REPLY. */
static enum ike_input_result gw_request(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg)
{
	if (!v1_xauth_passed(sa)) {
		v1_trace_error(sa->peer, now, sa, "drop", "Mode Config REQUEST before XAUTH succeeded", 0);
		return IKE_INPUT_DROPPED;
	}
	if (sa->xauth == V1_XA_SET_OK) { /* our SET's ACK was lost, but the client went on: it took the OK */
		sa->xauth = V1_XA_OK;
		sa->waiting = false;
		sa->timer_at = IKE_TIME_NEVER;
	}
	v1_cfg r = { .type = V1_CFG_REPLY, .identifier = cfg->identifier };
	bool asked = v1_cfg_find(cfg, V1_CA_INTERNAL_IP4_ADDRESS) != NULL;
	if (asked && (sa->vip_set || lease(sa, sa->vip))) {
		uint8_t pl = sa->conn->pool_prefix, mask[4];
		ike_put_u32(mask, pl ? ~0u << (32 - (pl > 32 ? 32 : pl)) : 0);
		sa->vip_set = true;
		r.attr[r.n++] = addr_attr(V1_CA_INTERNAL_IP4_ADDRESS, sa->vip);
		r.attr[r.n++] = addr_attr(V1_CA_INTERNAL_IP4_NETMASK, mask);
	}
	v1_txn_send(sa, now, &r, false, false);
	if (!sa->vip_set) {
		trace_mcfg(sa, now, asked ? "pool exhausted or none" : "nothing asked", NULL, 0);
		return IKE_INPUT_PROCESSED;
	}
	char why[96];
	snprintf(why, sizeof(why), "Mode Config: %u.%u.%u.%u given from the pool", sa->vip[0], sa->vip[1], sa->vip[2],
		 sa->vip[3]);
	v1_ike_go(sa, now, V1_T_MODECFG, why);
	trace_mcfg(sa, now, "assigned", sa->vip, 32);
	return IKE_INPUT_PROCESSED;
}

/* Client: the REPLY to our REQUEST, or a pushed SET (ACKed): take the address, then Quick Mode. */
static enum ike_input_result cl_take(v1_ike_sa *sa, ike_time now, const v1_cfg *cfg)
{
	bool reply = cfg->type == V1_CFG_REPLY;
	if (reply && !sa->txn.mcfg_asked) { /* its M-ID is our REQUEST's (v1_txn_recv); identifiers vary (charon: 0) */
		v1_trace_error(sa->peer, now, sa, "drop", "Mode Config REPLY to no REQUEST of ours", 0);
		return IKE_INPUT_DROPPED;
	}
	if (reply) {
		sa->waiting = false;
		sa->timer_at = IKE_TIME_NEVER;
		sa->txn.mcfg_asked = false;
	} else {
		v1_cfg ack = { .type = V1_CFG_ACK, .identifier = cfg->identifier, .n = 1 };
		ack.attr[0] = (v1_attr){ .type = V1_CA_INTERNAL_IP4_ADDRESS };
		v1_txn_send(sa, now, &ack, false, false);
	}
	const v1_attr *a = v1_cfg_find(cfg, V1_CA_INTERNAL_IP4_ADDRESS);
	if (a && !a->tv && a->len == 4) {
		memcpy(sa->vip, v1_attr_bytes(a), 4);
		sa->vip_set = true;
		char why[96];
		snprintf(why, sizeof(why), "Mode Config: virtual IP %u.%u.%u.%u taken", sa->vip[0], sa->vip[1],
			 sa->vip[2], sa->vip[3]);
		v1_ike_go(sa, now, V1_T_MODECFG, why);
		trace_mcfg(sa, now, "assigned", sa->vip, 32);
	} else
		trace_mcfg(sa, now, "no address given: the configured selector stays", NULL, 0);
	if (!sa->child.used)
		v1_qm_start(sa, now);
	return IKE_INPUT_PROCESSED;
}

enum ike_input_result v1_mcfg_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_cfg *cfg)
{
	(void)h;
	if (!sa->initiator && cfg->type == V1_CFG_REQUEST)
		return gw_request(sa, now, cfg);
	if (sa->initiator && (cfg->type == V1_CFG_REPLY || cfg->type == V1_CFG_SET) && v1_xauth_passed(sa) &&
	    (!sa->conn->xauth_user || sa->xauth == V1_XA_OK))
		return cl_take(sa, now, cfg);
	v1_trace_error(sa->peer, now, sa, "drop", "Mode Config message in no state to take it", 0);
	return IKE_INPUT_DROPPED;
}
