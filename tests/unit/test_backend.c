/* The runner's network interface (backend.h) over the built-in simulator: hooks that rewrite or drop, stop, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "test_list.h.in"

typedef struct seen {
	size_t n, len;
	uint8_t first;
	int64_t at;
} seen;

static void deliver(void *ctx, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	seen *s = ctx;
	assert_int_equal(proto, SIM_PROTO_UDP);
	(void)from;
	(void)to;
	s->n++;
	s->len = len;
	s->first = len ? data[0] : 0;
	s->at = now;
}

/* Node 0's hook: rewrites the first octet, cuts the datagram to 3 octets; drops datagrams starting with 'x'. */
static const char *rewrite(void *ctx, int64_t now, uint32_t from_node, uint32_t to_node, uint8_t proto, const ike_addr *from,
			   const ike_addr *to, uint8_t *data, size_t *len, size_t cap)
{
	int *calls = ctx;
	(void)now;
	(void)proto;
	(void)from;
	(void)to;
	(*calls)++;
	assert_int_equal(from_node, 0);
	assert_int_equal(to_node, 1);
	assert_true(cap >= 1500);
	if (data[0] == 'x')
		return "hook";
	data[0] = 'R';
	*len = 3;
	return NULL;
}

/* Every node's hook runs first: it sees the original octets. */
static const char *watch_all(void *ctx, int64_t now, uint32_t from_node, uint32_t to_node, uint8_t proto, const ike_addr *from,
			     const ike_addr *to, uint8_t *data, size_t *len, size_t cap)
{
	int *calls = ctx;
	(void)now;
	(void)from_node;
	(void)to_node;
	(void)proto;
	(void)from;
	(void)to;
	(void)len;
	(void)cap;
	assert_true(data[0] == 'a' || data[0] == 'x' || data[0] == 'b');
	(*calls)++;
	return NULL;
}

static void stop_now(void *arg) { ((sim_backend *)arg)->stop(((sim_backend *)arg)->impl); }

static void hooks_rewrite_and_drop(void **state)
{
	(void)state;
	sim_backend be;
	seen s0 = { 0 }, s1 = { 0 };
	int own = 0, all = 0;
	ike_addr a = { .family = 4, .port = 500, .ip = { 192, 0, 2, 1 } }, b = { .family = 4, .port = 500, .ip = { 192, 0, 2, 2 } };
	sim_link_cfg l = { .latency = 1000, .mtu = 1500 };
	assert_int_equal(sim_backend_builtin(7, &be), 0);
	assert_int_equal(be.add_node(be.impl, "a", deliver, &s0), 0);
	assert_int_equal(be.add_node(be.impl, "b", deliver, &s1), 1);
	assert_int_equal(be.add_addr(be.impl, 0, &a), 0);
	assert_int_equal(be.add_addr(be.impl, 1, &b), 0);
	assert_int_equal(be.add_link(be.impl, 0, 1, &l), 0);
	assert_int_equal(be.add_hook(be.impl, 0, rewrite, &own), 0);
	assert_int_equal(be.add_hook(be.impl, SIM_ANY_NODE, watch_all, &all), 0);
	be.send(be.impl, 0, &a, &b, (const uint8_t *)"abcdef", 6);
	be.send(be.impl, 0, &a, &b, (const uint8_t *)"xyz", 3);
	be.send(be.impl, 1, &b, &a, (const uint8_t *)"bb", 2); /* node 1: only the every-node hook */
	assert_int_equal(be.run(be.impl, 10000), 1000);
	assert_int_equal(s1.n, 1);
	assert_int_equal(s1.len, 3);
	assert_int_equal(s1.first, 'R');
	assert_int_equal(s0.n, 1);
	assert_int_equal(s0.first, 'b');
	assert_int_equal(own, 2);
	assert_int_equal(all, 3);
	sim_counts c = be.node_counts(be.impl, 0);
	assert_int_equal(c.sent, 2);
	assert_int_equal(c.dropped, 1);
	assert_int_equal(be.link_mtu_drops(be.impl, 0).count, 0);
	/* stop ends run after the event in progress; the next run goes on from there. */
	assert_int_equal(be.schedule(be.impl, 2500, stop_now, &be), 0);
	be.send(be.impl, 1, &b, &a, (const uint8_t *)"b2", 2);
	assert_int_equal(be.schedule(be.impl, 3000, stop_now, &be), 0);
	assert_int_equal(be.run(be.impl, 10000), 2500);
	assert_int_equal(s0.n, 2);
	assert_int_equal(be.run(be.impl, 10000), 3000);
	be.destroy(be.impl);
}

size_t tests_backend(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(hooks_rewrite_and_drop),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
