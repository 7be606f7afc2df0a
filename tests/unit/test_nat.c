/*
 * The NAT box (netsim/nat.c) behaviour by behaviour, and forwarding in the built-in simulator: a router
 * between two nodes, a routing loop ending in a "ttl" drop, a NAT as a forwarding hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nat.h"
#include "sim.h"
#include "test_list.h.in"

#define SEC 1000000000LL

static ike_addr A(const char *ip, uint16_t port)
{
	ike_addr a;
	memset(&a, 0, sizeof(a));
	unsigned b[4];
	assert_int_equal(sscanf(ip, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]), 4);
	a.family = 4;
	for (int i = 0; i < 4; i++)
		a.ip[i] = (uint8_t)b[i];
	a.port = port;
	return a;
}

typedef struct evlog {
	size_t n[4];
	sim_nat_event last;
} evlog;

static void on_ev(void *ctx, const sim_nat_event *ev)
{
	evlog *l = ctx;
	if (!l)
		return;
	l->n[ev->kind]++;
	l->last = *ev;
}

static sim_nat *mk(sim_nat_cfg *c, const char *type, evlog *l)
{
	if (type)
		assert_int_equal(sim_nat_shorthand(type, c), 0);
	c->pool[0] = A("203.0.113.1", 0);
	c->n_pool = 1;
	sim_nat *n = sim_nat_new(c, on_ev, l);
	assert_non_null(n);
	return n;
}

/* Outbound from in to remote at t: the outside endpoint it left with (port 0 when dropped). */
static ike_addr out(sim_nat *n, int64_t t, ike_addr in, ike_addr remote, const char **why)
{
	const char *w = sim_nat_process(n, t, SIM_NAT_INSIDE, 17, &in, &remote);
	if (why)
		*why = w;
	if (w)
		in.port = 0;
	return in;
}

/* Inbound from remote to pub at t: NULL with *to the inside endpoint, or the drop reason. */
static const char *in(sim_nat *n, int64_t t, ike_addr remote, ike_addr pub, ike_addr *to)
{
	const char *w = sim_nat_process(n, t, SIM_NAT_OUTSIDE, 17, &remote, &pub);
	if (to)
		*to = pub;
	return w;
}

static void mapping_reuse_by_behaviour(void **state)
{
	(void)state;
	ike_addr h = A("10.1.0.2", 500), r1 = A("198.51.100.1", 500), r2 = A("198.51.100.2", 500),
		 r1b = A("198.51.100.1", 4500);
	sim_nat_cfg c;
	evlog l = { 0 };
	sim_nat_cfg_default(&c);
	sim_nat *n = mk(&c, "port-restricted", &l);
	ike_addr o1 = out(n, 0, h, r1, NULL), o2 = out(n, 1, h, r2, NULL);
	assert_int_equal(o1.port, 500); /* preserved */
	assert_int_equal(o2.port, 500); /* endpoint-independent: the same mapping */
	assert_int_equal(l.n[SIM_NAT_CREATED], 1);
	sim_nat_free(n);

	memset(&l, 0, sizeof(l));
	sim_nat_cfg_default(&c);
	n = mk(&c, "symmetric", &l);
	o1 = out(n, 0, h, r1, NULL);
	o2 = out(n, 1, h, r2, NULL);
	ike_addr o3 = out(n, 2, h, r1b, NULL), o4 = out(n, 3, h, r1, NULL);
	assert_int_not_equal(o1.port, o2.port);
	assert_int_not_equal(o1.port, o3.port); /* address-and-port-dependent: another port, another mapping */
	assert_int_equal(o1.port, o4.port);
	assert_int_equal(l.n[SIM_NAT_CREATED], 3);
	assert_int_equal(l.last.remote.family, 4); /* dependent mappings name their remote */
	sim_nat_free(n);

	memset(&l, 0, sizeof(l));
	sim_nat_cfg_default(&c);
	c.mapping = SIM_NAT_AD;
	n = mk(&c, NULL, &l);
	o1 = out(n, 0, h, r1, NULL);
	o3 = out(n, 1, h, r1b, NULL);
	o2 = out(n, 2, h, r2, NULL);
	assert_int_equal(o1.port, o3.port); /* address-dependent: same remote IP, same mapping */
	assert_int_not_equal(o1.port, o2.port);
	sim_nat_free(n);
}

