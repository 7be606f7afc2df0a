/* SHA-1 and SHA-256 over scattered inputs, for NAT detection hashes and responder cookies. */
/*
 * OpenSSL's plain SHA-1 functions (deprecated since 3.0, hence the define): the inputs are about
 * 22 bytes, one compression, and the EVP route (context allocation, provider dispatch, free) cost
 * several times that compression.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "crypto/hash.h"

#include "crypto/crypto_int.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

int ike_sha1(const ike_crypto *c, const ike_iov *data, size_t ndata, uint8_t out[IKE_SHA1_LEN])
{
	SHA_CTX ctx;
	(void)c;
	int ok = SHA1_Init(&ctx);
	for (size_t i = 0; ok && i < ndata; i++)
		ok = SHA1_Update(&ctx, data[i].p, data[i].len);
	ok = ok && SHA1_Final(out, &ctx);
	OPENSSL_cleanse(&ctx, sizeof(ctx));
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}

int ike_sha256(const ike_crypto *c, const ike_iov *data, size_t ndata, uint8_t out[IKE_SHA256_LEN])
{
	/* Cookies are computed rarely (only under load), so the EVP context's allocation does not matter. */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, c->md[IKE_MD_SHA256], NULL);
	for (size_t i = 0; ok && i < ndata; i++)
		ok = EVP_DigestUpdate(ctx, data[i].p, data[i].len);
	unsigned int n = 0;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &n) && n == IKE_SHA256_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}
