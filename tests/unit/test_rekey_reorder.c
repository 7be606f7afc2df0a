/*
 * Simultaneous IKE rekeys (RFC 7296 2.8.2) with one side's CREATE_CHILD_SA response held back on the wire, so
 * that a Delete overtakes it (review H11: orphan IKE SAs piled up): either the winner's Delete of the old IKE SA
 * reaches the loser before the answer to the loser's rekey, or the loser's Delete of its redundant new IKE SA
 * reaches the winner before the answer to the winner's rekey. Every path must end with exactly one IKE SA and
 * one CHILD SA per side, the same on both, and no SA left with a request or task.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikev2/sa.h"
#include "pair.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)
#define MS (1000LL * 1000)

static const v2_ike_sa *only_sa(const ike_peer *p)
{
	assert_int_equal(ike_peer_sa_count(p), 1);
	for (size_t b = 0; b < p->nbuckets; b++)
		if (p->by_local[b])
			return p->by_local[b];
	fail_msg("no SA");
	return NULL;
}

/* The queued CREATE_CHILD_SA response side `from` sends, not held back yet; NULL if none. */
static pair_dgram *ccsa_response_of(pair *pr, int from)
{
	for (size_t i = 0; i < pr->nq; i++) {
		const pair_dgram *d = &pr->q[i];
		if (d->to_peer != from && d->len > 19 && d->data[18] == V2_CREATE_CHILD_SA && (d->data[19] & 0x20))
			return &pr->q[i];
	}
	return NULL;
}

/* Both sides rekey the IKE SA at once; side `slow`'s CREATE_CHILD_SA response is held back 50 ms on the wire.
 * Returns 1 if the side that got a Delete first kept its old IKE SA for the answer ("waiting"), else 0. */
static int reordered_collision(int slow, uint64_t seed)
{
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(&pr, seed);
	pair_run(&pr, 10 * SEC);
	uint32_t child = only_sa(pr.peer[0])->children->spi_in;
	for (int s = 0; s < 2; s++)
		assert_int_equal(ike_peer_rekey_ike(pr.peer[s], pr.now, 0), 1);
	bool held = false;
	ike_time end = pr.now + 60 * SEC;
	while (pair_run_steps(&pr, end, 1) == 1) {
		pair_dgram *d = held ? NULL : ccsa_response_of(&pr, slow);
		if (d) {
			d->at += 50 * MS; /* the other side's Delete now arrives first */
			held = true;
		}
	}
	assert_true(held);
	const v2_ike_sa *a = only_sa(pr.peer[0]), *b = only_sa(pr.peer[1]);
	assert_int_equal(a->state, V2_IKE_ESTABLISHED);
	assert_int_equal(b->state, V2_IKE_ESTABLISHED);
	assert_true(a->spi_i == b->spi_i && a->spi_r == b->spi_r);
	assert_non_null(a->children);
	assert_null(a->children->next);
	assert_non_null(b->children);
	assert_null(b->children->next);
	assert_int_equal(a->children->spi_in, child); /* the CHILD SA moved to the survivor, untouched */
	assert_int_equal(b->children->spi_out, child);
	assert_int_equal(a->children->state, V2_CHILD_INSTALLED);
	assert_int_equal(b->children->state, V2_CHILD_INSTALLED);
	assert_int_equal(a->keys_len, b->keys_len);
	assert_memory_equal(a->keys, b->keys, a->keys_len);
	assert_null(a->req);
	assert_null(b->req);
	assert_int_equal(a->ntasks + b->ntasks, 0);
	assert_false(a->unsettled || b->unsettled);
	assert_int_equal(pair_count(&pr, -1, " error {", "no IKE SA for these SPIs"), 0);
	int waited = pair_count(&pr, -1, "ike.task", "\"action\":\"waiting\"") > 0;
	pair_free(&pr);
	return waited;
}

