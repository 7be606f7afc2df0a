/*
 * RFC 7383 in the engine: negotiation in IKE_SA_INIT, IKE_AUTH in fragments, a lost request fragment
 * and a lost response fragment recovered by retransmission (2.6.1), fragments forged with the real keys
 * when fragmentation was not negotiated, and a fragmented request arriving out of order with duplicates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikev2/fragment.h"
#include "pair.h"
#include "fuzzrand.h"
#include "sealfx.h"
#include "statefz.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)

/* Datagrams to drop: side and send number (from 1), up to four. */
typedef struct loss {
	int side[4];
	size_t n[4];
	size_t count;
} loss;

static bool lose(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)data, (void)len;
	const loss *l = pr->user;
	for (size_t i = 0; l && i < l->count; i++)
		if (l->side[i] == side && l->n[i] == n)
			return false;
	return true;
}

/* A default PSK pair whose IKE_AUTH messages (about 230 bytes) need three 128-byte fragments each. */
static void start(pair *pr, uint8_t mode0, uint8_t mode1, uint16_t size, loss *l)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->conn[0].fragmentation = mode0;
	pr->conn[1].fragmentation = mode1;
	pr->conn[0].fragment_size = pr->conn[1].fragment_size = size;
	pr->filter = lose;
	pr->user = l;
	pair_start(pr, 7);
	pair_run(pr, 30 * SEC);
}

static void established(pair *pr)
{
	for (int s = 0; s < 2; s++) {
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr->peer[s], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
	}
}

static void frag_engine_auth_in_fragments(void **state)
{
	(void)state;
	pair pr;
	start(&pr, IKE_FRAG_YES, IKE_FRAG_YES, 128, NULL);
	established(&pr);
	/* 2.3: both IKE_SA_INIT messages announce it */
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.frag", "\"action\":\"split\",\"exchange\":\"IKE_AUTH\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"action\":\"reassembled\",\"exchange\":\"IKE_AUTH\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"action\":\"split\",\"exchange\":\"IKE_AUTH\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.frag", "\"action\":\"reassembled\",\"exchange\":\"IKE_AUTH\""), 1);
	/* every datagram of IKE_AUTH within the size, each traced on both ends */
	size_t frags = pair_count(&pr, 0, "ike.tx", "IKE_AUTH request 1 [ EF(");
	assert_true(frags >= 2);
	assert_int_equal(pair_count(&pr, 1, "ike.rx", "IKE_AUTH request 1 [ EF("), frags);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "IKE_AUTH request 1 [ IDi"), 0);
	assert_int_equal(pair_count(&pr, 0, "ike.frag", "[ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.frag", "dropped"), 0);
	pair_free(&pr);
	/* small messages stay whole with "yes"; "force" fragments even them (one fragment) */
	start(&pr, IKE_FRAG_FORCE, IKE_FRAG_YES, 0, NULL);
	established(&pr);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "IKE_AUTH request 1 [ EF(1/1) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]"), 1);
	pair_free(&pr);
}

static void frag_engine_not_negotiated_or_accept(void **state)
{
	(void)state;
	pair pr;
	/* the responder does not announce: nobody fragments, however small the size */
	start(&pr, IKE_FRAG_FORCE, IKE_FRAG_NO, 128, NULL);
	established(&pr);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "N(FRAG_SUP)"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(FRAG_SUP)"), 0);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "EF("), 0);
	pair_free(&pr);
	/* "no" on the initiator: not announced, so the responder's "force" may not answer with it either */
	start(&pr, IKE_FRAG_NO, IKE_FRAG_FORCE, 128, NULL);
	established(&pr);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "N(FRAG_SUP)"), 0);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "EF("), 0);
	pair_free(&pr);
	/* "accept": announced and reassembled, never used for our own messages */
	start(&pr, IKE_FRAG_ACCEPT, IKE_FRAG_FORCE, 128, NULL);
	established(&pr);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "N(FRAG_SUP)"), 2);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "EF("), 0);
	assert_true(pair_count(&pr, 1, "ike.tx", "IKE_AUTH response 1 [ EF(") >= 2);
	assert_int_equal(pair_count(&pr, 0, "ike.frag", "reassembled"), 1);
	pair_free(&pr);
}

