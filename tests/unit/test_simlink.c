/* Links: exact latency, seeded jitter and loss (same seed = same run), MTU and routing drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"
#include "test_list.h.in"

#define MS 1000000LL

typedef struct rx_log {
	size_t n;
	int64_t t[2000];
	size_t len[2000];
} rx_log;

static void on_rx(void *ctx, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	rx_log *l = ctx;
	(void)from, (void)to, (void)data, (void)proto;
	if (l->n < 2000) {
		l->t[l->n] = now;
		l->len[l->n++] = len;
	}
}

static ike_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	ike_addr x = { .family = 4, .port = 500, .ip = { a, b, c, d } };
	return x;
}

/* Two nodes A (192.0.2.1) and B (198.51.100.1) over one link; B logs what it receives. */
static sim *world(uint64_t seed, const sim_link_cfg *cfg, rx_log *log)
{
	sim *s = sim_new(seed);
	assert_non_null(s);
	ike_addr a = v4(192, 0, 2, 1), b = v4(198, 51, 100, 1);
	assert_int_equal(sim_add_node(s, "a", NULL, NULL), 0);
	assert_int_equal(sim_add_node(s, "b", on_rx, log), 1);
	assert_int_equal(sim_add_addr(s, 0, &a), 0);
	assert_int_equal(sim_add_addr(s, 1, &b), 0);
	assert_int_equal(sim_add_addr(s, 1, &b), -1);
	assert_int_equal(sim_add_link(s, 0, 1, cfg), 0);
	assert_int_equal(sim_add_link(s, 1, 0, cfg), -1);
	return s;
}

static void latency_is_exact(void **state)
{
	(void)state;
	sim_link_cfg cfg = { 20 * MS, 0, 0.0, 1500, 0, 0 };
	rx_log *log = calloc(1, sizeof(*log));
	sim *s = world(1, &cfg, log);
	ike_addr a = v4(192, 0, 2, 1), b = v4(198, 51, 100, 1);
	uint8_t msg[100] = { 0 };
	sim_send(s, 0, &a, &b, msg, sizeof(msg));
	assert_int_equal(sim_run(s, IKE_TIME_NEVER), 20 * MS);
	assert_int_equal(log->n, 1);
	assert_int_equal(log->t[0], 20 * MS);
	assert_int_equal(log->len[0], 100);
	sim_free(s);
	free(log);
}

static void send_many(sim *s, size_t n)
{
	ike_addr a = v4(192, 0, 2, 1), b = v4(198, 51, 100, 1);
	uint8_t msg[64] = { 0 };
	for (size_t i = 0; i < n; i++)
		sim_send(s, 0, &a, &b, msg, sizeof(msg));
	sim_run(s, IKE_TIME_NEVER);
}

static void jitter_and_loss_follow_the_seed(void **state)
{
	(void)state;
	sim_link_cfg cfg = { 10 * MS, 5 * MS, 0.25, 1500, 0, 0 };
	rx_log *l1 = calloc(1, sizeof(*l1)), *l2 = calloc(1, sizeof(*l2)), *l3 = calloc(1, sizeof(*l3));
	sim *s1 = world(7, &cfg, l1), *s2 = world(7, &cfg, l2), *s3 = world(8, &cfg, l3);
	send_many(s1, 1000);
	send_many(s2, 1000);
	send_many(s3, 1000);
	assert_int_equal(l1->n, l2->n);
	assert_memory_equal(l1->t, l2->t, l1->n * sizeof(l1->t[0]));
	assert_true(l1->n != l3->n || memcmp(l1->t, l3->t, l1->n * sizeof(l1->t[0])) != 0);
	assert_in_range(l1->n, 650, 850); /* 25% loss of 1000 */
	assert_int_equal(sim_node_counts(s1, 0).dropped, 1000 - l1->n);
	for (size_t i = 0; i < l1->n; i++)
		assert_in_range(l1->t[i], 10 * MS, 15 * MS);
	sim_free(s1);
	sim_free(s2);
	sim_free(s3);
	free(l1);
	free(l2);
	free(l3);
}

static void mtu_and_routing_drops_are_traced(void **state)
{
	(void)state;
	sim_link_cfg cfg = { 1 * MS, 0, 0.0, 1500, 0, 0 };
	rx_log *log = calloc(1, sizeof(*log));
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	ike_host_trace *tr = ike_host_trace_stream(f);
	sim *s = world(1, &cfg, log);
	sim_set_trace(s, tr);
	ike_addr a = v4(192, 0, 2, 1), b = v4(198, 51, 100, 1), nowhere = v4(203, 0, 113, 9);
	static uint8_t big[1473];
	sim_send(s, 0, &a, &b, big, 1472); /* 1472 + 28 = 1500: fits */
	sim_send(s, 0, &a, &b, big, 1473);
	sim_send(s, 0, &a, &nowhere, big, 10);
	sim_send(s, 0, &a, &a, big, 10);
	sim_run(s, IKE_TIME_NEVER);
	assert_int_equal(log->n, 1);
	assert_int_equal(log->len[0], 1472);
	ike_host_trace_close(tr, 1);
	fclose(f);
	assert_non_null(strstr(buf, "{\"t\":0.000000000,\"node\":\"a\",\"ev\":\"link.drop\",\"why\":\"mtu\","
				    "\"from\":\"192.0.2.1:500\",\"to\":\"198.51.100.1:500\",\"size\":1473}\n"));
	assert_non_null(strstr(buf, "\"why\":\"no route\",\"from\":\"192.0.2.1:500\",\"to\":\"203.0.113.9:500\""));
	sim_counts c = sim_total_counts(s);
	assert_int_equal(c.sent, 4);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(c.dropped, 3);
	free(buf);
	sim_free(s);
	free(log);
}

static void in_flight_datagrams_are_freed(void **state)
{
	(void)state;
	sim_link_cfg cfg = { 1000 * MS, 0, 0.0, 0, 0, 0 };
	rx_log *log = calloc(1, sizeof(*log));
	sim *s = world(1, &cfg, log);
	ike_addr a = v4(192, 0, 2, 1), b = v4(198, 51, 100, 1);
	uint8_t msg[10] = { 0 };
	sim_send(s, 0, &a, &b, msg, sizeof(msg));
	assert_int_equal(sim_run(s, 10 * MS), 0);
	assert_int_equal(log->n, 0);
	sim_free(s); /* ASan reports a leak if the pending datagram is not freed */
	free(log);
}

size_t tests_simlink(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(latency_is_exact),
		cmocka_unit_test(jitter_and_loss_follow_the_seed),
		cmocka_unit_test(mtu_and_routing_drops_are_traced),
		cmocka_unit_test(in_flight_datagrams_are_freed),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
