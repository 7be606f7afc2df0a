/* engine/esp: every transform round trips in both modes; every decap status; padding, TFC, IVs, ESN, esp_lifetimes. */
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
#include "esp/esp.h"
#include "esp/ip.h"
#include "esppair.h"
#include "test_list.h.in"

#define BUF 2048

static int setup(void **state)
{
	*state = ike_crypto_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ike_crypto_free(*state);
	return 0;
}

/* 1 if needle[0..n) occurs in hay[0..len). */
static int contains(const uint8_t *hay, size_t len, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* Seals len bytes of inner through o, opens through i, and checks everything that must hold. */
static void round_trip(const esppair_alg *a, esp_sa *o, esp_sa *i, const uint8_t *inner, size_t len, uint8_t nh)
{
	uint8_t pkt[BUF], back[BUF];
	size_t n = 0;
	assert_int_equal(esp_encap(o, nh, inner, len, pkt, sizeof(pkt), &n), ESP_OK);
	assert_int_equal(n, len + esp_overhead(o, len));
	assert_int_equal(esp_packet_spi(pkt, n), esp_sa_spi(o));
	assert_int_equal(ike_get_u32(pkt + 4), (uint32_t)esp_sa_stats_of(o)->seq);
	/* An encrypting transform must not leave the inner bytes visible where they would sit. */
	if (a->encr != IKE_ENCR_NULL && a->encr != ESP_ENCR_NULL_AUTH_AES_GMAC && len >= 16)
		assert_false(contains(pkt, n, inner, 16));
	esp_rx rx;
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
	assert_int_equal(rx.len, len);
	assert_memory_equal(back, inner, len);
	assert_int_equal(rx.seq, esp_sa_stats_of(o)->seq);
	if (esp_sa_mode(o) == ESP_MODE_TRANSPORT)
		assert_int_equal(rx.next_hdr, nh);
	else
		assert_int_equal(rx.next_hdr, inner[0] >> 4 == 4 ? ESP_IPPROTO_IPV4 : ESP_IPPROTO_IPV6);
}

static void esp_every_transform_round_trips(void **state)
{
	size_t na;
	const esppair_alg *algs = esppair_algs(&na);
	static const size_t lens[] = { 48, 49, 50, 51, 64, 100, 1400 };
	uint8_t inner[BUF];
	for (size_t k = 0; k < na; k++)
		for (int esn = 0; esn <= 1; esn++)
			for (uint8_t mode = ESP_MODE_TUNNEL; mode <= ESP_MODE_TRANSPORT; mode++) {
				esp_sa *o, *i;
				esppair_pair(*state, &algs[k], mode, esn, 64, (uint8_t)k, &o, &i);
				for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
					int v6 = l % 2;
					size_t len = v6 ? esppair_ipv6_udp(inner, lens[l], (uint8_t)l)
							: esppair_ipv4_udp(inner, lens[l], (uint8_t)l);
					round_trip(&algs[k], o, i, inner, len, ESP_IPPROTO_UDP);
				}
				if (mode == ESP_MODE_TRANSPORT) /* an empty upper-layer payload is legal */
					round_trip(&algs[k], o, i, inner, 0, 6);
				assert_int_equal(esp_sa_stats_of(i)->packets, esp_sa_stats_of(o)->packets);
				esp_sa_free(o);
				esp_sa_free(i);
			}
}