static void frag_engine_lost_request_fragment(void **state)
{
	(void)state;
	pair pr;
	/* side 0 sends IKE_SA_INIT (1), then IKE_AUTH fragments (2, 3, 4): the second fragment is lost */
	loss l = { { 0 }, { 3 }, 1 };
	start(&pr, IKE_FRAG_YES, IKE_FRAG_YES, 128, &l);
	established(&pr);
	/* the retransmission resends every fragment; the two the responder holds are duplicates */
	assert_int_equal(pair_count(&pr, 0, "ike.retransmit", "\"fragments\":3"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"why\":\"duplicate fragment\""), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "reassembled"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.rx", "IKE_AUTH request 1 [ EF(2/3) ]"), 1);
	pair_free(&pr);
}

static void frag_engine_lost_response_fragment(void **state)
{
	(void)state;
	pair pr;
	/* side 1 sends the IKE_SA_INIT response (1), then IKE_AUTH response fragments (2, 3, 4): lose the second */
	loss l = { { 1 }, { 3 }, 1 };
	start(&pr, IKE_FRAG_YES, IKE_FRAG_YES, 128, &l);
	established(&pr);
	/* 2.6.1: the initiator resends its request; fragment 1 brings every response fragment again, the others
	 * are ignored; the initiator completes with the one it lacked */
	assert_int_equal(pair_count(&pr, 0, "ike.retransmit", "\"fragments\":3"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.dup", "\"fragments\":3"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "only fragment 1 brings the response again"), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"action\":\"split\""), 1); /* answered once, resent from the cache */
	assert_int_equal(pair_count(&pr, 0, "ike.frag", "\"action\":\"reassembled\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.rx", "IKE_AUTH response 1 [ EF(2/3) ]"), 1);
	pair_free(&pr);
}

/* Splits an INFORMATIONAL request of side 0 (message ID 2, one Notify) with side 0's real key. */
static void forged_train(const sealfx_keys *k, v2_train *t)
{
	uint8_t inner[64];
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	uint8_t data[40] = { 1 };
	v2_add_notify(&b, 0, NULL, 0, 40000, data, sizeof(data)); /* an unknown status notify: ignored */
	assert_false(b.w.err);
	ike_crypto *c = ike_crypto_new();
	ike_drbg rng;
	ike_drbg_init(&rng, "forge", 5, NULL, 0);
	ike_sk_keys sk = { ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128), NULL, k->ei, NULL };
	v2_frag_sealer s = { c, &sk, &rng };
	v2_header h = { .spi_i = k->spi_i, .spi_r = k->spi_r, .major = 2, .exchange = V2_INFORMATIONAL,
			.flags = V2_F_INITIATOR, .msg_id = 2 };
	const char *why = NULL;
	assert_int_equal(v2_frag_split(&s, &h, inner, b.w.len, b.first, 80, t, &why), 0);
	assert_int_equal(t->n, 3);
	ike_crypto_free(c);
}

static void inject(pair *pr, const v2_train *t, size_t i)
{
	size_t pos = 0, len = 0;
	const uint8_t *m = NULL;
	for (size_t j = 0; j <= i; j++)
		assert_true(v2_train_next(t, &pos, &m, &len));
	sealfx_inject(pr, 1, m, len);
	pair_run_pending(pr, pr->now + SEC);
}

static void frag_engine_forged_fragments(void **state)
{
	(void)state;
	pair pr;
	sealfx_keys k;
	v2_train t;
	/* fragments with the real keys, out of order and duplicated: reassembled once, answered once */
	start(&pr, IKE_FRAG_YES, IKE_FRAG_YES, 0, NULL);
	established(&pr);
	sealfx_read_keys(&pr, &k);
	forged_train(&k, &t);
	inject(&pr, &t, 2);
	inject(&pr, &t, 2);
	inject(&pr, &t, 0);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2"), 0);
	inject(&pr, &t, 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"why\":\"duplicate fragment\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"summary\":\"INFORMATIONAL request 2 [ N(40000) ]\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2 [ ]"), 1);
	established(&pr);
	v2_train_free(&t);
	pair_free(&pr);
	/* the same fragments where fragmentation was not negotiated: dropped before decryption, SA untouched */
	start(&pr, IKE_FRAG_YES, IKE_FRAG_NO, 0, NULL);
	established(&pr);
	sealfx_read_keys(&pr, &k);
	forged_train(&k, &t);
	for (size_t i = 0; i < 3; i++)
		inject(&pr, &t, i);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "fragmentation was not negotiated"), 3);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL response 2"), 0);
	established(&pr);
	v2_train_free(&t);
	pair_free(&pr);
}

