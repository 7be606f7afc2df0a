/* ISAKMP decoder/encoder: a hand-laid Main Mode message 1 (RFC 2408 3, RFC 2409 App. A), every payload's round
 * trip, and malformed inputs with the offset each error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "test_list.h.in"
#include "v1fx.h"
#include "wire/v1.h"


static void v1_hand_built_main_mode_1_parses(void **state)
{
	(void)state;
	v1_header h;
	v1_err e = { 0 };
	assert_int_equal(v1_parse_header(v1_mm1, sizeof(v1_mm1), &h, &e), V1_OK);
	assert_true(h.cky_i == 0x0102030405060708ull && h.cky_r == 0);
	assert_int_equal(h.exchange, V1_EXCH_ID_PROT);
	assert_int_equal(h.length, sizeof(v1_mm1));
	v1_chain c;
	assert_int_equal(v1_parse_chain(h.next_payload, v1_mm1 + V1_HDR_LEN, h.length - V1_HDR_LEN, V1_HDR_LEN, false, &c, &e),
			 V1_OK);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.pl[0].offset, 28);
	assert_int_equal(c.pl[1].offset, 88);
	v1_sa sa;
	assert_int_equal(v1_parse_sa(c.pl[0].body, c.pl[0].len, 32, &sa, &e), V1_OK);
	assert_int_equal(sa.n, 1);
	assert_int_equal(sa.prop[0].protocol, V1_PROTO_ISAKMP);
	assert_int_equal(sa.prop[0].t[0].id, V1_KEY_IKE);
	v1_p1_attrs a;
	assert_int_equal(v1_decode_p1(&sa.prop[0].t[0], &a, &e), V1_OK);
	assert_int_equal(a.encr, V1_ENCR_AES);
	assert_int_equal(a.key_len, 128);
	assert_int_equal(a.hash, V1_HASH_SHA1);
	assert_int_equal(a.auth, V1_AUTH_PSK);
	assert_int_equal(a.group, 14);
	assert_true(a.life_seconds == 86400 && a.life_kilobytes == 0);
	char sum[128];
	v1_summary(&h, "request", &c, sum, sizeof(sum));
	assert_string_equal(sum, "ID_PROT request 0 [ SA V ]");
}

/* The builder lays out the same bytes from the decoded SA. */
static void v1_builder_matches_hand_layout(void **state)
{
	(void)state;
	v1_sa sa = { .doi = V1_DOI_IPSEC, .situation = V1_SIT_IDENTITY_ONLY, .n = 1 };
	v1_proposal *p = &sa.prop[0];
	p->num = 1;
	p->protocol = V1_PROTO_ISAKMP;
	p->n = 1;
	v1_transform *t = &p->t[0];
	t->num = 1;
	t->id = V1_KEY_IKE;
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_ENCR, V1_ENCR_AES)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_KEY_LENGTH, 128)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_HASH, V1_HASH_SHA1)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_AUTH, V1_AUTH_PSK)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_GROUP, 14)));
	assert_true(v1_tr_add(t, v1_attr_tv(V1_A_LIFE_TYPE, V1_LIFE_SECONDS)));
	assert_true(v1_tr_add(t, v1_attr_var(V1_A_LIFE_DURATION, 86400, 4)));
	v1_header h = { .cky_i = 0x0102030405060708ull, .major = 1, .exchange = V1_EXCH_ID_PROT };
	uint8_t buf[256];
	v1_builder b;
	v1_begin(&b, buf, sizeof(buf), &h);
	v1_add_sa(&b, &sa);
	v1_add_data(&b, V1_PL_VID, v1_mm1 + 92, 16);
	assert_int_equal(v1_finish(&b, 0), sizeof(v1_mm1));
	assert_memory_equal(buf, v1_mm1, sizeof(v1_mm1));
	/* too small a buffer: nothing overflows, finish reports 0 */
	for (size_t cap = 0; cap < sizeof(v1_mm1); cap++) {
		v1_begin(&b, buf, cap, &h);
		v1_add_sa(&b, &sa);
		v1_add_data(&b, V1_PL_VID, v1_mm1 + 92, 16);
		assert_int_equal(v1_finish(&b, 0), 0);
	}
}

