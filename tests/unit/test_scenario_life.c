/* Scenario lifecycle fields: children, lifetimes as swanctl/pluto derive them, DPD, profiles, and their errors. */
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

#define NODES "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]"
#define CONNS(extra) "\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"auth\":{\"psk\":\"s\"}" extra "}]"
#define S(x) ((int64_t)(x) * 1000000000LL)

static sim_scenario *parse(const char *text, char *err, size_t errlen)
{
	return sim_scenario_parse("t.json", text, strlen(text), err, errlen);
}

static sim_scenario *must(const char *text)
{
	char err[512];
	sim_scenario *sc = parse(text, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	return sc;
}

static void strongswan_defaults_as_swanctl_computes_them(void **state)
{
	(void)state;
	sim_scenario *sc = must("{" NODES "," CONNS(",\"initiate\":true") "}");
	const ike_conn_cfg *c = &sc->nodes[0].conns[0];
	assert_int_equal(c->ike_life.rekey, S(4 * 3600));
	assert_int_equal(c->ike_life.reauth, 0);
	assert_int_equal(c->ike_life.over, S(24 * 60)); /* 10 % of max(rekey, reauth) */
	assert_int_equal(c->ike_life.rand, S(24 * 60)); /* min(over, max / 2) */
	assert_int_equal(c->n_children, 1);
	assert_string_equal(c->children[0].name, "c");
	assert_int_equal(c->children[0].life.rekey, S(3600));
	assert_int_equal(c->children[0].life.over, S(6 * 60)); /* life_time = rekey_time + 10 % */
	assert_int_equal(c->children[0].life.rand, S(6 * 60)); /* life_time - rekey_time */
	assert_int_equal(c->children[0].start, IKE_CHILD_START_START);
	assert_int_equal(c->children[0].mode, IKE_MODE_TUNNEL);
	assert_int_equal(c->dpd_delay, 0);
	assert_int_equal(c->dpd_action, IKE_DPD_CLEAR);
	assert_int_equal(c->keyingtries, 1); /* swanctl's default */
	assert_true(c->initial_contact);
	assert_int_equal(c->retransmit.base, S(4));
	assert_int_equal(sc->nodes[0].cookie_threshold, 0); /* no node profile: DoS knobs stay off */
	sim_scenario_free(sc);
	/* A responder's children do not start anything; rekey_time given alone moves rand/over with it. */
	sc = must("{" NODES "," CONNS(",\"rekey_time\":\"1h\",\"reauth_time\":\"2h\",\"child_lifetime\":\"20m\"") "}");
	c = &sc->nodes[0].conns[0];
	assert_int_equal(c->children[0].start, IKE_CHILD_START_NONE);
	assert_int_equal(c->ike_life.over, S(12 * 60));
	assert_int_equal(c->ike_life.rand, S(12 * 60));
	assert_int_equal(c->children[0].life.rekey, S(20 * 60));
	assert_int_equal(c->children[0].life.over, S(2 * 60));
	assert_int_equal(c->ike_life.reauth, S(2 * 60 * 60));
	sim_scenario_free(sc);
}

static void libreswan_profile_and_overrides(void **state)
{
	(void)state;
	sim_scenario *sc = must("{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"],\"profile\":\"libreswan\"},"
				"{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"],\"profile\":\"strongswan\",\"block_threshold\":9}],"
				CONNS(",\"dpd_delay\":\"30s\",\"dpd_action\":\"restart\",\"initial_contact\":false,"
				      "\"retransmit\":{\"tries\":3}") "}");
	const ike_conn_cfg *c = &sc->nodes[0].conns[0];
	assert_int_equal(c->ike_life.rekey, S(8 * 3600 - 9 * 60)); /* ikelifetime 8 h minus rekeymargin 9 min */
	assert_int_equal(c->ike_life.over, S(9 * 60));
	assert_int_equal(c->ike_life.rand, S(9 * 60)); /* rekeyfuzz 100 % of the margin */
	assert_int_equal(c->children[0].life.rekey, S(8 * 3600 - 9 * 60));
	assert_int_equal(c->retransmit.base, S(1) / 2);
	assert_true(c->retransmit.factor == 2.0);
	assert_int_equal(c->retransmit.tries, 3);
	assert_int_equal(c->dpd_delay, S(30));
	assert_int_equal(c->dpd_action, IKE_DPD_RESTART);
	assert_int_equal(c->keyingtries, 0); /* pluto: %forever */
	assert_false(c->initial_contact);
	assert_int_equal(sc->nodes[0].cookie_threshold, 25000);
	assert_int_equal(sc->nodes[0].half_open_limit, 50000);
	assert_int_equal(sc->nodes[1].cookie_threshold, 30);
	assert_int_equal(sc->nodes[1].cookie_threshold_ip, 3);
	assert_int_equal(sc->nodes[1].block_threshold, 9);
	assert_int_equal(sc->nodes[1].half_open_timeout, S(30));
	sim_scenario_free(sc);
	/* A connection's own profile wins over its node's. */
	sc = must("{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"],\"profile\":\"libreswan\"},"
		  "{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]," CONNS(",\"profile\":\"strongswan\"") "}");
	assert_int_equal(sc->nodes[0].conns[0].ike_life.rekey, S(4 * 3600));
	assert_int_equal(sc->nodes[0].conns[0].dpd_action, IKE_DPD_CLEAR);
	assert_int_equal(sc->nodes[0].conns[0].keyingtries, 1);
	sim_scenario_free(sc);
	sc = must("{" NODES "," CONNS(",\"keyingtries\":5") "}");
	assert_int_equal(sc->nodes[0].conns[0].keyingtries, 5);
	sim_scenario_free(sc);
}