static void filtering_by_behaviour(void **state)
{
	(void)state;
	static const char *const types[] = { "full-cone", "restricted", "port-restricted" };
	/* what gets in: [type][same endpoint, same IP other port, other IP] */
	static const int want[3][3] = { { 1, 1, 1 }, { 1, 1, 0 }, { 1, 0, 0 } };
	ike_addr h = A("10.1.0.2", 500), r = A("198.51.100.1", 500);
	ike_addr probes[3] = { r, A("198.51.100.1", 501), A("192.0.2.9", 500) };
	for (int t = 0; t < 3; t++) {
		sim_nat_cfg c;
		sim_nat_cfg_default(&c);
		sim_nat *n = mk(&c, types[t], NULL);
		ike_addr pub = out(n, 0, h, r, NULL), to;
		for (int p = 0; p < 3; p++) {
			const char *w = in(n, 1, probes[p], pub, &to);
			if (want[t][p]) {
				assert_null(w);
				assert_memory_equal(to.ip, h.ip, 4);
				assert_int_equal(to.port, 500);
			} else
				assert_string_equal(w, "filtered");
		}
		assert_string_equal(in(n, 1, r, A("203.0.113.1", 999), NULL), "no-mapping");
		sim_nat_stats st = sim_nat_get_stats(n);
		assert_int_equal(st.drops[SIM_NATD_NO_MAPPING], 1);
		sim_nat_free(n);
	}
}

static void timeout_and_refresh(void **state)
{
	(void)state;
	ike_addr h = A("10.1.0.2", 4500), r = A("198.51.100.1", 4500);
	sim_nat_cfg c;
	evlog l = { 0 };
	sim_nat_cfg_default(&c);
	c.timeout = 30 * SEC;
	sim_nat *n = mk(&c, "full-cone", &l);
	ike_addr pub = out(n, 0, h, r, NULL);
	assert_int_equal(sim_nat_next_expiry(n), 30 * SEC);
	out(n, 20 * SEC, h, r, NULL); /* outbound refreshes (a keepalive) */
	assert_int_equal(sim_nat_next_expiry(n), 50 * SEC);
	assert_int_equal(l.n[SIM_NAT_REFRESHED], 1); /* idle 20 s >= a quarter of 30 s: traced */
	assert_null(in(n, 45 * SEC, r, pub, NULL)); /* inbound does not refresh by default */
	assert_int_equal(sim_nat_next_expiry(n), 50 * SEC);
	sim_nat_expire(n, 50 * SEC - 1);
	assert_int_equal(l.n[SIM_NAT_EXPIRED], 0);
	assert_string_equal(in(n, 50 * SEC, r, pub, NULL), "no-mapping"); /* expired at exactly last + timeout */
	assert_int_equal(l.n[SIM_NAT_EXPIRED], 1);
	assert_int_equal(l.last.at, 50 * SEC);
	assert_int_equal(sim_nat_next_expiry(n), INT64_MAX);
	sim_nat_free(n);

	sim_nat_cfg_default(&c);
	c.timeout = 30 * SEC;
	c.refresh_inbound = 1;
	n = mk(&c, "full-cone", NULL);
	pub = out(n, 0, h, r, NULL);
	assert_null(in(n, 25 * SEC, r, pub, NULL));
	assert_int_equal(sim_nat_next_expiry(n), 55 * SEC);
	sim_nat_free(n);
}

