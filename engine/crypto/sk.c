/* SK payload protection: AES-CBC/CTR + integrity (RFC 7296 3.14, RFC 5930), AES-GCM (RFC 5282), ChaCha20-Poly1305 (RFC 7634). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "crypto/crypto_int.h"
#include "crypto/prf.h"
#include "crypto/sk.h"

#define MAX_ICV 32
#define CTR_BLOCK 16
#define AEAD_DEFAULT_NONCE 12 /* AES-GCM and ChaCha20-Poly1305 in OpenSSL */

/* The prefetched cipher for an ENCR transform, or NULL. */
static const EVP_CIPHER *cipher_for(const ike_crypto *c, const ike_alg *e)
{
	int slot = ike_aes_slot_for((size_t)(e->key_bytes - e->salt_bytes));
	switch (e->id) {
	case IKE_ENCR_AES_CBC: return slot < 0 ? NULL : c->aes_cbc[slot];
	case IKE_ENCR_AES_CTR: return slot < 0 ? NULL : c->aes_ctr[slot];
	case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16: return slot < 0 ? NULL : c->aes_gcm[slot];
	case IKE_ENCR_CHACHA20_POLY1305: return c->chacha20_poly1305;
	default: return NULL;
	}
}

/* Checks a key set: a known ENCR; non-AEAD needs an integrity transform, AEAD must have none. */
static int keys_ok(const ike_sk_keys *k)
{
	if (!k || !k->encr || k->encr->type != IKE_TT_ENCR || !k->ekey)
		return 0;
	if (k->encr->aead)
		return k->integ == NULL;
	return k->integ && k->integ->type == IKE_TT_INTEG && k->akey && k->integ->icv_bytes <= MAX_ICV;
}

static size_t icv_len(const ike_sk_keys *k) { return k->encr->aead ? k->encr->icv_bytes : k->integ->icv_bytes; }

size_t ike_sk_body_len(const ike_sk_keys *k, size_t ptlen)
{
	if (!keys_ok(k) || ptlen > SIZE_MAX / 2)
		return 0;
	size_t blk = k->encr->block_bytes ? k->encr->block_bytes : 1;
	size_t padded = (ptlen + 1 + blk - 1) / blk * blk; /* payloads | padding | pad length byte */
	return k->encr->iv_bytes + padded + icv_len(k);
}

/* Cipher nonce/IV: CBC uses the IV; CTR the counter block salt|IV|1 (RFC 3686); AEAD salt|IV (12 bytes). */
static size_t make_nonce(const ike_alg *e, const uint8_t *ekey, const uint8_t *iv, uint8_t *nonce)
{
	if (e->id == IKE_ENCR_AES_CBC) {
		memcpy(nonce, iv, e->iv_bytes);
		return e->iv_bytes;
	}
	const uint8_t *salt = ekey + e->key_bytes - e->salt_bytes;
	memcpy(nonce, salt, e->salt_bytes);
	memcpy(nonce + e->salt_bytes, iv, e->iv_bytes);
	size_t n = (size_t)e->salt_bytes + e->iv_bytes;
	if (e->id == IKE_ENCR_AES_CTR) {
		ike_put_u32(nonce + n, 1);
		n += 4;
	}
	return n;
}

/*
 * Runs the cipher in place over buf[0..len). AEAD: aad covered, tag written (enc) or checked (dec).
 * Returns 0, -IKE_CRYPTO_EAUTH on tag mismatch, or another -err.
 */
