/* IKEv1 RSA signatures: PKCS#1 v1.5 over the raw HASH_I/HASH_R (no DigestInfo, RFC 2409 5.1). */
#include "crypto/sig_v1.h"

#include <openssl/rsa.h>

int ike_sig_v1_rsa_sign(const ike_crypto *c, EVP_PKEY *key, const uint8_t *hash, size_t hlen, uint8_t *out,
			size_t cap, size_t *out_len)
{
	(void)c;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || (size_t)EVP_PKEY_get_size(key) > cap)
		return -IKE_CRYPTO_EINVAL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	size_t n = cap;
	int ok = ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		 EVP_PKEY_sign(ctx, out, &n, hash, hlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return -IKE_CRYPTO_EINVAL;
	*out_len = n;
	return 0;
}

int ike_sig_v1_rsa_verify(const ike_crypto *c, EVP_PKEY *pub, const uint8_t *hash, size_t hlen, const uint8_t *sig,
			  size_t slen)
{
	(void)c;
	if (!pub || EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		return -IKE_CRYPTO_EINVAL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	int ok = ctx && EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		 EVP_PKEY_verify(ctx, sig, slen, hash, hlen) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -IKE_CRYPTO_EINVAL;
}
