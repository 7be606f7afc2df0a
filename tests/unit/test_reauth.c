/*
 * Reauthentication (RFC 7296 2.8.3, engine/ikev2/reauth.c): make-before-break from either side, break-before-
 * make, a reauth time that survives IKE rekeys, and a failed reauthentication that leaves the old IKE SA up.
 * After each, both ends hold exactly one IKE SA with the same keys and every CHILD SA re-created.
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

#define SEC (1000LL * 1000 * 1000)

static const v2_ike_sa *only_sa(const ike_peer *p)
{
	assert_int_equal(ike_peer_sa_count(p), 1);
	for (size_t b = 0; b < p->nbuckets; b++)
		if (p->by_local[b])
			return p->by_local[b];
	fail_msg("no SA");
	return NULL;
}

/* One IKE SA per side with the same SPIs and keys, n CHILD SAs installed and paired, nothing outstanding. */
static void settled(const pair *pr, size_t n)
{
	const v2_ike_sa *a = only_sa(pr->peer[0]), *b = only_sa(pr->peer[1]);
	assert_int_equal(a->state, V2_IKE_ESTABLISHED);
	assert_int_equal(b->state, V2_IKE_ESTABLISHED);
	assert_true(a->spi_i == b->spi_i && a->spi_r == b->spi_r);
	size_t k = 0;
	for (const v2_child_sa *c = a->children; c; c = c->next, k++) {
		const v2_child_sa *d = v2_child_find_in(b, c->spi_out);
		assert_non_null(d);
		assert_int_equal(c->state, V2_CHILD_INSTALLED);
		assert_int_equal(d->state, V2_CHILD_INSTALLED);
		assert_int_equal(c->keymat_len, d->keymat_len);
		assert_memory_equal(c->keymat, d->keymat, c->keymat_len);
	}
	assert_int_equal(k, n);
	assert_int_equal(a->keys_len, b->keys_len);
	assert_memory_equal(a->keys, b->keys, a->keys_len);
	assert_int_equal(a->ntasks + b->ntasks, 0);
	assert_null(a->req);
	assert_null(b->req);
}

/* A pair with two CHILD SAs per connection ("first" in IKE_AUTH, "second" by CREATE_CHILD_SA). */
static void two_children(pair *pr, ike_child_cfg two[2][2])
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	for (int s = 0; s < 2; s++) {
		two[s][0] = two[s][1] = pr->child[s];
		two[s][0].name = "first";
		two[s][1].name = "second";
		two[s][1].start = IKE_CHILD_START_START;
		char err[64];
		assert_int_equal(ike_ts_parse(s ? "10.4.0.0/16" : "10.3.0.0/16", &two[s][1].local_ts[0], err, sizeof(err)), 0);
		assert_int_equal(ike_ts_parse(s ? "10.3.0.0/16" : "10.4.0.0/16", &two[s][1].remote_ts[0], err, sizeof(err)), 0);
		pr->conn[s].children = two[s];
		pr->conn[s].n_children = 2;
	}
	pr->record_trace = true;
}

/* Index of the first trace line of `side` containing a and b, at or after `from`; ntrace if none. */
static size_t line_of(const pair *pr, int side, size_t from, const char *a, const char *b)
{
	for (size_t i = from; i < pr->ntrace; i++)
		if (pr->trace[i][0] == '0' + side && strstr(pr->trace[i], a) && (!b || strstr(pr->trace[i], b)))
			return i;
	return pr->ntrace;
}

