/* engine/esp SPD (ordered selectors, actions), SAD (hash by SPI), outer IPv4/IPv6/UDP helpers and 5-tuples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "config/identity.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "esp/spd.h"
#include "esppair.h"
#include "hexutil.h"
#include "test_list.h.in"

static ike_ts ts(const char *text)
{
	ike_ts t;
	char err[128];
	if (ike_ts_parse(text, &t, err, sizeof(err)))
		fail_msg("%s: %s", text, err);
	return t;
}

static esp_policy pol(uint64_t id, uint8_t dir, uint8_t action, const char *local, const char *remote)
{
	esp_policy p = { .id = id, .dir = dir, .action = action, .local = ts(local), .remote = ts(remote) };
	return p;
}

static esp_flow flow4(const char *src, const char *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	esp_flow f = { .family = 4, .proto = proto, .sport = sport, .dport = dport };
	ike_ts a = ts(src), b = ts(dst); /* single addresses parse as /32 */
	memcpy(f.src, a.start, 4);
	memcpy(f.dst, b.start, 4);
	return f;
}

static void spd_first_match_and_actions(void **state)
{
	(void)state;
	esp_spd *s = esp_spd_new();
	assert_non_null(s);
	esp_policy p = pol(1, ESP_DIR_OUT, ESP_ACT_BYPASS, "10.1.0.0/16[udp/53]", "0.0.0.0/0");
	assert_int_equal(esp_spd_add(s, &p), 0);
	p = pol(2, ESP_DIR_OUT, ESP_ACT_PROTECT, "10.1.0.0/16", "10.2.0.0/16");
	assert_int_equal(esp_spd_add(s, &p), 0);
	p = pol(3, ESP_DIR_OUT, ESP_ACT_DISCARD, "10.1.0.0/16", "10.0.0.0/8");
	assert_int_equal(esp_spd_add(s, &p), 0);
	p = pol(2, ESP_DIR_IN, ESP_ACT_PROTECT, "10.1.0.0/16", "10.2.0.0/16");
	assert_int_equal(esp_spd_add(s, &p), 0);
	esp_flow f = flow4("10.1.2.3", "10.2.0.9", 17, 53, 53);
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->id, 1); /* first match wins */
	f.sport = 54;
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->id, 2);
	f = flow4("10.1.2.3", "10.3.0.1", 6, 1000, 80);
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->action, ESP_ACT_DISCARD);
	f = flow4("10.1.2.3", "192.0.2.1", 6, 1000, 80);
	assert_null(esp_spd_lookup(s, ESP_DIR_OUT, &f));
	assert_int_equal(esp_spd_misses(s), 1);
	/* Inbound the roles swap: the packet's destination is our (local) side. */
	f = flow4("10.2.0.9", "10.1.2.3", 6, 80, 1000);
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_IN, &f)->id, 2);
	assert_null(esp_spd_lookup(s, ESP_DIR_OUT, &f));
	/* insert at 0 beats everything; remove by id; set_sa on a rekey */
	p = pol(9, ESP_DIR_OUT, ESP_ACT_TRAP, "0.0.0.0/0", "0.0.0.0/0");
	assert_int_equal(esp_spd_insert(s, 0, &p), 0);
	f = flow4("10.1.2.3", "10.2.0.9", 17, 53, 53);
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->action, ESP_ACT_TRAP);
	assert_int_equal(esp_spd_remove(s, 9), 1);
	assert_int_equal(esp_spd_count(s), 4);
	esp_sa *fake = (esp_sa *)&p; /* only stored, never used */
	assert_int_equal(esp_spd_set_sa(s, 2, ESP_DIR_OUT, fake), 1);
	f.sport = 1;
	assert_ptr_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->sa, fake);
	assert_int_equal(esp_spd_at(s, 1)->hits, 2);
	assert_null(esp_spd_at(s, 4));
	assert_int_equal(esp_spd_remove(s, 2), 2);
	p = pol(5, ESP_DIR_OUT, ESP_ACT_PROTECT, "10.1.0.0/16", "10.2.0.0/16");
	p.remote.family = 6;
	assert_int_equal(esp_spd_add(s, &p), -1); /* mixed families */
	esp_spd_free(s);
}

