/* IKEv2 decoder: hand-assembled messages from RFC 7296 section 3 layouts, RFC 5903 KE bytes, and error cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/v2.h"
#include "test_list.h.in"

/* RFC 5903 section 8: the initiator's group 19 KE payload (generic header | group | reserved | x | y). */
static const uint8_t rfc5903_kei[] = {
	0x00, 0x00, 0x00, 0x48, 0x00, 0x13, 0x00, 0x00,
	0xda, 0xd0, 0xb6, 0x53, 0x94, 0x22, 0x1c, 0xf9, 0xb0, 0x51, 0xe1, 0xfe, 0xca, 0x57, 0x87, 0xd0,
	0x98, 0xdf, 0xe6, 0x37, 0xfc, 0x90, 0xb9, 0xef, 0x94, 0x5d, 0x0c, 0x37, 0x72, 0x58, 0x11, 0x80,
	0x52, 0x71, 0xa0, 0x46, 0x1c, 0xdb, 0x82, 0x52, 0xd6, 0x1f, 0x1c, 0x45, 0x6f, 0xa3, 0xe5, 0x9a,
	0xb1, 0xf4, 0x5b, 0x33, 0xac, 0xcf, 0x5f, 0x58, 0x38, 0x9e, 0x05, 0x77, 0xb8, 0x99, 0x0b, 0xb3,
};

/* IKE_SA_INIT request laid out by hand from RFC 7296 3.1-3.10: HDR, SA, KE, Ni, N(NATD_S_IP), N(NATD_D_IP). */
static const uint8_t sa_init[] = {
	/* IKE header: SPIi, SPIr = 0, NP = SA, version 2.0, IKE_SA_INIT, Initiator, MID 0, length 224 */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0, 0, 0, 0, 0,
	33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 224,
	/* SA: NP = KE, length 48; one proposal #1 IKE, no SPI, 4 transforms */
	34, 0x00, 0, 48,
	0, 0, 0, 44, 1, 1, 0, 4,
	3, 0, 0, 12, 1, 0, 0, 20, 0x80, 0x0e, 0x01, 0x00, /* ENCR AES-GCM-16, Key Length 256 (TV) */
	3, 0, 0, 8, 2, 0, 0, 5,                           /* PRF_HMAC_SHA2_256 */
	3, 0, 0, 8, 3, 0, 0, 12,                          /* AUTH_HMAC_SHA2_256_128 */
	0, 0, 0, 8, 4, 0, 0, 19,                          /* DH group 19, last transform */
	/* KE: NP = Nonce, length 72, group 19, the RFC 5903 public value */
	40, 0x00, 0, 72, 0, 19, 0, 0,
	0xda, 0xd0, 0xb6, 0x53, 0x94, 0x22, 0x1c, 0xf9, 0xb0, 0x51, 0xe1, 0xfe, 0xca, 0x57, 0x87, 0xd0,
	0x98, 0xdf, 0xe6, 0x37, 0xfc, 0x90, 0xb9, 0xef, 0x94, 0x5d, 0x0c, 0x37, 0x72, 0x58, 0x11, 0x80,
	0x52, 0x71, 0xa0, 0x46, 0x1c, 0xdb, 0x82, 0x52, 0xd6, 0x1f, 0x1c, 0x45, 0x6f, 0xa3, 0xe5, 0x9a,
	0xb1, 0xf4, 0x5b, 0x33, 0xac, 0xcf, 0x5f, 0x58, 0x38, 0x9e, 0x05, 0x77, 0xb8, 0x99, 0x0b, 0xb3,
	/* Nonce: NP = Notify, length 20, 16 bytes */
	41, 0x00, 0, 20, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	/* Notify NAT_DETECTION_SOURCE_IP (16388 = 0x4004): NP = Notify, length 28, SHA-1 sized data */
	41, 0x00, 0, 28, 0, 0, 0x40, 0x04,
	0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1,
	/* Notify NAT_DETECTION_DESTINATION_IP (16389 = 0x4005): last payload */
	0, 0x00, 0, 28, 0, 0, 0x40, 0x05,
	0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2,
};

