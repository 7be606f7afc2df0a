/* IKEv1 hash and PRF (HMAC of the negotiated hash): SHA-1/SHA-2 through the shared context, MD5 fetched per use. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto_int.h"
#include "crypto/kdf_v1.h"
#include "crypto/prf.h"
#include "crypto/registry.h"

#define MD5_LEN 16

size_t ike_v1_hash_len(uint16_t hash)
{
	switch (hash) {
	case IKE_V1_MD5: return MD5_LEN;
	case IKE_V1_SHA1: return 20;
	case IKE_V1_SHA2_256: return 32;
	case IKE_V1_SHA2_384: return 48;
	case IKE_V1_SHA2_512: return 64;
	default: return 0;
	}
}

/* The IKEv2 PRF with the same HMAC (SHA family), or 0 (MD5, unknown). */
static uint16_t v2_prf_of(uint16_t hash)
{
	switch (hash) {
	case IKE_V1_SHA1: return IKE_PRF_HMAC_SHA1;
	case IKE_V1_SHA2_256: return IKE_PRF_HMAC_SHA2_256;
	case IKE_V1_SHA2_384: return IKE_PRF_HMAC_SHA2_384;
	case IKE_V1_SHA2_512: return IKE_PRF_HMAC_SHA2_512;
	default: return 0;
	}
}

static int md_slot_of(uint16_t hash)
{
	switch (hash) {
	case IKE_V1_SHA1: return IKE_MD_SHA1;
	case IKE_V1_SHA2_256: return IKE_MD_SHA256;
	case IKE_V1_SHA2_384: return IKE_MD_SHA384;
	case IKE_V1_SHA2_512: return IKE_MD_SHA512;
	default: return -1;
	}
}

int ike_v1_hash(const ike_crypto *c, uint16_t hash, const ike_iov *data, size_t ndata, uint8_t *out)
{
	if (!c || !out || (ndata && !data))
		return -IKE_CRYPTO_EINVAL;
	size_t want = ike_v1_hash_len(hash);
	if (!want)
		return -IKE_CRYPTO_EUNSUPPORTED;
	int slot = md_slot_of(hash);
	/* MD5 is only ever an IKEv1 choice, so it is not in the shared context: fetched for this call. */
	EVP_MD *md5 = slot < 0 ? EVP_MD_fetch(NULL, "MD5", NULL) : NULL;
	const EVP_MD *md = slot < 0 ? md5 : c->md[slot];
	EVP_MD_CTX *ctx = md ? EVP_MD_CTX_new() : NULL;
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
	for (size_t i = 0; ok && i < ndata; i++)
		ok = (!data[i].len || data[i].p) && EVP_DigestUpdate(ctx, data[i].p, data[i].len);
	unsigned int n = 0;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &n) && n == want;
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md5);
	return ok ? 0 : md ? -IKE_CRYPTO_EOSSL : -IKE_CRYPTO_EUNSUPPORTED;
}

static int hmac_md5(const uint8_t *key, size_t key_len, const ike_iov *data, size_t ndata, uint8_t *out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"MD5", 0),
				OSSL_PARAM_construct_end() };
	static const uint8_t empty[1];
	int ok = ctx && EVP_MAC_init(ctx, key_len ? key : empty, key_len, params);
	for (size_t i = 0; ok && i < ndata; i++)
		ok = (!data[i].len || data[i].p) && EVP_MAC_update(ctx, data[i].p, data[i].len);
	size_t n = 0;
	ok = ok && EVP_MAC_final(ctx, out, &n, MD5_LEN) && n == MD5_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}

int ike_v1_prf(const ike_crypto *c, uint16_t hash, const uint8_t *key, size_t key_len, const ike_iov *data,
	       size_t ndata, uint8_t *out)
{
	if (!c || !out || (!key && key_len) || (ndata && !data) || key_len > 65535)
		return -IKE_CRYPTO_EINVAL;
	uint16_t prf = v2_prf_of(hash);
	if (prf)
		return ike_prf(c, prf, key, key_len, data, ndata, out);
	if (hash == IKE_V1_MD5)
		return hmac_md5(key, key_len, data, ndata, out);
	return -IKE_CRYPTO_EUNSUPPORTED;
}
