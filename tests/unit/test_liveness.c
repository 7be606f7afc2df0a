/*
 * Liveness (RFC 7296 2.4): DPD only when nothing was heard, answered checks, a dead peer found when the
 * retransmissions of any request give up, and what dpd_action makes of it (clear, restart from either role,
 * trap); deletes from either side, unknown CHILD SPIs, a Delete queued behind a liveness check, and a Delete
 * that is never answered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "sealfx.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)

/* Counts SA events per side and kind (pr->user). */
typedef struct ev_count {
	size_t n[2][8];
} ev_count;

static void count_event(pair *pr, int side, const ike_sa_event *ev)
{
	ev_count *c = pr->user;
	if (ev->kind < 8)
		c->n[side][ev->kind]++;
}

/* Drops everything side `side` sends while *(bool *)(user->cut[side]) is set. */
typedef struct link {
	ev_count ev;
	bool cut[2];
} link;

static bool link_filter(pair *pr, int side, size_t n, const uint8_t *d, size_t len)
{
	(void)n, (void)d, (void)len;
	return !((link *)pr->user)->cut[side];
}

static void up(pair *pr, link *l, uint64_t seed, ike_time dpd0, ike_time dpd1, uint8_t act0, uint8_t act1)
{
	memset(l, 0, sizeof(*l));
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->conn[0].dpd_delay = dpd0;
	pr->conn[1].dpd_delay = dpd1;
	pr->conn[0].dpd_action = act0;
	pr->conn[1].dpd_action = act1;
	pr->user = l;
	pr->filter = link_filter;
	pr->sa_hook = count_event;
	pair_start(pr, seed);
	pair_run(pr, 5 * SEC);
	assert_int_equal(pair_count(pr, -1, "ike_sa.state", "\"to\":\"ESTABLISHED\""), 2);
}

static void expect_up(pair *pr, int side)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
}

/* An idle SA is checked every dpd_delay, each check answered; the peer's own checks keep ours from going out. */
static void dpd_checks_idle_sa_only(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 61, 30 * SEC, 0, IKE_DPD_CLEAR, IKE_DPD_CLEAR);
	pair_run_pending(&pr, 100 * SEC);
	/* heard last at ~0.03 s (IKE_AUTH response): checks at ~30, ~60, ~90 s */
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"sent\""), 3);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"answered\""), 3);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"after\":30.000"), 3);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 2 [ ]"), 1);
	assert_int_equal(pair_count(&pr, 1, " dpd {", NULL), 0);
	expect_up(&pr, 0);
	expect_up(&pr, 1);
	pair_free(&pr);

	/* side 1 checks every 20 s: side 0 hears from it more often than its own 30 s, so it never asks */
	up(&pr, &l, 62, 30 * SEC, 20 * SEC, IKE_DPD_CLEAR, IKE_DPD_CLEAR);
	pair_run_pending(&pr, 100 * SEC);
	assert_int_equal(pair_count(&pr, 1, " dpd {", "\"action\":\"answered\""), 4);
	assert_int_equal(pair_count(&pr, 0, " dpd {", NULL), 0);
	pair_free(&pr);
}

/* The peer vanishes: the check is retransmitted, then the peer is dead and (clear) the SAs are gone. */
static void dead_peer_clear(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 63, 10 * SEC, 0, IKE_DPD_CLEAR, IKE_DPD_CLEAR);
	l.cut[1] = true;
	pair_run_pending(&pr, 60 * SEC);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"sent\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.retransmit", NULL), 3);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"dead\""), 1);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"dpd-action\":\"clear\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"dead-peer\""), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"ike-deleted\""), 1);
	assert_int_equal(l.ev.n[0][IKE_EV_IKE_DOWN], 1);
	assert_int_equal(l.ev.n[0][IKE_EV_IKE_FAILED], 0);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 0);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1); /* it never heard a thing */
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
	assert_string_equal(st.ike_state, "NONE");
	assert_true(st.timed_out);
	pair_free(&pr);
}

/* A 1 ns dpd_delay while a request of ours is out (review H11): DPD waits for that request, it does not wake the
 * SA every nanosecond; checks still go out whenever the SA is idle, and are answered. */
