/* Plain digests the protocol needs outside PRFs: NAT detection (SHA-1, RFC 7296 2.23), cookies (SHA-256, 2.6). */
#ifndef IKE_CRYPTO_HASH_H
#define IKE_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "crypto/crypto.h"

#define IKE_SHA1_LEN 20
#define IKE_SHA256_LEN 32

/* out (20 bytes) = SHA-1(data[0] | data[1] | ...); c is not used (kept for callers). 0 or -IKE_CRYPTO_EOSSL. */
int ike_sha1(const ike_crypto *c, const ike_iov *data, size_t ndata, uint8_t out[IKE_SHA1_LEN]);
/* out (32 bytes) = SHA-256(data[0] | data[1] | ...) through c's prefetched EVP digest. 0 or -IKE_CRYPTO_EOSSL. */
int ike_sha256(const ike_crypto *c, const ike_iov *data, size_t ndata, uint8_t out[IKE_SHA256_LEN]);

#endif
