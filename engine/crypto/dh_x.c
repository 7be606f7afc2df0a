/* Curve25519 / Curve448 (RFC 7748, RFC 8031): raw little-endian keys, raw shared secret. */
#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "crypto/dh_int.h"

int ike_dh_x_key(const ike_dh_info *g, const uint8_t *priv, size_t len, EVP_PKEY **key, uint8_t *pub)
{
	if (len != g->priv_len)
		return -IKE_CRYPTO_EINVAL;
	*key = EVP_PKEY_new_raw_private_key_ex(NULL, g->ossl, NULL, priv, len);
	size_t n = g->pub_len;
	if (!*key || EVP_PKEY_get_raw_public_key(*key, pub, &n) != 1 || n != g->pub_len)
		return -IKE_CRYPTO_EOSSL;
	return 0;
}

int ike_dh_x_peer(const ike_dh_info *g, const uint8_t *pub, size_t len, EVP_PKEY **peer)
{
	/* RFC 8031 2.3: any 32/56-byte string is a valid u; small-order points show up as a zero secret. */
	if (len != g->pub_len)
		return -IKE_CRYPTO_EPEER;
	if (!peer)
		return 0;
	*peer = EVP_PKEY_new_raw_public_key_ex(NULL, g->ossl, NULL, pub, len);
	return *peer ? 0 : -IKE_CRYPTO_EOSSL;
}