/* Every payload type through the builder and back through its typed parser. */
static void v1_every_payload_round_trips(void **state)
{
	(void)state;
	static const uint8_t ke[128] = { 1, 2, 3 }, nonce[32] = { 9 }, hash[20] = { 7 }, cert[40] = { 0x30 };
	static const uint8_t addr[4] = { 192, 0, 2, 1 }, spis[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint8_t spi[4] = { 0xc0, 0xff, 0xee, 0x01 };
	uint8_t buf[1024];
	v1_builder b;
	v1_begin_chain(&b, buf, sizeof(buf));
	v1_add_ke(&b, ke, sizeof(ke));
	v1_add_data(&b, V1_PL_NONCE, nonce, sizeof(nonce));
	v1_id id = { .type = V1_ID_IPV4_ADDR, .protocol = 17, .port = 500, .data = addr, .len = 4 };
	v1_add_id(&b, &id);
	v1_add_cert(&b, V1_PL_CERT, V1_CERT_X509_SIG, cert, sizeof(cert));
	v1_add_cert(&b, V1_PL_CR, V1_CERT_X509_SIG, NULL, 0);
	v1_add_data(&b, V1_PL_HASH, hash, sizeof(hash));
	v1_add_data(&b, V1_PL_SIG, cert, sizeof(cert));
	v1_notify n = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16, .spi = spis,
			.type = V1_N_DPD_R_U_THERE, .data = spi, .len = 4 };
	v1_add_notify(&b, &n);
	v1_delete d = { .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ESP, .spi_size = 4, .n = 1, .spis = spi };
	v1_add_delete(&b, &d);
	v1_add_data(&b, V1_PL_VID, hash, 16);
	v1_add_data(&b, V1_PL_NATD, hash, 20);
	v1_natoa oa = { .id_type = V1_ID_IPV4_ADDR, .addr = { 10, 1, 2, 3 } };
	v1_add_natoa(&b, V1_PL_NATOA, &oa);
	v1_add_natoa(&b, V1_PL_NATOA_DRAFT, &oa);
	v1_cfg cfg = { .type = V1_CFG_REQUEST, .identifier = 77, .n = 2 };
	cfg.attr[0] = v1_attr_tv(16520, 0); /* XAUTH_TYPE */
	cfg.attr[1] = v1_attr_var(1, 0, 0); /* INTERNAL_IP4_ADDRESS, one zero byte */
	cfg.attr[1].len = 0;                /* an empty request attribute */
	v1_add_cfg(&b, &cfg);
	size_t len = v1_finish(&b, 0);
	assert_true(len > 0);

	v1_chain c;
	v1_err e = { 0 };
	assert_int_equal(v1_parse_chain(b.first, buf, len, 0, false, &c, &e), V1_OK);
	static const uint8_t types[] = { V1_PL_KE, V1_PL_NONCE, V1_PL_ID, V1_PL_CERT, V1_PL_CR, V1_PL_HASH,
					 V1_PL_SIG, V1_PL_N, V1_PL_D, V1_PL_VID, V1_PL_NATD, V1_PL_NATOA,
					 V1_PL_NATOA_DRAFT, V1_PL_ATTR };
	assert_int_equal(c.n, sizeof(types));
	for (size_t i = 0; i < c.n; i++) {
		assert_int_equal(c.pl[i].type, types[i]);
		assert_int_equal(v1_parse_payload(&c.pl[i], &e), V1_OK);
	}
	v1_id id2;
	assert_int_equal(v1_parse_id(c.pl[2].body, c.pl[2].len, 0, &id2, &e), V1_OK);
	assert_true(id2.type == V1_ID_IPV4_ADDR && id2.protocol == 17 && id2.port == 500 && id2.len == 4);
	assert_memory_equal(id2.data, addr, 4);
	v1_notify n2;
	assert_int_equal(v1_parse_notify(c.pl[7].body, c.pl[7].len, 0, &n2, &e), V1_OK);
	assert_true(n2.type == V1_N_DPD_R_U_THERE && n2.spi_size == 16 && n2.len == 4 && n2.doi == V1_DOI_IPSEC);
	assert_memory_equal(n2.spi, spis, 16);
	assert_ptr_equal(v1_chain_find_notify(&c, V1_N_DPD_R_U_THERE), &c.pl[7]);
	v1_delete d2;
	assert_int_equal(v1_parse_delete(c.pl[8].body, c.pl[8].len, 0, &d2, &e), V1_OK);
	assert_true(d2.protocol == V1_PROTO_ESP && d2.n == 1 && d2.spi_size == 4);
	assert_memory_equal(d2.spis, spi, 4);
	v1_natoa oa2;
	assert_int_equal(v1_parse_natoa(c.pl[11].body, c.pl[11].len, 0, &oa2, &e), V1_OK);
	assert_memory_equal(oa2.addr, oa.addr, 4);
	v1_cfg cfg2;
	assert_int_equal(v1_parse_cfg(c.pl[13].body, c.pl[13].len, 0, &cfg2, &e), V1_OK);
	assert_true(cfg2.type == V1_CFG_REQUEST && cfg2.identifier == 77 && cfg2.n == 2);
	assert_true(cfg2.attr[0].tv && cfg2.attr[0].type == 16520 && !cfg2.attr[1].tv && cfg2.attr[1].len == 0);
	char sum[256];
	v1_header h = { .exchange = V1_EXCH_INFORMATIONAL, .msg_id = 3 };
	v1_summary(&h, NULL, &c, sum, sizeof(sum));
	assert_string_equal(sum, "INFORMATIONAL 3 [ KE No ID CERT CERTREQ HASH SIG N(R-U-THERE) D(ESP) V NAT-D "
				 "NAT-OA NAT-OA-DRAFT CPRQ ]");
	assert_int_equal(v1_summary(&h, NULL, NULL, sum, 8), 7); /* truncates, NUL-terminated */
	assert_string_equal(sum, "INFORMA");
}