/* Protocol, ICMP type/code (RFC 7296 3.13.1), IPv6 ranges, OPAQUE ports for non-first fragments. */
static void spd_selectors(void **state)
{
	(void)state;
	esp_spd *s = esp_spd_new();
	esp_policy p = pol(1, ESP_DIR_OUT, ESP_ACT_PROTECT, "10.1.0.0/16[icmp/2048]", "10.2.0.0/16");
	assert_int_equal(esp_spd_add(s, &p), 0);
	p = pol(2, ESP_DIR_OUT, ESP_ACT_PROTECT, "2001:db8:1::/48", "2001:db8:2::/48[tcp/443]");
	assert_int_equal(esp_spd_add(s, &p), 0);
	p = pol(3, ESP_DIR_OUT, ESP_ACT_PROTECT, "10.1.0.0/16[udp/%opaque]", "10.2.0.0/16[udp/%opaque]");
	assert_int_equal(esp_spd_add(s, &p), 0);
	uint8_t pkt[128];
	esp_flow f;
	/* An ICMP echo request: type 8, code 0 -> 0x0800 = 2048 */
	esp_ip h = { .family = 4, .proto = 1, .src = { 10, 1, 0, 1 }, .dst = { 10, 2, 0, 1 } };
	memset(pkt, 0, sizeof(pkt));
	size_t hl = esp_ip_build(&h, 64, pkt, sizeof(pkt));
	pkt[hl] = 8;
	assert_int_equal(esp_flow_of(pkt, hl + 64, &f), ESP_OK);
	assert_int_equal(f.sport, 2048);
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->id, 1);
	pkt[hl] = 0; /* echo reply: type 0 */
	assert_int_equal(esp_flow_of(pkt, hl + 64, &f), ESP_OK);
	assert_null(esp_spd_lookup(s, ESP_DIR_OUT, &f));
	size_t n = esppair_ipv6_udp(pkt, 80, 0);
	assert_int_equal(esp_flow_of(pkt, n, &f), ESP_OK);
	assert_int_equal(f.family, 6);
	assert_int_equal(f.dport, 5678);
	assert_null(esp_spd_lookup(s, ESP_DIR_OUT, &f)); /* udp, not tcp/443 */
	f.proto = 6;
	f.dport = 443;
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->id, 2);
	/* a later IPv4 fragment carries no ports: only an OPAQUE selector takes it */
	n = esppair_ipv4_udp(pkt, 60, 0);
	ike_put_u16(pkt + 6, 185); /* fragment offset 185 * 8 */
	assert_int_equal(esp_flow_of(pkt, n, &f), ESP_OK);
	assert_int_equal(f.sport, 0);
	assert_int_equal(esp_spd_lookup(s, ESP_DIR_OUT, &f)->id, 3);
	esp_spd_free(s);
}

static void ip_helpers(void **state)
{
	(void)state;
	/* RFC 3602 case 5's outer header: its checksum is f9a5. */
	uint8_t hdr[20], built[64];
	assert_int_equal(unhex("4500007c08f200004032f9a5c0a87b03c0a87b64", hdr, sizeof(hdr)), 20);
	assert_int_equal(esp_ipv4_checksum(hdr, 20), 0xf9a5);
	esp_ip h;
	assert_int_equal(esp_ip_parse(hdr, 20, &h), ESP_E_SHORT); /* total length 124 > 20 bytes given */
	uint8_t full[124] = { 0 };
	memcpy(full, hdr, 20);
	assert_int_equal(esp_ip_parse(full, sizeof(full), &h), ESP_OK);
	assert_int_equal(h.proto, ESP_IPPROTO_ESP);
	assert_int_equal(h.id, 0x08f2);
	assert_int_equal(esp_ip_build(&h, 104, built, sizeof(built)), 20);
	assert_memory_equal(built, hdr, 20);
	assert_int_equal(esp_ip_build(&h, 104, built, 19), 0);
	h.family = 6;
	h.flow = 0x12345;
	h.tos = 0xab;
	assert_int_equal(esp_ip_build(&h, 10, built, sizeof(built)), 40);
	memset(built + 40, 0, 10);
	esp_ip h6;
	assert_int_equal(esp_ip_parse(built, 50, &h6), ESP_OK);
	assert_int_equal(h6.flow, 0x12345);
	assert_int_equal(h6.tos, 0xab);
	assert_int_equal(h6.total_len, 50);
	assert_int_equal(esp_ip_parse(built, 49, &h6), ESP_E_SHORT);
	full[0] = 0x44; /* IHL 4 */
	assert_int_equal(esp_ip_parse(full, sizeof(full), &h), ESP_E_SHORT);
	full[0] = 0x46;
	assert_int_equal(esp_ip_parse(full, sizeof(full), &h), ESP_OK);
	assert_int_equal(h.hdr_len, 20 + 4); /* IHL 5 + 1 word of options */
	full[0] = 0x35;
	assert_int_equal(esp_ip_parse(full, sizeof(full), &h), ESP_E_SHORT);
	/* RFC 3948 UDP */
	uint16_t sp, dp;
	size_t pl;
	assert_int_equal(esp_udp_build(4500, 4500, 100, built, sizeof(built)), 8);
	assert_int_equal(ike_get_u16(built + 6), 0);
	assert_int_equal(esp_udp_parse(built, 108, &sp, &dp, &pl), ESP_OK);
	assert_int_equal(pl, 100);
	assert_int_equal(esp_udp_parse(built, 107, &sp, &dp, &pl), ESP_E_SHORT);
	assert_int_equal(esp_udp_build(1, 2, 65530, built, sizeof(built)), 0);
}

