/*
 * Quick Mode (RFC 2409 5.5): HASH(1) SA Ni [KE] IDci IDcr / HASH(2) SA Nr [KE] IDci IDcr / HASH(3), each sealed
 * with the exchange's own IV; KEYMAT per SPI from SKEYID_d, with g(qm)^xy when PFS was agreed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/prf.h"
#include "crypto/registry.h"
#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static const ike_crypto *cry(const v1_ike_sa *sa) { return sa->peer->cfg.crypto; }

/* A selector as an ID payload: IPV4/IPV6_ADDR_SUBNET (address and mask: our selectors are prefixes). */
static void ts_id(const ike_ts *t, v1_id *id, uint8_t *buf)
{
	size_t al = t->family == 4 ? 4 : 16;
	for (size_t i = 0; i < al; i++) {
		buf[i] = t->start[i];
		buf[al + i] = (uint8_t)~(t->start[i] ^ t->end[i]);
	}
	*id = (v1_id){ .type = t->family == 4 ? V1_ID_IPV4_ADDR_SUBNET : V1_ID_IPV6_ADDR_SUBNET,
		       .protocol = t->ip_proto, .data = buf, .len = 2 * al };
}

bool v1_id_ts(const v1_payload *p, ike_ts *t)
{
	v1_id id;
	if (!p || v1_parse_id(p->body, p->len, p->offset + 4u, &id, NULL) != V1_OK)
		return false;
	bool v4 = id.type == V1_ID_IPV4_ADDR || id.type == V1_ID_IPV4_ADDR_SUBNET || id.type == V1_ID_IPV4_ADDR_RANGE;
	size_t al = v4 ? 4 : 16;
	/* a single address (charon's IDs for /32 and /128 selectors), or two of them (subnet, range) */
	size_t want = id.type == V1_ID_IPV4_ADDR || id.type == V1_ID_IPV6_ADDR ? al : 2 * al;
	if (id.len != want)
		return false;
	memset(t, 0, sizeof(*t));
	t->family = al == 4 ? 4 : 6;
	t->ip_proto = id.protocol;
	t->end_port = 65535;
	if (id.type == V1_ID_IPV4_ADDR_SUBNET || id.type == V1_ID_IPV6_ADDR_SUBNET) {
		for (size_t i = 0; i < al; i++) {
			t->start[i] = id.data[i] & id.data[al + i];
			t->end[i] = (uint8_t)(id.data[i] | (uint8_t)~id.data[al + i]);
		}
		return true;
	}
	if (id.type == V1_ID_IPV4_ADDR || id.type == V1_ID_IPV6_ADDR) {
		memcpy(t->start, id.data, al);
		memcpy(t->end, id.data, al);
		return true;
	}
	if (id.type == V1_ID_IPV4_ADDR_RANGE || id.type == V1_ID_IPV6_ADDR_RANGE) {
		memcpy(t->start, id.data, al);
		memcpy(t->end, id.data + al, al);
		return true;
	}
	return false;
}

/* The payloads after HASH in a decrypted message: what HASH(1)/HASH(2) cover (padding excluded). */
static bool rest_of(const v1_chain *c, const uint8_t *pt, size_t ptl, const uint8_t **r, size_t *n)
{
	if (c->n < 1 || c->pl[0].type != V1_PL_HASH)
		return false;
	size_t start = c->n > 1 ? (size_t)c->pl[1].offset - V1_HDR_LEN : ptl - c->pad;
	*r = pt + start;
	*n = ptl - c->pad - start;
	return true;
}