static void tiny_dpd_delay_while_busy(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 64, 0, 0, IKE_DPD_CLEAR, IKE_DPD_CLEAR);
	pr.conn[0].dpd_delay = 1; /* the peer reads its connection through this pointer: armed from the next message */
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	ike_time start = pr.now;
	size_t steps = pair_run_steps(&pr, start + SEC, 5000);
	assert_true(steps < 5000); /* before the fix: 5,000 wake-ups in the first 5 us */
	assert_true(pr.now > start + SEC / 2);
	assert_int_equal(pair_count(&pr, 0, "child_sa.rekeyed", NULL), 1);
	assert_true(pair_count(&pr, 0, " dpd {", "\"action\":\"answered\"") >= 10);
	assert_int_equal(pair_count(&pr, -1, " error {", NULL), 0); /* nor did the deadline loop guard fire */
	expect_up(&pr, 0);
	/* with the peer silent, the DPD deadline sits at the retransmission time, not 1 ns ahead */
	l.cut[1] = true;
	steps = pair_run_steps(&pr, pr.now + 30 * SEC, 5000);
	assert_true(steps < 5000);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"dead\""), 1);
	pair_free(&pr);
}

/* Any request counts: a CHILD Delete that is never answered finds the peer dead too (trap: a note). */
static void dead_peer_on_any_request_trap(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 64, 0, 0, IKE_DPD_TRAP, IKE_DPD_CLEAR);
	l.cut[1] = true;
	assert_int_equal(ike_peer_delete_child(pr.peer[0], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 60 * SEC);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"sent\""), 0);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"dpd-action\":\"trap\""), 1);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "waits for traffic"), 1);
	assert_int_equal(pair_count(&pr, 0, "child_sa.state", "\"transition\":\"deleting-ike-gone\""), 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 0);
	pair_free(&pr);
}

/* restart: the link goes down, the peer is found dead, the connection is initiated again and comes up once
 * the link is back; INITIAL_CONTACT in the new IKE_AUTH clears the stale SA on the other side. */
static void restart_after_link_down(int dead_side, uint64_t seed)
{
	pair pr;
	link l;
	up(&pr, &l, seed, dead_side ? 0 : 10 * SEC, dead_side ? 10 * SEC : 0, IKE_DPD_RESTART, IKE_DPD_RESTART);
	l.cut[0] = l.cut[1] = true;
	/* check at ~10 s, retransmissions 1 + 1.8 + 3.24 s later, dead at ~21.9 s (timeout 5.8 s after the last) */
	pair_run_pending(&pr, 24 * SEC);
	assert_int_equal(pair_count(&pr, dead_side, " dpd {", "\"action\":\"dead\""), 1);
	assert_int_equal(pair_count(&pr, dead_side, "ike_sa.state", "\"transition\":\"i-start\""), dead_side ? 1 : 2);
	l.cut[0] = l.cut[1] = false;
	pair_run_pending(&pr, 40 * SEC);
	for (int s = 0; s < 2; s++) {
		expect_up(&pr, s);
		assert_int_equal(ike_peer_sa_count(pr.peer[s]), 1);
	}
	/* the restarted SA's initiator is the side that found the peer dead, whatever its role was */
	assert_int_equal(pair_count(&pr, dead_side, "ike_sa.state", "\"transition\":\"i-auth-ok\""), 1 + !dead_side);
	assert_int_equal(pair_count(&pr, dead_side, "ike.tx", "N(INIT_CONTACT)"), 1 + !dead_side);
	assert_int_equal(pair_count(&pr, !dead_side, "ike_sa.state", "\"transition\":\"initial-contact\""), 1);
	pair_free(&pr);
}

static void dead_peer_restart_initiator(void **state)
{
	(void)state;
	restart_after_link_down(0, 65);
}

static void dead_peer_restart_responder(void **state)
{
	(void)state;
	restart_after_link_down(1, 66);
}

/* keyingtries: a restart whose attempts find the link still down tries again, as often as configured (0: for
 * ever). Dead at ~21.9 s; each attempt gives up ~11.9 s after it started; the link comes back at 50 s. */
static void restart_keyingtries(uint32_t tries, bool comes_up)
{
	pair pr;
	link l;
	memset(&l, 0, sizeof(l));
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].dpd_delay = 10 * SEC;
	pr.conn[0].dpd_action = IKE_DPD_RESTART;
	pr.conn[0].keyingtries = tries;
	pr.user = &l;
	pr.filter = link_filter;
	pair_start(&pr, 67);
	pair_run(&pr, 5 * SEC);
	l.cut[0] = l.cut[1] = true;
	pair_run_pending(&pr, 50 * SEC);
	l.cut[0] = l.cut[1] = false;
	pair_run_pending(&pr, 70 * SEC);
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
	assert_string_equal(st.ike_state, comes_up ? "ESTABLISHED" : "NONE");
	size_t failed = pair_count(&pr, 0, "\"what\":\"dpd restart\"", "failed");
	assert_int_equal(failed, comes_up ? 2 : tries); /* attempts 1 and 2 fail while the link is down */
	assert_int_equal(pair_count(&pr, 0, "\"what\":\"dpd restart\"", "giving up (keyingtries)"), !comes_up);
	if (tries == 3)
		assert_int_equal(pair_count(&pr, 0, "dpd restart", "attempt 2 of 3 failed"), 1);
	/* the first start and one IKE_SA_INIT per attempt */
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"i-start\""), 1 + (comes_up ? 3 : tries));
	pair_free(&pr);
}

