/* NAT traversal (RFC 7296 2.23, RFC 3948 2.3): port switch, forced encapsulation, which address changes an SA
 * follows, NAT keepalives, and a late IKE_SA_INIT after the switch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzzrand.h"
#include "host/frame.h"
#include "pair.h"
#include "statefz.h"
#include "test_list.h.in"

#define SEC (1000LL * 1000 * 1000)

/* What the tests keep of the wire: each side's datagrams by number (a copy of the first few), and SA events. */
typedef struct natt_ctx {
	uint8_t msg[2][8][1024];
	size_t len[2][8];
	ike_addr from[2][8], to[2][8];
	int moved[2];          /* IKE_EV_IKE_MOVED events per side */
	ike_addr moved_to[2];  /* the last one's new remote */
	int child_nat[2];      /* ike_child_keys.nat of the last CHILD_UP, -1 none */
} natt_ctx;

static bool keep(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	natt_ctx *x = pr->user;
	if (n >= 1 && n <= 8 && len <= sizeof(x->msg[0][0])) {
		memcpy(x->msg[side][n - 1], data, len);
		x->len[side][n - 1] = len;
	}
	return true;
}

static void on_event(pair *pr, int side, const ike_sa_event *ev)
{
	natt_ctx *x = pr->user;
	if (ev->kind == IKE_EV_IKE_MOVED) {
		assert_non_null(ev->old_local);
		assert_non_null(ev->old_remote);
		x->moved[side]++;
		x->moved_to[side] = *ev->remote;
	}
	if (ev->kind == IKE_EV_CHILD_UP && ev->child)
		x->child_nat[side] = ev->child->nat;
}

static void start(pair *pr, natt_ctx *x, uint64_t seed)
{
	memset(x, 0, sizeof(*x));
	x->child_nat[0] = x->child_nat[1] = -1;
	pr->filter = keep;
	pr->user = x;
	pr->sa_hook = on_event;
	pair_start(pr, seed);
}

static void expect_up(pair *pr, int side)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
}

/* encap = yes on the initiator, no NAT at all: both see one, IKE_AUTH goes 4500 -> 4500 with the marker. */
static void forced_encap_switches_ports(void **state)
{
	(void)state;
	pair pr;
	natt_ctx x;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].encap = true;
	start(&pr, &x, 31);
	pair_run(&pr, 30 * SEC);
	expect_up(&pr, 0);
	expect_up(&pr, 1);
	assert_int_equal(pair_count(&pr, 0, "ike.natd", "\"local-behind-nat\":false,\"remote-behind-nat\":false,\"forced\":true"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.natd", "\"local-behind-nat\":false,\"remote-behind-nat\":true"), 1);
	assert_int_equal(pair_count(&pr, 1, "ike.natd", "forced"), 0);
	/* the initiator's switch, both ports, before IKE_AUTH */
	assert_int_equal(pair_count(&pr, 0, "ike.float", "\"from\":\"192.0.2.2:500\",\"to\":\"192.0.2.2:4500\",\"local-from\":\"192.0.2.1:500\",\"local-to\":\"192.0.2.1:4500\""), 1);
	assert_int_equal(pair_count(&pr, 0, "IKE_AUTH request", "\"from\":\"192.0.2.1:4500\",\"to\":\"192.0.2.2:4500\""), 1);
	assert_int_equal(pair_count(&pr, 0, "IKE_SA_INIT request", "\"from\":\"192.0.2.1:500\",\"to\":\"192.0.2.2:500\""), 1);
	/* the responder moves with it (its own port too: the request came to 4500) and answers there */
	assert_int_equal(pair_count(&pr, 1, "ike.float", "IKE_AUTH request on the NAT-T ports"), 1);
	assert_int_equal(pair_count(&pr, 1, "IKE_AUTH response", "\"from\":\"192.0.2.2:4500\",\"to\":\"192.0.2.1:4500\""), 1);
	/* the datagrams of IKE_AUTH are on a port pair without 500: a host frames them with the non-ESP marker */
	assert_false(ike_host_frame_marked(500, 500));
	assert_true(ike_host_frame_marked(4500, 4500));
	assert_int_equal(x.moved[0], 1);
	assert_int_equal(x.moved[1], 1);
	assert_int_equal(x.child_nat[0], 1);
	assert_int_equal(x.child_nat[1], 1);
	/* later requests of both sides use the NAT-T ports */
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(pair_count(&pr, 1, "CREATE_CHILD_SA request", "\"from\":\"192.0.2.2:4500\",\"to\":\"192.0.2.1:4500\""), 1);
	pair_free(&pr);
}