static void sad_by_spi(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	esp_sad *d = esp_sad_new();
	assert_non_null(c);
	assert_non_null(d);
	size_t na;
	const esppair_alg *a = esppair_algs(&na);
	esppair_keys k;
	/* Many SAs: the table grows; both directions may share an SPI value. */
	for (uint32_t i = 0; i < 300; i++) {
		esp_sa_params p = esppair_params(a, i % 2 ? ESP_DIR_IN : ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 1, &k);
		p.spi = 0x100 + i / 2;
		esp_sa *sa = esp_sa_new(c, &p, NULL, 0);
		assert_non_null(sa);
		assert_int_equal(esp_sad_add(d, sa), ESP_OK);
	}
	assert_int_equal(esp_sad_count(d), 300);
	for (uint32_t i = 0; i < 150; i++) {
		assert_non_null(esp_sad_find(d, ESP_DIR_IN, 0x100 + i));
		assert_non_null(esp_sad_find(d, ESP_DIR_OUT, 0x100 + i));
	}
	assert_null(esp_sad_find(d, ESP_DIR_IN, 0x100 + 150));
	assert_null(esp_sad_find_ah(d, ESP_DIR_IN, 0x100));
	/* Duplicates and reserved SPIs are refused (the SA stays the caller's). */
	esp_sa_params p = esppair_params(a, ESP_DIR_IN, ESP_MODE_TUNNEL, 0, 64, 1, &k);
	p.spi = 0x100;
	esp_sa *dup = esp_sa_new(c, &p, NULL, 0);
	assert_int_equal(esp_sad_add(d, dup), ESP_E_ARG);
	esp_sa_free(dup);
	p.spi = 255;
	esp_sa *res = esp_sa_new(c, &p, NULL, 0);
	assert_int_equal(esp_sad_add(d, res), ESP_E_ARG);
	esp_sa_free(res);
	/* Delete half, re-add, all still found (tombstones). */
	for (uint32_t i = 0; i < 150; i += 2)
		assert_int_equal(esp_sad_del(d, ESP_DIR_IN, 0x100 + i), 0);
	assert_int_equal(esp_sad_del(d, ESP_DIR_IN, 0x100), -1);
	for (uint32_t i = 1; i < 150; i += 2)
		assert_non_null(esp_sad_find(d, ESP_DIR_IN, 0x100 + i));
	assert_int_equal(esp_sad_count(d), 225);
	/* Decap by SPI: found SA decaps, unknown SPI is counted. */
	esp_sa_params po = esppair_params(a, ESP_DIR_OUT, ESP_MODE_TUNNEL, 0, 64, 1, &k);
	po.spi = 0x101;
	esp_sa *o = esp_sa_new(c, &po, NULL, 0);
	uint8_t ip[60], pkt[200], back[200];
	size_t n;
	esp_rx rx;
	esp_sa *which;
	esppair_ipv4_udp(ip, sizeof(ip), 1);
	assert_int_equal(esp_encap(o, 0, ip, sizeof(ip), pkt, sizeof(pkt), &n), ESP_OK);
	assert_int_equal(esp_sad_decap(d, pkt, n, back, sizeof(back), &rx, &which), ESP_OK);
	assert_ptr_equal(which, esp_sad_find(d, ESP_DIR_IN, 0x101));
	ike_put_u32(pkt, 0x100);
	assert_int_equal(esp_sad_decap(d, pkt, n, back, sizeof(back), &rx, &which), ESP_E_NO_SA);
	assert_null(which);
	assert_int_equal(esp_sad_unknown_spi(d), 1);
	assert_int_equal(esp_sad_decap(d, pkt, 3, back, sizeof(back), &rx, NULL), ESP_E_SHORT);
	esp_sa_free(o);
	esp_sad_free(d);
	ike_crypto_free(c);
}

size_t tests_esp_spd(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(spd_first_match_and_actions),
		cmocka_unit_test(spd_selectors),
		cmocka_unit_test(ip_helpers),
		cmocka_unit_test(sad_by_spi),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