/* Make-before-break by `side` (the connection's initiator or responder) 100 s after the tunnel came up. */
static void mbb(int side, uint64_t seed)
{
	pair pr;
	ike_child_cfg two[2][2];
	two_children(&pr, two);
	pr.conn[side].ike_life = (ike_life_cfg){ .reauth = 100 * SEC };
	pr.conn[side].reauth_mbb = true;
	pair_start(&pr, seed);
	pair_run(&pr, 10 * SEC);
	settled(&pr, 2);
	uint64_t old_i = only_sa(pr.peer[0])->spi_i;
	pair_run_pending(&pr, 150 * SEC);
	settled(&pr, 2);
	const v2_ike_sa *n = only_sa(pr.peer[side]);
	assert_true(n->initiator); /* whoever reauthenticates initiates the new IKE SA */
	assert_int_not_equal(n->spi_i, old_i);
	char want[64];
	snprintf(want, sizeof(want), "\"old-initiator-spi\":\"%016llx\"", (unsigned long long)old_i);
	assert_int_equal(pair_count(&pr, side, "ike_sa.rekeyed", "\"reason\":\"reauth\""), 1);
	assert_int_equal(pair_count(&pr, side, "ike_sa.rekeyed", want), 1);
	assert_int_equal(pair_count(&pr, side, "ike_sa.rekeyed", "\"mode\":\"make-before-break\""), 1);
	assert_int_equal(pair_count(&pr, !side, "ike_sa.rekeyed", NULL), 0);
	/* a full new authentication: a second IKE_SA_INIT and IKE_AUTH from the reauthenticating side */
	assert_int_equal(pair_count(&pr, side, "ike.tx", "IKE_AUTH request"), side == 0 ? 2 : 1);
	/* no INITIAL_CONTACT (the old SA exists) and no simultaneous-IKE_SA_INIT verdict */
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "INIT_CONTACT"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.initial_contact", NULL), 1); /* the first IKE SA's, deleting none */
	assert_int_equal(pair_count(&pr, -1, "ike.initial_contact", "\"deleted\":0"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.collision", NULL), 0);
	/* made before broken: the new IKE SA and its second CHILD SA are up before the old SA's Delete */
	size_t up2 = line_of(&pr, side, line_of(&pr, side, 0, "ike_sa.state", "\"to\":\"ESTABLISHED\"") + 1,
			     "ike_sa.state", "\"to\":\"ESTABLISHED\"");
	size_t second = line_of(&pr, side, up2, "child_sa.state", "\"child\":\"second\"");
	size_t del = line_of(&pr, side, 0, "ike_sa.state", "\"transition\":\"delete-sent\"");
	assert_true(up2 < second && second < del && del < pr.ntrace);
	assert_non_null(strstr(pr.trace[del], "reauthenticated"));
	assert_int_equal(pair_count(&pr, -1, " error {", NULL), 0);
	pair_free(&pr);
}

static void mbb_by_initiator(void **state)
{
	(void)state;
	mbb(0, 101);
}

static void mbb_by_responder(void **state)
{
	(void)state;
	mbb(1, 102);
}

static void break_before_make(void **state)
{
	(void)state;
	pair pr;
	ike_child_cfg two[2][2];
	two_children(&pr, two);
	pr.conn[0].ike_life = (ike_life_cfg){ .reauth = 100 * SEC };
	pr.conn[0].reauth_mbb = false;
	pair_start(&pr, 103);
	pair_run(&pr, 150 * SEC);
	settled(&pr, 2);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.rekeyed", "\"mode\":\"break-before-make\""), 1);
	/* broken before made: the old SA is gone (its Delete answered) before the new IKE_SA_INIT */
	size_t gone = line_of(&pr, 0, 0, "ike_sa.state", "\"transition\":\"delete-done\"");
	size_t start = line_of(&pr, 0, 1 + line_of(&pr, 0, 0, "ike_sa.state", "\"transition\":\"i-start\""), "ike_sa.state",
			       "\"transition\":\"i-start\"");
	assert_true(gone < start && start < pr.ntrace);
	assert_non_null(strstr(pr.trace[line_of(&pr, 0, 0, "ike_sa.state", "\"transition\":\"delete-sent\"")],
			       "break-before-make"));
	assert_int_equal(pair_count(&pr, -1, " error {", NULL), 0);
	pair_free(&pr);
}

/* IKE rekeys at ~40 s and ~80 s do not push the reauthentication back: it still comes at 100 s. */
static void reauth_time_survives_rekeys(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].ike_life = (ike_life_cfg){ .rekey = 40 * SEC, .reauth = 100 * SEC };
	pr.conn[0].reauth_mbb = true;
	pr.record_trace = true;
	pair_start(&pr, 104);
	pair_run(&pr, 110 * SEC);
	settled(&pr, 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.rekeyed", "\"reason\":\"lifetime\""), 2);
	size_t r = line_of(&pr, 0, 0, "ike_sa.rekeyed", "\"reason\":\"reauth\"");
	assert_true(r < pr.ntrace);
	assert_true(pr.trace_t[r] >= 100 * SEC && pr.trace_t[r] < 101 * SEC);
	pair_free(&pr);
}

