/* IKEv2 builder: every payload type built, then parsed back to the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/v2.h"
#include "test_list.h.in"

static v2_header hdr(uint8_t exchange, uint8_t flags, uint32_t mid)
{
	v2_header h = { 0x0102030405060708ULL, 0, 0, 2, 0, exchange, flags, mid, 0 };
	return h;
}

/* Parses a built message fully: header, then the chain after it. */
static void parse_msg(const uint8_t *m, size_t len, v2_header *h, v2_chain *c)
{
	assert_int_equal(v2_parse_header(m, len, h), V2_OK);
	assert_int_equal(h->length, len);
	uint8_t bad = 0;
	assert_int_equal(v2_parse_chain(h->next_payload, m + V2_HDR_LEN, len - V2_HDR_LEN, V2_HDR_LEN, c, &bad),
			 V2_OK);
}

static void header_round_trip(void **state)
{
	(void)state;
	uint8_t buf[64];
	v2_builder b;
	v2_header h = hdr(V2_IKE_AUTH, V2_F_INITIATOR, 0x01020304);
	h.spi_r = 0x1112131415161718ULL;
	v2_begin(&b, buf, sizeof(buf), &h);
	size_t n = v2_finish(&b, 0);
	assert_int_equal(n, V2_HDR_LEN);
	v2_header g;
	assert_int_equal(v2_parse_header(buf, n, &g), V2_OK);
	assert_true(g.spi_i == h.spi_i && g.spi_r == h.spi_r);
	assert_int_equal(g.next_payload, 0);
	assert_int_equal(g.major, 2);
	assert_int_equal(g.exchange, V2_IKE_AUTH);
	assert_int_equal(g.flags, V2_F_INITIATOR);
	assert_int_equal(g.msg_id, 0x01020304);
	assert_int_equal(g.length, 28);
	assert_int_equal(buf[17], 0x20);
}

static void sa_round_trip(void **state)
{
	(void)state;
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 2;
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 1, .spi_size = 0, .n = 4 };
	sa.prop[0].t[0] = (v2_transform){ 1, 20, 256 };
	sa.prop[0].t[1] = (v2_transform){ 2, 7, 0 };
	sa.prop[0].t[2] = (v2_transform){ 3, 14, 0 };
	sa.prop[0].t[3] = (v2_transform){ 4, 19, 0 };
	sa.prop[1] = (v2_proposal){ .num = 2, .protocol = 3, .spi_size = 4, .spi = { 0xc0, 1, 2, 3 }, .n = 2 };
	sa.prop[1].t[0] = (v2_transform){ 1, 12, 128 };
	sa.prop[1].t[1] = (v2_transform){ 5, 0, 0 };
	uint8_t buf[512];
	v2_builder b;
	v2_header h = hdr(V2_IKE_SA_INIT, V2_F_INITIATOR, 0);
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_sa(&b, &sa);
	size_t n = v2_finish(&b, 0);
	assert_true(n > 0);
	v2_header g;
	v2_chain c;
	parse_msg(buf, n, &g, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pl[0].type, V2_PL_SA);
	assert_int_equal(c.pl[0].offset, 28);
	v2_sa out;
	assert_int_equal(v2_parse_sa(c.pl[0].body, c.pl[0].len, &out), V2_OK);
	assert_int_equal(out.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(out.prop[i].num, sa.prop[i].num);
		assert_int_equal(out.prop[i].protocol, sa.prop[i].protocol);
		assert_int_equal(out.prop[i].spi_size, sa.prop[i].spi_size);
		assert_memory_equal(out.prop[i].spi, sa.prop[i].spi, 8);
		assert_int_equal(out.prop[i].n, sa.prop[i].n);
		for (int j = 0; j < sa.prop[i].n; j++) {
			assert_int_equal(out.prop[i].t[j].type, sa.prop[i].t[j].type);
			assert_int_equal(out.prop[i].t[j].id, sa.prop[i].t[j].id);
			assert_int_equal(out.prop[i].t[j].keylen, sa.prop[i].t[j].keylen);
		}
	}
}

