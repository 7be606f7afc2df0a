/* Internal layout of credentials and verified peer certificates (engine/crypto only). */
#ifndef IKE_CRYPTO_CERT_INT_H
#define IKE_CRYPTO_CERT_INT_H

#include <openssl/x509.h>

#include "crypto/cert.h"

struct ike_cred {
	X509 *cert;
	uint8_t *cert_der;
	size_t cert_der_len;
	size_t n_chain;
	X509 *chain[IKE_CERT_MAX_CHAIN];
	uint8_t *chain_der[IKE_CERT_MAX_CHAIN];
	size_t chain_der_len[IKE_CERT_MAX_CHAIN];
	EVP_PKEY *key;
	X509_STORE *store;
	STACK_OF(X509) *cas;
	int64_t check_time; /* 0 = validity periods not checked */
	bool no_rfc7427;    /* legacy signature methods only (tests, old peers) */
	bool rsa_pss;       /* sign method 14 with RSASSA-PSS instead of PKCS#1 v1.5 */
};

struct ike_peer_cert {
	X509 *cert;
	EVP_PKEY *pub; /* owned by cert */
};

#endif
