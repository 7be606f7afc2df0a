/* Asynchronous crypto (ike.h's submit): the engine waits for its D-H jobs, resumes on them, and drops them
 * when the SA that waited is gone; the bytes are those of the inline engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certfx.h"
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

/* Every datagram a pair sends, folded into one FNV-1a value (pr->user): equal values, equal bytes on the wire. */
static bool wire_hash(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)side, (void)n;
	uint64_t *h = pr->user;
	for (size_t i = 0; i < len; i++)
		*h = (*h ^ data[i]) * 0x100000001b3ULL;
	return true;
}

/* Certificates: both signatures are jobs too (RSA with RSASSA-PSS: the salt drawn when the job is made). */
static void deferred_signatures_match_inline(void **state)
{
	(void)state;
	const certfx_set *set = certfx_get('r');
	ike_cred *cred[2][2];
	pair pr[2];
	uint64_t wire[2] = { 0xcbf29ce484222325ULL, 0xcbf29ce484222325ULL };
	for (int k = 0; k < 2; k++) {
		cred[k][0] = certfx_cred(&set->a, &set->ca);
		cred[k][1] = certfx_cred(&set->b, &set->ca);
		ike_cred_set_rsa_pss(cred[k][0], true);
		ike_cred_set_rsa_pss(cred[k][1], true);
		pair_init(&pr[k], "aes128gcm16-prfsha256-x25519", "aes128gcm16");
		pair_set_creds(&pr[k], cred[k][0], cred[k][1]);
		pr[k].defer_jobs = k == 1;
		pr[k].filter = wire_hash;
		pr[k].user = &wire[k];
		pair_start(&pr[k], 21);
	}
	pair_run(&pr[0], 5 * MS * 1000);
	assert_int_equal(ike_peer_initiate(pr[1].peer[0], pr[1].now, 0), 0);
	drive(&pr[1]);
	established(&pr[0]);
	established(&pr[1]);
	assert_int_equal(pr[1].jobs_submitted, 5); /* three D-H, two signatures */
	assert_int_equal(pair_count(&pr[1], -1, "auth.verified", "RSASSA-PSS"), 2);
	/* the same bytes on the wire, PSS salts included: inline and deferred draw the DRBG alike */
	assert_true(wire[0] == wire[1]);
	char x[256], y[256];
	assert_true(pair_kdf_value(&pr[0], 0, "SK_pi", x, sizeof(x)) > 0);
	assert_true(pair_kdf_value(&pr[1], 0, "SK_pi", y, sizeof(y)) > 0);
	assert_string_equal(x, y);
	for (int k = 0; k < 2; k++) {
		pair_free(&pr[k]);
		ike_cred_free(cred[k][0]);
		ike_cred_free(cred[k][1]);
	}
}

size_t tests_jobs(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(deferred_handshake_matches_inline),
		cmocka_unit_test(repeat_while_computing_is_dropped),
		cmocka_unit_test(sa_gone_while_computing),
		cmocka_unit_test(pending_counts_as_half_open),
		cmocka_unit_test(deferred_signatures_match_inline),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
