/*
 * ESP data-plane benchmark: packets per second through esp_encap + esp_decap (tunnel mode, IPv4 inner packets
 * of 64 and 1,400 bytes), against the same AEAD (or CBC + HMAC) work done with OpenSSL EVP directly on
 * pre-keyed contexts in the same run: the floor any software ESP must pay. Thread CPU time, minimum over
 * batches. Reports the ratio; exits 1 only if a packet fails to round trip.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "bench.h"
#include "common/buf.h"
#include "crypto/registry.h"
#include "esp/esp.h"
#include "esp/ip.h"

#define BATCHES 9
#define PER_BATCH 20000
#define BUF 2048

typedef struct floor_ctx {
	EVP_CIPHER_CTX *enc, *dec;
	EVP_MAC_CTX *mac; /* CBC + HMAC only */
	int aead;
} floor_ctx;

/* The raw work of one packet both ways: AEAD seal+open of ctlen bytes with 8 bytes of AAD, or CBC + HMAC. */
static int floor_packet(floor_ctx *f, uint8_t *buf, size_t ctlen, uint64_t seq)
{
	uint8_t nonce[16] = { 0 }, tag[32], back[BUF];
	int n = 0;
	size_t got = 0;
	ike_put_u64(nonce + 4, seq);
	if (f->aead) {
		int ok = EVP_EncryptInit_ex2(f->enc, NULL, NULL, nonce, NULL) && EVP_EncryptUpdate(f->enc, NULL, &n, buf, 8) &&
			 EVP_EncryptUpdate(f->enc, buf + 16, &n, buf + 16, (int)ctlen) &&
			 EVP_EncryptFinal_ex(f->enc, tag, &n) && EVP_CIPHER_CTX_ctrl(f->enc, EVP_CTRL_AEAD_GET_TAG, 16, tag);
		ok = ok && EVP_DecryptInit_ex2(f->dec, NULL, NULL, nonce, NULL) &&
		     EVP_CIPHER_CTX_ctrl(f->dec, EVP_CTRL_AEAD_SET_TAG, 16, tag) &&
		     EVP_DecryptUpdate(f->dec, NULL, &n, buf, 8) && EVP_DecryptUpdate(f->dec, back, &n, buf + 16, (int)ctlen) &&
		     EVP_DecryptFinal_ex(f->dec, tag, &n);
		return ok ? 0 : -1;
	}
	int ok = EVP_EncryptInit_ex2(f->enc, NULL, NULL, nonce, NULL) &&
		 EVP_EncryptUpdate(f->enc, buf + 24, &n, buf + 24, (int)ctlen) && EVP_MAC_init(f->mac, NULL, 0, NULL) &&
		 EVP_MAC_update(f->mac, buf, 24 + ctlen) && EVP_MAC_final(f->mac, tag, &got, sizeof(tag));
	ok = ok && EVP_MAC_init(f->mac, NULL, 0, NULL) && EVP_MAC_update(f->mac, buf, 24 + ctlen) &&
	     EVP_MAC_final(f->mac, tag, &got, sizeof(tag)) && EVP_DecryptInit_ex2(f->dec, NULL, NULL, nonce, NULL) &&
	     EVP_DecryptUpdate(f->dec, back, &n, buf + 24, (int)ctlen);
	return ok ? 0 : -1;
}

static int floor_new(floor_ctx *f, int aead, const uint8_t *key, const uint8_t *akey)
{
	memset(f, 0, sizeof(*f));
	f->aead = aead;
	EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, aead ? "AES-128-GCM" : "AES-128-CBC", NULL);
	f->enc = EVP_CIPHER_CTX_new();
	f->dec = EVP_CIPHER_CTX_new();
	int ok = ci && f->enc && f->dec && EVP_EncryptInit_ex2(f->enc, ci, key, NULL, NULL) &&
		 EVP_DecryptInit_ex2(f->dec, ci, key, NULL, NULL) && EVP_CIPHER_CTX_set_padding(f->enc, 0) &&
		 EVP_CIPHER_CTX_set_padding(f->dec, 0);
	EVP_CIPHER_free(ci);
	if (ok && !aead) {
		EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
		OSSL_PARAM p[] = { OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0), OSSL_PARAM_construct_end() };
		f->mac = m ? EVP_MAC_CTX_new(m) : NULL;
		ok = f->mac && EVP_MAC_init(f->mac, akey, 32, p);
		EVP_MAC_free(m);
	}
	return ok ? 0 : -1;
}

static void floor_free(floor_ctx *f)
{
	EVP_CIPHER_CTX_free(f->enc);
	EVP_CIPHER_CTX_free(f->dec);
	EVP_MAC_CTX_free(f->mac);
}

