/* engine/esp anti-replay window: RFC 4303 3.4.3 edges, Appendix A ESN inference, a reference model, check order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "crypto/registry.h"
#include "esp/esp.h"
#include "esp/replay.h"
#include "esppair.h"
#include "test_list.h.in"

/* Accepts seq the way a receiver does: check, then (ICV assumed good) update. */
static esp_status take(esp_replay *w, uint64_t seq)
{
	esp_status st = esp_replay_check(w, seq);
	if (st == ESP_OK)
		esp_replay_update(w, seq);
	return st;
}

static void replay_window_edges(void **state)
{
	(void)state;
	uint64_t bits[ESP_REPLAY_WINDOW_MAX / 64];
	esp_replay w;
	esp_replay_init(&w, bits, 64, false, 1);
	assert_int_equal(take(&w, 0), ESP_E_REPLAY); /* sequence numbers start at 1 */
	assert_int_equal(take(&w, 1), ESP_OK);
	assert_int_equal(take(&w, 1), ESP_E_REPLAY);
	assert_int_equal(take(&w, 100), ESP_OK);
	assert_int_equal(take(&w, 37), ESP_OK);      /* 100 - 63: the window's left edge */
	assert_int_equal(take(&w, 36), ESP_E_OLD);   /* just outside */
	assert_int_equal(take(&w, 37), ESP_E_REPLAY);
	assert_int_equal(take(&w, 99), ESP_OK);
	assert_int_equal(take(&w, 164), ESP_OK);     /* the left edge is now 101 */
	assert_int_equal(take(&w, 101), ESP_OK);
	assert_int_equal(take(&w, 101), ESP_E_REPLAY);
	assert_int_equal(take(&w, 100), ESP_E_OLD);
	assert_int_equal(take(&w, 100000), ESP_OK);  /* a jump clears everything */
	assert_int_equal(take(&w, 99999), ESP_OK);
	assert_int_equal(take(&w, 100000 - 64), ESP_E_OLD);
	/* Anti-replay off: duplicates pass (RFC 4303 3.4.3 allows disabling it). */
	esp_replay_init(&w, bits, 0, false, 1);
	assert_int_equal(take(&w, 5), ESP_OK);
	assert_int_equal(take(&w, 5), ESP_OK);
	assert_int_equal(take(&w, 1), ESP_OK);
	/* A window of 1 accepts only increasing numbers. */
	esp_replay_init(&w, bits, 1, false, 1);
	assert_int_equal(take(&w, 3), ESP_OK);
	assert_int_equal(take(&w, 2), ESP_E_OLD);
	assert_int_equal(take(&w, 3), ESP_E_REPLAY);
	assert_int_equal(take(&w, 4), ESP_OK);
}

/* Multi-word windows against a plain reference set, with random reordering, duplicates and jumps. */
static void replay_matches_reference_model(void **state)
{
	(void)state;
	uint64_t bits[ESP_REPLAY_WINDOW_MAX / 64];
	static const uint32_t sizes[] = { 32, 64, 65, 128, 1000, ESP_REPLAY_WINDOW_MAX };
	uint8_t *seen = calloc(200000, 1);
	assert_non_null(seen);
	uint64_t rng = 88172645463325252ull;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		esp_replay w;
		esp_replay_init(&w, bits, sizes[s], false, 1);
		memset(seen, 0, 200000);
		uint64_t top = 0, next = 1;
		for (int i = 0; i < 20000; i++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			uint64_t r = rng % 100, seq;
			if (r < 60)
				seq = next++;
			else if (r < 95) /* late or duplicate, up to 1.5 windows back */
				seq = next > 1 ? next - 1 - rng / 100 % (sizes[s] * 3 / 2 + 1) : 1;
			else /* a jump forward */
				seq = (next += rng / 100 % (2 * sizes[s]));
			if (seq == 0 || seq >= 200000)
				continue;
			esp_status want = seq > top ? ESP_OK : top - seq >= sizes[s] ? ESP_E_OLD
							 : seen[seq]		  ? ESP_E_REPLAY
										  : ESP_OK;
			esp_status got = take(&w, seq);
			if (got != want)
				fail_msg("window %u: seq %llu (top %llu) gave %s, want %s", sizes[s], (unsigned long long)seq,
					 (unsigned long long)top, esp_status_name(got), esp_status_name(want));
			if (got == ESP_OK) {
				seen[seq] = 1;
				if (seq > top)
					top = seq;
			}
		}
	}
	free(seen);
}

