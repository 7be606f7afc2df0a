/*
 * The storm sampler (netsim/metrics*.c): gauges, counters and rows from events fed by hand, latency and
 * recovery, a reboot; the loader's refusals of bad "metrics" and metric expectations, naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

#define S(x) ((int64_t)(x) * 1000000000LL)

static void state(sim_metrics *m, int64_t t, uint32_t node, const char *spi, const char *from, const char *to,
		  const char *role)
{
	char f[256];
	snprintf(f, sizeof(f), "\"from\":\"%s\",\"to\":\"%s\",\"why\":\"x\",\"transition\":\"t\",\"role\":\"%s\","
			       "\"conn\":\"c\",\"initiator-spi\":\"%s\",\"responder-spi\":\"0000000000000000\"",
		 from, to, role, spi);
	sim_metrics_event(m, t, node, "ike_sa.state", f);
}

static void msg(sim_metrics *m, int64_t t, uint32_t node, const char *ev, const char *spi, const char *flags,
		const char *summary)
{
	char f[300];
	snprintf(f, sizeof(f), "\"summary\":\"%s\",\"exchange\":\"IKE_SA_INIT\",\"msgid\":0,\"flags\":\"%s\",\"size\":9,"
			       "\"initiator-spi\":\"%s\",\"responder-spi\":\"0000000000000000\"",
		 summary, flags, spi);
	sim_metrics_event(m, t, node, ev, f);
}

static double cell(const sim_metrics_result *r, size_t row, const char *col)
{
	for (size_t c = 0; c < r->n_cols; c++)
		if (strcmp(r->cols[c], col) == 0)
			return r->v[row * r->n_cols + c];
	fail_msg("no column %s", col);
	return -1;
}

/* Two nodes: node 0 initiates one SA (latency 1.5 s), node 1 answers; node 1 reboots at 5 s; node 0 sets up
 * again at 7 s..8 s. Rows every second hold the gauges at their time and the counters of the interval. */
