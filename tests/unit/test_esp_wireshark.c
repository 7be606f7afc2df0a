/*
 * engine/esp against an independent implementation: Wireshark's ESP dissector (tshark 4.0) decrypts and checks
 * the ICV of packets sealed by esp_encap for every transform it knows, in both modes and in UDP (RFC 3948),
 * and flags the one packet the test tampered with. Skipped (passes, says so) when tshark is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>


#include "crypto/registry.h"
#include "esp/esp.h"
#include "esp/ip.h"
#include "test_list.h.in"

/* One SA: our transform ids and Wireshark's esp_sa names for it (notes/wireshark.md). */
typedef struct ws_sa {
	uint16_t encr, keylen, integ;
	size_t ekey, akey;
	uint8_t mode;
	const char *ws_encr, *ws_auth;
} ws_sa;

static const ws_sa sas[] = {
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 16, 20, ESP_MODE_TUNNEL, "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]" },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 32, 32, ESP_MODE_TRANSPORT, "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]" },
	{ IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192, 24, 48, ESP_MODE_TUNNEL, "AES-CBC [RFC3602]", "HMAC-SHA-384-192 [RFC4868]" },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_512_256, 16, 64, ESP_MODE_TRANSPORT, "AES-CBC [RFC3602]", "HMAC-SHA-512-256 [RFC4868]" },
	{ IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA2_256_128, 20, 32, ESP_MODE_TUNNEL, "AES-CTR [RFC3686]", "HMAC-SHA-256-128 [RFC4868]" },
	{ IKE_ENCR_AES_GCM_16, 128, 0, 20, 0, ESP_MODE_TUNNEL, "AES-GCM with 16 octet ICV [RFC4106]", "NULL" },
	{ IKE_ENCR_AES_GCM_12, 256, 0, 36, 0, ESP_MODE_TRANSPORT, "AES-GCM with 12 octet ICV [RFC4106]", "NULL" },
	{ IKE_ENCR_AES_GCM_8, 128, 0, 20, 0, ESP_MODE_TUNNEL, "AES-GCM with 8 octet ICV [RFC4106]", "NULL" },
	{ IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA2_256_128, 0, 32, ESP_MODE_TRANSPORT, "NULL", "HMAC-SHA-256-128 [RFC4868]" },
};
#define NSAS (sizeof(sas) / sizeof(sas[0]))
#define PER_SA 3

static void put32(FILE *f, uint32_t v)
{
	assert_int_equal(fwrite(&v, 4, 1, f), 1);
}

static void hexfield(FILE *f, const uint8_t *k, size_t n)
{
	fprintf(f, n ? "\"0x" : "\"");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", k[i]);
	fprintf(f, "\"");
}

/* One record of a LINKTYPE_IPV4 (228) classic pcap. */
static void record(FILE *f, uint32_t sec, const uint8_t *p, size_t len)
{
	put32(f, sec);
	put32(f, 0);
	put32(f, (uint32_t)len);
	put32(f, (uint32_t)len);
	assert_int_equal(fwrite(p, 1, len, f), len);
}

