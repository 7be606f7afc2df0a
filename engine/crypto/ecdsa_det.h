/*
 * Deterministic ECDSA (RFC 6979 section 3.2) on the NIST prime curves P-256, P-384 and P-521, so that
 * the same key and message always give the same signature: OpenSSL 3.0 draws the ECDSA nonce from its
 * own generator, which would make simulator runs with ECDSA certificates irreproducible.
 */
#ifndef IKE_CRYPTO_ECDSA_DET_H
#define IKE_CRYPTO_ECDSA_DET_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "crypto/crypto.h"

/* Octets of r and s for a curve of that many bits (ceil(qlen/8)): 32, 48, 66. */
#define IKE_ECDSA_DET_MAX_HALF 66

/*
 * Signs the message digest h1 (the output of the hash whose crypto_int.h slot is md_slot; that hash also
 * drives the HMAC_DRBG of section 3.2) with EC private key `key`. Writes r and s, each big-endian and
 * left-padded to `half` octets, which must be ceil(qlen/8) for the key's curve. k_out (NULL outside
 * tests) receives the nonce, also `half` octets. 0, or -IKE_CRYPTO_*.
 */
int ike_ecdsa_det_sign(const ike_crypto *c, EVP_PKEY *key, int md_slot, const uint8_t *h1, size_t h1_len,
		       uint8_t *r, uint8_t *s, size_t half, uint8_t *k_out);

#endif
