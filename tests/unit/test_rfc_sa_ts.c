/*
 * RFC 7296 conformance of proposals and traffic selectors (issue 8, section 2, items 3, 6, 7):
 * unknown transform attributes and Key Length rules (3.3.5, 3.3.6), ESN mandatory for ESP and answers
 * holding only what was offered (3.3.3, 3.3.6), OPAQUE ports (3.13.1), TS types we do not know (RFC 9478).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/registry.h"
#include "ikev2/sa.h"
#include "pair.h"
#include "test_list.h.in"
#include "wire/v2.h"

/* Appends one transform substructure (RFC 7296 3.3.2) with optional raw attribute bytes. */
static size_t put_xform(uint8_t *p, bool last, uint8_t type, uint16_t id, const uint8_t *attrs, size_t alen)
{
	size_t len = 8 + alen;
	p[0] = last ? 0 : 3;
	p[1] = 0;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = type;
	p[5] = 0;
	p[6] = (uint8_t)(id >> 8);
	p[7] = (uint8_t)id;
	if (alen)
		memcpy(p + 8, attrs, alen);
	return len;
}

/* Wraps transforms (already laid out in x[0..xlen)) into a one-proposal SA body (3.3.1). */
static size_t one_proposal(uint8_t *out, uint8_t protocol, uint8_t spi_size, uint8_t count, const uint8_t *x,
			   size_t xlen)
{
	size_t len = 8 + spi_size + xlen;
	out[0] = 0;
	out[1] = 0;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	out[4] = 1;
	out[5] = protocol;
	out[6] = spi_size;
	out[7] = count;
	memset(out + 8, 0xab, spi_size);
	memcpy(out + 8 + spi_size, x, xlen);
	return len;
}

static const uint8_t KL128[] = { 0x80, 0x0e, 0x00, 0x80 }; /* Key Length 128, TV */
static const uint8_t KL256[] = { 0x80, 0x0e, 0x01, 0x00 };

/* An IKE proposal: ENCR AES-GCM-16 (with attrs), PRF SHA2-256, DH 31; parsed into sa. */
static void ike_sa_with_encr_attrs(const uint8_t *attrs, size_t alen, v2_sa *sa)
{
	uint8_t x[128], body[160];
	size_t n = 0;
	n += put_xform(x + n, false, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, attrs, alen);
	n += put_xform(x + n, false, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, NULL, 0);
	n += put_xform(x + n, true, IKE_TT_DH, IKE_DH_CURVE25519, NULL, 0);
	size_t len = one_proposal(body, IKE_PROTO_IKE, 0, 3, x, n);
	assert_int_equal(v2_parse_sa(body, len, sa), V2_OK);
}

static void expect_refusal(const ike_proposal_list *ours, const v2_sa *theirs, uint8_t proto, const char *needle)
{
	char why[320];
	v2_algs a;
	uint8_t num = 0;
	assert_int_equal(v2_select(ours, theirs, proto, 0, proto == IKE_PROTO_ESP, &a, &num, NULL), -1);
	v2_select_refusal(ours, theirs, proto, proto == IKE_PROTO_ESP, why, sizeof(why));
	if (!strstr(why, needle))
		fail_msg("refusal '%s' lacks '%s'", why, needle);
}

