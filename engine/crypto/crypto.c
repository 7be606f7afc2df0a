/* The crypto context: every OpenSSL algorithm is fetched here once, then only read. */
#include <limits.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "crypto/crypto_int.h"

static const char *const md_names[IKE_MD_COUNT] = { "SHA1", "SHA256", "SHA384", "SHA512" };

/* A MAC context keyed with zeros, so later EVP_MAC_CTX_dup() works (OpenSSL cannot dup unkeyed ones). */
static EVP_MAC_CTX *make_template(EVP_MAC *mac, const char *param, const char *value, size_t key_len)
{
	static const uint8_t zero_key[64];
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(param, (char *)value, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		return NULL;
	if (!EVP_MAC_init(ctx, zero_key, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

ike_crypto *ike_crypto_new(void)
{
	static const char *const cbc[] = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" };
	static const char *const ctr[] = { "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" };
	static const char *const gcm[] = { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" };
	static const char *const ecb[] = { "AES-128-ECB", "AES-192-ECB", "AES-256-ECB" };
	ike_crypto *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	int ok = 1;
	for (int i = 0; i < IKE_MD_COUNT; i++)
		ok &= (c->md[i] = EVP_MD_fetch(NULL, md_names[i], NULL)) != NULL;
	for (int i = 0; i < IKE_AES_COUNT; i++) {
		ok &= (c->aes_cbc[i] = EVP_CIPHER_fetch(NULL, cbc[i], NULL)) != NULL;
		ok &= (c->aes_ctr[i] = EVP_CIPHER_fetch(NULL, ctr[i], NULL)) != NULL;
		ok &= (c->aes_gcm[i] = EVP_CIPHER_fetch(NULL, gcm[i], NULL)) != NULL;
		ok &= (c->aes_ecb[i] = EVP_CIPHER_fetch(NULL, ecb[i], NULL)) != NULL;
	}
	ok &= (c->chacha20_poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL)) != NULL;
	ok &= (c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL;
	ok &= (c->cmac = EVP_MAC_fetch(NULL, "CMAC", NULL)) != NULL;
	if (ok) {
		for (int i = 0; i < IKE_MD_COUNT; i++)
			ok &= (c->hmac_tmpl[i] = make_template(c->hmac, OSSL_MAC_PARAM_DIGEST, md_names[i], 16)) != NULL;
		ok &= (c->cmac_tmpl = make_template(c->cmac, OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 16)) != NULL;
	}
	if (!ok) {
		ike_crypto_free(c);
		return NULL;
	}
	return c;
}

void ike_crypto_free(ike_crypto *c)
{
	if (!c)
		return;
	for (int i = 0; i < IKE_MD_COUNT; i++) {
		EVP_MAC_CTX_free(c->hmac_tmpl[i]);
		EVP_MD_free(c->md[i]);
	}
	EVP_MAC_CTX_free(c->cmac_tmpl);
	EVP_MAC_free(c->hmac);
	EVP_MAC_free(c->cmac);
	for (int i = 0; i < IKE_AES_COUNT; i++) {
		EVP_CIPHER_free(c->aes_cbc[i]);
		EVP_CIPHER_free(c->aes_ctr[i]);
		EVP_CIPHER_free(c->aes_gcm[i]);
		EVP_CIPHER_free(c->aes_ecb[i]);
	}
	EVP_CIPHER_free(c->chacha20_poly1305);
	free(c);
}

const char *ike_crypto_strerror(int err)
{
	switch (err < 0 && err != INT_MIN ? -err : err) {
	case IKE_CRYPTO_OK: return "success";
	case IKE_CRYPTO_EUNSUPPORTED: return "unsupported algorithm or group";
	case IKE_CRYPTO_EINVAL: return "invalid length or parameter";
	case IKE_CRYPTO_EPEER: return "peer public value failed validation";
	case IKE_CRYPTO_EAUTH: return "integrity check failed";
	case IKE_CRYPTO_EOSSL: return "OpenSSL error";
	case IKE_CRYPTO_ENOMEM: return "out of memory";
	default: return "unknown crypto error";
	}
}
