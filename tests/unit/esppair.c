/* Test fixture for engine/esp (see esppair.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "crypto/registry.h"
#include "esp/ip.h"
#include "esppair.h"

static const esppair_alg algs[] = {
	{ "aes128gcm16", IKE_ENCR_AES_GCM_16, 128, 0 },
	{ "aes192gcm12", IKE_ENCR_AES_GCM_12, 192, 0 },
	{ "aes256gcm8", IKE_ENCR_AES_GCM_8, 256, 0 },
	{ "aes256gcm16", IKE_ENCR_AES_GCM_16, 256, 0 },
	{ "chacha20poly1305", IKE_ENCR_CHACHA20_POLY1305, 0, 0 },
	{ "aes128gmac", ESP_ENCR_NULL_AUTH_AES_GMAC, 128, 0 },
	{ "aes256gmac", ESP_ENCR_NULL_AUTH_AES_GMAC, 256, 0 },
	{ "aes128-sha1", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96 },
	{ "aes128-sha256", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "aes192-sha384", IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192 },
	{ "aes256-sha512", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256 },
	{ "aes128ctr-sha256", IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "aes256ctr-sha1", IKE_ENCR_AES_CTR, 256, IKE_INTEG_HMAC_SHA1_96 },
	{ "null-sha256", IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA2_256_128 },
	{ "null-sha1", IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA1_96 },
	{ "aes128-noauth", IKE_ENCR_AES_CBC, 128, 0 },
};

const esppair_alg *esppair_algs(size_t *n)
{
	*n = sizeof(algs) / sizeof(algs[0]);
	return algs;
}

static size_t encr_key_len(const esppair_alg *a)
{
	switch (a->encr) {
	case IKE_ENCR_NULL: return 0;
	case IKE_ENCR_AES_CBC: return a->keylen / 8;
	case IKE_ENCR_CHACHA20_POLY1305: return 36;
	default: return a->keylen / 8 + 4u;
	}
}

static size_t integ_key_len(uint16_t integ)
{
	return integ == IKE_INTEG_HMAC_SHA1_96 ? 20 : integ == IKE_INTEG_HMAC_SHA2_256_128 ? 32
	       : integ == IKE_INTEG_HMAC_SHA2_384_192                                 ? 48
	       : integ == IKE_INTEG_HMAC_SHA2_512_256                                 ? 64
										      : 0;
}

static const uint8_t ivseed[32] = "esppair iv seed, deterministic";

esp_sa_params esppair_params(const esppair_alg *a, uint8_t dir, uint8_t mode, int esn, uint32_t window, uint8_t seed,
			   esppair_keys *k)
{
	for (int i = 0; i < 64; i++) {
		k->e[i] = (uint8_t)(seed * 7 + i);
		k->a[i] = (uint8_t)(seed * 13 + 3 * i + 1);
	}
	esp_sa_params p = { .spi = 0x1000u + seed, .dir = dir, .mode = mode, .esn = (uint8_t)esn,
			    .encr_id = a->encr, .encr_keylen = a->keylen, .integ_id = a->integ,
			    .encr_key = k->e, .encr_key_len = encr_key_len(a),
			    .integ_key = a->integ ? k->a : NULL, .integ_key_len = integ_key_len(a->integ),
			    .replay_window = window, .iv_seed = ivseed, .iv_seed_len = sizeof(ivseed) };
	return p;
}

void esppair_pair(const ike_crypto *c, const esppair_alg *a, uint8_t mode, int esn, uint32_t window, uint8_t seed,
		esp_sa **out, esp_sa **in)
{
	char why[160] = "";
	esppair_keys k;
	esp_sa_params po = esppair_params(a, ESP_DIR_OUT, mode, esn, window, seed, &k);
	esp_sa_params pi = esppair_params(a, ESP_DIR_IN, mode, esn, window, seed, &k);
	*out = esp_sa_new(c, &po, why, sizeof(why));
	if (!*out)
		fail_msg("%s out: %s", a->name, why);
	*in = esp_sa_new(c, &pi, why, sizeof(why));
	if (!*in)
		fail_msg("%s in: %s", a->name, why);
}

size_t esppair_ipv4_udp(uint8_t *buf, size_t len, uint8_t fill)
{
	esp_ip h = { .family = 4, .proto = ESP_IPPROTO_UDP, .ttl = 64, .id = 0x1234,
		     .src = { 10, 1, 0, 1 }, .dst = { 10, 2, 0, 1 } };
	memset(buf, fill, len);
	size_t hl = esp_ip_build(&h, len - ESP_IPV4_HDR_LEN, buf, len);
	esp_udp_build(1234, 5678, len - hl - ESP_UDP_HDR_LEN, buf + hl, len - hl);
	return len;
}

size_t esppair_ipv6_udp(uint8_t *buf, size_t len, uint8_t fill)
{
	esp_ip h = { .family = 6, .proto = ESP_IPPROTO_UDP, .ttl = 64,
		     .src = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 }, .dst = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1 } };
	memset(buf, fill, len);
	size_t hl = esp_ip_build(&h, len - ESP_IPV6_HDR_LEN, buf, len);
	esp_udp_build(1234, 5678, len - hl - ESP_UDP_HDR_LEN, buf + hl, len - hl);
	return len;
}
