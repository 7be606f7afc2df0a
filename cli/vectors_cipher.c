/* Vector kinds for ciphers: raw AES-CBC/CTR/GCM via EVP, the RFC 7634 IKEv2 case via ike_sk_open. */
#include <string.h>

#include <openssl/evp.h>

#include "crypto/registry.h"
#include "crypto/sk.h"
#include "vectors_int.h"

static const EVP_CIPHER *aes(const char *mode, size_t key_len)
{
	static const char *const cbc[] = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" };
	static const char *const ctr[] = { "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" };
	static const char *const gcm[] = { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" };
	int i = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
	if (i < 0)
		return NULL;
	const char *name = !strcmp(mode, "cbc") ? cbc[i] : !strcmp(mode, "ctr") ? ctr[i] : gcm[i];
	return EVP_get_cipherbyname(name);
}

/* One-shot encryption without padding; for GCM also sets the AAD and returns the tag. 0 on success. */
static int encrypt(const EVP_CIPHER *ciph, const uint8_t *key, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
		   size_t aad_len, const uint8_t *pt, size_t len, uint8_t *ct, uint8_t *tag, size_t tag_len)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, ok = x && EVP_EncryptInit_ex2(x, ciph, NULL, NULL, NULL) == 1;
	if (ok && tag)
		ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, (int)iv_len, NULL) == 1;
	ok = ok && EVP_EncryptInit_ex2(x, NULL, key, iv, NULL) == 1 && EVP_CIPHER_CTX_set_padding(x, 0) == 1;
	if (ok && aad_len)
		ok = EVP_EncryptUpdate(x, NULL, &n, aad, (int)aad_len) == 1;
	ok = ok && EVP_EncryptUpdate(x, ct, &n, pt, (int)len) == 1 && EVP_EncryptFinal_ex(x, ct + n, &fin) == 1 &&
	     (size_t)(n + fin) == len;
	if (ok && tag)
		ok = EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

/* A whole-ESP-packet case: run by vectors_esp.c through engine/esp. */
static int esp_packet_case(cli_vcase *vc)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(vc->obj, "type");
	return cJSON_IsString(t) && t->valuestring && !strncmp(t->valuestring, "esp-", 4);
}

