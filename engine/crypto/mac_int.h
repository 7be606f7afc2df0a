/* Internal streaming MAC used by prf.c: HMAC-SHA*, AES-XCBC (RFC 3566), AES-CMAC (RFC 4493). */
#ifndef IKE_CRYPTO_MAC_INT_H
#define IKE_CRYPTO_MAC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto_int.h"

enum ike_mac_kind { IKE_MAC_HMAC, IKE_MAC_XCBC, IKE_MAC_CMAC };

/* Lives on the caller's stack for one MAC key; ike_mac_end() releases the OpenSSL contexts. */
typedef struct ike_mac {
	uint8_t kind;
	size_t out_len;
	EVP_MAC_CTX *mac;    /* HMAC, CMAC */
	EVP_CIPHER_CTX *aes; /* XCBC: AES-ECB keyed with K1 */
	uint8_t e[16], buf[16], k2[16], k3[16];
	size_t n;
} ike_mac;

/* Keys the MAC (key_len must be 16 for XCBC/CMAC). md_slot selects the hash for HMAC. 0 or -err. */
int ike_mac_begin(const ike_crypto *c, ike_mac *m, uint8_t kind, int md_slot, const uint8_t *key, size_t key_len);
int ike_mac_update(ike_mac *m, const uint8_t *p, size_t len);
/* Writes the full-length tag (out_len bytes) and leaves the MAC ready for a new message, same key. */
int ike_mac_final(ike_mac *m, uint8_t *out);
void ike_mac_end(ike_mac *m);

#endif
