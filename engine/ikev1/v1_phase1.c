/*
 * Phase 1 pieces shared by Main Mode and Aggressive Mode (RFC 2409 5): our ID, the initiator's SA body, the
 * KE and nonce, SKEYID (PSK) with SKEYID_d/a/e and the cipher, HASH_I/HASH_R, and the ESTABLISHED step.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_sa.h"
#include "peer/peer.h"

static const ike_crypto *cry(const v1_ike_sa *sa) { return sa->peer->cfg.crypto; }

void v1_p1_header(const v1_ike_sa *sa, v1_header *h)
{
	*h = (v1_header){ .cky_i = sa->cky_i, .cky_r = sa->cky_r, .major = 1,
			  .exchange = sa->aggressive ? V1_EXCH_AGGRESSIVE : V1_EXCH_ID_PROT };
}

/* Our ID payload (RFC 2407 4.6.2) and its body bytes as HASH_I/R hash them. */
size_t v1_our_id(const v1_ike_sa *sa, v1_id *id, uint8_t *body, size_t cap)
{
	const ike_id *c = &sa->conn->local_id;
	*id = (v1_id){ .type = c->type, .data = c->data, .len = c->len };
	if (!c->type) { /* %any: our address */
		id->type = sa->local.family == 4 ? V1_ID_IPV4_ADDR : V1_ID_IPV6_ADDR;
		id->data = sa->local.ip;
		id->len = sa->local.family == 4 ? 4 : 16;
	}
	if (4 + id->len > cap)
		return 0;
	body[0] = id->type;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, id->data, id->len);
	return 4 + id->len;
}

bool v1_keep_sai(v1_ike_sa *sa, const uint8_t *b, size_t n)
{
	free(sa->sai_b);
	sa->sai_b = malloc(n ? n : 1);
	if (!sa->sai_b)
		return false;
	memcpy(sa->sai_b, b, n);
	sa->sai_len = n;
	return true;
}

void v1_add_vids(v1_builder *b)
{
	size_t n;
	const uint8_t *v = v1_vid_bytes(V1_VID_DPD, &n); /* taken before the call: argument order is unspecified */
	v1_add_data(b, V1_PL_VID, v, n);
}

/* KE and nonce of the peer from MM3/MM4; false (and a trace) when missing or of the wrong size. */
bool v1_take_ke_nonce(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	const v1_payload *ke = v1_chain_find(c, V1_PL_KE), *no = v1_chain_find(c, V1_PL_NONCE);
	size_t gl = ike_dh_public_len(sa->alg.group);
	if (!ke || !no || ke->len != gl || gl > V1_GX_MAX || no->len < 8 || no->len > V1_NONCE_LEN) {
		v1_trace_error(sa->peer, now, sa, "drop", "KE or Nonce missing or of the wrong size", 0);
		return false;
	}
	memcpy(sa->initiator ? sa->gxr : sa->gxi, ke->body, gl);
	memcpy(sa->initiator ? sa->nr : sa->ni, no->body, no->len);
	*(sa->initiator ? &sa->nr_len : &sa->ni_len) = no->len;
	return true;
}

bool v1_keygen(v1_ike_sa *sa)
{
	if (ike_dh_generate(cry(sa), sa->alg.group, &sa->peer->rng, &sa->dh) != 0)
		return false;
	sa->gx_len = ike_dh_public_len(sa->alg.group);
	uint8_t *gx = sa->initiator ? sa->gxi : sa->gxr, *n = sa->initiator ? sa->ni : sa->nr;
	if (ike_dh_public(sa->dh, gx, V1_GX_MAX) != 0)
		return false;
	ike_drbg_bytes(&sa->peer->rng, n, V1_NONCE_LEN);
	*(sa->initiator ? &sa->ni_len : &sa->nr_len) = V1_NONCE_LEN;
	if (sa->peer->host.charge)
		sa->peer->host.charge(sa->peer->host.ctx, IKE_CHARGE_DH_KEYGEN, sa->alg.group, 0);
	return true;
}

