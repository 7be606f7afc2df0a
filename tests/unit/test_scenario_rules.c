/* Configuration rules in `expect` (netsim/scenario_rule.c): paths, each kind of check, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

/* A two-node scenario whose expect list is `rules`. */
static sim_scenario *with_rules(const char *rules)
{
	char text[4096], err[512];
	snprintf(text, sizeof(text),
		 "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"10.0.0.1\"]},{\"name\":\"b\",\"addresses\":[\"10.0.0.2\"],"
		 "\"cookie_threshold\":5}],\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"10ms\"}],"
		 "\"connections\":[{\"name\":\"c1\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,"
		 "\"ike\":\"aes128gcm16-prfsha256-x25519, aes256gcm16-prfsha384-ecp384\",\"auth\":{\"psk\":\"k\"},"
		 "\"local_ts\":[\"10.1.0.0/16\",\"10.3.0.0/16\"],\"retransmit\":{\"timeout\":\"2s\",\"factor\":1.5,\"tries\":4}},"
		 "{\"name\":\"c2\",\"node\":\"b\",\"remote_node\":\"a\",\"auth\":{\"psk\":\"k\"}}],"
		 "\"faults\":[{\"at\":\"1s\",\"node\":\"a\",\"drop_next\":2}],\"expect\":[%s]}",
		 rules);
	sim_scenario *sc = scntest_parse(text, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	return sc;
}

static void rules_decide_at_load(void **state)
{
	(void)state;
	static const struct {
		const char *rule;
		int ok;
		const char *got;
	} cases[] = {
		{ "{\"config\":\"connections[c1].retransmit.timeout\",\"min\":\"1s\"}", 1, "\"2s\"" },
		{ "{\"config\":\"connections[c1].retransmit.timeout\",\"min\":\"3s\"}", 0, "\"2s\"" },
		{ "{\"config\":\"connections[0].retransmit.factor\",\"min\":1.5,\"max\":2}", 1, "1.5" },
		{ "{\"config\":\"connections[c1].retransmit.tries\",\"max\":3}", 0, "4" },
		{ "{\"config\":\"connections[c1].ike\",\"contains\":[\"x25519\",\"ecp384\"]}", 1, NULL },
		{ "{\"config\":\"connections[c1].ike\",\"contains\":\"modp2048\"}", 0, NULL },
		{ "{\"config\":\"connections[c1].local_ts\",\"contains\":[\"10.3.0.0/16\"]}", 1, "a list with 2 entries" },
		{ "{\"config\":\"connections[c1].local_ts\",\"contains\":[\"10.3.0.0\"]}", 0, NULL }, /* lists: whole elements */
		{ "{\"config\":\"faults\",\"equals\":[{\"node\":\"a\",\"at\":\"1s\",\"drop_next\":2}]}", 1, NULL },
		{ "{\"config\":\"faults\",\"equals\":[{\"node\":\"a\",\"at\":\"1s\",\"drop_next\":3}]}", 0, NULL },
		{ "{\"config\":\"nodes[b].cookie_threshold\",\"equals\":5}", 1, "5" },
		{ "{\"config\":\"nodes[a].cookie_threshold\",\"present\":false}", 1, "missing" },
		{ "{\"config\":\"nodes[b].cookie_threshold\",\"present\":false}", 0, "5" },
		{ "{\"config\":\"connections[c9].ike\",\"contains\":\"x25519\"}", 0, "missing" }, /* renamed away */
		{ "{\"config\":\"connections[c1].ike\",\"min\":1}", 0, NULL },                     /* not a quantity */
		{ "{\"config\":\"links[0].latency\",\"max\":\"10ms\",\"rule\":\"keep the link fast\"}", 1, "\"10ms\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_scenario *sc = with_rules(cases[i].rule);
		assert_int_equal(sc->n_expects, 1);
		const sim_expect_spec *e = &sc->expects[0];
		assert_int_equal(e->kind, SIM_EXPECT_CONFIG);
		if (e->rule_ok != cases[i].ok)
			fail_msg("%s: wanted %s, got %s", cases[i].rule, cases[i].ok ? "holds" : "broken", e->rule_got);
		if (cases[i].got)
			assert_string_equal(e->rule_got, cases[i].got);
		sim_scenario_free(sc);
	}
}

static void bad_rules_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *rule, *want;
	} cases[] = {
		{ "{\"config\":\"faults\"}", "a rule needs min, max, contains, equals or present" },
		{ "{\"config\":\"faults\",\"min\":\"soon\"}", "expect[0].min: wants a number or a duration" },
		{ "{\"config\":\"faults\",\"contains\":[1]}", "expect[0].contains: wants a string or a list of strings" },
		{ "{\"config\":\"faults\",\"present\":1}", "expect[0].present: wants true or false" },
		{ "{\"config\":7,\"present\":true}", "config" },
		{ "{\"config\":\"faults\",\"present\":true,\"colour\":1}", "colour" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[4096];
		snprintf(text, sizeof(text),
			 "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"10.0.0.1\"]}],\"faults\":[],\"expect\":[%s]}",
			 cases[i].rule);
		scntest_expect(text, cases[i].want);
	}
}

size_t tests_scenario_rules(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(rules_decide_at_load),
		cmocka_unit_test(bad_rules_are_refused),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