/* The ciphertext length is aligned: 16 for CBC, 4 otherwise (RFC 4303 2.4); padding 1, 2, 3, ... */
static void esp_padding_aligned_and_monotonic(void **state)
{
	size_t na;
	const esppair_alg *algs = esppair_algs(&na);
	const esppair_alg *null = NULL;
	for (size_t k = 0; k < na; k++)
		if (algs[k].encr == IKE_ENCR_NULL && algs[k].integ == IKE_INTEG_HMAC_SHA2_256_128)
			null = &algs[k];
	assert_non_null(null);
	esp_sa *o, *i;
	esppair_pair(*state, null, ESP_MODE_TRANSPORT, 0, 64, 1, &o, &i);
	uint8_t in[64], pkt[BUF];
	memset(in, 0xee, sizeof(in));
	for (size_t len = 0; len < 12; len++) {
		size_t n;
		assert_int_equal(esp_encap(o, 17, in, len, pkt, sizeof(pkt), &n), ESP_OK);
		size_t ct = n - ESP_HDR_LEN - 16; /* NULL: no IV; HMAC-SHA-256-128 ICV */
		assert_int_equal(ct % 4, 0);
		uint8_t pad = pkt[ESP_HDR_LEN + ct - 2];
		assert_int_equal(len + pad + 2, ct);
		assert_true(pad < 4);
		for (uint8_t p = 0; p < pad; p++)
			assert_int_equal(pkt[ESP_HDR_LEN + len + p], p + 1);
		assert_int_equal(pkt[ESP_HDR_LEN + ct - 1], 17);
	}
	esp_sa_free(o);
	esp_sa_free(i);
	for (size_t k = 0; k < na; k++) {
		esppair_pair(*state, &algs[k], ESP_MODE_TRANSPORT, 0, 64, 2, &o, &i);
		for (size_t len = 0; len < 40; len += 3) {
			size_t n, ov = esp_overhead(o, len);
			assert_int_equal(esp_encap(o, 17, in, len > 64 ? 64 : len, pkt, sizeof(pkt), &n), ESP_OK);
			assert_int_equal(n, len + ov);
			size_t align = algs[k].encr == IKE_ENCR_AES_CBC ? 16 : 4, iv = algs[k].encr == IKE_ENCR_NULL ? 0
										    : algs[k].encr == IKE_ENCR_AES_CBC ? 16 : 8;
			size_t icv = n - ESP_HDR_LEN - iv - (len + 2 + align - 1) / align * align;
			if (algs[k].integ || algs[k].encr != IKE_ENCR_AES_CBC)
				assert_true(icv >= 8 && icv <= 32);
			else
				assert_int_equal(icv, 0);
		}
		esp_sa_free(o);
		esp_sa_free(i);
	}
}

/* Re-signs a NULL-encryption HMAC-SHA-256-128 packet after the test edited its plaintext trailer. */
static void resign(const esppair_alg *a, uint8_t seed, uint8_t *pkt, size_t n)
{
	esppair_keys k;
	esp_sa_params p = esppair_params(a, ESP_DIR_OUT, ESP_MODE_TRANSPORT, 0, 0, seed, &k);
	uint8_t md[32];
	unsigned mdlen = 0;
	assert_non_null(HMAC(EVP_sha256(), p.integ_key, (int)p.integ_key_len, pkt, n - 16, md, &mdlen));
	memcpy(pkt + n - 16, md, 16);
}

static const esppair_alg *find_alg(uint16_t encr, uint16_t keylen, uint16_t integ)
{
	size_t na;
	const esppair_alg *algs = esppair_algs(&na);
	for (size_t k = 0; k < na; k++)
		if (algs[k].encr == encr && algs[k].keylen == keylen && algs[k].integ == integ)
			return &algs[k];
	fail_msg("no such fixture transform");
	return NULL;
}

