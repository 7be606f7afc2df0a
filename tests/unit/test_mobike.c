/*
 * MOBIKE (RFC 4555): MOBIKE_SUPPORTED in IKE_AUTH and the move to 4500 it brings (3.3), UPDATE_SA_ADDRESSES from the
 * initiator's new address (3.5), the responder's return routability check with COOKIE2 (3.7), a NAT mapping change
 * seen through NAT detection in DPD (3.8), no implicit update with MOBIKE, forged and replayed updates, MOBIKE off.
 */
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

typedef struct mob_ctx {
	uint8_t upd[1024]; /* side 0's UPDATE_SA_ADDRESSES request as sent */
	size_t upd_len;
	size_t moved[2];   /* IKE_EV_IKE_MOVED per side */
	ike_addr moved_remote[2];
	bool drop_side0;   /* from now on side 0 sends nothing (its new path is one-way) */
} mob_ctx;

static void on_event(pair *pr, int side, const ike_sa_event *ev)
{
	mob_ctx *m = pr->user;
	if (ev->kind != IKE_EV_IKE_MOVED)
		return;
	m->moved[side]++;
	m->moved_remote[side] = *ev->remote;
}

/* Keeps side 0's first INFORMATIONAL request sent after it was told to (upd_len 1 = armed); drops when asked. */
static bool capture(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)n;
	mob_ctx *m = pr->user;
	if (side == 0 && m->drop_side0)
		return false;
	if (side == 0 && m->upd_len == 1 && len >= 28 && len <= sizeof(m->upd) && data[18] == 37 && !(data[19] & 0x20)) {
		memcpy(m->upd, data, len);
		m->upd_len = len;
	}
	return true;
}

static void mob_init(pair *pr, mob_ctx *m, bool on0, bool on1)
{
	memset(m, 0, sizeof(*m));
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->conn[0].mobike = on0;
	pr->conn[1].mobike = on1;
	pr->user = m;
	pr->sa_hook = on_event;
	pr->filter = capture;
}

static ike_addr addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	ike_addr x = { .family = 4, .port = port };
	x.ip[0] = a, x.ip[1] = b, x.ip[2] = c, x.ip[3] = d;
	return x;
}

static ike_conn_status status(const pair *pr, int side)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	return st;
}

