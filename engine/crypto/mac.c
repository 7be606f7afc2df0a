/* Streaming MACs over the prefetched algorithms: HMAC and CMAC via EVP_MAC, XCBC on AES-ECB. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/mac_int.h"

#define BLK 16

/* One AES block with the ECB context: out = E(K, in). */
static int aes_block(EVP_CIPHER_CTX *ctx, const uint8_t *in, uint8_t *out, size_t len)
{
	int n = 0;
	return EVP_EncryptUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len;
}

/* RFC 3566 2.2: K1, K2, K3 = E(K, 0x01..), E(K, 0x02..), E(K, 0x03..); then CBC-MAC under K1. */
static int xcbc_begin(const ike_crypto *c, ike_mac *m, const uint8_t *key)
{
	uint8_t in[3 * BLK], k[3 * BLK];
	memset(in, 0x01, BLK);
	memset(in + BLK, 0x02, BLK);
	memset(in + 2 * BLK, 0x03, BLK);
	m->aes = EVP_CIPHER_CTX_new();
	if (!m->aes)
		return -IKE_CRYPTO_ENOMEM;
	int ok = EVP_EncryptInit_ex2(m->aes, c->aes_ecb[IKE_AES_128], key, NULL, NULL) &&
		 EVP_CIPHER_CTX_set_padding(m->aes, 0) && aes_block(m->aes, in, k, sizeof(in)) &&
		 EVP_EncryptInit_ex2(m->aes, NULL, k, NULL, NULL);
	memcpy(m->k2, k + BLK, BLK);
	memcpy(m->k3, k + 2 * BLK, BLK);
	OPENSSL_cleanse(k, sizeof(k));
	memset(m->e, 0, BLK);
	m->n = 0;
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}

static int xcbc_update(ike_mac *m, const uint8_t *p, size_t len)
{
	while (len) {
		/* The last block is special, so a full buffer is only processed once more data follows. */
		if (m->n == BLK) {
			if (!aes_block(m->aes, m->buf, m->e, BLK))
				return -IKE_CRYPTO_EOSSL;
			m->n = 0;
		}
		size_t take = BLK - m->n < len ? BLK - m->n : len;
		for (size_t i = 0; i < take; i++)
			m->buf[m->n + i] = (uint8_t)(p[i] ^ m->e[m->n + i]);
		m->n += take;
		p += take;
		len -= take;
	}
	return 0;
}

static int xcbc_final(ike_mac *m, uint8_t *out)
{
	const uint8_t *k = m->k2;
	if (m->n < BLK) { /* pad with 10* and use K3 (RFC 3566 2.4) */
		memcpy(m->buf + m->n, m->e + m->n, BLK - m->n);
		m->buf[m->n] ^= 0x80;
		k = m->k3;
	}
	for (size_t i = 0; i < BLK; i++)
		m->buf[i] ^= k[i];
	int ok = aes_block(m->aes, m->buf, out, BLK);
	memset(m->e, 0, BLK);
	m->n = 0;
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}

int ike_mac_begin(const ike_crypto *c, ike_mac *m, uint8_t kind, int md_slot, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty[1];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	if (!c)
		return -IKE_CRYPTO_EINVAL;
	if (kind == IKE_MAC_XCBC) {
		if (key_len != BLK || !key)
			return -IKE_CRYPTO_EINVAL;
		m->out_len = BLK;
		return xcbc_begin(c, m, key);
	}
	const EVP_MAC_CTX *tmpl;
	if (kind == IKE_MAC_HMAC && md_slot >= 0 && md_slot < IKE_MD_COUNT)
		tmpl = c->hmac_tmpl[md_slot];
	else if (kind == IKE_MAC_CMAC && key_len == BLK)
		tmpl = c->cmac_tmpl;
	else
		return -IKE_CRYPTO_EINVAL;
	if (!key && key_len)
		return -IKE_CRYPTO_EINVAL;
	m->mac = EVP_MAC_CTX_dup(tmpl);
	if (!m->mac)
		return -IKE_CRYPTO_ENOMEM;
	/* A NULL key would mean "keep the template's dummy key", so an empty key gets a real pointer. */
	if (!EVP_MAC_init(m->mac, key ? key : empty, key_len, NULL))
		return -IKE_CRYPTO_EOSSL;
	m->out_len = EVP_MAC_CTX_get_mac_size(m->mac);
	return 0;
}

int ike_mac_update(ike_mac *m, const uint8_t *p, size_t len)
{
	if (!len)
		return 0;
	if (!p)
		return -IKE_CRYPTO_EINVAL;
	if (m->kind == IKE_MAC_XCBC)
		return m->aes ? xcbc_update(m, p, len) : -IKE_CRYPTO_EINVAL;
	return m->mac && EVP_MAC_update(m->mac, p, len) ? 0 : -IKE_CRYPTO_EOSSL;
}

int ike_mac_final(ike_mac *m, uint8_t *out)
{
	if (m->kind == IKE_MAC_XCBC)
		return m->aes ? xcbc_final(m, out) : -IKE_CRYPTO_EINVAL;
	size_t len = 0;
	if (!m->mac || !EVP_MAC_final(m->mac, out, &len, m->out_len) || len != m->out_len)
		return -IKE_CRYPTO_EOSSL;
	/* Restart with the same key (OpenSSL keeps it when init gets NULL). */
	return EVP_MAC_init(m->mac, NULL, 0, NULL) ? 0 : -IKE_CRYPTO_EOSSL;
}

void ike_mac_end(ike_mac *m)
{
	EVP_MAC_CTX_free(m->mac);
	EVP_CIPHER_CTX_free(m->aes);
	OPENSSL_cleanse(m, sizeof(*m));
}