static void port_preservation_and_parity(void **state)
{
	(void)state;
	ike_addr r = A("198.51.100.1", 500);
	sim_nat_cfg c;
	sim_nat_cfg_default(&c);
	sim_nat *n = mk(&c, "port-restricted", NULL);
	/* ten inside hosts all on port 500: the first keeps it, every one gets its own outside port */
	uint16_t ports[10];
	for (int i = 0; i < 10; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.1.0.%d", i + 2);
		ports[i] = out(n, i, A(ip, 500), r, NULL).port;
		for (int k = 0; k < i; k++)
			assert_int_not_equal(ports[i], ports[k]);
	}
	assert_int_equal(ports[0], 500);
	sim_nat_free(n);

	sim_nat_cfg_default(&c);
	c.port_preserve = 0;
	c.port_parity = 1;
	c.port_lo = 20000;
	n = mk(&c, "full-cone", NULL);
	for (int i = 0; i < 6; i++) {
		uint16_t ip = (uint16_t)(5001 + i);
		ike_addr o = out(n, i, A("10.1.0.2", ip), r, NULL);
		assert_int_equal(o.port & 1, ip & 1);
		assert_true(o.port >= 20000);
	}
	sim_nat_free(n);
}

static void hairpinning(void **state)
{
	(void)state;
	ike_addr a = A("10.1.0.2", 500), b = A("10.1.0.3", 4500), r = A("198.51.100.1", 500);
	for (int on = 0; on < 2; on++) {
		sim_nat_cfg c;
		sim_nat_cfg_default(&c);
		c.hairpin = (uint8_t)on;
		sim_nat *n = mk(&c, "full-cone", NULL);
		ike_addr pb = out(n, 0, b, r, NULL);
		ike_addr src = a, dst = pb;
		const char *w = sim_nat_process(n, 1, SIM_NAT_INSIDE, 17, &src, &dst);
		if (!on) {
			assert_string_equal(w, "hairpin-off");
			sim_nat_free(n);
			continue;
		}
		assert_null(w);
		assert_memory_equal(dst.ip, b.ip, 4); /* back inside, to b */
		assert_int_equal(dst.port, 4500);
		assert_memory_equal(src.ip, c.pool[0].ip, 4); /* from a's outside endpoint (RFC 4787 REQ-9) */
		assert_int_equal(src.port, 500);
		sim_nat_free(n);
	}
}

static void port_forwarding(void **state)
{
	(void)state;
	sim_nat_cfg c;
	evlog l = { 0 };
	sim_nat_cfg_default(&c);
	c.fwd[0] = (sim_nat_fwd){ 0, 500, A("10.1.0.2", 500) };
	c.fwd[1] = (sim_nat_fwd){ 0, 4500, A("10.1.0.2", 4500) };
	c.n_fwd = 2;
	c.max_mappings = 1;
	sim_nat *n = mk(&c, "symmetric", &l);
	ike_addr r = A("198.51.100.7", 500), to;
	assert_null(in(n, 0, r, A("203.0.113.1", 500), &to)); /* no outbound first: the rule lets it in */
	assert_memory_equal(to.ip, A("10.1.0.2", 0).ip, 4);
	/* the responder answers from its forwarded port, whatever the mapping behaviour */
	assert_int_equal(out(n, 1, A("10.1.0.2", 500), r, NULL).port, 500);
	sim_nat_flush(n, 2); /* a reboot keeps the rules */
	assert_null(in(n, 3, r, A("203.0.113.1", 4500), &to));
	assert_int_equal(to.port, 4500);
	assert_int_equal(sim_nat_get_stats(n).live, 0); /* rules are not counted against the limit */
	assert_int_equal(l.n[SIM_NAT_CREATED], 0);
	sim_nat_free(n);
}