static void update_moves_the_responder(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, true, true);
	pair_start(&pr, 41);
	pair_run(&pr, 10 * SEC);
	/* 3.2 and 3.3: both offered MOBIKE, and IKE_AUTH went to 4500 without a NAT */
	assert_int_equal(pair_count(&pr, 0, "IKE_AUTH request", "N(MOBIKE_SUP) N(NO_ADD_ADDR)"), 1);
	assert_int_equal(pair_count(&pr, 1, "IKE_AUTH response", "N(MOBIKE_SUP) N(NO_ADD_ADDR)"), 1);
	assert_int_equal(pair_count(&pr, 0, "IKE_AUTH request", "\"from\":\"192.0.2.1:4500\""), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.float", "MOBIKE offered"), 1);
	assert_int_equal(status(&pr, 1).remote.port, 4500);

	ike_addr now_mine = addr4(192, 0, 2, 77, 0);
	m.upd_len = 1;
	assert_int_equal(ike_peer_addresses_changed(pr.peer[0], pr.now, &now_mine, 1, false), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.mobike", "update-sent"), 1);
	assert_int_equal(pair_count(&pr, 0, "INFORMATIONAL request", "N(UPD_SA_ADDR) N(NATD_S_IP) N(NATD_D_IP) N(NO_ADD_ADDR) N(COOKIE2)"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "UPDATE_SA_ADDRESSES"), 1);
	assert_int_equal(pair_count(&pr, 1, "INFORMATIONAL response", "N(NATD_S_IP) N(NATD_D_IP) N(COOKIE2)"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.mobike", "update-answered"), 1);
	/* 3.7: the responder checked it can reach the new address */
	assert_int_equal(pair_count(&pr, 1, "ike.mobike", "rr-check-sent"), 1);
	assert_int_equal(pair_count(&pr, 0, "INFORMATIONAL response", "N(COOKIE2)"), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.mobike", "rr-check-passed"), 1);
	ike_conn_status st = status(&pr, 1);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_memory_equal(st.remote.ip, now_mine.ip, 4);
	assert_int_equal(st.remote.port, 4500);
	/* both hosts were told, so ESP follows; one IKE SA all along */
	assert_true(m.moved[0] >= 2 && m.moved[1] >= 2);
	assert_memory_equal(m.moved_remote[1].ip, now_mine.ip, 4);
	assert_int_equal(ike_peer_sa_count(pr.peer[0]), 1);
	assert_int_equal(pair_count(&pr, -1, "IKE_SA_INIT request", NULL), 2); /* tx and rx: the first and only */

	/* a replay of the update from elsewhere is a retransmission: answered from the cache, nothing moves */
	assert_true(m.upd_len > 1);
	ike_addr elsewhere = addr4(203, 0, 113, 9, 4500), gw = status(&pr, 0).remote;
	assert_int_not_equal(ike_peer_input(pr.peer[1], pr.now, &elsewhere, &gw, m.upd, m.upd_len), IKE_INPUT_PROCESSED);
	assert_memory_equal(status(&pr, 1).remote.ip, now_mine.ip, 4);
	pair_free(&pr);
}

static void forged_update_is_ignored(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, true, true);
	pair_start(&pr, 42);
	pair_run(&pr, 10 * SEC);
	ike_addr now_mine = addr4(192, 0, 2, 78, 0);
	m.upd_len = 1;
	m.drop_side0 = false;
	assert_int_equal(ike_peer_addresses_changed(pr.peer[0], pr.now, &now_mine, 1, false), 1);
	/* take the update off the wire before the responder sees it */
	assert_int_equal(pr.nq, 1);
	assert_true(m.upd_len > 1);
	free(pr.q[0].data);
	pr.nq = 0;
	ike_addr attacker = addr4(203, 0, 113, 66, 4500), to = status(&pr, 0).remote;
	to.port = 4500;
	uint8_t bad[1024];
	memcpy(bad, m.upd, m.upd_len);
	bad[m.upd_len - 1] ^= 1; /* ICV broken: not authenticated */
	assert_int_equal(ike_peer_input(pr.peer[1], pr.now, &attacker, &to, bad, m.upd_len), IKE_INPUT_DROPPED);
	ike_conn_status st = status(&pr, 1);
	assert_memory_equal(st.remote.ip, pr.conn[0].local.ip, 4);
	assert_int_equal(pair_count(&pr, 1, "ike.mobike", NULL), 0);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "UPDATE_SA_ADDRESSES"), 0);
	/* the genuine one, from where the initiator really is, moves it */
	ike_addr from = now_mine;
	from.port = 4500;
	assert_int_equal(ike_peer_input(pr.peer[1], pr.now, &from, &to, m.upd, m.upd_len), IKE_INPUT_PROCESSED);
	assert_memory_equal(status(&pr, 1).remote.ip, now_mine.ip, 4);
	pair_free(&pr);
}

/* 3.8: a NAT'ed initiator's DPD carries NATD; the responder answers over the address the check came from, the
 * initiator sees its mapping changed and updates. The responder never follows the new port by itself. */
static void nat_mapping_change_seen_through_natd(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, true, true);
	pr.nat_port = 31000;
	pr.conn[0].dpd_delay = 5 * SEC;
	pair_start(&pr, 43);
	pair_run(&pr, 8 * SEC); /* the first DPD (5 s) gives the NATD_D seen on the NAT-T port: the baseline */
	assert_int_equal(pair_count(&pr, 0, "INFORMATIONAL request", "[ N(NATD_S_IP) N(NATD_D_IP) ]"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.mobike", NULL), 0);
	assert_int_equal(status(&pr, 1).remote.port, 31000);
	pr.nat_port = 31001; /* the NAT rebooted: a new outside port */
	pair_run_pending(&pr, 13 * SEC); /* DPD at 10 s */
	assert_int_equal(pair_count(&pr, 0, "INFORMATIONAL request", "[ N(NATD_S_IP) N(NATD_D_IP) ]"), 2);
	assert_int_equal(pair_count(&pr, 0, "ike.mobike", "nat-mapping-changed"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "UPDATE_SA_ADDRESSES"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "NAT'ed peer"), 0); /* no 2.23 implicit update */
	assert_int_equal(status(&pr, 1).remote.port, 31001);
	assert_string_equal(status(&pr, 0).ike_state, "ESTABLISHED");
	pair_free(&pr);
}

/* Without MOBIKE the same DPD from a new port moves the responder implicitly (RFC 7296 2.23), with no NATD in it. */
static void without_mobike_the_nat_rule_applies(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, true, false);
	pr.nat_port = 31000;
	pr.conn[0].dpd_delay = 5 * SEC;
	pair_start(&pr, 44);
	pair_run(&pr, 3 * SEC);
	assert_int_equal(pair_count(&pr, 1, "IKE_AUTH response", "MOBIKE_SUP"), 0);
	pr.nat_port = 31001;
	pair_run_pending(&pr, 8 * SEC);
	assert_int_equal(pair_count(&pr, 0, "INFORMATIONAL request", "[ ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "NAT'ed peer"), 1);
	assert_int_equal(pair_count(&pr, -1, "ike.mobike", NULL), 0);
	assert_int_equal(status(&pr, 1).remote.port, 31001);
	pair_free(&pr);
}

static void mobike_off_changes_nothing(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, false, true);
	pair_start(&pr, 45);
	pair_run(&pr, 10 * SEC);
	assert_int_equal(pair_count(&pr, -1, "IKE_AUTH", "MOBIKE_SUP"), 0);
	assert_int_equal(pair_count(&pr, -1, "ike.float", NULL), 0); /* no NAT, no MOBIKE: IKE_AUTH stays on 500 */
	assert_int_equal(status(&pr, 1).remote.port, 500);
	ike_addr now_mine = addr4(192, 0, 2, 79, 0);
	assert_int_equal(ike_peer_addresses_changed(pr.peer[0], pr.now, &now_mine, 1, true), 0);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, -1, "ike.mobike", NULL), 0);
	assert_int_equal(pair_count(&pr, -1, "INFORMATIONAL", NULL), 0);
	/* a new initiation starts from the address the host has now, the configured one being gone */
	assert_int_equal(ike_peer_initiate(pr.peer[0], pr.now, 0), 0);
	assert_int_equal(pr.q[pr.nq - 1].from.ip[3], 79);
	assert_int_equal(ike_peer_addresses_changed(pr.peer[0], pr.now, NULL, 1, false), -1);
	pair_free(&pr);
}

