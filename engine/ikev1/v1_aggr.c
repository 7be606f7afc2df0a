/*
 * Aggressive Mode with pre-shared keys (RFC 2409 5): SA KE Ni IDii / SA KE Nr IDir HASH_R / HASH_I. One DH group
 * only (the KE goes with the offer), identities in clear, and the third message in clear as RFC 2409 writes it
 * (HDR, HASH_I): the phase 1 IV is then never advanced and Quick Mode IVs start from HASH(g^xi | g^xr).
 */
#include <string.h>

#include "ikev1/v1_sa.h"
#include "peer/peer.h"

/* Keeps only the transforms with the first one's group: our KE already fixes it. */
static void one_group(v1_sa *offer)
{
	v1_proposal *pr = &offer->prop[0];
	v1_p1_attrs a0, a;
	if (!pr->n || v1_decode_p1(&pr->t[0], &a0, NULL) != V1_OK)
		return;
	uint8_t n = 0;
	for (uint8_t i = 0; i < pr->n; i++)
		if (v1_decode_p1(&pr->t[i], &a, NULL) == V1_OK && a.group == a0.group) {
			pr->t[n] = pr->t[i];
			pr->t[n].num = (uint8_t)(n + 1);
			n++;
		}
	pr->n = n;
}

/* SA KE No ID [HASH_R]: messages 1 and 2 (the SA is the offer or the reply). */
static size_t build_12(v1_ike_sa *sa, const v1_sa *sap, uint8_t *m, bool with_hash)
{
	uint8_t idb[4 + IKE_ID_MAX], hash[IKE_V1_MAX_HASH];
	v1_id id;
	size_t idl = v1_our_id(sa, &id, idb, sizeof(idb));
	if (!idl)
		return 0;
	v1_header h;
	v1_p1_header(sa, &h);
	v1_builder b;
	v1_begin(&b, m, V1_MSG_MAX, &h);
	v1_add_sa(&b, sap);
	size_t at = v1_last_body(&b), end = b.w.len;
	v1_add_ke(&b, sa->initiator ? sa->gxi : sa->gxr, sa->gx_len);
	v1_add_data(&b, V1_PL_NONCE, sa->initiator ? sa->ni : sa->nr, V1_NONCE_LEN);
	v1_add_id(&b, &id);
	if (with_hash) {
		if (ike_v1_hash_auth(sa->peer->cfg.crypto, &sa->k, true, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len,
				     sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, idb, idl, hash) != 0)
			return 0;
		v1_add_data(&b, V1_PL_HASH, hash, sa->k.len);
	}
	v1_add_vids(&b);
	v1_natt_vid(sa, &b);
	if (with_hash) /* RFC 3947 3.2: AM2 carries NAT-D */
		v1_natt_add_natd(sa, &b);
	size_t len = v1_finish(&b, 0);
	if (len && sa->initiator && !v1_keep_sai(sa, m + at, end - at))
		return 0;
	return len;
}

int v1_am_initiate(ike_peer *p, ike_time now, size_t conn)
{
	const ike_conn_cfg *cc = &p->cfg.conns[conn];
	v1_ike_sa *sa = v1_sa_new(p, conn, true, &cc->local, &cc->remote, now);
	if (!sa)
		return -1;
	sa->aggressive = true;
	do
		ike_drbg_bytes(&p->rng, &sa->cky_i, sizeof(sa->cky_i));
	while (!sa->cky_i);
	v1_sa offer;
	uint8_t m[V1_MSG_MAX];
	bool ok = v1_p1_offer(cc, &offer);
	v1_p1_attrs a;
	v1_ike_go(sa, now, V1_T_AM_I_START, NULL);
	if (ok) {
		one_group(&offer);
		ok = v1_decode_p1(&offer.prop[0].t[0], &a, NULL) == V1_OK;
		sa->alg.group = a.group;
	}
	size_t len = ok && v1_keygen(sa) ? build_12(sa, &offer, m, false) : 0;
	if (!len) {
		v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, ok ? "Aggressive Mode 1 could not be built" : "no IKEv1 proposal");
		return 0;
	}
	sa->expect = 2;
	v1_send(sa, now, m, len, NULL, true, NULL);
	return 0;
}

static enum ike_input_result responder_1(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	const v1_payload *sp = v1_chain_find(c, V1_PL_SA), *idp = v1_chain_find(c, V1_PL_ID);
	v1_sa offer, reply;
	uint8_t m[V1_MSG_MAX];
	if (!sa->conn->aggressive || !sp || !idp || idp->len > sizeof(sa->peer_id) ||
	    v1_parse_sa(sp->body, sp->len, sp->offset + 4u, &offer, NULL) != V1_OK ||
	    !v1_p1_select(sa->conn, &offer, &sa->alg, &reply)) {
		v1_send_notify(sa, now, V1_N_NO_PROPOSAL_CHOSEN);
		v1_fail(sa, now, V1_T_R_REFUSED, V1_N_NO_PROPOSAL_CHOSEN,
			sa->conn->aggressive ? "no acceptable proposal in Aggressive Mode 1"
					     : "Aggressive Mode is not enabled on this connection");
		return IKE_INPUT_REFUSED;
	}
	v1_ike_go(sa, now, V1_T_AM_R_START, NULL);
	memcpy(sa->peer_id, idp->body, idp->len);
	sa->peer_id_len = idp->len;
	v1_natt_take_vids(sa, c);
	size_t len = 0;
	if (!v1_take_ke_nonce(sa, now, c) || !v1_keep_sai(sa, sp->body, sp->len) || !v1_keygen(sa) ||
	    !v1_derive(sa, now) || !(len = build_12(sa, &reply, m, true))) {
		v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, "Aggressive Mode 2 could not be built");
		return IKE_INPUT_PROCESSED;
	}
	sa->expect = 3;
	v1_send(sa, now, m, len, NULL, true, NULL); /* retransmitted until HASH_I comes */
	return IKE_INPUT_PROCESSED;
}

