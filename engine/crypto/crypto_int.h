/* Internal layout of ike_crypto, shared by the crypto modules only (not part of the public API). */
#ifndef IKE_CRYPTO_CRYPTO_INT_H
#define IKE_CRYPTO_CRYPTO_INT_H

#include <openssl/evp.h>

#include "crypto/crypto.h"

/* Digest slots, in the order of the PRF/INTEG hash families. */
enum ike_md_slot { IKE_MD_SHA1, IKE_MD_SHA256, IKE_MD_SHA384, IKE_MD_SHA512, IKE_MD_COUNT };

/* AES key-size slots: 128, 192, 256 bits. */
enum ike_aes_slot { IKE_AES_128, IKE_AES_192, IKE_AES_256, IKE_AES_COUNT };

struct ike_crypto {
	EVP_MD *md[IKE_MD_COUNT];
	EVP_MAC *hmac;
	EVP_MAC *cmac;
	/* Keyed (dummy key) MAC contexts that are only ever duplicated: dup skips the name fetch. */
	EVP_MAC_CTX *hmac_tmpl[IKE_MD_COUNT];
	EVP_MAC_CTX *cmac_tmpl;
	EVP_CIPHER *aes_cbc[IKE_AES_COUNT];
	EVP_CIPHER *aes_ctr[IKE_AES_COUNT];
	EVP_CIPHER *aes_gcm[IKE_AES_COUNT];
	EVP_CIPHER *aes_ecb[IKE_AES_COUNT];
	EVP_CIPHER *chacha20_poly1305;
};

/* AES slot for a key length in bytes (16/24/32), or -1. */
static inline int ike_aes_slot_for(size_t key_bytes)
{
	return key_bytes == 16 ? IKE_AES_128 : key_bytes == 24 ? IKE_AES_192 : key_bytes == 32 ? IKE_AES_256 : -1;
}

#endif