/* Quick Mode SA: ESP proposal with SPI, UDP-encapsulated tunnel (RFC 3947), kilobyte and second lives. */
static void v1_ipsec_doi_attributes(void **state)
{
	(void)state;
	v1_sa sa = { .doi = V1_DOI_IPSEC, .situation = V1_SIT_IDENTITY_ONLY, .n = 1 };
	v1_proposal *p = &sa.prop[0];
	*p = (v1_proposal){ .num = 1, .protocol = V1_PROTO_ESP, .spi_size = 4, .spi = { 0xca, 0xfe, 0, 1 }, .n = 2 };
	for (int i = 0; i < 2; i++) {
		v1_transform *t = &p->t[i];
		t->num = (uint8_t)(i + 1);
		t->id = V1_ESP_AES;
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_ENCAP, i ? V1_ENCAP_UDP_TUNNEL_DRAFT : V1_ENCAP_UDP_TUNNEL)));
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_AUTH_ALG, V1_AALG_HMAC_SHA2_256)));
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_KEY_LENGTH, 256)));
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_LIFE_TYPE, V1_LIFE_SECONDS)));
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_LIFE_DURATION, 3600)));
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_LIFE_TYPE, V1_LIFE_KILOBYTES)));
		assert_true(v1_tr_add(t, v1_attr_var(V1_IA_LIFE_DURATION, 0x123456789aull, 0)));
		assert_true(v1_tr_add(t, v1_attr_tv(V1_IA_GROUP, 19)));
	}
	uint8_t buf[512];
	v1_builder b;
	v1_begin_chain(&b, buf, sizeof(buf));
	v1_add_sa(&b, &sa);
	size_t len = v1_finish(&b, 0);
	v1_chain c;
	v1_err e = { 0 };
	assert_int_equal(v1_parse_chain(V1_PL_SA, buf, len, 0, false, &c, &e), V1_OK);
	v1_sa sa2;
	assert_int_equal(v1_parse_sa(c.pl[0].body, c.pl[0].len, 4, &sa2, &e), V1_OK);
	assert_int_equal(sa2.prop[0].n, 2);
	assert_memory_equal(sa2.prop[0].spi, p->spi, 4);
	v1_p2_attrs a;
	assert_int_equal(v1_decode_p2(&sa2.prop[0].t[0], &a, &e), V1_OK);
	assert_true(a.encap == V1_ENCAP_UDP_TUNNEL && a.auth_alg == V1_AALG_HMAC_SHA2_256 && a.key_len == 256);
	assert_true(a.life_seconds == 3600 && a.life_kilobytes == 0x123456789aull && a.group == 19);
	assert_int_equal(v1_decode_p2(&sa2.prop[0].t[1], &a, &e), V1_OK);
	assert_int_equal(a.encap, V1_ENCAP_UDP_TUNNEL_DRAFT);
	assert_int_equal(sa2.prop[0].t[1].attr[6].len, 5); /* a 40-bit duration takes 5 bytes */
	assert_string_equal(v1_attr_name(false, V1_IA_ENCAP), "ENCAPSULATION_MODE");
	assert_string_equal(v1_attr_name(true, V1_A_LIFE_DURATION), "LIFE_DURATION");
}