/* RFC 4303 Appendix A2.2: which 2^32 subspace the low half belongs to. */
static void esn_inference(void **state)
{
	(void)state;
	uint64_t bits[ESP_REPLAY_WINDOW_MAX / 64];
	esp_replay w;
	esp_replay_init(&w, bits, 64, true, 1);
	assert_int_equal(esp_replay_infer(&w, 5), 5);
	assert_int_equal(esp_replay_infer(&w, 0xffffffff), 0xffffffff); /* nothing lies below subspace 0 */
	/* Case A: Tl >= W - 1, window inside one subspace; a small low half means the next subspace. */
	esp_replay_update(&w, (UINT64_C(1) << 32) + 0xfffffff0);
	assert_int_equal(esp_replay_infer(&w, 0xffffffe0), (UINT64_C(1) << 32) + 0xffffffe0);
	assert_int_equal(esp_replay_infer(&w, 0xfffffff8), (UINT64_C(1) << 32) + 0xfffffff8);
	assert_int_equal(esp_replay_infer(&w, 5), (UINT64_C(2) << 32) + 5);
	/* Case B: Tl < W - 1, the window spans two subspaces; a big low half is the previous one. */
	esp_replay_update(&w, (UINT64_C(2) << 32) + 0x10);
	assert_int_equal(esp_replay_infer(&w, 0xfffffff0), (UINT64_C(1) << 32) + 0xfffffff0);
	assert_int_equal(esp_replay_infer(&w, 0x20), (UINT64_C(2) << 32) + 0x20);
	assert_int_equal(esp_replay_infer(&w, 0x5), (UINT64_C(2) << 32) + 0x5);
	assert_int_equal(take(&w, (UINT64_C(1) << 32) + 0xfffffff5), ESP_OK); /* inside the window across the wrap */
	assert_int_equal(take(&w, (UINT64_C(1) << 32) + 0xfffffff5), ESP_E_REPLAY);
	assert_int_equal(take(&w, (UINT64_C(1) << 32) + 0xfffffff0), ESP_E_REPLAY); /* the old top */
	/* Without ESN the low half is the number. */
	esp_replay_init(&w, bits, 64, false, 1);
	esp_replay_update(&w, 0xfffffff0);
	assert_int_equal(esp_replay_infer(&w, 5), 5);
}

/* Through real SAs: the low 32 bits wrap into the next subspace with ESN, packets reordered across the wrap. */
static void esn_wrap_through_sas(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	size_t na;
	const esppair_alg *a = esppair_algs(&na); /* AES-GCM-16 */
	esppair_keys k;
	esp_sa_params p = esppair_params(a, ESP_DIR_OUT, ESP_MODE_TRANSPORT, 1, 64, 20, &k);
	p.test_seq = 0xfffffff0;
	esp_sa *o = esp_sa_new(c, &p, NULL, 0);
	p.dir = ESP_DIR_IN;
	esp_sa *i = esp_sa_new(c, &p, NULL, 0);
	assert_non_null(o);
	assert_non_null(i);
	uint8_t pkt[40][64], back[64], in[8] = { 0 };
	size_t n[40];
	esp_rx rx;
	for (int j = 0; j < 40; j++)
		assert_int_equal(esp_encap(o, 17, in, 8, pkt[j], 64, &n[j]), ESP_OK);
	/* Deliver the second half first (beyond the wrap), then the first half (before it). */
	for (int j = 20; j < 40; j++)
		assert_int_equal(esp_decap(i, pkt[j], n[j], back, 64, &rx), ESP_OK);
	for (int j = 0; j < 20; j++) {
		assert_int_equal(esp_decap(i, pkt[j], n[j], back, 64, &rx), ESP_OK);
		assert_int_equal(rx.seq, UINT64_C(0xfffffff0) + (uint64_t)j);
	}
	assert_int_equal(esp_sa_stats_of(i)->seq, UINT64_C(0xfffffff0) + 39);
	assert_int_equal(esp_decap(i, pkt[3], n[3], back, 64, &rx), ESP_E_REPLAY);
	esp_sa_free(o);
	esp_sa_free(i);
	ike_crypto_free(c);
}

/* RFC 4303 3.4.3 order: replay before ICV (a forged replay is reported as a replay, costing no crypto);
 * the window moves only after the ICV (a forged packet cannot burn a sequence number). */
static void replay_check_order(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	size_t na;
	const esppair_alg *a = esppair_algs(&na);
	esp_sa *o, *i;
	esppair_pair(c, a, ESP_MODE_TRANSPORT, 0, 64, 21, &o, &i);
	uint8_t p1[64], p2[64], bad[64], back[64], in[8] = { 0 };
	size_t n1, n2;
	esp_rx rx;
	assert_int_equal(esp_encap(o, 17, in, 8, p1, 64, &n1), ESP_OK);
	assert_int_equal(esp_encap(o, 17, in, 8, p2, 64, &n2), ESP_OK);
	memcpy(bad, p2, n2);
	bad[n2 - 1] ^= 1;
	assert_int_equal(esp_decap(i, bad, n2, back, 64, &rx), ESP_E_ICV);
	assert_int_equal(esp_decap(i, p2, n2, back, 64, &rx), ESP_OK); /* seq 2 was not burnt */
	assert_int_equal(esp_decap(i, p1, n1, back, 64, &rx), ESP_OK);
	memcpy(bad, p1, n1);
	bad[n1 - 1] ^= 1;
	assert_int_equal(esp_decap(i, bad, n1, back, 64, &rx), ESP_E_REPLAY);
	/* A forged far-future number does not slide the window. */
	memcpy(bad, p1, n1);
	ike_put_u32(bad + 4, 1000);
	assert_int_equal(esp_decap(i, bad, n1, back, 64, &rx), ESP_E_ICV);
	assert_int_equal(esp_sa_stats_of(i)->seq, 2);
	esp_sa_free(o);
	esp_sa_free(i);
	ike_crypto_free(c);
}

size_t tests_esp_replay(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(replay_window_edges),
		cmocka_unit_test(replay_matches_reference_model),
		cmocka_unit_test(esn_inference),
		cmocka_unit_test(esn_wrap_through_sas),
		cmocka_unit_test(replay_check_order),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