static void restart_tries_keyingtries_times(void **state)
{
	(void)state;
	restart_keyingtries(1, false);
	restart_keyingtries(2, false);
	restart_keyingtries(3, true);
	restart_keyingtries(0, true);
}

/* The responder deletes the IKE SA: an empty response, both sides' SAs and CHILD SAs gone. */
static void ike_delete_from_responder(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 67, 0, 0, IKE_DPD_CLEAR, IKE_DPD_CLEAR);
	assert_int_equal(ike_peer_delete(pr.peer[1], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "INFORMATIONAL request 0 [ D ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL response 0 [ ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"delete-recv\""), 1);
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "\"transition\":\"delete-done\""), 1);
	for (int s = 0; s < 2; s++) {
		assert_int_equal(ike_peer_sa_count(pr.peer[s]), 0);
		assert_int_equal(l.ev.n[s][IKE_EV_IKE_DOWN], 1);
	}
	pair_free(&pr);
}

/* A Delete naming CHILD SPIs we do not have: answered with no Delete payload, nothing closed. */
static void delete_of_unknown_child_spis(void **state)
{
	(void)state;
	pair pr;
	sealfx_conf c;
	sealfx_keys k;
	uint8_t inner[64], spis[8] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x01, 0x00 }, pt[256], first = 0xff;
	memset(&c, 0, sizeof(c));
	sealfx_establish(&pr, &c, 68);
	sealfx_read_keys(&pr, &k);
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_delete(&b, 3, 4, spis, 2);
	sealfx_request(&pr, &k, V2_INFORMATIONAL, 2, &b);
	size_t n = sealfx_open(&pr, &k, 1, c.last[1], c.last_len[1], pt, sizeof(pt), &first);
	assert_int_equal(n, 0);
	assert_int_equal(first, 0);
	sealfx_expect(&pr, 0, "ESTABLISHED", "INSTALLED", 0);
	sealfx_expect(&pr, 1, "ESTABLISHED", "INSTALLED", 0);
	pair_free(&pr);
}

/* A Delete asked for while our liveness check is out waits for its answer, then goes with the next ID. */
static void delete_queued_behind_dpd(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 69, 10 * SEC, 0, IKE_DPD_CLEAR, IKE_DPD_CLEAR);
	/* heard last at 0.04 s (IKE_AUTH response): the check goes at 10.04 s, its answer is back at 10.06 s */
	pair_run_pending(&pr, 10 * SEC + 45 * 1000 * 1000);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"sent\""), 1);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"answered\""), 0);
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"delete-sent\""), 0);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 0, " dpd {", "\"action\":\"answered\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 2 [ ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "INFORMATIONAL request 3 [ D ]"), 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 0);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

/* Half-closed: our Delete(IKE) is never answered; after the retransmissions the SA is destroyed anyway. */
static void unanswered_delete_destroys(void **state)
{
	(void)state;
	pair pr;
	link l;
	up(&pr, &l, 70, 0, 0, IKE_DPD_RESTART, IKE_DPD_CLEAR);
	l.cut[1] = true;
	assert_int_equal(ike_peer_delete(pr.peer[0], pr.now, 0), 1);
	pair_run_pending(&pr, pr.now + 60 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.retransmit", "INFORMATIONAL"), 3);
	assert_int_equal(pair_count(&pr, 0, "ike_sa.state", "\"transition\":\"delete-timeout\""), 1);
	assert_int_equal(pair_count(&pr, 0, " dpd {", NULL), 0); /* not a dead peer: no restart */
	assert_int_equal(pair_count(&pr, 0, "\"transition\":\"i-start\"", NULL), 1);
	assert_int_equal(l.ev.n[0][IKE_EV_IKE_DOWN], 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 0);
	/* the peer got the Delete; only its answer was lost */
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 0);
	pair_free(&pr);
}

size_t tests_liveness(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(dpd_checks_idle_sa_only),
		cmocka_unit_test(dead_peer_clear),
		cmocka_unit_test(tiny_dpd_delay_while_busy),
		cmocka_unit_test(dead_peer_on_any_request_trap),
		cmocka_unit_test(dead_peer_restart_initiator),
		cmocka_unit_test(dead_peer_restart_responder),
		cmocka_unit_test(restart_tries_keyingtries_times),
		cmocka_unit_test(ike_delete_from_responder),
		cmocka_unit_test(delete_of_unknown_child_spis),
		cmocka_unit_test(delete_queued_behind_dpd),
		cmocka_unit_test(unanswered_delete_destroys),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