/* Attribute decoding errors name the attribute index. */
static void v1_attribute_errors(void **state)
{
	(void)state;
	v1_transform t = { .num = 1, .id = V1_KEY_IKE };
	v1_p1_attrs a;
	v1_err e = { 0 };
	v1_tr_add(&t, v1_attr_tv(V1_A_ENCR, V1_ENCR_AES));
	v1_tr_add(&t, v1_attr_var(V1_A_HASH, 2, 2)); /* basic class in TLV form */
	assert_int_equal(v1_decode_p1(&t, &a, &e), V1_MALFORMED);
	assert_int_equal(e.off, 1);
	t.nattr = 1;
	v1_tr_add(&t, v1_attr_tv(V1_A_LIFE_DURATION, 60)); /* duration without a life type */
	assert_int_equal(v1_decode_p1(&t, &a, &e), V1_MALFORMED);
	assert_int_equal(e.off, 1);
	t.nattr = 1;
	v1_tr_add(&t, v1_attr_tv(V1_A_LIFE_TYPE, V1_LIFE_SECONDS));
	static const uint8_t wide[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0 }, wide0[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 };
	v1_attr w = { .type = V1_A_LIFE_DURATION, .data = wide, .len = 9 };
	v1_tr_add(&t, w);
	assert_int_equal(v1_decode_p1(&t, &a, &e), V1_MALFORMED);
	assert_int_equal(e.off, 2);
	t.attr[2].data = wide0;
	t.attr[2].len = 10; /* leading zeros are fine */
	assert_int_equal(v1_decode_p1(&t, &a, &e), V1_OK);
	assert_true(a.life_seconds == 5);
	t.attr[2].len = 0;
	assert_int_equal(v1_decode_p1(&t, &a, &e), V1_MALFORMED);
	v1_tr_add(&t, v1_attr_tv(99, 1));
	t.attr[2] = v1_attr_tv(V1_A_LIFE_DURATION, 1);
	assert_int_equal(v1_decode_p1(&t, &a, &e), V1_ATTR_UNSUPPORTED);
	assert_int_equal(e.off, 3);
	v1_p2_attrs p2;
	assert_int_equal(v1_decode_p2(&t, &p2, &e), V1_ATTR_UNSUPPORTED); /* IPsec DOI has no class 12 */
	assert_int_equal(e.off, 2);
}

