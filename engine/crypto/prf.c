/* PRFs, prf+ and integrity transforms (RFC 7296 2.13, RFC 4868, RFC 3566/4434, RFC 4493/4494/4615). */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/mac_int.h"
#include "crypto/prf.h"
#include "crypto/registry.h"

#define AES_BLK 16

/* Maps a PRF id to the MAC family and hash; -1 if unknown. */
static int prf_kind(uint16_t prf_id, int *md_slot)
{
	*md_slot = -1;
	switch (prf_id) {
	case IKE_PRF_HMAC_SHA1: *md_slot = IKE_MD_SHA1; return IKE_MAC_HMAC;
	case IKE_PRF_HMAC_SHA2_256: *md_slot = IKE_MD_SHA256; return IKE_MAC_HMAC;
	case IKE_PRF_HMAC_SHA2_384: *md_slot = IKE_MD_SHA384; return IKE_MAC_HMAC;
	case IKE_PRF_HMAC_SHA2_512: *md_slot = IKE_MD_SHA512; return IKE_MAC_HMAC;
	case IKE_PRF_AES128_XCBC: return IKE_MAC_XCBC;
	case IKE_PRF_AES128_CMAC: return IKE_MAC_CMAC;
	default: return -1;
	}
}

static int integ_kind(uint16_t integ_id, int *md_slot)
{
	*md_slot = -1;
	switch (integ_id) {
	case IKE_INTEG_HMAC_SHA1_96: *md_slot = IKE_MD_SHA1; return IKE_MAC_HMAC;
	case IKE_INTEG_HMAC_SHA2_256_128: *md_slot = IKE_MD_SHA256; return IKE_MAC_HMAC;
	case IKE_INTEG_HMAC_SHA2_384_192: *md_slot = IKE_MD_SHA384; return IKE_MAC_HMAC;
	case IKE_INTEG_HMAC_SHA2_512_256: *md_slot = IKE_MD_SHA512; return IKE_MAC_HMAC;
	case IKE_INTEG_AES_XCBC_96: return IKE_MAC_XCBC;
	case IKE_INTEG_AES_CMAC_96: return IKE_MAC_CMAC;
	default: return -1;
	}
}

size_t ike_prf_out_len(uint16_t prf_id)
{
	const ike_alg *a = ike_alg_find(IKE_TT_PRF, prf_id, 0);
	return a ? a->out_bytes : 0;
}

size_t ike_integ_key_len(uint16_t integ_id)
{
	const ike_alg *a = ike_alg_find(IKE_TT_INTEG, integ_id, 0);
	return a ? a->key_bytes : 0;
}

size_t ike_integ_icv_len(uint16_t integ_id)
{
	const ike_alg *a = ike_alg_find(IKE_TT_INTEG, integ_id, 0);
	return a ? a->icv_bytes : 0;
}

/*
 * Keys a PRF from a key of any length. XCBC (RFC 4434): shorter keys are zero-padded, longer ones
 * are replaced by XCBC-MAC(0^128, key). CMAC (RFC 4615): any key not 16 bytes becomes CMAC(0^128, key).
 */