static void simple_payloads_round_trip(void **state)
{
	(void)state;
	uint8_t ke[64], nonce[32], id[] = { 10, 0, 0, 1 }, auth[20], vid[16], cert[40], spi[4] = { 1, 2, 3, 4 };
	uint8_t natd[20];
	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)i;
	memset(nonce, 0xab, sizeof(nonce));
	memset(auth, 0xcd, sizeof(auth));
	memset(vid, 0xef, sizeof(vid));
	memset(cert, 0x30, sizeof(cert));
	memset(natd, 0x55, sizeof(natd));
	uint8_t spis[8] = { 1, 1, 1, 1, 2, 2, 2, 2 };
	uint8_t buf[1024];
	v2_builder b;
	v2_begin_chain(&b, buf, sizeof(buf));
	v2_add_ke(&b, 19, ke, sizeof(ke));
	v2_add_nonce(&b, nonce, sizeof(nonce));
	v2_add_id(&b, V2_PL_IDI, V2_ID_IPV4_ADDR, id, sizeof(id));
	v2_add_auth(&b, V2_AUTH_SHARED_KEY_MIC, auth, sizeof(auth));
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	v2_add_notify(&b, 3, spi, 4, V2_N_REKEY_SA, NULL, 0);
	v2_add_delete(&b, 3, 4, spis, 2);
	v2_add_delete(&b, 1, 0, NULL, 0);
	v2_add_vid(&b, vid, sizeof(vid));
	v2_add_cert(&b, V2_PL_CERT, 4, cert, sizeof(cert));
	v2_add_cert(&b, V2_PL_CERTREQ, 4, cert, 20);
	v2_add_raw(&b, 200, false, vid, 3);
	size_t n = v2_finish(&b, 0);
	assert_true(n > 0);
	assert_int_equal(b.first, V2_PL_KE);
	v2_chain c;
	uint8_t bad = 0;
	assert_int_equal(v2_parse_chain(b.first, buf, n, 0, &c, &bad), V2_OK);
	assert_int_equal(c.n, 12);
	assert_int_equal(c.pl[0].offset, 0);

	v2_ke k;
	assert_int_equal(v2_parse_ke(c.pl[0].body, c.pl[0].len, &k), V2_OK);
	assert_int_equal(k.group, 19);
	assert_int_equal(k.len, sizeof(ke));
	assert_memory_equal(k.data, ke, sizeof(ke));
	assert_int_equal(v2_parse_nonce(c.pl[1].body, c.pl[1].len), V2_OK);
	assert_memory_equal(c.pl[1].body, nonce, sizeof(nonce));
	v2_id i;
	assert_int_equal(c.pl[2].type, V2_PL_IDI);
	assert_int_equal(v2_parse_id(c.pl[2].body, c.pl[2].len, &i), V2_OK);
	assert_int_equal(i.type, V2_ID_IPV4_ADDR);
	assert_memory_equal(i.data, id, 4);
	v2_auth a;
	assert_int_equal(v2_parse_auth(c.pl[3].body, c.pl[3].len, &a), V2_OK);
	assert_int_equal(a.method, V2_AUTH_SHARED_KEY_MIC);
	assert_int_equal(a.len, sizeof(auth));
	v2_notify nt;
	assert_int_equal(v2_parse_notify(c.pl[4].body, c.pl[4].len, &nt), V2_OK);
	assert_int_equal(nt.type, V2_N_NAT_DETECTION_SOURCE_IP);
	assert_null(nt.spi);
	assert_int_equal(nt.len, 20);
	assert_int_equal(v2_parse_notify(c.pl[5].body, c.pl[5].len, &nt), V2_OK);
	assert_int_equal(nt.type, V2_N_REKEY_SA);
	assert_int_equal(nt.protocol, 3);
	assert_int_equal(nt.spi_size, 4);
	assert_memory_equal(nt.spi, spi, 4);
	assert_int_equal(nt.len, 0);
	assert_ptr_equal(v2_chain_find_notify(&c, V2_N_REKEY_SA), &c.pl[5]);
	assert_null(v2_chain_find_notify(&c, V2_N_COOKIE));
	v2_delete d;
	assert_int_equal(v2_parse_delete(c.pl[6].body, c.pl[6].len, &d), V2_OK);
	assert_int_equal(d.n, 2);
	assert_memory_equal(d.spis, spis, 8);
	assert_int_equal(v2_parse_delete(c.pl[7].body, c.pl[7].len, &d), V2_OK);
	assert_int_equal(d.protocol, 1);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.pl[8].type, V2_PL_VID);
	assert_int_equal(c.pl[8].len, 16);
	v2_cert ce;
	assert_int_equal(v2_parse_cert(c.pl[9].body, c.pl[9].len, &ce), V2_OK);
	assert_int_equal(ce.encoding, 4);
	assert_int_equal(ce.len, 40);
	assert_int_equal(c.pl[10].type, V2_PL_CERTREQ);
	assert_int_equal(v2_parse_cert(c.pl[10].body, c.pl[10].len, &ce), V2_OK);
	assert_int_equal(ce.len, 20);
	assert_int_equal(c.pl[11].type, 200);
	assert_ptr_equal(v2_chain_find(&c, V2_PL_VID), &c.pl[8]);
	assert_null(v2_chain_find(&c, V2_PL_SA));
}