/* 3.3.6: a transform with an attribute we do not understand is unacceptable (TV and TLV forms). */
static void unknown_attribute_makes_transform_unacceptable(void **state)
{
	(void)state;
	ike_proposal_list ours;
	v2_sa sa;
	v2_algs a;
	uint8_t num = 0;
	pair_set_proposals(&ours, "aes128gcm16-prfsha256-x25519", IKE_PROTO_IKE);
	/* Control: the same transform without the extra attribute is chosen. */
	ike_sa_with_encr_attrs(KL128, sizeof(KL128), &sa);
	assert_int_equal(v2_select(&ours, &sa, IKE_PROTO_IKE, 0, false, &a, &num, NULL), 0);
	assert_int_equal(a.encr_keylen, 128);

	const uint8_t tv[] = { 0x80, 0x0e, 0x00, 0x80, 0x80, 0x0f, 0x12, 0x34 };
	ike_sa_with_encr_attrs(tv, sizeof(tv), &sa);
	assert_true(v2_attr_unknown(&sa.prop[0], 0));
	assert_int_equal(sa.prop[0].unknown_attr[0], 15);
	expect_refusal(&ours, &sa, IKE_PROTO_IKE, "transform 1 (ENCR 20, Key Length 128) has an unknown attribute 15");

	const uint8_t tlv[] = { 0x00, 0x11, 0x00, 0x03, 1, 2, 3, 0x80, 0x0e, 0x00, 0x80 };
	ike_sa_with_encr_attrs(tlv, sizeof(tlv), &sa);
	assert_int_equal(sa.prop[0].t[0].keylen, 128);
	expect_refusal(&ours, &sa, IKE_PROTO_IKE, "has an unknown attribute 17");
}

/* 3.3.6: other transforms of the same type are processed as usual. */
static void other_transforms_of_the_type_still_count(void **state)
{
	(void)state;
	ike_proposal_list ours;
	v2_sa sa;
	v2_algs a;
	uint8_t num = 0, x[128], body[160];
	const uint8_t bad[] = { 0x80, 0x0e, 0x00, 0x80, 0x80, 0x0f, 0, 0 };
	size_t n = 0;
	n += put_xform(x + n, false, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, bad, sizeof(bad));
	n += put_xform(x + n, false, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, KL256, sizeof(KL256));
	n += put_xform(x + n, false, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, NULL, 0);
	n += put_xform(x + n, true, IKE_TT_DH, IKE_DH_CURVE25519, NULL, 0);
	assert_int_equal(v2_parse_sa(body, one_proposal(body, IKE_PROTO_IKE, 0, 4, x, n), &sa), V2_OK);
	pair_set_proposals(&ours, "aes128gcm16-aes256gcm16-prfsha256-x25519", IKE_PROTO_IKE);
	assert_int_equal(v2_select(&ours, &sa, IKE_PROTO_IKE, 0, false, &a, &num, NULL), 0);
	assert_int_equal(a.encr_keylen, 256);
	/* The builder writes the unknown attribute back, so a round trip keeps the transform unacceptable. */
	uint8_t buf[512];
	v2_builder b;
	v2_chain ch;
	v2_sa again;
	uint8_t badtype;
	v2_begin_chain(&b, buf, sizeof(buf));
	v2_add_sa(&b, &sa);
	assert_false(b.w.err);
	assert_int_equal(v2_parse_chain(b.first, buf, b.w.len, 0, &ch, &badtype), V2_OK);
	assert_int_equal(v2_parse_sa(ch.pl[0].body, ch.pl[0].len, &again), V2_OK);
	assert_true(v2_attr_unknown(&again.prop[0], 0));
	assert_false(v2_attr_unknown(&again.prop[0], 1));
	assert_int_equal(again.prop[0].unknown_attr[0], 15);
}

/* 3.3.5: no Key Length on a fixed-key transform, a Key Length where the algorithm requires one. */
static void key_length_rules_named(void **state)
{
	(void)state;
	ike_proposal_list ours;
	v2_sa sa;
	uint8_t x[128], body[160];
	size_t n = 0;
	n += put_xform(x + n, false, IKE_TT_ENCR, IKE_ENCR_AES_CBC, NULL, 0);
	n += put_xform(x + n, false, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, KL256, sizeof(KL256));
	n += put_xform(x + n, false, IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, NULL, 0);
	n += put_xform(x + n, true, IKE_TT_DH, IKE_DH_CURVE25519, NULL, 0);
	assert_int_equal(v2_parse_sa(body, one_proposal(body, IKE_PROTO_IKE, 0, 4, x, n), &sa), V2_OK);
	pair_set_proposals(&ours, "aes128-sha256-x25519", IKE_PROTO_IKE);
	expect_refusal(&ours, &sa, IKE_PROTO_IKE, "transform 1 (ENCR 12) lacks the Key Length its algorithm requires");
	/* With the ENCR fixed, the PRF's Key Length is what is wrong. */
	sa.prop[0].t[0].keylen = 128;
	expect_refusal(&ours, &sa, IKE_PROTO_IKE,
		       "transform 2 (PRF 5, Key Length 256) carries a Key Length its algorithm does not take");
}