static int prf_begin(const ike_crypto *c, uint16_t prf_id, const uint8_t *key, size_t key_len, ike_mac *m)
{
	static const uint8_t zero[AES_BLK];
	int slot, kind = prf_kind(prf_id, &slot);
	memset(m, 0, sizeof(*m));
	if (kind < 0)
		return -IKE_CRYPTO_EUNSUPPORTED;
	/* No IKE key comes near 64 KiB; refuse absurd lengths before they reach an allocator. */
	if ((!key && key_len) || key_len > 65535)
		return -IKE_CRYPTO_EINVAL;
	if (kind == IKE_MAC_HMAC || key_len == AES_BLK)
		return ike_mac_begin(c, m, (uint8_t)kind, slot, key, key_len);
	uint8_t k[AES_BLK] = { 0 };
	int rc;
	if (kind == IKE_MAC_XCBC && key_len < AES_BLK) {
		if (key_len)
			memcpy(k, key, key_len);
	} else {
		rc = ike_mac_begin(c, m, (uint8_t)kind, -1, zero, AES_BLK);
		if (rc == 0)
			rc = ike_mac_update(m, key, key_len);
		if (rc == 0)
			rc = ike_mac_final(m, k);
		ike_mac_end(m);
		if (rc)
			return rc;
	}
	rc = ike_mac_begin(c, m, (uint8_t)kind, -1, k, AES_BLK);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static int mac_iov(ike_mac *m, const ike_iov *data, size_t ndata)
{
	if (ndata && !data)
		return -IKE_CRYPTO_EINVAL;
	for (size_t i = 0; i < ndata; i++) {
		int rc = ike_mac_update(m, data[i].p, data[i].len);
		if (rc)
			return rc;
	}
	return 0;
}

int ike_prf(const ike_crypto *c, uint16_t prf_id, const uint8_t *key, size_t key_len, const ike_iov *data,
	    size_t ndata, uint8_t *out)
{
	if (!c || !out)
		return -IKE_CRYPTO_EINVAL;
	ike_mac m;
	int rc = prf_begin(c, prf_id, key, key_len, &m);
	if (rc == 0)
		rc = mac_iov(&m, data, ndata);
	if (rc == 0)
		rc = ike_mac_final(&m, out);
	ike_mac_end(&m);
	return rc;
}

int ike_prf_plus(const ike_crypto *c, uint16_t prf_id, const uint8_t *key, size_t key_len, const ike_iov *data,
		 size_t ndata, uint8_t *out, size_t out_len)
{
	size_t olen = ike_prf_out_len(prf_id);
	if (!olen)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!c || (!out && out_len))
		return -IKE_CRYPTO_EINVAL;
	/* The block counter is one octet: at most 255 blocks (RFC 7296 2.13). */
	if (out_len > 255 * olen)
		return -IKE_CRYPTO_EINVAL;
	if (!out_len)
		return 0;
	ike_mac m;
	uint8_t t[IKE_PRF_MAX_OUT];
	int rc = prf_begin(c, prf_id, key, key_len, &m);
	for (size_t off = 0, n = 1; rc == 0 && off < out_len; off += olen, n++) {
		uint8_t ctr = (uint8_t)n;
		/* T(n) = prf(K, T(n-1) | S | n), T(0) empty */
		if (n > 1)
			rc = ike_mac_update(&m, t, olen);
		if (rc == 0)
			rc = mac_iov(&m, data, ndata);
		if (rc == 0)
			rc = ike_mac_update(&m, &ctr, 1);
		if (rc == 0)
			rc = ike_mac_final(&m, t);
		if (rc == 0)
			memcpy(out + off, t, out_len - off < olen ? out_len - off : olen);
	}
	ike_mac_end(&m);
	OPENSSL_cleanse(t, sizeof(t));
	if (rc)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

int ike_integ(const ike_crypto *c, uint16_t integ_id, const uint8_t *key, const ike_iov *data, size_t ndata,
	      uint8_t *out)
{
	int slot, kind = integ_kind(integ_id, &slot);
	if (kind < 0)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!c || !key || !out)
		return -IKE_CRYPTO_EINVAL;
	uint8_t full[IKE_PRF_MAX_OUT];
	ike_mac m;
	int rc = ike_mac_begin(c, &m, (uint8_t)kind, slot, key, ike_integ_key_len(integ_id));
	if (rc == 0)
		rc = mac_iov(&m, data, ndata);
	if (rc == 0)
		rc = ike_mac_final(&m, full);
	ike_mac_end(&m);
	if (rc == 0)
		memcpy(out, full, ike_integ_icv_len(integ_id));
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

int ike_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (!n)
		return 1;
	if (!a || !b)
		return 0;
	return CRYPTO_memcmp(a, b, n) == 0;
}
