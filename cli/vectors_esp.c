/* Whole ESP packets of the vector files, sealed and opened through engine/esp byte for byte. */
#include <arpa/inet.h>
#include <string.h>

#include "crypto/registry.h"
#include "esp/esp.h"
#include "esp/ip.h"
#include "vectors_int.h"

/* What one case describes: the SA and the inner content. */
typedef struct esp_case {
	esp_sa_params p;
	const uint8_t *inner; /* tunnel: inner IP packet; transport: upper-layer payload */
	size_t inner_len;
	uint8_t next_hdr;
	const uint8_t *packet; /* expected ESP bytes (SPI .. ICV) */
	size_t packet_len;
} esp_case;

/* Seals with the vector's IV and sequence number and compares; then opens with an inbound SA and compares. */
static int run_case(cli_vcase *vc, esp_case *ec)
{
	char why[160];
	size_t cap = ec->inner_len + 512, n = 0;
	uint8_t *out = cli_v_alloc(vc, cap), *back = cli_v_alloc(vc, cap);
	if (!out || !back)
		return CLI_V_FAIL;
	ec->p.dir = ESP_DIR_OUT;
	esp_sa *o = esp_sa_new(vc->c, &ec->p, why, sizeof(why));
	if (!o)
		return cli_v_fail(vc, "key", "esp_sa_new (out): %s", why);
	esp_status st = esp_encap(o, ec->next_hdr, ec->inner, ec->inner_len, out, cap, &n);
	esp_sa_free(o);
	if (st != ESP_OK)
		return cli_v_fail(vc, "esp_packet", "esp_encap: %s", esp_status_name(st));
	cli_v_same(vc, "esp_packet", out, n, ec->packet, ec->packet_len);
	ec->p.dir = ESP_DIR_IN;
	ec->p.replay_window = ESP_REPLAY_WINDOW_DEFAULT;
	ec->p.test_iv = NULL;
	esp_sa *in = esp_sa_new(vc->c, &ec->p, why, sizeof(why));
	if (!in)
		return cli_v_fail(vc, "key", "esp_sa_new (in): %s", why);
	esp_rx rx;
	st = esp_decap(in, ec->packet, ec->packet_len, back, cap, &rx);
	esp_sa_free(in);
	if (st != ESP_OK)
		return cli_v_fail(vc, "esp_packet", "esp_decap: %s", esp_status_name(st));
	cli_v_same(vc, "inner packet", back, rx.len, ec->inner, ec->inner_len);
	if (rx.next_hdr != ec->next_hdr)
		cli_v_fail(vc, "next_header", "decap gave %u, want %u", rx.next_hdr, ec->next_hdr);
	return vc->failed ? CLI_V_FAIL : CLI_V_PASS;
}

/* Builds the outer IPv4 header from src/dst and the vector's identification and compares it. */
static void check_outer(cli_vcase *vc, const uint8_t *want, size_t want_len, const char *src, const char *dst,
			size_t esp_len)
{
	esp_ip h = { .family = 4, .proto = ESP_IPPROTO_ESP, .ttl = 64 };
	if (want_len < ESP_IPV4_HDR_LEN || inet_pton(AF_INET, src, h.src) != 1 || inet_pton(AF_INET, dst, h.dst) != 1) {
		cli_v_fail(vc, "src/dst", "need IPv4 addresses and a 20-byte outer header");
		return;
	}
	h.id = (uint16_t)(want[4] << 8 | want[5]); /* the sender's choice: taken from the vector */
	uint8_t hdr[ESP_IPV4_HDR_LEN];
	if (!esp_ip_build(&h, esp_len, hdr, sizeof(hdr)))
		cli_v_fail(vc, "outer_ip_header", "esp_ip_build failed");
	else
		cli_v_same(vc, "outer IPv4 header", hdr, sizeof(hdr), want, ESP_IPV4_HDR_LEN);
}

/* RFC 3602 4, cases 5-8: AES-128-CBC, no ICV, transport or tunnel, with the outer IPv4 header. */
int cli_v_esp_aes_cbc(cli_vcase *vc)
{
	size_t kl, il, hl, pl, ql;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *iv = cli_v_hex(vc, "iv", &il);
	const uint8_t *ih = cli_v_hex(vc, "orig_ip_header", &hl), *pay = cli_v_hex(vc, "orig_payload", &pl);
	const uint8_t *pkt = cli_v_hex(vc, "esp_packet_ip", &ql);
	const char *mode = cli_v_str(vc, "mode"), *src = cli_v_str(vc, "src"), *dst = cli_v_str(vc, "dst");
	long seq = cli_v_int(vc, "seq", 1, UINT32_MAX), nh = cli_v_int(vc, "next_header", 0, 255);
	if (vc->failed)
		return CLI_V_FAIL;
	if (il != 16 || ql < ESP_IPV4_HDR_LEN || (strcmp(mode, "tunnel") && strcmp(mode, "transport")))
		return cli_v_fail(vc, "iv/esp_packet_ip/mode", "bad lengths or mode");
	int tunnel = !strcmp(mode, "tunnel");
	uint8_t *inner = cli_v_alloc(vc, hl + pl);
	if (!inner)
		return CLI_V_FAIL;
	memcpy(inner, ih, hl);
	memcpy(inner + hl, pay, pl);
	esp_case ec = {
		.p = { .spi = 0, .mode = tunnel ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT, .encr_id = IKE_ENCR_AES_CBC,
		       .encr_keylen = (uint16_t)(kl * 8), .encr_key = key, .encr_key_len = kl, .test_iv = iv,
		       .test_seq = (uint64_t)seq },
		.inner = tunnel ? inner : pay, .inner_len = tunnel ? hl + pl : pl, .next_hdr = (uint8_t)nh,
		.packet = pkt + ESP_IPV4_HDR_LEN, .packet_len = ql - ESP_IPV4_HDR_LEN,
	};
	ec.p.spi = esp_packet_spi(ec.packet, ec.packet_len);
	check_outer(vc, pkt, ql, src, dst, ec.packet_len);
	return run_case(vc, &ec);
}

