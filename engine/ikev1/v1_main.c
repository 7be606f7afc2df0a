/*
 * Main Mode with pre-shared keys (RFC 2409 5, 5.4): SA / SA, KE Ni / KE Nr, then ID HASH_I / ID HASH_R
 * encrypted with keys from SKEYID = prf(PSK, Ni_b | Nr_b). `sa->expect` is the message number we wait for.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_sa.h"
#include "peer/peer.h"

#define NOT_OURS IKE_INPUT_DROPPED

int v1_initiate(ike_peer *p, ike_time now, size_t conn)
{
	const ike_conn_cfg *cc = &p->cfg.conns[conn];
	if (cc->aggressive)
		return v1_am_initiate(p, now, conn);
	v1_ike_sa *sa = v1_sa_new(p, conn, true, &cc->local, &cc->remote, now);
	if (!sa)
		return -1;
	do
		ike_drbg_bytes(&p->rng, &sa->cky_i, sizeof(sa->cky_i));
	while (!sa->cky_i);
	v1_sa offer;
	uint8_t m[V1_MSG_MAX];
	v1_header h;
	v1_p1_header(sa, &h);
	v1_builder b;
	v1_begin(&b, m, sizeof(m), &h);
	bool ok = v1_p1_offer(cc, &offer);
	v1_add_sa(&b, &offer);
	size_t at = v1_last_body(&b), end = b.w.len; /* SAi_b: the SA body alone, whatever VIDs follow */
	v1_add_vids(&b);
	v1_natt_vid(sa, &b);
	size_t len = v1_finish(&b, 0);
	v1_ike_go(sa, now, V1_T_I_START, NULL);
	if (!ok || !len || !v1_keep_sai(sa, m + at, end - at)) {
		v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, ok ? "Main Mode 1 could not be built" : "no IKEv1 proposal");
		return 0;
	}
	sa->expect = 2;
	v1_send(sa, now, m, len, NULL, true, NULL);
	return 0;
}

static enum ike_input_result initiator(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c)
{
	uint8_t m[V1_MSG_MAX];
	size_t len;
	if (sa->expect == 2) {
		const v1_payload *sp = v1_chain_find(c, V1_PL_SA);
		v1_sa reply;
		if (!sp || v1_parse_sa(sp->body, sp->len, sp->offset + 4u, &reply, NULL) != V1_OK ||
		    !v1_p1_from_reply(&reply, &sa->alg)) {
			v1_fail(sa, now, V1_T_NO_PROP, V1_N_NO_PROPOSAL_CHOSEN, "the responder's SA is not acceptable");
			return IKE_INPUT_REFUSED;
		}
		sa->cky_r = h->cky_r;
		v1_natt_take_vids(sa, c);
		if (!(len = v1_build_ke(sa, m))) {
			v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, NULL);
			return IKE_INPUT_PROCESSED;
		}
		sa->expect = 4;
		v1_send(sa, now, m, len, NULL, true, NULL);
		return IKE_INPUT_PROCESSED;
	}
	if (sa->expect == 4) {
		if (!v1_take_ke_nonce(sa, now, c))
			return IKE_INPUT_DROPPED;
		v1_natt_check(sa, now, c);
		if (!v1_derive(sa, now) || !(len = v1_build_auth(sa, m))) {
			v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, "key derivation failed");
			return IKE_INPUT_PROCESSED;
		}
		v1_natt_float(sa, now); /* RFC 3947 4: MM5 goes from and to port 4500 */
		sa->expect = 6;
		v1_send(sa, now, m, len, &sa->p1iv, true, NULL);
		return IKE_INPUT_PROCESSED;
	}
	const char *bad = v1_check_peer(sa, now, c);
	if (bad) {
		v1_fail(sa, now, V1_T_AUTH_FAILED, V1_N_AUTHENTICATION_FAILED, bad);
		return IKE_INPUT_REFUSED;
	}
	sa->p1iv = sa->next_iv;
	sa->waiting = false;
	sa->timer_at = IKE_TIME_NEVER;
	v1_established(sa, now, V1_T_I_AUTH_OK);
	v1_after_phase1(sa, now); /* Quick Mode, or XAUTH / Mode Config first */
	return IKE_INPUT_PROCESSED;
}

