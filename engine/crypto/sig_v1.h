/*
 * IKEv1 RSA signatures (RFC 2409 5.1): the HASH_I/HASH_R value itself is signed with PKCS#1 v1.5 type 1 padding
 * and no DigestInfo (what IKEv1 implementations send: the "hash" is already the PRF output).
 */
#ifndef IKE_CRYPTO_SIG_V1_H
#define IKE_CRYPTO_SIG_V1_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

/* Signs hash (hlen bytes) with RSA key; *out_len receives the modulus size. 0, or -IKE_CRYPTO_EINVAL. */
int ike_sig_v1_rsa_sign(const ike_crypto *c, EVP_PKEY *key, const uint8_t *hash, size_t hlen, uint8_t *out,
			size_t cap, size_t *out_len);
/* 0 when sig is key's PKCS#1 v1.5 signature of exactly these hash bytes, else -IKE_CRYPTO_EINVAL. */
int ike_sig_v1_rsa_verify(const ike_crypto *c, EVP_PKEY *pub, const uint8_t *hash, size_t hlen, const uint8_t *sig,
			  size_t slen);

#endif