/* Our DH value and nonce, and MM3/MM4 (KE No) built into m. */
size_t v1_build_ke(v1_ike_sa *sa, uint8_t *m)
{
	if (!v1_keygen(sa))
		return 0;
	const uint8_t *gx = sa->initiator ? sa->gxi : sa->gxr, *n = sa->initiator ? sa->ni : sa->nr;
	v1_header h;
	v1_p1_header(sa, &h);
	v1_builder b;
	v1_begin(&b, m, V1_MSG_MAX, &h);
	v1_add_ke(&b, gx, sa->gx_len);
	v1_add_data(&b, V1_PL_NONCE, n, V1_NONCE_LEN);
	v1_add_certreqs(&b, sa);
	v1_natt_add_natd(sa, &b); /* RFC 3947 3.2: MM3/MM4 carry NAT-D */
	return v1_finish(&b, 0);
}

/* g^xy, SKEYID (PSK: prf(PSK, Ni|Nr); signatures: prf(Ni|Nr, g^xy)), SKEYID_d/a/e, the cipher, the phase 1 IV. */
bool v1_derive(v1_ike_sa *sa, ike_time now)
{
	uint8_t gxy[V1_GX_MAX];
	size_t sl = ike_dh_secret_len(sa->alg.group);
	const uint8_t *peer = sa->initiator ? sa->gxr : sa->gxi;
	const ike_conn_cfg *cc = sa->conn;
	sa->k.hash = sa->alg.hash;
	sa->k.len = (uint8_t)ike_v1_hash_len(sa->alg.hash);
	bool sig = sa->alg.auth == V1_AUTH_RSA_SIG;
	bool ok = sl <= sizeof(gxy) && ike_dh_derive(cry(sa), sa->dh, peer, sa->gx_len, gxy, sizeof(gxy)) == 0 &&
		  (sig ? ike_v1_skeyid_sig(cry(sa), sa->alg.hash, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gxy, sl,
					   sa->k.skeyid)
		       : ike_v1_skeyid_psk(cry(sa), sa->alg.hash, cc->psk, cc->psk_len, sa->ni, sa->ni_len, sa->nr,
					   sa->nr_len, sa->k.skeyid)) == 0 &&
		  ike_v1_skeyids(cry(sa), &sa->k, gxy, sl, sa->cky_i, sa->cky_r) == 0 &&
		  v1_cipher_init(cry(sa), &sa->k, v1_p1_cipher(&sa->alg), sa->alg.key_len, &sa->ci) == 0 &&
		  v1_iv_phase1(cry(sa), &sa->ci, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len, &sa->p1iv) == 0;
	OPENSSL_cleanse(gxy, sizeof(gxy));
	if (sa->peer->host.charge)
		sa->peer->host.charge(sa->peer->host.ctx, IKE_CHARGE_DH_DERIVE, sa->alg.group, 0);
	if (!ok)
		return false;
	sa->keyed = true;
	v1_trace_kdf(sa, now, "SKEYID", sig ? "[\"Ni\",\"Nr\",\"g^xy\"]" : "[\"PSK\",\"Ni\",\"Nr\"]", sa->k.skeyid,
		     sa->k.len);
	v1_trace_kdf(sa, now, "SKEYID_d", "[\"SKEYID\",\"g^xy\",\"CKY-I\",\"CKY-R\",\"0\"]", sa->k.skeyid_d, sa->k.len);
	v1_trace_kdf(sa, now, "SKEYID_a", "[\"SKEYID\",\"SKEYID_d\",\"g^xy\",\"CKY-I\",\"CKY-R\",\"1\"]", sa->k.skeyid_a,
		     sa->k.len);
	v1_trace_kdf(sa, now, "SKEYID_e", "[\"SKEYID\",\"SKEYID_a\",\"g^xy\",\"CKY-I\",\"CKY-R\",\"2\"]", sa->k.skeyid_e,
		     sa->k.len);
	v1_trace_kdf(sa, now, "Ka", "[\"SKEYID_e\"]", sa->ci.key, sa->ci.key_len);
	return true;
}

