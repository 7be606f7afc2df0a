/* RFC 7383 fragmentation: the SKF wire format, splitting and reassembly with real ciphers, limits, policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikev2/fragment.h"
#include "test_list.h.in"

/* ---- fixtures: one key set per cipher family, fixed key bytes, real OpenSSL ciphers ---- */

enum { K_GCM, K_CBC, K_CHACHA, K_N };

typedef struct frag_fx {
	ike_crypto *c;
	ike_drbg rng;
	ike_sk_keys k[K_N];
	uint8_t ekey[K_N][64], akey[32];
	uint8_t inner[80000];
} frag_fx;

static int fx_setup(void **state)
{
	frag_fx *f = calloc(1, sizeof(*f));
	if (!f || !(f->c = ike_crypto_new()))
		return -1;
	ike_drbg_init(&f->rng, "frag-test-seed", 14, "frag", 4);
	for (size_t i = 0; i < K_N; i++)
		ike_drbg_bytes(&f->rng, f->ekey[i], sizeof(f->ekey[i]));
	ike_drbg_bytes(&f->rng, f->akey, sizeof(f->akey));
	ike_drbg_bytes(&f->rng, f->inner, sizeof(f->inner));
	f->k[K_GCM] = (ike_sk_keys){ ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128), NULL, f->ekey[K_GCM], NULL };
	f->k[K_CBC] = (ike_sk_keys){ ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_CBC, 256),
				     ike_alg_find(IKE_TT_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0), f->ekey[K_CBC], f->akey };
	f->k[K_CHACHA] = (ike_sk_keys){ ike_alg_find(IKE_TT_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0), NULL,
					f->ekey[K_CHACHA], NULL };
	for (size_t i = 0; i < K_N; i++)
		if (!f->k[i].encr || ike_sk_body_len(&f->k[i], 1) == 0)
			return -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	frag_fx *f = *state;
	ike_crypto_free(f->c);
	free(f);
	return 0;
}

static v2_header hdr(uint8_t exchange, uint32_t msgid)
{
	v2_header h = { .spi_i = 0x0102030405060708ull, .spi_r = 0x1112131415161718ull, .major = 2,
			.exchange = exchange, .flags = V2_F_INITIATOR, .msg_id = msgid };
	return h;
}

/* Splits with key set ki; asserts success. */
static void split(frag_fx *f, int ki, const v2_header *h, size_t len, size_t max, v2_train *t)
{
	v2_frag_sealer s = { f->c, &f->k[ki], &f->rng };
	const char *why = NULL;
	assert_int_equal(v2_frag_split(&s, h, f->inner, len, V2_PL_IDI, max, t, &why), 0);
	assert_null(why);
}

/* The i-th message of a train (0-based). */
static void nth(const v2_train *t, size_t i, const uint8_t **m, size_t *len)
{
	size_t pos = 0;
	for (size_t j = 0; j <= i; j++)
		assert_true(v2_train_next(t, &pos, m, len));
}

/* Parses one fragment message and feeds it to the reassembly. */
static v2_frag_rc feed(frag_fx *f, int ki, v2_reasm **slot, const uint8_t *m, size_t len, v2_frag_result *r)
{
	v2_header h;
	v2_chain ch;
	uint8_t bad;
	assert_int_equal(v2_parse_header(m, len, &h), V2_OK);
	assert_int_equal(v2_parse_chain(h.next_payload, m + V2_HDR_LEN, h.length - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad),
			 V2_OK);
	assert_int_equal(ch.n, 1);
	return v2_reasm_add(slot, f->c, &f->k[ki], m, &h, &ch.pl[0], r);
}

static void done_free(v2_frag_result *r)
{
	free(r->plain);
	r->plain = NULL;
}

/* ---- wire ---- */