static int run_cipher(const ike_crypto *c, const ike_alg *e, const uint8_t *ekey, const uint8_t *iv, int enc,
		      const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag)
{
	const EVP_CIPHER *ci = cipher_for(c, e);
	if (!ci)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (len > INT32_MAX || aad_len > INT32_MAX)
		return -IKE_CRYPTO_EINVAL;
	uint8_t nonce[CTR_BLOCK];
	size_t nlen = make_nonce(e, ekey, iv, nonce);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -IKE_CRYPTO_ENOMEM;
	int ok = 1, n = 0, rc = 0;
	if (e->aead && nlen == AEAD_DEFAULT_NONCE) {
		/* salt | IV is the ciphers' default 12-byte nonce: one init, no IV-length parameter to look up */
		ok = EVP_CipherInit_ex2(ctx, ci, ekey, nonce, enc, NULL);
		if (ok && !enc)
			ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, e->icv_bytes, tag) > 0;
		if (ok && aad_len)
			ok = EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len);
	} else if (e->aead) {
		size_t ivlen = nlen;
		OSSL_PARAM p[2] = { OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
				    OSSL_PARAM_construct_end() };
		ok = EVP_CipherInit_ex2(ctx, ci, NULL, NULL, enc, p) &&
		     EVP_CipherInit_ex2(ctx, NULL, ekey, nonce, enc, NULL);
		if (ok && !enc)
			ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, e->icv_bytes, tag) > 0;
		if (ok && aad_len)
			ok = EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len);
	} else {
		ok = EVP_CipherInit_ex2(ctx, ci, ekey, nonce, enc, NULL) && EVP_CIPHER_CTX_set_padding(ctx, 0);
	}
	if (ok && len)
		ok = EVP_CipherUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len;
	if (ok) {
		uint8_t dummy[CTR_BLOCK];
		/* For AEAD decryption a failed final means the tag did not verify. */
		if (!EVP_CipherFinal_ex(ctx, dummy, &n))
			rc = (e->aead && !enc) ? -IKE_CRYPTO_EAUTH : -IKE_CRYPTO_EOSSL;
		else if (e->aead && enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, e->icv_bytes, tag) <= 0)
			rc = -IKE_CRYPTO_EOSSL;
	} else {
		rc = -IKE_CRYPTO_EOSSL;
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int ike_sk_seal(const ike_crypto *c, const ike_sk_keys *k, ike_drbg *rng, uint8_t *msg, size_t aad_len,
		const uint8_t *pt, size_t ptlen, size_t cap, size_t *body_len)
{
	if (!c || !keys_ok(k) || !rng || !msg || (!pt && ptlen) || !body_len)
		return -IKE_CRYPTO_EINVAL;
	size_t total = ike_sk_body_len(k, ptlen);
	if (!total || aad_len > cap || total > cap - aad_len)
		return -IKE_CRYPTO_EINVAL;
	const ike_alg *e = k->encr;
	size_t ivl = e->iv_bytes, icv = icv_len(k), ctlen = total - ivl - icv;
	uint8_t *iv = msg + aad_len, *ct = iv + ivl, *tag = ct + ctlen;
	/* pt may already sit inside msg, so move it before the IV is written. */
	if (ptlen)
		memmove(ct, pt, ptlen);
	size_t padlen = ctlen - ptlen - 1;
	ike_drbg_bytes(rng, ct + ptlen, padlen);
	ct[ctlen - 1] = (uint8_t)padlen;
	ike_drbg_bytes(rng, iv, ivl);
	int rc = run_cipher(c, e, k->ekey, iv, 1, msg, e->aead ? aad_len : 0, ct, ct, ctlen, tag);
	if (rc == 0 && !e->aead) {
		/* ICV over IKE header .. end of ciphertext (RFC 7296 3.14) */
		ike_iov d = { msg, aad_len + ivl + ctlen };
		rc = ike_integ(c, k->integ->id, k->akey, &d, 1, tag);
	}
	if (rc) {
		OPENSSL_cleanse(msg + aad_len, total);
		return rc;
	}
	*body_len = total;
	return 0;
}

int ike_sk_open(const ike_crypto *c, const ike_sk_keys *k, const uint8_t *msg, size_t aad_len, size_t body_len,
		uint8_t *pt, size_t cap, size_t *ptlen)
{
	if (!c || !keys_ok(k) || !msg || !pt || !ptlen)
		return -IKE_CRYPTO_EINVAL;
	const ike_alg *e = k->encr;
	size_t ivl = e->iv_bytes, icv = icv_len(k), blk = e->block_bytes ? e->block_bytes : 1;
	/* At least IV | pad length byte | ICV; ciphertext a whole number of blocks. */
	if (body_len < ivl + icv + 1 || aad_len > SIZE_MAX - body_len)
		return -IKE_CRYPTO_EINVAL;
	size_t ctlen = body_len - ivl - icv;
	if (ctlen % blk)
		return -IKE_CRYPTO_EINVAL;
	if (ctlen > cap)
		return -IKE_CRYPTO_EINVAL;
	const uint8_t *iv = msg + aad_len, *ct = iv + ivl, *tag = ct + ctlen;
	int rc;
	if (!e->aead) {
		uint8_t mine[MAX_ICV];
		ike_iov d = { msg, aad_len + ivl + ctlen };
		rc = ike_integ(c, k->integ->id, k->akey, &d, 1, mine);
		if (rc)
			return rc;
		if (!ike_ct_equal(mine, tag, icv))
			return -IKE_CRYPTO_EAUTH;
		rc = run_cipher(c, e, k->ekey, iv, 0, NULL, 0, ct, pt, ctlen, NULL);
	} else {
		uint8_t t[MAX_ICV];
		memcpy(t, tag, icv);
		rc = run_cipher(c, e, k->ekey, iv, 0, msg, aad_len, ct, pt, ctlen, t);
	}
	if (rc == 0 && (size_t)pt[ctlen - 1] + 1 > ctlen)
		rc = -IKE_CRYPTO_EINVAL;
	if (rc) {
		OPENSSL_cleanse(pt, ctlen);
		return rc;
	}
	*ptlen = ctlen - pt[ctlen - 1] - 1;
	return 0;
}