/* Authentic packets whose trailer is wrong: bad padding bytes, pad length too large, dummy, bad inner. */
static void esp_trailer_statuses(void **state)
{
	const esppair_alg *a = find_alg(IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA2_256_128);
	esp_sa *o, *i;
	esppair_pair(*state, a, ESP_MODE_TRANSPORT, 0, 64, 3, &o, &i);
	uint8_t in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, pkt[BUF], back[BUF];
	size_t n;
	esp_rx rx;
	/* 8 bytes + 2 padding + 2 = 12: padding at offset 8 + 8 */
	assert_int_equal(esp_encap(o, 17, in, sizeof(in), pkt, sizeof(pkt), &n), ESP_OK);
	pkt[ESP_HDR_LEN + 9] = 9; /* second padding byte should be 2 */
	resign(a, 3, pkt, n);
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_PAD);
	assert_int_equal(esp_encap(o, 17, in, sizeof(in), pkt, sizeof(pkt), &n), ESP_OK);
	pkt[ESP_HDR_LEN + 10] = 11; /* pad length beyond the payload */
	resign(a, 3, pkt, n);
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_PAD);
	/* A dummy packet (next header 59) is authentic but discarded, and counted as such. */
	assert_int_equal(esp_encap(o, ESP_IPPROTO_NONE, in, sizeof(in), pkt, sizeof(pkt), &n), ESP_OK);
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_DUMMY);
	const esp_sa_stats *st = esp_sa_stats_of(i);
	assert_int_equal(st->drops[ESP_E_PAD], 2);
	assert_int_equal(st->drops[ESP_DUMMY], 1);
	assert_int_equal(st->packets, 0);
	/* The window moved for each authentic packet: replaying the dummy is a replay. */
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_REPLAY);
	esp_sa_free(o);
	esp_sa_free(i);
	/* Tunnel mode: a trailer that names IPv4 over bytes that are not an IPv4 packet. */
	esppair_pair(*state, a, ESP_MODE_TUNNEL, 0, 64, 4, &o, &i);
	uint8_t ip[40];
	esppair_ipv4_udp(ip, sizeof(ip), 0);
	assert_int_equal(esp_encap(o, 0, ip, sizeof(ip), pkt, sizeof(pkt), &n), ESP_OK);
	ike_put_u16(pkt + ESP_HDR_LEN + 2, 200); /* inner total length beyond what was sent */
	resign(a, 4, pkt, n);
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_NEXT_HDR);
	assert_int_equal(esp_encap(o, 0, ip, sizeof(ip), pkt, sizeof(pkt), &n), ESP_OK);
	pkt[n - 16 - 1] = ESP_IPPROTO_IPV6; /* announces IPv6, carries IPv4 */
	resign(a, 4, pkt, n);
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_NEXT_HDR);
	/* Tunnel encap refuses what is not an IP packet. */
	uint8_t junk[8] = { 0x12 };
	assert_int_equal(esp_encap(o, 0, junk, sizeof(junk), pkt, sizeof(pkt), &n), ESP_E_ARG);
	esp_sa_free(o);
	esp_sa_free(i);
}

/* Every other status, with the drop counted under its name. */
static void esp_decap_statuses(void **state)
{
	size_t na;
	const esppair_alg *algs = esppair_algs(&na);
	for (size_t k = 0; k < na; k++) {
		if (algs[k].encr == IKE_ENCR_AES_CBC && !algs[k].integ)
			continue; /* encryption only: nothing to fail an ICV */
		esp_sa *o, *i;
		esppair_pair(*state, &algs[k], ESP_MODE_TUNNEL, 0, 64, 5, &o, &i);
		uint8_t ip[100], pkt[BUF], back[BUF], bad[BUF];
		size_t n;
		esp_rx rx;
		esppair_ipv4_udp(ip, sizeof(ip), 7);
		assert_int_equal(esp_encap(o, 0, ip, sizeof(ip), pkt, sizeof(pkt), &n), ESP_OK);
		assert_int_equal(esp_decap(i, pkt, 7, back, sizeof(back), &rx), ESP_E_SHORT);
		assert_int_equal(esp_decap(i, pkt, n - esp_overhead(o, sizeof(ip)) + 1, back, sizeof(back), &rx),
				 algs[k].encr == IKE_ENCR_AES_CBC ? ESP_E_SHORT : ESP_E_ICV);
		assert_int_equal(esp_decap(i, pkt, n, back, 10, &rx), ESP_E_SPACE);
		assert_int_equal(esp_decap(o, pkt, n, back, sizeof(back), &rx), ESP_E_ARG);
		/* Every byte after the SPI is covered: a flipped bit anywhere is an ICV failure (or, in the
		 * sequence number, a number the window or the ICV refuses). */
		for (size_t b = 4; b < n; b++) {
			memcpy(bad, pkt, n);
			bad[b] ^= 0x04;
			esp_status st = esp_decap(i, bad, n, back, sizeof(back), &rx);
			if (st != ESP_E_ICV)
				fail_msg("%s: byte %zu flipped gave %s", algs[k].name, b, esp_status_name(st));
		}
		memcpy(bad, pkt, n);
		bad[0] ^= 1;
		assert_int_equal(esp_decap(i, bad, n, back, sizeof(back), &rx), ESP_E_NO_SA);
		assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
		assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_REPLAY);
		for (int s = 0; s < 70; s++)
			assert_int_equal(esp_encap(o, 0, ip, sizeof(ip), bad, sizeof(bad), &n), ESP_OK);
		assert_int_equal(esp_decap(i, bad, n, back, sizeof(back), &rx), ESP_OK); /* seq 71 */
		assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_E_OLD); /* seq 1 */
		const esp_sa_stats *st = esp_sa_stats_of(i);
		assert_int_equal(st->packets, 2);
		assert_int_equal(st->drops[ESP_E_REPLAY], 1);
		assert_int_equal(st->drops[ESP_E_OLD], 1);
		assert_int_equal(st->drops[ESP_E_NO_SA], 1);
		assert_int_equal(st->drops[ESP_E_ICV], n - 4 + (algs[k].encr != IKE_ENCR_AES_CBC));
		assert_int_equal(st->drops[ESP_E_SPACE], 1);
		assert_string_equal(esp_status_name(ESP_E_ICV), "icv-mismatch");
		esp_sa_free(o);
		esp_sa_free(i);
	}
}

