/* The fault index against the plain rule it replaces: every fault counts its own matching datagrams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario_faultidx.h"
#include "test_list.h.in"

typedef struct fx_rng {
	uint64_t s;
} fx_rng;

static uint64_t fx_next(fx_rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static uint32_t fx_below(fx_rng *r, uint32_t n) { return (uint32_t)(fx_next(r) % n); }

/* The reference: one counter per fault, every fault looked at for every datagram. */
static int naive(const sim_fault_spec *f, size_t n, uint32_t *seen, int64_t now, uint32_t from, uint32_t to)
{
	int drop = 0;
	for (size_t i = 0; i < n; i++) {
		if (now < f[i].at || (f[i].node >= 0 && (uint32_t)f[i].node != from))
			continue;
		if (f[i].link_a >= 0 && !(((uint32_t)f[i].link_a == from && (uint32_t)f[i].link_b == to) ||
					  ((uint32_t)f[i].link_b == from && (uint32_t)f[i].link_a == to)))
			continue;
		uint32_t k = ++seen[i];
		if (k >= f[i].nth && k - f[i].nth < f[i].count)
			drop = 1;
	}
	return drop;
}

/* Random worlds of few nodes (so faults overlap a lot) and random traffic: both rules agree on every datagram. */
static void index_matches_the_plain_rule(void **state)
{
	(void)state;
	fx_rng r = { 0x1234567887654321ULL };
	size_t drops = 0, total = 0;
	for (int world = 0; world < 200; world++) {
		uint32_t nodes = 2 + fx_below(&r, 5);
		size_t n = 1 + fx_below(&r, 60);
		sim_fault_spec *f = calloc(n, sizeof(*f));
		uint32_t *seen = calloc(n, sizeof(*seen));
		assert_non_null(f);
		assert_non_null(seen);
		for (size_t i = 0; i < n; i++) {
			f[i].at = fx_below(&r, 4) ? (int64_t)fx_below(&r, 1000) : 0;
			f[i].node = fx_below(&r, 2) ? (int32_t)fx_below(&r, nodes) : -1;
			f[i].link_a = f[i].link_b = -1;
			if (fx_below(&r, 2)) {
				uint32_t a = fx_below(&r, nodes), b = (a + 1 + fx_below(&r, nodes - 1)) % nodes;
				if (f[i].node >= 0 && fx_below(&r, 2))
					a = (uint32_t)f[i].node; /* the node must be an end of its link */
				else if (f[i].node >= 0)
					b = (uint32_t)f[i].node;
				if (a == b)
					b = (a + 1) % nodes;
				f[i].link_a = (int32_t)a;
				f[i].link_b = (int32_t)b;
			}
			f[i].nth = 1 + fx_below(&r, 20);
			f[i].count = fx_below(&r, 3) ? 1 : 1 + fx_below(&r, 5);
		}
		sim_fault_index *x = sim_fault_index_new(f, n);
		assert_non_null(x);
		int64_t now = 0;
		for (int d = 0; d < 400; d++) {
			now += fx_below(&r, 3) ? 0 : fx_below(&r, 20); /* often several datagrams at one instant */
			uint32_t from = fx_below(&r, nodes), to = fx_below(&r, 8) ? fx_below(&r, nodes) : UINT32_MAX;
			if (to == from)
				to = UINT32_MAX; /* the simulator passes "no route" for itself */
			int want = naive(f, n, seen, now, from, to);
			int got = sim_fault_index_match(x, now, from, to);
			if (got != want)
				fail_msg("world %d datagram %d (t=%lld %u->%u): index %d, plain rule %d", world, d, (long long)now,
					 from, to, got, want);
			drops += (size_t)want;
			total++;
		}
		sim_fault_index_free(x);
		free(f);
		free(seen);
	}
	/* Both outcomes must be common, or the comparison proves little. */
	assert_true(drops > total / 20 && drops < total - total / 20);
}

/* Wide drop_next ranges and nth at the top of uint32 do not overflow the group counters. */
static void extreme_counts(void **state)
{
	(void)state;
	sim_fault_spec f[2] = { { .at = 0, .node = -1, .link_a = -1, .link_b = -1, .nth = UINT32_MAX, .count = UINT32_MAX },
				{ .at = 5, .node = 0, .link_a = -1, .link_b = -1, .nth = 2, .count = UINT32_MAX } };
	sim_fault_index *x = sim_fault_index_new(f, 2);
	assert_non_null(x);
	assert_int_equal(sim_fault_index_match(x, 0, 0, 1), 0);
	assert_int_equal(sim_fault_index_match(x, 5, 0, 1), 0); /* the second fault's first datagram */
	assert_int_equal(sim_fault_index_match(x, 5, 1, 0), 0); /* not from node 0 */
	for (int i = 0; i < 100; i++)
		assert_int_equal(sim_fault_index_match(x, 6, 0, UINT32_MAX), 1);
	sim_fault_index_free(x);
	x = sim_fault_index_new(NULL, 0); /* no faults: nothing matches */
	assert_non_null(x);
	assert_int_equal(sim_fault_index_match(x, 0, 0, 1), 0);
	sim_fault_index_free(x);
}

size_t tests_scenario_faultidx(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(index_matches_the_plain_rule),
		cmocka_unit_test(extreme_counts),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