/* MM5 / MM6: ID HASH_I or HASH_R (ID CERT SIG with signatures), sealed with the phase 1 IV. */
size_t v1_build_auth(v1_ike_sa *sa, uint8_t *m)
{
	if (sa->alg.auth == V1_AUTH_RSA_SIG)
		return v1_build_sig_auth(sa, m);
	uint8_t idb[4 + IKE_ID_MAX], hash[IKE_V1_MAX_HASH];
	v1_id id;
	size_t idl = v1_our_id(sa, &id, idb, sizeof(idb));
	if (!idl || ike_v1_hash_auth(cry(sa), &sa->k, !sa->initiator, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len,
				     sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, idb, idl, hash) != 0)
		return 0;
	v1_header h;
	v1_p1_header(sa, &h);
	v1_builder b;
	v1_begin(&b, m, V1_MSG_MAX, &h);
	v1_add_id(&b, &id);
	v1_add_data(&b, V1_PL_HASH, hash, sa->k.len);
	v1_ic_add(&b, sa); /* MM5 only: we initiate */
	return v1_finish(&b, 0);
}

/* NULL when the peer's HASH_I/HASH_R over its ID body verifies and the ID is the configured one; else why not. */
const char *v1_check_auth(v1_ike_sa *sa, const uint8_t *id_b, size_t id_len, const v1_payload *hp)
{
	uint8_t want[IKE_V1_MAX_HASH];
	v1_id id;
	if (!id_b || !hp || v1_parse_id(id_b, id_len, 0, &id, NULL) != V1_OK)
		return "ID or HASH missing (wrong pre-shared key?)";
	if (ike_v1_hash_auth(cry(sa), &sa->k, sa->initiator, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len, sa->cky_i,
			     sa->cky_r, sa->sai_b, sa->sai_len, id_b, id_len, want) != 0 ||
	    hp->len != sa->k.len || CRYPTO_memcmp(hp->body, want, sa->k.len))
		return sa->initiator ? "HASH_R does not verify (wrong pre-shared key?)"
				     : "HASH_I does not verify (wrong pre-shared key?)";
	if (!ike_id_matches(&sa->conn->remote_id, id.type, id.data, id.len))
		return "the peer's ID is not the one configured";
	return NULL;
}

const char *v1_check_peer(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	if (sa->alg.auth == V1_AUTH_RSA_SIG)
		return v1_check_sig(sa, now, c);
	const v1_payload *idp = v1_chain_find(c, V1_PL_ID);
	const char *bad = v1_check_auth(sa, idp ? idp->body : NULL, idp ? idp->len : 0, v1_chain_find(c, V1_PL_HASH));
	if (!bad) {
		v1_ic_keep_id(sa, idp->body, idp->len);
		v1_trace_verified(sa, now, idp->body, idp->len, NULL);
	}
	return bad;
}

void v1_established(v1_ike_sa *sa, ike_time now, enum v1_ike_tr t)
{
	sa->expect = 0;
	v1_ike_go(sa, now, t, NULL);
	ike_conn_rec *r = &sa->peer->rec[sa->conn_idx];
	r->timed_out = false;
	const ike_life_cfg *l = &sa->conn->ike_life;
	ike_time life = l->rekey && (!l->reauth || l->rekey < l->reauth) ? l->rekey : l->reauth;
	if (sa->initiator && life > 0) { /* IKEv1 renews phase 1 as a new Main Mode (strongSwan reauthenticates) */
		uint64_t j = 0;
		if (l->rand > 0)
			ike_drbg_bytes(&sa->peer->rng, &j, sizeof(j));
		sa->p1_rekey_at = now + life - (l->rand > 0 ? (ike_time)(j % (uint64_t)l->rand) : 0);
	}
	v1_trace_selected(sa, now, false);
	v1_natt_up(sa, now);
	v1_event(sa, now, IKE_EV_IKE_UP, 0, NULL);
}