/* 3.3.6: a transform type we do not know rules out the proposal; other mismatches are named too. */
static void other_refusals_named(void **state)
{
	(void)state;
	ike_proposal_list ours;
	v2_sa sa;
	uint8_t x[128], body[160];
	size_t n = put_xform(x, false, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, KL128, sizeof(KL128));
	n += put_xform(x + n, false, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, NULL, 0);
	n += put_xform(x + n, false, IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, NULL, 0);
	n += put_xform(x + n, false, IKE_TT_DH, IKE_DH_CURVE25519, NULL, 0);
	n += put_xform(x + n, true, 9, 1, NULL, 0);
	assert_int_equal(v2_parse_sa(body, one_proposal(body, IKE_PROTO_IKE, 0, 5, x, n), &sa), V2_OK);
	pair_set_proposals(&ours, "aes128gcm16-prfsha256-x25519", IKE_PROTO_IKE);
	expect_refusal(&ours, &sa, IKE_PROTO_IKE, "proposal 1: unknown transform type 9 (RFC 7296 3.3.6)");
	sa.prop[0].n = 4;
	expect_refusal(&ours, &sa, IKE_PROTO_IKE, "an INTEG transform, but ours is AEAD and takes none");
	sa.prop[0].n = 3;
	sa.prop[0].t[2] = (v2_transform){ .type = IKE_TT_DH, .id = IKE_DH_MODP2048 };
	expect_refusal(&ours, &sa, IKE_PROTO_IKE, "no DH transform we accept (offered: MODP_2048)");
	/* Two proposals of ours: each is named. */
	pair_set_proposals(&ours, "aes128gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519", IKE_PROTO_IKE);
	expect_refusal(&ours, &sa, IKE_PROTO_IKE,
		       "proposal 1 (vs our 1): no DH transform we accept (offered: MODP_2048); proposal 1 (vs our 2): no "
		       "ENCR transform we accept (offered: AES_GCM_16_128)");
}

/* An ESP proposal for IKE_AUTH: ENCR AES-GCM-16/128, then optional ESN transforms. */
static void esp_sa(const uint16_t *esn, size_t n_esn, v2_sa *sa)
{
	uint8_t x[128], body[160];
	size_t n = put_xform(x, n_esn == 0, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, KL128, sizeof(KL128));
	for (size_t i = 0; i < n_esn; i++)
		n += put_xform(x + n, i + 1 == n_esn, IKE_TT_ESN, esn[i], NULL, 0);
	assert_int_equal(v2_parse_sa(body, one_proposal(body, IKE_PROTO_ESP, 4, (uint8_t)(1 + n_esn), x, n), sa),
			 V2_OK);
}

/* 3.3.3: ESN is mandatory in an ESP proposal; a proposal without it is unacceptable. */
static void esp_proposal_without_esn_refused(void **state)
{
	(void)state;
	ike_proposal_list ours;
	v2_sa sa, reply;
	v2_algs a;
	uint8_t num = 0;
	pair_set_proposals(&ours, "aes128gcm16", IKE_PROTO_ESP);
	esp_sa(NULL, 0, &sa);
	expect_refusal(&ours, &sa, IKE_PROTO_ESP, "proposal 1: no ESN transform, mandatory for ESP (RFC 7296 3.3.3)");
	/* Both ESN choices offered: ours (no ESN) is chosen and the answer carries exactly that one. */
	const uint16_t both[] = { IKE_ESN_YES, IKE_ESN_NO };
	esp_sa(both, 2, &sa);
	assert_int_equal(v2_select(&ours, &sa, IKE_PROTO_ESP, 0, true, &a, &num, NULL), 0);
	v2_sa_from_algs(&a, IKE_PROTO_ESP, num, (const uint8_t[4]){ 1, 2, 3, 4 }, 4, &reply);
	assert_int_equal(reply.prop[0].n, 2);
	assert_int_equal(reply.prop[0].t[1].type, IKE_TT_ESN);
	assert_int_equal(reply.prop[0].t[1].id, IKE_ESN_NO);
	/* Only ESN 1 offered, and we want none: refused, naming ESN. */
	const uint16_t yes[] = { IKE_ESN_YES };
	esp_sa(yes, 1, &sa);
	expect_refusal(&ours, &sa, IKE_PROTO_ESP, "no ESN transform we accept");
}

