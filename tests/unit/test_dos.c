/*
 * Responder DoS protection and unauthenticated input (issue 7): per-IP cookie and block thresholds,
 * the half-open limit, a trace that stays small under a flood, SPIi 0, and forged IKE_SA_INIT error
 * notifies that must not end an initiator's attempt (RFC 7296 2.6, 2.21.1, 3.1).
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
#include "wire/v2.h"

#define SEC (1000LL * 1000 * 1000)
#define FLOOD 10000

/* A responder alone, fed by hand: what it sends and how much it traces. */
typedef struct victim {
	ike_crypto *crypto;
	ike_conn_cfg conn;
	ike_child_cfg child;
	ike_peer *peer;
	size_t n_sent, trace_bytes, n_events, n_refused_events;
	uint64_t cookies_counted, blocked_counted, limit_counted, dropped_counted, rl_counted, dup_counted;
	uint8_t last[2048];
	size_t last_len;
} victim;

static uint64_t field_u64(const char *fields, const char *key)
{
	char want[64];
	snprintf(want, sizeof(want), "\"%s\":", key);
	const char *p = strstr(fields, want);
	return p ? strtoull(p + strlen(want), NULL, 10) : 0;
}

static void v_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	victim *v = ctx;
	(void)from;
	(void)to;
	v->n_sent++;
	assert_true(n <= sizeof(v->last));
	memcpy(v->last, d, n);
	v->last_len = n;
}

static void v_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	victim *v = ctx;
	(void)now;
	v->n_events++;
	v->trace_bytes += strlen(ev) + strlen(fields) + 40; /* about what a JSON line adds around them */
	if (strcmp(ev, "ike.refused") == 0) {
		v->n_refused_events++;
		v->cookies_counted += field_u64(fields, "cookies-sent");
		v->blocked_counted += field_u64(fields, "blocked-per-ip");
		v->limit_counted += field_u64(fields, "over-half-open-limit");
		v->dropped_counted += field_u64(fields, "dropped");
		v->rl_counted += field_u64(fields, "cookies-rate-limited");
		v->dup_counted += field_u64(fields, "answered-from-cache");
	}
}

