/* Large scenarios load in linear time: 100,000 nodes with links, connections, faults and expects, and a
 * duplicate appended at the end of an array is still reported at its exact path. No timing is asserted;
 * a quadratic loader shows up as this test taking minutes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"
#include "test_list.h.in"

#define SCALE_NODES 100000u /* even: nodes 2k and 2k+1 form a linked pair */
#define SCALE_SMALL 4000u   /* for the duplicates that need a full pass over the nodes first */
#define SCALE_FAULT_EVERY 97u /* a fault on every 97th pair's link, named "A-B" */

typedef struct scale_buf {
	char *p;
	size_t len, cap;
} scale_buf;

static void put(scale_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(scale_buf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->cap - b->len < 256) {
		b->cap = b->cap ? 2 * b->cap : 1u << 20;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < b->cap - b->len);
	b->len += (size_t)n;
}

/* The extras (JSON items or NULL) go last in the nodes, links and connections arrays. */
typedef struct scale_extra {
	const char *node, *link, *conn;
} scale_extra;

/* n nodes (even), n/2 linked pairs, a connection and an expect per node, a fault on every 97th link. */
static void generate(scale_buf *b, unsigned n, const scale_extra *x)
{
	put(b, "{\"duration\":\"0s\",\"nodes\":[");
	for (unsigned i = 0; i < n; i++)
		put(b, "%s{\"name\":\"n%u\",\"addresses\":[\"10.%u.%u.%u\"]}", i ? "," : "", i, (i + 1) >> 16,
		    ((i + 1) >> 8) & 255, (i + 1) & 255);
	put(b, "%s%s],\"links\":[", x->node ? "," : "", x->node ? x->node : "");
	for (unsigned i = 0; i < n; i += 2)
		put(b, "%s{\"a\":\"n%u\",\"b\":\"n%u\",\"latency\":\"5ms\"}", i ? "," : "", i, i + 1);
	put(b, "%s%s],\"connections\":[", x->link ? "," : "", x->link ? x->link : "");
	for (unsigned i = 0; i < n; i++)
		put(b, "%s{\"name\":\"c\",\"node\":\"n%u\",\"remote_node\":\"n%u\",\"auth\":{\"psk\":\"s\"}%s}", i ? "," : "",
		    i, i ^ 1, i & 1 ? "" : ",\"initiate\":true");
	put(b, "%s%s],\"faults\":[", x->conn ? "," : "", x->conn ? x->conn : "");
	for (unsigned i = 0; i < n; i += 2 * SCALE_FAULT_EVERY)
		put(b, "%s{\"link\":\"n%u-n%u\",\"drop_nth\":1}", i ? "," : "", i + 1, i);
	put(b, "],\"expect\":[");
	for (unsigned i = 0; i < n; i++)
		put(b, "%s{\"node\":\"n%u\",\"conn\":\"c\",\"ike_state\":\"ESTABLISHED\"}", i ? "," : "", n - 1 - i);
	put(b, "]}");
}

static sim_scenario *parse_generated(unsigned n, const scale_extra *x, char *err, size_t errlen)
{
	scale_buf b = { 0 };
	generate(&b, n, x);
	err[0] = '\0';
	sim_scenario *sc = sim_scenario_parse("scale", b.p, b.len, err, errlen);
	free(b.p);
	return sc;
}

static void hundred_thousand_nodes_load(void **state)
{
	(void)state;
	char err[512];
	const scale_extra none = { 0 };
	sim_scenario *sc = parse_generated(SCALE_NODES, &none, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->n_nodes, SCALE_NODES);
	assert_int_equal(sc->n_links, SCALE_NODES / 2);
	assert_int_equal(sc->n_expects, SCALE_NODES);
	assert_int_equal(sc->n_faults, (SCALE_NODES / 2 + SCALE_FAULT_EVERY - 1) / SCALE_FAULT_EVERY);
	assert_int_equal(sim_scenario_node(sc, "n0"), 0);
	assert_int_equal(sim_scenario_node(sc, "n99999"), 99999);
	assert_int_equal(sim_scenario_node(sc, "n100000"), -1);
	assert_int_equal(sc->links[777].a, 1554);
	assert_int_equal(sc->nodes[4321].n_conns, 1);
	assert_int_equal(sc->nodes[4321].conns[0].remote.ip[3], 4321 & 255); /* n4320 is 10.0.16.225 */
	assert_int_equal(sc->expects[0].node, SCALE_NODES - 1);
	assert_int_equal(sc->expects[0].conn, 0);
	assert_int_equal(sc->faults[1].link_a, 2 * SCALE_FAULT_EVERY + 1);
	assert_int_equal(sc->faults[1].link_b, 2 * SCALE_FAULT_EVERY);
	sim_scenario_free(sc);
}

/* One extra item at the end of an array: the error names that item even though its twin is far back. */
static void expect_error(unsigned n, const scale_extra *x, const char *want)
{
	char err[512];
	sim_scenario *sc = parse_generated(n, x, err, sizeof(err));
	if (sc) {
		sim_scenario_free(sc);
		fail_msg("loaded, but should fail with '%s'", want);
	}
	if (strcmp(err, want) != 0)
		fail_msg("\n got  '%s'\n want '%s'", err, want);
}

static void duplicate_at_the_end_is_named(void **state)
{
	(void)state;
	const scale_extra name = { "{\"name\":\"n54321\",\"addresses\":[\"192.0.2.1\"]}", NULL, NULL };
	expect_error(SCALE_NODES, &name, "scale: nodes[100000].name: duplicate node name 'n54321'");
	/* The other indexes at a size ASan gets through quickly: their twins are still thousands back. */
	const scale_extra addr = { "{\"name\":\"x\",\"addresses\":[\"192.0.2.1\",\"10.0.0.1\"]}", NULL, NULL };
	expect_error(SCALE_SMALL, &addr, "scale: nodes[4000].addresses[1]: address 10.0.0.1 is already used");
	const scale_extra link = { NULL, "{\"a\":\"n3999\",\"b\":\"n3998\"}", NULL };
	expect_error(SCALE_SMALL, &link, "scale: links[2000]: duplicate link between 'n3999' and 'n3998'");
	const scale_extra conn = { NULL, NULL, "{\"name\":\"c\",\"node\":\"n5\",\"remote\":\"192.0.2.9\",\"auth\":{\"psk\":\"s\"}}" };
	expect_error(SCALE_SMALL, &conn, "scale: connections[4000].name: node 'n5' already has a connection named 'c'");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(hundred_thousand_nodes_load),
	cmocka_unit_test(duplicate_at_the_end_is_named),
};

size_t tests_scenario_scale(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