static v2_status parse_all(const uint8_t *m, size_t len, v2_header *h, v2_chain *c, uint8_t *bad)
{
	v2_status st = v2_parse_header(m, len, h);
	if (st != V2_OK)
		return st;
	return v2_parse_chain(h->next_payload, m + V2_HDR_LEN, h->length - V2_HDR_LEN, V2_HDR_LEN, c, bad);
}

static void hand_built_sa_init_parses(void **state)
{
	(void)state;
	assert_int_equal(sizeof(sa_init), 224);
	v2_header h;
	v2_chain c;
	assert_int_equal(parse_all(sa_init, sizeof(sa_init), &h, &c, NULL), V2_OK);
	assert_true(h.spi_i == 0x1122334455667788ULL && h.spi_r == 0);
	assert_int_equal(h.exchange, V2_IKE_SA_INIT);
	assert_int_equal(h.flags, V2_F_INITIATOR);
	assert_int_equal(c.n, 5);
	const uint8_t types[] = { V2_PL_SA, V2_PL_KE, V2_PL_NONCE, V2_PL_NOTIFY, V2_PL_NOTIFY };
	const uint16_t offs[] = { 28, 76, 148, 168, 196 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(c.pl[i].type, types[i]);
		assert_int_equal(c.pl[i].offset, offs[i]);
		assert_false(c.pl[i].critical);
	}
	v2_sa sa;
	assert_int_equal(v2_parse_sa(c.pl[0].body, c.pl[0].len, &sa), V2_OK);
	assert_int_equal(sa.n, 1);
	assert_int_equal(sa.prop[0].num, 1);
	assert_int_equal(sa.prop[0].protocol, 1);
	assert_int_equal(sa.prop[0].n, 4);
	assert_int_equal(sa.prop[0].t[0].id, 20);
	assert_int_equal(sa.prop[0].t[0].keylen, 256);
	assert_int_equal(sa.prop[0].t[3].type, 4);
	assert_int_equal(sa.prop[0].t[3].id, 19);
	v2_ke ke;
	assert_int_equal(v2_parse_ke(c.pl[1].body, c.pl[1].len, &ke), V2_OK);
	assert_int_equal(ke.group, 19);
	assert_int_equal(ke.len, 64);
	assert_memory_equal(ke.data, rfc5903_kei + 8, 64);
	assert_int_equal(v2_parse_nonce(c.pl[2].body, c.pl[2].len), V2_OK);
	v2_notify n;
	assert_int_equal(v2_parse_notify(c.pl[4].body, c.pl[4].len, &n), V2_OK);
	assert_int_equal(n.type, V2_N_NAT_DETECTION_DESTINATION_IP);
	assert_int_equal(n.len, 20);
	assert_ptr_equal(v2_chain_find_notify(&c, V2_N_NAT_DETECTION_SOURCE_IP), &c.pl[3]);
}

/* The same message produced by the builder must be byte-identical to the hand layout. */
static void builder_matches_hand_layout(void **state)
{
	(void)state;
	v2_header h = { 0x1122334455667788ULL, 0, 0, 2, 0, V2_IKE_SA_INIT, V2_F_INITIATOR, 0, 0 };
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 1;
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 1, .n = 4 };
	sa.prop[0].t[0] = (v2_transform){ 1, 20, 256 };
	sa.prop[0].t[1] = (v2_transform){ 2, 5, 0 };
	sa.prop[0].t[2] = (v2_transform){ 3, 12, 0 };
	sa.prop[0].t[3] = (v2_transform){ 4, 19, 0 };
	uint8_t buf[300];
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_sa(&b, &sa);
	v2_add_ke(&b, 19, rfc5903_kei + 8, 64);
	v2_add_nonce(&b, sa_init + 152, 16);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, sa_init + 176, 20);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, sa_init + 204, 20);
	size_t n = v2_finish(&b, 0);
	assert_int_equal(n, sizeof(sa_init));
	assert_memory_equal(buf, sa_init, sizeof(sa_init));
}