/* QM1 or QM2 built with the HASH patched in, then sealed and sent. */
static void send_qm(v1_ike_sa *sa, ike_time now, const v1_sa *sap, bool waiting)
{
	v1_child *ch = &sa->child;
	uint8_t m[V1_MSG_MAX], zero[IKE_V1_MAX_HASH] = { 0 }, bi[32], br[32];
	v1_header h = { .cky_i = sa->cky_i, .cky_r = sa->cky_r, .major = 1, .exchange = V1_EXCH_QUICK,
			.msg_id = ch->msg_id };
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	v1_add_data(&b, V1_PL_HASH, zero, sa->k.len);
	size_t at = v1_last_body(&b);
	v1_add_sa(&b, sap);
	v1_add_data(&b, V1_PL_NONCE, ch->qm_init ? ch->ni : ch->nr, V1_NONCE_LEN);
	if (ch->dh)
		v1_add_ke(&b, ch->gy, ike_dh_public_len(ch->alg.pfs));
	v1_id idi, idr;
	ts_id(ch->qm_init ? &ch->ts_local : &ch->ts_remote, &idi, bi);
	ts_id(ch->qm_init ? &ch->ts_remote : &ch->ts_local, &idr, br);
	v1_add_id(&b, &idi);
	v1_add_id(&b, &idr);
	v1_natt_add_natoa(sa, &b);
	size_t len = v1_finish(&b, 0), rest = at + sa->k.len;
	int rc = !len ? -1
	      : ch->qm_init ? ike_v1_hash1(cry(sa), &sa->k, ch->msg_id, m + rest, len - rest, m + at)
			      : ike_v1_hash2(cry(sa), &sa->k, ch->msg_id, ch->ni, ch->ni_len, m + rest, len - rest, m + at);
	if (rc) {
		v1_trace_error(sa->peer, now, sa, "send", "Quick Mode message could not be built", 0);
		return;
	}
	v1_send(sa, now, m, len, &ch->iv, waiting, NULL);
}

/* Our PFS key pair when the child's proposals (initiator) or the agreed one (responder) have a group. */
static bool pfs_keygen(v1_ike_sa *sa, uint16_t group)
{
	v1_child *ch = &sa->child;
	if (!group)
		return true;
	return ike_dh_generate(cry(sa), group, &sa->peer->rng, &ch->dh) == 0 &&
	       ike_dh_public(ch->dh, ch->gy, sizeof(ch->gy)) == 0;
}

void v1_qm_start(v1_ike_sa *sa, ike_time now)
{
	v1_child *ch = &sa->child;
	const ike_child_cfg *cc = &sa->conn->children[0];
	memset(ch, 0, sizeof(*ch));
	ch->used = true;
	ch->qm_init = true;
	ch->rekey_at = IKE_TIME_NEVER;
	do
		ike_drbg_bytes(&sa->peer->rng, &ch->msg_id, sizeof(ch->msg_id));
	while (!ch->msg_id);
	ike_drbg_bytes(&sa->peer->rng, &ch->spi_in, sizeof(ch->spi_in));
	ch->spi_in |= 0xc0000000u; /* never a reserved SPI (1..255) */
	ike_drbg_bytes(&sa->peer->rng, ch->ni, V1_NONCE_LEN);
	ch->ni_len = V1_NONCE_LEN;
	ch->ts_local = cc->local_ts[0];
	if (sa->vip_set) /* Mode Config gave us a virtual IP: it is our side of the tunnel */
		v1_vip_ts(sa, &ch->ts_local);
	ch->ts_remote = cc->remote_ts[0];
	uint16_t pfs = cc->esp.n && cc->esp.p[0].n_dh ? cc->esp.p[0].dh[0].id : 0;
	ch->alg.pfs = pfs;
	v1_sa offer;
	uint32_t life = cc->life.rekey ? (uint32_t)((cc->life.rekey + cc->life.over) / IKE_NS_PER_SEC) : 3600u;
	v1_child_go(sa, now, V1_T_C_I_START, NULL);
	bool ok = v1_p2_offer(cc, ch->spi_in, life, &offer);
	v1_natt_p2_offer(sa, &offer); /* RFC 3947 5.1: UDP-Encapsulated modes */
	if (!ok || !pfs_keygen(sa, pfs) ||
	    v1_iv_phase2(cry(sa), &sa->ci, &sa->p1iv, ch->msg_id, &ch->iv) != 0) {
		v1_child_go(sa, now, V1_T_C_FAILED, "no usable ESP proposal");
		return;
	}
	send_qm(sa, now, &offer, true);
}

