/*
 * Hostile uses of the lifecycle scenario fields (issue 8): wrong types, bounds, times after the run,
 * and scenarios that are valid but extreme (reboots at 0, twice, mid-handshake; a link down for good;
 * 1 ns lifetimes and DPD; thousands of actions at one instant). Each is refused with its field path,
 * or runs to the end with the outcome its own `expect` list states.
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

#define NODES "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]"
#define LINK "\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"20ms\"}]"
/* a initiates c to b; xa and xb are extra fields of each end */
#define PAIR(xa, xb)                                                                                             \
	"\"connections\":[{\"name\":\"c\",\"node\":\"a\",\"remote_node\":\"b\",\"initiate\":true,\"auth\":{\"psk\":\"k\"}" \
	xa "},{\"name\":\"c\",\"node\":\"b\",\"remote_node\":\"a\",\"auth\":{\"psk\":\"k\"}" xb "}]"
#define WORLD(dur, xa, xb) "{\"duration\":\"" dur "\"," NODES "," LINK "," PAIR(xa, xb)
#define UP(n) "{\"node\":\"" n "\",\"conn\":\"c\",\"ike_state\":\"ESTABLISHED\",\"child_state\":\"INSTALLED\"}"

#define KIDS16                                                                                                  \
	"{\"name\":\"k0\"},{\"name\":\"k1\"},{\"name\":\"k2\"},{\"name\":\"k3\"},{\"name\":\"k4\"},{\"name\":\"k5\"}," \
	"{\"name\":\"k6\"},{\"name\":\"k7\"},{\"name\":\"k8\"},{\"name\":\"k9\"},{\"name\":\"ka\"},{\"name\":\"kb\"}," \
	"{\"name\":\"kc\"},{\"name\":\"kd\"},{\"name\":\"ke\"},{\"name\":\"kf\"}"
#define TS16                                                                                                     \
	"\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2.0/24\",\"10.0.3.0/24\",\"10.0.4.0/24\",\"10.0.5.0/24\",\"10.0.6.0/24\"," \
	"\"10.0.7.0/24\",\"10.0.8.0/24\",\"10.0.9.0/24\",\"10.0.10.0/24\",\"10.0.11.0/24\",\"10.0.12.0/24\","        \
	"\"10.0.13.0/24\",\"10.0.14.0/24\",\"10.0.15.0/24\""
static const scntest_bad BAD[] = {
	{ WORLD("20s", ",\"children\":[" KIDS16 ",{\"name\":\"kg\"}]", "") "}",
	  "connections[0].children: 17 children, at most 16 per connection" },
	{ WORLD("20s", ",\"children\":[\"net\"]", "") "}", "connections[0].children[0]: expected an object, got a string" },
	{ WORLD("20s", ",\"children\":[{\"name\":\"n\\u0000x\"}]", "") "}",
	  ":1:268: connections[0].children[0].name: a string must not contain NUL" },
	{ WORLD("20s", ",\"children\":[{\"name\":\"n\",\"local_ts\":[" TS16 ",\"10.0.16.0/24\"]}]", "") "}",
	  "connections[0].children[0].local_ts: at most 16 entries allowed, got 17" },
	{ WORLD("20s", ",\"rekey_time\":\"315360001s\"", "") "}", "connections[0].rekey_time: at most 10 years (315360000 s)" },
	{ WORLD("20s", ",\"dpd_delay\":1e300", "") "}", "connections[0].dpd_delay: duration 1e+300 s is too long" },
	{ WORLD("20s", ",\"dpd_delay\":-1", "") "}", "connections[0].dpd_delay: a duration must not be negative, got -1" },
	{ WORLD("20s", ",\"dpd_action\":5", "") "}", "connections[0].dpd_action: expected a string, got a number" },
	{ WORLD("20s", ",\"profile\":[\"strongswan\"]", "") "}", "connections[0].profile: expected a string, got an array" },
	{ WORLD("20s", "", ",\"fragmentation\":true") "}", "connections[1].fragmentation: expected a string, got a boolean" },
	{ WORLD("20s", ",\"fragmentation\":\"maybe\"", "") "}",
	  "connections[0].fragmentation: 'maybe' is not one of \"yes\", \"no\", \"force\", \"accept\"" },
	{ WORLD("20s", ",\"fragment_size\":127", "") "}", "connections[0].fragment_size: 127 is out of range [128, 65507]" },
	{ WORLD("20s", ",\"fragment_size\":65508", "") "}", "connections[0].fragment_size: 65508 is out of range [128, 65507]" },
	{ WORLD("20s", ",\"make_before_break\":1", "") "}", "connections[0].make_before_break: expected true or false, got a number" },
	{ WORLD("20s", ",\"children\":[{\"name\":\"n\",\"start_action\":true}]", "") "}",
	  "connections[0].children[0].start_action: expected a string, got a boolean" },
	{ WORLD("20s", "", "") ",\"actions\":{\"at\":1}}", "actions: expected an array, got an object" },
	{ WORLD("20s", "", "") ",\"actions\":[{\"at\":1,\"node\":\"b\",\"conn\":\"d\",\"do\":\"rekey_ike\"}]}",
	  "actions[0].conn: node 'b' has no connection named 'd'" },
	/* a fault that starts after the run ends would do nothing: refused like a late action or sample */
	{ WORLD("20s", "", "") ",\"faults\":[{\"node\":\"a\",\"reboot\":\"21s\"}]}",
	  "faults[0].reboot: 21.000 s is after the run ends (duration 20.000 s)" },
	{ WORLD("20s", "", "") ",\"faults\":[{\"link\":\"a-b\",\"down\":\"1m\"}]}",
	  "faults[0].down: 60.000 s is after the run ends (duration 20.000 s)" },
	{ WORLD("20s", "", "") ",\"faults\":[{\"at\":\"20.5s\",\"node\":\"a\",\"drop_nth\":1}]}",
	  "faults[0].at: 20.500 s is after the run ends" },
	{ WORLD("20s", "", "") ",\"faults\":[{\"at\":\"30s\",\"node\":\"a\",\"exchange\":\"IKE_AUTH\"}]}",
	  "faults[0].at: 30.000 s is after the run ends" },
	{ WORLD("20s", "", "") ",\"faults\":[{\"node\":\"a\",\"reboot\":\"1s\",\"down\":\"2s\"}]}",
	  "faults[0]: give exactly one of 'drop_nth', 'drop_next', 'down', 'reboot', 'exchange', 'esp' or 'move'" },
	{ WORLD("20s", "", "") ",\"expect\":[{\"node\":\"a\",\"event\":\"dpd\",\"count\":1,\"from\":\"5s\",\"to\":\"1s\"}]}",
	  "expect[0].to: the range ends before it starts ('from' is later)" },
	/* counts are bounded by 2^53, the largest whole number a JSON number holds exactly: printed digit for digit */
	{ WORLD("20s", "", "") ",\"expect\":[{\"node\":\"a\",\"exchange\":\"IKE_AUTH\",\"messages\":-1}]}",
	  "expect[0].messages: -1 is out of range [0, 9007199254740992]" },
	{ WORLD("20s", "", "") ",\"expect\":[{\"node\":\"a\",\"event\":\"dpd\",\"max\":1e19}]}",
	  "expect[0].max: 1e+19 is out of range [0, 9007199254740992]" },
};

