/*
 * Hostile input to a responder: 100,000 mutated and truncated IKEv2 messages. Half are raw mutations
 * of real captured messages; half are IKE_AUTH requests whose decrypted payloads are mutated and then
 * sealed with the responder's real keys, so the handlers behind decryption see them too.
 * ASan/UBSan catch any bad access or leak; the test checks the responder keeps working afterwards.
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
#include "crypto/sk.h"
#include "hexutil.h"
#include "pair.h"
#include "fuzzrand.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define RAW_ITERATIONS 70000
#define SEALED_ITERATIONS 30000
#define V2_MAX_MSG_TEST 8192
#define MS (1000LL * 1000)

typedef struct capture {
	uint8_t msg[4][V2_MAX_MSG_TEST];
	size_t len[4];
	size_t n;
} capture;


/* Keys the responder derived, read back from its kdf trace events. */
typedef struct victim {
	uint64_t spi_r;
	uint8_t sk_ei[64];
	size_t sk_ei_len;
	size_t sends;
} victim;

static void v_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)from, (void)to, (void)d, (void)n;
	((victim *)ctx)->sends++;
}

static void v_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	(void)now;
	victim *v = ctx;
	if (strcmp(ev, "kdf") || !strstr(fields, "\"name\":\"SK_ei\""))
		return;
	const char *r = strstr(fields, "\"responder-spi\":\""), *val = strstr(fields, "\"value\":\"");
	if (!r || !val)
		return;
	v->spi_r = strtoull(r + 17, NULL, 16);
	char hex[160];
	size_t n = strcspn(val + 9, "\"");
	if (n >= sizeof(hex))
		return;
	memcpy(hex, val + 9, n);
	hex[n] = '\0';
	v->sk_ei_len = unhex(hex, v->sk_ei, sizeof(v->sk_ei));
}

static bool grab(pair *pr, int side, size_t n, const uint8_t *d, size_t len)
{
	(void)side, (void)n;
	capture *c = pr->user;
	if (c->n < 4 && len <= sizeof(c->msg[0])) {
		memcpy(c->msg[c->n], d, len);
		c->len[c->n++] = len;
	}
	return true;
}

static size_t mutate(uint64_t *rs, uint8_t *b, size_t len, size_t cap)
{
	switch (fuzz_below(rs, 6)) {
	case 0: /* flip a few bits */
		for (size_t k = 1 + fuzz_below(rs, 4); k && len; k--)
			b[fuzz_below(rs, len)] ^= (uint8_t)(1u << fuzz_below(rs, 8));
		return len;
	case 1: /* truncate */
		return fuzz_below(rs, len + 1);
	case 2: /* extreme byte values, favouring length fields */
		for (size_t k = 1 + fuzz_below(rs, 3); k && len; k--)
			b[fuzz_below(rs, len)] = fuzz_below(rs, 2) ? 0xff : 0x00;
		return len;
	case 3: { /* grow with junk */
		size_t add = fuzz_below(rs, 64);
		for (size_t i = 0; i < add && len < cap; i++)
			b[len++] = (uint8_t)fuzz_rnd(rs);
		return len;
	}
	case 4: /* overwrite a 16-bit field with a random value */
		if (len >= 2) {
			size_t at = fuzz_below(rs, len - 1);
			uint16_t v = (uint16_t)fuzz_rnd(rs);
			ike_put_u16(b + at, v);
		}
		return len;
	default: /* random bytes in the middle */
		for (size_t k = 1 + fuzz_below(rs, 8); k && len; k--)
			b[fuzz_below(rs, len)] = (uint8_t)fuzz_rnd(rs);
		return len;
	}
}

/* Builds an IKE_AUTH request sealed with the victim's SK_ei around the given inner bytes. */
static size_t seal_auth(const ike_crypto *c, ike_drbg *rng, uint64_t spi_i, const victim *v, uint8_t first,
			const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap)
{
	const ike_alg *gcm = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	ike_sk_keys k = { gcm, NULL, v->sk_ei, NULL };
	size_t body = ike_sk_body_len(&k, inner_len), written = 0;
	v2_header h = { .spi_i = spi_i, .spi_r = v->spi_r, .major = 2, .exchange = V2_IKE_AUTH,
			.flags = V2_F_INITIATOR, .msg_id = 1 };
	v2_builder b;
	v2_begin(&b, out, cap, &h);
	size_t aad = v2_add_sk_header(&b, first, body);
	size_t total = v2_finish(&b, body);
	if (!aad || !total || ike_sk_seal(c, &k, rng, out, aad, inner, inner_len, cap, &written) != 0)
		return 0;
	return total;
}