static void frag_skf_parse_every_field_and_bound(void **state)
{
	(void)state;
	v2_skf s;
	uint8_t b[8] = { 0x00, 0x02, 0x00, 0x05, 0xaa, 0xbb, 0xcc, 0xdd };
	assert_int_equal(v2_parse_skf(b, sizeof(b), &s), V2_OK);
	assert_int_equal(s.frag_num, 2);
	assert_int_equal(s.total, 5);
	assert_ptr_equal(s.data, b + 4);
	assert_int_equal(s.len, 4);
	assert_int_equal(v2_parse_skf(b, 4, &s), V2_OK); /* no IV yet: the cipher refuses it, not the parser */
	assert_int_equal(s.len, 0);
	assert_int_equal(v2_parse_skf(b, 3, &s), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_skf(NULL, 8, &s), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_skf(b, 8, NULL), V2_INVALID_SYNTAX);
	uint8_t zero_num[4] = { 0, 0, 0, 1 }, zero_total[4] = { 0, 1, 0, 0 }, above[4] = { 0, 3, 0, 2 },
		last[4] = { 0xff, 0xff, 0xff, 0xff };
	assert_int_equal(v2_parse_skf(zero_num, 4, &s), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_skf(zero_total, 4, &s), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_skf(above, 4, &s), V2_INVALID_SYNTAX);
	assert_int_equal(v2_parse_skf(last, 4, &s), V2_OK);
	assert_int_equal(s.frag_num, 65535);
}

static void frag_skf_build_header_and_summary(void **state)
{
	(void)state;
	uint8_t buf[256];
	v2_header h = hdr(V2_IKE_AUTH, 1), back;
	for (uint16_t num = 1; num <= 2; num++) {
		v2_builder b;
		v2_begin(&b, buf, sizeof(buf), &h);
		size_t aad = v2_add_skf_header(&b, V2_PL_IDI, num, 3, 20);
		assert_int_equal(aad, V2_FRAG_OVERHEAD);
		memset(buf + aad, 0x5a, 20);
		assert_int_equal(v2_finish(&b, 20), V2_FRAG_OVERHEAD + 20);
		assert_int_equal(v2_parse_header(buf, V2_FRAG_OVERHEAD + 20, &back), V2_OK);
		assert_int_equal(back.next_payload, V2_PL_SKF);
		v2_chain ch;
		uint8_t bad;
		assert_int_equal(v2_parse_chain(back.next_payload, buf + V2_HDR_LEN, 28, V2_HDR_LEN, &ch, &bad), V2_OK);
		assert_int_equal(ch.n, 1);
		assert_int_equal(ch.sk_inner_first, num == 1 ? V2_PL_IDI : 0); /* 2.5: only fragment 1 names it */
		assert_int_equal(ch.pl[0].len, 24);
		char sum[128];
		v2_summary(&back, &ch, NULL, sum, sizeof(sum));
		assert_string_equal(sum, num == 1 ? "IKE_AUTH request 1 [ EF(1/3) ]" : "IKE_AUTH request 1 [ EF(2/3) ]");
	}
	/* numbers outside 1 <= num <= total, a body too long for 16 bits, a payload after it: errors */
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	assert_int_equal(v2_add_skf_header(&b, 0, 0, 3, 1), 0);
	assert_true(b.w.err);
	v2_begin(&b, buf, sizeof(buf), &h);
	assert_int_equal(v2_add_skf_header(&b, 0, 4, 3, 1), 0);
	v2_begin(&b, buf, sizeof(buf), &h);
	assert_int_equal(v2_add_skf_header(&b, 0, 1, 1, 65535), 0);
	v2_begin(&b, buf, sizeof(buf), &h);
	assert_int_not_equal(v2_add_skf_header(&b, 0, 1, 1, 4), 0);
	v2_add_nonce(&b, buf, 16);
	assert_true(b.w.err);
	v2_begin(&b, buf, 30, &h); /* no room for the 8 bytes */
	assert_int_equal(v2_add_skf_header(&b, 0, 1, 1, 4), 0);
}

/* ---- splitting and reassembly ---- */