static enum ike_input_result responder(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	uint8_t m[V1_MSG_MAX];
	size_t len;
	if (sa->expect == 1) {
		const v1_payload *sp = v1_chain_find(c, V1_PL_SA);
		v1_sa offer, reply;
		if (!sp || v1_parse_sa(sp->body, sp->len, sp->offset + 4u, &offer, NULL) != V1_OK ||
		    !v1_p1_select(sa->conn, &offer, &sa->alg, &reply)) {
			v1_send_notify(sa, now, V1_N_NO_PROPOSAL_CHOSEN);
			v1_fail(sa, now, V1_T_R_REFUSED, V1_N_NO_PROPOSAL_CHOSEN, "no acceptable proposal in Main Mode 1");
			return IKE_INPUT_REFUSED;
		}
		v1_header h;
		v1_p1_header(sa, &h);
		v1_builder b;
		v1_begin(&b, m, sizeof(m), &h);
		v1_add_sa(&b, &reply);
		v1_add_vids(&b);
		v1_natt_take_vids(sa, c);
		v1_natt_vid(sa, &b);
		if (!v1_keep_sai(sa, sp->body, sp->len) || !(len = v1_finish(&b, 0))) {
			v1_ike_go(sa, now, V1_T_R_START, NULL);
			v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, NULL);
			return IKE_INPUT_PROCESSED;
		}
		v1_ike_go(sa, now, V1_T_R_START, NULL);
		sa->expect = 3;
		v1_send(sa, now, m, len, NULL, false, NULL);
		return IKE_INPUT_PROCESSED;
	}
	if (sa->expect == 3) {
		if (!v1_take_ke_nonce(sa, now, c))
			return IKE_INPUT_DROPPED;
		v1_natt_check(sa, now, c);
		if (!(len = v1_build_ke(sa, m)) || !v1_derive(sa, now)) {
			v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, "key derivation failed");
			return IKE_INPUT_PROCESSED;
		}
		sa->expect = 5;
		v1_send(sa, now, m, len, NULL, false, NULL);
		return IKE_INPUT_PROCESSED;
	}
	const char *bad = v1_check_peer(sa, now, c);
	if (bad) {
		v1_send_notify(sa, now, V1_N_AUTHENTICATION_FAILED);
		v1_fail(sa, now, V1_T_AUTH_FAILED, V1_N_AUTHENTICATION_FAILED, bad);
		return IKE_INPUT_REFUSED;
	}
	sa->p1iv = sa->next_iv;
	if (!(len = v1_build_auth(sa, m))) {
		v1_fail(sa, now, V1_T_LOCAL_FAIL, 0, NULL);
		return IKE_INPUT_PROCESSED;
	}
	v1_send(sa, now, m, len, &sa->p1iv, false, NULL);
	v1_established(sa, now, V1_T_R_AUTH_OK);
	v1_ic_check(sa, now, c); /* MM5 is encrypted: its INITIAL-CONTACT is protected */
	v1_after_phase1(sa, now); /* a gateway with XAUTH users asks for them now */
	return IKE_INPUT_PROCESSED;
}

enum ike_input_result v1_mm_recv(v1_ike_sa *sa, ike_time now, const v1_header *h, const v1_chain *c)
{
	if (!sa->expect || sa->aggressive) {
		v1_trace_error(sa->peer, now, sa, "drop", "Main Mode message after phase 1 completed or in Aggressive Mode", 0);
		return NOT_OURS;
	}
	bool enc = (h->flags & V1_F_ENCRYPTION) != 0, want_enc = sa->expect >= 5;
	if (enc != want_enc || (sa->expect % 2 == 0) != sa->initiator) {
		v1_trace_error(sa->peer, now, sa, "drop", "unexpected Main Mode message", 0);
		return NOT_OURS;
	}
	return sa->initiator ? initiator(sa, now, h, c) : responder(sa, now, c);
}