/* RFC 4303 3.3.3: the counter never cycles; soft expiry warns ESP_SEQ_SOFT_MARGIN packets before. */
static void esp_sequence_exhaustion(void **state)
{
	const esppair_alg *a = find_alg(IKE_ENCR_AES_GCM_16, 128, 0);
	for (int esn = 0; esn <= 1; esn++) {
		esppair_keys k;
		esp_sa_params p = esppair_params(a, ESP_DIR_OUT, ESP_MODE_TRANSPORT, esn, 0, 6, &k);
		uint64_t last = esn ? UINT64_MAX : UINT32_MAX;
		p.test_seq = last - 1;
		esp_sa *o = esp_sa_new(*state, &p, NULL, 0);
		assert_non_null(o);
		assert_int_equal(esp_sa_expiry(o), ESP_EXPIRY_SOFT);
		uint8_t in[4] = { 0 }, pkt[128];
		size_t n;
		assert_int_equal(esp_encap(o, 17, in, 4, pkt, sizeof(pkt), &n), ESP_OK);
		assert_int_equal(esp_encap(o, 17, in, 4, pkt, sizeof(pkt), &n), ESP_OK);
		assert_int_equal(ike_get_u32(pkt + 4), 0xffffffffu);
		assert_int_equal(esp_sa_expiry(o), ESP_EXPIRY_HARD);
		assert_int_equal(esp_encap(o, 17, in, 4, pkt, sizeof(pkt), &n), ESP_E_SEQ);
		assert_int_equal(esp_sa_stats_of(o)->drops[ESP_E_SEQ], 1);
		esp_sa_free(o);
		p.test_seq = last - ESP_SEQ_SOFT_MARGIN - 1; /* next send is the last one before the soft mark */
		o = esp_sa_new(*state, &p, NULL, 0);
		assert_non_null(o);
		assert_int_equal(esp_sa_expiry(o), ESP_EXPIRY_NONE);
		assert_int_equal(esp_encap(o, 17, in, 4, pkt, sizeof(pkt), &n), ESP_OK);
		assert_int_equal(esp_sa_expiry(o), ESP_EXPIRY_NONE);
		assert_int_equal(esp_encap(o, 17, in, 4, pkt, sizeof(pkt), &n), ESP_OK);
		assert_int_equal(esp_sa_expiry(o), ESP_EXPIRY_SOFT);
		esp_sa_free(o);
	}
}

