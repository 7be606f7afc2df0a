/* engine/esp AH (RFC 4302): round trips, mutable fields ignored, immutable ones protected, replay, ESN, lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/buf.h"
#include "crypto/registry.h"
#include "esp/ah.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "esppair.h"
#include "test_list.h.in"

static const uint16_t integs[] = { IKE_INTEG_HMAC_SHA1_96, IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_HMAC_SHA2_384_192,
				   IKE_INTEG_HMAC_SHA2_512_256 };
static const size_t keylens[] = { 20, 32, 48, 64 };
static const size_t icvs[] = { 12, 16, 24, 32 };

static esp_sa_params ah_params(size_t which, uint8_t dir, uint8_t mode, int esn, const uint8_t *key)
{
	esp_sa_params p = { .spi = 0x5151, .dir = dir, .mode = mode, .esn = (uint8_t)esn, .integ_id = integs[which],
			    .integ_key = key, .integ_key_len = keylens[which], .replay_window = 64 };
	return p;
}

static void pair(ike_crypto *c, size_t which, uint8_t mode, int esn, ah_sa **o, ah_sa **i)
{
	uint8_t key[64];
	for (int j = 0; j < 64; j++)
		key[j] = (uint8_t)(0xa0 + j);
	esp_sa_params p = ah_params(which, ESP_DIR_OUT, mode, esn, key);
	char why[128];
	*o = ah_sa_new(c, &p, why, sizeof(why));
	if (!*o)
		fail_msg("%s", why);
	p.dir = ESP_DIR_IN;
	*i = ah_sa_new(c, &p, why, sizeof(why));
	if (!*i)
		fail_msg("%s", why);
}

static const esp_ip outer4 = { .family = 4, .ttl = 64, .id = 7, .src = { 192, 0, 2, 1 }, .dst = { 192, 0, 2, 2 } };
static const esp_ip outer6 = { .family = 6, .ttl = 64, .src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
			       .dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };

static void ah_round_trips(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	for (size_t w = 0; w < 4; w++)
		for (uint8_t mode = ESP_MODE_TUNNEL; mode <= ESP_MODE_TRANSPORT; mode++)
			for (int v6 = 0; v6 <= 1; v6++)
				for (int esn = 0; esn <= 1; esn++) {
					ah_sa *o, *i;
					pair(c, w, mode, esn, &o, &i);
					uint8_t in[300], pkt[600], back[600];
					size_t len = v6 ? esppair_ipv6_udp(in, 200, 3) : esppair_ipv4_udp(in, 200, 3), n;
					esp_rx rx;
					assert_int_equal(ah_encap(o, v6 ? &outer6 : &outer4, in, len, pkt, sizeof(pkt), &n),
							 ESP_OK);
					size_t ahl = ah_hdr_len(o, v6 ? 6 : 4);
					assert_int_equal(ahl % (v6 ? 8 : 4), 0);
					assert_true(ahl >= 12 + icvs[w]);
					size_t iphl = v6 ? 40 : 20;
					assert_int_equal(n, mode == ESP_MODE_TUNNEL ? iphl + ahl + len : len + ahl);
					esp_ip h;
					assert_int_equal(esp_ip_parse(pkt, n, &h), ESP_OK);
					assert_int_equal(h.proto, ESP_IPPROTO_AH);
					assert_int_equal(ah_packet_spi(pkt, n), 0x5151);
					assert_int_equal(pkt[iphl], mode == ESP_MODE_TUNNEL ? (v6 ? 41 : 4) : 17);
					assert_int_equal(ah_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
					if (mode == ESP_MODE_TUNNEL) {
						assert_int_equal(rx.len, len);
						assert_memory_equal(back, in, len);
					} else {
						assert_int_equal(rx.len, len - iphl);
						assert_memory_equal(back, in + iphl, len - iphl);
						assert_int_equal(rx.next_hdr, 17);
					}
					assert_int_equal(ah_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_REPLAY);
					ah_sa_free(o);
					ah_sa_free(i);
				}
	ike_crypto_free(c);
}

/* Mutable fields may change in transit (RFC 4302 3.3.3.1.1.1 / 3.3.3.1.2.1); everything else is protected. */
static void ah_mutable_and_immutable(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	for (int v6 = 0; v6 <= 1; v6++) {
		ah_sa *o, *i;
		pair(c, 1, ESP_MODE_TUNNEL, 0, &o, &i);
		uint8_t in[100], pkt[300], bad[300], back[300];
		size_t len = v6 ? esppair_ipv6_udp(in, 100, 1) : esppair_ipv4_udp(in, 100, 1), n;
		esp_rx rx;
		/* Mutable: IPv4 TOS, flags/offset, TTL, checksum; IPv6 class, flow label, hop limit. */
		static const size_t mut4[] = { 1, 6, 7, 8, 10, 11 }, mut6[] = { 1, 2, 3, 7 };
		const size_t *mut = v6 ? mut6 : mut4, nmut = v6 ? 4 : 6;
		for (size_t m = 0; m < nmut; m++) {
			assert_int_equal(ah_encap(o, v6 ? &outer6 : &outer4, in, len, pkt, sizeof(pkt), &n), ESP_OK);
			pkt[mut[m]] ^= 0x0f;
			assert_int_equal(ah_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
		}
		/* Immutable: every other header byte, the AH header, the payload. */
		assert_int_equal(ah_encap(o, v6 ? &outer6 : &outer4, in, len, pkt, sizeof(pkt), &n), ESP_OK);
		size_t iphl = v6 ? 40 : 20;
		for (size_t b = 0; b < n; b++) {
			/* AH length; SPI/seq (own statuses); ICV padding (zeroed with the ICV field, RFC 4302 3.3.3.2.1) */
			int skip = b == iphl + 1 || (b >= iphl + 4 && b < iphl + 12) ||
				   (b >= iphl + 12 + 16 && b < iphl + ah_hdr_len(o, v6 ? 6 : 4));
			for (size_t m = 0; m < nmut; m++)
				skip |= b == mut[m];
			if (skip || b == 0 || (!v6 && (b == 2 || b == 3 || b == 9)) || (v6 && (b == 4 || b == 5 || b == 6)))
				continue; /* version/IHL, lengths, protocol: the parser's business */
			memcpy(bad, pkt, n);
			bad[b] ^= 0x10;
			esp_status st = ah_decap(i, bad, n, back, sizeof(back), &rx);
			if (st != ESP_E_ICV)
				fail_msg("v%d byte %zu: %s", v6 ? 6 : 4, b, esp_status_name(st));
		}
		memcpy(bad, pkt, n);
		bad[iphl + 4] ^= 1;
		assert_int_equal(ah_decap(i, bad, n, back, sizeof(back), &rx), ESP_E_NO_SA);
		assert_int_equal(ah_decap(i, pkt, iphl + 8, back, sizeof(back), &rx), ESP_E_SHORT);
		assert_int_equal(ah_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
		ah_sa_free(o);
		ah_sa_free(i);
	}
	ike_crypto_free(c);
}

static void ah_esn_and_params(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	uint8_t key[32] = { 1 };
	esp_sa_params p = ah_params(1, ESP_DIR_OUT, ESP_MODE_TRANSPORT, 1, key);
	p.test_seq = (UINT64_C(7) << 32) + 1;
	ah_sa *o = ah_sa_new(c, &p, NULL, 0);
	p.dir = ESP_DIR_IN;
	ah_sa *fresh = ah_sa_new(c, &p, NULL, 0);
	p.test_seq = UINT64_C(7) << 32;
	ah_sa *i = ah_sa_new(c, &p, NULL, 0);
	assert_non_null(o);
	assert_non_null(i);
	assert_non_null(fresh);
	uint8_t in[80], pkt[200], back[200];
	size_t len = esppair_ipv4_udp(in, 80, 2), n;
	esp_rx rx;
	assert_int_equal(ah_encap(o, NULL, in, len, pkt, sizeof(pkt), &n), ESP_OK);
	assert_int_equal(ike_get_u32(pkt + 20 + 8), 1);
	/* fresh SA expects 7:1 too since the test set its window just below; a different high half fails */
	assert_int_equal(ah_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
	assert_int_equal(rx.seq, (UINT64_C(7) << 32) + 1);
	ah_sa_free(fresh);
	p.test_seq = 0;
	fresh = ah_sa_new(c, &p, NULL, 0);
	assert_int_equal(ah_decap(fresh, pkt, n, back, sizeof(back), &rx), ESP_E_ICV);
	/* refused parameters and inputs */
	char why[128];
	p.encr_id = IKE_ENCR_AES_CBC;
	assert_null(ah_sa_new(c, &p, why, sizeof(why)));
	p.encr_id = 0;
	p.integ_key_len = 20;
	assert_null(ah_sa_new(c, &p, why, sizeof(why)));
	in[0] = 0x46; /* IPv4 options in transport mode */
	assert_int_equal(ah_encap(o, NULL, in, len, pkt, sizeof(pkt), &n), ESP_E_ARG);
	in[0] = 0x45;
	assert_int_equal(ah_encap(o, NULL, in, len, pkt, 50, &n), ESP_E_SPACE);
	assert_int_equal(ah_decap(o, pkt, n, back, sizeof(back), &rx), ESP_E_ARG);
	/* AH SAs live in the SAD beside ESP ones. */
	esp_sad *d = esp_sad_new();
	assert_int_equal(esp_sad_add_ah(d, i), ESP_OK);
	assert_ptr_equal(esp_sad_find_ah(d, ESP_DIR_IN, 0x5151), i);
	assert_null(esp_sad_find(d, ESP_DIR_IN, 0x5151));
	assert_int_equal(esp_sad_del_ah(d, ESP_DIR_IN, 0x5151), 0);
	esp_sad_free(d);
	ah_sa_free(o);
	ah_sa_free(fresh);
	ike_crypto_free(c);
}

/* The ICV recomputed by hand from RFC 4302 3.3.3: IPv4 TOS, flags/offset, TTL, checksum zeroed; AH ICV zeroed. */
static void ah_icv_by_hand(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	ah_sa *o, *i;
	pair(c, 0, ESP_MODE_TRANSPORT, 0, &o, &i); /* HMAC-SHA1-96, key a0 a1 ... */
	uint8_t in[64], pkt[128], m[128], key[20], md[20];
	unsigned mdlen = 0;
	for (int j = 0; j < 20; j++)
		key[j] = (uint8_t)(0xa0 + j);
	size_t len = esppair_ipv4_udp(in, 64, 5), n;
	in[1] = 0x2e;               /* DSCP: must not matter */
	ike_put_u16(in + 6, 0x4000); /* DF */
	ike_put_u16(in + 10, esp_ipv4_checksum(in, 20));
	assert_int_equal(ah_encap(o, NULL, in, len, pkt, sizeof(pkt), &n), ESP_OK);
	assert_int_equal(n, 64 + 24);
	assert_int_equal(pkt[9], ESP_IPPROTO_AH);
	assert_int_equal(ike_get_u16(pkt + 2), 88);
	assert_int_equal(pkt[20], 17); /* next header */
	assert_int_equal(pkt[21], 4);  /* (12 + 12) / 4 - 2 */
	assert_int_equal(ike_get_u32(pkt + 24), 0x5151);
	assert_int_equal(ike_get_u32(pkt + 28), 1);
	memcpy(m, pkt, n);
	m[1] = 0;
	memset(m + 6, 0, 3);  /* flags, fragment offset, TTL */
	memset(m + 10, 0, 2); /* checksum */
	memset(m + 32, 0, 12); /* ICV */
	assert_non_null(HMAC(EVP_sha1(), key, 20, m, n, md, &mdlen));
	assert_memory_equal(pkt + 32, md, 12);
	ah_sa_free(o);
	ah_sa_free(i);
	ike_crypto_free(c);
}

size_t tests_esp_ah(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(ah_round_trips),
		cmocka_unit_test(ah_mutable_and_immutable),
		cmocka_unit_test(ah_esn_and_params),
		cmocka_unit_test(ah_icv_by_hand),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