/* The responder (side 1 of a default pair's config) with these thresholds. */
static void victim_new(victim *v, uint32_t cookie, uint32_t cookie_ip, uint32_t block, uint32_t limit)
{
	pair tmp;
	static const uint8_t seed[] = "victim";
	memset(v, 0, sizeof(*v));
	pair_init(&tmp, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	v->crypto = tmp.crypto;
	v->conn = tmp.conn[1];
	v->child = tmp.child[1];
	v->conn.children = &v->child;
	memset(v->conn.remote.ip, 0, sizeof(v->conn.remote.ip)); /* answers any address, as a road-warrior gateway */
	ike_host h = { .ctx = v, .send = v_send, .trace = v_trace };
	ike_peer_cfg pc = { .name = "victim", .crypto = v->crypto, .seed = seed, .seed_len = sizeof(seed),
			    .conns = &v->conn, .n_conns = 1, .cookie_threshold = cookie, .cookie_threshold_ip = cookie_ip,
			    .block_threshold = block, .half_open_limit = limit };
	v->peer = ike_peer_new(&pc, &h);
	assert_non_null(v->peer);
}

static void victim_free(victim *v)
{
	ike_peer_free(v->peer);
	ike_crypto_free(v->crypto);
}

/* One genuine IKE_SA_INIT request (an initiator's first message), to be replayed with other SPIs. */
typedef struct init_msg {
	uint8_t data[1024];
	size_t len;
} init_msg;

static void make_init(victim *v, init_msg *m)
{
	m->len = pair_first_init(v->crypto, m->data, sizeof(m->data));
}

/* Sends m with SPIi = spi from ip:port (IPv4 192.0.2.x / any port). */
static void send_from(victim *v, ike_time now, init_msg *m, uint64_t spi, uint8_t ip_last, uint16_t port)
{
	ike_addr from = { .family = 4, .port = port, .ip = { 192, 0, 2, ip_last } };
	for (int i = 0; i < 8; i++)
		m->data[i] = (uint8_t)(spi >> (56 - 8 * i));
	ike_peer_input(v->peer, now, &from, &v->conn.local, m->data, m->len);
}

/* The COOKIE data of the victim's last answer, or 0 length. */
static size_t last_cookie(const victim *v, uint8_t *out, size_t cap)
{
	v2_header h;
	v2_chain ch;
	uint8_t bad;
	v2_notify n;
	if (v2_parse_header(v->last, v->last_len, &h) != V2_OK ||
	    v2_parse_chain(h.next_payload, v->last + V2_HDR_LEN, h.length - V2_HDR_LEN, V2_HDR_LEN, &ch, &bad) != V2_OK ||
	    !ch.n || ch.pl[0].type != V2_PL_NOTIFY || v2_parse_notify(ch.pl[0].body, ch.pl[0].len, &n) != V2_OK ||
	    n.type != V2_N_COOKIE || n.len > cap)
		return 0;
	memcpy(out, n.data, n.len);
	return n.len;
}

/* m with N(COOKIE) = cookie as its first payload (RFC 7296 2.6), into out. */
static void with_cookie(const init_msg *m, const uint8_t *cookie, size_t clen, init_msg *out)
{
	size_t nl = 8 + clen;
	memcpy(out->data, m->data, V2_HDR_LEN);
	out->data[V2_HDR_LEN] = m->data[16]; /* the notify's next payload: the old first payload */
	out->data[V2_HDR_LEN + 1] = 0;
	out->data[V2_HDR_LEN + 2] = (uint8_t)(nl >> 8);
	out->data[V2_HDR_LEN + 3] = (uint8_t)nl;
	uint8_t nb[4] = { 0, 0, (uint8_t)(V2_N_COOKIE >> 8), (uint8_t)V2_N_COOKIE };
	memcpy(out->data + V2_HDR_LEN + 4, nb, 4);
	memcpy(out->data + V2_HDR_LEN + 8, cookie, clen);
	memcpy(out->data + V2_HDR_LEN + nl, m->data + V2_HDR_LEN, m->len - V2_HDR_LEN);
	out->len = m->len + nl;
	out->data[16] = V2_PL_NOTIFY;
	for (int i = 0; i < 4; i++)
		out->data[24 + i] = (uint8_t)(out->len >> (24 - 8 * i));
}

static void flood_one_ip_costs_three_sas_and_little_trace(void **state)
{
	(void)state;
	victim v;
	init_msg m;
	victim_new(&v, 30, 3, 5, 1000);
	make_init(&v, &m);
	for (uint32_t i = 0; i < FLOOD; i++)
		send_from(&v, 0, &m, 0x1000 + i, 7, (uint16_t)(1024 + i % 60000));
	/* strongSwan's cookie_threshold_ip 3: three half-open SAs, every later request answered with a cookie */
	assert_int_equal(ike_peer_sa_count(v.peer), 3);
	assert_int_equal(last_cookie(&v, (uint8_t[64]){ 0 }, 64) > 0, 1);
	size_t before = v.trace_bytes;
	/* the window ends: one event counts what was not traced one by one */
	assert_true(ike_peer_next_deadline(v.peer) <= 1 * SEC);
	ike_peer_expire(v.peer, 1 * SEC);
	assert_int_equal(v.n_refused_events, 1);
	assert_int_equal(v.cookies_counted + v.rl_counted, FLOOD - 3 - 8);
	/* each address:port sent once; only a hash collision in the lossy table can hold a cookie back */
	assert_true(v.rl_counted < 10);
	assert_int_equal(v.n_sent, FLOOD - v.rl_counted);
	print_message("trace after %d forged INITs from one IP: %zu bytes, %zu events\n", FLOOD, v.trace_bytes,
		      v.n_events);
	assert_true(before < 48 * 1024);
	victim_free(&v);
}

static void cookie_answering_flood_is_blocked_per_ip(void **state)
{
	(void)state;
	victim v;
	init_msg m, mc;
	uint8_t ck[64];
	victim_new(&v, 30, 3, 5, 1000);
	make_init(&v, &m);
	for (uint32_t i = 0; i < 20; i++) {
		send_from(&v, 0, &m, 0x2000 + i, 9, (uint16_t)(2000 + i));
		size_t cl = last_cookie(&v, ck, sizeof(ck));
		if (!cl)
			continue; /* below cookie_threshold_ip: admitted without one */
		with_cookie(&m, ck, cl, &mc);
		size_t sent = v.n_sent;
		send_from(&v, 0, &mc, 0x2000 + i, 9, (uint16_t)(2000 + i));
		/* a proven address is admitted until block_threshold 5, then dropped without an answer */
		assert_int_equal(v.n_sent - sent, ike_peer_sa_count(v.peer) <= 5 && i < 5 ? 1 : 0);
	}
	assert_int_equal(ike_peer_sa_count(v.peer), 5);
	/* another address is not affected by 192.0.2.9's count */
	send_from(&v, 0, &m, 0x3000, 10, 500);
	assert_int_equal(ike_peer_sa_count(v.peer), 6);
	/* the half-open SAs time out; the IP's count goes with them */
	ike_peer_expire(v.peer, 31 * SEC);
	assert_int_equal(ike_peer_sa_count(v.peer), 0);
	size_t sent = v.n_sent;
	send_from(&v, 32 * SEC, &m, 0x4000, 9, 2000);
	assert_int_equal(ike_peer_sa_count(v.peer), 1);
	assert_int_equal(v.n_sent - sent, 1);
	assert_int_equal(last_cookie(&v, ck, sizeof(ck)), 0);
	victim_free(&v);
}

static void cookies_per_address_port_are_rate_limited(void **state)
{
	(void)state;
	victim v;
	init_msg m;
	victim_new(&v, 1, 0, 0, 0);
	make_init(&v, &m);
	send_from(&v, 0, &m, 0x9000, 7, 4500); /* one half-open SA: cookies from now on */
	for (uint32_t i = 1; i <= 100; i++)
		send_from(&v, 0, &m, 0x9000 + i, 7, 4500);
	/* RFC 7296 2.21.4: one address:port gets 4 cookies a second, then silence */
	assert_int_equal(v.n_sent, 1 + 4);
	send_from(&v, 0, &m, 0xa000, 7, 4501); /* another port of the same host is answered */
	assert_int_equal(v.n_sent, 1 + 4 + 1);
	send_from(&v, 1 * SEC, &m, 0xa001, 7, 4500); /* and the next second, the first port again */
	assert_int_equal(v.n_sent, 1 + 4 + 1 + 1);
	ike_peer_flush(v.peer, 1 * SEC);
	assert_int_equal(v.rl_counted, 96 - (8 - 4)); /* 8 detailed traces: 4 cookies, then 4 of the limited */
	victim_free(&v);
}

static void half_open_limit_drops_silently(void **state)
{
	(void)state;
	victim v;
	init_msg m;
	victim_new(&v, 0, 0, 0, 4);
	make_init(&v, &m);
	for (uint32_t i = 0; i < 200; i++)
		send_from(&v, 0, &m, 0x5000 + i, (uint8_t)(i + 1), 500);
	assert_int_equal(ike_peer_sa_count(v.peer), 4);
	assert_int_equal(v.n_sent, 4);
	ike_peer_flush(v.peer, 0);
	assert_int_equal(v.limit_counted, 200 - 4 - 8);
	victim_free(&v);
}

static void many_ips_counted_and_released(void **state)
{
	(void)state;
	victim v;
	init_msg m;
	victim_new(&v, 0, 2, 0, 0);
	make_init(&v, &m);
	/* 250 addresses, two half-open SAs each: the per-IP table grows and every count is right */
	for (uint32_t i = 0; i < 500; i++)
		send_from(&v, 0, &m, 0x6000 + i, (uint8_t)(i % 250 + 1), (uint16_t)(600 + i));
	assert_int_equal(ike_peer_sa_count(v.peer), 500);
	for (uint32_t k = 0; k < 250; k++) {
		size_t sent = v.n_sent;
		send_from(&v, 0, &m, 0x7000 + k, (uint8_t)(k + 1), 9);
		assert_int_equal(v.n_sent - sent, 1);
		assert_true(last_cookie(&v, (uint8_t[64]){ 0 }, 64) > 0);
	}
	ike_peer_expire(v.peer, 31 * SEC);
	assert_int_equal(ike_peer_sa_count(v.peer), 0);
	for (uint32_t k = 0; k < 250; k++)
		send_from(&v, 31 * SEC, &m, 0x8000 + k, (uint8_t)(k + 1), 9);
	assert_int_equal(ike_peer_sa_count(v.peer), 250);
	victim_free(&v);
}

static void replayed_init_answered_from_cache_quietly(void **state)
{
	(void)state;
	victim v;
	init_msg m;
	victim_new(&v, 0, 0, 0, 0);
	make_init(&v, &m);
	for (int i = 0; i < 1000; i++)
		send_from(&v, 0, &m, 0xb000, 7, 500);
	/* one SA; every copy gets the cached response (RFC 7296 2.1), but only 8 are traced one by one */
	assert_int_equal(ike_peer_sa_count(v.peer), 1);
	assert_int_equal(v.n_sent, 1000);
	ike_peer_flush(v.peer, 0);
	assert_int_equal(v.dup_counted, 999 - 8);
	assert_true(v.trace_bytes < 16 * 1024);
	victim_free(&v);
}

static void zero_spi_i_is_dropped(void **state)
{
	(void)state;
	victim v;
	init_msg m;
	victim_new(&v, 0, 0, 0, 0);
	make_init(&v, &m);
	for (int i = 0; i < 3; i++)
		send_from(&v, i * SEC, &m, 0, 7, 500);
	assert_int_equal(ike_peer_sa_count(v.peer), 0);
	assert_int_equal(v.n_sent, 0);
	victim_free(&v);
}

/* ---- forged IKE_SA_INIT error notifies (RFC 7296 2.21.1) ---- */

static bool forge_filter(pair *pr, int side, size_t n, const uint8_t *data, size_t len)
{
	(void)len;
	(void)n;
	if (side != 0 || data[18] != V2_IKE_SA_INIT || (data[19] & V2_F_RESPONSE) || pr->nq + 1 >= PAIR_MAX_QUEUE)
		return true;
	/* an on-path attacker answers every IKE_SA_INIT at once with an unprotected NO_PROPOSAL_CHOSEN */
	uint8_t buf[64];
	v2_header h = { .major = 2, .exchange = V2_IKE_SA_INIT, .flags = V2_F_RESPONSE };
	for (int i = 0; i < 8; i++)
		h.spi_i = h.spi_i << 8 | data[i];
	v2_builder b;
	v2_begin(&b, buf, sizeof(buf), &h);
	v2_add_notify(&b, 0, NULL, 0, V2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	size_t fl = v2_finish(&b, 0);
	assert_true(fl > 0);
	pair_dgram *d = &pr->q[pr->nq++];
	d->at = pr->now + pr->latency / 2;
	d->to_peer = 0;
	d->from = pr->conn[1].local;
	d->to = pr->conn[0].local;
	d->len = fl;
	d->data = malloc(fl);
	memcpy(d->data, buf, fl);
	/* mode 2: the real request never arrives either */
	return *(const int *)pr->user != 2;
}

/* Runs a pair whose initiator is answered by a forger at once (mode 1), or only by the forger (mode 2). */
static void run_forged(pair *pr, int *mode, uint64_t seed, ike_time limit, ike_conn_status *st)
{
	pair_init(pr, "aes128gcm16-prfsha256-x25519", "aes128gcm16");
	pr->latency = 20 * 1000 * 1000;
	pr->filter = forge_filter;
	pr->record_trace = true;
	pr->user = mode;
	pair_start(pr, seed);
	pair_run(pr, limit);
	assert_int_equal(ike_peer_conn_status(pr->peer[0], 0, st), 0);
}

static void forged_init_error_does_not_abort(void **state)
{
	(void)state;
	pair pr;
	ike_conn_status st;
	int mode = 1;
	run_forged(&pr, &mode, 77, 10 * SEC, &st);
	assert_string_equal(st.ike_state, "ESTABLISHED");
	assert_string_equal(st.child_state, "INSTALLED");
	assert_int_equal(st.last_error, 0);
	assert_int_equal(pair_count(&pr, 0, "IKE_SA_INIT error notify", "NO_PROPOSAL_CHOSEN"), 1);
	pair_free(&pr);
}

static void init_error_again_after_retransmission_fails(void **state)
{
	(void)state;
	pair pr;
	ike_conn_status st;
	int mode = 2;
	run_forged(&pr, &mode, 78, 60 * SEC, &st);
	assert_string_equal(st.ike_state, "NONE");
	assert_int_equal(st.last_error, V2_N_NO_PROPOSAL_CHOSEN);
	/* it waited for the retransmission's answer: failed one retransmission timeout (1 s) later */
	assert_int_equal(pair_count(&pr, 0, "ike.retransmit", "IKE_SA_INIT"), 1);
	assert_int_equal(pair_count(&pr, 0, "ike_sa failed", "again after a retransmission"), 1);
	pair_free(&pr);
}

size_t tests_dos(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(flood_one_ip_costs_three_sas_and_little_trace),
		cmocka_unit_test(cookie_answering_flood_is_blocked_per_ip),
		cmocka_unit_test(cookies_per_address_port_are_rate_limited),
		cmocka_unit_test(half_open_limit_drops_silently),
		cmocka_unit_test(many_ips_counted_and_released),
		cmocka_unit_test(replayed_init_answered_from_cache_quietly),
		cmocka_unit_test(zero_spi_i_is_dropped),
		cmocka_unit_test(forged_init_error_does_not_abort),
		cmocka_unit_test(init_error_again_after_retransmission_fails),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