static void expect_answer_refused(const ike_proposal_list *ours, const v2_sa *ans, const char *needle)
{
	char why[320];
	v2_algs a;
	const v2_proposal *p = NULL;
	assert_int_equal(v2_accept_choice(ours, ans, IKE_PROTO_ESP, true, &a, &p), -1);
	v2_accept_refusal(ours, ans, IKE_PROTO_ESP, true, why, sizeof(why));
	if (!strstr(why, needle))
		fail_msg("refusal '%s' lacks '%s'", why, needle);
}

/* 3.3.6: the initiator refuses an answer holding anything it did not offer, or lacking a type it did. */
static void initiator_refuses_answers_not_offered(void **state)
{
	(void)state;
	ike_proposal_list ours;
	v2_algs a = { .encr = IKE_ENCR_AES_GCM_16, .encr_keylen = 128, .esn = IKE_ESN_NO };
	v2_sa ans;
	const v2_proposal *p = NULL;
	v2_algs got;
	const uint8_t spi[4] = { 9, 9, 9, 9 };
	pair_set_proposals(&ours, "aes256gcm16,aes128gcm16", IKE_PROTO_ESP);
	v2_sa_from_algs(&a, IKE_PROTO_ESP, 2, spi, 4, &ans);
	assert_int_equal(v2_accept_choice(&ours, &ans, IKE_PROTO_ESP, true, &got, &p), 0);
	assert_int_equal(got.encr_keylen, 128);
	/* Without its ESN transform. */
	ans.prop[0].n = 1;
	expect_answer_refused(&ours, &ans, "the answer has no ESN transform, though we offered that type");
	/* With an ESN we did not offer. */
	v2_sa_from_algs(&a, IKE_PROTO_ESP, 2, spi, 4, &ans);
	ans.prop[0].t[1].id = IKE_ESN_YES;
	expect_answer_refused(&ours, &ans, "transform 2 (ESN 1) was not offered in our proposal 2");
	/* With a D-H group: IKE_AUTH offers none. */
	v2_sa_from_algs(&a, IKE_PROTO_ESP, 2, spi, 4, &ans);
	ans.prop[0].t[ans.prop[0].n++] = (v2_transform){ .type = IKE_TT_DH, .id = IKE_DH_CURVE25519 };
	expect_answer_refused(&ours, &ans, "transform 3 (DH 31) was not offered");
	/* Our proposal 2's transforms under proposal number 1. */
	v2_sa_from_algs(&a, IKE_PROTO_ESP, 1, spi, 4, &ans);
	expect_answer_refused(&ours, &ans, "was not offered in our proposal 1");
	/* A proposal number we never sent. */
	v2_sa_from_algs(&a, IKE_PROTO_ESP, 3, spi, 4, &ans);
	expect_answer_refused(&ours, &ans, "the answer names proposal 3, which we did not send");
	/* An unknown attribute on the chosen transform. */
	v2_sa_from_algs(&a, IKE_PROTO_ESP, 2, spi, 4, &ans);
	ans.prop[0].attr_unknown = 1;
	ans.prop[0].unknown_attr[0] = 99;
	expect_answer_refused(&ours, &ans, "transform 1 (ENCR 20, Key Length 128) was not offered");
}