static void reboot_loses_mappings(void **state)
{
	(void)state;
	sim_nat_cfg c;
	evlog l = { 0 };
	sim_nat_cfg_default(&c);
	sim_nat *n = mk(&c, "full-cone", &l);
	ike_addr r = A("198.51.100.1", 500);
	ike_addr p1 = out(n, 0, A("10.1.0.2", 500), r, NULL);
	out(n, 0, A("10.1.0.3", 500), r, NULL);
	sim_nat_flush(n, 5 * SEC);
	assert_int_equal(l.n[SIM_NAT_FLUSHED], 2);
	assert_int_equal(sim_nat_get_stats(n).live, 0);
	assert_string_equal(in(n, 6 * SEC, r, p1, NULL), "no-mapping");
	assert_int_equal(sim_nat_next_expiry(n), INT64_MAX);
	assert_int_equal(out(n, 7 * SEC, A("10.1.0.3", 500), r, NULL).port, 500); /* the port is free again */
	sim_nat_free(n);
}

static void mapping_limit(void **state)
{
	(void)state;
	sim_nat_cfg c;
	sim_nat_cfg_default(&c);
	c.max_mappings = 3;
	sim_nat *n = mk(&c, "symmetric", NULL);
	const char *why = NULL;
	for (int i = 0; i < 3; i++) {
		out(n, i, A("10.1.0.2", 500), A("198.51.100.1", (uint16_t)(500 + i)), &why);
		assert_null(why);
	}
	out(n, 4, A("10.1.0.2", 500), A("198.51.100.1", 600), &why);
	assert_string_equal(why, "nat-full");
	out(n, 4, A("10.1.0.2", 500), A("198.51.100.1", 501), &why); /* existing mappings still work */
	assert_null(why);
	sim_nat_stats st = sim_nat_get_stats(n);
	assert_int_equal(st.peak, 3);
	assert_int_equal(st.drops[SIM_NATD_FULL], 1);
	sim_nat_free(n);

	/* ports run out before the limit: also nat-full */
	sim_nat_cfg_default(&c);
	c.port_lo = c.port_hi = 40000;
	c.port_preserve = 0;
	n = mk(&c, "full-cone", NULL);
	out(n, 0, A("10.1.0.2", 500), A("198.51.100.1", 500), &why);
	assert_null(why);
	out(n, 0, A("10.1.0.3", 500), A("198.51.100.1", 500), &why);
	assert_string_equal(why, "nat-full");
	sim_nat_free(n);
}

static void esp_and_ipv6_dropped(void **state)
{
	(void)state;
	sim_nat_cfg c;
	sim_nat_cfg_default(&c);
	sim_nat *n = mk(&c, "full-cone", NULL);
	ike_addr f = A("10.1.0.2", 0), t = A("198.51.100.1", 0);
	assert_string_equal(sim_nat_process(n, 0, SIM_NAT_INSIDE, 50, &f, &t), "proto"); /* no IPsec ALG */
	t = A("203.0.113.1", 0);
	assert_string_equal(sim_nat_process(n, 0, SIM_NAT_OUTSIDE, 50, &f, &t), "proto");
	ike_addr f6 = f, t6 = t;
	f6.family = t6.family = 6;
	assert_string_equal(sim_nat_process(n, 0, SIM_NAT_INSIDE, 17, &f6, &t6), "ipv6");
	/* outside traffic to another address is routed, not translated */
	ike_addr o = A("10.1.0.9", 500), s = A("198.51.100.1", 500);
	assert_null(sim_nat_process(n, 0, SIM_NAT_OUTSIDE, 17, &s, &o));
	assert_int_equal(o.port, 500);
	assert_null(sim_nat_new(&(sim_nat_cfg){ .n_pool = 0 }, NULL, NULL)); /* no pool: refused */
	sim_nat_free(n);
}

/* --- forwarding in the simulator --- */

typedef struct rx {
	size_t n;
	int64_t at;
	ike_addr from, to;
} rx;

static void on_rx(void *ctx, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		  const uint8_t *data, size_t len)
{
	rx *r = ctx;
	(void)proto, (void)data, (void)len;
	r->n++;
	r->at = now;
	r->from = *from;
	r->to = *to;
}

