/*
 * libFuzzer target: engine/esp input processing with real keys. Byte 0 picks the transform, byte 1 the
 * flags (bit 0 ESN, bit 1 transport mode) and the kind (bits 2-3):
 *   0 raw: the rest is an ESP packet for the SAD (unknown SPI, lengths, the ICV check itself);
 *   1 reseal: [next header][mutation count][(offset hi, offset lo, xor) ...] inner: sealed by a real
 *     outbound SA, which must open unchanged; then mutated and opened; then replayed, which must fail;
 *   2 forge: [4-byte sequence number] plaintext: the harness encrypts the fuzzer's bytes as the ESP
 *     plaintext (payload, padding, pad length, next header) and computes a valid ICV, so the trailer and
 *     inner-packet checks behind the ICV see arbitrary bytes;
 *   3 AH: [0: raw packet | 1: protect then verify, which must give the input back] bytes.
 * Every kind also runs the IP/UDP parsers, the 5-tuple and an SPD lookup on the bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/buf.h"
#include "crypto/registry.h"
#include "esp/ah.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "esp/spd.h"

#define BUF 70000

typedef struct fz_alg {
	uint16_t encr, keylen, integ;
	size_t ekey, akey;
} fz_alg;

/* Transforms 0..2 can also be forged (kind 2): NULL + HMAC-SHA2-256, AES-128-GCM-16, AES-128-CBC + SHA2-256. */
static const fz_alg algs[] = {
	{ IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA2_256_128, 0, 32 },
	{ IKE_ENCR_AES_GCM_16, 128, 0, 20, 0 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 16, 32 },
	{ IKE_ENCR_AES_CBC, 128, 0, 16, 0 }, /* no ICV: raw bytes reach decryption and the trailer */
	{ IKE_ENCR_AES_GCM_8, 256, 0, 36, 0 },
	{ IKE_ENCR_CHACHA20_POLY1305, 0, 0, 36, 0 },
	{ ESP_ENCR_NULL_AUTH_AES_GMAC, 128, 0, 20, 0 },
	{ IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA1_96, 20, 20 },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))
#define SPI 0x4242

static const uint8_t ekey[36] = "fuzz encryption key, 36 bytes long", akey[64] = "fuzz integrity key";
static const uint8_t seed[32] = "fuzz iv seed";

static ike_crypto *crypto(void)
{
	static ike_crypto *c; /* fetched once per process, read-only afterwards */
	if (!c && !(c = ike_crypto_new()))
		abort();
	return c;
}

static esp_sa_params params(const fz_alg *a, uint8_t dir, uint8_t flags)
{
	esp_sa_params p = { .spi = SPI, .dir = dir, .mode = flags & 2 ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL,
			    .esn = flags & 1, .encr_id = a->encr, .encr_keylen = a->keylen, .integ_id = a->integ,
			    .encr_key = ekey, .encr_key_len = a->ekey, .integ_key = a->integ ? akey : NULL,
			    .integ_key_len = a->akey, .replay_window = 64, .iv_seed = seed, .iv_seed_len = sizeof(seed) };
	return p;
}

static void parsers(const uint8_t *d, size_t n)
{
	esp_ip h;
	esp_flow f;
	uint16_t sp, dp;
	size_t pl;
	if (esp_ip_parse(d, n, &h) == ESP_OK && (h.hdr_len > h.total_len || h.total_len > n))
		__builtin_trap();
	if (esp_udp_parse(d, n, &sp, &dp, &pl) == ESP_OK && pl + 8 > n)
		__builtin_trap();
	if (esp_flow_of(d, n, &f) != ESP_OK)
		return;
	esp_spd *s = esp_spd_new();
	esp_policy p = { .id = 1, .dir = ESP_DIR_OUT, .action = ESP_ACT_PROTECT,
			 .local = { .family = 4, .ip_proto = 17, .end_port = 65535, .end = { 10, 255, 255, 255 } },
			 .remote = { .family = 4, .end_port = 65535, .end = { 255, 255, 255, 255 } } };
	p.local.start[0] = 10;
	if (!s || esp_spd_add(s, &p))
		abort();
	esp_spd_lookup(s, ESP_DIR_OUT, &f);
	esp_spd_lookup(s, ESP_DIR_IN, &f);
	esp_spd_free(s);
}

