/* Asynchronous crypto (ike.h's submit): the engine waits for its D-H jobs, resumes on them, and drops them
 * when the SA that waited is gone; the bytes are those of the inline engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "test_list.h.in"

#define MS (1000LL * 1000)

/* Delivers what is in flight and hands the jobs back, until neither is left (bounded). */
static void drive(pair *pr)
{
	for (int round = 0; round < 32; round++) {
		pair_run_pending(pr, pr->now + 50 * MS);
		if (!pair_finish_jobs(pr) && !pr->nq)
			return;
	}
	fail_msg("the handshake did not settle in 32 rounds");
}

static void established(const pair *pr)
{
	for (int s = 0; s < 2; s++) {
		ike_conn_status st;
		assert_int_equal(ike_peer_conn_status(pr->peer[s], 0, &st), 0);
		assert_string_equal(st.ike_state, "ESTABLISHED");
		assert_string_equal(st.child_state, "INSTALLED");
	}
}

static void deferred_handshake_matches_inline(void **state)
{
	(void)state;
	pair a, b;
	pair_init(&a, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_init(&b, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	b.defer_jobs = true;
	pair_start(&a, 7);
	pair_start(&b, 7);
	pair_run(&a, 5 * MS * 1000);
	assert_int_equal(ike_peer_initiate(b.peer[0], b.now, 0), 0);
	assert_int_equal(b.nq, 0); /* the request waits for our key pair */
	drive(&b);
	established(&a);
	established(&b);
	/* initiator keygen, responder keygen + derive, initiator derive */
	assert_int_equal(b.jobs_submitted, 3);
	static const char *names[] = { "SKEYSEED", "SK_d", "SK_ei", "SK_er" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int s = 0; s < 2; s++) {
			char x[256], y[256];
			assert_true(pair_kdf_value(&a, s, names[i], x, sizeof(x)) > 0);
			assert_true(pair_kdf_value(&b, s, names[i], y, sizeof(y)) > 0);
			assert_string_equal(x, y); /* the DRBG is drawn in the same order: the same keys */
		}
	pair_free(&a);
	pair_free(&b);
}

static void repeat_while_computing_is_dropped(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.defer_jobs = true;
	pair_start(&pr, 11);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	assert_int_equal(pair_finish_jobs(&pr), 1);
	assert_int_equal(pr.nq, 1);
	pair_dgram req = pr.q[0];
	uint8_t copy[2048];
	assert_true(req.len <= sizeof(copy));
	memcpy(copy, req.data, req.len);
	pair_run_pending(&pr, pr.now + 20 * MS); /* the responder takes it and waits for its D-H */
	assert_int_equal(pr.njobs, 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	assert_int_equal(ike_peer_next_deadline(pr.peer[1]), IKE_TIME_NEVER); /* its timers rest meanwhile */
	ike_peer_input(pr.peer[1], pr.now, &req.from, &req.to, copy, req.len);
	assert_int_equal(pair_count(&pr, 1, "again while we compute its response", NULL), 1);
	assert_int_equal(pr.njobs, 1);
	drive(&pr);
	established(&pr);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_SA_INIT"), 1);
	pair_free(&pr);
}

static void sa_gone_while_computing(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.defer_jobs = true;
	pair_start(&pr, 12);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	assert_int_equal(pair_finish_jobs(&pr), 1);
	pair_run_pending(&pr, pr.now + 20 * MS);
	assert_int_equal(pr.njobs, 1);
	size_t tx = pair_count(&pr, 1, "ike.tx", NULL);
	pair_reboot(&pr, 1, 13); /* the SA that waits is gone with its peer */
	assert_int_equal(pair_finish_jobs(&pr), 1); /* dropped unresumed (ASan: no use of the freed SA) */
	assert_int_equal(pair_count(&pr, 1, "ike.tx", NULL), tx);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	/* the initiator too: its own key pair job, and a run that ends before the job is back */
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	assert_int_equal(pr.njobs, 1);
	pair_free(&pr); /* frees the orphaned job */
}

static void pending_counts_as_half_open(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.defer_jobs = true;
	pr.half_open_limit[1] = 1;
	pair_start(&pr, 14);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	assert_int_equal(pair_finish_jobs(&pr), 2);
	assert_int_equal(pr.nq, 2);
	pair_run_pending(&pr, pr.now + 20 * MS);
	/* the first request's SA waits for its D-H and already counts: the second is dropped at the limit */
	assert_int_equal(pr.njobs, 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	assert_int_equal(pair_count(&pr, 1, "1 half-open SAs (limit 1)", NULL), 1);
	assert_int_equal(pair_finish_jobs(&pr), 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	pair_free(&pr);
}

size_t tests_jobs(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(deferred_handshake_matches_inline),
		cmocka_unit_test(repeat_while_computing_is_dropped),
		cmocka_unit_test(sa_gone_while_computing),
		cmocka_unit_test(pending_counts_as_half_open),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
