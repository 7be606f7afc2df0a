/*
 * Public-key authentication (RFC 7296 2.15, 3.6-3.8; RFC 7427; RFC 4754): SIGNATURE_HASH_ALGORITHMS and
 * CERTREQ in IKE_SA_INIT, CERT + signature AUTH in IKE_AUTH, and the checks on the peer's side of it.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/cert.h"
#include "crypto/hash.h"
#include "crypto/sig.h"
#include "ikev2/sa.h"
#include "peer/job.h"

#define MAX_CERTREQ_CAS 16

static bool pubkey(const v2_ike_sa *sa)
{
	return sa->conn && sa->conn->auth == IKE_AUTH_PUBKEY && sa->conn->cred;
}

void v2_sig_add_certreq(const v2_ike_sa *sa, v2_builder *b)
{
	uint8_t req[MAX_CERTREQ_CAS * IKE_SHA1_LEN];
	int n = pubkey(sa) ? ike_cred_certreq(sa->conn->cred, req, sizeof(req)) : -1;
	if (n > 0)
		v2_add_cert(b, V2_PL_CERTREQ, IKE_CERT_X509_SIG, req, (size_t)n);
}

void v2_sig_add_init(const v2_ike_sa *sa, v2_builder *b, bool response)
{
	if (!pubkey(sa))
		return;
	if (response)
		v2_sig_add_certreq(sa, b); /* the initiator sends its own in IKE_AUTH */
	if (!ike_cred_rfc7427(sa->conn->cred))
		return;
	uint8_t h[6];
	size_t n = 0;
	for (uint8_t id = IKE_SIGHASH_SHA256; id <= IKE_SIGHASH_SHA512; id++, n += 2)
		ike_put_u16(h + n, id);
	v2_add_notify(b, 0, NULL, 0, V2_N_SIGNATURE_HASH_ALGORITHMS, h, n);
}

void v2_sig_read_init(v2_ike_sa *sa, const v2_chain *outer)
{
	const v2_payload *pl = v2_chain_find_notify(outer, V2_N_SIGNATURE_HASH_ALGORITHMS);
	v2_notify n;
	sa->peer_hashes = 0;
	if (!pl || v2_parse_notify(pl->body, pl->len, &n) != V2_OK)
		return;
	for (size_t i = 0; i + 1 < n.len; i += 2) {
		uint16_t id = ike_get_u16(n.data + i);
		if (id < 16)
			sa->peer_hashes |= (uint16_t)(1u << id);
	}
	/* An empty list still announces RFC 7427 support: remember that with an otherwise unused bit. */
	sa->peer_hashes |= 1u;
}

void v2_sig_add_certs(const v2_ike_sa *sa, v2_builder *b)
{
	if (!pubkey(sa))
		return;
	size_t len;
	const uint8_t *der = ike_cred_cert_der(sa->conn->cred, &len);
	v2_add_cert(b, V2_PL_CERT, IKE_CERT_X509_SIG, der, len);
	for (size_t i = 0; (der = ike_cred_chain_der(sa->conn->cred, i, &len)) != NULL; i++)
		v2_add_cert(b, V2_PL_CERT, IKE_CERT_X509_SIG, der, len);
}


int v2_sig_job(v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len, ike_job_resume resume,
	       ike_job **out, const char **why)
{
	uint8_t maced[IKE_PRF_MAX_OUT], hash = 0, method = 0;
	ike_iov so[3];
	*out = NULL;
	*why = "cannot sign our AUTH payload";
	if (!pubkey(sa)) {
		*why = "public-key authentication configured without a credential";
		return -1;
	}
	EVP_PKEY *key = ike_cred_pkey(sa->conn->cred);
	uint16_t hashes = ike_cred_rfc7427(sa->conn->cred) ? sa->peer_hashes : 0;
	if (ike_sig_choose(key, hashes, &method, &hash) != 0 ||
	    v2_signed_octets(sa, for_initiator, id_body, id_len, maced, so) != 0)
		return -1;
	bool pss = method == V2_AUTH_DIGITAL_SIGNATURE && ike_cred_rsa_pss(sa->conn->cred) && ike_sig_is_rsa(key);
	uint32_t arg = ike_sig_charge_arg(key);
	ike_job *j = ike_job_sign(sa->peer, sa, sa->peer->cfg.crypto, key, method, hash, pss, &sa->peer->rng, so, 3, arg,
				  resume);
	OPENSSL_cleanse(maced, sizeof(maced));
	if (!j)
		return -1;
	v2_charge(sa->peer, IKE_CHARGE_SIGN, arg, so[0].len + so[1].len + so[2].len);
	*out = j;
	return 0;
}

