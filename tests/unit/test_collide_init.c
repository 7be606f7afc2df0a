/*
 * Two IKE SAs where one is wanted: a rebooted peer's INITIAL_CONTACT clears its stale SA on the other side
 * (RFC 7296 2.4), and simultaneous IKE_SA_INIT from both sides ends with one IKE SA and one CHILD SA on each
 * side, the same one on both, whichever side starts first (the lowest-nonce rule of init_collide.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)
#define MS (1000LL * 1000)

static void start(pair *pr, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pair_start(pr, seed);
}

static void expect_one(pair *pr, int side)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_sa_count(pr->peer[side]), 1);
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
}

/* The responder reboots and initiates: its INITIAL_CONTACT makes the other side drop the stale SA, silently. */
static void reboot_initial_contact(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 81);
	pair_run(&pr, 5 * SEC);
	expect_one(&pr, 0);
	pair_reboot(&pr, 1, 8181);
	assert_int_equal(ike_peer_initiate(pr.peer[1], pr.now, 0), 0);
	pair_run_pending(&pr, pr.now + 5 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(INIT_CONTACT)"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"initial-contact\""), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"ike-deleted\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.initial_contact", "\"deleted\":1"), 1);
	/* silently: no Delete went to the rebooted peer */
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL"), 0);
	expect_one(&pr, 0);
	expect_one(&pr, 1);
	pair_free(&pr);
}

/* Without INITIAL_CONTACT (not configured) the stale SA stays beside the new one. */
static void reboot_without_initial_contact(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 82);
	pr.conn[1].initial_contact = false;
	pair_run(&pr, 5 * SEC);
	pair_reboot(&pr, 1, 8282);
	assert_int_equal(ike_peer_initiate(pr.peer[1], pr.now, 0), 0);
	pair_run_pending(&pr, pr.now + 5 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(INIT_CONTACT)"), 0);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 2);
	pair_free(&pr);
}

/* A second IKE SA to a peer we hold one with does not claim to be the only one. */
static void no_initial_contact_beside_another_sa(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 83);
	pair_run(&pr, 5 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "N(INIT_CONTACT)"), 1);
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	pair_run_pending(&pr, pr.now + 5 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "N(INIT_CONTACT)"), 1);
	/* handshakes one after the other are no collision: both SAs stay (a deliberate second SA) */
	assert_int_equal(pair_count(&pr, -1, "ike.collision", NULL), 0);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 2);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 2);
	pair_free(&pr);
}

/* The value of `key` (16 hex digits) in side's first trace line with `ev`, into out. */
static void field(const pair *pr, int side, const char *ev, const char *key, char out[17])
{
	for (size_t i = 0; i < pr->ntrace; i++) {
		const char *l = pr->trace[i], *p;
		if (l[0] != (char)('0' + side) || !strstr(l, ev) || !(p = strstr(l, key)))
			continue;
		memcpy(out, p + strlen(key), 16);
		out[16] = '\0';
		return;
	}
	fail_msg("side %d: no %s with %s", side, ev, key);
}

/* Both sides initiate, side 1 `delay` after side 0 (negative: side 0 after side 1). */
static void simultaneous(uint64_t seed, ike_time delay)
{
	pair pr;
	start(&pr, seed);
	int first = delay >= 0 ? 0 : 1;
	ike_time d = delay >= 0 ? delay : -delay;
	assert_int_equal(ike_peer_initiate(pr.peer[first], 0, 0), 0);
	pair_run_pending(&pr, d);
	pr.now = d;
	assert_int_equal(ike_peer_initiate(pr.peer[!first], d, 0), 0);
	pair_run_pending(&pr, 10 * SEC);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.state", "\"to\":\"ESTABLISHED\""), 4);
	/* overlapping handshakes: an IKE_AUTH that claims to be the only SA (sent before the peer's IKE_SA_INIT
	 * came in) clears nothing, the other SA being still half-open */
	assert_int_equal(pair_count(&pr, -1, "ike_sa.state", "\"transition\":\"initial-contact\""), 0);
	assert_int_equal(pair_count(&pr, -1, "ike.tx", "N(INIT_CONTACT)"), d > 2 * pr.latency ? 1 : 0);
	/* the loser's initiator saw the collision and deleted it; the other side names the same SAs if it saw both
	 * established (its Delete may arrive first: then the loser is gone before the winner is up there) */
	assert_int_equal(pair_count(&pr, -1, "ike.collision", "\"deleted-by\":\"us\""), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.collision", "\"deleted-by\":\"peer\""),
			 pair_count(&pr, -1, "ike.collision", NULL) - 1);
	int us = pair_count(&pr, 0, "ike.collision", "\"deleted-by\":\"us\"") ? 0 : 1;
	if (pair_count(&pr, !us, "ike.collision", NULL)) {
		char lose[2][17], keep[2][17];
		for (int s = 0; s < 2; s++) {
			field(&pr, s, "ike.collision", "\"delete-initiator-spi\":\"", lose[s]);
			field(&pr, s, "ike.collision", "\"keep-initiator-spi\":\"", keep[s]);
		}
		assert_string_equal(lose[0], lose[1]);
		assert_string_equal(keep[0], keep[1]);
	}
	assert_int_equal(pair_count(&pr, -1, "ike_sa.state", "lost a collision"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike_sa.state", "\"transition\":\"delete-recv\""), 1);
	expect_one(&pr, 0);
	expect_one(&pr, 1);
	assert_int_equal(pair_count(&pr, -1, "\"ev\":\"error\"", NULL) + pair_count(&pr, -1, " error ", NULL), 0);
	pair_free(&pr);
}

static void simultaneous_same_time(void **state)
{
	(void)state;
	for (uint64_t seed = 90; seed < 96; seed++) /* the lowest nonce lands on either SA */
		simultaneous(seed, 0);
}

static void simultaneous_side0_first(void **state)
{
	(void)state;
	simultaneous(97, 5 * MS);
	simultaneous(98, 25 * MS);
}

static void simultaneous_side1_first(void **state)
{
	(void)state;
	simultaneous(99, -5 * MS);
	simultaneous(100, -25 * MS);
}

size_t tests_collide_init(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(reboot_initial_contact),
		cmocka_unit_test(reboot_without_initial_contact),
		cmocka_unit_test(no_initial_contact_beside_another_sa),
		cmocka_unit_test(simultaneous_same_time),
		cmocka_unit_test(simultaneous_side0_first),
		cmocka_unit_test(simultaneous_side1_first),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
