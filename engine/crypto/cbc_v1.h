/* Raw CBC for IKEv1 message encryption (RFC 2409 App. B): 3DES-CBC and AES-CBC, no padding, IV given. */
#ifndef IKE_CRYPTO_CBC_V1_H
#define IKE_CRYPTO_CBC_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Phase 1 Encryption Algorithm attribute values this code runs (RFC 2409 App. A; RFC 3602 for AES). */
enum ike_v1_encr_id { IKE_V1_ENCR_3DES = 5, IKE_V1_ENCR_AES_CBC = 7 };

/* Block size of a cipher, 0 if unsupported. */
size_t ike_v1_cbc_block(uint16_t encr);
/* Key bytes for a cipher and its Key Length attribute (bits, 0 = absent): 3DES 24; AES 16/24/32, absent = 16.
 * 0 if the pair is not valid. */
size_t ike_v1_cbc_key_len(uint16_t encr, uint16_t key_bits);

/* out = CBC-encrypt or -decrypt of in (len a multiple of the block, may alias out) under key and iv. 0 or -err. */
int ike_v1_cbc(const ike_crypto *c, uint16_t encr, const uint8_t *key, size_t key_len, const uint8_t *iv,
	       const uint8_t *in, uint8_t *out, size_t len, bool encrypt);

#endif