static void esp_lifetimes(void **state)
{
	const esppair_alg *a = find_alg(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128);
	esppair_keys k;
	esp_sa_params po = esppair_params(a, ESP_DIR_OUT, ESP_MODE_TRANSPORT, 0, 0, 7, &k);
	po.soft.packets = 2;
	po.hard.packets = 3;
	po.soft.bytes = 1000;
	esp_sa_params pi = po;
	pi.dir = ESP_DIR_IN;
	pi.replay_window = 32;
	pi.hard.packets = 0;
	pi.hard.bytes = 150;
	esp_sa *o = esp_sa_new(*state, &po, NULL, 0), *i = esp_sa_new(*state, &pi, NULL, 0);
	assert_non_null(o);
	assert_non_null(i);
	uint8_t in[100] = { 0 }, pkt[4][256], back[256];
	size_t n[4];
	esp_rx rx;
	for (int j = 0; j < 3; j++) {
		assert_int_equal(esp_sa_expiry(o), j < 2 ? ESP_EXPIRY_NONE : ESP_EXPIRY_SOFT);
		assert_int_equal(esp_encap(o, 17, in, sizeof(in), pkt[j], sizeof(pkt[j]), &n[j]), ESP_OK);
	}
	assert_int_equal(esp_sa_expiry(o), ESP_EXPIRY_HARD);
	assert_int_equal(esp_encap(o, 17, in, sizeof(in), pkt[3], sizeof(pkt[3]), &n[3]), ESP_E_LIFETIME);
	assert_int_equal(esp_decap(i, pkt[0], n[0], back, sizeof(back), &rx), ESP_OK);
	assert_int_equal(esp_sa_expiry(i), ESP_EXPIRY_NONE);
	assert_int_equal(esp_decap(i, pkt[1], n[1], back, sizeof(back), &rx), ESP_OK);
	assert_int_equal(esp_sa_expiry(i), ESP_EXPIRY_HARD); /* 200 bytes >= 150 */
	assert_int_equal(esp_decap(i, pkt[2], n[2], back, sizeof(back), &rx), ESP_E_LIFETIME);
	esp_sa_free(o);
	esp_sa_free(i);
}

/* TFC padding (RFC 4303 2.7): small inner packets grow to the target on the wire, and come out unpadded. */
static void esp_tfc_padding(void **state)
{
	const esppair_alg *a = find_alg(IKE_ENCR_AES_GCM_16, 128, 0);
	esppair_keys k;
	esp_sa_params p = esppair_params(a, ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 8, &k);
	p.tfc_pad = 300;
	esp_sa *o = esp_sa_new(*state, &p, NULL, 0);
	p.dir = ESP_DIR_IN;
	esp_sa *i = esp_sa_new(*state, &p, NULL, 0);
	assert_non_null(o);
	assert_non_null(i);
	uint8_t ip[500], pkt[BUF], back[BUF];
	size_t n, n2;
	esp_rx rx;
	esppair_ipv4_udp(ip, 60, 1);
	assert_int_equal(esp_encap(o, 0, ip, 60, pkt, sizeof(pkt), &n), ESP_OK);
	esppair_ipv4_udp(ip, 200, 1);
	assert_int_equal(esp_encap(o, 0, ip, 200, pkt + 1000, sizeof(pkt) - 1000, &n2), ESP_OK);
	assert_int_equal(n, n2); /* both look the same size on the wire */
	assert_int_equal(esp_decap(i, pkt + 1000, n2, back, sizeof(back), &rx), ESP_OK);
	assert_int_equal(rx.len, 200);
	assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
	assert_int_equal(rx.len, 60);
	esppair_ipv4_udp(ip, 400, 1);
	assert_int_equal(esp_encap(o, 0, ip, 400, pkt, sizeof(pkt), &n), ESP_OK);
	assert_int_equal(n, 400 + esp_overhead(o, 400));
	esp_sa_free(o);
	esp_sa_free(i);
	p.mode = ESP_MODE_TRANSPORT;
	char why[128];
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	assert_non_null(strstr(why, "tfc_pad"));
}

