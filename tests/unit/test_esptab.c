/*
 * Wireshark's esp_sa table: rows letter for letter as Wireshark's own sample file, one row per CHILD SA
 * direction with both ends' reports merged, "*" where the ends see different addresses (NAT), ChaCha20
 * commented out, the names of every registry transform.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "esptab.h"
#include "hexutil.h"
#include "testfs.h"
#include "test_list.h.in"
#include "ws_names.h"

#define SAMPLE "tests/vectors/wireshark_esp_sa.txt"

static ike_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return (ike_addr){ 4, 500, { a, b, c, d } }; }

static char *write_table(const sim_esptab *t, sim_esptab_stats *st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(sim_esptab_write(t, f, st), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* The table without its comment lines. */
static void rows_only(const char *text, char *out, size_t cap)
{
	out[0] = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (*p != '#')
			snprintf(out + strlen(out), cap - strlen(out), "%.*s", (int)n, p);
		p += n;
	}
}

typedef struct keyset {
	uint8_t ei[16], ai[20], er[16], ar[20];
} keyset;

/* The CHILD SA of Wireshark's sample: 192.168.0.1 sends with SPI 0x070883c2, 192.168.0.100 with 0xc254fe64. */
static ike_child_keys sample_sa(keyset *ks, bool from_first)
{
	assert_int_equal(unhex("5de1a4c2c72662c9fda7a7c78cd25623", ks->ei, 16), 16);
	assert_int_equal(unhex("51c9213c18232f8f26c70c4dee6e0e6d56e31e8a", ks->ai, 20), 20);
	assert_int_equal(unhex("88e1dad7140af03b8d4f3d734d21be4b", ks->er, 16), 16);
	assert_int_equal(unhex("3e00d517c1220d4b7d2950fcc02edd4b6023d278", ks->ar, 20), 20);
	/* 192.168.0.1 initiated the exchange: ei/ai are what it sends. */
	return (ike_child_keys){ .protocol = IKE_PROTO_ESP, .initiator = from_first,
				 .spi_in = from_first ? 0xc254fe64u : 0x070883c2u,
				 .spi_out = from_first ? 0x070883c2u : 0xc254fe64u, .encr = IKE_ENCR_AES_CBC,
				 .encr_keylen = 128, .integ = IKE_INTEG_HMAC_SHA1_96, .ei = ks->ei, .ai = ks->ai,
				 .er = ks->er, .ar = ks->ar, .e_len = 16, .a_len = 20 };
}

/* Both ends report the sample SA: exactly Wireshark's two sample lines, sender's direction first. */
static void esptab_matches_wireshark_sample(void **state)
{
	(void)state;
	keyset ks;
	ike_addr a = v4(192, 168, 0, 1), b = v4(192, 168, 0, 100);
	sim_esptab *t = sim_esptab_new();
	assert_non_null(t);
	ike_child_keys ka = sample_sa(&ks, true), kb = sample_sa(&ks, false);
	assert_int_equal(sim_esptab_add(t, &a, &b, &ka), 0);
	assert_int_equal(sim_esptab_add(t, &b, &a, &kb), 0);
	sim_esptab_stats st;
	char *text = write_table(t, &st), rows[1024];
	assert_int_equal(st.rows, 2);
	assert_int_equal(st.undecryptable + st.unchecked, 0);
	rows_only(text, rows, sizeof(rows));
	char *want = tfs_must_read(SAMPLE, NULL);
	assert_string_equal(rows, want);
	assert_non_null(strstr(text, "# Wireshark esp_sa written by ikesim"));
	free(want);
	free(text);
	sim_esptab_free(t);
}

