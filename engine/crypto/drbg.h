/* Deterministic random bit generator: the engine's only source of randomness. */
#ifndef IKE_CRYPTO_DRBG_H
#define IKE_CRYPTO_DRBG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/*
 * HMAC_DRBG (NIST SP 800-90A) with HMAC-SHA-256, no prediction resistance, no reseed
 * counter limit enforced beyond 2^48. Plain struct so it can be embedded; no heap.
 */
typedef struct ike_drbg {
	uint8_t k[32];
	uint8_t v[32];
	uint64_t reseed_counter;
} ike_drbg;

/* Instantiates from seed material and a personalization string (e.g. the node name). */
void ike_drbg_init(ike_drbg *d, const void *seed, size_t seed_len, const void *pers, size_t pers_len);

/* The same; c is ignored (the DRBG no longer borrows a digest from it). Kept for existing callers. */
void ike_drbg_init_with(ike_drbg *d, const ike_crypto *c, const void *seed, size_t seed_len, const void *pers,
			size_t pers_len);

/* Fills out with len bytes. */
void ike_drbg_bytes(ike_drbg *d, void *out, size_t len);

/* A uniform integer in [0, bound) (bound > 0), without modulo bias. */
uint64_t ike_drbg_uniform(ike_drbg *d, uint64_t bound);

#endif