static void rfc5903_ke_payload(void **state)
{
	(void)state;
	v2_chain c;
	assert_int_equal(v2_parse_chain(V2_PL_KE, rfc5903_kei, sizeof(rfc5903_kei), 0, &c, NULL), V2_OK);
	assert_int_equal(c.n, 1);
	v2_ke ke;
	assert_int_equal(v2_parse_ke(c.pl[0].body, c.pl[0].len, &ke), V2_OK);
	assert_int_equal(ke.group, 19);
	assert_int_equal(ke.len, 64);
	/* Rebuilt, the payload is byte-identical to the RFC's. */
	uint8_t buf[100];
	v2_builder b;
	v2_begin_chain(&b, buf, sizeof(buf));
	v2_add_ke(&b, 19, ke.data, ke.len);
	assert_int_equal(v2_finish(&b, 0), sizeof(rfc5903_kei));
	assert_memory_equal(buf, rfc5903_kei, sizeof(rfc5903_kei));
}

static void header_errors(void **state)
{
	(void)state;
	uint8_t m[sizeof(sa_init) + 8];
	v2_header h;
	memcpy(m, sa_init, sizeof(sa_init));
	assert_int_equal(v2_parse_header(m, 27, &h), V2_DROP);
	assert_int_equal(v2_parse_header(NULL, 0, &h), V2_DROP);
	/* Length field beyond the datagram. */
	assert_int_equal(v2_parse_header(m, sizeof(sa_init) - 1, &h), V2_DROP);
	/* Length field below the header size. */
	m[27] = 27;
	assert_int_equal(v2_parse_header(m, sizeof(sa_init), &h), V2_DROP);
	m[27] = 224;
	/* Trailing bytes after Length are tolerated; the caller uses h.length. */
	memset(m + sizeof(sa_init), 0xee, 8);
	assert_int_equal(v2_parse_header(m, sizeof(m), &h), V2_OK);
	assert_int_equal(h.length, 224);
	/* Major version 1 or 3: INVALID_MAJOR_VERSION; a minor version is ignored. */
	m[17] = 0x10;
	assert_int_equal(v2_parse_header(m, sizeof(sa_init), &h), V2_BAD_VERSION);
	m[17] = 0x30;
	assert_int_equal(v2_parse_header(m, sizeof(sa_init), &h), V2_BAD_VERSION);
	m[17] = 0x21;
	assert_int_equal(v2_parse_header(m, sizeof(sa_init), &h), V2_OK);
	assert_int_equal(h.minor, 1);
}

/* Every truncation of the message (with its Length field made to match) must be refused. */
static void truncated_everywhere(void **state)
{
	(void)state;
	uint8_t m[sizeof(sa_init)];
	v2_header h;
	v2_chain c;
	for (size_t n = 0; n < sizeof(sa_init); n++) {
		memcpy(m, sa_init, n);
		if (n >= V2_HDR_LEN)
			ike_put_u32(m + 24, (uint32_t)n);
		v2_status st = parse_all(m, n, &h, &c, NULL);
		assert_int_not_equal(st, V2_OK);
		/* Every typed parser also refuses each truncated body that it accepted in full. */
	}
	assert_int_equal(parse_all(sa_init, sizeof(sa_init), &h, &c, NULL), V2_OK);
	v2_sa sa;
	v2_ke ke;
	v2_notify nt;
	for (size_t n = 0; n < c.pl[0].len; n++)
		assert_int_not_equal(v2_parse_sa(c.pl[0].body, n, &sa), V2_OK);
	for (size_t n = 0; n < 4; n++)
		assert_int_not_equal(v2_parse_ke(c.pl[1].body, n, &ke), V2_OK);
	for (size_t n = 0; n < 16; n++)
		assert_int_not_equal(v2_parse_nonce(c.pl[2].body, n), V2_OK);
	for (size_t n = 0; n < 4; n++)
		assert_int_not_equal(v2_parse_notify(c.pl[3].body, n, &nt), V2_OK);
}