/* draft-mcgrew-gcm-test-01: AES-GCM-16 ESP packets, 32-bit and extended sequence numbers. */
int cli_v_esp_aes_gcm(cli_vcase *vc)
{
	size_t kl, sl, il, pl, ql, spl, ql2;
	const uint8_t *key = cli_v_hex(vc, "key", &kl), *salt = cli_v_hex(vc, "salt", &sl);
	const uint8_t *iv = cli_v_hex(vc, "iv", &il), *pt = cli_v_hex(vc, "plaintext", &pl);
	const uint8_t *pkt = cli_v_hex(vc, "esp_packet", &ql), *spi = cli_v_hex(vc, "spi", &spl);
	const uint8_t *seq32 = cli_v_hex_opt(vc, "seq", &ql2), *esn = NULL;
	size_t el = 0;
	if (!seq32)
		esn = cli_v_hex(vc, "esn_seq64", &el);
	long padlen = cli_v_int(vc, "pad_length", 0, 255), nh = cli_v_int(vc, "next_header", 0, 255);
	if (vc->failed)
		return CLI_V_FAIL;
	if (sl != 4 || il != 8 || spl != 4 || (seq32 && ql2 != 4) || (esn && el != 8) || (size_t)padlen + 2 > pl)
		return cli_v_fail(vc, "salt/iv/spi/seq", "bad lengths for an AES-GCM ESP packet");
	uint8_t *k = cli_v_alloc(vc, kl + 4);
	if (!k)
		return CLI_V_FAIL;
	memcpy(k, key, kl);
	memcpy(k + kl, salt, 4);
	uint64_t seq = 0;
	for (int i = 0; i < (esn ? 8 : 4); i++)
		seq = seq << 8 | (esn ? esn : seq32)[i];
	esp_case ec = {
		.p = { .spi = (uint32_t)spi[0] << 24 | spi[1] << 16 | spi[2] << 8 | spi[3], .mode = ESP_MODE_TRANSPORT,
		       .esn = esn != NULL, .encr_id = IKE_ENCR_AES_GCM_16, .encr_keylen = (uint16_t)(kl * 8),
		       .encr_key = k, .encr_key_len = kl + 4, .test_iv = iv, .test_seq = seq },
		.inner = pt, .inner_len = pl - (size_t)padlen - 2, .next_hdr = (uint8_t)nh, .packet = pkt,
		.packet_len = ql,
	};
	return run_case(vc, &ec);
}

/* RFC 7634 Appendix A: ChaCha20-Poly1305 tunnel-mode ESP with its outer IPv4 header. */
int cli_v_esp_chacha(cli_vcase *vc)
{
	size_t kl, il, sl, ql;
	const uint8_t *km = cli_v_hex(vc, "keymat", &kl), *iv = cli_v_hex(vc, "iv", &il);
	const uint8_t *src_pkt = cli_v_hex(vc, "source_packet", &sl), *pkt = cli_v_hex(vc, "esp_packet_ip", &ql);
	const char *src = cli_v_str(vc, "src_gw"), *dst = cli_v_str(vc, "dst_gw"), *mode = cli_v_str(vc, "mode");
	long seq = cli_v_int(vc, "seq", 1, UINT32_MAX);
	if (vc->failed)
		return CLI_V_FAIL;
	if (kl != 36 || il != 8 || ql < ESP_IPV4_HDR_LEN + ESP_HDR_LEN || strcmp(mode, "tunnel"))
		return cli_v_fail(vc, "keymat/iv/esp_packet_ip/mode", "bad lengths or not tunnel mode");
	esp_case ec = {
		.p = { .mode = ESP_MODE_TUNNEL, .encr_id = IKE_ENCR_CHACHA20_POLY1305, .encr_key = km,
		       .encr_key_len = kl, .test_iv = iv, .test_seq = (uint64_t)seq },
		.inner = src_pkt, .inner_len = sl, .next_hdr = ESP_IPPROTO_IPV4, .packet = pkt + ESP_IPV4_HDR_LEN,
		.packet_len = ql - ESP_IPV4_HDR_LEN,
	};
	ec.p.spi = esp_packet_spi(ec.packet, ec.packet_len);
	check_outer(vc, pkt, ql, src, dst, ec.packet_len);
	return run_case(vc, &ec);
}
