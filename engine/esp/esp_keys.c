/* Per-SA crypto: OpenSSL contexts keyed once when the SA is made, then only given a new IV per packet. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/buf.h"
#include "crypto/drbg.h"
#include "esp/esp_int.h"

#define AEAD_NONCE 12

static const EVP_CIPHER *cipher_for(const ike_crypto *c, const esp_encr *e)
{
	int slot = ike_aes_slot_for(e->key_bytes);
	switch (e->kind) {
	case ESP_C_CBC: return slot < 0 ? NULL : c->aes_cbc[slot];
	case ESP_C_CTR: return slot < 0 ? NULL : c->aes_ctr[slot];
	case ESP_C_GCM:
	case ESP_C_GMAC: return slot < 0 ? NULL : c->aes_gcm[slot];
	case ESP_C_CHACHA: return c->chacha20_poly1305;
	default: return NULL;
	}
}

static int fail(char *why, size_t cap, const char *msg)
{
	if (why && cap)
		snprintf(why, cap, "%s", msg);
	return -1;
}

/* RFC 4303 3.2: a combined mode needs no integrity transform; NULL encryption needs one; CBC/CTR may omit it. */
static int check_integ(const esp_encr *e, const esp_sa_params *p, char *why, size_t cap)
{
	if (e->icv_bytes && p->integ_id)
		return fail(why, cap, "integ_id: a combined-mode ENCR takes no separate integrity transform");
	if (!e->icv_bytes && !p->integ_id && e->kind == ESP_C_NULL)
		return fail(why, cap, "integ_id: NULL encryption without integrity protects nothing (RFC 4303 3.2)");
	if (p->integ_id) {
		int slot;
		size_t kl, icv;
		if (!esp_integ_info(p->integ_id, &slot, &kl, &icv))
			return fail(why, cap, "integ_id: unsupported integrity transform (HMAC-SHA1-96/SHA2 only)");
		if (!p->integ_key || p->integ_key_len != kl)
			return fail(why, cap, "integ_key: wrong length for the integrity transform");
	}
	return 0;
}

/* Outbound CBC IVs: E(K_iv, 64-bit counter) with K_iv from the host-seeded DRBG (NIST SP 800-38A App. C). */
static int ivgen_init(const ike_crypto *c, esp_keys *k, const esp_sa_params *p, char *why, size_t cap)
{
	if (!p->iv_seed || p->iv_seed_len < 16)
		return fail(why, cap, "iv_seed: outbound CBC needs at least 16 bytes of seed for its IVs");
	ike_drbg d;
	uint8_t key[16], pers[16] = "esp-cbc-iv";
	ike_put_u32(pers + 12, p->spi);
	ike_drbg_init(&d, p->iv_seed, p->iv_seed_len, pers, sizeof(pers));
	ike_drbg_bytes(&d, key, sizeof(key));
	k->ivgen = EVP_CIPHER_CTX_new();
	int ok = k->ivgen && EVP_EncryptInit_ex2(k->ivgen, c->aes_ecb[IKE_AES_128], key, NULL, NULL) &&
		 EVP_CIPHER_CTX_set_padding(k->ivgen, 0);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(&d, sizeof(d));
	return ok ? 0 : fail(why, cap, "OpenSSL: cannot key the CBC IV generator");
}

