/*
 * Regressions found by the IKEv1 stateful fuzzer (tests/fuzz/fuzz_stateful_v1.c), each with the behaviour the
 * fix gives: a refused phase 2 rekey keeps the IPsec SA it would have replaced (and retries later), and a
 * Quick Mode 1 without a Nonce no longer strands the installed IPsec SA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "statefz_v1.h"
#include "test_list.h.in"

/* The responder refuses the rekey (its ESP proposals changed): NO-PROPOSAL-CHOSEN comes back in an
 * Informational, and the initiator's installed IPsec SA stays current; the rekey is tried again seconds later,
 * not at once (before: the old SA was left in sa->old, the connection showed no IPsec SA and never rekeyed). */
static void v1_refused_rekey_keeps_old_sa(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
	pr.conn[0].version = pr.conn[1].version = 1;
	pr.child[0].life.rekey = 3 * IKE_NS_PER_SEC;
	pair_start(&pr, 21);
	pair_run(&pr, 2 * IKE_NS_PER_SEC);
	pair_set_proposals(&pr.child[1].esp, "aes256-sha512", IKE_PROTO_ESP); /* the rekey's offer no longer fits */
	pair_run_pending(&pr, 8 * IKE_NS_PER_SEC);
	ike_conn_status st;
	ike_peer_conn_status(pr.peer[0], 0, &st);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
	assert_int_equal(st.child_sas, 1);
	/* refused at 3 s, then retried 1..3 s after each refusal: two or three tries by 8 s, not one every round trip */
	size_t tries = pair_count(&pr, 0, "child_sa.state", "the peer refused the Quick Mode");
	assert_true(tries >= 2 && tries <= 3);
	assert_int_equal(pair_count(&pr, 1, "error", "no acceptable ESP proposal"), tries);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "QUICK_MODE request"), 2 + tries); /* QM1, QM3, the rekey QM1s */
	pair_free(&pr);
}

/* A schedule fuzz_stateful_v1 found: a re-hashed Quick Mode 1 rekey whose payloads were cut after HASH (no Nonce).
 * The responder set its installed IPsec SA aside before checking the Nonce and left it there (a replaced IPsec
 * SA beside one in CREATED); the schedule now keeps every invariant. */
static void v1_fuzz_qm1_without_nonce(void **state)
{
	(void)state;
	static const uint8_t sched[] = { 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xf5, 0xff, 0xff, 0x3d, 0xff,
					 0x9e, 0xc1, 0xff, 0xff, 0x60, 0x9e, 0x9e, 0x9e, 0x9e, 0x9e, 0x9e, 0x9e, 0x9e, 0x22,
					 0x77, 0x68, 0x79, 0x22, 0x3a, 0x22, 0x9e, 0x9e, 0x9e, 0xff, 0x00, 0x75 };
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	statefz_v1_stats st;
	char why[256];
	int rc = statefz_v1_run(c, NULL, sched, sizeof(sched), &st, why, sizeof(why));
	ike_crypto_free(c);
	if (rc)
		fail_msg("%s", why);
	assert_true(st.resealed > 0);
	assert_true(st.child_up >= 2);
}

size_t tests_v1_harden(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_refused_rekey_keeps_old_sa),
		cmocka_unit_test(v1_fuzz_qm1_without_nonce),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