/* KEYMAT for both SPIs: [KEYMAT(spi_in) | KEYMAT(spi_out)], each encryption key then integrity key. */
static bool keymat(v1_ike_sa *sa, ike_time now, const uint8_t *peer_gy, size_t gy_len)
{
	v1_child *ch = &sa->child;
	size_t ek = v1_encr_key_bytes(ch->alg.encr, ch->alg.encr_keylen);
	if (!ek)
		return false;
	size_t one = ek + (ch->alg.integ ? v1_integ_key_bytes(ch->alg.integ) : 0);
	uint8_t g[V1_GX_MAX];
	size_t gl = 0;
	if (ch->dh) {
		gl = ike_dh_secret_len(ch->alg.pfs);
		if (!peer_gy || ike_dh_derive(cry(sa), ch->dh, peer_gy, gy_len, g, sizeof(g)) != 0)
			return false;
	}
	ch->keymat = malloc(2 * one);
	ch->km_len = 2 * one;
	bool ok = ch->keymat &&
		  ike_v1_keymat(cry(sa), &sa->k, gl ? g : NULL, gl, V1_PROTO_ESP, ch->spi_in, ch->ni, ch->ni_len, ch->nr,
				ch->nr_len, ch->keymat, one) == 0 &&
		  ike_v1_keymat(cry(sa), &sa->k, gl ? g : NULL, gl, V1_PROTO_ESP, ch->spi_out, ch->ni, ch->ni_len,
				ch->nr, ch->nr_len, ch->keymat + one, one) == 0;
	OPENSSL_cleanse(g, sizeof(g));
	if (ok)
		v1_trace_kdf(sa, now, "KEYMAT", gl ? "[\"SKEYID_d\",\"g(qm)^xy (PFS)\",\"protocol\",\"SPI\",\"Ni\",\"Nr\"]"
						   : "[\"SKEYID_d\",\"protocol\",\"SPI\",\"Ni\",\"Nr\"]",
			     ch->keymat, 2 * one);
	return ok;
}

/* Nonce and (PFS) KE of the peer's QM1/QM2; checks the KE matches the agreed group. */
static bool take_nonce_ke(v1_ike_sa *sa, const v1_chain *c, const v1_payload **ke)
{
	v1_child *ch = &sa->child;
	const v1_payload *no = v1_chain_find(c, V1_PL_NONCE);
	*ke = v1_chain_find(c, V1_PL_KE);
	if (!no || no->len < 8 || no->len > V1_NONCE_LEN)
		return false;
	memcpy(ch->qm_init ? ch->nr : ch->ni, no->body, no->len);
	*(ch->qm_init ? &ch->nr_len : &ch->ni_len) = no->len;
	if (!ch->alg.pfs)
		return !*ke;
	return *ke && (*ke)->len == ike_dh_public_len(ch->alg.pfs);
}

static enum ike_input_result fail_child(v1_ike_sa *sa, ike_time now, const char *why, uint16_t notify)
{
	if (notify)
		v1_send_notify(sa, now, notify);
	sa->peer->rec[sa->conn_idx].last_error = notify;
	v1_trace_error(sa->peer, now, sa, "Quick Mode", why, notify);
	if (sa->child.state == V2_CHILD_INSTALLING)
		v1_child_go(sa, now, V1_T_C_FAILED, why);
	v1_event(sa, now, IKE_EV_CHILD_FAILED, notify, why);
	v1_qm_abandon(sa, now);
	return IKE_INPUT_REFUSED;
}

void v1_qm_abandon(v1_ike_sa *sa, ike_time now)
{
	if (sa->old.used) { /* a failed rekey: the IPsec SA it would have replaced stays the current one */
		v1_child_wipe(&sa->child);
		sa->child = sa->old;
		memset(&sa->old, 0, sizeof(sa->old));
		if (sa->child.rekey_at != IKE_TIME_NEVER) /* its rekey time has passed: retry in a few seconds, not at once */
			sa->child.rekey_at = v2_retry_at(sa->peer, now);
	}
	sa->waiting = false;
	sa->timer_at = IKE_TIME_NEVER;
}