static void children_inherit_and_override(void **state)
{
	(void)state;
	sim_scenario *sc = must("{" NODES "," CONNS(",\"esp\":\"aes256gcm16\",\"local_ts\":[\"10.1.0.0/16\"],\"children\":["
						    "{\"name\":\"net\"},"
						    "{\"name\":\"voip\",\"esp\":\"aes128gcm16-x25519\",\"remote_ts\":[\"10.9.0.0/24\",\"10.8.0.0/24\"],"
						    "\"rekey_time\":\"10m\",\"life_time\":\"15m\",\"start_action\":\"trap\",\"mode\":\"transport\"},"
						    "{\"name\":\"x\",\"life_time\":\"110m\",\"rand_time\":0}]") "}");
	const ike_conn_cfg *c = &sc->nodes[0].conns[0];
	assert_int_equal(c->n_children, 3);
	assert_string_equal(c->children[0].name, "net");
	assert_int_equal(c->children[0].n_local_ts, 1);
	assert_int_equal(c->children[0].local_ts[0].start[1], 1);
	assert_int_equal(c->children[0].esp.n, c->children[2].esp.n);
	assert_int_equal(c->children[1].n_remote_ts, 2);
	assert_int_equal(c->children[1].life.rekey, S(600));
	assert_int_equal(c->children[1].life.over, S(300));
	assert_int_equal(c->children[1].life.rand, S(300));
	assert_int_equal(c->children[1].start, IKE_CHILD_START_TRAP);
	assert_int_equal(c->children[1].mode, IKE_MODE_TRANSPORT);
	assert_int_equal(c->children[2].life.rekey, S(6000)); /* life_time alone: rekey at life / 1.1 */
	assert_int_equal(c->children[2].life.over, S(600));
	assert_int_equal(c->children[2].life.rand, 0);
	sim_scenario_free(sc);
}

