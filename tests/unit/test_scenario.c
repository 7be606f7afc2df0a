/* Scenario validation: every broken input is refused before the run with its exact JSON path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

#define NODES "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]"
#define LINK "\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"20ms\"}]"
#define CONN(extra) "{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"auth\":{\"psk\":\"s\"}" extra "}"
#define CONNS(extra) "\"connections\":[" CONN(extra) "]"

static void good_scenario_loads(void **state)
{
	(void)state;
	char err[512], path[64];
	sim_scenario *sc = scntest_load_text("{\"seed\":7,\"duration\":\"250ms\"," NODES "," LINK "," CONNS(",\"initiate\":true") ","
				     "\"connections2\":1}", err, sizeof(err), path, sizeof(path));
	assert_null(sc); /* unknown top-level field */
	assert_non_null(strstr(err, ": connections2: unknown field"));
	sc = scntest_load_text("{\"seed\":\"0xffffffffffffffff\",\"duration\":\"250ms\"," NODES "," LINK ","
		       "\"connections\":[" CONN(",\"initiate\":true,\"at\":\"1.5s\",\"local_ts\":[\"10.1.0.0/16\"]") ","
		       "{\"name\":\"c\",\"node\":\"b\",\"remote\":\"192.0.2.1\",\"auth\":{\"psk\":\"0x0a0b\"}}],"
		       "\"faults\":[{\"node\":\"a\",\"drop_nth\":2},{\"at\":0.1,\"link\":\"a-b\",\"drop_next\":3}],"
		       "\"expect\":[{\"node\":\"a\",\"conn\":\"c\",\"ike_state\":\"ESTABLISHED\"},"
		       "{\"node\":\"b\",\"conn\":\"c\",\"error\":\"AUTHENTICATION_FAILED\"}]}",
		       err, sizeof(err), path, sizeof(path));
	if (!sc)
		fail_msg("%s", err);
	assert_true(sc->seed == UINT64_MAX);
	assert_int_equal(sc->duration, 250000000);
	assert_int_equal(sc->n_nodes, 2);
	assert_int_equal(sc->nodes[0].n_conns, 1);
	assert_int_equal(sc->nodes[0].initiate_at[0], 1500000000);
	assert_int_equal(sc->nodes[1].initiate_at[0], -1);
	assert_int_equal(sc->nodes[1].conns[0].psk_len, 2);
	assert_int_equal(sc->nodes[0].conns[0].retransmit.base, 4000000000LL);
	assert_int_equal(sc->nodes[0].conns[0].retransmit.tries, 5);
	assert_int_equal(sc->nodes[0].conns[0].remote.ip[0], 198);
	assert_int_equal(sc->links[0].cfg.latency, 20000000);
	assert_int_equal(sc->links[0].cfg.mtu, 1500);
	assert_int_equal(sc->faults[0].nth, 2);
	assert_int_equal(sc->faults[1].count, 3);
	assert_int_equal(sc->faults[1].link_b, 1);
	assert_int_equal(sc->expects[1].error, 24);
	sim_scenario_free(sc);
}

