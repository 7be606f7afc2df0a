/*
 * IKEv1 NAT traversal (RFC 3947, RFC 3948): the NAT-T vendor IDs of phase 1 messages 1/2, NAT-D payloads and
 * where the NAT is, the initiator's move to port 4500, the side not behind the NAT following authenticated
 * messages, UDP-encapsulated modes and NAT-OA in Quick Mode, and NAT keepalives (one 0xFF byte).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

#define V1_NATT_PORT 4500
#define V1_IKE_PORT 500

static const ike_crypto *cry(const v1_ike_sa *sa) { return sa->peer->cfg.crypto; }

/* The drafts use private payload types and encapsulation modes; RFC 3947 the assigned ones. */
static bool draft(const v1_ike_sa *sa) { return sa->natt_peer && sa->natt_peer != V1_VID_NATT_RFC3947; }

bool v1_natt_active(const v1_ike_sa *sa) { return sa->natt && (sa->nat_local || sa->nat_remote || sa->nat_forced); }

void v1_natt_vid(const v1_ike_sa *sa, v1_builder *b)
{
	/* the initiator announces RFC 3947; a responder answers with the version it took, if any */
	enum v1_vid v = sa->initiator ? V1_VID_NATT_RFC3947 : (enum v1_vid)sa->natt_peer;
	size_t n = 0;
	const uint8_t *d = v ? v1_vid_bytes(v, &n) : NULL;
	if (d)
		v1_add_data(b, V1_PL_VID, d, n);
}

void v1_natt_take_vids(v1_ike_sa *sa, const v1_chain *c)
{
	uint8_t best = 0;
	for (uint8_t i = 0; i < c->n; i++) {
		if (c->pl[i].type != V1_PL_VID)
			continue;
		enum v1_vid v = v1_vid_lookup(c->pl[i].body, c->pl[i].len);
		if (v == V1_VID_NATT_RFC3947)
			best = V1_VID_NATT_RFC3947; /* preferred over any draft */
		else if (!best && (v == V1_VID_NATT_DRAFT_02 || v == V1_VID_NATT_DRAFT_02_N || v == V1_VID_NATT_DRAFT_03))
			best = (uint8_t)v;
	}
	/* our initiator offered RFC 3947 only: a reply naming a draft is taken as it is */
	sa->natt_peer = best;
	sa->natt = best != 0;
}

/* HASH(CKY-I | CKY-R | Port) without an address: no real NAT-D (which hashes 4 or 16 address bytes) matches it. */
static int fake_natd(const v1_ike_sa *sa, const ike_addr *a, uint8_t *out)
{
	uint8_t ck[16], port[2];
	ike_put_u64(ck, sa->cky_i);
	ike_put_u64(ck + 8, sa->cky_r);
	ike_put_u16(port, a->port);
	ike_iov d[2] = { { ck, 16 }, { port, 2 } };
	return ike_v1_hash(cry(sa), sa->alg.hash, d, 2, out);
}

static int natd(const v1_ike_sa *sa, const ike_addr *a, uint8_t *out)
{
	return ike_v1_natd(cry(sa), sa->alg.hash, sa->cky_i, sa->cky_r, a->ip, a->family == 4 ? 4u : 16u, a->port, out);
}

void v1_natt_add_natd(v1_ike_sa *sa, v1_builder *b)
{
	if (!sa->natt)
		return;
	uint8_t h[IKE_V1_MAX_HASH];
	uint8_t type = draft(sa) ? V1_PL_NATD_DRAFT : V1_PL_NATD;
	size_t n = ike_v1_hash_len(sa->alg.hash);
	sa->nat_forced = sa->conn->encap;
	/* RFC 3947 3.2: first the destination (the peer as we send to it), then our source address */
	if (natd(sa, &sa->remote, h) == 0)
		v1_add_data(b, type, h, n);
	if ((sa->nat_forced ? fake_natd(sa, &sa->local, h) : natd(sa, &sa->local, h)) == 0)
		v1_add_data(b, type, h, n);
}

static void trace_natd(v1_ike_sa *sa, ike_time now)
{
	if (!sa->peer->host.trace)
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_bool(&w, "local-behind-nat", sa->nat_local);
	ike_jsonw_bool(&w, "remote-behind-nat", sa->nat_remote);
	if (sa->nat_forced)
		ike_jsonw_bool(&w, "forced", true);
	ike_jsonw_str(&w, "natt", v1_vid_name((enum v1_vid)sa->natt_peer));
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "ike.natd", &w);
}