static void hostile_lifecycle_fields_name_their_path(void **state)
{
	(void)state;
	scntest_refusals(BAD, sizeof(BAD) / sizeof(BAD[0]), 0);
}

/* At the bounds and valid: 16 children, 16 selectors in one, 10-year lifetimes, the smallest fragments. */
static void bounds_are_accepted(void **state)
{
	(void)state;
	static const char *const ok[] = {
		WORLD("20s", ",\"children\":[" KIDS16 "]", "") "}",
		WORLD("20s", ",\"children\":[{\"name\":\"n\",\"local_ts\":[" TS16 "]}]", "") "}",
		WORLD("20s", ",\"rekey_time\":\"315360000s\",\"children\":[{\"name\":\"n\",\"rekey_time\":\"87600h\"}]", "") "}",
		WORLD("20s", ",\"fragmentation\":\"force\",\"fragment_size\":128", ",\"fragmentation\":\"accept\"") "}",
		WORLD("20s", "", "") ",\"faults\":[{\"node\":\"a\",\"reboot\":\"20s\"},{\"link\":\"a-b\",\"down\":\"1s\","
				     "\"up\":\"1h\"}],\"expect\":[{\"node\":\"a\",\"event\":\"dpd\",\"max\":9007199254740992,"
				     "\"to\":\"1h\"}]}",
	};
	char err[512];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		sim_scenario *sc = scntest_parse(ok[i], err, sizeof(err));
		if (!sc)
			fail_msg("case %zu refused: %s", i, err);
		sim_scenario_free(sc);
	}
}