/* ns per packet (encap + decap), minimum over batches; -1 on a failed round trip. */
static double bench_esp(esp_sa *o, esp_sa *i, const uint8_t *inner, size_t len)
{
	uint8_t pkt[BUF], back[BUF];
	double best = -1;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = bench_cpu_seconds();
		for (int k = 0; k < PER_BATCH; k++) {
			size_t n;
			esp_rx rx;
			if (esp_encap(o, 0, inner, len, pkt, sizeof(pkt), &n) != ESP_OK ||
			    esp_decap(i, pkt, n, back, sizeof(back), &rx) != ESP_OK || rx.len != len)
				return -1;
		}
		double ns = (bench_cpu_seconds() - t0) * 1e9 / PER_BATCH;
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

static double bench_floor(floor_ctx *f, size_t ctlen)
{
	uint8_t buf[BUF] = { 0 };
	double best = -1;
	uint64_t seq = 0;
	for (int b = 0; b < BATCHES; b++) {
		double t0 = bench_cpu_seconds();
		for (int k = 0; k < PER_BATCH; k++)
			if (floor_packet(f, buf, ctlen, ++seq))
				return -1;
		double ns = (bench_cpu_seconds() - t0) * 1e9 / PER_BATCH;
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

/* One transform at both sizes: prints a row per size; 0 or -1. */
static int run(const ike_crypto *c, const char *name, uint16_t encr, uint16_t integ)
{
	uint8_t key[36], akey[32], seed[32] = { 7 };
	for (int j = 0; j < 36; j++)
		key[j] = (uint8_t)(j * 11 + 1);
	memset(akey, 0x5a, sizeof(akey));
	int aead = integ == 0;
	esp_sa_params p = { .spi = 0x1234, .mode = ESP_MODE_TUNNEL, .encr_id = encr, .encr_keylen = 128,
			    .integ_id = integ, .encr_key = key, .encr_key_len = aead ? 20 : 16,
			    .integ_key = aead ? NULL : akey, .integ_key_len = aead ? 0 : 32,
			    .replay_window = ESP_REPLAY_WINDOW_DEFAULT, .iv_seed = seed, .iv_seed_len = sizeof(seed) };
	p.dir = ESP_DIR_OUT;
	esp_sa *o = esp_sa_new(c, &p, NULL, 0);
	p.dir = ESP_DIR_IN;
	esp_sa *i = esp_sa_new(c, &p, NULL, 0);
	floor_ctx f;
	int rc = o && i && !floor_new(&f, aead, key, akey) ? 0 : -1;
	static const size_t sizes[] = { 64, 1400 };
	for (size_t s = 0; rc == 0 && s < 2; s++) {
		uint8_t inner[BUF] = { 0 };
		esp_ip h = { .family = 4, .proto = ESP_IPPROTO_UDP, .src = { 10, 1, 0, 1 }, .dst = { 10, 2, 0, 1 } };
		esp_ip_build(&h, sizes[s] - ESP_IPV4_HDR_LEN, inner, sizeof(inner));
		size_t ctlen = sizes[s] + esp_overhead(o, sizes[s]) - ESP_HDR_LEN - (aead ? 8 : 16) - (aead ? 16 : 16);
		double e = bench_esp(o, i, inner, sizes[s]), fl = bench_floor(&f, ctlen);
		if (e < 0 || fl < 0) {
			rc = -1;
			break;
		}
		printf("| %s | %zu B | %.0f ns | %.0f /s | %.0f ns | %.0f /s | %.0f%% |\n", name, sizes[s], e, 1e9 / e, fl,
		       1e9 / fl, 100.0 * fl / e);
	}
	if (o && i)
		floor_free(&f);
	esp_sa_free(o);
	esp_sa_free(i);
	return rc;
}

int main(void)
{
	ike_crypto *c = ike_crypto_new();
	if (!c)
		return 1;
	printf("ESP encap+decap, tunnel mode, one thread, min over %d batches of %d packets\n\n", BATCHES, PER_BATCH);
	printf("| transform | inner packet | engine/esp per packet | packets/s | raw EVP per packet | packets/s | "
	       "ESP throughput / raw |\n|---|---|---|---|---|---|---|\n");
	int rc = run(c, "AES-128-GCM-16", IKE_ENCR_AES_GCM_16, 0) ||
		 run(c, "AES-128-CBC + HMAC-SHA2-256-128", IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128);
	ike_crypto_free(c);
	if (rc)
		fprintf(stderr, "bench_esp: a packet failed to round trip\n");
	return rc ? 1 : 0;
}
