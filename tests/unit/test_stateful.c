/*
 * Stateful fuzzing, the deterministic part: two engine peers under schedules of in-order, reordered,
 * duplicated, lost, replayed and forged datagrams and passing time (tests/unit/statefz.c), with the
 * invariants checked after every step. The libFuzzer target tests/fuzz/fuzz_stateful.c explores further.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fuzzrand.h"
#include "statefz.h"
#include "test_list.h.in"

#define SCHEDULES 400

static int setup(void **state)
{
	*state = ike_crypto_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ike_crypto_free(*state);
	return 0;
}

static void in_order_schedule_establishes(void **state)
{
	const ike_crypto *c = *state;
	static const uint8_t in_order[8] = { 0 }; /* four deliveries in order: INIT, INIT, AUTH, AUTH */
	statefz_stats st;
	char why[256];
	assert_int_equal(statefz_run(c, in_order, sizeof(in_order), &st, why, sizeof(why)), 0);
	assert_int_equal(st.delivered, 4);
	assert_int_equal(st.established, 2);
	assert_int_equal(st.max_sas, 1);
}

static void replayed_init_after_establishment_is_dropped(void **state)
{
	const ike_crypto *c = *state;
	/* the handshake in order, then the attacker replays history slot 0 (the IKE_SA_INIT request),
	 * then time runs; the checker sees every step */
	static const uint8_t s[] = { 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 8, 255, 8, 255, 7, 7, 7, 7 };
	statefz_stats st;
	char why[256];
	int rc = statefz_run(c, s, sizeof(s), &st, why, sizeof(why));
	assert_int_equal(rc, 0);
	assert_int_equal(st.established, 2);
	assert_int_equal(st.replayed, 1);
	/* same SPIi from the same address as an existing SA: dropped, no second SA (RFC 7296 2.1) */
	assert_int_equal(st.max_sas, 1);
}

static void random_schedules_keep_invariants(void **state)
{
	const ike_crypto *c = *state;
	uint64_t rs = 0x5eed5eed12345ULL;
	uint8_t sched[160];
	statefz_stats sum = { 0 };
	size_t runs_established = 0;
	for (int k = 0; k < SCHEDULES; k++) {
		size_t len = 48 + fuzz_below(&rs, sizeof(sched) - 48);
		/* favour deliveries (ops 0-2) so handshakes get far enough for the later events to matter */
		for (size_t i = 0; i < len; i++)
			sched[i] = (uint8_t)(fuzz_below(&rs, 3) ? fuzz_below(&rs, 3) : fuzz_rnd(&rs));
		statefz_stats st;
		char why[256];
		if (statefz_run(c, sched, len, &st, why, sizeof(why)) != 0)
			fail_msg("schedule %d: %s", k, why);
		sum.forged += st.forged;
		sum.replayed += st.replayed;
		sum.duplicated += st.duplicated;
		sum.dropped += st.dropped;
		runs_established += st.established > 0;
		sum.max_sas = st.max_sas > sum.max_sas ? st.max_sas : sum.max_sas;
	}
	/* every kind of event happened, and the schedules were not all stuck before the handshake */
	assert_true(sum.forged > 0 && sum.replayed > 0 && sum.duplicated > 0 && sum.dropped > 0);
	assert_true(runs_established > SCHEDULES / 4);
}

/* The same with crypto jobs held by the host and handed back in any order (op 10 of 11: favoured here). */
static void random_schedules_with_jobs_keep_invariants(void **state)
{
	const ike_crypto *c = *state;
	uint64_t rs = 0x10b5ULL;
	uint8_t sched[160];
	size_t runs_established = 0, jobs = 0;
	for (int k = 0; k < SCHEDULES / 2; k++) {
		size_t len = 48 + fuzz_below(&rs, sizeof(sched) - 48);
		for (size_t i = 0; i < len; i++) {
			uint64_t r = fuzz_below(&rs, 4);
			sched[i] = (uint8_t)(r == 0 ? 10 : r == 1 ? 0 : r == 2 ? fuzz_below(&rs, 3) : fuzz_rnd(&rs));
		}
		statefz_stats st;
		char why[256];
		if (statefz_run_jobs(c, sched, len, &st, why, sizeof(why)) != 0)
			fail_msg("schedule %d: %s", k, why);
		runs_established += st.established > 0;
		jobs += st.jobs;
	}
	assert_true(jobs > SCHEDULES);
	assert_true(runs_established > SCHEDULES / 8);
}

size_t tests_stateful(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(in_order_schedule_establishes, setup, teardown),
		cmocka_unit_test_setup_teardown(replayed_init_after_establishment_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(random_schedules_keep_invariants, setup, teardown),
		cmocka_unit_test_setup_teardown(random_schedules_with_jobs_keep_invariants, setup, teardown),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
