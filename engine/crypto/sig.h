/*
 * Signatures over IKEv2 AUTH octets (RFC 7296 2.15, 3.8): RSA PKCS#1 v1.5 with SHA-1 (method 1),
 * ECDSA with fixed-length r|s (RFC 4754, methods 9/10/11) and RFC 7427 Digital Signature (method 14:
 * length byte | AlgorithmIdentifier DER | signature) with RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA (DER ECDSA-Sig-Value).
 * Every signature is deterministic: ECDSA nonces follow RFC 6979 (crypto/ecdsa_det.h), PSS salts come from
 * the caller's DRBG (crypto/sig_pss.h).
 */
#ifndef IKE_CRYPTO_SIG_H
#define IKE_CRYPTO_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/drbg.h"

/* RFC 7427 section 7 hash algorithm identifiers (SIGNATURE_HASH_ALGORITHMS notify data). */
enum ike_sig_hash { IKE_SIGHASH_SHA1 = 1, IKE_SIGHASH_SHA256 = 2, IKE_SIGHASH_SHA384 = 3, IKE_SIGHASH_SHA512 = 4 };

/* What we announce and accept for method 14: SHA2-256, SHA2-384, SHA2-512 (bit h = hash id h). */
#define IKE_SIG_OUR_HASHES ((1u << IKE_SIGHASH_SHA256) | (1u << IKE_SIGHASH_SHA384) | (1u << IKE_SIGHASH_SHA512))

/* Largest AUTH data we produce or accept: RSA-8192 plus the RFC 7427 prefix. */
#define IKE_SIG_MAX 1100

/*
 * Picks the AUTH method and hash for our key. peer_hashes: mask of the peer's SIGNATURE_HASH_ALGORITHMS
 * (0 = none sent). Method 14 when we share a hash with the peer, else 1 (RSA) or 9/10/11 (ECDSA by curve).
 * 0, or -1 if the key cannot sign any IKEv2 way.
 */
int ike_sig_choose(EVP_PKEY *key, uint16_t peer_hashes, uint8_t *method, uint8_t *hash);

/* Signs data[] with method (and hash for method 14) into out; 0 and *len, or -IKE_CRYPTO_*. */
int ike_sig_sign(const ike_crypto *c, EVP_PKEY *key, uint8_t method, uint8_t hash, const ike_iov *data, size_t n,
		 uint8_t *out, size_t cap, size_t *len);

/* Verifies AUTH data of `method` over data[] with the peer's public key; 0, or -IKE_CRYPTO_* (EAUTH: bad). */
int ike_sig_verify(const ike_crypto *c, EVP_PKEY *pub, uint8_t method, const uint8_t *auth, size_t len,
		   const ike_iov *data, size_t n);

/*
 * ike_sig_verify that also says why it refused: on -IKE_CRYPTO_EUNSUPPORTED, what names the scheme
 * ("RSASSA-PSS with MGF1-SHA-1 and hash SHA-256"); on -IKE_CRYPTO_EINVAL, what is malformed and where.
 * Method 14 accepts RSASSA-PSS (RFC 7427 A.4, RFC 4055 3.1) with SHA-256/384/512 and MGF1 of the same hash.
 */
int ike_sig_verify_why(const ike_crypto *c, EVP_PKEY *pub, uint8_t method, const uint8_t *auth, size_t len,
		       const ike_iov *data, size_t n, char *what, size_t cap);

/*
 * Method 14 AUTH data signed with RSASSA-PSS (RFC 8017 8.1): hash (SHA-256/384/512), MGF1 with the same hash,
 * salt as long as the hash, drawn from rng so the signature is a function of the DRBG. 0 and *len, or -err.
 */
int ike_sig_sign_pss(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, ike_drbg *rng, const ike_iov *data,
		     size_t n, uint8_t *out, size_t cap, size_t *len);

/* ike_sig_sign_pss with the salt given (the hash's length, drawn beforehand: crypto jobs). */
int ike_sig_sign_pss_salt(const ike_crypto *c, EVP_PKEY *key, uint8_t hash, const uint8_t *salt,
			  const ike_iov *data, size_t n, uint8_t *out, size_t cap, size_t *len);

/* Names the scheme of AUTH data we received, e.g. "RFC 7427 RSASSA-PSS SHA-256 salt 32", for traces. */
void ike_sig_describe(uint8_t method, const uint8_t *auth, size_t len, bool rsa, char *out, size_t cap);

/* True for an RSA key. */
bool ike_sig_is_rsa(EVP_PKEY *key);
/* The RFC 7427 hash id named by method-14 AUTH data's AlgorithmIdentifier, 0 if unknown. */
uint8_t ike_sig_hash_of(const uint8_t *auth, size_t len);

/* The charge callback's arg for a key: its bits, | IKE_CHARGE_KEY_EC for ECDSA keys. */
uint32_t ike_sig_charge_arg(EVP_PKEY *key);

/* "RSA/SHA-1", "ECDSA-256", "RFC 7427 ecdsa-with-SHA256" style names, for traces. */
const char *ike_sig_name(uint8_t method, uint8_t hash, bool rsa);

#endif
