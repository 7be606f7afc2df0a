/* Deterministic mutation fuzzing of the IKEv2 decoder: no input may make it read out of bounds or crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/v2.h"
#include "fuzzrand.h"
#include "test_list.h.in"

#define FUZZ_ITERATIONS 250000
#define SEED_CAP 1024
#define N_SEEDS 4

typedef struct seed {
	uint8_t b[SEED_CAP];
	size_t len;
} seed;

static v2_header mk_hdr(uint8_t exchange, uint8_t flags, uint32_t mid)
{
	v2_header h = { 0xa1a2a3a4a5a6a7a8ULL, 0xb1b2b3b4b5b6b7b8ULL, 0, 2, 0, exchange, flags, mid, 0 };
	return h;
}

/* Seed 0: IKE_SA_INIT with two proposals, KE, nonce, notifies, VID. */
static size_t seed_sa_init(uint8_t *buf)
{
	v2_header h = mk_hdr(V2_IKE_SA_INIT, V2_F_INITIATOR, 0);
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 2;
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 1, .n = 4 };
	sa.prop[0].t[0] = (v2_transform){ 1, 20, 256 };
	sa.prop[0].t[1] = (v2_transform){ 2, 5, 0 };
	sa.prop[0].t[2] = (v2_transform){ 3, 12, 0 };
	sa.prop[0].t[3] = (v2_transform){ 4, 19, 0 };
	sa.prop[1] = (v2_proposal){ .num = 2, .protocol = 1, .n = 3 };
	sa.prop[1].t[0] = (v2_transform){ 1, 12, 128 };
	sa.prop[1].t[1] = (v2_transform){ 2, 2, 0 };
	sa.prop[1].t[2] = (v2_transform){ 4, 14, 0 };
	uint8_t d[64];
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 7);
	v2_builder b;
	v2_begin(&b, buf, SEED_CAP, &h);
	v2_add_sa(&b, &sa);
	v2_add_ke(&b, 19, d, 64);
	v2_add_nonce(&b, d, 32);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_SOURCE_IP, d, 20);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NAT_DETECTION_DESTINATION_IP, d, 20);
	v2_add_notify(&b, 0, NULL, 0, V2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	v2_add_vid(&b, d, 16);
	return v2_finish(&b, 0);
}

/* Seed 1: every other payload type in clear (as an IKE_AUTH plaintext would be). */
static size_t seed_all_payloads(uint8_t *buf)
{
	v2_header h = mk_hdr(V2_IKE_AUTH, V2_F_INITIATOR, 1);
	uint8_t d[48];
	memset(d, 0x5a, sizeof(d));
	v2_ts_list ts;
	memset(&ts, 0, sizeof(ts));
	ts.n = 2;
	ts.ts[0] = (v2_ts){ .type = V2_TS_IPV4_ADDR_RANGE, .end_port = 65535, .end = { 255, 255, 255, 255 } };
	ts.ts[1] = (v2_ts){ .type = V2_TS_IPV6_ADDR_RANGE, .ip_proto = 17, .start_port = 500, .end_port = 500 };
	v2_cp cp = { .type = 1, .n = 2 };
	cp.attr[0].type = 1;
	cp.attr[1].type = 3;
	cp.attr[1].data = d;
	cp.attr[1].len = 4;
	v2_eap eap = { .code = 2, .id = 3, .type = 1, .data = d, .len = 6 };
	v2_sa sa;
	memset(&sa, 0, sizeof(sa));
	sa.n = 1;
	sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 3, .spi_size = 4, .spi = { 1, 2, 3, 4 }, .n = 2 };
	sa.prop[0].t[0] = (v2_transform){ 1, 20, 128 };
	sa.prop[0].t[1] = (v2_transform){ 5, 0, 0 };
	v2_builder b;
	v2_begin(&b, buf, SEED_CAP, &h);
	v2_add_id(&b, V2_PL_IDI, V2_ID_FQDN, d, 11);
	v2_add_cert(&b, V2_PL_CERT, 4, d, 30);
	v2_add_cert(&b, V2_PL_CERTREQ, 4, d, 20);
	v2_add_id(&b, V2_PL_IDR, V2_ID_IPV4_ADDR, d, 4);
	v2_add_auth(&b, V2_AUTH_SHARED_KEY_MIC, d, 32);
	v2_add_cp(&b, &cp);
	v2_add_sa(&b, &sa);
	v2_add_ts(&b, V2_PL_TSI, &ts);
	v2_add_ts(&b, V2_PL_TSR, &ts);
	v2_add_notify(&b, 3, d, 4, V2_N_REKEY_SA, NULL, 0);
	v2_add_delete(&b, 3, 4, d, 3);
	v2_add_eap(&b, &eap);
	v2_add_vid(&b, NULL, 0); /* an empty body: every parser must cope with zero bytes */
	v2_add_raw(&b, 150, false, d, 5);
	return v2_finish(&b, 0);
}

