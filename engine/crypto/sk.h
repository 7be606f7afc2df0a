/* Protection of the IKEv2 Encrypted payload (SK, RFC 7296 3.14; AEAD per RFC 5282 / RFC 7634). */
#ifndef IKE_CRYPTO_SK_H
#define IKE_CRYPTO_SK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/drbg.h"
#include "crypto/registry.h"

/* Keys of one direction; pointers into the owner's key storage. integ is NULL for AEAD. */
typedef struct ike_sk_keys {
	const ike_alg *encr;
	const ike_alg *integ;
	const uint8_t *ekey; /* encr->key_bytes (salt included) */
	const uint8_t *akey; /* integ key, integ->key_bytes */
} ike_sk_keys;

/* Bytes the SK payload body takes for ptlen bytes of inner payloads: IV | ciphertext(+pad+padlen) | ICV. */
size_t ike_sk_body_len(const ike_sk_keys *k, size_t ptlen);

/*
 * Seals in place. msg[0 .. aad_len) is the IKE header through the SK payload's generic header, with
 * final length fields already set (use ike_sk_body_len). Writes IV | ciphertext | ICV at msg + aad_len
 * from pt/ptlen; *body_len receives what was written (== ike_sk_body_len). IV and padding from rng.
 * For AEAD the associated data is msg[0 .. aad_len); for CBC/CTR + integ the ICV covers everything
 * written before it. 0 or -err.
 */
int ike_sk_seal(const ike_crypto *c, const ike_sk_keys *k, ike_drbg *rng, uint8_t *msg, size_t aad_len,
		const uint8_t *pt, size_t ptlen, size_t cap, size_t *body_len);

/*
 * Verifies and decrypts. msg[0 .. aad_len) as above, body = msg + aad_len of body_len bytes.
 * Writes the inner payload bytes (padding and pad length removed) into pt; *ptlen their length.
 * 0, -IKE_CRYPTO_EAUTH on ICV mismatch, -IKE_CRYPTO_EINVAL on bad lengths/padding.
 */
int ike_sk_open(const ike_crypto *c, const ike_sk_keys *k, const uint8_t *msg, size_t aad_len, size_t body_len,
		uint8_t *pt, size_t cap, size_t *ptlen);

#endif