static void frag_chunk_is_the_largest_that_fits(void **state)
{
	frag_fx *f = *state;
	static const size_t sizes[] = { 128, 200, 548, 1232, 1452 };
	for (int ki = 0; ki < K_N; ki++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t c = v2_frag_chunk(&f->k[ki], sizes[i]);
			assert_true(c > 0);
			assert_true(V2_FRAG_OVERHEAD + ike_sk_body_len(&f->k[ki], c) <= sizes[i]);
			assert_true(V2_FRAG_OVERHEAD + ike_sk_body_len(&f->k[ki], c + 1) > sizes[i]);
		}
	assert_int_equal(v2_frag_chunk(&f->k[K_GCM], V2_FRAG_OVERHEAD + 8 + 16), 0);
	assert_int_equal(v2_frag_chunk(&f->k[K_GCM], 10), 0);
	assert_int_equal(v2_frag_chunk(NULL, 1232), 0);
}

static void frag_split_reassemble_round_trips(void **state)
{
	frag_fx *f = *state;
	static const size_t lens[] = { 0, 1, 67, 1000, 3000, 8192 };
	static const size_t maxes[] = { 128, 576, 1232 };
	for (int ki = 0; ki < K_N; ki++)
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++)
			for (size_t mi = 0; mi < sizeof(maxes) / sizeof(maxes[0]); mi++) {
				size_t len = lens[li], max = maxes[mi], chunk = v2_frag_chunk(&f->k[ki], max);
				size_t want = len ? (len + chunk - 1) / chunk : 1;
				if (want > V2_FRAG_MAX_FRAGMENTS)
					continue; /* refused: see split_refuses */
				v2_header h = hdr(V2_IKE_AUTH, 1);
				v2_train t;
				split(f, ki, &h, len, max, &t);
				assert_int_equal(t.n, want);
				v2_reasm *slot = NULL;
				v2_frag_result r;
				/* every message fits, keeps the header, and is fed last to first */
				for (size_t i = t.n; i-- > 0;) {
					const uint8_t *m;
					size_t mlen;
					nth(&t, i, &m, &mlen);
					assert_true(mlen <= max);
					v2_header back;
					assert_int_equal(v2_parse_header(m, mlen, &back), V2_OK);
					assert_int_equal(back.length, mlen);
					assert_true(back.spi_i == h.spi_i && back.spi_r == h.spi_r);
					assert_int_equal(back.msg_id, 1);
					assert_int_equal(back.exchange, V2_IKE_AUTH);
					assert_int_equal(back.flags, V2_F_INITIATOR);
					assert_int_equal(m[V2_HDR_LEN], i == 0 ? V2_PL_IDI : 0);
					v2_frag_rc rc = feed(f, ki, &slot, m, mlen, &r);
					assert_int_equal(rc, i == 0 ? V2_FRAG_DONE : V2_FRAG_STORED);
					assert_int_equal(r.frag_num, i + 1);
					assert_true(r.opened > 0);
				}
				assert_null(slot);
				assert_int_equal(r.len, len);
				assert_int_equal(r.first, V2_PL_IDI);
				assert_int_equal(r.fragments, want);
				if (len)
					assert_memory_equal(r.plain, f->inner, len);
				done_free(&r);
				v2_train_free(&t);
			}
}

static void frag_duplicates_tampering_and_wrong_keys_dropped(void **state)
{
	frag_fx *f = *state;
	v2_header h = hdr(V2_IKE_AUTH, 1);
	v2_train t;
	split(f, K_CBC, &h, 3000, 1232, &t);
	assert_int_equal(t.n, 3);
	const uint8_t *m;
	size_t len;
	uint8_t bad[1300];
	v2_reasm *slot = NULL;
	v2_frag_result r;
	/* a forged first fragment leaves nothing behind */
	nth(&t, 1, &m, &len);
	memcpy(bad, m, len);
	bad[len - 1] ^= 1;
	assert_int_equal(feed(f, K_CBC, &slot, bad, len, &r), V2_FRAG_DROPPED);
	assert_string_equal(r.why, "fragment integrity check failed");
	assert_null(slot);
	assert_int_equal(feed(f, K_CBC, &slot, m, len, &r), V2_FRAG_STORED);
	assert_int_equal(feed(f, K_CBC, &slot, m, len, &r), V2_FRAG_DROPPED);
	assert_true(r.duplicate);
	assert_string_equal(r.why, "duplicate fragment");
	assert_int_equal(r.opened, 0); /* 2.6: replays are found before any decryption */
	/* a flipped ciphertext byte, the other direction's keys: dropped, the set goes on */
	nth(&t, 0, &m, &len);
	memcpy(bad, m, len);
	bad[V2_FRAG_OVERHEAD + 20] ^= 0x80;
	assert_int_equal(feed(f, K_CBC, &slot, bad, len, &r), V2_FRAG_DROPPED);
	assert_false(r.duplicate);
	assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), V2_FRAG_DROPPED);
	assert_non_null(slot);
	uint32_t id = 0;
	assert_true(v2_reasm_msgid(slot, &id));
	assert_int_equal(id, 1);
	assert_int_equal(feed(f, K_CBC, &slot, m, len, &r), V2_FRAG_STORED);
	nth(&t, 2, &m, &len);
	assert_int_equal(feed(f, K_CBC, &slot, m, len, &r), V2_FRAG_DONE);
	assert_int_equal(r.len, 3000);
	assert_memory_equal(r.plain, f->inner, 3000);
	done_free(&r);
	assert_false(v2_reasm_msgid(slot, &id));
	v2_train_free(&t);
}