static bool ts_inside(const ike_ts *got, const ike_ts *cfg)
{
	ike_ts x;
	return ike_ts_intersect(got, cfg, &x) && !memcmp(&x, got, sizeof(x));
}

static enum ike_input_result responder_qm1(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	v1_child *ch = &sa->child;
	const ike_child_cfg *cc = &sa->conn->children[0];
	const v1_payload *sp = v1_chain_find(c, V1_PL_SA), *ke;
	v1_sa offer, reply;
	ike_drbg_bytes(&sa->peer->rng, &ch->spi_in, sizeof(ch->spi_in));
	ch->spi_in |= 0xc0000000u; /* before the row, so its trace names the SPI */
	v1_child_go(sa, now, V1_T_C_R_START, NULL);
	if (!sp || v1_parse_sa(sp->body, sp->len, sp->offset + 4u, &offer, NULL) != V1_OK ||
	    !v1_p2_select(cc, &offer, ch->spi_in, &ch->alg, &reply, &ch->spi_out))
		return fail_child(sa, now, "no acceptable ESP proposal", V1_N_NO_PROPOSAL_CHOSEN);
	if (!take_nonce_ke(sa, c, &ke))
		return fail_child(sa, now, "Nonce missing or KE not matching the agreed PFS group", V1_N_PAYLOAD_MALFORMED);
	ike_ts ti, tr, peer_ts = cc->remote_ts[0];
	if (sa->vip_set) /* a road warrior with an address from our pool: only that address */
		v1_vip_ts(sa, &peer_ts);
	if (!v1_id_ts(v1_chain_find_nth(c, V1_PL_ID, 0), &ti) || !v1_id_ts(v1_chain_find_nth(c, V1_PL_ID, 1), &tr) ||
	    !ts_inside(&ti, &peer_ts) || !ts_inside(&tr, &cc->local_ts[0]))
		return fail_child(sa, now, "IDci/IDcr outside our traffic selectors", V1_N_INVALID_ID_INFORMATION);
	ch->ts_remote = ti;
	ch->ts_local = tr;
	ike_drbg_bytes(&sa->peer->rng, ch->nr, V1_NONCE_LEN);
	ch->nr_len = V1_NONCE_LEN;
	if (!pfs_keygen(sa, ch->alg.pfs) || !keymat(sa, now, ke ? ke->body : NULL, ke ? ke->len : 0))
		return fail_child(sa, now, "KEYMAT could not be derived", 0);
	send_qm(sa, now, &reply, true); /* the responder retransmits QM2 until HASH(3) comes */
	return IKE_INPUT_PROCESSED;
}

/* The new IPsec SA is up: its rekey time (initiator), the SA it replaces deleted, an ISAKMP SA it replaces too. */
static void installed(v1_ike_sa *sa, ike_time now)
{
	v1_child *ch = &sa->child;
	const ike_life_cfg *l = &sa->conn->children[0].life;
	if (l->rekey > 0) { /* either side renews on its own timer, as strongSwan lets both */
		uint64_t j = 0;
		if (l->rand > 0)
			ike_drbg_bytes(&sa->peer->rng, &j, sizeof(j));
		ch->rekey_at = now + l->rekey - (l->rand > 0 ? (ike_time)(j % (uint64_t)l->rand) : 0);
	}
	v1_trace_selected(sa, now, true);
	v1_event(sa, now, IKE_EV_CHILD_UP, 0, NULL);
	if (sa->old.used && sa->old.state == V2_CHILD_INSTALLED && ch->rekey_of == sa->old.spi_in)
		v1_trace_child_rekeyed(sa, now);
	if (ch->qm_init && sa->old.used && sa->old.state == V2_CHILD_INSTALLED) { /* our renewal: the old one goes */
		uint8_t spi[4];
		ike_put_u32(spi, sa->old.spi_in);
		v1_delete d = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ESP, .spi_size = 4, .n = 1, .spis = spi };
		v1_send_info(sa, now, NULL, &d, 1, false);
		v1_old_gone(sa, now, V1_T_C_REKEYED, NULL);
	}
	if (sa->initiator && sa->replaces_i) {
		for (v1_ike_sa *o = sa->peer->v1_sas; o; o = o->next)
			if (o != sa && o->cky_i == sa->replaces_i && o->cky_r == sa->replaces_r &&
			    o->state == V2_IKE_ESTABLISHED) {
				v1_trace_ike_rekeyed(o, sa, now);
				v1_delete_sa(o, now, "replaced by a new ISAKMP SA");
				break;
			}
		sa->replaces_i = sa->replaces_r = 0;
	}
}