static ike_ts ts_of(const char *text)
{
	ike_ts t;
	char err[128];
	if (ike_ts_parse(text, &t, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", text, err);
	return t;
}

static void ts_is(const ike_ts *t, const char *want)
{
	char out[128];
	ike_ts_format(t, out, sizeof(out));
	assert_string_equal(out, want);
}

/* 3.13.1: OPAQUE ports (65535..0) meet OPAQUE and ANY, nothing narrower. */
static void opaque_ports_match(void **state)
{
	(void)state;
	ike_ts op = ts_of("10.1.0.0/16[udp/%opaque]"), any = ts_of("10.0.0.0/8[udp]"), r;
	assert_int_equal(op.start_port, 65535);
	assert_int_equal(op.end_port, 0);
	ts_is(&op, "10.1.0.0/16[udp/%opaque]");
	assert_int_equal(ike_ts_intersect(&op, &any, &r), 1);
	ts_is(&r, "10.1.0.0/16[udp/%opaque]");
	assert_int_equal(ike_ts_intersect(&any, &op, &r), 1);
	ts_is(&r, "10.1.0.0/16[udp/%opaque]");
	assert_int_equal(ike_ts_intersect(&op, &op, &r), 1);
	ike_ts p500 = ts_of("10.1.0.0/16[udp/500]"), low = ts_of("10.1.0.0/16[udp/0-65534]");
	assert_int_equal(ike_ts_intersect(&op, &p500, &r), 0);
	assert_int_equal(ike_ts_intersect(&low, &op, &r), 0);
	/* On the wire: the responder narrows an OPAQUE proposal to OPAQUE, the initiator accepts it back. */
	v2_ts_list w;
	ike_ts out[2];
	size_t n = 0;
	v2_ts_to_wire(&op, 1, &w);
	assert_int_equal(v2_ts_narrow(&w, &any, 1, out, 2), 1);
	ts_is(&out[0], "10.1.0.0/16[udp/%opaque]");
	v2_ts_to_wire(out, 1, &w);
	assert_int_equal(v2_ts_within(&w, &op, 1, out, 2, &n), 1);
	assert_int_equal(n, 1);
	/* An initiator that asked for OPAQUE does not take ANY back. */
	v2_ts_to_wire(&any, 1, &w);
	assert_int_equal(v2_ts_within(&w, &op, 1, out, 2, &n), 0);
}

/* A TSi with a TS_SECLABEL-like selector (type 10, 8 label bytes) and then an IPv4 range 10.1.2.0-10.1.2.255. */
static size_t ts_with_unknown(uint8_t *b, bool with_v4)
{
	static const uint8_t sel[] = { 10, 0, 0, 12, 's', 'y', 's', 't', 'e', 'm', '_', 'u' };
	static const uint8_t v4[] = { 7, 0, 0, 16, 0, 0, 0xff, 0xff, 10, 1, 2, 0, 10, 1, 2, 255 };
	size_t n = 4;
	b[0] = with_v4 ? 2 : 1;
	b[1] = b[2] = b[3] = 0;
	memcpy(b + n, sel, sizeof(sel));
	n += sizeof(sel);
	if (with_v4) {
		memcpy(b + n, v4, sizeof(v4));
		n += sizeof(v4);
	}
	return n;
}

/* RFC 9478: a selector type we do not know is skipped, the others are narrowed; alone it narrows to none. */
static void unknown_ts_type_skipped(void **state)
{
	(void)state;
	uint8_t b[64], again[64];
	v2_ts_list w, w2;
	ike_ts ours = ts_of("10.1.0.0/16"), out[2];
	size_t len = ts_with_unknown(b, true), n = 0;
	assert_int_equal(v2_parse_ts(b, len, &w), V2_OK);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.ts[0].type, 10);
	assert_int_equal(w.ts[0].raw_len, 8);
	assert_int_equal(v2_ts_narrow(&w, &ours, 1, out, 2), 1);
	ts_is(&out[0], "10.1.2.0/24");
	assert_int_equal(v2_ts_within(&w, &ours, 1, out, 2, &n), 1);
	assert_int_equal(n, 1);
	/* The builder writes the unknown selector back byte for byte. */
	v2_builder bld;
	v2_begin_chain(&bld, again, sizeof(again));
	v2_add_ts(&bld, V2_PL_TSI, &w);
	assert_false(bld.w.err);
	assert_int_equal(bld.w.len, 4 + len);
	assert_memory_equal(again + 4, b, len);
	/* Only the unknown selector: nothing to narrow, nothing the initiator could accept. */
	len = ts_with_unknown(b, false);
	assert_int_equal(v2_parse_ts(b, len, &w2), V2_OK);
	assert_int_equal(v2_ts_narrow(&w2, &ours, 1, out, 2), 0);
	assert_int_equal(v2_ts_within(&w2, &ours, 1, out, 2, &n), 0);
	/* The refusal says which types were skipped, per payload. */
	char why[160];
	v2_ts_refusal(&w2, &w, why, sizeof(why));
	assert_string_equal(why, "traffic selectors do not overlap ours (TSi skipped unknown TS type 10; "
				 "TSr skipped unknown TS type 10, RFC 9478)");
	v2_ts_to_wire(&ours, 1, &w);
	v2_ts_refusal(&w, &w, why, sizeof(why));
	assert_string_equal(why, "traffic selectors do not overlap ours");
	v2_ts_refusal(&w2, &w2, why, 20);
	assert_int_equal(strlen(why), 19);
}

/* A responder refusing an IKE_SA_INIT whose only ENCR has an unknown attribute says so in its trace. */
static void responder_trace_names_the_attribute(void **state)
{
	(void)state;
	pair pr;
	uint8_t req[1024], msg[1200];
	v2_header h;
	v2_chain ch;
	v2_sa sa;
	uint8_t bad;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(&pr, 7);
	size_t len = pair_first_init(pr.crypto, req, sizeof(req));
	assert_int_equal(v2_parse_header(req, len, &h), V2_OK);
	assert_int_equal(v2_parse_chain(h.next_payload, req + V2_HDR_LEN, len - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad), V2_OK);
	/* The same request, its proposal's ENCR given attribute 15. */
	v2_builder b;
	v2_begin(&b, msg, sizeof(msg), &h);
	for (uint8_t i = 0; i < ch.n; i++) {
		if (ch.pl[i].type != V2_PL_SA) {
			v2_add_raw(&b, ch.pl[i].type, ch.pl[i].critical, ch.pl[i].body, ch.pl[i].len);
			continue;
		}
		assert_int_equal(v2_parse_sa(ch.pl[i].body, ch.pl[i].len, &sa), V2_OK);
		assert_int_equal(sa.prop[0].t[0].type, IKE_TT_ENCR);
		sa.prop[0].attr_unknown = 1;
		sa.prop[0].unknown_attr[0] = 15;
		v2_add_sa(&b, &sa);
	}
	size_t n = v2_finish(&b, 0);
	assert_true(n > len);
	ike_peer_input(pr.peer[1], pr.now, &pr.conn[0].local, &pr.conn[1].local, msg, n);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	assert_int_equal(pair_count(&pr, 1, "NO_PROPOSAL_CHOSEN", "transform 1 (ENCR 20, Key Length 128) has an unknown attribute 15"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(NO_PROP)"), 1);
	pair_free(&pr);
}

size_t tests_rfc_sa_ts(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(unknown_attribute_makes_transform_unacceptable),
		cmocka_unit_test(other_transforms_of_the_type_still_count),
		cmocka_unit_test(key_length_rules_named),
		cmocka_unit_test(other_refusals_named),
		cmocka_unit_test(esp_proposal_without_esn_refused),
		cmocka_unit_test(initiator_refuses_answers_not_offered),
		cmocka_unit_test(opaque_ports_match),
		cmocka_unit_test(unknown_ts_type_skipped),
		cmocka_unit_test(responder_trace_names_the_attribute),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