static void frag_higher_total_restarts_lower_is_dropped(void **state)
{
	frag_fx *f = *state;
	v2_header h = hdr(V2_IKE_AUTH, 1);
	v2_train big, small;
	split(f, K_GCM, &h, 3000, 1232, &big);   /* 3 fragments */
	split(f, K_GCM, &h, 3000, 576, &small);  /* a later, finer set (PMTU probing, 2.5.2) */
	assert_int_equal(big.n, 3);
	assert_true(small.n > 3);
	const uint8_t *m;
	size_t len;
	v2_reasm *slot = NULL;
	v2_frag_result r;
	nth(&big, 0, &m, &len);
	assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), V2_FRAG_STORED);
	nth(&big, 1, &m, &len);
	assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), V2_FRAG_STORED);
	for (size_t i = 0; i < small.n; i++) {
		nth(&small, i, &m, &len);
		assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), i + 1 < small.n ? V2_FRAG_STORED : V2_FRAG_DONE);
		if (i == 0) {
			/* the old set is gone: its last fragment no longer completes anything */
			const uint8_t *old;
			size_t olen;
			nth(&big, 2, &old, &olen);
			assert_int_equal(feed(f, K_GCM, &slot, old, olen, &r), V2_FRAG_DROPPED);
			assert_string_equal(r.why, "Total Fragments below that of the fragments already stored");
		}
	}
	assert_int_equal(r.len, 3000);
	assert_memory_equal(r.plain, f->inner, 3000);
	done_free(&r);
	v2_train_free(&big);
	v2_train_free(&small);
}

static void frag_new_message_id_and_exchange_mismatch(void **state)
{
	frag_fx *f = *state;
	v2_header h1 = hdr(V2_IKE_AUTH, 1), h2 = hdr(V2_IKE_AUTH, 2), hx = hdr(V2_INFORMATIONAL, 2);
	v2_train a, b, x;
	split(f, K_CHACHA, &h1, 2000, 1232, &a);
	split(f, K_CHACHA, &h2, 2000, 1232, &b);
	split(f, K_CHACHA, &hx, 2000, 1232, &x);
	const uint8_t *m;
	size_t len;
	v2_reasm *slot = NULL;
	v2_frag_result r;
	nth(&a, 0, &m, &len);
	assert_int_equal(feed(f, K_CHACHA, &slot, m, len, &r), V2_FRAG_STORED);
	/* the caller accepted message ID 2 as current: message 1's fragments are discarded */
	nth(&b, 0, &m, &len);
	assert_int_equal(feed(f, K_CHACHA, &slot, m, len, &r), V2_FRAG_STORED);
	uint32_t id;
	assert_true(v2_reasm_msgid(slot, &id));
	assert_int_equal(id, 2);
	nth(&x, 1, &m, &len);
	assert_int_equal(feed(f, K_CHACHA, &slot, m, len, &r), V2_FRAG_DROPPED);
	assert_string_equal(r.why, "exchange type differs from the fragments already stored");
	nth(&b, 1, &m, &len);
	assert_int_equal(feed(f, K_CHACHA, &slot, m, len, &r), V2_FRAG_DONE);
	assert_memory_equal(r.plain, f->inner, 2000);
	done_free(&r);
	/* a context abandoned half way is freed by its owner */
	nth(&a, 1, &m, &len);
	assert_int_equal(feed(f, K_CHACHA, &slot, m, len, &r), V2_FRAG_STORED);
	v2_reasm_free(&slot);
	assert_null(slot);
	v2_reasm_free(&slot);
	v2_train_free(&a);
	v2_train_free(&b);
	v2_train_free(&x);
}