void v1_qm_rekey(v1_ike_sa *sa, ike_time now)
{
	sa->old = sa->child;
	sa->child.keymat = NULL; /* owned by old now */
	sa->child.dh = NULL;
	v1_qm_start(sa, now);
	sa->child.rekey_of = sa->old.spi_in;
}

void v1_p1_rekey(v1_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	sa->replaced = true;
	if (v1_initiate(p, now, sa->conn_idx) == 0 && p->v1_sas && p->v1_sas != sa && p->v1_sas->initiator &&
	    p->v1_sas->conn_idx == sa->conn_idx && p->v1_sas->state == V2_IKE_CONNECTING) {
		p->v1_sas->replaces_i = sa->cky_i;
		p->v1_sas->replaces_r = sa->cky_r;
	}
}

static enum ike_input_result initiator_qm2(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	v1_child *ch = &sa->child;
	const v1_payload *sp = v1_chain_find(c, V1_PL_SA), *ke;
	v1_sa reply;
	uint16_t want_pfs = ch->alg.pfs;
	if (!sp || v1_parse_sa(sp->body, sp->len, sp->offset + 4u, &reply, NULL) != V1_OK ||
	    !v1_p2_from_reply(&reply, &ch->alg, &ch->spi_out) || ch->alg.pfs != want_pfs)
		return fail_child(sa, now, "the responder's ESP SA is not acceptable", 0);
	if (!take_nonce_ke(sa, c, &ke) || !keymat(sa, now, ke ? ke->body : NULL, ke ? ke->len : 0))
		return fail_child(sa, now, "Nonce/KE missing or KEYMAT failed", 0);
	uint8_t m[V1_MSG_MAX], h3[IKE_V1_MAX_HASH];
	v1_header h = { .cky_i = sa->cky_i, .cky_r = sa->cky_r, .major = 1, .exchange = V1_EXCH_QUICK,
			.msg_id = ch->msg_id };
	if (ike_v1_hash3(cry(sa), &sa->k, ch->msg_id, ch->ni, ch->ni_len, ch->nr, ch->nr_len, h3) != 0)
		return fail_child(sa, now, "HASH(3) failed", 0);
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	v1_add_data(&b, V1_PL_HASH, h3, sa->k.len);
	size_t len = v1_finish(&b, 0);
	v1_send(sa, now, m, len, &ch->iv, false, NULL);
	v1_child_go(sa, now, V1_T_C_I_DONE, NULL);
	installed(sa, now);
	return IKE_INPUT_PROCESSED;
}

/* The peer's Quick Mode 1 crossed our own renewal (both timers fired within a round trip). IKEv1 has no rule for
 * it; ours: the ISAKMP SA initiator's Quick Mode goes on, so its side drops the peer's (false) and the other side
 * gives its own up (true: the message is then taken as the peer's Quick Mode 1). */
static bool crossed(v1_ike_sa *sa, ike_time now)
{
	if (sa->initiator || !sa->old.used) {
		v1_trace_error(sa->peer, now, sa, "drop", "the peer's Quick Mode crossed ours: ours goes on", 0);
		return false;
	}
	v1_child_go(sa, now, V1_T_C_FAILED, "crossed the peer's Quick Mode: the ISAKMP SA initiator's goes on");
	v1_qm_abandon(sa, now);
	return true;
}

