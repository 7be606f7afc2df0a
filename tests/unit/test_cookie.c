/* Responder cookies (RFC 7296 2.6): demanded only at cookie_threshold half-open SAs, stateless, checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pair.h"
#include "test_list.h.in"
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)
#define COOKIE_DATA_AT (V2_HDR_LEN + 4 + 4) /* generic header, then protocol, SPI size, type */

/* One datagram kept by a host or a filter. */
typedef struct cookie_cap {
	uint8_t data[2048];
	size_t len;
} cookie_cap;

static void cap_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	cookie_cap *c = ctx;
	(void)from;
	(void)to;
	assert_true(n <= sizeof(c->data));
	memcpy(c->data, d, n);
	c->len = n;
}

static void drop_queue(pair *pr)
{
	for (size_t i = 0; i < pr->nq; i++)
		free(pr->q[i].data);
	pr->nq = 0;
}

/* Leaves the responder one half-open SA: another initiator's IKE_SA_INIT from side 0's address. */
static void ghost_half_open(pair *pr)
{
	cookie_cap c = { .len = 0 };
	ike_host h = { .ctx = &c, .send = cap_send };
	static const uint8_t seed[] = "ghost";
	ike_peer_cfg pc = { .name = "ghost", .crypto = pr->crypto, .seed = seed, .seed_len = sizeof(seed),
			    .conns = &pr->conn[0], .n_conns = 1 };
	ike_peer *g = ike_peer_new(&pc, &h);
	assert_non_null(g);
	assert_int_equal(ike_peer_initiate(g, pr->now, 0), 0);
	ike_peer_input(pr->peer[1], pr->now, &pr->conn[0].local, &pr->conn[1].local, c.data, c.len);
	ike_peer_free(g);
	drop_queue(pr); /* the responder's answer is for the ghost, not side 0 */
	assert_int_equal(ike_peer_sa_count(pr->peer[1]), 1);
}

static void expect_up(const pair *pr, int side)
{
	ike_conn_status st;
	assert_int_equal(ike_peer_conn_status(pr->peer[side], 0, &st), 0);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
}

static void start(pair *pr, uint32_t threshold, uint64_t seed)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->cookie_threshold[1] = threshold;
	pair_start(pr, seed);
}

static void no_cookie_below_threshold(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 1, 40);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, 0);
	expect_up(&pr, 1);
	/* The first SA left CONNECTING when it was established, so a second handshake is not asked either. */
	pair_run(&pr, 20 * SEC);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 2);
	assert_int_equal(pair_count(&pr, -1, "N(COOKIE)", NULL), 0);
	pair_free(&pr);
}

static void cookie_demanded_at_threshold(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 1, 41);
	ghost_half_open(&pr);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, 0);
	expect_up(&pr, 1);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "IKE_SA_INIT response 0 [ N(COOKIE) ]"), 1);
	assert_int_equal(pair_count(&pr, 1, "cookie demanded: 1 half-open SAs", NULL), 1);
	assert_int_equal(pair_count(&pr, 0, "ike.tx", "IKE_SA_INIT request 0 [ N(COOKIE) SA KE No"), 1);
	pair_free(&pr);
}

static void threshold_zero_never_demands(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 0, 42);
	ghost_half_open(&pr);
	pair_run(&pr, 10 * SEC);
	expect_up(&pr, 0);
	assert_int_equal(pair_count(&pr, -1, "N(COOKIE)", NULL), 0);
	pair_free(&pr);
}

static void half_open_timeout_lifts_the_demand(void **state)
{
	(void)state;
	pair pr;
	start(&pr, 1, 43);
	ghost_half_open(&pr);
	pair_run(&pr, 40 * SEC); /* the ghost's SA times out at 30 s */
	assert_int_equal(pair_count(&pr, 1, "ike_sa.state", "half-open IKE SA timed out"), 1);
	pair_run(&pr, 60 * SEC);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(COOKIE)"), 1);
	pair_free(&pr);
}

/* Keeps (and drops) side 0's retry with the cookie; remembers side 1's last datagram. */
typedef struct cookie_seen {
	cookie_cap retry, answer;
} cookie_seen;

static bool keep_retry(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	cookie_seen *s = pr->user;
	cookie_cap *c = side ? &s->answer : n == 2 ? &s->retry : NULL;
	if (c) {
		assert_true(len <= sizeof(c->data));
		memcpy(c->data, data, len);
		c->len = len;
	}
	return !(side == 0 && n == 2);
}

static void wrong_cookie_gets_a_fresh_one(void **state)
{
	(void)state;
	pair pr;
	cookie_seen s = { .retry.len = 0 };
	start(&pr, 1, 44);
	ghost_half_open(&pr);
	pr.user = &s;
	pr.filter = keep_retry;
	pair_run(&pr, SEC / 2); /* before the retry's retransmission */
	assert_true(s.retry.len > COOKIE_DATA_AT);
	assert_int_equal(ike_get_u16(s.retry.data + COOKIE_DATA_AT - 2), V2_N_COOKIE);
	assert_int_equal(s.retry.data[COOKIE_DATA_AT], 1); /* the cookie's version byte */
	cookie_cap first = s.answer, bad = s.retry;
	bad.data[COOKIE_DATA_AT + 5] ^= 0x40;
	ike_peer_input(pr.peer[1], pr.now, &pr.conn[0].local, &pr.conn[1].local, bad.data, bad.len);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 1);
	assert_int_equal(pair_count(&pr, 1, "cookie invalid, sent a fresh one: 1 half-open SAs", NULL), 1);
	/* Same request, same secret: the fresh cookie is the valid one again. */
	assert_int_equal(s.answer.len, first.len);
	assert_memory_equal(s.answer.data, first.data, first.len);
	ike_peer_input(pr.peer[1], pr.now, &pr.conn[0].local, &pr.conn[1].local, s.retry.data, s.retry.len);
	assert_int_equal(ike_peer_sa_count(pr.peer[1]), 2);
	assert_int_equal(pair_count(&pr, 1, "ike.tx", "N(COOKIE)"), 2);
	pair_free(&pr);
}

size_t tests_cookie(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(no_cookie_below_threshold),
		cmocka_unit_test(cookie_demanded_at_threshold),
		cmocka_unit_test(threshold_zero_never_demands),
		cmocka_unit_test(half_open_timeout_lifts_the_demand),
		cmocka_unit_test(wrong_cookie_gets_a_fresh_one),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