static void sampler_by_hand(void **st)
{
	(void)st;
	int64_t marks[] = { S(2), S(6) };
	sim_metrics_window win[] = { { SIM_MC_RETRANSMITS, S(1), S(2), 0 }, { SIM_MC_IKE_TX, 0, INT64_MAX, 0 } };
	sim_metrics_cfg cfg = { .interval = S(1), .n_nodes = 2, .marks = marks, .n_marks = 2, .windows = win,
				.n_windows = 2, .keep_rows = 1 };
	sim_metrics *m = sim_metrics_new(&cfg);
	assert_non_null(m);
	state(m, 0, 0, "00000000000000aa", "CREATED", "CONNECTING", "initiator");
	msg(m, 0, 0, "ike.tx", "00000000000000aa", "I", "IKE_SA_INIT request 0 [ SA KE No ]");
	msg(m, S(1), 0, "ike.retransmit", "00000000000000aa", "I", "");
	state(m, S(1) + 1, 1, "00000000000000aa", "CREATED", "CONNECTING", "responder");
	msg(m, S(1) + 1, 1, "ike.tx", "00000000000000aa", "R", "IKE_SA_INIT response 0 [ N(COOKIE) ]");
	msg(m, S(1) + 2, 0, "ike.rx", "00000000000000aa", "R", "IKE_SA_INIT response 0 [ SA KE No ]");
	state(m, S(1) + S(1) / 2, 0, "00000000000000aa", "CONNECTING", "ESTABLISHED", "initiator");
	state(m, S(1) + S(1) / 2, 1, "00000000000000aa", "CONNECTING", "ESTABLISHED", "responder");
	sim_metrics_event(m, S(3), 1, "child_sa.state", "\"from\":\"INSTALLING\",\"to\":\"INSTALLED\"");
	sim_metrics_drop(m, S(4), 0, "loss");
	assert_int_equal(sim_metrics_up(m), 2);
	sim_metrics_event(m, S(5), 1, "fault", "\"kind\":\"reboot\",\"fault\":0,\"boot\":1");
	sim_metrics_reboot(m, S(5), 1);
	assert_int_equal(sim_metrics_up(m), 1);
	state(m, S(7), 0, "00000000000000aa", "ESTABLISHED", "DESTROYING", "initiator");
	state(m, S(7), 0, "00000000000000bb", "CREATED", "CONNECTING", "initiator");
	state(m, S(8), 0, "00000000000000bb", "CONNECTING", "ESTABLISHED", "initiator");
	state(m, S(8), 1, "00000000000000bb", "CONNECTING", "ESTABLISHED", "responder"); /* never CONNECTING: no count */
	int cpu = sim_metrics_col(m, "cpu.gw.0", SIM_MK_GAUGE);
	assert_int_equal(cpu, SIM_MC_FIXED + 1); /* after drops.loss */
	sim_metrics_set(m, S(8), (size_t)cpu, 0.25);
	sim_metrics_result r;
	assert_int_equal(sim_metrics_finish(m, S(8) + 3, &r), 0);
	sim_metrics_free(m);
	assert_int_equal(r.n_rows, 10); /* 0 .. 9 s: the last at or after the end */
	assert_int_equal(cell(&r, 0, "half_open"), 1);
	assert_int_equal(cell(&r, 0, "in_flight"), 1);
	assert_int_equal(cell(&r, 0, "ike_tx"), 1);
	assert_int_equal(cell(&r, 1, "retransmits"), 1); /* at exactly 1 s: row 1 */
	assert_int_equal(cell(&r, 2, "cookies"), 1);
	assert_int_equal(cell(&r, 2, "in_flight"), 0);
	assert_int_equal(cell(&r, 2, "ike_up"), 2);
	assert_int_equal(cell(&r, 2, "half_open"), 0);
	assert_int_equal(cell(&r, 3, "child_up"), 1);
	assert_int_equal(cell(&r, 4, "drops"), 1);
	assert_int_equal(cell(&r, 4, "drops.loss"), 1);
	assert_int_equal(cell(&r, 3, "drops.loss"), 0);
	assert_int_equal(cell(&r, 5, "ike_up"), 1);
	assert_int_equal(cell(&r, 5, "child_up"), 0);
	assert_int_equal(cell(&r, 8, "cpu.gw.0"), 0);
	assert_true(cell(&r, 9, "cpu.gw.0") == 0.25);
	assert_int_equal(cell(&r, 9, "ike_up"), 2);
	assert_int_equal(r.marks[0 * SIM_MC_GAUGES + SIM_MC_IKE_UP], 2);
	assert_int_equal(r.marks[1 * SIM_MC_GAUGES + SIM_MC_IKE_UP], 1);
	assert_int_equal(win[0].count, 1);
	assert_int_equal(win[1].count, 2);
	assert_int_equal(r.n_lat, 2); /* the responder's are not setups */
	assert_int_equal(r.lat[0], S(1));
	assert_int_equal(r.lat[1], S(1) + S(1) / 2);
	assert_int_equal(sim_metrics_quantile(&r, 0.5), S(1));
	assert_int_equal(sim_metrics_quantile(&r, 0.99), S(1) + S(1) / 2);
	assert_int_equal(r.final_up, 2);
	assert_int_equal(r.recovery_at, S(8));
	assert_int_equal(r.fault_at, S(5));
	assert_int_equal(r.recovery_time, S(3));
	assert_int_equal(r.totals[SIM_MC_IKE_TX], 2);
	sim_metrics_result_free(&r);
}

/* A node not measured moves nothing; the latency of its initiations still counts. */
static void sampler_node_filter(void **st)
{
	(void)st;
	uint8_t measured[2] = { 0, 1 };
	sim_metrics_cfg cfg = { .interval = S(1), .n_nodes = 2, .measured = measured };
	sim_metrics *m = sim_metrics_new(&cfg);
	assert_non_null(m);
	state(m, 0, 0, "0000000000000001", "CREATED", "CONNECTING", "initiator");
	msg(m, 0, 0, "ike.tx", "0000000000000001", "I", "x");
	state(m, S(1), 0, "0000000000000001", "CONNECTING", "ESTABLISHED", "initiator");
	sim_metrics_drop(m, S(1), 0, "loss");
	sim_metrics_result r;
	assert_int_equal(sim_metrics_finish(m, S(1), &r), 0);
	sim_metrics_free(m);
	assert_int_equal(r.final_up, 0);
	assert_int_equal(r.recovery_at, -1);
	assert_int_equal(r.n_rows, 0); /* keep_rows 0 */
	assert_int_equal(r.n_lat, 1);
	assert_int_equal(r.totals[SIM_MC_IKE_TX], 0);
	assert_int_equal(r.totals[SIM_MC_DROPS], 0);
	sim_metrics_result_free(&r);
	cfg.interval = 0;
	assert_null(sim_metrics_new(&cfg));
}