static void count_tap(void *ctx, int64_t now, size_t link, int dir, uint8_t proto, const ike_addr *from,
		      const ike_addr *to, const uint8_t *data, size_t len, const char *why)
{
	size_t *n = ctx;
	(void)now, (void)link, (void)dir, (void)proto, (void)from, (void)to, (void)data, (void)len, (void)why;
	(*n)++;
}

static void router_forwards_two_hops(void **state)
{
	(void)state;
	sim *s = sim_new(1);
	rx ra = { 0 }, rr = { 0 }, rb = { 0 };
	size_t taps = 0;
	sim_link_cfg lc = { .latency = 5000000 };
	assert_int_equal(sim_add_node(s, "a", on_rx, &ra), 0);
	assert_int_equal(sim_add_node(s, "r", on_rx, &rr), 1);
	assert_int_equal(sim_add_node(s, "b", on_rx, &rb), 2);
	ike_addr aa = A("192.0.2.1", 500), ar = A("192.0.2.254", 0), ab = A("198.51.100.1", 500);
	sim_add_addr(s, 0, &aa);
	sim_add_addr(s, 1, &ar);
	sim_add_addr(s, 2, &ab);
	assert_int_equal(sim_add_link(s, 0, 1, &lc), 0);
	assert_int_equal(sim_add_link(s, 1, 2, &lc), 0);
	sim_set_tap(s, count_tap, &taps);
	uint8_t d[4] = { 1, 2, 3, 4 };
	sim_send(s, 0, &aa, &ab, d, sizeof(d)); /* r does not forward yet: no route */
	sim_run(s, SEC);
	assert_int_equal(rb.n, 0);
	assert_int_equal(sim_node_counts(s, 0).dropped, 1);
	assert_int_equal(sim_set_forward(s, 1, NULL, NULL), 0);
	sim_send(s, 0, &aa, &ab, d, sizeof(d)); /* a's one link leads to a router: its default */
	sim_send(s, 2, &ab, &aa, d, sizeof(d));
	sim_run(s, 2 * SEC);
	assert_int_equal(rb.n, 1);
	assert_int_equal(ra.n, 1);
	assert_int_equal(rr.n, 0); /* forwarded, not delivered to r */
	assert_int_equal(rb.at, 10000000); /* two hops of 5 ms (the clock stood at 0: nothing ran before) */
	assert_int_equal(taps, 4); /* every hop captured */
	/* an explicit route must go via a neighbour */
	assert_int_equal(sim_add_route(s, 0, &ab, 24, 2), -1);
	assert_int_equal(sim_add_route(s, 0, &ab, 24, 1), 0);
	sim_free(s);
}

static void routing_loop_ends_in_ttl(void **state)
{
	(void)state;
	sim *s = sim_new(1);
	rx r0 = { 0 };
	size_t taps = 0;
	sim_link_cfg lc = { .latency = 1000 };
	sim_add_node(s, "h", on_rx, &r0);
	sim_add_node(s, "r1", on_rx, &r0);
	sim_add_node(s, "r2", on_rx, &r0);
	ike_addr ah = A("10.0.0.1", 500), a1 = A("10.0.0.254", 0), a2 = A("10.0.1.254", 0), far = A("192.0.2.9", 500);
	sim_add_addr(s, 0, &ah);
	sim_add_addr(s, 1, &a1);
	sim_add_addr(s, 2, &a2);
	sim_add_link(s, 0, 1, &lc);
	sim_add_link(s, 1, 2, &lc);
	sim_set_forward(s, 1, NULL, NULL);
	sim_set_forward(s, 2, NULL, NULL);
	assert_int_equal(sim_add_route(s, 1, NULL, 0, 2), 0);
	assert_int_equal(sim_add_route(s, 2, NULL, 0, 1), 0);
	ike_addr net = A("192.0.2.0", 0);
	assert_int_equal(sim_add_route(s, 2, &net, 24, 1), 0); /* longer prefix, same loop */
	sim_set_tap(s, count_tap, &taps);
	uint8_t d[1] = { 0 };
	sim_send(s, 0, &ah, &far, d, 1);
	sim_run(s, SEC);
	assert_int_equal(taps, SIM_TTL); /* h's hop, then 63 forwards; the 64th hop's node drops it */
	assert_int_equal(sim_node_counts(s, 1).dropped + sim_node_counts(s, 2).dropped, 1);
	assert_int_equal(r0.n, 0);
	sim_free(s);
}