int cli_v_aes_cbc(cli_vcase *vc)
{
	if (esp_packet_case(vc))
		return cli_v_esp_aes_cbc(vc);
	size_t kl, il, pl;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *iv = cli_v_hex(vc, "iv", &il);
	const uint8_t *pt = cli_v_hex(vc, "plaintext", &pl);
	if (vc->failed)
		return CLI_V_FAIL;
	const EVP_CIPHER *ciph = aes("cbc", kl);
	if (!ciph || il != 16 || pl % 16)
		return cli_v_fail(vc, "key/iv/plaintext", "need a 16/24/32-byte key, 16-byte IV, whole blocks");
	uint8_t *ct = cli_v_alloc(vc, pl);
	if (!ct)
		return CLI_V_FAIL;
	if (encrypt(ciph, key, iv, il, NULL, 0, pt, pl, ct, NULL, 0))
		return cli_v_fail(vc, "ciphertext", "EVP AES-CBC failed");
	cli_v_expect(vc, "ciphertext", ct, pl);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

int cli_v_aes_ctr(cli_vcase *vc)
{
	size_t kl, il, nl, pl;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *iv = cli_v_hex(vc, "iv", &il);
	const uint8_t *nonce = cli_v_hex(vc, "nonce", &nl), *pt = cli_v_hex(vc, "plaintext", &pl);
	if (vc->failed)
		return CLI_V_FAIL;
	const EVP_CIPHER *ciph = aes("ctr", kl);
	if (!ciph || il != 8 || nl != 4)
		return cli_v_fail(vc, "key/iv/nonce", "need a 16/24/32-byte key, 8-byte IV, 4-byte nonce");
	/* RFC 3686 4: counter block = nonce | IV | 32-bit block counter starting at 1. */
	uint8_t block[16] = { 0 };
	memcpy(block, nonce, 4);
	memcpy(block + 4, iv, 8);
	block[15] = 1;
	if (cJSON_GetObjectItemCaseSensitive(vc->obj, "counter_block_1"))
		cli_v_expect(vc, "counter_block_1", block, 16);
	uint8_t *ct = cli_v_alloc(vc, pl);
	if (!ct)
		return CLI_V_FAIL;
	if (encrypt(ciph, key, block, 16, NULL, 0, pt, pl, ct, NULL, 0))
		return cli_v_fail(vc, "ciphertext", "EVP AES-CTR failed");
	cli_v_expect(vc, "ciphertext", ct, pl);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

/* RFC 4106: the AEAD computation checked with raw EVP, then the whole ESP packet through engine/esp. */
int cli_v_aes_gcm_esp(cli_vcase *vc)
{
	size_t kl, sl, il, al, pl, spl;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *salt = cli_v_hex(vc, "salt", &sl);
	const uint8_t *iv = cli_v_hex(vc, "iv", &il), *aad = cli_v_hex(vc, "aad", &al);
	const uint8_t *pt = cli_v_hex(vc, "plaintext", &pl), *spi = cli_v_hex(vc, "spi", &spl);
	if (vc->failed)
		return CLI_V_FAIL;
	const EVP_CIPHER *ciph = aes("gcm", kl);
	if (!ciph || sl != 4 || il != 8 || spl != 4 || (al != 8 && al != 12))
		return cli_v_fail(vc, "key/salt/iv/spi/aad", "bad lengths for AES-GCM ESP");
	uint8_t nonce[12];
	memcpy(nonce, salt, 4);
	memcpy(nonce + 4, iv, 8);
	cli_v_expect(vc, "nonce", nonce, 12);
	cli_v_same(vc, "aad", aad, 4, spi, 4); /* AAD starts with the SPI */
	uint8_t *ct = cli_v_alloc(vc, pl), tag[16];
	if (!ct)
		return CLI_V_FAIL;
	if (encrypt(ciph, key, nonce, 12, aad, al, pt, pl, ct, tag, 16))
		return cli_v_fail(vc, "ciphertext", "EVP AES-GCM failed");
	cli_v_expect(vc, "ciphertext", ct, pl);
	cli_v_expect(vc, "icv", tag, 16);
	if (vc->failed)
		return CLI_V_FAIL;
	return cli_v_esp_aes_gcm(vc);
}

/* RFC 7634 Appendix B: opens the whole IKE message with the engine's SK payload code. */
static int chacha_ikev2(cli_vcase *vc)
{
	size_t kl, sl, ml, nl;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *salt = cli_v_hex(vc, "salt", &sl);
	const uint8_t *msg = cli_v_hex(vc, "ike_message", &ml);
	const uint8_t *inner = cli_v_hex(vc, "notify_payload", &nl);
	if (vc->failed)
		return CLI_V_FAIL;
	const ike_alg *encr = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	/* IKE header (28) + SK generic header (4) are the associated data. */
	if (!encr || kl != 32 || sl != 4 || ml < 32 || encr->key_bytes != 36)
		return cli_v_fail(vc, "key/salt/ike_message", "bad lengths or no ChaCha20-Poly1305 transform");
	uint8_t ekey[36];
	memcpy(ekey, key, 32);
	memcpy(ekey + 32, salt, 4);
	ike_sk_keys k = { .encr = encr, .integ = NULL, .ekey = ekey, .akey = NULL };
	uint8_t *pt = cli_v_alloc(vc, ml);
	size_t ptlen = 0;
	if (!pt)
		return CLI_V_FAIL;
	int rc = ike_sk_open(vc->c, &k, msg, 32, ml - 32, pt, ml, &ptlen);
	if (rc)
		return cli_v_fail(vc, "ike_message", "ike_sk_open: %s", ike_crypto_strerror(rc));
	cli_v_same(vc, "notify_payload", pt, ptlen, inner, nl);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

int cli_v_chacha_ikev2(cli_vcase *vc)
{
	if (esp_packet_case(vc))
		return cli_v_esp_chacha(vc);
	const char *type = cli_v_str(vc, "type");
	if (!type)
		return CLI_V_FAIL;
	if (strcmp(type, "ikev2-sk-chacha20-poly1305"))
		return cli_v_fail(vc, "type", "unknown case type \"%s\"", type);
	return chacha_ikev2(vc);
}