static enum ike_input_result initiator_2(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c)
{
	const v1_payload *sp = v1_chain_find(c, V1_PL_SA), *idp = v1_chain_find(c, V1_PL_ID);
	v1_sa reply;
	uint16_t group = sa->alg.group;
	if (!sp || v1_parse_sa(sp->body, sp->len, sp->offset + 4u, &reply, NULL) != V1_OK ||
	    !v1_p1_from_reply(&reply, &sa->alg) || sa->alg.group != group) {
		v1_fail(sa, now, V1_T_NO_PROP, V1_N_NO_PROPOSAL_CHOSEN, "the responder's SA is not acceptable");
		return IKE_INPUT_REFUSED;
	}
	sa->cky_r = h->cky_r;
	if (!v1_take_ke_nonce(sa, now, c))
		return IKE_INPUT_DROPPED;
	v1_natt_take_vids(sa, c);
	if (!v1_derive(sa, now)) {
		v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, "key derivation failed");
		return IKE_INPUT_PROCESSED;
	}
	v1_natt_check(sa, now, c);
	const char *bad = v1_check_auth(sa, idp ? idp->body : NULL, idp ? idp->len : 0, v1_chain_find(c, V1_PL_HASH));
	if (bad) {
		v1_send_notify(sa, now, V1_N_AUTHENTICATION_FAILED);
		v1_fail(sa, now, V1_T_AUTH_FAILED, V1_N_AUTHENTICATION_FAILED, bad);
		return IKE_INPUT_REFUSED;
	}
	v1_ic_keep_id(sa, idp->body, idp->len);
	v1_trace_verified(sa, now, idp->body, idp->len, NULL);
	uint8_t m[V1_MSG_MAX], idb[4 + IKE_ID_MAX], hash[IKE_V1_MAX_HASH];
	v1_id id;
	size_t idl = v1_our_id(sa, &id, idb, sizeof(idb));
	v1_header hh;
	v1_p1_header(sa, &hh);
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &hh);
	size_t len = 0;
	if (idl && ike_v1_hash_auth(sa->peer->cfg.crypto, &sa->k, false, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len,
				    sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, idb, idl, hash) == 0) {
		v1_add_data(&b, V1_PL_HASH, hash, sa->k.len);
		v1_natt_add_natd(sa, &b); /* over the addresses of AM1/AM2, before the move */
		len = v1_finish(&b, 0);
	}
	if (!len) {
		v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, "Aggressive Mode 3 could not be built");
		return IKE_INPUT_PROCESSED;
	}
	v1_natt_float(sa, now); /* RFC 3947 4: AM3 goes from and to port 4500 */
	v1_send(sa, now, m, len, NULL, false, NULL);
	v1_established(sa, now, V1_T_AM_I_OK);
	v1_after_phase1(sa, now);
	return IKE_INPUT_PROCESSED;
}

enum ike_input_result v1_am_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c)
{
	/* AM3 may come encrypted (charon does: the phase 1 IV then advances), AM1/AM2 never */
	bool enc = (h->flags & V1_F_ENCRYPTION) != 0;
	if (!sa->aggressive || !sa->expect || (enc && sa->expect != 3) || (sa->expect == 2) != sa->initiator) {
		v1_trace_error(sa->peer, now, sa, "drop", "unexpected Aggressive Mode message", 0);
		return IKE_INPUT_DROPPED;
	}
	if (sa->expect == 1)
		return responder_1(sa, now, c);
	if (sa->expect == 2)
		return initiator_2(sa, now, h, c);
	const char *bad = v1_check_auth(sa, sa->peer_id, sa->peer_id_len, v1_chain_find(c, V1_PL_HASH));
	if (bad) {
		v1_send_notify(sa, now, V1_N_AUTHENTICATION_FAILED);
		v1_fail(sa, now, V1_T_AUTH_FAILED, V1_N_AUTHENTICATION_FAILED, bad);
		return IKE_INPUT_REFUSED;
	}
	v1_ic_keep_id(sa, sa->peer_id, sa->peer_id_len);
	v1_trace_verified(sa, now, sa->peer_id, sa->peer_id_len, NULL);
	if (enc) /* Quick Mode IVs derive from AM3's last ciphertext block */
		sa->p1iv = sa->next_iv;
	sa->waiting = false;
	sa->timer_at = IKE_TIME_NEVER;
	v1_established(sa, now, V1_T_AM_R_OK);
	if (enc) /* charon's encrypted AM3 may carry INITIAL-CONTACT; in a clear one it would be unprotected */
		v1_ic_check(sa, now, c);
	v1_after_phase1(sa, now);
	return IKE_INPUT_PROCESSED;
}
