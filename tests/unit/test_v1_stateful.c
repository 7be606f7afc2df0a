/*
 * IKEv1 stateful fuzzing, the deterministic part (tests/unit/statefz_v1.c): two IKEv1 peers in every mode
 * (Main Mode PSK and RSA, Aggressive Mode, PFS, DPD, renewals) under schedules of deliveries, losses, replays,
 * raw forgeries and decrypt-mutate-reseal steps, invariants after every step. tests/fuzz/fuzz_stateful_v1.c
 * explores further with libFuzzer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "certfx.h"
#include "fuzzrand.h"
#include "statefz_v1.h"
#include "test_list.h.in"

#define SCHEDULES 160

typedef struct vfx {
	ike_crypto *c;
	ike_cred *cred[2];
} vfx;

static int setup(void **state)
{
	static vfx f;
	const certfx_set *r = certfx_get('r');
	f.c = ike_crypto_new();
	f.cred[0] = certfx_cred(&r->a, &r->ca);
	f.cred[1] = certfx_cred(&r->b, &r->ca);
	*state = &f;
	return f.c ? 0 : -1;
}

static int teardown(void **state)
{
	vfx *f = *state;
	ike_cred_free(f->cred[0]);
	ike_cred_free(f->cred[1]);
	ike_crypto_free(f->c);
	return 0;
}

static int run(vfx *f, const uint8_t *s, size_t n, statefz_v1_stats *st)
{
	char why[256];
	const ike_cred *const c[2] = { f->cred[0], f->cred[1] };
	int rc = statefz_v1_run(f->c, c, s, n, st, why, sizeof(why));
	if (rc)
		print_error("statefz_v1: %s\n", why);
	return rc;
}

/* Each mode in order: MM (6 messages) or AM (3), then Quick Mode (3): both sides up with an IPsec SA. */
static void v1_stateful_in_order_modes(void **state)
{
	vfx *f = *state;
	for (uint8_t mode = 0; mode < 3; mode++) {
		uint8_t s[1 + 2 * 9] = { mode | 4 }; /* with PFS */
		statefz_v1_stats st;
		assert_int_equal(run(f, s, sizeof(s), &st), 0);
		assert_int_equal(st.ike_up, 2);
		assert_int_equal(st.child_up, 2);
		assert_int_equal(st.max_sas, 1);
	}
}

/* Mutations behind decryption reach the handlers: the harness opens, mutates, re-hashes and re-seals. */
static void v1_stateful_reseal_reaches_handlers(void **state)
{
	vfx *f = *state;
	uint64_t rs = 0x1ce5eedULL;
	uint8_t s[200];
	statefz_v1_stats sum = { 0 };
	size_t up = 0;
	for (int k = 0; k < SCHEDULES; k++) {
		size_t len = 40 + fuzz_below(&rs, sizeof(s) - 40);
		s[0] = (uint8_t)fuzz_rnd(&rs);
		for (size_t i = 1; i < len; i++) /* mostly deliveries, some time, some mutations */
			s[i] = (uint8_t)(fuzz_below(&rs, 2) ? fuzz_below(&rs, 2) * 12
					 : fuzz_below(&rs, 3) ? fuzz_rnd(&rs) : 10 + 12 * fuzz_below(&rs, 20));
		statefz_v1_stats st;
		if (run(f, s, len, &st) != 0)
			fail_msg("schedule %d failed", k);
		sum.opened += st.opened;
		sum.resealed += st.resealed;
		sum.rehashed += st.rehashed;
		sum.forged += st.forged;
		up += st.child_up > 0;
	}
	assert_true(sum.opened > 0 && sum.resealed > 0 && sum.rehashed > 0 && sum.forged > 0);
	assert_true(up > SCHEDULES / 8);
}

size_t tests_v1_stateful(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(v1_stateful_in_order_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_stateful_reseal_reaches_handlers, setup, teardown),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
