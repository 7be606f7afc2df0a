/*
 * RSASSA-PSS for RFC 7427 AUTH data (engine/crypto only): the id-RSASSA-PSS AlgorithmIdentifier with its
 * RSASSA-PSS-params (RFC 4055 section 3.1), EMSA-PSS encoding (RFC 8017 9.1.1) with the salt drawn from the
 * engine's DRBG, and verification through OpenSSL's PSS verifier.
 */
#ifndef IKE_CRYPTO_SIG_PSS_H
#define IKE_CRYPTO_SIG_PSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/drbg.h"

/* Length of the AlgorithmIdentifier we send (RFC 7427 A.4.3 layout, whatever the hash). */
#define IKE_PSS_ALGID_LEN 72

/* What RSASSA-PSS-params say, defaults filled in; hash ids are RFC 7427 ones, 0 = a hash we do not know. */
typedef struct ike_pss_params {
	uint8_t hash, mgf_hash;
	bool mgf1; /* the mask generation function is MGF1 */
	uint32_t salt, trailer;
} ike_pss_params;

/* True if der (an AlgorithmIdentifier) starts SEQUENCE { OID id-RSASSA-PSS ...: ours to parse. */
bool ike_pss_is(const uint8_t *der, size_t len);

/*
 * Parses the whole AlgorithmIdentifier der[0..len) strictly (definite minimal lengths, no trailing bytes,
 * fields in order). base = der's offset in the AUTH data, for messages. 0; -IKE_CRYPTO_EINVAL with what
 * naming the field and offset; -IKE_CRYPTO_EUNSUPPORTED with what naming the scheme (hash, MGF, trailer).
 */
int ike_pss_parse(const uint8_t *der, size_t len, size_t base, ike_pss_params *out, char *what, size_t cap);

/* Writes our AlgorithmIdentifier for hash (SHA-256/384/512, MGF1 with it, salt = its length) into out. */
int ike_pss_algid(uint8_t hash, uint8_t out[IKE_PSS_ALGID_LEN]);

/*
 * Verifies sig over data[] with pub as the AlgorithmIdentifier der says. 0, -IKE_CRYPTO_EAUTH (does not
 * verify), or EINVAL / EUNSUPPORTED (also salt too long for the key, or not an RSA key) with what set.
 */
int ike_pss_verify(const ike_crypto *c, EVP_PKEY *pub, const uint8_t *der, size_t dlen, size_t base,
		   const uint8_t *sig, size_t slen, const ike_iov *data, size_t n, char *what, size_t cap);

/* RSASSA-PSS signature (k octets) over data[] with hash, MGF1 with it, salt of its length from rng. */
int ike_pss_sign(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, ike_drbg *rng, const ike_iov *data, size_t n,
		 uint8_t *out, size_t cap, size_t *len);
/* The same with the salt given (the hash's length): a crypto job draws it before it runs. */
int ike_pss_sign_salt(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, const uint8_t *salt, const ike_iov *data,
		      size_t n, uint8_t *out, size_t cap, size_t *len);

#endif