/* The ends disagree on addresses (a NAT rewrote one side): those become "*", the SPI still tells the rows apart. */
static void esptab_nat_addresses_become_wildcards(void **state)
{
	(void)state;
	keyset ks;
	ike_addr a = v4(10, 0, 0, 5), a_pub = v4(203, 0, 113, 7), b = v4(198, 51, 100, 1);
	sim_esptab *t = sim_esptab_new();
	ike_child_keys ka = sample_sa(&ks, true), kb = sample_sa(&ks, false);
	assert_int_equal(sim_esptab_add(t, &a, &b, &ka), 0);     /* a knows its private address */
	assert_int_equal(sim_esptab_add(t, &b, &a_pub, &kb), 0); /* b sees the NAT's */
	sim_esptab_stats st;
	char *text = write_table(t, &st), rows[1024];
	rows_only(text, rows, sizeof(rows));
	assert_int_equal(st.rows, 2);
	assert_non_null(strstr(rows, "\"IPv4\",\"*\",\"198.51.100.1\",\"0x070883c2\""));
	assert_non_null(strstr(rows, "\"IPv4\",\"198.51.100.1\",\"*\",\"0xc254fe64\""));
	free(text);
	/* One end only (ikesim peer): its own view, exact. */
	sim_esptab *one = sim_esptab_new();
	assert_int_equal(sim_esptab_add(one, &a, &b, &ka), 0);
	text = write_table(one, &st);
	assert_non_null(strstr(text, "\"IPv4\",\"10.0.0.5\",\"198.51.100.1\",\"0x070883c2\""));
	free(text);
	sim_esptab_free(one);
	sim_esptab_free(t);
}

/* AES-GCM (salt in the key, auth "NULL" as Wireshark requires), IPv6, and ChaCha20 (a comment, counted). */
static void esptab_gcm_ipv6_and_chacha(void **state)
{
	(void)state;
	uint8_t k[4][36];
	for (int i = 0; i < 4; i++)
		memset(k[i], 0x11 * (i + 1), sizeof(k[i]));
	ike_addr a = { 6, 500, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, b = { 6, 500, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	ike_child_keys gcm = { .initiator = true, .spi_in = 0x1000, .spi_out = 0x2000, .encr = IKE_ENCR_AES_GCM_16,
			       .encr_keylen = 256, .ei = k[0], .er = k[1], .e_len = 36 };
	ike_child_keys cc = gcm;
	cc.encr = IKE_ENCR_CHACHA20_POLY1305;
	cc.encr_keylen = 0;
	cc.spi_in = 0x3000;
	cc.spi_out = 0x4000;
	sim_esptab *t = sim_esptab_new();
	assert_int_equal(sim_esptab_add(t, &a, &b, &gcm), 0);
	assert_int_equal(sim_esptab_add(t, &a, &b, &cc), 0);
	sim_esptab_stats st;
	char *text = write_table(t, &st);
	assert_int_equal(st.rows, 2);
	assert_int_equal(st.undecryptable, 2);
	char want[300];
	snprintf(want, sizeof(want), "\"IPv6\",\"2001:db8::1\",\"2001:db8::2\",\"0x00002000\","
				     "\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x%s\",\"NULL\",\"\"\n",
		 "111111111111111111111111111111111111111111111111111111111111111111111111");
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "# 0x00004000: Wireshark 4.0 cannot decrypt ESP with CHACHA20_POLY1305"));
	assert_null(strstr(text, "ChaCha20")); /* never a line Wireshark would reject */
	free(text);
	sim_esptab_free(t);
}

/* Every ESP cipher and MAC of the registry has a name (ChaCha20 excepted), as tshark 4.0 spells them. */
static void esp_names_cover_registry(void **state)
{
	(void)state;
	size_t n_all;
	const ike_alg *all = ike_alg_all(&n_all);
	for (size_t i = 0; i < n_all; i++) {
		bool checked;
		if (all[i].type == IKE_TT_ENCR) {
			const char *w = sim_ws_esp_encr(all[i].id);
			if (all[i].id == IKE_ENCR_CHACHA20_POLY1305)
				assert_null(w);
			else
				assert_non_null(w);
		} else if (all[i].type == IKE_TT_INTEG) {
			assert_non_null(sim_ws_esp_integ(all[i].id, &checked));
			assert_int_equal(checked, all[i].id != IKE_INTEG_AES_XCBC_96 && all[i].id != IKE_INTEG_AES_CMAC_96);
		}
	}
	bool checked;
	assert_string_equal(sim_ws_esp_integ(IKE_INTEG_NONE, &checked), "NULL");
	assert_string_equal(sim_ws_esp_encr(IKE_ENCR_AES_CBC), "AES-CBC [RFC3602]");
	assert_string_equal(sim_ws_esp_integ(IKE_INTEG_HMAC_SHA2_256_128, &checked), "HMAC-SHA-256-128 [RFC4868]");
}

size_t tests_esptab(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(esptab_matches_wireshark_sample),
		cmocka_unit_test(esptab_nat_addresses_become_wildcards),
		cmocka_unit_test(esptab_gcm_ipv6_and_chacha),
		cmocka_unit_test(esp_names_cover_registry),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
