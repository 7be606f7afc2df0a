/*
 * Phase 2 renewal by either side (strongSwan lets both): the ISAKMP SA responder renews its IPsec SA on its own
 * timer (it sends Quick Mode 1 and the Delete(ESP) of the old SA), and when both timers fire within a round trip
 * the ISAKMP SA initiator's Quick Mode goes on while the responder gives its own up: one new IPsec SA, no storm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "test_list.h.in"

static void up_once(const pair *pr, int side)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
	assert_int_equal(st.ike_sas, 1);
	assert_int_equal(st.child_sas, 1);
}

static void v1_responder_renews_on_its_timer(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256-modp2048");
	pr.conn[0].version = pr.conn[1].version = 1;
	pr.child[1].life.rekey = 3 * IKE_NS_PER_SEC; /* only the responder has a rekey time */
	pair_start(&pr, 61);
	pair_run(&pr, 7 * IKE_NS_PER_SEC);
	up_once(&pr, 0);
	up_once(&pr, 1);
	/* at ~3 s and ~6 s the responder sends Quick Mode 1 (with PFS) and then deletes the SA it replaced */
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "\"transition\":\"i-start\""), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "QUICK_MODE response"), 1); /* QM2 of the first Quick Mode */
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "QUICK_MODE request"), 4); /* QM1, QM3 of its two renewals */
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "[ HASH D(ESP) ]"), 2);
	assert_int_equal(pair_count(&pr, 1, "child_sa.rekeyed", "\"reason\":\"lifetime\""), 2);
	assert_int_equal(pair_count(&pr, 0, "child_sa.rekeyed", "\"reason\":\"peer\""), 2);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"rekeyed\""), 2); /* by the responder's Delete */
	assert_int_equal(pair_count(&pr, -1, "kdf", "g(qm)^xy (PFS)"), 6);
	pair_free(&pr);
}

static void v1_crossing_renewals(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128-sha256-modp2048", "aes128-sha256");
	pr.conn[0].version = pr.conn[1].version = 1;
	/* 200 ms one way: the first IPsec SA is up at 1.6 s (initiator) and 1.8 s (responder); their timers fire at
	 * 4.6 s and 4.5 s, each before the other's Quick Mode 1 arrives */
	pr.latency = 200 * 1000 * 1000;
	pr.child[0].life.rekey = 3 * IKE_NS_PER_SEC;
	pr.child[1].life.rekey = 2700LL * 1000 * 1000;
	pair_start(&pr, 62);
	pair_run(&pr, 6 * IKE_NS_PER_SEC);
	up_once(&pr, 0);
	up_once(&pr, 1);
	assert_int_equal(pair_count(&pr, 0, "error", "the peer's Quick Mode crossed ours: ours goes on"), 1);
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "crossed the peer's Quick Mode"), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.rekeyed", "\"reason\":\"lifetime\""), 1);
	assert_int_equal(pair_count(&pr, 1, "child_sa.rekeyed", "\"reason\":\"peer\""), 1);
	assert_int_equal(pair_count(&pr, -1, "dead-peer", NULL), 0);
	pair_free(&pr);
}

size_t tests_v1_renew(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(v1_responder_renews_on_its_timer),
		cmocka_unit_test(v1_crossing_renewals),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