/* Without NAT and without encap nothing moves and nobody sends keepalives. */
static void no_nat_no_switch(void **state)
{
	(void)state;
	pair pr;
	natt_ctx x;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].keepalive = pr.conn[1].keepalive = 2 * SEC;
	start(&pr, &x, 32);
	pair_run(&pr, 30 * SEC);
	expect_up(&pr, 0);
	assert_int_equal(pair_count(&pr, -1, "ike.float", NULL), 0);
	assert_int_equal(pair_count(&pr, 0, "IKE_AUTH request", "\"from\":\"192.0.2.1:500\",\"to\":\"192.0.2.2:500\""), 1);
	assert_int_equal(x.moved[0] + x.moved[1], 0);
	assert_int_equal(x.child_nat[0], 0);
	assert_int_equal(pr.raw_sent[0] + pr.raw_sent[1], 0);
	pair_free(&pr);
}

/*
 * Side 0 behind a NAT (its source port rewritten to 4501). Its later rebinding (4601) moves side 1's SA on an
 * authenticated request; a forged copy or an old request from yet another port does not, nor does a response;
 * and side 0, behind the NAT, never follows side 1.
 */
static void follows_only_natted_peer_on_authenticated_requests(void **state)
{
	(void)state;
	pair pr;
	natt_ctx x;
	ike_conn_status st;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.nat_port = 4501;
	start(&pr, &x, 33);
	pair_run(&pr, 30 * SEC);
	expect_up(&pr, 1);
	assert_int_equal(pair_count(&pr, 0, "ike.natd", "\"local-behind-nat\":true,\"remote-behind-nat\":false"), 1);
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_int_equal(st.remote.port, 4501);
	assert_int_equal(pair_count(&pr, 0, "IKE_AUTH request", "\"from\":\"192.0.2.1:4500\",\"to\":\"192.0.2.2:4500\""), 1);

	/* the NAT rebinds: side 0's next request (a CHILD rekey) comes from 4601 and side 1 follows */
	pr.nat_port = 4601;
	size_t before = pr.sent[0];
	assert_int_equal(ike_peer_rekey_child(pr.peer[0], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_int_equal(st.remote.port, 4601);
	assert_int_equal(pair_count(&pr, 1, "ike.float", "\"from\":\"192.0.2.1:4501\",\"to\":\"192.0.2.1:4601\""), 1);
	assert_int_equal(x.moved[1], 2); /* IKE_AUTH's move, then this one */
	assert_int_equal(x.moved_to[1].port, 4601);
	assert_true(before < 8 && x.len[0][before] > 0); /* side 0's CREATE_CHILD_SA request, as first sent */

	/* a forged (one byte flipped) copy of it from port 4701: no move */
	uint8_t forged[1024];
	size_t fl = x.len[0][before];
	memcpy(forged, x.msg[0][before], fl);
	forged[fl - 3] ^= 0x40;
	ike_addr evil = pr.conn[0].local;
	evil.port = 4701;
	ike_addr dst = pr.conn[1].local;
	dst.port = 4500;
	assert_int_equal(ike_peer_input(pr.peer[1], pr.now, &evil, &dst, forged, fl), IKE_INPUT_DROPPED);
	/* the genuine request again, from 4801: older than the last one answered (the old CHILD SA's Delete
	 * followed it), dropped; that Delete again from 4802: answered from the cache, there; neither moves */
	evil.port = 4801;
	assert_int_equal(ike_peer_input(pr.peer[1], pr.now, &evil, &dst, x.msg[0][before], fl), IKE_INPUT_DROPPED);
	evil.port = 4802;
	assert_true(x.len[0][before + 1] > 0);
	assert_int_equal(ike_peer_input(pr.peer[1], pr.now, &evil, &dst, x.msg[0][before + 1], x.len[0][before + 1]),
			 IKE_INPUT_CACHED);
	assert_int_equal(pr.q[pr.nq - 1].to.port, 4802);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_int_equal(st.remote.port, 4601);

	/* responses do not move an SA: side 1 asks, side 0's answer comes through a new mapping (4901) */
	pr.nat_port = 4901;
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 0), 1);
	pair_run_pending(&pr, pr.now + 10 * SEC);
	assert_int_equal(ike_peer_conn_status(pr.peer[1], 0, &st), 0);
	assert_int_equal(st.remote.port, 4601);
	assert_int_equal(x.moved[1], 2);

	/* side 0 is behind the NAT: an authenticated request of side 1 from another port does not move it */
	size_t n1 = pr.sent[1];
	assert_int_equal(ike_peer_rekey_child(pr.peer[1], pr.now, 0, 0), 1);
	assert_true(pr.nq > 0);
	pair_dgram d = pr.q[pr.nq - 1]; /* side 1's request, not delivered: we hand it over from another port */
	assert_int_equal(d.to_peer, 0);
	pr.nq--;
	ike_addr other = d.from;
	other.port = 4999;
	assert_int_equal(ike_peer_input(pr.peer[0], pr.now, &other, &d.to, d.data, d.len), IKE_INPUT_PROCESSED);
	free(d.data);
	assert_true(pr.sent[1] > n1);
	assert_int_equal(ike_peer_conn_status(pr.peer[0], 0, &st), 0);
	assert_int_equal(st.remote.port, 4500);
	assert_int_equal(pr.q[pr.nq - 1].to.port, 4999); /* its answer goes where the request came from */
	assert_int_equal(pair_count(&pr, 0, "ike.float", "new address"), 0);
	pair_free(&pr);
}