static void ts_cp_eap_round_trip(void **state)
{
	(void)state;
	v2_ts_list ts;
	memset(&ts, 0, sizeof(ts));
	ts.n = 2;
	ts.ts[0] = (v2_ts){ .type = V2_TS_IPV4_ADDR_RANGE, .ip_proto = 0, .start_port = 0, .end_port = 65535,
			    .start = { 10, 1, 0, 0 }, .end = { 10, 1, 255, 255 } };
	ts.ts[1] = (v2_ts){ .type = V2_TS_IPV6_ADDR_RANGE, .ip_proto = 6, .start_port = 443, .end_port = 443 };
	memset(ts.ts[1].end, 0xff, 16);
	ts.ts[1].start[0] = 0x20;
	v2_cp cp;
	memset(&cp, 0, sizeof(cp));
	cp.type = 1;
	cp.n = 2;
	cp.attr[0].type = 1;
	cp.attr[1].type = 3;
	const uint8_t dns[4] = { 8, 8, 8, 8 };
	cp.attr[1].data = dns;
	cp.attr[1].len = 4;
	const uint8_t ident[] = "alice";
	v2_eap req = { .code = 2, .id = 7, .type = 1, .data = ident, .len = 5 };
	v2_eap ok = { .code = 3, .id = 8 };
	uint8_t buf[512];
	v2_builder b;
	v2_begin_chain(&b, buf, sizeof(buf));
	v2_add_ts(&b, V2_PL_TSI, &ts);
	v2_add_ts(&b, V2_PL_TSR, &ts);
	v2_add_cp(&b, &cp);
	v2_add_eap(&b, &req);
	v2_add_eap(&b, &ok);
	size_t n = v2_finish(&b, 0);
	assert_true(n > 0);
	v2_chain c;
	assert_int_equal(v2_parse_chain(b.first, buf, n, 0, &c, NULL), V2_OK);
	assert_int_equal(c.n, 5);
	v2_ts_list t2;
	assert_int_equal(c.pl[1].type, V2_PL_TSR);
	assert_int_equal(v2_parse_ts(c.pl[0].body, c.pl[0].len, &t2), V2_OK);
	assert_int_equal(t2.n, 2);
	assert_memory_equal(&t2.ts[0], &ts.ts[0], sizeof(v2_ts));
	assert_memory_equal(&t2.ts[1], &ts.ts[1], sizeof(v2_ts));
	v2_cp c2;
	assert_int_equal(v2_parse_cp(c.pl[2].body, c.pl[2].len, &c2), V2_OK);
	assert_int_equal(c2.type, 1);
	assert_int_equal(c2.n, 2);
	assert_int_equal(c2.attr[0].type, 1);
	assert_int_equal(c2.attr[0].len, 0);
	assert_int_equal(c2.attr[1].type, 3);
	assert_memory_equal(c2.attr[1].data, dns, 4);
	v2_eap e;
	assert_int_equal(v2_parse_eap(c.pl[3].body, c.pl[3].len, &e), V2_OK);
	assert_int_equal(e.code, 2);
	assert_int_equal(e.id, 7);
	assert_int_equal(e.length, 10);
	assert_int_equal(e.type, 1);
	assert_memory_equal(e.data, ident, 5);
	assert_int_equal(v2_parse_eap(c.pl[4].body, c.pl[4].len, &e), V2_OK);
	assert_int_equal(e.code, 3);
	assert_int_equal(e.length, 4);
}