int esp_keys_init(const ike_crypto *c, esp_keys *k, const esp_sa_params *p, int enc, char *why, size_t cap)
{
	memset(k, 0, sizeof(*k));
	const esp_encr *e = esp_encr_find(p->encr_id, p->encr_keylen);
	if (!e)
		return fail(why, cap, "encr_id/encr_keylen: unsupported ESP encryption transform");
	if (p->encr_key_len != (size_t)e->key_bytes + e->salt_bytes || (p->encr_key_len && !p->encr_key))
		return fail(why, cap, "encr_key: wrong length (cipher key plus 4-byte salt for GCM/GMAC/CTR/ChaCha20)");
	if (check_integ(e, p, why, cap))
		return -1;
	k->e = e;
	k->integ_id = p->integ_id;
	if (e->salt_bytes)
		memcpy(k->salt, p->encr_key + e->key_bytes, e->salt_bytes);
	if (e->kind != ESP_C_NULL) {
		const EVP_CIPHER *ci = cipher_for(c, e);
		/* CTR is its own inverse: always keyed for encryption. */
		int dir = e->kind == ESP_C_CTR ? 1 : enc;
		k->cipher = ci ? EVP_CIPHER_CTX_new() : NULL;
		if (!k->cipher || !EVP_CipherInit_ex2(k->cipher, ci, p->encr_key, NULL, dir, NULL) ||
		    (e->kind == ESP_C_CBC && !EVP_CIPHER_CTX_set_padding(k->cipher, 0)))
			return esp_keys_free(k), fail(why, cap, "OpenSSL: cannot key the cipher");
	}
	k->icv = e->icv_bytes;
	if (p->integ_id) {
		int slot;
		size_t kl;
		esp_integ_info(p->integ_id, &slot, &kl, &k->icv);
		k->mac = EVP_MAC_CTX_dup(c->hmac_tmpl[slot]);
		if (!k->mac || !EVP_MAC_init(k->mac, p->integ_key, p->integ_key_len, NULL))
			return esp_keys_free(k), fail(why, cap, "OpenSSL: cannot key the HMAC");
	}
	if (enc && e->kind == ESP_C_CBC && !p->test_iv && ivgen_init(c, k, p, why, cap))
		return esp_keys_free(k), -1;
	return 0;
}

void esp_keys_free(esp_keys *k)
{
	/* Freeing an OpenSSL context cleanses its key schedule. */
	EVP_CIPHER_CTX_free(k->cipher);
	EVP_MAC_CTX_free(k->mac);
	EVP_CIPHER_CTX_free(k->ivgen);
	OPENSSL_cleanse(k, sizeof(*k));
}

int esp_hmac(esp_keys *k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out)
{
	uint8_t full[64];
	size_t n = 0;
	/* A NULL key re-initialises HMAC with the key already set: no per-packet key schedule. */
	int ok = EVP_MAC_init(k->mac, NULL, 0, NULL) && EVP_MAC_update(k->mac, a, alen) &&
		 (!blen || EVP_MAC_update(k->mac, b, blen)) && EVP_MAC_final(k->mac, full, &n, sizeof(full)) &&
		 n >= k->icv;
	if (ok)
		memcpy(out, full, k->icv);
	return ok ? 0 : -1;
}

size_t esp_nonce(const esp_keys *k, const uint8_t *iv, uint8_t *nonce)
{
	const esp_encr *e = k->e;
	if (e->kind == ESP_C_CBC) {
		memcpy(nonce, iv, e->iv_bytes);
		return e->iv_bytes;
	}
	memcpy(nonce, k->salt, 4);
	memcpy(nonce + 4, iv, 8);
	if (e->kind != ESP_C_CTR)
		return AEAD_NONCE;
	ike_put_u32(nonce + 12, 1); /* RFC 3686 4: the block counter starts at 1 */
	return 16;
}

int esp_cipher_run(esp_keys *k, int enc, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		   const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag)
{
	const esp_encr *e = k->e;
	if (e->kind == ESP_C_NULL) {
		if (in != out && len)
			memmove(out, in, len);
		return 0;
	}
	if (len > INT32_MAX || aad_len > INT32_MAX)
		return -1;
	uint8_t nonce[16], dummy[16];
	esp_nonce(k, iv, nonce);
	EVP_CIPHER_CTX *x = k->cipher;
	int n = 0, aead = e->icv_bytes != 0;
	int ok = EVP_CipherInit_ex2(x, NULL, NULL, nonce, -1, NULL);
	if (ok && aead && !enc)
		ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, e->icv_bytes, tag) > 0;
	if (ok && aead && aad_len)
		ok = EVP_CipherUpdate(x, NULL, &n, aad, (int)aad_len);
	if (ok && len) {
		if (e->kind == ESP_C_GMAC) /* RFC 4543: the payload is authenticated only */
			ok = EVP_CipherUpdate(x, NULL, &n, in, (int)len);
		else
			ok = EVP_CipherUpdate(x, out, &n, in, (int)len) && (size_t)n == len;
	}
	if (!ok)
		return -1;
	if (!EVP_CipherFinal_ex(x, dummy, &n))
		return aead && !enc ? ESP_E_ICV : -1;
	if (aead && enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, e->icv_bytes, tag) <= 0)
		return -1;
	if (e->kind == ESP_C_GMAC && in != out && len)
		memmove(out, in, len);
	return 0;
}
