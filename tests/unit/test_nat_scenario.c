/*
 * Routers and NAT boxes in scenario files: what the loader refuses (one line naming the field), and a
 * carrier-grade NAT with 500 peers behind it, all establishing through their own outside ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

/* Three nodes rw - nat - gw; `extra` is spliced into nat's object, `rw_extra` into rw's. */
static void load_expect(const char *rw_extra, const char *extra, const char *want)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "{\"nodes\":[{\"name\":\"rw\",\"addresses\":[\"10.1.0.2\"]%s},"
		 "{\"name\":\"nat\",\"addresses\":[\"203.0.113.1\",\"10.1.0.1\"]%s},"
		 "{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]},{\"name\":\"x\",\"addresses\":[\"192.0.2.9\"]}],"
		 "\"links\":[{\"a\":\"rw\",\"b\":\"nat\"},{\"a\":\"nat\",\"b\":\"gw\"}]}",
		 rw_extra, extra);
	scntest_expect(text, want);
}

static void loader_refuses_bad_routing_and_nat(void **state)
{
	(void)state;
	const char *nat = ",\"nat\":{\"inside\":[\"rw\"]}";
	load_expect("", nat, NULL);
	load_expect(",\"routes\":[{\"to\":\"default\",\"via\":\"nat\"}]", nat, NULL);
	load_expect(",\"routes\":[{\"to\":\"default\",\"via\":\"gw\"}]", nat, "nodes[0].routes[0].via: 'rw' has no link to 'gw'");
	load_expect(",\"routes\":[{\"to\":\"default\",\"via\":\"nat\"}]", "", "nodes[0].routes[0].via: 'nat' does not forward");
	load_expect(",\"routes\":[{\"to\":\"10.0.0.0/33\",\"via\":\"nat\"}]", nat, "nodes[0].routes[0].to: '10.0.0.0/33'");
	load_expect(",\"routes\":[{\"to\":\"10.0.0.0/8\",\"via\":\"nat\",\"dev\":1}]", nat, "routes[0].dev");
	load_expect(",\"router\":1", "", "nodes[0].router");
	load_expect("", ",\"nat\":{\"inside\":[\"x\"]}", "nodes[1].nat.inside[0]: 'nat' has no link to 'x'");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\",\"rw\"]}", "nodes[1].nat.inside[1]: 'rw' is named twice");
	load_expect("", ",\"nat\":{\"inside\":[\"nobody\"]}", "nodes[1].nat.inside[0]: no node or population named 'nobody'");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\",\"gw\"]}", "nodes[1].nat.inside: every neighbour of 'nat' is inside");
	load_expect("", ",\"nat\":{\"inside\":[]}", "nodes[1].nat.inside: a NAT needs at least one inside neighbour");
	load_expect("", ",\"nat\":{}", "nodes[1].nat.inside");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"type\":\"cone\"}", "nodes[1].nat.type: 'cone'");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"mapping\":\"random\"}", "nodes[1].nat.mapping: 'random'");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"ports\":\"2000-1000\"}", "nodes[1].nat.ports");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"public\":[\"203.0.113.7\"]}",
		    "nodes[1].nat.public[0]: 203.0.113.7 is not one of the node's addresses");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"timeout\":0}", "nodes[1].nat.timeout");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"max_mappings\":0}", "nodes[1].nat.max_mappings");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"forward\":[{\"port\":500,\"to\":\"10.1.0.2\"},{\"port\":500,\"to\":\"10.1.0.3\"}]}",
		    "nodes[1].nat.forward[1]: port 500 is already forwarded");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"forward\":[{\"port\":500,\"to\":\"2001:db8::1\"}]}",
		    "nodes[1].nat.forward[0].to");
	load_expect("", ",\"nat\":{\"inside\":[\"rw\"],\"hairpin\":\"yes\"}", "nodes[1].nat.hairpin");
}

/* Appends printf output to a growing buffer. */
static void put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return;
		}
		*cap = *cap * 2 + (size_t)n;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
}

static void five_hundred_peers_behind_one_cgn(void **state)
{
	(void)state;
	enum { N = 500 };
	size_t len = 0, cap = 1 << 16;
	char *t = malloc(cap), err[512];
	assert_non_null(t);
	put(&t, &len, &cap, "{\"seed\":5,\"duration\":\"5s\",\"nodes\":[");
	for (int i = 0; i < N; i++)
		put(&t, &len, &cap, "{\"name\":\"p%d\",\"addresses\":[\"100.64.%d.%d\"]},", i, i / 250, i % 250 + 2);
	put(&t, &len, &cap, "{\"name\":\"cgn\",\"addresses\":[\"203.0.113.1\",\"100.64.255.1\"],"
			    "\"nat\":{\"type\":\"symmetric\",\"inside\":[");
	for (int i = 0; i < N; i++)
		put(&t, &len, &cap, "%s\"p%d\"", i ? "," : "", i);
	put(&t, &len, &cap, "]}},{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}],\"links\":[");
	for (int i = 0; i < N; i++)
		put(&t, &len, &cap, "{\"a\":\"p%d\",\"b\":\"cgn\",\"latency\":\"1ms\"},", i);
	put(&t, &len, &cap, "{\"a\":\"cgn\",\"b\":\"gw\",\"latency\":\"10ms\"}],\"connections\":[");
	for (int i = 0; i < N; i++)
		put(&t, &len, &cap,
		    "{\"name\":\"vpn\",\"node\":\"p%d\",\"remote_node\":\"gw\",\"initiate\":true,\"at\":\"%dms\","
		    "\"auth\":{\"psk\":\"cgn\"},\"local_id\":\"p%d.example\",\"remote_id\":\"gw.example\","
		    "\"local_ts\":[\"100.64.%d.%d/32\"],\"remote_ts\":[\"198.51.100.1/32\"]},",
		    i, i, i, i / 250, i % 250 + 2);
	put(&t, &len, &cap,
	    "{\"name\":\"rws\",\"node\":\"gw\",\"remote\":\"203.0.113.1\",\"auth\":{\"psk\":\"cgn\"},"
	    "\"local_id\":\"gw.example\",\"remote_id\":\"*.example\",\"local_ts\":[\"198.51.100.1/32\"],"
	    "\"remote_ts\":[\"100.64.0.0/10\"]}],"
	    "\"expect\":[{\"node\":\"gw\",\"conn\":\"rws\",\"ike_sas\":%d,\"child_sas\":%d},"
	    "{\"node\":\"cgn\",\"event\":\"nat.map\",\"count\":%d},{\"node\":\"cgn\",\"event\":\"nat.drop\",\"count\":0}]}",
	    N, N, 2 * N); /* each peer detects the NAT and moves to port 4500: a second mapping */
	sim_scenario *sc = sim_scenario_parse("cgn500.json", t, len, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { 0 };
	sim_run_result res;
	assert_int_equal(sim_run_scenario(sc, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	int32_t cgn = sim_scenario_node(sc, "cgn");
	assert_non_null(res.nat_nodes);
	assert_int_equal(res.nat_nodes[cgn].created, 2 * N);
	assert_int_equal(res.nat_nodes[cgn].peak, 2 * N);
	for (size_t i = 0; i < N; i++) /* every peer up */
		assert_string_equal(res.status[res.first[i]].ike_state, "ESTABLISHED");
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	free(t);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(loader_refuses_bad_routing_and_nat),
	cmocka_unit_test(five_hundred_peers_behind_one_cgn),
};

size_t tests_nat_scenario(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