/* Seed 2: an SK message; seed 3: an SKF fragment. */
static size_t seed_sk(uint8_t *buf, bool fragment)
{
	v2_header h = mk_hdr(V2_INFORMATIONAL, V2_F_RESPONSE, 7);
	v2_builder b;
	v2_begin(&b, buf, SEED_CAP, &h);
	v2_add_notify(&b, 0, NULL, 0, V2_N_COOKIE, buf, 8);
	if (!fragment) {
		size_t off = v2_add_sk_header(&b, V2_PL_DELETE, 64);
		memset(buf + off, 0x33, 64);
		return v2_finish(&b, 64);
	}
	uint8_t body[40] = { 0, 1, 0, 3 };
	v2_add_raw(&b, V2_PL_SKF, false, body, sizeof(body));
	buf[28 + 12] = V2_PL_IDI; /* the SKF's Next Payload names the inner first payload */
	return v2_finish(&b, 0);
}

/* Values that commonly break length arithmetic. */
static const uint32_t extremes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 27, 28, 29, 0x7f, 0x80, 0xff, 0x100,
				     0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0xffffffff };

static size_t mutate(uint64_t *r, uint8_t *m, size_t len, const seed *seeds)
{
	size_t ops = 1 + fuzz_below(r, 4);
	for (size_t k = 0; k < ops; k++) {
		uint32_t x = extremes[fuzz_below(r, sizeof(extremes) / sizeof(extremes[0]))];
		size_t at = fuzz_below(r, len ? len : 1);
		switch (fuzz_below(r, 9)) {
		case 0: /* flip bits */
			if (len)
				m[at] ^= (uint8_t)(1u << fuzz_below(r, 8));
			break;
		case 1: /* random byte */
			if (len)
				m[at] = (uint8_t)fuzz_rnd(r);
			break;
		case 2: /* truncate */
			len = fuzz_below(r, len + 1);
			break;
		case 3: /* grow with random bytes */
		{
			size_t add = fuzz_below(r, 64);
			for (size_t i = 0; i < add && len < SEED_CAP; i++)
				m[len++] = (uint8_t)fuzz_rnd(r);
			break;
		}
		case 4: /* extreme 16-bit value (payload/selector/attribute lengths) */
			if (at + 2 <= len)
				ike_put_u16(m + at, (uint16_t)x);
			break;
		case 5: /* extreme header Length */
			if (len >= V2_HDR_LEN)
				ike_put_u32(m + 24, x);
			break;
		case 6: /* splice a piece of another seed in */
		{
			const seed *o = &seeds[fuzz_below(r, N_SEEDS)];
			size_t from = fuzz_below(r, o->len), n = fuzz_below(r, o->len - from + 1);
			if (at + n > SEED_CAP)
				n = SEED_CAP - at;
			memcpy(m + at, o->b + from, n);
			if (at + n > len)
				len = at + n;
			break;
		}
		case 7: /* header Length made to match the mutated size, so the chain gets parsed */
			if (len >= V2_HDR_LEN)
				ike_put_u32(m + 24, (uint32_t)len);
			break;
		default: /* random payload type in a Next Payload-like position */
			if (len)
				m[at] = (uint8_t)(fuzz_below(r, 2) ? 33 + fuzz_below(r, 16) : 53);
			break;
		}
	}
	return len;
}