/* Seals PER_SA inner packets per SA (the last SA's last one inside UDP 4500); packet index 1 of SA 0 tampered. */
static void write_capture(const char *dir)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/esp.pcap", dir);
	FILE *f = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/esp_sa", dir);
	FILE *t = fopen(path, "w");
	assert_non_null(f);
	assert_non_null(t);
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 228 };
	assert_int_equal(fwrite(gh, 4, 6, f), 6);
	ike_crypto *c = ike_crypto_new();
	uint8_t ek[64], ak[64], seed[32] = { 9 };
	for (int j = 0; j < 64; j++)
		ek[j] = (uint8_t)(j * 3 + 1), ak[j] = (uint8_t)(j * 5 + 2);
	for (size_t k = 0; k < NSAS; k++) {
		const ws_sa *s = &sas[k];
		esp_sa_params p = { .spi = 0x10000u + (uint32_t)k, .dir = ESP_DIR_OUT, .mode = s->mode, .encr_id = s->encr,
				    .encr_keylen = s->keylen, .integ_id = s->integ, .encr_key = ek, .encr_key_len = s->ekey,
				    .integ_key = s->integ ? ak : NULL, .integ_key_len = s->akey, .iv_seed = seed,
				    .iv_seed_len = sizeof(seed) };
		esp_sa *sa = esp_sa_new(c, &p, NULL, 0);
		assert_non_null(sa);
		fprintf(t, "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x%08x\",\"%s\",", p.spi, s->ws_encr);
		hexfield(t, ek, s->ekey);
		fprintf(t, ",\"%s\",", s->ws_auth);
		hexfield(t, ak, s->akey);
		fprintf(t, "\n");
		for (int n = 0; n < PER_SA; n++) {
			uint8_t inner[256], pkt[512];
			size_t il = 60 + (size_t)n * 33, off = 0, len;
			memset(inner, 0x61, il);
			esp_ip ih = { .family = 4, .proto = ESP_IPPROTO_UDP, .src = { 10, 1, 0, 1 }, .dst = { 10, 2, 0, 1 } };
			if (s->mode == ESP_MODE_TUNNEL)
				off = esp_ip_build(&ih, il - 20, inner, sizeof(inner));
			esp_udp_build(1111, 5001, il - off - 8, inner + off, sizeof(inner) - off);
			int natt = k == NSAS - 1 && n == PER_SA - 1;
			size_t hdr = 20 + (natt ? 8 : 0);
			assert_int_equal(esp_encap(sa, ESP_IPPROTO_UDP, inner, il, pkt + hdr, sizeof(pkt) - hdr, &len), ESP_OK);
			if (k == 0 && n == 1)
				pkt[hdr + len - 20] ^= 0x01; /* a ciphertext bit: Wireshark must call this ICV bad */
			if (natt)
				len += esp_udp_build(4500, 4500, len, pkt + 20, 8);
			esp_ip oh = { .family = 4, .proto = natt ? ESP_IPPROTO_UDP : ESP_IPPROTO_ESP, .id = (uint16_t)n,
				      .src = { 192, 0, 2, 1 }, .dst = { 192, 0, 2, 2 } };
			len += esp_ip_build(&oh, len, pkt, 20);
			record(f, (uint32_t)k, pkt, len);
		}
		esp_sa_free(sa);
	}
	ike_crypto_free(c);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(fclose(t), 0);
}

/* Splits line at tabs in place into up to n columns (empty columns kept); the count found. */
static int split_tabs(char *line, char **col, int n)
{
	int k = 0;
	col[k++] = line;
	for (char *c = line; *c && k < n; c++)
		if (*c == '\t') {
			*c = 0;
			col[k++] = c + 1;
		}
	return k;
}

static void esp_wireshark_decrypts_and_checks_icv(void **state)
{
	(void)state;
	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		print_message("SKIPPED: tshark is not installed\n");
		return;
	}
	char dir[] = "/tmp/ikesim_esp_ws_XXXXXX", cmd[1024], line[512];
	assert_non_null(mkdtemp(dir));
	write_capture(dir);
	snprintf(cmd, sizeof(cmd),
		 "WIRESHARK_CONFIG_DIR=%s tshark -r %s/esp.pcap -o esp.enable_encryption_decode:TRUE "
		 "-o esp.enable_authentication_check:TRUE -o ip.check_checksum:TRUE -T fields -E occurrence=a "
		 "-e esp.spi -e esp.icv_good -e esp.protocol -e udp.dstport -e ip.checksum.status -e _ws.malformed "
		 "2>/dev/null",
		 dir, dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t rows = 0, good = 0, bad = 0;
	while (fgets(line, sizeof(line), p)) {
		/* spi, icv_good, next header, udp ports, ip checksum statuses, malformed: tab-separated, may be empty */
		char *col[6] = { 0 };
		line[strcspn(line, "\n")] = 0;
		if (split_tabs(line, col, 6) != 6)
			fail_msg("tshark row %zu not understood", rows);
		size_t k = strtoul(col[0], NULL, 16) - 0x10000u;
		assert_true(k < NSAS);
		int is_bad = k == 0 && rows == 1;
		if (strcmp(col[1], is_bad ? "0" : "1"))
			fail_msg("row %zu (SA %zu): ICV good = \"%s\"", rows, k, col[1]);
		good += !is_bad;
		bad += is_bad;
		if (!is_bad) { /* decrypted: the next header and the inner UDP port are visible */
			assert_string_equal(col[2], sas[k].mode == ESP_MODE_TUNNEL ? "0x04" : "0x11");
			assert_non_null(strstr(col[3], "5001"));
		}
		assert_int_equal(col[4][0], '1'); /* our outer IPv4 checksum is good */
		assert_string_equal(col[5], "");  /* nothing malformed */
		rows++;
	}
	int rc = pclose(p);
	assert_int_equal(rc, 0);
	assert_int_equal(rows, NSAS * PER_SA);
	assert_int_equal(good, NSAS * PER_SA - 1);
	assert_int_equal(bad, 1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

size_t tests_esp_wireshark(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(esp_wireshark_decrypts_and_checks_icv),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
