/* Port floating (RFC 7296 2.23): a source port that changes after IKE_SA_INIT without any NAT detected is answered
 * where each request came from, but the SA does not follow it (only NAT-T moves SAs: test_natt.c). */
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

typedef struct float_ctx {
	uint8_t auth_req[2048]; /* side 0's IKE_AUTH request as first sent, before the "NAT" moved it */
	size_t auth_len;
} float_ctx;

/* From side 0's second datagram on (IKE_AUTH), a NAT rewrites its source port, as charon's move to 4500 looks. */
static bool move_after_init(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	float_ctx *fc = pr->user;
	if (side == 0 && n == 2 && len <= sizeof(fc->auth_req)) {
		memcpy(fc->auth_req, data, len);
		fc->auth_len = len;
	}
	if (side == 0 && n >= 2)
		pr->nat_port = 4500;
	return true;
}

static void responder_answers_but_does_not_follow_without_nat(void **state)
{
	(void)state;
	pair pr;
	float_ctx fc = { .auth_len = 0 };
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.filter = move_after_init;
	pr.user = &fc;
	pair_start(&pr, 21);
	pair_run(&pr, 60 * SEC);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
	assert_int_equal(st.remote.port, 500); /* no NAT was detected in IKE_SA_INIT: nothing moves */
	assert_int_equal(pair_count(&pr, -1, "ike.float", NULL), 0);
	/* RFC 7296 2.11: the response still goes where the request came from */
	assert_int_equal(pair_count(&pr, 1, "IKE_AUTH response", "\"to\":\"192.0.2.1:4500\""), 1);

	/* a retransmission from the old port is answered where it came from, without moving the SA back */
	ike_addr old = pr.conn[0].local;
	assert_true(fc.auth_len > 0);
	ike_peer_input(pr.peer[1], pr.now, &old, &pr.conn[1].local, fc.auth_req, fc.auth_len);
	assert_int_equal(pair_count(&pr, 1, "ike.dup", NULL), 1);
	assert_true(pr.nq > 0);
	assert_int_equal(pr.q[pr.nq - 1].to.port, 500);
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_int_equal(st.remote.port, 500);

	/* the responder's own later request (a Delete) goes to the SA's address */
	assert_int_equal(ike_peer_delete(pr.peer[1], pr.now, 0), 1);
	assert_int_equal(pr.q[pr.nq - 1].to.port, 500);
	pair_free(&pr);
}

static void unchanged_port_does_not_float(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(&pr, 22);
	pair_run(&pr, 60 * SEC);
	assert_int_equal(pair_count(&pr, -1, "ike.float", NULL), 0);
	assert_int_equal(pair_count(&pr, 1, "IKE_AUTH response", "\"to\":\"192.0.2.1:500\""), 1);
	pair_free(&pr);
}

size_t tests_float(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(responder_answers_but_does_not_follow_without_nat),
		cmocka_unit_test(unchanged_port_does_not_float),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