/* Keepalives: from the side behind the NAT only, after `keepalive` without sending; never while it sends. */
static void keepalive_timing(void **state)
{
	(void)state;
	pair pr;
	natt_ctx x;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.nat_port = 4501;
	pr.conn[0].keepalive = pr.conn[1].keepalive = 5 * SEC;
	start(&pr, &x, 34);
	pair_run(&pr, 62 * SEC);
	expect_up(&pr, 0);
	assert_int_equal(pr.raw_sent[1], 0); /* not behind a NAT */
	/* up at about 40 ms; then one every 5 s of silence: 5.04, 10.04, ..., 60.04 */
	assert_int_equal(pr.raw_sent[0], 12);
	assert_int_equal(pair_count(&pr, 0, "ike.keepalive", "\"from\":\"192.0.2.1:4500\",\"to\":\"192.0.2.2:4500\""), 12);
	assert_int_equal(pr.raw_from[0].port, 4500);
	ike_time first = 0, prev = 0;
	for (size_t i = 0; i < pr.ntrace; i++) {
		if (pr.trace[i][0] != '0' || !strstr(pr.trace[i], "ike.keepalive"))
			continue;
		if (!first)
			first = pr.trace_t[i];
		else
			assert_int_equal(pr.trace_t[i] - prev, 5 * SEC);
		prev = pr.trace_t[i];
	}
	assert_true(first > 5 * SEC && first < 5 * SEC + SEC / 10);
	pair_free(&pr);

	/* DPD every 3 s keeps side 0 talking: no keepalive is needed */
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.nat_port = 4501;
	pr.conn[0].keepalive = 5 * SEC;
	pr.conn[0].dpd_delay = 3 * SEC;
	start(&pr, &x, 35);
	pair_run(&pr, 60 * SEC);
	expect_up(&pr, 0);
	assert_true(pair_count(&pr, 0, "\"dpd\"", NULL) + pair_count(&pr, 0, "INFORMATIONAL request", NULL) >= 10);
	assert_int_equal(pr.raw_sent[0], 0);
	pair_free(&pr);

	/* keepalive 0 = off */
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.nat_port = 4501;
	start(&pr, &x, 36);
	pair_run(&pr, 60 * SEC);
	expect_up(&pr, 0);
	assert_int_equal(pr.raw_sent[0], 0);
	pair_free(&pr);
}

/* A late retransmit of the IKE_SA_INIT request from port 500, after both moved to 4500: no second SA. */
static void late_init_after_switch(void **state)
{
	(void)state;
	pair pr;
	natt_ctx x;
	pair_init(&pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr.conn[0].encap = true;
	start(&pr, &x, 37);
	pair_run(&pr, 30 * SEC);
	expect_up(&pr, 1);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	assert_true(x.len[0][0] > 0);
	enum ike_input_result r =
		ike_peer_input(pr.peer[1], pr.now, &pr.conn[0].local, &pr.conn[1].local, x.msg[0][0], x.len[0][0]);
	assert_int_equal(r, IKE_INPUT_DROPPED);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	pair_free(&pr);
}

/* The stateful driver's schedules (loss, reordering, duplicates, replays, forged bytes from other ports) with
 * NAT-T on: every invariant holds after every step, handshakes complete, keepalives are one 0xFF byte. */
static void natt_stateful_schedules(void **state)
{
	(void)state;
	ike_crypto *c = ike_crypto_new();
	assert_non_null(c);
	uint64_t rs = 0x7a7a5eedULL;
	uint8_t sched[240];
	size_t established = 0, forged = 0, keepalives = 0, moves = 0;
	for (int k = 0; k < 200; k++) {
		size_t len = 48 + fuzz_below(&rs, sizeof(sched) - 48);
		for (size_t i = 0; i < len; i++)
			sched[i] = (uint8_t)(fuzz_below(&rs, 3) ? fuzz_below(&rs, 3) : fuzz_rnd(&rs));
		statefz_stats st;
		char why[256];
		if (statefz_run_natt(c, sched, len, &st, why, sizeof(why)) != 0)
			fail_msg("schedule %d: %s", k, why);
		established += st.established > 0;
		forged += st.forged;
		keepalives += st.keepalives;
		moves += st.moves;
	}
	assert_true(established > 50);
	assert_true(forged > 0);
	assert_true(keepalives > 0);
	assert_true(moves > 0); /* MOBIKE address changes were among the actions */
	ike_crypto_free(c);
}

size_t tests_natt(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(forced_encap_switches_ports),
		cmocka_unit_test(no_nat_no_switch),
		cmocka_unit_test(follows_only_natted_peer_on_authenticated_requests),
		cmocka_unit_test(keepalive_timing),
		cmocka_unit_test(late_init_after_switch),
		cmocka_unit_test(natt_stateful_schedules),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
