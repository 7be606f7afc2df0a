/*
 * PSK authentication (RFC 7296 2.15):
 * AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <SignedOctets>), where the initiator's SignedOctets are
 * its IKE_SA_INIT request | Nr | prf(SK_pi, IDi body), and the responder's its response | Ni | prf(SK_pr, IDr body).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/prf.h"
#include "ikev2/sa.h"

static const char key_pad[] = "Key Pad for IKEv2";

int v2_signed_octets(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len,
		     uint8_t maced_id[IKE_PRF_MAX_OUT], ike_iov out[3])
{
	const ike_crypto *c = sa->peer->cfg.crypto;
	size_t n = ike_prf_out_len(sa->algs.prf);
	const uint8_t *sk_p = for_initiator ? v2_key_pi(sa) : v2_key_pr(sa);
	const uint8_t *msg = for_initiator ? sa->init_i : sa->init_r;
	size_t msg_len = for_initiator ? sa->init_i_len : sa->init_r_len;
	const uint8_t *nonce = for_initiator ? sa->nr : sa->ni;
	size_t nonce_len = for_initiator ? sa->nr_len : sa->ni_len;
	if (!n || !msg || !nonce)
		return -1;
	ike_iov id = { id_body, id_len };
	if (ike_prf(c, sa->algs.prf, sk_p, sa->prf_len, &id, 1, maced_id) != 0)
		return -1;
	out[0] = (ike_iov){ msg, msg_len };
	out[1] = (ike_iov){ nonce, nonce_len };
	out[2] = (ike_iov){ maced_id, n };
	return 0;
}

int v2_psk_auth(const v2_ike_sa *sa, bool for_initiator, const uint8_t *id_body, size_t id_len, uint8_t *out,
		size_t *out_len)
{
	const ike_crypto *c = sa->peer->cfg.crypto;
	uint16_t prf = sa->algs.prf;
	size_t n = ike_prf_out_len(prf);
	uint8_t maced_id[IKE_PRF_MAX_OUT], inner_key[IKE_PRF_MAX_OUT];
	ike_iov signed_octets[3];
	if (!sa->conn || !sa->conn->psk || v2_signed_octets(sa, for_initiator, id_body, id_len, maced_id, signed_octets) != 0)
		return -1;
	ike_iov pad = { (const uint8_t *)key_pad, sizeof(key_pad) - 1 };
	if (ike_prf(c, prf, sa->conn->psk, sa->conn->psk_len, &pad, 1, inner_key) != 0)
		return -1;
	int rc = ike_prf(c, prf, inner_key, n, signed_octets, 3, out);
	OPENSSL_cleanse(inner_key, sizeof(inner_key));
	v2_charge(sa->peer, IKE_CHARGE_PRF, prf, signed_octets[0].len);
	*out_len = n;
	return rc;
}
