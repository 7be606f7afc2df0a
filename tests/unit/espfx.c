/* ESP sealing for the capture tests (see espfx.h): just enough of RFC 4303/4106/3602 to feed tshark. */
#include "espfx.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/registry.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* payload | 1, 2, 3... | pad length | next header, so that it ends on a multiple of `block`. */
static size_t trailer(uint8_t *pt, size_t cap, const uint8_t *payload, size_t len, uint8_t nh, size_t block)
{
	size_t pad = (block - (len + 2) % block) % block;
	if (len + pad + 2 > cap)
		return 0;
	memcpy(pt, payload, len);
	for (size_t i = 0; i < pad; i++)
		pt[len + i] = (uint8_t)(i + 1);
	pt[len + pad] = (uint8_t)pad;
	pt[len + pad + 1] = nh;
	return len + pad + 2;
}

static const EVP_CIPHER *aes(const char *mode, size_t key_len)
{
	char name[32];
	snprintf(name, sizeof(name), "AES-%zu-%s", key_len * 8, mode);
	return EVP_get_cipherbyname(name);
}

static size_t seal_gcm(const espfx_sa *sa, uint8_t *out, size_t cap, const uint8_t *pt, size_t n)
{
	uint8_t nonce[12];
	size_t klen = sa->e_len - 4;
	memcpy(nonce, sa->ekey + klen, 4); /* salt | IV (RFC 4106 4) */
	memcpy(nonce + 4, out + 8, 8);
	if (16 + n + 16 > cap)
		return 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, ok = c && EVP_EncryptInit_ex(c, aes("GCM", klen), NULL, sa->ekey, nonce) == 1 &&
			EVP_EncryptUpdate(c, NULL, &l, out, 8) == 1 && /* AAD: SPI | sequence number */
			EVP_EncryptUpdate(c, out + 16, &l, pt, (int)n) == 1 && EVP_EncryptFinal_ex(c, out + 16 + l, &l) == 1 &&
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 16 + n) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 16 + n + 16 : 0;
}

static size_t seal_cbc(const espfx_sa *sa, uint8_t *out, size_t cap, const uint8_t *pt, size_t n)
{
	const EVP_MD *md = sa->integ == IKE_INTEG_HMAC_SHA1_96 ? EVP_sha1()
			 : sa->integ == IKE_INTEG_HMAC_SHA2_256_128 ? EVP_sha256()
			 : sa->integ == IKE_INTEG_HMAC_SHA2_384_192 ? EVP_sha384()
			 : sa->integ == IKE_INTEG_HMAC_SHA2_512_256 ? EVP_sha512() : NULL;
	size_t icv = sa->integ == IKE_INTEG_HMAC_SHA1_96 ? 12 : sa->a_len / 2;
	if (!md || 24 + n + icv > cap)
		return 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, l2 = 0;
	int ok = c && EVP_EncryptInit_ex(c, aes("CBC", sa->e_len), NULL, sa->ekey, out + 8) == 1 &&
		 EVP_CIPHER_CTX_set_padding(c, 0) == 1 && EVP_EncryptUpdate(c, out + 24, &l, pt, (int)n) == 1 &&
		 EVP_EncryptFinal_ex(c, out + 24 + l, &l2) == 1;
	EVP_CIPHER_CTX_free(c);
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned ml = 0;
	if (!ok || !HMAC(md, sa->akey, (int)sa->a_len, out, 24 + n, mac, &ml)) /* over SPI..ciphertext */
		return 0;
	memcpy(out + 24 + n, mac, icv);
	return 24 + n + icv;
}

size_t espfx_seal(const espfx_sa *sa, uint32_t seq, uint8_t next_header, const uint8_t *payload, size_t len,
		  uint8_t *out, size_t cap)
{
	uint8_t pt[2048];
	int gcm = sa->encr == IKE_ENCR_AES_GCM_16;
	size_t iv_len = gcm ? 8 : 16;
	if (cap < 8 + iv_len)
		return 0;
	put32(out, sa->spi);
	put32(out + 4, seq);
	for (size_t i = 0; i < iv_len; i++) /* unique per sequence number, which is all ESP asks of an IV here */
		out[8 + i] = (uint8_t)(0xa5 ^ (seq >> (8 * (i % 4))) ^ i);
	size_t n = trailer(pt, sizeof(pt), payload, len, next_header, gcm ? 4 : 16);
	if (!n)
		return 0;
	return gcm ? seal_gcm(sa, out, cap, pt, n) : sa->encr == IKE_ENCR_AES_CBC ? seal_cbc(sa, out, cap, pt, n) : 0;
}
