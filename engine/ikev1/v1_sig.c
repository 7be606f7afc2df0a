/*
 * Main Mode with RSA signatures (RFC 2409 5.1): MM5/MM6 carry ID CERT SIG; SIG is the PKCS#1 v1.5 signature of
 * HASH_I/HASH_R itself (crypto/sig_v1.h); the certificate must chain to our CA and name the sender's ID.
 */
#include <string.h>

#include "crypto/cert.h"
#include "crypto/sig_v1.h"
#include "ikev1/v1_sa.h"
#include "peer/peer.h"

#define V1_SIG_MAX 1024 /* RSA up to 8192 bits */

size_t v1_build_sig_auth(v1_ike_sa *sa, uint8_t *m)
{
	uint8_t idb[4 + IKE_ID_MAX], hash[IKE_V1_MAX_HASH], sig[V1_SIG_MAX];
	size_t cert_len = 0, sig_len = 0;
	const uint8_t *cert = sa->conn->cred ? ike_cred_cert_der(sa->conn->cred, &cert_len) : NULL;
	v1_id id;
	size_t idl = v1_our_id(sa, &id, idb, sizeof(idb));
	if (!cert || !idl ||
	    ike_v1_hash_auth(sa->peer->cfg.crypto, &sa->k, !sa->initiator, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len,
			     sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, idb, idl, hash) != 0 ||
	    ike_sig_v1_rsa_sign(sa->peer->cfg.crypto, ike_cred_pkey(sa->conn->cred), hash, sa->k.len, sig, sizeof(sig),
				&sig_len) != 0)
		return 0;
	if (sa->peer->host.charge)
		sa->peer->host.charge(sa->peer->host.ctx, IKE_CHARGE_SIGN, (uint32_t)sig_len * 8, sa->k.len);
	v1_header h;
	v1_p1_header(sa, &h);
	v1_builder b;
	v1_begin(&b, m, V1_MSG_MAX, &h);
	v1_add_id(&b, &id);
	v1_add_cert(&b, V1_PL_CERT, V1_CERT_X509_SIG, cert, cert_len);
	v1_add_data(&b, V1_PL_SIG, sig, sig_len);
	v1_ic_add(&b, sa); /* MM5 only: we initiate */
	return v1_finish(&b, 0);
}

void v1_add_certreqs(v1_builder *b, const v1_ike_sa *sa)
{
	uint8_t dn[1024];
	int n;
	if (sa->alg.auth != V1_AUTH_RSA_SIG || !sa->conn->cred)
		return;
	/* one CR a trusted CA, named by its DN: charon then sends its certificate without send_cert = always */
	for (size_t i = 0; i < 4 && (n = ike_cred_ca_dn(sa->conn->cred, i, dn, sizeof(dn))) > 0; i++)
		v1_add_cert(b, V1_PL_CR, V1_CERT_X509_SIG, dn, (size_t)n);
}

const char *v1_check_sig(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	const v1_payload *idp = v1_chain_find(c, V1_PL_ID), *cp = v1_chain_find(c, V1_PL_CERT);
	const v1_payload *sp = v1_chain_find(c, V1_PL_SIG);
	v1_id id;
	v1_cert cert;
	if (!idp || !cp || !sp || v1_parse_id(idp->body, idp->len, 0, &id, NULL) != V1_OK ||
	    v1_parse_cert(cp->body, cp->len, 0, &cert, NULL) != V1_OK || cert.encoding != V1_CERT_X509_SIG)
		return "ID, CERT (X.509) or SIG missing";
	if (!sa->conn->cred)
		return "no credentials to check a certificate with";
	ike_peer_cert *pc = NULL;
	char why[160];
	if (ike_peer_cert_verify(sa->conn->cred, cert.data, cert.len, NULL, NULL, 0, &pc, why, sizeof(why)) != 0)
		return "the peer's certificate is not trusted";
	uint8_t want[IKE_V1_MAX_HASH];
	const char *bad = NULL;
	if (!ike_peer_cert_matches_id(pc, id.type, id.data, id.len) ||
	    !ike_id_matches(&sa->conn->remote_id, id.type, id.data, id.len))
		bad = "the peer's ID is not the configured one or not in its certificate";
	else if (ike_v1_hash_auth(sa->peer->cfg.crypto, &sa->k, sa->initiator, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len,
				  sa->cky_i, sa->cky_r, sa->sai_b, sa->sai_len, idp->body, idp->len, want) != 0 ||
		 ike_sig_v1_rsa_verify(sa->peer->cfg.crypto, ike_peer_cert_pkey(pc), want, sa->k.len, sp->body,
				       sp->len) != 0)
		bad = sa->initiator ? "SIG_R does not verify" : "SIG_I does not verify";
	if (sa->peer->host.charge)
		sa->peer->host.charge(sa->peer->host.ctx, IKE_CHARGE_VERIFY, (uint32_t)sp->len * 8, sa->k.len);
	if (!bad) {
		char subject[256];
		ike_peer_cert_subject(pc, subject, sizeof(subject));
		v1_ic_keep_id(sa, idp->body, idp->len);
		v1_trace_verified(sa, now, idp->body, idp->len, subject);
	}
	ike_peer_cert_free(pc);
	return bad;
}