/* Loads and runs text; the scenario's own expectations must all hold. */
static void runs_as_expected(const char *what, const char *text)
{
	char err[512];
	sim_scenario *sc = scntest_parse(text, err, sizeof(err));
	if (!sc)
		fail_msg("%s: %s", what, err);
	sim_run_result res;
	sim_run_opts o = { 0 };
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s: %s", what, err);
	size_t failed = sim_check_expects(sc, &res, stderr);
	assert_true(sc->n_expects > 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	if (failed)
		fail_msg("%s: %zu expectation(s) failed", what, failed);
}

static void reboots_at_zero_twice_and_mid_handshake(void **state)
{
	(void)state;
	/* before anything was sent: the initiator starts on its fresh peer as if nothing happened */
	runs_as_expected("reboot at 0", WORLD("5s", "", "") ",\"faults\":[{\"node\":\"a\",\"reboot\":0},{\"node\":\"b\","
							 "\"reboot\":0}],\"expect\":[" UP("a") "," UP("b") ",{\"node\":\"a\","
							 "\"event\":\"fault\",\"count\":1}]}");
	/* two reboots at one instant: two fresh peers, the responder holds nothing, the initiator's SA is stale */
	runs_as_expected("reboot twice", WORLD("5s", "", "") ",\"faults\":[{\"node\":\"b\",\"reboot\":\"1s\"},{\"node\":"
							  "\"b\",\"reboot\":\"1s\"}],\"expect\":[" UP("a") ",{\"node\":\"b\","
							  "\"conn\":\"c\",\"ike_state\":\"NONE\"},{\"node\":\"b\",\"event\":"
							  "\"fault\",\"count\":2}]}");
	/* the responder reboots with its half-open SA, then the initiator with its IKE_AUTH out; it starts again */
	runs_as_expected("reboot mid-handshake",
			 WORLD("5s", "", "") ",\"faults\":[{\"node\":\"b\",\"reboot\":\"30ms\"},{\"node\":\"a\",\"reboot\":"
					     "\"50ms\"}],\"expect\":[" UP("a") "," UP("b") ",{\"node\":\"a\",\"exchange\":"
					     "\"IKE_SA_INIT\",\"messages\":2,\"response\":false}]}");
}

static void link_down_for_good_times_out(void **state)
{
	(void)state;
	runs_as_expected("link down", WORLD("20s", ",\"retransmit\":{\"timeout\":\"1s\",\"factor\":2,\"tries\":2}", "")
		",\"faults\":[{\"link\":\"a-b\",\"down\":0}],\"expect\":[{\"node\":\"a\",\"conn\":\"c\",\"ike_state\":"
		"\"NONE\",\"timed_out\":true},{\"node\":\"b\",\"conn\":\"c\",\"ike_state\":\"NONE\"},{\"node\":\"a\","
		"\"exchange\":\"IKE_SA_INIT\",\"messages\":3}]}");
}

/* Lifetimes and DPD of 1 ns: one exchange at a time per SA, so the work is bounded by round trips. */
static void nanosecond_lifetimes_and_dpd_stay_bounded(void **state)
{
	(void)state;
	runs_as_expected("1 ns child rekey", WORLD("4s", ",\"children\":[{\"name\":\"c\",\"rekey_time\":\"1ns\"}]", "")
		",\"expect\":[" UP("a") "," UP("b") ",{\"node\":\"a\",\"event\":\"child_sa.rekeyed\",\"min\":20,"
		"\"max\":100}]}");
	runs_as_expected("1 ns IKE rekey", WORLD("4s", ",\"rekey_time\":\"1ns\"", "")
		",\"expect\":[{\"node\":\"b\",\"conn\":\"c\",\"ike_state\":\"ESTABLISHED\"},{\"node\":\"a\",\"event\":"
		"\"ike_sa.rekeyed\",\"min\":20,\"max\":200}]}");
	runs_as_expected("1 ns DPD", WORLD("4s", ",\"dpd_delay\":\"1ns\"", ",\"dpd_delay\":\"1ns\"")
		",\"expect\":[" UP("a") "," UP("b") ",{\"node\":\"a\",\"exchange\":\"INFORMATIONAL\",\"max\":400}]}");
}

/* Thousands of actions at one instant: each queues at most one request per SA and child. */
static void action_storms_stay_bounded(void **state)
{
	(void)state;
	size_t cap = 256 * 1024, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "%s", WORLD("4s", "", "") ",\"actions\":[");
	for (int i = 0; i < 2000; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"at\":\"1s\",\"node\":\"a\",\"conn\":\"c\",\"do\":"
					"\"rekey_child\",\"child\":\"c\"}", i ? "," : "");
	/* the responder's end has no SA at 0: its action does nothing */
	snprintf(text + len, cap - len, ",{\"at\":0,\"node\":\"b\",\"conn\":\"c\",\"do\":\"delete_ike\"}],\"expect\":["
		 UP("a") "," UP("b") ",{\"node\":\"a\",\"event\":\"child_sa.rekeyed\",\"count\":1},{\"node\":\"a\","
		 "\"event\":\"action\",\"count\":2000},{\"node\":\"b\",\"exchange\":\"INFORMATIONAL\",\"response\":false,"
		 "\"max\":1}]}");
	assert_true(strlen(text) + 1 < cap);
	runs_as_expected("2000 rekey_child at 1 s", text);
	free(text);
}

size_t tests_scenario_hostile_life(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(hostile_lifecycle_fields_name_their_path),
		cmocka_unit_test(bounds_are_accepted),
		cmocka_unit_test(reboots_at_zero_twice_and_mid_handshake),
		cmocka_unit_test(link_down_for_good_times_out),
		cmocka_unit_test(nanosecond_lifetimes_and_dpd_stay_bounded),
		cmocka_unit_test(action_storms_stay_bounded),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