void v1_natt_check(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	if (!sa->natt)
		return;
	uint8_t type = draft(sa) ? V1_PL_NATD_DRAFT : V1_PL_NATD;
	uint8_t me[IKE_V1_MAX_HASH], peer[IKE_V1_MAX_HASH];
	size_t n = ike_v1_hash_len(sa->alg.hash);
	const v1_payload *first = v1_chain_find_nth(c, type, 0);
	sa->nat_forced = sa->conn->encap;
	if (!first || natd(sa, &sa->local, me) != 0 || natd(sa, &sa->remote, peer) != 0) {
		sa->natt = false; /* announced but no NAT-D: no NAT-T (strongSwan does the same) */
		return;
	}
	/* the first hash is of the address the peer sent to (ours, unless a NAT rewrote it); the others its own */
	sa->nat_local = first->len != n || CRYPTO_memcmp(first->body, me, n) != 0;
	bool seen = false;
	for (unsigned i = 1; !seen; i++) {
		const v1_payload *p = v1_chain_find_nth(c, type, i);
		if (!p)
			break;
		seen = p->len == n && CRYPTO_memcmp(p->body, peer, n) == 0;
	}
	sa->nat_remote = !seen;
	trace_natd(sa, now);
}

/* Moves the SA to local/remote: traced as ike.float, and IKE_EV_IKE_MOVED so ESP-in-UDP follows. */
static void move(v1_ike_sa *sa, ike_time now, const ike_addr *local, const ike_addr *remote, const char *why)
{
	if (v2_same_addr(&sa->local, local) && v2_same_addr(&sa->remote, remote))
		return;
	ike_addr ol = sa->local, orm = sa->remote;
	sa->local = *local;
	sa->remote = *remote;
	sa->peer->rec[sa->conn_idx].remote = *remote;
	if (sa->peer->host.trace) {
		char a[64], b[64];
		ike_jsonw w;
		ike_jsonw_init(&w);
		v2_addr_str(&orm, a, sizeof(a));
		v2_addr_str(remote, b, sizeof(b));
		ike_jsonw_str(&w, "from", a);
		ike_jsonw_str(&w, "to", b);
		if (!v2_same_addr(&ol, local)) {
			v2_addr_str(&ol, a, sizeof(a));
			v2_addr_str(local, b, sizeof(b));
			ike_jsonw_str(&w, "local-from", a);
			ike_jsonw_str(&w, "local-to", b);
		}
		ike_jsonw_str(&w, "why", why);
		ike_jsonw_str(&w, "conn", sa->conn->name);
		ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
		ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
		v2_emit(sa->peer, now, "ike.float", &w);
	}
	if (sa->peer->host.sa_event) {
		ike_sa_event ev = { .kind = IKE_EV_IKE_MOVED, .conn = sa->conn->name, .local = &sa->local,
				    .remote = &sa->remote, .spi_i = sa->cky_i, .spi_r = sa->cky_r, .old_local = &ol,
				    .old_remote = &orm };
		sa->peer->host.sa_event(sa->peer->host.ctx, now, &ev);
	}
}

void v1_natt_float(v1_ike_sa *sa, ike_time now)
{
	if (!sa->initiator || !v1_natt_active(sa))
		return;
	ike_addr l = sa->local, r = sa->remote;
	if (sa->conn->natt_port)
		l.port = sa->conn->natt_port;
	else if (l.port == V1_IKE_PORT)
		l.port = V1_NATT_PORT;
	if (r.port == V1_IKE_PORT)
		r.port = V1_NATT_PORT;
	move(sa, now, &l, &r,
	     sa->nat_forced && !sa->nat_local && !sa->nat_remote
		     ? "UDP encapsulation forced: NAT-T ports from the ID payload on (RFC 3947 4)"
		     : "NAT detected: NAT-T ports from the ID payload on (RFC 3947 4)");
}

void v1_natt_input(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c, const ike_addr *from,
		   const ike_addr *to)
{
	if (!sa->natt || sa->initiator || sa->state != V2_IKE_CONNECTING)
		return;
	bool am3 = h->exchange == V1_EXCH_AGGRESSIVE && sa->aggressive && sa->expect == 3;
	bool mm5 = h->exchange == V1_EXCH_ID_PROT && !sa->aggressive && sa->expect == 5;
	if (am3) /* AM3's NAT-D hash the addresses of AM1/AM2, which the SA still has */
		v1_natt_check(sa, now, c);
	if ((am3 || mm5) && (!v2_same_addr(&sa->remote, from) || !v2_same_addr(&sa->local, to)))
		move(sa, now, to, from, am3 ? "Aggressive Mode 3 on the NAT-T ports" : "Main Mode 5 on the NAT-T ports");
}

