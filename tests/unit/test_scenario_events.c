/* Scenario faults that act in time (link down, reboot, an exchange's n-th message) and the richer `expect`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikepeek.h"
#include "run.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

#define NODES "\"nodes\":[{\"name\":\"a\",\"addresses\":[\"192.0.2.1\"]},{\"name\":\"b\",\"addresses\":[\"198.51.100.1\"]}]"
#define LINK "\"links\":[{\"a\":\"a\",\"b\":\"b\",\"latency\":\"20ms\"}]"
#define CONN(node, peer, extra) \
	"{\"name\":\"c\",\"node\":\"" node "\",\"remote_node\":\"" peer "\",\"auth\":{\"psk\":\"s\"}" extra "}"
#define WORLD NODES "," LINK ",\"connections\":[" CONN("a", "b", ",\"initiate\":true") "," CONN("b", "a", "") "]"

static sim_scenario *parse(const char *text, char *err, size_t errlen)
{
	return sim_scenario_parse("t.json", text, strlen(text), err, errlen);
}

static void faults_and_expects_load(void **state)
{
	(void)state;
	char err[512];
	sim_scenario *sc = parse("{\"duration\":\"100s\"," WORLD ",\"faults\":[{\"link\":\"a-b\",\"down\":\"10s\",\"up\":\"40s\"},"
				 "{\"link\":{\"a\":\"b\",\"b\":\"a\"},\"down\":\"50s\"},{\"node\":\"b\",\"reboot\":\"60s\",\"restart_after\":\"2s\"},"
				 "{\"node\":\"a\",\"exchange\":\"CREATE_CHILD_SA\",\"nth\":2,\"response\":false},{\"node\":\"a\",\"drop_nth\":3}],"
				 "\"expect\":[{\"node\":\"a\",\"event\":\"child_sa.rekeyed\",\"count\":2,\"from\":\"30s\",\"to\":\"90s\",\"conn\":\"c\"},"
				 "{\"node\":\"a\",\"event\":\"dpd\",\"min\":1},{\"node\":\"b\",\"event\":\"fault\",\"max\":4},"
				 "{\"node\":\"a\",\"conn\":\"c\",\"at\":\"90s\",\"ike_state\":\"ESTABLISHED\"},"
				 "{\"node\":\"b\",\"exchange\":\"INFORMATIONAL\",\"min\":1,\"max\":3,\"response\":true},"
				 "{\"node\":\"a\",\"conn\":\"c\",\"child_state\":\"INSTALLED\"}]}",
				 err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->n_faults, 5);
	assert_int_equal(sc->faults[0].kind, SIM_FAULT_LINK_DOWN);
	assert_int_equal(sc->faults[0].at, 10000000000LL);
	assert_int_equal(sc->faults[0].until, 40000000000LL);
	assert_int_equal(sc->faults[1].until, -1);
	assert_int_equal(sc->faults[1].link_a, 1);
	assert_int_equal(sc->faults[2].kind, SIM_FAULT_REBOOT);
	assert_int_equal(sc->faults[2].node, 1);
	assert_int_equal(sc->faults[2].restart_after, 2000000000LL);
	assert_int_equal(sc->faults[3].kind, SIM_FAULT_EXCHANGE);
	assert_int_equal(sc->faults[3].exchange, 36);
	assert_int_equal(sc->faults[3].nth, 2);
	assert_int_equal(sc->faults[3].response, 0);
	assert_int_equal(sc->faults[4].kind, SIM_FAULT_DROP);
	assert_int_equal(sc->expects[0].kind, SIM_EXPECT_EVENTS);
	assert_int_equal(sc->expects[0].min, 2);
	assert_int_equal(sc->expects[0].max, 2);
	assert_string_equal(sc->expects[0].conn_name, "c");
	assert_int_equal(sc->expects[1].max, INT64_MAX);
	assert_int_equal(sc->expects[1].to, INT64_MAX);
	assert_int_equal(sc->expects[2].min, 0);
	assert_int_equal(sc->expects[3].kind, SIM_EXPECT_AT);
	assert_int_equal(sc->expects[4].kind, SIM_EXPECT_MESSAGES);
	assert_int_equal(sc->expects[4].exchange, 37);
	assert_int_equal(sc->expects[4].response, 1);
	assert_int_equal(sc->expects[5].kind, SIM_EXPECT_END);
	sim_scenario_free(sc);
	sc = parse("{" NODES "," LINK ",\"connections\":[" CONN("a", "b", ",\"children\":[{\"name\":\"x\"},{\"name\":\"y\"}]") "],"
		   "\"actions\":[{\"at\":\"30s\",\"node\":\"a\",\"conn\":\"c\",\"do\":\"rekey_child\",\"child\":\"y\"},"
		   "{\"at\":0,\"node\":\"a\",\"conn\":\"c\",\"do\":\"initiate\"}]}",
		   err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->n_actions, 2);
	assert_int_equal(sc->actions[0].at, 30000000000LL);
	assert_int_equal(sc->actions[0].what, SIM_DO_REKEY_CHILD);
	assert_int_equal(sc->actions[0].child, 1);
	assert_int_equal(sc->actions[1].what, SIM_DO_INITIATE);
	assert_string_equal(sim_action_name(SIM_DO_DELETE_IKE), "delete_ike");
	sim_scenario_free(sc);
}

#define F(x) "{" WORLD ",\"faults\":[" x "]}"
#define E(x) "{" WORLD ",\"expect\":[" x "]}"
#define A(x) "{" WORLD ",\"actions\":[" x "]}"
static const scntest_bad BAD[] = {
	{ F("{\"link\":\"a-b\",\"down\":\"1s\",\"reboot\":\"2s\"}"), "faults[0]: give exactly one of 'drop_nth', 'drop_next', 'down', 'reboot', 'exchange', 'esp' or 'move'" },
	{ F("{\"down\":\"1s\"}"), "faults[0].link: missing required field 'link'" },
	{ F("{\"link\":\"a-b\",\"down\":\"5s\",\"up\":\"5s\"}"), "faults[0].up: the link must come up after it went down" },
	{ F("{\"link\":\"a-b\",\"down\":\"5s\",\"node\":\"a\"}"), "faults[0].node: not a field of a link down fault" },
	{ F("{\"link\":\"a-b\",\"down\":\"5s\",\"at\":\"1s\"}"), "faults[0].at: not a field of a link down fault" },
	{ F("{\"node\":\"a\",\"drop_nth\":1,\"up\":\"5s\"}"), "faults[0].up: not a field of a drop_nth/drop_next fault" },
	{ F("{\"reboot\":\"5s\"}"), "faults[0].node: missing required field 'node'" },
	{ F("{\"node\":\"z\",\"reboot\":\"5s\"}"), "faults[0].node: no node named 'z'" },
	{ F("{\"node\":\"a\",\"reboot\":\"5s\",\"link\":\"a-b\"}"), "faults[0].link: not a field of a reboot fault" },
	{ F("{\"node\":\"a\",\"reboot\":\"-5s\"}"), "faults[0].reboot: a duration must not be negative" },
	{ F("{\"node\":\"a\",\"exchange\":\"IKE_REKEY\"}"), "faults[0].exchange: unknown exchange 'IKE_REKEY'" },
	{ F("{\"node\":\"a\",\"exchange\":\"IKE_AUTH\",\"nth\":0}"), "faults[0].nth: 0 is out of range" },
	{ F("{\"node\":\"a\",\"exchange\":\"QUICK_MODE\",\"response\":true}"),
	  "faults[0].exchange: 'QUICK_MODE' is an IKEv1 exchange: its messages carry no response flag" },
	{ E("{\"node\":\"a\",\"exchange\":\"AGGRESSIVE\",\"messages\":3,\"response\":false}"),
	  "expect[0].exchange: 'AGGRESSIVE' is an IKEv1 exchange: its messages carry no response flag" },
	{ F("{\"node\":\"a\",\"exchange\":\"IKE_AUTH\",\"response\":1}"), "faults[0].response: expected true or false" },
	{ F("{\"exchange\":\"IKE_AUTH\"}"), "faults[0].node: missing required field 'node'" },
	{ F("{\"node\":\"a\",\"drop_nth\":1,\"bogus\":1}"), "faults[0].bogus: unknown field 'bogus'" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"198.51.100.1\"}"), "faults[0].address: 198.51.100.1 belongs to another node" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"2001:db8::1\"}"),
	  "faults[0].address: node 'a' has no address of this family to move from" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"junk\"}"), "faults[0].address: 'junk' is not an IPv4 or IPv6 address" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"192.0.2.9\",\"via\":\"a\"}"), "faults[0].via: 'a' is not a neighbour of 'a'" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"192.0.2.9\",\"at\":\"1s\"}"), "faults[0].at: not a field of a move fault" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"192.0.2.9\",\"via\":\"b\"}"), "faults[0].via: 'b' does not forward" },
	{ "{" WORLD ",\"hosts\":[{\"name\":\"h\",\"address\":\"10.9.0.1\",\"gateway\":\"a\"}],"
	  "\"faults\":[{\"node\":\"b\",\"move\":\"5s\",\"address\":\"10.9.0.1\"}]}",
	  "faults[0].address: 10.9.0.1 belongs to host 'h'" },
	{ F("{\"node\":\"a\",\"move\":\"5s\",\"address\":\"192.0.2.9\"},{\"node\":\"b\",\"move\":\"6s\",\"address\":\"192.0.2.9\"}"),
	  "faults[1].address: 192.0.2.9 is where faults[0] moves 'a'" },
	{ E("{\"node\":\"a\",\"event\":\"child_sa.rekey\",\"count\":1}"), "expect[0].event: unknown event 'child_sa.rekey'" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\"}"), "expect[0]: nothing to check: give 'count' (or 'min' and/or 'max')" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"count\":1,\"max\":2}"), "expect[0].max: give 'count' or 'min'/'max', not both" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"min\":3,\"max\":2}"), "expect[0].max: max is below min" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"count\":-1}"), "expect[0].count: -1 is out of range" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"count\":1,\"from\":\"5s\",\"to\":\"4s\"}"), "expect[0].to: the range ends before it starts" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"count\":1,\"conn\":\"x\"}"), "expect[0].conn: node 'a' has no connection named 'x'" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"max\":1,\"window\":0}"), "expect[0].window: a window must be longer than 0" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"max\":1,\"window\":\"-1s\"}"), "expect[0].window: a duration must not be negative" },
	{ E("{\"node\":\"a\",\"event\":\"dpd\",\"count\":1,\"ike_state\":\"NONE\"}"), "expect[0].ike_state: unknown field 'ike_state'" },
	{ E("{\"node\":\"a\",\"conn\":\"c\",\"at\":\"61s\",\"ike_state\":\"NONE\"}"), "expect[0].at: 61.000 s is after the run ends (duration 60.000 s)" },
	{ E("{\"node\":\"a\",\"conn\":\"c\",\"at\":\"6s\"}"), "expect[0]: nothing to check: give ike_state" },
	{ E("{\"node\":\"a\",\"exchange\":\"IKE_AUTH\"}"), "expect[0]: nothing to check: give 'messages'" },
	{ E("{\"node\":\"a\",\"exchange\":\"NOPE\",\"messages\":1}"), "expect[0].exchange: unknown exchange 'NOPE'" },
	{ E("{\"node\":\"a\",\"exchange\":\"IKE_AUTH\",\"messages\":1,\"conn\":\"c\"}"), "expect[0].conn: unknown field 'conn'" },
	{ A("{\"node\":\"a\",\"conn\":\"c\",\"do\":\"rekey_ike\"}"), "actions[0].at: missing required field 'at'" },
	{ A("{\"at\":\"61s\",\"node\":\"a\",\"conn\":\"c\",\"do\":\"rekey_ike\"}"), "actions[0].at: 61.000 s is after the run ends" },
	{ A("{\"at\":1,\"node\":\"a\",\"conn\":\"x\",\"do\":\"rekey_ike\"}"), "actions[0].conn: node 'a' has no connection named 'x'" },
	{ A("{\"at\":1,\"node\":\"a\",\"conn\":\"c\",\"do\":\"reboot\"}"), "actions[0].do: unknown action 'reboot'" },
	{ A("{\"at\":1,\"node\":\"a\",\"conn\":\"c\",\"do\":\"rekey_child\"}"), "actions[0].child: missing required field 'child'" },
	{ A("{\"at\":1,\"node\":\"a\",\"conn\":\"c\",\"do\":\"delete_child\",\"child\":\"d\"}"),
	  "actions[0].child: connection 'c' has no child named 'd'" },
	{ A("{\"at\":1,\"node\":\"a\",\"conn\":\"c\",\"do\":\"delete_ike\",\"child\":\"c\"}"),
	  "actions[0].child: 'delete_ike' acts on the whole connection: no 'child'" },
	{ A("{\"at\":1,\"node\":\"a\",\"conn\":\"c\",\"do\":\"initiate\",\"when\":1}"), "actions[0].when: unknown field 'when'" },
};

static void bad_faults_and_expects_name_their_path(void **state)
{
	(void)state;
	scntest_refusals(BAD, sizeof(BAD) / sizeof(BAD[0]), 0);
}

/* The IKE header glance behind exchange faults and message counts: marker on 4500, version, R flag. */
static void ike_peek_reads_the_header(void **state)
{
	(void)state;
	uint8_t d[40] = { 0 }, x = 0, fl = 0;
	ike_addr a = { .family = 4, .port = 500 }, b = { .family = 4, .port = 500 };
	d[0] = 0x11;
	d[17] = 0x20;
	d[18] = 36;
	d[19] = 0x20;
	assert_int_equal(sim_ike_peek(&a, &b, d, 28, &x, &fl), 0);
	assert_int_equal(x, 36);
	assert_int_equal(fl & SIM_IKE_FLAG_RESPONSE, SIM_IKE_FLAG_RESPONSE);
	assert_int_equal(sim_ike_peek(&a, &b, d, 27, &x, &fl), -1);
	d[17] = 0x10; /* IKEv1: its exchange, and no response flag (its 0x20 is not one) */
	d[18] = 32;
	assert_int_equal(sim_ike_peek(&a, &b, d, 28, &x, &fl), 0);
	assert_int_equal(x, 32);
	assert_int_equal(fl & SIM_IKE_FLAG_RESPONSE, 0);
	d[17] = 0x30; /* neither */
	assert_int_equal(sim_ike_peek(&a, &b, d, 28, &x, &fl), -1);
	d[17] = 0x20;
	/* On 4500 with the non-ESP marker: the header starts 4 octets in. */
	uint8_t m[44] = { 0 };
	memcpy(m + 4, d, 28);
	m[4 + 17] = 0x20;
	m[4 + 18] = 37;
	m[4 + 19] = 0x08;
	b.port = 4500;
	assert_int_equal(sim_ike_peek(&a, &b, m, 32, &x, &fl), 0);
	assert_int_equal(x, 37);
	assert_int_equal(fl & SIM_IKE_FLAG_RESPONSE, 0);
	assert_int_equal(sim_ike_peek(&a, &b, m, 31, &x, &fl), -1);
}