/* The peer refuses the new authentication: the old IKE SA and its CHILD SA stay as they were. */
static void failed_reauth_keeps_old(void **state)
{
	(void)state;
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].ike_life = (ike_life_cfg){ .reauth = 100 * SEC };
	pr.conn[0].reauth_mbb = true;
	pr.record_trace = true;
	pair_start(&pr, 105);
	pair_run(&pr, 10 * SEC);
	uint64_t old_i = only_sa(pr.peer[0])->spi_i;
	static const uint8_t other[] = "not the secret";
	pr.conn[1].psk = other; /* the peers read their config live: the next IKE_AUTH fails */
	pr.conn[1].psk_len = sizeof(other) - 1;
	pair_run_pending(&pr, 150 * SEC);
	settled(&pr, 1);
	assert_int_equal(only_sa(pr.peer[0])->spi_i, old_i);
	assert_int_equal(pair_count(&pr, 0, "error", "reauthentication failed"), 1);
	assert_int_equal(pair_count(&pr, 0, "reauthentication failed", "attempt 1 of 1: "), 1);
	assert_int_equal(pair_count(&pr, 0, "reauthentication failed", "giving up (keyingtries): the old IKE SA stays"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.rekeyed", NULL), 0);
	pair_free(&pr);
}

static const uint8_t wrong_psk[] = "not the secret";

/* Side 1 gets its right PSK back once side 0 saw `n` reauthentication attempts fail (pr->user: the count). */
static void fix_psk_after(pair *pr, int side, const ike_sa_event *ev)
{
	size_t *failed = pr->user;
	if (side == 0 && ev->kind == IKE_EV_IKE_FAILED && --*failed == 0) {
		pr->conn[1].psk = (const uint8_t *)"secret";
		pr->conn[1].psk_len = 6;
	}
}

/* keyingtries: a failed reauthentication is tried again at once, up to that many attempts in all. */
static void reauth_keyingtries(uint32_t tries, size_t fail_first, bool done)
{
	pair pr;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].ike_life = (ike_life_cfg){ .reauth = 100 * SEC };
	pr.conn[0].reauth_mbb = true;
	pr.conn[0].keyingtries = tries;
	size_t left = fail_first;
	pr.user = &left;
	pr.sa_hook = fix_psk_after;
	pair_start(&pr, 107);
	pair_run(&pr, 10 * SEC);
	assert_string_equal((const char *)pr.conn[1].psk, "secret");
	uint64_t old_i = only_sa(pr.peer[0])->spi_i;
	pr.conn[1].psk = wrong_psk;
	pr.conn[1].psk_len = sizeof(wrong_psk) - 1;
	pair_run_pending(&pr, 150 * SEC);
	settled(&pr, 1);
	assert_true((only_sa(pr.peer[0])->spi_i != old_i) == done);
	size_t failures = done ? fail_first : tries;
	assert_int_equal(pair_count(&pr, 0, "error", "reauthentication failed"), failures);
	assert_int_equal(pair_count(&pr, 0, "reauthentication failed", "trying again"), done ? failures : failures - 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.rekeyed", "\"reason\":\"reauth\""), done);
	pair_free(&pr);
}

static void failed_reauth_tried_again(void **state)
{
	(void)state;
	reauth_keyingtries(3, 3, false); /* three attempts, all refused: the old SA stays */
	reauth_keyingtries(3, 2, true);  /* the third attempt goes through */
	reauth_keyingtries(0, 5, true);  /* for ever */
}

/* Both sides reauthenticate at the same moment (make-before-break): the two new IKE SAs' handshakes overlap and
 * the simultaneous IKE_SA_INIT rule keeps one; both old SAs go; one IKE SA with both CHILD SAs remains. */
static void both_sides_at_once(void **state)
{
	(void)state;
	pair pr;
	ike_child_cfg two[2][2];
	two_children(&pr, two);
	for (int s = 0; s < 2; s++) {
		pr.conn[s].ike_life = (ike_life_cfg){ .reauth = 100 * SEC };
		pr.conn[s].reauth_mbb = true;
	}
	pair_start(&pr, 106);
	pair_run(&pr, 150 * SEC);
	settled(&pr, 2);
	assert_int_equal(pair_count(&pr, -1, "ike.collision", NULL), 2); /* both sides name the same loser */
	pair_free(&pr);
}

size_t tests_reauth(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(mbb_by_initiator),
		cmocka_unit_test(mbb_by_responder),
		cmocka_unit_test(break_before_make),
		cmocka_unit_test(reauth_time_survives_rekeys),
		cmocka_unit_test(failed_reauth_keeps_old),
		cmocka_unit_test(failed_reauth_tried_again),
		cmocka_unit_test(both_sides_at_once),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