static void chain_errors(void **state)
{
	(void)state;
	v2_chain c;
	uint8_t bad = 0;
	/* Payload length below 4. */
	const uint8_t short_len[] = { 0, 0, 0, 3 };
	assert_int_equal(v2_parse_chain(V2_PL_VID, short_len, 4, 0, &c, &bad), V2_INVALID_SYNTAX);
	/* Payload length past the end. */
	const uint8_t overrun[] = { 0, 0, 0, 9, 1, 2, 3, 4 };
	assert_int_equal(v2_parse_chain(V2_PL_VID, overrun, sizeof(overrun), 0, &c, &bad), V2_INVALID_SYNTAX);
	/* Bytes left after the last payload. */
	const uint8_t trailing[] = { 0, 0, 0, 5, 1, 0xff };
	assert_int_equal(v2_parse_chain(V2_PL_VID, trailing, sizeof(trailing), 0, &c, &bad), V2_INVALID_SYNTAX);
	/* Next Payload says more but the bytes end. */
	const uint8_t missing[] = { V2_PL_VID, 0, 0, 5, 1 };
	assert_int_equal(v2_parse_chain(V2_PL_VID, missing, sizeof(missing), 0, &c, &bad), V2_INVALID_SYNTAX);
	/* Empty chain is fine; no first payload with bytes is not. */
	assert_int_equal(v2_parse_chain(V2_PL_NONE, NULL, 0, 0, &c, &bad), V2_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(v2_parse_chain(V2_PL_NONE, short_len, 4, 0, &c, &bad), V2_INVALID_SYNTAX);
	/* Unknown non-critical is kept; unknown critical stops with its type. */
	const uint8_t unknown[] = { 99, 0x00, 0, 5, 7, 0, 0x80, 0, 4 };
	assert_int_equal(v2_parse_chain(98, unknown, sizeof(unknown), 0, &c, &bad), V2_UNSUPPORTED_CRITICAL);
	assert_int_equal(bad, 99);
	const uint8_t unknown_ok[] = { 0, 0x7f, 0, 5, 7 };
	assert_int_equal(v2_parse_chain(98, unknown_ok, sizeof(unknown_ok), 0, &c, &bad), V2_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pl[0].type, 98);
	/* A known payload with the C bit set is accepted (2.5). */
	const uint8_t known_crit[] = { 0, 0x80, 0, 5, 7 };
	assert_int_equal(v2_parse_chain(V2_PL_VID, known_crit, sizeof(known_crit), 0, &c, &bad), V2_OK);
	assert_true(c.pl[0].critical);
	/* SK must be last: bytes after it are a syntax error. */
	const uint8_t sk_then[] = { V2_PL_IDI, 0, 0, 8, 1, 2, 3, 4, 0, 0, 0, 4 };
	assert_int_equal(v2_parse_chain(V2_PL_SK, sk_then, sizeof(sk_then), 0, &c, &bad), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_chain(V2_PL_SK, sk_then, 8, 0, &c, &bad), V2_OK);
	assert_int_equal(c.sk_inner_first, V2_PL_IDI);
	assert_int_equal(v2_parse_chain(V2_PL_SKF, sk_then, sizeof(sk_then), 0, &c, &bad), V2_INVALID_SYNTAX);
	/* More payloads than the chain holds. */
	uint8_t many[(V2_MAX_PAYLOADS + 1) * 4];
	for (size_t i = 0; i <= V2_MAX_PAYLOADS; i++) {
		many[i * 4] = i == V2_MAX_PAYLOADS ? 0 : V2_PL_VID;
		many[i * 4 + 1] = 0;
		many[i * 4 + 2] = 0;
		many[i * 4 + 3] = 4;
	}
	assert_int_equal(v2_parse_chain(V2_PL_VID, many, sizeof(many), 0, &c, &bad), V2_TOO_MANY);
	assert_int_equal(v2_parse_chain(V2_PL_VID, many + 4, sizeof(many) - 4, 0, &c, &bad), V2_OK);
	assert_int_equal(c.n, V2_MAX_PAYLOADS);
}

static void sa_errors(void **state)
{
	(void)state;
	v2_sa sa;
	const uint8_t *good = sa_init + 32;
	uint8_t s[44];
	assert_int_equal(v2_parse_sa(good, 44, &sa), V2_OK);
	/* Last Substruc of a proposal must be 0 or 2, of a transform 0 or 3. */
	memcpy(s, good, 44);
	s[0] = 1;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	memcpy(s, good, 44);
	s[8] = 2;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* A proposal that says more follow, with none following. */
	memcpy(s, good, 44);
	s[0] = 2;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Transform count disagrees with the transforms present. */
	memcpy(s, good, 44);
	s[7] = 3;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	s[7] = 5;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Proposal length past the SA body, and below the minimum. */
	memcpy(s, good, 44);
	s[3] = 45;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	s[3] = 7;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Transform length overruns the proposal. */
	memcpy(s, good, 44);
	s[11] = 40;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Key Length in TLV form is refused (3.3.5). */
	memcpy(s, good, 44);
	s[16] = 0x00;
	s[17] = 0x0e;
	s[18] = 0x00;
	s[19] = 0x00; /* TLV with zero-length value: still 4 bytes, fits exactly */
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Unknown TLV attribute overrunning its transform. */
	s[17] = 0x20;
	s[19] = 0x01;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Bad SPI size, proposal number 0. */
	memcpy(s, good, 44);
	s[6] = 5;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	memcpy(s, good, 44);
	s[4] = 0;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_INVALID_SYNTAX);
	/* Two proposals numbered 1 then 3. */
	uint8_t two[88];
	memcpy(two, good, 44);
	memcpy(two + 44, good, 44);
	two[0] = 2;
	two[44 + 4] = 3;
	assert_int_equal(v2_parse_sa(two, 88, &sa), V2_INVALID_SYNTAX);
	two[44 + 4] = 2;
	assert_int_equal(v2_parse_sa(two, 88, &sa), V2_OK);
	assert_int_equal(sa.n, 2);
	/* A lone chosen proposal in a reply may carry any non-zero number. */
	memcpy(s, good, 44);
	s[4] = 3;
	assert_int_equal(v2_parse_sa(s, 44, &sa), V2_OK);
	assert_int_equal(v2_parse_sa(s, 0, &sa), V2_INVALID_SYNTAX);
}