/* Runs every typed parser on a body (whatever its type), and checks views stay inside it. */
static void parse_body_at(const uint8_t *b, size_t len)
{
	static v2_sa sa;
	v2_ke ke;
	v2_id id;
	v2_auth au;
	v2_notify n;
	v2_delete d;
	static v2_ts_list ts;
	v2_cert ce;
	static v2_cp cp;
	v2_eap e;
	v2_skf f;
	(void)v2_parse_sa(b, len, &sa);
	if (v2_parse_ke(b, len, &ke) == V2_OK)
		assert_true(ke.data + ke.len == b + len);
	if (v2_parse_id(b, len, &id) == V2_OK)
		assert_true(id.data + id.len == b + len);
	if (v2_parse_auth(b, len, &au) == V2_OK)
		assert_true(au.data + au.len == b + len);
	(void)v2_parse_nonce(b, len);
	if (v2_parse_notify(b, len, &n) == V2_OK)
		assert_true(n.data + n.len == b + len);
	if (v2_parse_delete(b, len, &d) == V2_OK)
		assert_true(d.spis + (size_t)d.n * d.spi_size == b + len);
	(void)v2_parse_ts(b, len, &ts);
	if (v2_parse_cert(b, len, &ce) == V2_OK)
		assert_true(ce.data + ce.len == b + len);
	if (v2_parse_cp(b, len, &cp) == V2_OK)
		for (uint8_t i = 0; i < cp.n; i++)
			assert_true(cp.attr[i].data + cp.attr[i].len <= b + len);
	if (v2_parse_eap(b, len, &e) == V2_OK && e.data)
		assert_true(e.data + e.len == b + len);
	if (v2_parse_skf(b, len, &f) == V2_OK)
		assert_true(f.data + f.len == b + len);
}

/* Copies the body to an exactly sized heap block first, so ASan flags any read past the body itself. */
static void parse_body(const uint8_t *src, size_t len)
{
	/* ASan leaves malloc(0) readable, so an empty body is placed one past the end of a 1-byte block. */
	uint8_t *blk = malloc(len ? len : 1);
	assert_non_null(blk);
	if (len)
		memcpy(blk, src, len);
	parse_body_at(len ? blk : blk + 1, len);
	free(blk);
}

/* The whole decode path a received datagram would take. */
static void decode(const uint8_t *m, size_t len)
{
	static v2_chain c;
	v2_header h;
	memset(&h, 0, sizeof(h));
	c.n = 0;
	uint8_t bad = 0;
	v2_status hs = v2_parse_header(m, len, &h);
	size_t body_len = hs == V2_OK ? h.length - V2_HDR_LEN : (len >= V2_HDR_LEN ? len - V2_HDR_LEN : 0);
	uint8_t first = len > 16 ? m[16] : 0;
	if (len >= V2_HDR_LEN)
		(void)v2_parse_chain(first, m + V2_HDR_LEN, body_len, V2_HDR_LEN, &c, &bad);
	assert_true(c.n <= V2_MAX_PAYLOADS);
	for (uint8_t i = 0; i < c.n; i++) {
		const v2_payload *p = &c.pl[i];
		assert_true(p->body >= m && p->body + p->len <= m + len);
		assert_int_equal(p->body - m, p->offset + V2_GENERIC_HDR_LEN);
		parse_body(p->body, p->len);
	}
	(void)v2_chain_find_notify(&c, V2_N_COOKIE);
	char s[160], tiny[9];
	size_t n = v2_summary(&h, &c, (c.n & 1) ? &c : NULL, s, sizeof(s));
	assert_int_equal(n, strlen(s));
	n = v2_summary(&h, &c, &c, tiny, sizeof(tiny));
	assert_int_equal(n, strlen(tiny));
}

static void fuzz_decoder(void **state)
{
	(void)state;
	static seed seeds[N_SEEDS];
	seeds[0].len = seed_sa_init(seeds[0].b);
	seeds[1].len = seed_all_payloads(seeds[1].b);
	seeds[2].len = seed_sk(seeds[2].b, false);
	seeds[3].len = seed_sk(seeds[3].b, true);
	for (size_t i = 0; i < N_SEEDS; i++) {
		assert_true(seeds[i].len > V2_HDR_LEN);
		decode(seeds[i].b, seeds[i].len);
	}
	uint64_t r = 0x9e3779b97f4a7c15ULL;
	uint8_t work[SEED_CAP];
	size_t accepted = 0;
	for (size_t it = 0; it < FUZZ_ITERATIONS; it++) {
		const seed *sd = &seeds[it % N_SEEDS];
		memcpy(work, sd->b, sd->len);
		size_t len = mutate(&r, work, sd->len, seeds);
		/* An exactly sized heap copy, so ASan sees any read past the datagram. */
		uint8_t *m = malloc(len ? len : 1);
		assert_non_null(m);
		memcpy(m, work, len);
		decode(m, len);
		v2_header h;
		accepted += v2_parse_header(m, len, &h) == V2_OK;
		free(m);
	}
	assert_true(accepted > 0);
}

size_t tests_wire_fuzz(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(fuzz_decoder),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