static const scntest_bad BAD[] = {
	{ "[]", "(top level): expected an object, got an array" },
	{ "{}", "nodes: missing required field 'nodes'" },
	{ "{\"nodes\":[]}", "nodes: a scenario needs at least one node" },
	{ "{\"seed\":-1," NODES "}", "seed: expected a whole number" },
	{ "{\"seed\":\"x\"," NODES "}", "seed: 'x' is not an unsigned 64-bit integer" },
	{ "{\"duration\":\"10 parsecs\"," NODES "}", "duration: bad duration" },
	{ "{\"duration\":-3," NODES "}", "duration: a duration must not be negative" },
	{ "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"],\"gpu\":1}]}", "nodes[0].gpu: unknown field 'gpu'" },
	{ "{\"nodes\":[{\"name\":\"a b\",\"addresses\":[\"192.0.2.1\"]}]}", "nodes[0].name: 'a b' is not a valid name" },
	{ "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"a\",\"addresses\":[\"192.0.2.2\"]}]}",
	  "nodes[1].name: duplicate node name 'a'" },
	{ "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"192.0.2.1\"]}]}",
	  "nodes[1].addresses[0]: address 192.0.2.1 is already used" },
	{ "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"300.1.1.1\"]}]}", "nodes[0].addresses[0]: expected an IPv4 or IPv6" },
	{ "{\"nodes\":[{\"name\":\"a\",\"addresses\":\"192.0.2.1\"}]}", "nodes[0].addresses: expected an array, got a string" },
	{ "{\"nodes\":[{\"name\":\"a\",\"name\":\"b\",\"addresses\":[\"192.0.2.1\"]}]}", "nodes[0].name: field 'name' appears twice" },
	{ "{" NODES ",\"links\":[{\"a\":\"a\",\"b\":\"c\"}]}", "links[0].b: no node named 'c'" },
	{ "{" NODES ",\"links\":[{\"a\":\"a\",\"b\":\"a\"}]}", "links[0].b: a link needs two different nodes" },
	{ "{" NODES ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"-5ms\"}]}", "links[0].latency: a duration must not be negative" },
	{ "{" NODES ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"loss\":1.5}]}", "links[0].loss: 1.5 is out of range [0, 1]" },
	{ "{" NODES ",\"links\":[{\"a\":\"a\",\"b\":\"b\",\"mtu\":20}]}", "links[0].mtu: 20 is out of range" },
	{ "{" NODES ",\"links\":[{\"a\":\"a\",\"b\":\"b\"},{\"a\":\"b\",\"b\":\"a\"}]}", "links[1]: duplicate link" },
	{ "{" NODES ",\"connections\":[" CONN("") "," CONN(",\"ike\":\"aes128-sha256-bogus\"") "]}",
	  "connections[1].ike: unknown keyword 'bogus'" },
	{ "{" NODES "," CONNS(",\"esp\":7") "}", "connections[0].esp: expected a string, got a number" },
	{ "{" NODES "," CONNS(",\"keepalive\":\"1ns\"") "}", "connections[0].keepalive: 0.000 s is too short" },
	{ "{" NODES "," CONNS(",\"natt_port\":500") "}", "connections[0].natt_port: 500 carries bare IKE" },
	{ "{" NODES "," CONNS(",\"ah_proposals\":\"aes128-sha256\"") "}",
	  "connections[0].ah_proposals: encryption algorithm 'aes128' not allowed in AH proposal 1" },
	{ "{" NODES "," CONNS(",\"esp\":\"aes128gcm16\",\"ah_proposals\":\"sha256\"") "}",
	  "connections[0].ah_proposals: give either 'esp' or 'ah_proposals', not both" },
	{ "{" NODES "," CONNS(",\"children\":[{\"name\":\"k\",\"ah_proposals\":\"modp2048\"}]") "}",
	  "connections[0].children[0].ah_proposals: no integrity algorithm in AH proposal 1" },
	{ "{" NODES ",\"connections\":[" CONN("") "," CONN("") "]}", "connections[1].name: node 'a' already has a connection named 'c'" },
	{ "{" NODES ",\"connections\":[{\"name\":\"c\",\"node\":\"z\"}]}", "connections[0].node: no node named 'z'" },
	{ "{" NODES ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"auth\":{\"psk\":\"s\"}}]}",
	  "connections[0]: give exactly one of 'remote_node' and 'remote'" },
	{ "{" NODES ",\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\"}]}", "connections[0].auth: missing required field 'auth'" },
	{ "{" NODES "," CONNS(",\"aggressive\":true") "}", "connections[0].aggressive: Aggressive Mode is IKEv1's" },
	{ "{" NODES "," CONNS(",\"version\":3") "}", "connections[0].version: " },
	{ "{" NODES "," CONNS(",\"at\":\"1s\"") "}", "connections[0].at: 'at' needs \"initiate\": true" },
	{ "{" NODES "," CONNS(",\"local_ts\":[\"10.1.0.0/40\"]") "}", "connections[0].local_ts[0]: bad prefix length" },
	{ "{" NODES "," CONNS(",\"remote_id\":\"C=CH, Q=1\"") "}", "connections[0].remote_id: unknown DN attribute" },
	{ "{" NODES "," CONNS(",\"retransmit\":{\"tries\":2.5}") "}", "connections[0].retransmit.tries: expected a whole number" },
	{ "{" NODES "," CONNS(",\"retransmit\":{\"timeout\":0}") "}", "connections[0].retransmit.timeout: the retransmission timeout must be positive" },
	{ "{" NODES "," CONNS(",\"auth\":{\"psk\":\"\"}") "}", "connections[0].auth: field 'auth' appears twice" },
	{ "{" NODES "," LINK ",\"faults\":[{\"link\":\"a-c\",\"drop_nth\":1}]}", "faults[0].link: 'a-c' does not name a link" },
	{ "{" NODES "," LINK ",\"faults\":[{\"node\":\"a\"}]}", "faults[0]: give exactly one of 'drop_nth', 'drop_next', 'down', 'reboot', 'exchange', 'esp' or 'move'" },
	{ "{" NODES "," LINK ",\"faults\":[{\"node\":\"a\",\"drop_nth\":0}]}", "faults[0].drop_nth: 0 is out of range" },
	{ "{" NODES "," CONNS("") ",\"expect\":[{\"node\":\"a\",\"conn\":\"x\",\"ike_state\":\"ESTABLISHED\"}]}",
	  "expect[0].conn: node 'a' has no connection named 'x'" },
	{ "{" NODES "," CONNS("") ",\"expect\":[{\"node\":\"a\",\"conn\":\"c\",\"ike_state\":\"UP\"}]}", "expect[0].ike_state: unknown state 'UP'" },
	{ "{" NODES "," CONNS("") ",\"expect\":[{\"node\":\"a\",\"conn\":\"c\",\"error\":\"OOPS\"}]}", "expect[0].error: unknown error notify 'OOPS'" },
	{ "{" NODES "," CONNS("") ",\"expect\":[{\"node\":\"a\",\"conn\":\"c\"}]}", "expect[0]: nothing to check" },
	{ "{\n  \"seed\": 1,\n  \"nodes\": [\n}", ":4:1: invalid JSON near line 4, column 1" },
};

static void broken_scenarios_name_their_path(void **state)
{
	(void)state;
	scntest_refusals(BAD, sizeof(BAD) / sizeof(BAD[0]), 1);
}

static void unreadable_file_is_one_line(void **state)
{
	(void)state;
	char err[512];
	assert_null(sim_scenario_load("/nonexistent/scenario.json", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/scenario.json: cannot read: No such file or directory");
	assert_null(sim_scenario_load("/tmp", err, sizeof(err)));
	assert_non_null(strstr(err, "/tmp: cannot read"));
}

size_t tests_scenario(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(good_scenario_loads),
		cmocka_unit_test(broken_scenarios_name_their_path),
		cmocka_unit_test(unreadable_file_is_one_line),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