#define KID(x) "{\"name\":\"k\"" x "}"
static const scntest_bad BAD[] = {
	{ "{" NODES "," CONNS(",\"profile\":\"racoon\"") "}", "connections[0].profile: unknown profile 'racoon'" },
	{ "{\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"],\"profile\":1}]}", "nodes[0].profile: expected a string" },
	{ "{" NODES "," CONNS(",\"rekey_time\":\"1h\",\"ike_lifetime\":\"2h\"") "}",
	  "connections[0].ike_lifetime: give 'rekey_time' or its alias 'ike_lifetime', not both" },
	{ "{" NODES "," CONNS(",\"rand_time\":\"4h\"") "}", "connections[0].rand_time: must be shorter than the rekey time" },
	{ "{" NODES "," CONNS(",\"rekey_time\":0,\"rand_time\":\"1s\"") "}", "connections[0].rand_time: needs a nonzero rekey time" },
	{ "{" NODES "," CONNS(",\"rekey_time\":\"11y\"") "}", "connections[0].rekey_time: bad duration" },
	{ "{" NODES "," CONNS(",\"over_time\":400000000") "}", "connections[0].over_time: at most 10 years" },
	{ "{" NODES "," CONNS(",\"dpd_action\":\"hold\"") "}", "connections[0].dpd_action: unknown action 'hold'" },
	{ "{" NODES "," CONNS(",\"keyingtries\":-1") "}", "connections[0].keyingtries:" },
	{ "{" NODES "," CONNS(",\"dpd_delay\":true") "}", "connections[0].dpd_delay: expected a duration" },
	{ "{" NODES "," CONNS(",\"initial_contact\":\"yes\"") "}", "connections[0].initial_contact: expected true or false" },
	{ "{" NODES "," CONNS(",\"children\":{}") "}", "connections[0].children: expected an array" },
	{ "{" NODES "," CONNS(",\"children\":[]") "}", "connections[0].children: a connection needs at least one child" },
	{ "{" NODES "," CONNS(",\"children\":[{}]") "}", "connections[0].children[0].name: missing required field 'name'" },
	{ "{" NODES "," CONNS(",\"children\":[" KID("") "," KID("") "]") "}",
	  "connections[0].children[1].name: duplicate child name 'k'" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"rekey_time\":\"1h\",\"life_time\":\"1h\"") "]") "}",
	  "connections[0].children[0].life_time: 3600.000 s must be longer than rekey_time" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"life_time\":\"1h\",\"over_time\":\"1m\"") "]") "}",
	  "connections[0].children[0].over_time: give 'life_time' (hard limit) or 'over_time'" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"rand_time\":\"2h\"") "]") "}",
	  "connections[0].children[0].rand_time: must be shorter than the rekey time it jitters (3600.000 s)" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"start_action\":\"route\"") "]") "}",
	  "connections[0].children[0].start_action: unknown value 'route' (none or start or trap)" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"mode\":\"beet\"") "]") "}",
	  "connections[0].children[0].mode: unknown value 'beet' (tunnel or transport)" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"esp\":\"aes128-bogus\"") "]") "}",
	  "connections[0].children[0].esp: unknown keyword 'bogus'" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"remote_ts\":[\"10.0.0.0/33\"]") "]") "}",
	  "connections[0].children[0].remote_ts[0]: bad prefix length" },
	{ "{" NODES "," CONNS(",\"children\":[" KID(",\"ike\":\"x\"") "]") "}", "connections[0].children[0].ike: unknown field 'ike'" },
	{ "{" NODES "," CONNS(",\"child_lifetime\":\"1h\",\"children\":[" KID("") "]") "}",
	  "connections[0].child_lifetime: with 'children', give each child's rekey_time instead" },
	{ "{" NODES "," CONNS(",\"children\":[" KID("") "," KID("") "," KID("") "," KID("") "," KID("") "," KID("") ","
			      KID("") "," KID("") "," KID("") "," KID("") "," KID("") "," KID("") "," KID("") "," KID("") ","
			      KID("") "," KID("") "," KID("") "]") "}",
	  "connections[0].children: 17 children, at most 16 per connection" },
};


/* The client profiles of storms.md section 6: their retransmission schedules, lifetimes and DPD. */
static void client_profiles(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int64_t base_ms;
		double factor;
		uint8_t tries;
		int64_t ike_rekey_s, dpd_s;
	} want[] = {
		{ "android", 2000, 1.4, 3, 10 * 3600, 0 },
		{ "android-native", 500, 2.0, 4, 2 * 3600, 120 },
		{ "openiked", 2000, 2.0, 5, 0, 60 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text), "{" NODES "," CONNS(",\"initiate\":true,\"profile\":\"%s\"") "}", want[i].name);
		sim_scenario *sc = must(text);
		const ike_conn_cfg *c = &sc->nodes[0].conns[0];
		assert_int_equal(c->retransmit.base, want[i].base_ms * 1000000LL);
		assert_true(c->retransmit.factor == want[i].factor);
		assert_int_equal(c->retransmit.tries, want[i].tries);
		assert_int_equal(c->ike_life.rekey, S(want[i].ike_rekey_s));
		assert_int_equal(c->dpd_delay, S(want[i].dpd_s));
		sim_scenario_free(sc);
	}
	/* OpenIKED's CHILD SA: soft at 94.9 % of 3 h */
	sim_scenario *sc = must("{" NODES "," CONNS(",\"profile\":\"openiked\"") "}");
	assert_int_equal(sc->nodes[0].conns[0].children[0].life.rekey, S(3 * 3600) * 949 / 1000);
	sim_scenario_free(sc);
}

static void bad_lifecycle_fields_name_their_path(void **state)
{
	(void)state;
	scntest_refusals(BAD, sizeof(BAD) / sizeof(BAD[0]), 0);
}

size_t tests_scenario_life(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(strongswan_defaults_as_swanctl_computes_them),
		cmocka_unit_test(libreswan_profile_and_overrides),
		cmocka_unit_test(children_inherit_and_override),
		cmocka_unit_test(bad_lifecycle_fields_name_their_path),
		cmocka_unit_test(client_profiles),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