static void responder_survives_mutated_messages(void **state)
{
	(void)state;
	capture *cap = calloc(1, sizeof(*cap));
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.user = cap;
	pr.filter = grab;
	pr.record_trace = false;
	pair_start(&pr, 99);
	pair_run(&pr, 10 * 1000 * MS);
	assert_int_equal(cap->n, 4); /* INIT req, INIT resp, AUTH req, AUTH resp */

	victim v = { 0 };
	ike_host host = { .ctx = &v, .send = v_send, .trace = v_trace };
	uint8_t seed[8] = { 5 };
	ike_peer_cfg pc = { .name = "victim", .crypto = pr.crypto, .seed = seed, .seed_len = 8,
			    .conns = &pr.conn[1], .n_conns = 1, .reveal_keys = true };
	ike_peer *resp = ike_peer_new(&pc, &host);
	const ike_addr *from = &pr.conn[0].local, *to = &pr.conn[1].local;
	uint8_t *buf = malloc(V2_MAX_MSG_TEST), *inner = malloc(V2_MAX_MSG_TEST);
	uint64_t rs = 0x9e3779b97f4a7c15ULL;
	ike_time now = 0;
	ike_drbg rng;
	ike_drbg_init(&rng, "fuzz", 4, NULL, 0);
	uint64_t spi_i = ike_get_u64(cap->msg[0]);

	for (size_t it = 0; it < RAW_ITERATIONS; it++) {
		size_t src = fuzz_below(&rs, 4);
		size_t len = cap->len[src];
		memcpy(buf, cap->msg[src], len);
		len = mutate(&rs, buf, len, V2_MAX_MSG_TEST);
		if (fuzz_below(&rs, 4) == 0)
			len = mutate(&rs, buf, len, V2_MAX_MSG_TEST);
		ike_peer_input(resp, now, from, to, buf, len);
		now += 2 * MS;
		if (ike_peer_next_deadline(resp) <= now)
			ike_peer_expire(resp, now);
	}

	uint8_t good_inner[1024];
	size_t good_len = 0;
	uint8_t good_first = 0;
	{
		/* Rebuild the initiator's IKE_AUTH inner chain as it would send it: IDi N IDr AUTH SA TSi TSr. */
		v2_builder b;
		v2_begin_chain(&b, good_inner, sizeof(good_inner));
		const ike_conn_cfg *c = &pr.conn[0];
		v2_add_id(&b, V2_PL_IDI, c->local_id.type, c->local_id.data, c->local_id.len);
		v2_add_notify(&b, 0, NULL, 0, V2_N_INITIAL_CONTACT, NULL, 0);
		v2_add_id(&b, V2_PL_IDR, c->remote_id.type, c->remote_id.data, c->remote_id.len);
		uint8_t fake_auth[32] = { 0 };
		v2_add_auth(&b, V2_AUTH_SHARED_KEY_MIC, fake_auth, sizeof(fake_auth));
		v2_sa sa;
		memset(&sa, 0, sizeof(sa));
		sa.n = 1;
		sa.prop[0] = (v2_proposal){ .num = 1, .protocol = 3, .spi_size = 4, .spi = { 1, 2, 3, 4 }, .n = 2 };
		sa.prop[0].t[0] = (v2_transform){ 1, IKE_ENCR_AES_GCM_16, 128 };
		sa.prop[0].t[1] = (v2_transform){ 5, 0, 0 };
		v2_add_sa(&b, &sa);
		v2_ts_list ts = { .n = 1 };
		ts.ts[0] = (v2_ts){ .type = 7, .end_port = 65535, .start = { 10, 1 }, .end = { 10, 1, 255, 255 } };
		v2_add_ts(&b, V2_PL_TSI, &ts);
		ts.ts[0] = (v2_ts){ .type = 7, .end_port = 65535, .start = { 10, 2 }, .end = { 10, 2, 255, 255 } };
		v2_add_ts(&b, V2_PL_TSR, &ts);
		assert_false(b.w.err);
		good_len = b.w.len;
		good_first = b.first;
	}
	size_t reached_handler = 0;
	for (size_t it = 0; it < SEALED_ITERATIONS; it++) {
		{
			/* a fresh half-open SA whose keys the trace reveals, so each message meets a clean state */
			uint8_t init[V2_MAX_MSG_TEST];
			memcpy(init, cap->msg[0], cap->len[0]);
			ike_put_u64(init, fuzz_rnd(&rs) | 1); /* a fresh SPIi each time */
			spi_i = ike_get_u64(init);
			v.sk_ei_len = 0;
			ike_peer_input(resp, now, from, to, init, cap->len[0]);
			assert_true(v.sk_ei_len == 20);
		}
		memcpy(inner, good_inner, good_len);
		size_t ilen = mutate(&rs, inner, good_len, 1024);
		uint8_t first = fuzz_below(&rs, 8) ? good_first : (uint8_t)fuzz_rnd(&rs);
		size_t n = seal_auth(pr.crypto, &rng, spi_i, &v, first, inner, ilen, buf, V2_MAX_MSG_TEST);
		assert_true(n > 0);
		size_t before = v.sends;
		ike_peer_input(resp, now, from, to, buf, n);
		reached_handler += v.sends > before;
		now += 2 * MS;
		if (ike_peer_next_deadline(resp) <= now)
			ike_peer_expire(resp, now);
	}
	/* Every sealed message was decrypted and answered (AUTHENTICATION_FAILED, INVALID_SYNTAX, ...). */
	assert_true(reached_handler > SEALED_ITERATIONS / 2);
	/* Half-open SAs time out: after 60 virtual seconds of silence nothing is left. */
	ike_peer_expire(resp, now + 60 * 1000 * MS);
	assert_int_equal(ike_peer_sa_count(resp), 0);
	ike_peer_free(resp);
	free(buf);
	free(inner);
	free(cap);
	pair_free(&pr);
}

size_t tests_engine_fuzz(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(responder_survives_mutated_messages),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