enum ike_input_result v1_qm_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c,
				 const uint8_t *pt, size_t pt_len)
{
	v1_child *ch = &sa->child;
	const uint8_t *rest;
	size_t rn;
	uint8_t want[IKE_V1_MAX_HASH];
	if (!rest_of(c, pt, pt_len, &rest, &rn) || c->pl[0].len != sa->k.len)
		return IKE_INPUT_DROPPED;
	int rc;
	if (ch->used && ch->state == V2_CHILD_INSTALLING && ch->qm_init && h->msg_id != ch->msg_id) {
		/* another Quick Mode 1 while ours runs: authenticated first, then one of the two gives way */
		if (ike_v1_hash1(cry(sa), &sa->k, h->msg_id, rest, rn, want) != 0 ||
		    CRYPTO_memcmp(c->pl[0].body, want, sa->k.len)) {
			v1_trace_error(sa->peer, now, sa, "drop", "Quick Mode HASH does not verify", 0);
			return IKE_INPUT_DROPPED;
		}
		if (!crossed(sa, now))
			return IKE_INPUT_DROPPED;
	}
	uint8_t step = !ch->used ? 1 : ch->state == V2_CHILD_INSTALLING ? (ch->qm_init ? 2 : 3) : 0;
	if ((ch->state == V2_CHILD_INSTALLED || ch->state == V2_CHILD_DESTROYING) && h->msg_id != ch->msg_id &&
	    !sa->old.used)
		step = 1; /* a new Quick Mode: a rekey (the installed SA stays until its Delete), or after one ended */
	bool moved = false;
	if (step == 1 && !sa->initiator && !v1_xauth_passed(sa)) {
		v1_trace_error(sa->peer, now, sa, "drop", "Quick Mode before XAUTH succeeded", 0);
		return IKE_INPUT_DROPPED;
	}
	if (step == 1) {
		const v1_payload *no = v1_chain_find(c, V1_PL_NONCE);
		if (!no || no->len > V1_NONCE_LEN) { /* checked before the installed IPsec SA is set aside */
			v1_trace_error(sa->peer, now, sa, "drop", "Quick Mode 1 without a usable Nonce", 0);
			return IKE_INPUT_DROPPED;
		}
		if (ch->state == V2_CHILD_INSTALLED) {
			sa->old = *ch;
			ch->keymat = NULL;
			ch->dh = NULL;
			moved = true;
		} else
			v1_child_wipe(ch); /* a failed or deleted one: nothing of it is kept */
		memset(ch, 0, sizeof(*ch));
		ch->used = true;
		ch->rekey_at = IKE_TIME_NEVER;
		ch->rekey_of = moved ? sa->old.spi_in : 0;
		ch->msg_id = h->msg_id;
		ch->iv = sa->next_iv;
		rc = ike_v1_hash1(cry(sa), &sa->k, h->msg_id, rest, rn, want);
	} else if (step == 2)
		rc = ike_v1_hash2(cry(sa), &sa->k, h->msg_id, ch->ni, ch->ni_len, rest, rn, want);
	else if (step == 3) {
		rc = ike_v1_hash3(cry(sa), &sa->k, h->msg_id, ch->ni, ch->ni_len, ch->nr, ch->nr_len, want);
	} else {
		v1_trace_error(sa->peer, now, sa, "drop", "Quick Mode message in no state to take it", 0);
		return IKE_INPUT_DROPPED;
	}
	if (rc || CRYPTO_memcmp(c->pl[0].body, want, sa->k.len)) {
		v1_trace_error(sa->peer, now, sa, "drop", "Quick Mode HASH does not verify", 0);
		if (step == 1 && moved) { /* not a rekey after all: the installed SA comes back */
			v1_child_wipe(ch);
			*ch = sa->old;
			memset(&sa->old, 0, sizeof(sa->old));
		} else if (step == 1)
			ch->used = false;
		return IKE_INPUT_DROPPED;
	}
	ch->iv = sa->next_iv;
	if (step == 1)
		return responder_qm1(sa, now, c);
	if (step == 2)
		return initiator_qm2(sa, now, c);
	sa->waiting = false;
	sa->timer_at = IKE_TIME_NEVER;
	v1_child_go(sa, now, V1_T_C_R_DONE, NULL);
	installed(sa, now);
	return IKE_INPUT_PROCESSED;
}
