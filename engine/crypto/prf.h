/* PRFs (HMAC-SHA1/SHA2, AES-XCBC-PRF-128, AES-CMAC-PRF-128), prf+, and integrity MACs. */
#ifndef IKE_CRYPTO_PRF_H
#define IKE_CRYPTO_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "crypto/crypto.h"

#define IKE_PRF_MAX_OUT 64

/* Output length of a PRF transform, 0 if unknown. */
size_t ike_prf_out_len(uint16_t prf_id);

/* out (ike_prf_out_len bytes) = prf(key, data[0] | data[1] | ...). Any key length (RFC 4434/4615 rules). */
int ike_prf(const ike_crypto *c, uint16_t prf_id, const uint8_t *key, size_t key_len,
	    const ike_iov *data, size_t ndata, uint8_t *out);

/* prf+ (RFC 7296 2.13): out_len bytes of T1 | T2 | ..., with seed = data[0] | data[1] | ... */
int ike_prf_plus(const ike_crypto *c, uint16_t prf_id, const uint8_t *key, size_t key_len,
		 const ike_iov *data, size_t ndata, uint8_t *out, size_t out_len);

/* Integrity transform: key length and truncated ICV length (0 if unknown). */
size_t ike_integ_key_len(uint16_t integ_id);
size_t ike_integ_icv_len(uint16_t integ_id);

/* out (ike_integ_icv_len bytes) = truncated MAC over data[]. */
int ike_integ(const ike_crypto *c, uint16_t integ_id, const uint8_t *key, const ike_iov *data, size_t ndata,
	      uint8_t *out);

/* Constant-time comparison: 1 if equal. */
int ike_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

#endif
