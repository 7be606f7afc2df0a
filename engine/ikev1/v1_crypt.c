/* IKEv1 message encryption with the CBC IV chaining of RFC 2409 Appendix B. */
#include <string.h>

#include <openssl/crypto.h>

#include "ikev1/v1_crypt.h"

int v1_cipher_init(const ike_crypto *c, const ike_v1_keys *k, uint16_t encr, uint16_t key_bits, v1_cipher *out)
{
	if (!k || !out)
		return -IKE_CRYPTO_EINVAL;
	memset(out, 0, sizeof(*out));
	size_t kl = ike_v1_cbc_key_len(encr, key_bits), bl = ike_v1_cbc_block(encr);
	if (!kl || !bl || kl > V1_MAX_KEY || bl > ike_v1_hash_len(k->hash))
		return -IKE_CRYPTO_EUNSUPPORTED;
	out->encr = encr;
	out->hash = k->hash;
	out->key_len = (uint8_t)kl;
	out->block = (uint8_t)bl;
	int rc = ike_v1_enc_key(c, k, out->key, kl);
	if (rc)
		v1_cipher_wipe(out);
	return rc;
}

void v1_cipher_wipe(v1_cipher *ci)
{
	if (ci)
		OPENSSL_cleanse(ci, sizeof(*ci));
}

int v1_iv_phase1(const ike_crypto *c, const v1_cipher *ci, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
		 size_t gxr_len, v1_iv *out)
{
	if (!ci || !out || !ci->block)
		return -IKE_CRYPTO_EINVAL;
	memset(out, 0, sizeof(*out));
	int rc = ike_v1_iv_phase1(c, ci->hash, gxi, gxi_len, gxr, gxr_len, ci->block, out->iv);
	if (rc == 0)
		out->len = ci->block;
	return rc;
}

int v1_iv_phase2(const ike_crypto *c, const v1_cipher *ci, const v1_iv *p1_final, uint32_t msg_id, v1_iv *out)
{
	if (!ci || !p1_final || !out || p1_final->len != ci->block)
		return -IKE_CRYPTO_EINVAL;
	v1_iv t = { .msg_id = msg_id };
	int rc = ike_v1_iv_phase2(c, ci->hash, p1_final->iv, ci->block, msg_id, t.iv);
	if (rc)
		return rc;
	t.len = ci->block;
	*out = t;
	return 0;
}

size_t v1_sealed_len(const v1_cipher *ci, size_t len)
{
	if (!ci || !ci->block || len < V1_HDR_LEN)
		return 0;
	size_t body = len - V1_HDR_LEN;
	return V1_HDR_LEN + (body + ci->block - 1) / ci->block * ci->block;
}

int v1_seal(const ike_crypto *c, const v1_cipher *ci, v1_iv *iv, uint8_t *msg, size_t len, size_t cap,
	    size_t *out_len)
{
	if (!ci || !iv || !msg || !out_len || iv->len != ci->block || len <= V1_HDR_LEN)
		return -IKE_CRYPTO_EINVAL;
	size_t total = v1_sealed_len(ci, len);
	if (total > cap || total > UINT32_MAX)
		return -IKE_CRYPTO_EINVAL;
	memset(msg + len, 0, total - len); /* RFC 2409 App. B: pad with 0x00 to the block size */
	msg[19] |= V1_F_ENCRYPTION;
	ike_put_u32(msg + 24, (uint32_t)total);
	int rc = ike_v1_cbc(c, ci->encr, ci->key, ci->key_len, iv->iv, msg + V1_HDR_LEN, msg + V1_HDR_LEN,
			    total - V1_HDR_LEN, true);
	if (rc)
		return rc;
	memcpy(iv->iv, msg + total - ci->block, ci->block);
	*out_len = total;
	return 0;
}

int v1_open(const ike_crypto *c, const v1_cipher *ci, const v1_iv *iv, const uint8_t *msg, size_t len, uint8_t *pt,
	    size_t cap, size_t *pt_len, v1_iv *next)
{
	if (!ci || !iv || !msg || !pt || !pt_len || !next || iv->len != ci->block || len < V1_HDR_LEN)
		return -IKE_CRYPTO_EINVAL;
	size_t body = len - V1_HDR_LEN;
	if (!(msg[19] & V1_F_ENCRYPTION) || body == 0 || body % ci->block || body > cap)
		return -IKE_CRYPTO_EINVAL;
	int rc = ike_v1_cbc(c, ci->encr, ci->key, ci->key_len, iv->iv, msg + V1_HDR_LEN, pt, body, false);
	if (rc)
		return rc;
	*next = *iv;
	memcpy(next->iv, msg + len - ci->block, ci->block); /* chaining: the last ciphertext block */
	*pt_len = body;
	return 0;
}

size_t v1_ws_key_line(uint64_t cky_i, const v1_cipher *ci, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t need = 16 + 1 + 2u * (ci ? ci->key_len : 0) + 1;
	if (!ci || !out || !ci->key_len || cap < need)
		return 0;
	size_t n = 0;
	for (int i = 15; i >= 0; i--) /* no stdio in the engine */
		out[n++] = hex[(cky_i >> (4 * i)) & 0xf];
	out[n++] = ',';
	for (uint8_t i = 0; i < ci->key_len; i++) {
		out[n++] = hex[ci->key[i] >> 4];
		out[n++] = hex[ci->key[i] & 0xf];
	}
	out[n] = '\0';
	return n;
}