/* Vendor IDs: the MD5-derived ones recomputed here; lookups by exact bytes or by prefix (versions, flags). */
static void v1_vendor_ids(void **state)
{
	(void)state;
	static const struct {
		enum v1_vid v;
		const char *text;
	} md5s[] = { { V1_VID_NATT_RFC3947, "RFC 3947" },
		     { V1_VID_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02" },
		     { V1_VID_NATT_DRAFT_02_N, "draft-ietf-ipsec-nat-t-ike-02\n" },
		     { V1_VID_NATT_DRAFT_03, "draft-ietf-ipsec-nat-t-ike-03" },
		     { V1_VID_FRAGMENTATION, "FRAGMENTATION" },
		     { V1_VID_UNITY, "CISCO-UNITY" } };
	for (size_t i = 0; i < sizeof(md5s) / sizeof(md5s[0]); i++) {
		uint8_t md[16];
		unsigned int n;
		assert_true(EVP_Digest(md5s[i].text, strlen(md5s[i].text), md, &n, EVP_md5(), NULL));
		size_t len;
		const uint8_t *b = v1_vid_bytes(md5s[i].v, &len);
		assert_non_null(b);
		size_t cmp = md5s[i].v == V1_VID_UNITY ? 14 : 16;
		assert_memory_equal(b, md, cmp);
		assert_int_equal(v1_vid_lookup(b, len), md5s[i].v);
	}
	size_t len;
	const uint8_t *frag = v1_vid_bytes(V1_VID_FRAGMENTATION, &len);
	uint8_t other[20];
	memcpy(other, frag, 20);
	other[19] = 1; /* different flags: still FRAGMENTATION */
	assert_int_equal(v1_vid_lookup(other, 20), V1_VID_FRAGMENTATION);
	assert_int_equal(v1_vid_lookup(other, 15), V1_VID_UNKNOWN);
	const uint8_t *dpd = v1_vid_bytes(V1_VID_DPD, &len);
	assert_int_equal(len, 16);
	assert_int_equal(v1_vid_lookup(dpd, 15), V1_VID_UNKNOWN); /* exact ones need their full length */
	assert_int_equal(v1_vid_lookup(v1_vid_bytes(V1_VID_XAUTH, &len), 8), V1_VID_XAUTH);
	assert_string_equal(v1_vid_name(V1_VID_DPD), "DPD");
	assert_null(v1_vid_bytes(V1_VID_UNKNOWN, &len));
	assert_int_equal(len, 0);
}

/* v1_last_body: the body offset of the payload added last, in messages and bare chains alike. */
static void v1_builder_last_body(void **state)
{
	(void)state;
	uint8_t buf[128];
	static const uint8_t h20[20] = { 1 };
	v1_builder b;
	v1_begin_chain(&b, buf, sizeof(buf));
	assert_int_equal(v1_last_body(&b), 0);
	v1_add_data(&b, V1_PL_VID, h20, 12); /* 16 bytes: the next payload starts at 16 */
	v1_add_data(&b, V1_PL_HASH, h20, 20);
	assert_int_equal(v1_last_body(&b), 20);
	v1_header h = { .major = 1, .exchange = V1_EXCH_QUICK };
	v1_begin(&b, buf, sizeof(buf), &h);
	assert_int_equal(v1_last_body(&b), 0);
	v1_add_data(&b, V1_PL_HASH, h20, 20);
	assert_int_equal(v1_last_body(&b), 32);
	v1_cfg cfg = { .type = V1_CFG_REPLY };
	v1_add_cfg(&b, &cfg);
	size_t n = v1_finish(&b, 0);
	v1_chain c;
	v1_err e;
	assert_int_equal(v1_parse_chain(V1_PL_HASH, buf + 28, n - 28, 28, false, &c, &e), V1_OK);
	char sum[64];
	h.exchange = V1_EXCH_TRANSACTION;
	v1_summary(&h, "response", &c, sum, sizeof(sum));
	assert_string_equal(sum, "TRANSACTION response 0 [ HASH CPRP ]");
	v1_summary(&h, "request", NULL, sum, sizeof(sum)); /* not decrypted (yet) */
	assert_string_equal(sum, "TRANSACTION request 0 [ E ]");
	assert_string_equal(v1_status_name(V1_BAD_PROPOSAL), "bad proposal syntax");
}

size_t tests_v1_wire(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_hand_built_main_mode_1_parses),
		cmocka_unit_test(v1_builder_matches_hand_layout),
		cmocka_unit_test(v1_every_payload_round_trips),
		cmocka_unit_test(v1_ipsec_doi_attributes),
		cmocka_unit_test(v1_attribute_errors),
		cmocka_unit_test(v1_vendor_ids),
		cmocka_unit_test(v1_builder_last_body),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
