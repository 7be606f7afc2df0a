/* IKEv1 key derivation (RFC 2409 5, 5.5, Appendix B): compositions of the HMAC PRF and the hash. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/kdf_v1.h"

#define NONCE_MAX 256 /* RFC 2409 5: nonces are 8..256 bytes */

static int bad(const void *p, size_t len) { return !p && len; }

int ike_v1_skeyid_psk(const ike_crypto *c, uint16_t hash, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
		      size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	if (bad(psk, psk_len) || bad(ni, ni_len) || bad(nr, nr_len))
		return -IKE_CRYPTO_EINVAL;
	ike_iov d[2] = { { ni, ni_len }, { nr, nr_len } };
	return ike_v1_prf(c, hash, psk, psk_len, d, 2, out);
}

int ike_v1_skeyid_sig(const ike_crypto *c, uint16_t hash, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len, const uint8_t *gxy, size_t gxy_len, uint8_t *out)
{
	if (bad(ni, ni_len) || bad(nr, nr_len) || bad(gxy, gxy_len) || ni_len > NONCE_MAX || nr_len > NONCE_MAX)
		return -IKE_CRYPTO_EINVAL;
	uint8_t key[2 * NONCE_MAX];
	if (ni_len)
		memcpy(key, ni, ni_len);
	if (nr_len)
		memcpy(key + ni_len, nr, nr_len);
	ike_iov d = { gxy, gxy_len };
	int rc = ike_v1_prf(c, hash, key, ni_len + nr_len, &d, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int ike_v1_skeyids(const ike_crypto *c, ike_v1_keys *k, const uint8_t *gxy, size_t gxy_len, uint64_t cky_i,
		   uint64_t cky_r)
{
	size_t hl = k ? ike_v1_hash_len(k->hash) : 0;
	if (!k || bad(gxy, gxy_len))
		return -IKE_CRYPTO_EINVAL;
	if (!hl)
		return -IKE_CRYPTO_EUNSUPPORTED;
	k->len = (uint8_t)hl;
	uint8_t ck[16];
	ike_put_u64(ck, cky_i);
	ike_put_u64(ck + 8, cky_r);
	uint8_t n0 = 0, n1 = 1, n2 = 2;
	ike_iov d[4] = { { gxy, gxy_len }, { ck, 16 }, { &n0, 1 } };
	int rc = ike_v1_prf(c, k->hash, k->skeyid, hl, d, 3, k->skeyid_d);
	ike_iov da[4] = { { k->skeyid_d, hl }, { gxy, gxy_len }, { ck, 16 }, { &n1, 1 } };
	if (rc == 0)
		rc = ike_v1_prf(c, k->hash, k->skeyid, hl, da, 4, k->skeyid_a);
	ike_iov de[4] = { { k->skeyid_a, hl }, { gxy, gxy_len }, { ck, 16 }, { &n2, 1 } };
	if (rc == 0)
		rc = ike_v1_prf(c, k->hash, k->skeyid, hl, de, 4, k->skeyid_e);
	return rc;
}

void ike_v1_keys_wipe(ike_v1_keys *k)
{
	if (k)
		OPENSSL_cleanse(k, sizeof(*k));
}

int ike_v1_enc_key(const ike_crypto *c, const ike_v1_keys *k, uint8_t *out, size_t out_len)
{
	if (!k || !out || !k->len || out_len > 1024)
		return -IKE_CRYPTO_EINVAL;
	if (out_len <= k->len) {
		memcpy(out, k->skeyid_e, out_len);
		return 0;
	}
	uint8_t blk[IKE_V1_MAX_HASH];
	uint8_t zero = 0;
	ike_iov d = { &zero, 1 };
	size_t done = 0;
	int rc = 0;
	while (rc == 0 && done < out_len) {
		rc = ike_v1_prf(c, k->hash, k->skeyid_e, k->len, &d, 1, blk);
		size_t take = out_len - done < k->len ? out_len - done : k->len;
		if (rc == 0)
			memcpy(out + done, blk, take);
		done += take;
		d = (ike_iov){ out + done - take, k->len }; /* Ki+1 = prf(SKEYID_e, Ki) */
		if (take < k->len)
			break;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	return rc;
}

int ike_v1_hash_auth(const ike_crypto *c, const ike_v1_keys *k, bool responder, const uint8_t *gxi,
		     size_t gxi_len, const uint8_t *gxr, size_t gxr_len, uint64_t cky_i, uint64_t cky_r,
		     const uint8_t *sai_b, size_t sai_len, const uint8_t *id_b, size_t id_len, uint8_t *out)
{
	if (!k || bad(gxi, gxi_len) || bad(gxr, gxr_len) || bad(sai_b, sai_len) || bad(id_b, id_len))
		return -IKE_CRYPTO_EINVAL;
	uint8_t ck[16];
	ike_put_u64(ck, responder ? cky_r : cky_i);
	ike_put_u64(ck + 8, responder ? cky_i : cky_r);
	ike_iov d[5] = { { responder ? gxr : gxi, responder ? gxr_len : gxi_len },
			 { responder ? gxi : gxr, responder ? gxi_len : gxr_len },
			 { ck, 16 },
			 { sai_b, sai_len },
			 { id_b, id_len } };
	return ike_v1_prf(c, k->hash, k->skeyid, k->len, d, 5, out);
}

int ike_v1_hash1(const ike_crypto *c, const ike_v1_keys *k, uint32_t msg_id, const uint8_t *rest, size_t rest_len,
		 uint8_t *out)
{
	if (!k || bad(rest, rest_len))
		return -IKE_CRYPTO_EINVAL;
	uint8_t mid[4];
	ike_put_u32(mid, msg_id);
	ike_iov d[2] = { { mid, 4 }, { rest, rest_len } };
	return ike_v1_prf(c, k->hash, k->skeyid_a, k->len, d, 2, out);
}

int ike_v1_hash2(const ike_crypto *c, const ike_v1_keys *k, uint32_t msg_id, const uint8_t *ni_b, size_t ni_len,
		 const uint8_t *rest, size_t rest_len, uint8_t *out)
{
	if (!k || bad(ni_b, ni_len) || bad(rest, rest_len))
		return -IKE_CRYPTO_EINVAL;
	uint8_t mid[4];
	ike_put_u32(mid, msg_id);
	ike_iov d[3] = { { mid, 4 }, { ni_b, ni_len }, { rest, rest_len } };
	return ike_v1_prf(c, k->hash, k->skeyid_a, k->len, d, 3, out);
}

int ike_v1_hash3(const ike_crypto *c, const ike_v1_keys *k, uint32_t msg_id, const uint8_t *ni_b, size_t ni_len,
		 const uint8_t *nr_b, size_t nr_len, uint8_t *out)
{
	if (!k || bad(ni_b, ni_len) || bad(nr_b, nr_len))
		return -IKE_CRYPTO_EINVAL;
	uint8_t pre[5] = { 0 };
	ike_put_u32(pre + 1, msg_id);
	ike_iov d[3] = { { pre, 5 }, { ni_b, ni_len }, { nr_b, nr_len } };
	return ike_v1_prf(c, k->hash, k->skeyid_a, k->len, d, 3, out);
}

int ike_v1_keymat(const ike_crypto *c, const ike_v1_keys *k, const uint8_t *gqm, size_t gqm_len, uint8_t protocol,
		  uint32_t spi, const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len, uint8_t *out,
		  size_t out_len)
{
	if (!k || !k->len || !out || bad(gqm, gqm_len) || bad(ni_b, ni_len) || bad(nr_b, nr_len) ||
	    out_len > 255 * IKE_V1_MAX_HASH)
		return -IKE_CRYPTO_EINVAL;
	if (!gqm)
		gqm_len = 0;
	uint8_t ps[5] = { protocol };
	ike_put_u32(ps + 1, spi);
	uint8_t blk[IKE_V1_MAX_HASH];
	ike_iov d[5] = { { NULL, 0 }, { gqm, gqm_len }, { ps, 5 }, { ni_b, ni_len }, { nr_b, nr_len } };
	size_t done = 0;
	int rc = 0;
	while (rc == 0 && done < out_len) {
		rc = ike_v1_prf(c, k->hash, k->skeyid_d, k->len, d, 5, blk);
		size_t take = out_len - done < k->len ? out_len - done : k->len;
		if (rc == 0)
			memcpy(out + done, blk, take);
		done += take;
		d[0] = (ike_iov){ out + done - take, k->len }; /* the previous block leads the next input */
		if (take < k->len)
			break;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	return rc;
}

int ike_v1_iv_phase1(const ike_crypto *c, uint16_t hash, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
		     size_t gxr_len, size_t block, uint8_t *out)
{
	uint8_t h[IKE_V1_MAX_HASH];
	if (bad(gxi, gxi_len) || bad(gxr, gxr_len) || !out || !block || block > ike_v1_hash_len(hash))
		return -IKE_CRYPTO_EINVAL;
	ike_iov d[2] = { { gxi, gxi_len }, { gxr, gxr_len } };
	int rc = ike_v1_hash(c, hash, d, 2, h);
	if (rc == 0)
		memcpy(out, h, block);
	return rc;
}

int ike_v1_iv_phase2(const ike_crypto *c, uint16_t hash, const uint8_t *p1_last, size_t block, uint32_t msg_id,
		     uint8_t *out)
{
	uint8_t h[IKE_V1_MAX_HASH], mid[4];
	if (!p1_last || !out || !block || block > ike_v1_hash_len(hash))
		return -IKE_CRYPTO_EINVAL;
	ike_put_u32(mid, msg_id);
	ike_iov d[2] = { { p1_last, block }, { mid, 4 } };
	int rc = ike_v1_hash(c, hash, d, 2, h);
	if (rc == 0)
		memcpy(out, h, block);
	return rc;
}

int ike_v1_natd(const ike_crypto *c, uint16_t hash, uint64_t cky_i, uint64_t cky_r, const uint8_t *addr,
		size_t addr_len, uint16_t port, uint8_t *out)
{
	if (!addr || (addr_len != 4 && addr_len != 16))
		return -IKE_CRYPTO_EINVAL;
	uint8_t ck[16], p[2];
	ike_put_u64(ck, cky_i);
	ike_put_u64(ck + 8, cky_r);
	ike_put_u16(p, port);
	ike_iov d[3] = { { ck, 16 }, { addr, addr_len }, { p, 2 } };
	return ike_v1_hash(c, hash, d, 3, out);
}