/* The peer's end-entity certificate is the first X.509 CERT; later ones are intermediates. */
static int collect_certs(const v2_chain *inner, v2_cert *ee, const uint8_t **chain, size_t *chain_len,
			 size_t *n_chain)
{
	int found = 0;
	*n_chain = 0;
	for (uint8_t i = 0; i < inner->n; i++) {
		v2_cert c;
		if (inner->pl[i].type != V2_PL_CERT || v2_parse_cert(inner->pl[i].body, inner->pl[i].len, &c) != V2_OK ||
		    c.encoding != IKE_CERT_X509_SIG)
			continue;
		if (!found++)
			*ee = c;
		else if (*n_chain < IKE_CERT_MAX_CHAIN) {
			chain[*n_chain] = c.data;
			chain_len[(*n_chain)++] = c.len;
		}
	}
	return found ? 0 : -1;
}

static bool sig_method(uint8_t m)
{
	return m == V2_AUTH_RSA_SIG || m == V2_AUTH_ECDSA_256 || m == V2_AUTH_ECDSA_384 || m == V2_AUTH_ECDSA_521 ||
	       m == V2_AUTH_DIGITAL_SIGNATURE;
}

/* auth.verified: which method and signature scheme the peer used, and whose certificate it was. */
static void trace_verified(const v2_ike_sa *sa, ike_time now, const ike_peer_cert *pc, const v2_auth *a)
{
	ike_peer *p = sa->peer;
	if (!v2_tracing(p))
		return;
	char subject[256], scheme[96];
	ike_sig_describe(a->method, a->data, a->len, ike_sig_is_rsa(ike_peer_cert_pkey(pc)), scheme, sizeof(scheme));
	ike_peer_cert_subject(pc, subject, sizeof(subject));
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_int(&w, "method", a->method);
	ike_jsonw_str(&w, "scheme", scheme);
	ike_jsonw_str(&w, "subject", subject);
	v2_emit(p, now, "auth.verified", &w);
}

bool v2_sig_verify(const v2_ike_sa *sa, ike_time now, bool initiator_auth, const v2_chain *inner, const v2_payload *pid,
		   const v2_id *id, const v2_auth *a, char *why, size_t cap)
{
	v2_cert ee;
	const uint8_t *chain[IKE_CERT_MAX_CHAIN];
	size_t chain_len[IKE_CERT_MAX_CHAIN], n_chain = 0;
	char detail[128];
	ike_peer_cert *pc = NULL;
	bool ok = false;
	if (!pubkey(sa))
		snprintf(why, cap, "public-key authentication configured without a credential");
	else if (!sig_method(a->method))
		snprintf(why, cap, "peer used authentication method %u, not a signature", a->method);
	else if (collect_certs(inner, &ee, chain, chain_len, &n_chain) != 0)
		snprintf(why, cap, "peer sent no X.509 certificate");
	else if (ike_peer_cert_verify(sa->conn->cred, ee.data, ee.len, chain, chain_len, n_chain, &pc, detail,
				      sizeof(detail)) != 0)
		snprintf(why, cap, "certificate not trusted: %s", detail);
	else if (!ike_peer_cert_matches_id(pc, id->type, id->data, id->len))
		snprintf(why, cap, "ID does not match certificate");
	else {
		uint8_t maced[IKE_PRF_MAX_OUT];
		ike_iov so[3];
		char what[160] = "";
		EVP_PKEY *pub = ike_peer_cert_pkey(pc);
		int rc = v2_signed_octets(sa, initiator_auth, pid->body, pid->len, maced, so) != 0
				 ? -IKE_CRYPTO_EOSSL
				 : ike_sig_verify_why(sa->peer->cfg.crypto, pub, a->method, a->data, a->len, so, 3, what,
						      sizeof(what));
		v2_charge(sa->peer, IKE_CHARGE_VERIFY, ike_sig_charge_arg(pub), so[0].len + so[1].len + so[2].len);
		ok = rc == 0;
		/* RFC 7427 section 5: a scheme we cannot check is AUTHENTICATION_FAILED too, but say which it was. */
		if (rc == -IKE_CRYPTO_EUNSUPPORTED)
			snprintf(why, cap, "unsupported signature scheme %s", what);
		else if (rc == -IKE_CRYPTO_EINVAL)
			snprintf(why, cap, "malformed AUTH data: %s", what);
		else if (rc == -IKE_CRYPTO_EAUTH)
			snprintf(why, cap, "signature does not verify");
		else if (rc)
			snprintf(why, cap, "cannot check the signature: %s", ike_crypto_strerror(rc));
		else
			trace_verified(sa, now, pc, a);
	}
	ike_peer_cert_free(pc);
	return ok;
}