static void delete_overtakes_rekey_response(void **state)
{
	(void)state;
	int waited = 0, runs = 0;
	for (uint64_t seed = 300; seed < 308; seed++)
		for (int slow = 0; slow < 2; slow++, runs++)
			waited += reordered_collision(slow, seed);
	/* either nonce order: the loser kept its old SA for the answer (Delete(old) first), or the winner met the
	 * Delete of the loser's redundant SA before its own answer */
	assert_true(waited > 0 && waited < runs);
}

/* xorshift64: the storm's own schedule (deterministic per seed). */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Every datagram newly queued gets 0..6 ms more on the wire: messages overtake each other. */
static void jitter_new(pair *pr, size_t *seen_sent, uint64_t *x)
{
	size_t sent = pr->sent[0] + pr->sent[1];
	for (size_t i = 0; i < pr->nq && sent != *seen_sent; i++)
		if (pr->q[i].at == pr->now + pr->latency)
			pr->q[i].at += (ike_time)(next_rand(x) % (6 * MS));
	*seen_sent = sent;
}

/* A storm of IKE rekeys (and, child_too, CHILD rekeys) from both sides over a reordering link; once it is
 * quiet, one IKE SA and one CHILD SA per side, the same on both (no orphan, nothing lost). */
static void rekey_storm(uint64_t seed, bool child_too)
{
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(&pr, seed);
	pair_run(&pr, 10 * SEC);
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t seen = pr.sent[0] + pr.sent[1];
	ike_time t = pr.now;
	for (int k = 0; k < 12; k++) {
		t += (ike_time)(next_rand(&x) % (8 * MS));
		while (pair_run_steps(&pr, t, 1) == 1)
			jitter_new(&pr, &seen, &x);
		pr.now = t;
		int side = (int)(next_rand(&x) & 1);
		if (!child_too || next_rand(&x) % 3)
			(void)ike_peer_rekey_ike(pr.peer[side], pr.now, 0);
		else
			(void)ike_peer_rekey_child(pr.peer[side], pr.now, 0, 0);
		jitter_new(&pr, &seen, &x);
	}
	while (pair_run_steps(&pr, pr.now + 600 * SEC, 1) == 1)
		jitter_new(&pr, &seen, &x);
	const v2_ike_sa *a = only_sa(pr.peer[0]), *b = only_sa(pr.peer[1]);
	if (!(a->spi_i == b->spi_i && a->spi_r == b->spi_r))
		fail_msg("seed %llu: the sides hold different IKE SAs", (unsigned long long)seed);
	assert_int_equal(a->state, V2_IKE_ESTABLISHED);
	assert_int_equal(b->state, V2_IKE_ESTABLISHED);
	if (!a->children || a->children->next || !b->children || b->children->next) {
		if (getenv("IKESIM_STORM_DUMP"))
			for (size_t i = 0; i < pr.ntrace; i++)
				fprintf(stderr, "%lld %s\n", (long long)pr.trace_t[i], pr.trace[i]);
		fail_msg("seed %llu: not one CHILD SA per side", (unsigned long long)seed);
	}
	assert_int_equal(a->children->spi_in, b->children->spi_out);
	assert_null(a->req);
	assert_null(b->req);
	pair_free(&pr);
}

static void rekey_storm_on_reordering_link(void **state)
{
	(void)state;
	/* IKESIM_STORM_RUNS=N runs more seeds (a longer hunt; 1,000 of each kind pass); the default keeps the suite
	 * quick. The second round mixes in CHILD rekeys: before the fixes, seed 18 left two CHILD SAs per side (a rekey
	 * of the 2.8.1 loser), seed 57 a CHILD SA whose Delete reached the unsettled new IKE SA, seed 221 a rekey of a
	 * CHILD SA the peer had not installed yet (answered CHILD_SA_NOT_FOUND). */
	const char *env = getenv("IKESIM_STORM_RUNS");
	uint64_t runs = env ? strtoull(env, NULL, 10) : 24;
	for (uint64_t seed = 1; seed <= runs; seed++)
		rekey_storm(seed, false);
	for (uint64_t seed = 1; seed <= runs; seed++)
		rekey_storm(seed, true);
}

size_t tests_rekey_reorder(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(delete_overtakes_rekey_response),
		cmocka_unit_test(rekey_storm_on_reordering_link),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