/* 3.7: the initiator cannot be reached at its claimed address: the responder's COOKIE2 check goes unanswered
 * and the IKE SA ends as with a dead peer. */
static void unanswered_return_routability_check_ends_the_sa(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, true, true);
	pr.conn[1].retransmit = (ike_retransmit_cfg){ .base = SEC, .factor = 1, .tries = 2 };
	pair_start(&pr, 46);
	pair_run(&pr, 10 * SEC);
	ike_addr now_mine = addr4(192, 0, 2, 80, 0);
	assert_int_equal(ike_peer_addresses_changed(pr.peer[0], pr.now, &now_mine, 1, false), 1);
	pair_run_steps(&pr, pr.now + SEC, 1); /* the update reaches the responder, which answers and checks */
	m.drop_side0 = true;
	pair_run_pending(&pr, pr.now + 20 * SEC);
	assert_int_equal(pair_count(&pr, 1, "ike.mobike", "rr-check-sent"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.mobike", "rr-check-passed"), 0);
	assert_string_equal(status(&pr, 1).ike_state, "NONE");
	pair_free(&pr);
}

/* 3.5: retransmissions from a dead address run out; with another address the SA moves there and retries. */
static void dead_path_tries_another_address(void **state)
{
	(void)state;
	pair pr;
	mob_ctx m;
	mob_init(&pr, &m, true, true);
	pr.conn[0].retransmit = (ike_retransmit_cfg){ .base = SEC, .factor = 1, .tries = 2 };
	pr.conn[0].dpd_delay = 5 * SEC;
	pair_start(&pr, 47);
	ike_addr mine[2] = { pr.conn[0].local, addr4(192, 0, 2, 81, 0) };
	mine[0].port = 0;
	assert_int_equal(ike_peer_addresses_changed(pr.peer[0], 0, mine, 2, false), 0);
	pair_run(&pr, 3 * SEC);
	assert_int_equal(pair_count(&pr, 0, "IKE_AUTH request", "N(MOBIKE_SUP) N(ADD_4_ADDR)"), 1);
	m.drop_side0 = true; /* the first path dies: DPD at 5 s and its retransmissions at 6 and 7 s are lost */
	pair_run_pending(&pr, 8 * SEC);
	m.drop_side0 = false; /* at 8 s they ran out: the request goes again from the other address */
	pair_run_pending(&pr, 30 * SEC);
	assert_int_equal(pair_count(&pr, 0, "ike.float", "our path is dead"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.mobike", "update-answered"), 1);
	ike_conn_status st = status(&pr, 1);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_int_equal(st.remote.ip[3], 81);
	pair_free(&pr);
}

size_t tests_mobike(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(update_moves_the_responder),
		cmocka_unit_test(forged_update_is_ignored),
		cmocka_unit_test(nat_mapping_change_seen_through_natd),
		cmocka_unit_test(without_mobike_the_nat_rule_applies),
		cmocka_unit_test(mobike_off_changes_nothing),
		cmocka_unit_test(unanswered_return_routability_check_ends_the_sa),
		cmocka_unit_test(dead_path_tries_another_address),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