/* A failed count or sample prints one line each naming what was wanted and got. */
static void failed_counts_print_one_line_each(void **state)
{
	(void)state;
	char err[512], *buf = NULL;
	size_t len = 0;
	sim_scenario *sc = parse("{\"duration\":\"2s\"," WORLD ",\"faults\":[{\"link\":\"a-b\",\"down\":0}],"
				 "\"expect\":[{\"node\":\"a\",\"event\":\"ike.retransmit\",\"min\":2},"
				 "{\"node\":\"a\",\"exchange\":\"IKE_SA_INIT\",\"messages\":1},"
				 "{\"node\":\"b\",\"exchange\":\"IKE_SA_INIT\",\"messages\":1,\"response\":true},"
				 "{\"node\":\"a\",\"event\":\"fault\",\"count\":0},"
				 "{\"node\":\"a\",\"conn\":\"c\",\"at\":\"1s\",\"ike_state\":\"ESTABLISHED\"}]}",
				 err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { 0 };
	sim_run_result res;
	assert_int_equal(sim_run_scenario(sc, &o, &res, err, sizeof(err)), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(sim_check_expects(sc, &res, f), 3);
	fclose(f);
	assert_non_null(strstr(buf, "expect[0]: a: ike.retransmit events in [0.000000000, end] wanted at least 2, got 0\n"));
	assert_non_null(strstr(buf, "expect[2]: b: IKE_SA_INIT responses sent wanted 1, got 0\n"));
	assert_non_null(strstr(buf, "expect[4]: a/c: ike_state at 1.000000000 s wanted ESTABLISHED, got CONNECTING\n"));
	free(buf);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

/* ike_sas/child_sas count what a connection holds: one of each when up, none after the IKE SA is deleted. */
static void sa_counts_are_checked(void **state)
{
	(void)state;
	char err[512], *buf = NULL;
	size_t len = 0;
	sim_scenario *sc = parse("{\"duration\":\"4s\"," WORLD ",\"expect\":["
				 "{\"node\":\"a\",\"conn\":\"c\",\"at\":\"2s\",\"ike_sas\":1,\"child_sas\":1},"
				 "{\"node\":\"a\",\"conn\":\"c\",\"ike_sas\":2},"
				 "{\"node\":\"b\",\"conn\":\"c\",\"child_sas\":0}]}",
				 err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->expects[0].want_sas, 3);
	assert_int_equal(sc->expects[1].want_sas, 1);
	assert_int_equal(sc->expects[2].want_sas, 2);
	sim_run_opts o = { 0 };
	sim_run_result res;
	assert_int_equal(sim_run_scenario(sc, &o, &res, err, sizeof(err)), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(sim_check_expects(sc, &res, f), 2); /* failures */
	fclose(f);
	assert_null(strstr(buf, "expect[0]"));
	assert_non_null(strstr(buf, "expect[1]: a/c: ike_sas wanted 2, got 1\n"));
	assert_non_null(strstr(buf, "expect[2]: b/c: child_sas wanted 0, got 1\n"));
	free(buf);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

/* "window": the most matching events in any span that long. a sends at 0 s (IKE_SA_INIT) and 0.040 s (IKE_AUTH). */
static void window_counts_the_busiest_span(void **state)
{
	(void)state;
	char err[512], *buf = NULL;
	size_t len = 0;
	sim_scenario *sc = parse("{\"duration\":\"2s\"," WORLD ",\"expect\":["
				 "{\"node\":\"a\",\"event\":\"ike.tx\",\"count\":2},"
				 "{\"node\":\"a\",\"event\":\"ike.tx\",\"window\":\"39ms\",\"count\":1},"
				 "{\"node\":\"a\",\"event\":\"ike.tx\",\"window\":\"40ms\",\"count\":2},"
				 "{\"node\":\"a\",\"event\":\"ike.tx\",\"window\":\"1s\",\"from\":\"10ms\",\"count\":1},"
				 "{\"node\":\"a\",\"event\":\"ike.tx\",\"window\":\"1s\",\"max\":1}]}",
				 err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->expects[1].window, 39000000);
	sim_run_opts o = { 0 };
	sim_run_result res;
	assert_int_equal(sim_run_scenario(sc, &o, &res, err, sizeof(err)), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(sim_check_expects(sc, &res, f), 1);
	fclose(f);
	assert_string_equal(buf, "expect[4]: a: ike.tx events in [0.000000000, end] (most in any 1.000000000 s) wanted at most 1, got 2\n");
	free(buf);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

size_t tests_scenario_events(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(faults_and_expects_load),
		cmocka_unit_test(bad_faults_and_expects_name_their_path),
		cmocka_unit_test(ike_peek_reads_the_header),
		cmocka_unit_test(failed_counts_print_one_line_each),
		cmocka_unit_test(sa_counts_are_checked),
		cmocka_unit_test(window_counts_the_busiest_span),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
