/* IKEv2 key derivation (RFC 7296 2.13, 2.14, 2.17, 2.18): thin compositions of prf and prf+. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/kdf.h"
#include "crypto/prf.h"
#include "crypto/registry.h"

#define NONCE_HALF 8

static int bad(const void *p, size_t len) { return !p && len; }

int ike_v2_skeyseed(const ike_crypto *c, uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		    size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out)
{
	if (bad(ni, ni_len) || bad(nr, nr_len) || bad(gir, gir_len))
		return -IKE_CRYPTO_EINVAL;
	uint8_t key[2 * 256]; /* RFC 7296 3.9: nonces are at most 256 bytes */
	if (ni_len > 256 || nr_len > 256)
		return -IKE_CRYPTO_EINVAL;
	/* AES-based PRFs take only the first 64 bits of each nonce (RFC 7296 2.14). */
	if (prf == IKE_PRF_AES128_XCBC || prf == IKE_PRF_AES128_CMAC) {
		if (ni_len < NONCE_HALF || nr_len < NONCE_HALF)
			return -IKE_CRYPTO_EINVAL;
		ni_len = nr_len = NONCE_HALF;
	}
	if (ni_len)
		memcpy(key, ni, ni_len);
	if (nr_len)
		memcpy(key + ni_len, nr, nr_len);
	ike_iov d = { gir, gir_len };
	int rc = ike_prf(c, prf, key, ni_len + nr_len, &d, 1, out);
	OPENSSL_cleanse(key, ni_len + nr_len);
	return rc;
}

int ike_v2_skeyseed_rekey(const ike_crypto *c, uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			  const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			  size_t nr_len, uint8_t *out)
{
	if (bad(sk_d, sk_d_len) || bad(gir, gir_len) || bad(ni, ni_len) || bad(nr, nr_len))
		return -IKE_CRYPTO_EINVAL;
	ike_iov d[3] = { { gir, gir_len }, { ni, ni_len }, { nr, nr_len } };
	return ike_prf(c, prf, sk_d, sk_d_len, d, 3, out);
}

int ike_v2_sa_keys(const ike_crypto *c, uint16_t prf, const uint8_t *skeyseed, size_t skeyseed_len,
		   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len, uint64_t spi_i,
		   uint64_t spi_r, uint8_t *out, size_t out_len)
{
	if (bad(skeyseed, skeyseed_len) || bad(ni, ni_len) || bad(nr, nr_len))
		return -IKE_CRYPTO_EINVAL;
	uint8_t spis[16];
	ike_put_u64(spis, spi_i);
	ike_put_u64(spis + 8, spi_r);
	ike_iov d[3] = { { ni, ni_len }, { nr, nr_len }, { spis, sizeof(spis) } };
	return ike_prf_plus(c, prf, skeyseed, skeyseed_len, d, 3, out, out_len);
}

int ike_v2_child_keymat(const ike_crypto *c, uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
			const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len, uint8_t *out, size_t out_len)
{
	if (bad(sk_d, sk_d_len) || bad(ni, ni_len) || bad(nr, nr_len))
		return -IKE_CRYPTO_EINVAL;
	if (!gir)
		gir_len = 0;
	ike_iov d[3] = { { gir, gir_len }, { ni, ni_len }, { nr, nr_len } };
	return ike_prf_plus(c, prf, sk_d, sk_d_len, d, 3, out, out_len);
}