static void expect_refused(const char *extra_root, const char *expect, const char *want)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "{\"duration\":\"60s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}]%s,"
		 "\"expect\":[%s]}", extra_root, expect);
	scntest_expect(text, want);
}

static void loader_metrics(void **st)
{
	(void)st;
	expect_refused(",\"metrics\":{\"interval\":\"100ms\",\"nodes\":[\"gw\"]}", "{\"metric\":\"ike_up\",\"at\":\"30s\",\"min\":90}", NULL);
	expect_refused("", "{\"metric\":\"recovery_time\",\"max\":\"20s\"}", NULL);
	expect_refused("", "{\"metric\":\"setup_latency_p99\",\"min\":0.5,\"max\":\"2s\"}", NULL);
	expect_refused("", "{\"metric\":\"retransmits\",\"from\":\"0s\",\"to\":\"10s\",\"max\":50}", NULL);
	expect_refused(",\"metrics\":{\"interval\":\"0s\"}", "", "metrics.interval: at least 1ms");
	expect_refused(",\"metrics\":{\"interval\":\"1us\"}", "", "metrics.interval");
	expect_refused(",\"metrics\":{\"interval\":-1}", "", "metrics.interval");
	char err[512];
	const char *longrun = "{\"duration\":\"4h\",\"metrics\":{\"interval\":\"1ms\"},\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"192.0.2.1\"]}]}";
	assert_null(sim_scenario_parse("t.json", longrun, strlen(longrun), err, sizeof(err)));
	if (!strstr(err, "metrics.interval: 0.001 s over a 14400 s run is over 10000000 rows"))
		fail_msg("%s", err);
	expect_refused(",\"metrics\":{\"nodes\":[\"zz\"]}", "", "metrics.nodes[0]: no node named 'zz'");
	expect_refused(",\"metrics\":{\"nodes\":[\"gw\",\"gw\"]}", "", "metrics.nodes[1]: node 'gw' is listed twice");
	expect_refused(",\"metrics\":{\"nodes\":[]}", "", "metrics.nodes: an empty list");
	expect_refused(",\"metrics\":{\"nodes\":[7]}", "", "metrics.nodes[0]: expected a node name");
	expect_refused(",\"metrics\":{\"every\":\"1s\"}", "", "metrics");
	expect_refused(",\"metrics\":[]", "", "metrics");
	expect_refused("", "{\"metric\":\"sas_up\",\"min\":1}", "expect[0].metric: unknown metric 'sas_up'");
	expect_refused("", "{\"metric\":\"ike_up\"}", "expect[0]: nothing to check");
	expect_refused("", "{\"metric\":\"ike_up\",\"min\":-1}", "expect[0].min");
	expect_refused("", "{\"metric\":\"ike_up\",\"min\":1e300}", "expect[0].min");
	expect_refused("", "{\"metric\":\"ike_up\",\"min\":5,\"max\":2}", "expect[0].max: max is below min");
	expect_refused("", "{\"metric\":\"ike_up\",\"at\":\"2m\",\"min\":1}", "expect[0].at");
	expect_refused("", "{\"metric\":\"ike_up\",\"from\":\"1s\",\"min\":1}", "expect[0].from: 'ike_up' is a gauge");
	expect_refused("", "{\"metric\":\"cookies\",\"at\":\"1s\",\"min\":1}", "expect[0].at: 'cookies' is a counter");
	expect_refused("", "{\"metric\":\"cookies\",\"from\":\"5s\",\"to\":\"1s\",\"min\":1}", "expect[0].to");
	expect_refused("", "{\"metric\":\"recovery_time\",\"to\":\"1s\",\"max\":\"1s\"}", "expect[0].to: 'recovery_time' is a summary");
	expect_refused("", "{\"metric\":\"recovery_time\",\"max\":\"-1s\"}", "expect[0].max");
	expect_refused("", "{\"metric\":\"recovery_time\",\"max\":true}", "expect[0].max");
	expect_refused("", "{\"metric\":\"setups\",\"min\":1,\"node\":\"gw\"}", "expect[0]");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(sampler_by_hand),
	cmocka_unit_test(sampler_node_filter),
	cmocka_unit_test(loader_metrics),
};

size_t tests_metrics(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