/* With "force", CREATE_CHILD_SA and INFORMATIONAL go in fragments too, and a rekeyed IKE SA keeps the
 * fragmentation its predecessor negotiated (no IKE_SA_INIT announces it again). */
static void frag_engine_rekeys_in_fragments(void **state)
{
	(void)state;
	pair pr;
	start(&pr, IKE_FRAG_FORCE, IKE_FRAG_FORCE, 0, NULL);
	established(&pr);
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "CREATE_CHILD_SA request 2 [ EF(1/1) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"summary\":\"CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]\""), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.rekeyed", NULL), 1);
	assert_int_equal(ike_peer_rekey_ike(pr.peer[1], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.rekeyed", NULL), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "CREATE_CHILD_SA request 0 [ EF(1/1) ]"), 1);
	/* the new IKE SA's own first request (the delete below, message ID 0 on side 0's new SA) */
	size_t before = pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 0 [ EF(1/1) ]");
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 0 [ EF(1/1) ]"), before + 1);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "\"summary\":\"INFORMATIONAL request 0 [ D ]\""), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.frag", "dropped"), 0);
	pair_free(&pr);
}

/* Once armed (pr->user non-NULL), side 0's fragment 2 of any message is lost, every time. */
static bool lose_fragment_2(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)n;
	/* an SKF message: Next Payload 53 in the header, Fragment Number right after the generic payload header */
	return !(pr->user && side == 0 && len > 36 && data[16] == 53 && data[32] == 0 && data[33] == 2);
}

/* A set that never completes is dropped 30 s after its first fragment (traced why), though the initiator gave
 * up long before: the responder does not hold the fragment for ever. */
static void frag_engine_incomplete_set_times_out(void **state)
{
	(void)state;
	pair pr;
	start(&pr, IKE_FRAG_YES, IKE_FRAG_YES, 128, NULL);
	established(&pr);
	pr.filter = lose_fragment_2;
	pr.user = &pr;
	pr.record_trace = true;
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	ike_time t0 = pr.now;
	pair_run_pending(&pr, pr.now + 29 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "incomplete"), 0);
	pair_run_pending(&pr, t0 + 31 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.frag", "incomplete: 1 of 2 fragments"), 1);
	for (size_t i = 0; i < pr.ntrace; i++)
		if (strstr(pr.trace[i], "incomplete: 1 of 2 fragments")) {
			assert_true(pr.trace_t[i] >= t0 + 30 * SEC && pr.trace_t[i] < t0 + 30 * SEC + SEC / 10);
			assert_non_null(strstr(pr.trace[i], "\"exchange\":\"CREATE_CHILD_SA\""));
		}
	pair_free(&pr);
}

/* The stateful driver's schedules (loss, reordering, duplicates, replays, forged bytes) with IKE_AUTH in
 * three fragments each way: every invariant holds after every step, and handshakes still complete. */
static void frag_engine_stateful_schedules(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	uint64_t rs = 0xf7a6f7a6ULL;
	uint8_t sched[200];
	size_t established = 0, dropped = 0;
	for (int k = 0; k < 250; k++) {
		size_t len = 48 + fuzz_below(&rs, sizeof(sched) - 48);
		for (size_t i = 0; i < len; i++)
			sched[i] = (uint8_t)(fuzz_below(&rs, 3) ? fuzz_below(&rs, 3) : fuzz_rnd(&rs));
		statefz_stats st;
		char why[256];
		if (statefz_run_frag(c, sched, len, k % 4 ? IKE_FRAG_YES : IKE_FRAG_FORCE, 128, &st, why, sizeof(why)))
			fail_msg("schedule %d: %s", k, why);
		established += st.established > 0;
		dropped += st.dropped;
	}
	assert_true(dropped > 0);
	print_message("frag schedules: %zu established, %zu drops\n", established, dropped);
	assert_true(established > 250 / 5);
	ike_crypto_free(c);
}

size_t tests_frag_engine(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(frag_engine_auth_in_fragments),
		cmocka_unit_test(frag_engine_not_negotiated_or_accept),
		cmocka_unit_test(frag_engine_lost_request_fragment),
		cmocka_unit_test(frag_engine_lost_response_fragment),
		cmocka_unit_test(frag_engine_forged_fragments),
		cmocka_unit_test(frag_engine_rekeys_in_fragments),
		cmocka_unit_test(frag_engine_stateful_schedules),
		cmocka_unit_test(frag_engine_incomplete_set_times_out),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