/* SK: header with the inner first type, the caller's sealed bytes, then the total length patched. */
static void sk_header_and_finish(void **state)
{
	(void)state;
	uint8_t buf[256];
	v2_builder b;
	v2_header h = hdr(V2_IKE_AUTH, V2_F_INITIATOR, 1);
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
	size_t off = v2_add_sk_header(&b, V2_PL_IDI, 48);
	assert_int_equal(off, 28 + 8 + 4);
	memset(buf + off, 0x77, 48);
	size_t n = v2_finish(&b, 48);
	assert_int_equal(n, off + 48);
	v2_header g;
	v2_chain c;
	parse_msg(buf, n, &g, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.pl[1].type, V2_PL_SK);
	assert_int_equal(c.pl[1].len, 48);
	assert_int_equal(c.sk_inner_first, V2_PL_IDI);
	/* Nothing may follow SK. */
	v2_add_nonce(&b, buf, 16);
	assert_true(b.w.err);
	assert_int_equal(v2_finish(&b, 0), 0);
}

static void builder_overflow_sets_error(void **state)
{
	(void)state;
	uint8_t buf[40];
	uint8_t nonce[32] = { 0 };
	v2_builder b;
	v2_header h = hdr(V2_IKE_SA_INIT, 0, 0);
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_nonce(&b, nonce, sizeof(nonce));
	assert_true(b.w.err);
	assert_int_equal(v2_finish(&b, 0), 0);
	/* Header alone does not fit. */
	v2_begin(&b, buf, 10, &h);
	assert_int_equal(v2_finish(&b, 0), 0);
	/* finish with more extra bytes than remain. */
	v2_begin(&b, buf, sizeof(buf), &h);
	assert_int_equal(v2_finish(&b, 13), 0);
	assert_int_equal(v2_finish(&b, 12), 40);
	/* A payload body longer than 16 bits is refused. */
	static uint8_t big[70000];
	static uint8_t out[80000];
	v2_begin_chain(&b, out, sizeof(out));
	v2_add_vid(&b, big, sizeof(big));
	assert_true(b.w.err);
	/* Unknown TS type and oversized SPI are refused. */
	v2_ts_list ts = { .n = 1 };
	ts.ts[0].type = 9;
	v2_begin_chain(&b, out, sizeof(out));
	v2_add_ts(&b, V2_PL_TSI, &ts);
	assert_true(b.w.err);
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 1;
	sa.prop[0].spi_size = 9;
	v2_begin_chain(&b, out, sizeof(out));
	v2_add_sa(&b, &sa);
	assert_true(b.w.err);
	/* A NULL source with a length is refused rather than dereferenced. */
	v2_begin_chain(&b, out, sizeof(out));
	v2_add_notify(&b, 3, NULL, 4, V2_N_REKEY_SA, NULL, 0);
	assert_true(b.w.err);
	v2_begin_chain(&b, out, sizeof(out));
	v2_add_nonce(&b, NULL, 16);
	assert_true(b.w.err);
}

size_t tests_wire_build(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(header_round_trip),
		cmocka_unit_test(sa_round_trip),
		cmocka_unit_test(simple_payloads_round_trip),
		cmocka_unit_test(ts_cp_eap_round_trip),
		cmocka_unit_test(sk_header_and_finish),
		cmocka_unit_test(builder_overflow_sets_error),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
