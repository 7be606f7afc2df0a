/* IKEv2 key derivation (RFC 7296 2.13, 2.14, 2.17, 2.18). Pure functions; the caller traces. */
#ifndef IKE_CRYPTO_KDF_H
#define IKE_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* SKEYSEED = prf(Ni | Nr, g^ir); out gets ike_prf_out_len(prf) bytes. */
int ike_v2_skeyseed(const ike_crypto *c, uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		    size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out);

/* Rekey: SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr). */
int ike_v2_skeyseed_rekey(const ike_crypto *c, uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			  const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			  size_t nr_len, uint8_t *out);

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr); out_len bytes. */
int ike_v2_sa_keys(const ike_crypto *c, uint16_t prf, const uint8_t *skeyseed, size_t skeyseed_len,
		   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i,
		   uint64_t spi_r, uint8_t *out, size_t out_len);

/* KEYMAT = prf+(SK_d, [g^ir(new) |] Ni | Nr); gir may be NULL (no PFS). */
int ike_v2_child_keymat(const ike_crypto *c, uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len, uint8_t *out, size_t out_len);

#endif
