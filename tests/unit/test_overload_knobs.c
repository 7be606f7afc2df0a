/*
 * Gateway overload knobs beyond the cookie and half-open thresholds: strongSwan's ikesa_limit (no new IKE SA
 * once that many exist) and libreswan's ddos_mode (busy: a cookie for every new IKE SA; unlimited: never one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

/* A gateway with `knobs` and 10 road warriors; runs it; returns the trace (caller frees), *gw_sas the IKE SAs up. */
static char *storm(const char *knobs, size_t *gw_sas)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "{\"duration\":\"10s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]%s}],"
		 "\"populations\":[{\"name\":\"rw\",\"count\":10,\"addresses\":\"100.64.0.1\",\"link\":{\"to\":\"gw\","
		 "\"latency\":\"5ms\"},\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"k\"},"
		 "\"remote_ts\":[\"10.0.0.0/16\"],\"retransmit\":{\"timeout\":\"1s\",\"tries\":1}}}],"
		 "\"connections\":[{\"name\":\"rw\",\"node\":\"gw\",\"remote\":\"0.0.0.0\",\"auth\":{\"psk\":\"k\"},"
		 "\"local_ts\":[\"10.0.0.0/16\"],\"remote_ts\":[\"100.64.0.0/10\"]}]}",
		 knobs);
	sim_run_result res;
	char *t = scntest_run(text, NULL, &res);
	*gw_sas = res.status[res.first[0]].ike_sas;
	sim_run_result_free(&res);
	return t;
}

static size_t count(const char *t, const char *what)
{
	size_t n = 0;
	for (const char *p = t; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void ikesa_limit_stops_new_sas(void **state)
{
	(void)state;
	size_t up;
	char *t = storm(",\"ikesa_limit\":4", &up);
	assert_int_equal(up, 4);
	assert_non_null(strstr(t, "IKE SAs (ikesa_limit 4)"));
	free(t);
	t = storm("", &up); /* without it all ten */
	assert_int_equal(up, 10);
	free(t);
}

static void ddos_mode_busy_and_unlimited(void **state)
{
	(void)state;
	size_t up;
	/* busy: every client is asked for a cookie once, answers with it, and gets in */
	char *t = storm(",\"ddos_mode\":\"busy\"", &up);
	assert_int_equal(up, 10);
	assert_int_equal(count(t, "\"ev\":\"ike.rx\",\"summary\":\"IKE_SA_INIT response 0 [ N(COOKIE) ]\""), 10);
	free(t);
	/* unlimited: the libreswan profile's cookie threshold is switched off (none of 10 would reach it anyway) */
	t = storm(",\"profile\":\"libreswan\",\"ddos_mode\":\"unlimited\"", &up);
	assert_int_equal(up, 10);
	assert_null(strstr(t, "N(COOKIE)"));
	free(t);
	char err[256];
	const char *bad = "{\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"],\"ddos_mode\":\"panic\"}]}";
	assert_null(sim_scenario_parse("t.json", bad, strlen(bad), err, sizeof(err)));
	assert_non_null(strstr(err, "nodes[0].ddos_mode: 'panic' is not one of"));
	bad = "{\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"],\"ikesa_limit\":-1}]}";
	assert_null(sim_scenario_parse("t.json", bad, strlen(bad), err, sizeof(err)));
	assert_non_null(strstr(err, "nodes[0].ikesa_limit"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(ikesa_limit_stops_new_sas),
	cmocka_unit_test(ddos_mode_busy_and_unlimited),
};

size_t tests_overload_knobs(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