void v1_natt_follow(v1_ike_sa *sa, ike_time now, const ike_addr *from, const ike_addr *to)
{
	/* RFC 3947 7: only the side not behind a NAT follows, and only a peer behind one */
	if (!v1_natt_active(sa) || sa->nat_local || !sa->nat_remote || sa->state != V2_IKE_ESTABLISHED)
		return;
	if (!v2_same_addr(&sa->remote, from) && from->family == sa->remote.family)
		move(sa, now, to, from, "authenticated message from the NAT'ed peer's new address");
}

void v1_natt_p2_offer(const v1_ike_sa *sa, v1_sa *offer)
{
	if (!v1_natt_active(sa))
		return;
	for (uint8_t i = 0; i < offer->n; i++)
		for (uint8_t j = 0; j < offer->prop[i].n; j++) {
			v1_transform *t = &offer->prop[i].t[j];
			for (uint8_t k = 0; k < t->nattr; k++) {
				v1_attr *a = &t->attr[k];
				if (a->type != V1_IA_ENCAP || !a->tv)
					continue;
				bool tr = a->value == V1_ENCAP_TRANSPORT;
				a->value = draft(sa) ? (tr ? V1_ENCAP_UDP_TRANSPORT_DRAFT : V1_ENCAP_UDP_TUNNEL_DRAFT)
						     : (tr ? V1_ENCAP_UDP_TRANSPORT : V1_ENCAP_UDP_TUNNEL);
			}
		}
}

static void natoa_of(const ike_addr *a, v1_natoa *oa)
{
	memset(oa, 0, sizeof(*oa));
	oa->id_type = a->family == 4 ? V1_ID_IPV4_ADDR : V1_ID_IPV6_ADDR;
	memcpy(oa->addr, a->ip, a->family == 4 ? 4 : 16);
}

void v1_natt_add_natoa(const v1_ike_sa *sa, v1_builder *b)
{
	/* RFC 3947 5.2: transport mode only, the initiator's original address first, then the responder's */
	if (!v1_natt_active(sa) || sa->conn->children[0].mode != IKE_MODE_TRANSPORT)
		return;
	v1_natoa oi, orr;
	natoa_of(sa->initiator ? &sa->local : &sa->remote, &oi);
	natoa_of(sa->initiator ? &sa->remote : &sa->local, &orr);
	uint8_t type = draft(sa) ? V1_PL_NATOA_DRAFT : V1_PL_NATOA;
	v1_add_natoa(b, type, &oi);
	v1_add_natoa(b, type, &orr);
}

void v1_natt_up(v1_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *c = sa->conn;
	sa->ka_at = IKE_TIME_NEVER;
	if (c->keepalive > 0 && sa->natt && (sa->nat_local || sa->nat_forced) && sa->peer->host.send_raw)
		sa->ka_at = now + c->keepalive;
}

void v1_natt_keepalive(v1_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *c = sa->conn;
	if (c->keepalive <= 0 || sa->state != V2_IKE_ESTABLISHED || !sa->peer->host.send_raw) {
		sa->ka_at = IKE_TIME_NEVER;
		return;
	}
	if (sa->last_tx + c->keepalive > now) { /* we sent something meanwhile: that refreshed the mapping */
		sa->ka_at = sa->last_tx + c->keepalive;
		return;
	}
	static const uint8_t ka[1] = { 0xFF }; /* RFC 3948 2.3 */
	sa->last_tx = now;
	sa->peer->host.send_raw(sa->peer->host.ctx, &sa->local, &sa->remote, ka, sizeof(ka));
	sa->ka_at = now + c->keepalive;
	if (!sa->peer->host.trace)
		return;
	char a[64];
	ike_jsonw w;
	ike_jsonw_init(&w);
	v2_addr_str(&sa->local, a, sizeof(a));
	ike_jsonw_str(&w, "from", a);
	v2_addr_str(&sa->remote, a, sizeof(a));
	ike_jsonw_str(&w, "to", a);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(sa->peer, now, "ike.keepalive", &w);
}