/* Seals one hand-made fragment num/total around pt into out; returns its length. */
static size_t craft(frag_fx *f, const v2_header *h, uint16_t num, uint16_t total, size_t ptlen, uint8_t *out,
		    size_t cap)
{
	v2_builder b;
	size_t body = ike_sk_body_len(&f->k[K_GCM], ptlen), w = 0;
	v2_begin(&b, out, cap, h);
	size_t aad = v2_add_skf_header(&b, V2_PL_IDI, num, total, body);
	size_t len = v2_finish(&b, body);
	assert_true(aad && len);
	assert_int_equal(ike_sk_seal(f->c, &f->k[K_GCM], &f->rng, out, aad, f->inner, ptlen, cap, &w), 0);
	return len;
}

static void frag_limits_fragments_and_bytes(void **state)
{
	frag_fx *f = *state;
	v2_header h = hdr(V2_IKE_AUTH, 1);
	uint8_t *m = malloc(65535);
	assert_non_null(m);
	v2_reasm *slot = NULL;
	v2_frag_result r;
	size_t len = craft(f, &h, 1, 65, 100, m, 65535);
	assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), V2_FRAG_DROPPED);
	assert_string_equal(r.why, "more than 64 fragments");
	assert_null(slot);
	len = craft(f, &h, 64, 64, 100, m, 65535);
	assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), V2_FRAG_STORED);
	/* 100 + 65400 bytes decrypted: over 64 KiB, everything is discarded */
	len = craft(f, &h, 2, 64, 65437, m, 65535);
	assert_int_equal(feed(f, K_GCM, &slot, m, len, &r), V2_FRAG_DROPPED);
	assert_string_equal(r.why, "reassembled message over 65536 bytes");
	assert_null(slot);
	/* the sender refuses what the receiver would: more than 64 fragments, or no room at all */
	v2_frag_sealer s = { f->c, &f->k[K_GCM], &f->rng };
	v2_train t;
	const char *why = NULL;
	assert_int_equal(v2_frag_split(&s, &h, f->inner, 8000, V2_PL_IDI, 128, &t, &why), -1);
	assert_string_equal(why, "the message needs more than 64 fragments");
	assert_null(t.buf);
	assert_int_equal(v2_frag_split(&s, &h, f->inner, 100, V2_PL_IDI, 60, &t, &why), -1);
	assert_string_equal(why, "fragment size too small for these algorithms");
	/* a large fragment size gives few big fragments (lengths kept in 2 bytes) */
	split(f, K_GCM, &h, 80000, 70000, &t);
	assert_int_equal(t.n, 2);
	const uint8_t *p;
	size_t plen;
	nth(&t, 0, &p, &plen);
	assert_true(plen <= 65535);
	v2_train_free(&t);
	v2_train_free(&t);
	free(m);
}