static void kind_raw(esp_sa *in, const uint8_t *d, size_t n, uint8_t *out)
{
	esp_sad *sad = esp_sad_new();
	if (!sad || esp_sad_add(sad, in) != ESP_OK)
		abort();
	esp_rx rx;
	esp_sa *which;
	if (esp_sad_decap(sad, d, n, out, BUF, &rx, &which) == ESP_OK && rx.len > n)
		__builtin_trap();
	esp_sad_free(sad); /* frees in */
}

static void kind_reseal(esp_sa *o, esp_sa *in, int has_icv, const uint8_t *d, size_t n, uint8_t *pkt, uint8_t *out)
{
	if (n < 2)
		return;
	uint8_t nh = d[0], nmut = d[1] % 8;
	size_t skip = 2 + (size_t)nmut * 3;
	if (n < skip)
		return;
	size_t len, plen;
	esp_rx rx;
	if (esp_encap(o, nh, d + skip, n - skip, pkt, BUF, &plen) != ESP_OK)
		return;
	uint8_t *bad = out + BUF; /* second half of the scratch */
	memcpy(bad, pkt, plen);
	esp_status st = esp_decap(in, pkt, plen, out, BUF, &rx);
	len = n - skip;
	/* What was sealed opens unchanged (a dummy is discarded; tunnel drops TFC-free packets never). */
	if (nh == ESP_IPPROTO_NONE ? st != ESP_DUMMY : st != ESP_OK || rx.len > len || memcmp(out, d + skip, rx.len))
		__builtin_trap();
	for (uint8_t m = 0; m < nmut; m++) {
		size_t off = ((size_t)d[2 + 3 * m] << 8 | d[3 + 3 * m]) % plen;
		bad[off] ^= d[4 + 3 * m];
	}
	esp_decap(in, bad, plen, out, BUF, &rx);
	/* Without an ICV a mutant may move the window anywhere (even to the next ESN subspace): no oracle. */
	st = esp_decap(in, pkt, plen, out, BUF, &rx);
	if (has_icv && st != ESP_E_REPLAY)
		__builtin_trap();
}

/* ESP packet around plaintext pt chosen by the fuzzer, with a valid ICV: transforms 0..2 only. */
static size_t forge(size_t ai, uint8_t flags, const uint8_t *d, size_t n, uint8_t *pkt)
{
	if (n < 4 || ai > 2)
		return 0;
	const uint8_t *pt = d + 4;
	size_t ptlen = n - 4, iv = ai == 0 ? 0 : ai == 1 ? 8 : 16, hdr = ESP_HDR_LEN + iv;
	if (ai == 2)
		ptlen -= ptlen % 16;
	ike_put_u32(pkt, SPI);
	memcpy(pkt + 4, d, 4);
	memset(pkt + ESP_HDR_LEN, 0x33, iv);
	int outl = 0, ok = 1;
	unsigned hl = 0;
	uint8_t md[32], hi[4] = { 0 }, aad[12] = { 0 }, nonce[12];
	if (ai == 1) {
		memcpy(aad, pkt, 4);
		memcpy(aad + ((flags & 1) ? 8 : 4), d, 4); /* ESN: SPI | high (0) | low */
		memcpy(nonce, ekey + 16, 4);
		memset(nonce + 4, 0x33, 8);
		EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
		ok = x && EVP_EncryptInit_ex2(x, EVP_aes_128_gcm(), ekey, nonce, NULL) &&
		     EVP_EncryptUpdate(x, NULL, &outl, aad, (flags & 1) ? 12 : 8) &&
		     (!ptlen || EVP_EncryptUpdate(x, pkt + hdr, &outl, pt, (int)ptlen)) &&
		     EVP_EncryptFinal_ex(x, md, &outl) && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, pkt + hdr + ptlen);
		EVP_CIPHER_CTX_free(x);
		return ok ? hdr + ptlen + 16 : 0;
	}
	if (ai == 0) {
		memcpy(pkt + hdr, pt, ptlen);
	} else {
		EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
		ok = x && EVP_EncryptInit_ex2(x, EVP_aes_128_cbc(), ekey, pkt + ESP_HDR_LEN, NULL) &&
		     EVP_CIPHER_CTX_set_padding(x, 0) &&
		     (!ptlen || EVP_EncryptUpdate(x, pkt + hdr, &outl, pt, (int)ptlen));
		EVP_CIPHER_CTX_free(x);
	}
	memcpy(pkt + hdr + ptlen, hi, 4); /* the ESN high half follows the data in the ICV input only */
	ok = ok && HMAC(EVP_sha256(), akey, 32, pkt, hdr + ptlen + ((flags & 1) ? 4 : 0), md, &hl);
	memcpy(pkt + hdr + ptlen, md, 16);
	return ok ? hdr + ptlen + 16 : 0;
}