/* IVs: counters for GCM/ChaCha20 (never repeat), CBC pseudo-random from the seed (same seed, same bytes). */
static void esp_ivs(void **state)
{
	const esppair_alg *gcm = find_alg(IKE_ENCR_AES_GCM_16, 128, 0);
	const esppair_alg *cbc = find_alg(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96);
	uint8_t in[16] = { 0 }, p1[3][128], p2[128];
	size_t n;
	esp_sa *o, *i;
	esppair_pair(*state, gcm, ESP_MODE_TRANSPORT, 0, 64, 9, &o, &i);
	for (int j = 0; j < 3; j++) {
		assert_int_equal(esp_encap(o, 17, in, 16, p1[j], 128, &n), ESP_OK);
		assert_int_equal(ike_get_u64(p1[j] + 8), (uint64_t)j + 1);
	}
	esp_sa_free(o);
	esp_sa_free(i);
	esppair_pair(*state, cbc, ESP_MODE_TRANSPORT, 0, 64, 9, &o, &i);
	for (int j = 0; j < 3; j++)
		assert_int_equal(esp_encap(o, 17, in, 16, p1[j], 128, &n), ESP_OK);
	assert_memory_not_equal(p1[0] + 8, p1[1] + 8, 16);
	assert_memory_not_equal(p1[1] + 8, p1[2] + 8, 16);
	esp_sa_free(o);
	esp_sa_free(i);
	esppair_keys k;
	esp_sa_params p = esppair_params(cbc, ESP_DIR_OUT, ESP_MODE_TRANSPORT, 0, 0, 9, &k);
	o = esp_sa_new(*state, &p, NULL, 0);
	assert_int_equal(esp_encap(o, 17, in, 16, p2, 128, &n), ESP_OK);
	assert_memory_equal(p1[0], p2, n); /* same seed, same bytes */
	esp_sa_free(o);
	uint8_t seed2[32] = { 1 };
	p.iv_seed = seed2;
	o = esp_sa_new(*state, &p, NULL, 0);
	assert_int_equal(esp_encap(o, 17, in, 16, p2, 128, &n), ESP_OK);
	assert_memory_not_equal(p1[0] + 8, p2 + 8, 16);
	esp_sa_free(o);
	p.iv_seed = NULL;
	char why[128];
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	assert_non_null(strstr(why, "iv_seed"));
}

/* ESN (RFC 4304): the high half is not on the wire but is in the ICV; the receiver infers it. */
static void esp_esn_high_bits_in_icv(void **state)
{
	size_t na;
	const esppair_alg *algs = esppair_algs(&na);
	for (size_t k = 0; k < na; k++) {
		if (algs[k].encr == IKE_ENCR_AES_CBC && !algs[k].integ)
			continue; /* no ICV at all */
		esppair_keys kk;
		esp_sa_params p = esppair_params(&algs[k], ESP_DIR_OUT, ESP_MODE_TRANSPORT, 1, 64, 10, &kk);
		p.test_seq = (UINT64_C(3) << 32) + 5;
		esp_sa *o = esp_sa_new(*state, &p, NULL, 0);
		p.dir = ESP_DIR_IN;
		p.test_seq = UINT64_C(3) << 32; /* the receiver has seen up to 3:0 - 1 */
		esp_sa *i = esp_sa_new(*state, &p, NULL, 0);
		p.test_seq = 0;
		esp_sa *fresh = esp_sa_new(*state, &p, NULL, 0);
		assert_non_null(o);
		assert_non_null(i);
		assert_non_null(fresh);
		uint8_t in[20] = { 0 }, pkt[256], back[256];
		size_t n;
		esp_rx rx;
		assert_int_equal(esp_encap(o, 17, in, sizeof(in), pkt, sizeof(pkt), &n), ESP_OK);
		assert_int_equal(ike_get_u32(pkt + 4), 5);
		assert_int_equal(esp_decap(fresh, pkt, n, back, sizeof(back), &rx), ESP_E_ICV); /* infers 0:5 */
		assert_int_equal(esp_decap(i, pkt, n, back, sizeof(back), &rx), ESP_OK);
		assert_int_equal(rx.seq, (UINT64_C(3) << 32) + 5);
		esp_sa_free(o);
		esp_sa_free(i);
		esp_sa_free(fresh);
	}
}

