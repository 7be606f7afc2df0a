/* SHA-1 over scattered inputs, for NAT detection hashes. */
#include "crypto/hash.h"

#include <openssl/evp.h>

#include "crypto/crypto_int.h"

int ike_sha1(const ike_crypto *c, const ike_iov *data, size_t ndata, uint8_t out[IKE_SHA1_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	/* A pre-fetched digest: EVP_sha1() makes OpenSSL 3 look the algorithm up again on every init. */
	int ok = ctx && EVP_DigestInit_ex(ctx, c ? c->md[IKE_MD_SHA1] : EVP_sha1(), NULL);
	for (size_t i = 0; ok && i < ndata; i++)
		ok = EVP_DigestUpdate(ctx, data[i].p, data[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &n) && n == IKE_SHA1_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -IKE_CRYPTO_EOSSL;
}