static void kind_ah(uint8_t flags, const uint8_t *d, size_t n, uint8_t *pkt, uint8_t *out)
{
	if (n < 1)
		return;
	esp_sa_params p = { .spi = SPI, .mode = flags & 2 ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL, .esn = flags & 1,
			    .integ_id = IKE_INTEG_HMAC_SHA1_96, .integ_key = akey, .integ_key_len = 20,
			    .replay_window = 64 };
	p.dir = ESP_DIR_IN;
	ah_sa *in = ah_sa_new(crypto(), &p, NULL, 0);
	p.dir = ESP_DIR_OUT;
	ah_sa *o = ah_sa_new(crypto(), &p, NULL, 0);
	if (!in || !o)
		abort();
	esp_rx rx;
	size_t len;
	esp_ip outer = { .family = 4, .src = { 192, 0, 2, 1 }, .dst = { 192, 0, 2, 2 } };
	if (d[0] == 1 && ah_encap(o, &outer, d + 1, n - 1, pkt, BUF, &len) == ESP_OK) {
		if (ah_decap(in, pkt, len, out, BUF, &rx) != ESP_OK || rx.len > n - 1)
			__builtin_trap();
		if (p.mode == ESP_MODE_TUNNEL && (rx.len != n - 1 || memcmp(out, d + 1, rx.len)))
			__builtin_trap();
	} else {
		ah_packet_spi(d + 1, n - 1);
		ah_decap(in, d + 1, n - 1, out, BUF, &rx);
	}
	ah_sa_free(in);
	ah_sa_free(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 65000)
		return 0;
	size_t ai = data[0] % NALGS;
	uint8_t flags = data[1], kind = (flags >> 2) & 3;
	const uint8_t *d = data + 2;
	size_t n = size - 2;
	uint8_t *pkt = malloc(BUF), *out = malloc(2 * BUF);
	if (!pkt || !out)
		abort();
	parsers(d, n);
	esp_sa_params p = params(&algs[ai], ESP_DIR_IN, flags);
	esp_sa *in = esp_sa_new(crypto(), &p, NULL, 0);
	p.dir = ESP_DIR_OUT;
	esp_sa *o = esp_sa_new(crypto(), &p, NULL, 0);
	if (!in || !o)
		abort();
	esp_rx rx;
	if (kind == 0) {
		kind_raw(in, d, n, out);
		in = NULL;
	} else if (kind == 1) {
		kind_reseal(o, in, ai != 3, d, n, pkt, out);
	} else if (kind == 2) {
		size_t len = forge(ai, flags, d, n, pkt);
		if (len && esp_decap(in, pkt, len, out, BUF, &rx) == ESP_OK && rx.len > n)
			__builtin_trap();
	} else {
		kind_ah(flags, d, n, pkt, out);
	}
	esp_sa_free(in);
	esp_sa_free(o);
	free(pkt);
	free(out);
	return 0;
}
