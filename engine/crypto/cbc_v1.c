/* 3DES-CBC and AES-CBC without padding, as IKEv1 encrypts its messages (RFC 2409 App. B, RFC 3602). */
#include <openssl/evp.h>

#include "crypto/cbc_v1.h"
#include "crypto/crypto_int.h"

#define DES_BLK 8
#define AES_BLK 16
#define DES3_KEY 24

size_t ike_v1_cbc_block(uint16_t encr)
{
	return encr == IKE_V1_ENCR_3DES ? DES_BLK : encr == IKE_V1_ENCR_AES_CBC ? AES_BLK : 0;
}

size_t ike_v1_cbc_key_len(uint16_t encr, uint16_t key_bits)
{
	if (encr == IKE_V1_ENCR_3DES)
		return key_bits == 0 || key_bits == 192 ? DES3_KEY : 0;
	if (encr == IKE_V1_ENCR_AES_CBC) {
		if (key_bits == 0)
			return 16; /* RFC 3602 5.3: the default AES key length is 128 bits */
		return key_bits == 128 || key_bits == 192 || key_bits == 256 ? key_bits / 8u : 0;
	}
	return 0;
}

int ike_v1_cbc(const ike_crypto *c, uint16_t encr, const uint8_t *key, size_t key_len, const uint8_t *iv,
	       const uint8_t *in, uint8_t *out, size_t len, bool encrypt)
{
	size_t blk = ike_v1_cbc_block(encr);
	if (!blk)
		return -IKE_CRYPTO_EUNSUPPORTED;
	if (!c || !key || !iv || (len && (!in || !out)) || len % blk || len > (size_t)INT32_MAX)
		return -IKE_CRYPTO_EINVAL;
	EVP_CIPHER *des3 = NULL;
	const EVP_CIPHER *ciph;
	if (encr == IKE_V1_ENCR_3DES) {
		if (key_len != DES3_KEY)
			return -IKE_CRYPTO_EINVAL;
		/* 3DES exists only for IKEv1 here, so it is fetched per call rather than kept in the context. */
		des3 = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL);
		ciph = des3;
	} else {
		int slot = ike_aes_slot_for(key_len);
		if (slot < 0)
			return -IKE_CRYPTO_EINVAL;
		ciph = c->aes_cbc[slot];
	}
	EVP_CIPHER_CTX *ctx = ciph ? EVP_CIPHER_CTX_new() : NULL;
	int n1 = 0, n2 = 0;
	int ok = ctx && EVP_CipherInit_ex(ctx, ciph, NULL, key, iv, encrypt ? 1 : 0) &&
		 EVP_CIPHER_CTX_set_padding(ctx, 0) && (len == 0 || EVP_CipherUpdate(ctx, out, &n1, in, (int)len)) &&
		 EVP_CipherFinal_ex(ctx, out + n1, &n2) && (size_t)(n1 + n2) == len;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(des3);
	return ok ? 0 : ciph ? -IKE_CRYPTO_EOSSL : -IKE_CRYPTO_EUNSUPPORTED;
}