static void esp_bad_parameters(void **state)
{
	const esppair_alg *gcm = find_alg(IKE_ENCR_AES_GCM_16, 128, 0);
	esppair_keys k;
	char why[160];
	esp_sa_params p = esppair_params(gcm, ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 11, &k);
	p.encr_key_len = 16; /* salt missing */
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	assert_non_null(strstr(why, "encr_key"));
	p = esppair_params(gcm, ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 11, &k);
	p.integ_id = IKE_INTEG_HMAC_SHA2_256_128;
	p.integ_key = k.a;
	p.integ_key_len = 32;
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	p = esppair_params(gcm, ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, ESP_REPLAY_WINDOW_MAX + 1, 11, &k);
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	p = esppair_params(gcm, ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 11, &k);
	p.encr_id = 99;
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	p = esppair_params(find_alg(IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA1_96), ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 11, &k);
	p.integ_id = 0;
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	assert_non_null(strstr(why, "NULL"));
	p.integ_id = IKE_INTEG_AES_XCBC_96;
	assert_null(esp_sa_new(*state, &p, why, sizeof(why)));
	assert_null(esp_sa_new(NULL, &p, why, sizeof(why)));
	esp_sa_free(NULL);
	uint8_t pkt[64];
	size_t n;
	assert_int_equal(esp_encap(NULL, 0, NULL, 0, pkt, sizeof(pkt), &n), ESP_E_ARG);
	esp_sa *o, *i;
	esppair_pair(*state, gcm, ESP_MODE_TRANSPORT, 0, 64, 12, &o, &i);
	uint8_t in[64] = { 0 };
	assert_int_equal(esp_encap(o, 17, in, 64, pkt, sizeof(pkt), &n), ESP_E_SPACE);
	assert_int_equal(esp_encap(i, 17, in, 4, pkt, sizeof(pkt), &n), ESP_E_ARG);
	assert_int_equal(esp_sa_stats_of(o)->seq, 0); /* a refused packet uses no sequence number */
	esp_sa_free(o);
	esp_sa_free(i);
}

/* The inner packet may already sit where the ciphertext goes (hosts avoid a copy). */
static void esp_encap_in_place(void **state)
{
	const esppair_alg *a = find_alg(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128);
	esp_sa *o, *i;
	esppair_pair(*state, a, ESP_MODE_TUNNEL, 0, 64, 13, &o, &i);
	uint8_t ip[200], buf[BUF], back[BUF];
	esppair_ipv4_udp(ip, sizeof(ip), 3);
	memcpy(buf + ESP_HDR_LEN + 16, ip, sizeof(ip));
	size_t n;
	esp_rx rx;
	assert_int_equal(esp_encap(o, 0, buf + ESP_HDR_LEN + 16, sizeof(ip), buf, sizeof(buf), &n), ESP_OK);
	assert_int_equal(esp_decap(i, buf, n, back, sizeof(back), &rx), ESP_OK);
	assert_memory_equal(back, ip, sizeof(ip));
	/* ... and decap may write the inner packet over the ciphertext, for every transform. */
	size_t na;
	const esppair_alg *algs = esppair_algs(&na);
	for (size_t k = 0; k < na; k++) {
		esp_sa *o2, *i2;
		esppair_pair(*state, &algs[k], ESP_MODE_TUNNEL, 1, 64, 14, &o2, &i2);
		assert_int_equal(esp_encap(o2, 0, ip, sizeof(ip), buf, sizeof(buf), &n), ESP_OK);
		size_t iv = algs[k].encr == IKE_ENCR_NULL ? 0 : algs[k].encr == IKE_ENCR_AES_CBC ? 16 : 8;
		uint8_t *at = buf + ESP_HDR_LEN + iv;
		assert_int_equal(esp_decap(i2, buf, n, at, sizeof(buf) - ESP_HDR_LEN - iv, &rx), ESP_OK);
		assert_memory_equal(at, ip, sizeof(ip));
		esp_sa_free(o2);
		esp_sa_free(i2);
	}
	esp_sa_free(o);
	esp_sa_free(i);
}

size_t tests_esp(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(esp_every_transform_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_padding_aligned_and_monotonic, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_trailer_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_decap_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_sequence_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_lifetimes, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_tfc_padding, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_ivs, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_esn_high_bits_in_icv, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_bad_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(esp_encap_in_place, setup, teardown),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