typedef struct natctx {
	sim_nat *nat;
	size_t inside_link;
} natctx;

static const char *nat_fwd(void *ctx, int64_t now, uint32_t node, size_t in_link, uint8_t proto, ike_addr *from,
			   ike_addr *to, uint8_t *data, size_t *len, size_t cap)
{
	natctx *c = ctx;
	(void)node, (void)data, (void)len, (void)cap;
	return sim_nat_process(c->nat, now, in_link == c->inside_link ? SIM_NAT_INSIDE : SIM_NAT_OUTSIDE, proto, from, to);
}

static void nat_as_forwarding_hook(void **state)
{
	(void)state;
	sim *s = sim_new(1);
	rx rh = { 0 }, rn = { 0 }, rg = { 0 };
	sim_link_cfg lc = { .latency = 1000 };
	sim_add_node(s, "h", on_rx, &rh);
	sim_add_node(s, "nat", on_rx, &rn);
	sim_add_node(s, "gw", on_rx, &rg);
	ike_addr ah = A("10.1.0.2", 500), pub = A("203.0.113.1", 0), ag = A("198.51.100.1", 500);
	sim_add_addr(s, 0, &ah);
	sim_add_addr(s, 1, &pub);
	sim_add_addr(s, 2, &ag);
	sim_add_link(s, 0, 1, &lc); /* link 0: inside */
	sim_add_link(s, 1, 2, &lc);
	sim_nat_cfg c;
	sim_nat_cfg_default(&c);
	natctx nc = { mk(&c, "port-restricted", NULL), 0 };
	sim_set_forward(s, 1, nat_fwd, &nc);
	sim_add_route(s, 1, NULL, 0, 2);
	uint8_t d[8] = { 0 };
	sim_send(s, 0, &ah, &ag, d, sizeof(d));
	sim_run(s, SEC);
	assert_int_equal(rg.n, 1);
	assert_memory_equal(rg.from.ip, pub.ip, 4);
	sim_send(s, 2, &ag, &rg.from, d, sizeof(d)); /* the answer comes back in */
	ike_addr other = ag;
	other.port = 4500;
	sim_send(s, 2, &other, &rg.from, d, sizeof(d)); /* another port: filtered */
	sim_run(s, 2 * SEC);
	assert_int_equal(rh.n, 1);
	assert_memory_equal(rh.to.ip, ah.ip, 4);
	assert_int_equal(rn.n, 0);
	assert_int_equal(sim_node_counts(s, 1).dropped, 1);
	sim_free(s);
	sim_nat_free(nc.nat);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(mapping_reuse_by_behaviour), cmocka_unit_test(filtering_by_behaviour),
	cmocka_unit_test(timeout_and_refresh),        cmocka_unit_test(port_preservation_and_parity),
	cmocka_unit_test(hairpinning),                cmocka_unit_test(port_forwarding),
	cmocka_unit_test(reboot_loses_mappings),      cmocka_unit_test(mapping_limit),
	cmocka_unit_test(esp_and_ipv6_dropped),       cmocka_unit_test(router_forwards_two_hops),
	cmocka_unit_test(routing_loop_ends_in_ttl),   cmocka_unit_test(nat_as_forwarding_hook),
};

size_t tests_nat(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