static void nonce_and_small_payload_errors(void **state)
{
	(void)state;
	uint8_t b[300];
	memset(b, 0, sizeof(b));
	assert_int_equal(v2_parse_nonce(b, 15), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_nonce(b, 16), V2_OK);
	assert_int_equal(v2_parse_nonce(b, 256), V2_OK);
	assert_int_equal(v2_parse_nonce(b, 257), V2_INVALID_SYNTAX);
	v2_id id;
	b[0] = V2_ID_IPV4_ADDR;
	assert_int_equal(v2_parse_id(b, 8, &id), V2_OK);
	assert_int_equal(v2_parse_id(b, 9, &id), V2_INVALID_SYNTAX);
	b[0] = V2_ID_IPV6_ADDR;
	assert_int_equal(v2_parse_id(b, 20, &id), V2_OK);
	assert_int_equal(v2_parse_id(b, 8, &id), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_id(b, 3, &id), V2_INVALID_SYNTAX);
	v2_auth a;
	assert_int_equal(v2_parse_auth(b, 4, &a), V2_INVALID_SYNTAX);
	v2_cert ce;
	assert_int_equal(v2_parse_cert(b, 0, &ce), V2_INVALID_SYNTAX);
	/* Notify: SPI size 3 is not an IPsec SPI size; SPI longer than the body. */
	v2_notify n;
	const uint8_t n3[] = { 3, 3, 0x40, 0x09, 1, 2, 3 };
	assert_int_equal(v2_parse_notify(n3, sizeof(n3), &n), V2_INVALID_SYNTAX);
	const uint8_t n4[] = { 3, 4, 0x40, 0x09, 1, 2, 3 };
	assert_int_equal(v2_parse_notify(n4, sizeof(n4), &n), V2_INVALID_SYNTAX);
	/* Delete: SPI count disagrees with the bytes; IKE with an SPI; unknown protocol. */
	v2_delete d;
	const uint8_t d1[] = { 3, 4, 0, 2, 1, 2, 3, 4 };
	assert_int_equal(v2_parse_delete(d1, sizeof(d1), &d), V2_INVALID_SYNTAX);
	const uint8_t d2[] = { 1, 8, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(v2_parse_delete(d2, sizeof(d2), &d), V2_INVALID_SYNTAX);
	const uint8_t d3[] = { 9, 4, 0, 1, 1, 2, 3, 4 };
	assert_int_equal(v2_parse_delete(d3, sizeof(d3), &d), V2_INVALID_SYNTAX);
	uint8_t dmany[4 + 4 * 65];
	memset(dmany, 0, sizeof(dmany));
	dmany[0] = 3;
	dmany[1] = 4;
	dmany[3] = 65;
	assert_int_equal(v2_parse_delete(dmany, sizeof(dmany), &d), V2_TOO_MANY);
	/* EAP: Length must equal the body; unknown code; Success with data. */
	v2_eap e;
	const uint8_t e1[] = { 1, 1, 0, 6, 1, 'a' };
	assert_int_equal(v2_parse_eap(e1, sizeof(e1), &e), V2_OK);
	assert_int_equal(v2_parse_eap(e1, 5, &e), V2_INVALID_SYNTAX);
	const uint8_t e2[] = { 5, 1, 0, 4 };
	assert_int_equal(v2_parse_eap(e2, sizeof(e2), &e), V2_INVALID_SYNTAX);
	const uint8_t e3[] = { 3, 1, 0, 5, 0 };
	assert_int_equal(v2_parse_eap(e3, sizeof(e3), &e), V2_INVALID_SYNTAX);
	const uint8_t e4[] = { 1, 1, 0, 4 };
	assert_int_equal(v2_parse_eap(e4, sizeof(e4), &e), V2_INVALID_SYNTAX);
	/* SKF: numbers from 1 to Total. */
	v2_skf f;
	const uint8_t f1[] = { 0, 2, 0, 3, 9, 9 };
	assert_int_equal(v2_parse_skf(f1, sizeof(f1), &f), V2_OK);
	assert_int_equal(f.frag_num, 2);
	assert_int_equal(f.total, 3);
	assert_int_equal(f.len, 2);
	const uint8_t f0[] = { 0, 0, 0, 3 };
	assert_int_equal(v2_parse_skf(f0, sizeof(f0), &f), V2_INVALID_SYNTAX);
	const uint8_t f4[] = { 0, 4, 0, 3 };
	assert_int_equal(v2_parse_skf(f4, sizeof(f4), &f), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_skf(f1, 3, &f), V2_INVALID_SYNTAX);
	/* CP: attribute overrunning the payload. */
	v2_cp cp;
	const uint8_t c1[] = { 1, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3 };
	assert_int_equal(v2_parse_cp(c1, sizeof(c1), &cp), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_cp(c1, 8, &cp), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_cp(c1, 4, &cp), V2_OK);
	assert_int_equal(cp.n, 0);
}

static void ts_errors(void **state)
{
	(void)state;
	v2_ts_list ts;
	uint8_t b[4 + 40 + 16];
	memset(b, 0, sizeof(b));
	b[0] = 1;
	b[4] = V2_TS_IPV4_ADDR_RANGE;
	b[7] = 16;
	assert_int_equal(v2_parse_ts(b, 20, &ts), V2_OK);
	/* IPv4 selector claiming the IPv6 length. */
	b[7] = 40;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_INVALID_SYNTAX);
	/* IPv6 selector claiming the IPv4 length. */
	b[4] = V2_TS_IPV6_ADDR_RANGE;
	b[7] = 16;
	assert_int_equal(v2_parse_ts(b, 20, &ts), V2_INVALID_SYNTAX);
	b[7] = 40;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_OK);
	assert_int_equal(v2_parse_ts(b, 43, &ts), V2_INVALID_SYNTAX);
	/* Count larger than the selectors present, count zero, bytes left over. */
	b[0] = 2;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_INVALID_SYNTAX);
	b[0] = 0;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_INVALID_SYNTAX);
	b[0] = 1;
	assert_int_equal(v2_parse_ts(b, 45, &ts), V2_INVALID_SYNTAX);
	/* An unknown type is kept as its bytes (RFC 9478: skipped by policy, not an error); its length must fit. */
	b[4] = 9;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_OK);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.ts[0].raw_len, 36);
	assert_ptr_equal(ts.ts[0].raw, b + 8);
	b[7] = 3;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_INVALID_SYNTAX);
	b[7] = 41;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_INVALID_SYNTAX);
	b[7] = 40;
	b[0] = V2_MAX_TS + 1;
	assert_int_equal(v2_parse_ts(b, 44, &ts), V2_TOO_MANY);
}

size_t tests_wire_parse(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(hand_built_sa_init_parses),
		cmocka_unit_test(builder_matches_hand_layout),
		cmocka_unit_test(rfc5903_ke_payload),
		cmocka_unit_test(header_errors),
		cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(chain_errors),
		cmocka_unit_test(sa_errors),
		cmocka_unit_test(nonce_and_small_payload_errors),
		cmocka_unit_test(ts_errors),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