static void frag_trains_and_malformed_input(void **state)
{
	frag_fx *f = *state;
	v2_train t;
	uint8_t msg[40] = { 1, 2, 3 };
	assert_int_equal(v2_train_single(msg, sizeof(msg), &t), 0);
	size_t pos = 0, len;
	const uint8_t *m;
	assert_true(v2_train_next(&t, &pos, &m, &len));
	assert_int_equal(len, 40);
	assert_memory_equal(m, msg, 40);
	assert_false(v2_train_next(&t, &pos, &m, &len));
	t.len = 20; /* a length that points past the end */
	pos = 0;
	assert_false(v2_train_next(&t, &pos, &m, &len));
	v2_train_free(&t);
	assert_int_equal(v2_train_single(NULL, 4, &t), -1);
	assert_int_equal(v2_train_single(msg, 70000, &t), -1);
	/* the reassembly refuses what is not an SKF payload or whose numbers are wrong */
	v2_reasm *slot = NULL;
	v2_frag_result r;
	v2_header h = hdr(V2_IKE_AUTH, 1);
	uint8_t body[8] = { 0, 2, 0, 1 };
	v2_payload pl = { V2_PL_SK, false, V2_HDR_LEN, body, sizeof(body) };
	assert_int_equal(v2_reasm_add(&slot, f->c, &f->k[K_GCM], msg, &h, &pl, &r), V2_FRAG_DROPPED);
	assert_string_equal(r.why, "malformed Encrypted Fragment payload");
	pl.type = V2_PL_SKF;
	assert_int_equal(v2_reasm_add(&slot, f->c, &f->k[K_GCM], msg, &h, &pl, &r), V2_FRAG_DROPPED);
	body[1] = 1; /* 1 of 1 but no IV or ICV: undecryptable */
	assert_int_equal(v2_reasm_add(&slot, f->c, &f->k[K_GCM], msg, &h, &pl, &r), V2_FRAG_DROPPED);
	assert_string_equal(r.why, "undecryptable fragment");
	assert_null(slot);
}

/* ---- negotiation and policy ---- */

static void frag_policy_and_negotiation(void **state)
{
	(void)state;
	assert_false(v2_frag_wanted(IKE_FRAG_YES, false, V2_IKE_AUTH, 5000, 1232)); /* 2.4: both must announce */
	assert_false(v2_frag_wanted(IKE_FRAG_FORCE, true, V2_IKE_SA_INIT, 5000, 1232)); /* 2.2 */
	assert_true(v2_frag_wanted(IKE_FRAG_YES, true, V2_IKE_AUTH, 1233, 1232));
	assert_false(v2_frag_wanted(IKE_FRAG_YES, true, V2_IKE_AUTH, 1232, 1232));
	assert_true(v2_frag_wanted(IKE_FRAG_FORCE, true, V2_INFORMATIONAL, 80, 1232));
	assert_false(v2_frag_wanted(IKE_FRAG_ACCEPT, true, V2_IKE_AUTH, 5000, 1232));
	assert_false(v2_frag_wanted(IKE_FRAG_NO, true, V2_IKE_AUTH, 5000, 1232));
	ike_conn_cfg c = { 0 };
	assert_false(v2_frag_announce(&c)); /* IKE_FRAG_NO is 0 */
	c.fragmentation = IKE_FRAG_ACCEPT;
	assert_true(v2_frag_announce(&c));
	assert_int_equal(v2_frag_size(&c), 1232);
	c.fragment_size = 548;
	assert_int_equal(v2_frag_size(&c), 548);
	/* the notify round-trips through an IKE_SA_INIT chain */
	uint8_t buf[64], nonce[16] = { 7 };
	v2_builder b;
	v2_begin_chain(&b, buf, sizeof(buf));
	v2_add_nonce(&b, nonce, sizeof(nonce));
	v2_frag_add_supported(&b);
	assert_false(b.w.err);
	assert_int_equal(b.w.len, 20 + 8);
	v2_chain ch;
	uint8_t bad;
	assert_int_equal(v2_parse_chain(b.first, buf, b.w.len, 0, &ch, &bad), V2_OK);
	assert_true(v2_frag_peer_supports(&ch));
	ch.n = 1;
	assert_false(v2_frag_peer_supports(&ch));
	assert_false(v2_frag_peer_supports(NULL));
}

size_t tests_frag(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(frag_skf_parse_every_field_and_bound),
		cmocka_unit_test(frag_skf_build_header_and_summary),
		cmocka_unit_test_setup_teardown(frag_chunk_is_the_largest_that_fits, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(frag_split_reassemble_round_trips, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(frag_duplicates_tampering_and_wrong_keys_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(frag_higher_total_restarts_lower_is_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(frag_new_message_id_and_exchange_mismatch, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(frag_limits_fragments_and_bytes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(frag_trains_and_malformed_input, fx_setup, fx_teardown),
		cmocka_unit_test(frag_policy_and_negotiation),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
