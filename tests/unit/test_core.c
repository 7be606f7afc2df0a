/*
 * The engine core: tasks queued while a request is out (window 1), CHILD SA deletes, what ike_peer_input
 * reports, the version dispatch, and the connection status naming the current IKE SA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)

static void established(pair *pr, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(pr, seed);
	pair_run(pr, 10 * SEC);
	ike_conn_status st;
	for (int s = 0; s < 2; s++) {
		assert_int_equal(ike_peer_conn_status(pr->peer[s], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
	}
}

/* A CHILD delete goes out at once; the IKE delete asked for while it is outstanding waits, then runs. */
static void delete_waits_for_outstanding_request(void **state)
{
	(void)state;
	pair pr;
	established(&pr, 31);
	assert_int_equal(ike_peer_delete_child(pr.peer[0], pr.now, 0, 0), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"delete-sent\""), 1);
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1); /* queued behind the CHILD delete */
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"delete-sent\""), 0);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 1, "child_sa.state", "\"transition\":\"delete-recv\""), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"delete-done\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"delete-sent\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"transition\":\"delete-recv\""), 1);
	/* the CHILD Delete went first with message ID 2, the IKE Delete after it with 3 */
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 2 [ D ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 3 [ D ]"), 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 0);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	assert_int_equal(pair_count(&pr, -1, "\"ev\":\"error\"", NULL) + pair_count(&pr, -1, " error ", NULL), 0);
	pair_free(&pr);
}

/* After a CHILD delete the IKE SA stays, without CHILD SAs: status says so. */
static void child_delete_keeps_ike_sa(void **state)
{
	(void)state;
	pair pr;
	established(&pr, 32);
	assert_int_equal(ike_peer_delete_child(pr.peer[1], pr.now, 0, 0), 1); /* from the responder this time */
	pair_run_pending(&pr, pr.now + 10 * SEC);
	ike_conn_status st;
	for (int s = 0; s < 2; s++) {
		assert_int_equal(ike_peer_conn_status(pr.peer[s], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "NONE");
	}
	/* nothing left to delete: no task is queued */
	assert_int_equal(ike_peer_delete_child(pr.peer[0], pr.now, 0, 0), 0);
	assert_int_equal(ike_peer_delete_child(pr.peer[0], pr.now, 0, 1), -1);
	assert_int_equal(ike_peer_rekey_ike(pr.peer[0], pr.now, 1), -1);
	pair_free(&pr);
}

/* Status names the established SA while a second one of the same connection is still connecting. */
static void status_is_the_current_sa(void **state)
{
	(void)state;
	pair pr;
	established(&pr, 33);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 2);
	pair_free(&pr);
}

static size_t capture_first(pair *pr, uint8_t *buf, size_t cap)
{
	assert_true(pr->nq > 0 && pr->q[0].len <= cap);
	memcpy(buf, pr->q[0].data, pr->q[0].len);
	return pr->q[0].len;
}

/* What ike_peer_input says it did: processed, answered from the cache, dropped (also IKEv1 for no v1 connection). */
static void input_results(void **state)
{
	(void)state;
	pair pr;
	uint8_t init[2048], junk[40] = { 0 };
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(&pr, 34);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	size_t n = capture_first(&pr, init, sizeof(init));
	ike_addr a = pr.conn[0].local, b = pr.conn[1].local;
	assert_int_equal(ike_peer_input(pr.peer[1], 0, &a, &b, init, n), IKE_INPUT_PROCESSED);
	assert_int_equal(ike_peer_input(pr.peer[1], 0, &a, &b, init, n), IKE_INPUT_CACHED);
	assert_int_equal(ike_peer_input(pr.peer[1], 0, &a, &b, junk, sizeof(junk)), IKE_INPUT_DROPPED);
	junk[17] = 0x10; /* ISAKMP version 1.0: a Main Mode 1 header, but this peer has no IKEv1 connection */
	junk[18] = 2;
	junk[0] = 1;
	junk[27] = sizeof(junk);
	assert_int_equal(ike_peer_input(pr.peer[1], 0, &a, &b, junk, sizeof(junk)), IKE_INPUT_DROPPED);
	assert_int_equal(pair_count(&pr, 1, "no IKEv1 connection is for", NULL), 1);
	pair_free(&pr);
}

size_t tests_core(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(delete_waits_for_outstanding_request),
		cmocka_unit_test(child_delete_keeps_ike_sa),
		cmocka_unit_test(status_is_the_current_sa),
		cmocka_unit_test(input_results),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
