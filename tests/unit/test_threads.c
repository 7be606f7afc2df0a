/* The crypto thread pool (docs/threads.md): the same storm with 1, 2 and 4 threads gives the same trace and
 * metrics, byte for byte; the pool's threads did take work; a run without threads keeps the inline order. */
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
#include "testfs.h"
#include "test_list.h.in"


typedef struct run_out {
	char *trace, *metrics;
	uint64_t pool, own;
	int expects; /* sim_check_expects */
} run_out;

static run_out run_with(const char *scenario, unsigned threads)
{
	char err[512], tp[] = "/tmp/ikesim-thr-trace-XXXXXX", mp[] = "/tmp/ikesim-thr-metrics-XXXXXX";
	int a = mkstemp(tp), b = mkstemp(mp);
	assert_true(a >= 0 && b >= 0);
	close(a);
	close(b);
	sim_scenario *sc = sim_scenario_load(scenario, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { .trace_path = tp, .metrics_path = mp, .threads = threads };
	sim_run_result res;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	FILE *devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	run_out r = { tfs_must_read(tp, NULL), tfs_must_read(mp, NULL), res.jobs_pool, res.jobs_run, sim_check_expects(sc, &res, devnull) };
	fclose(devnull);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	unlink(tp);
	unlink(mp);
	return r;
}

static void same_bytes(const char *scenario)
{
	run_out one = run_with(scenario, 1);
	assert_int_equal(one.pool, 0); /* one thread: the run's own computes every job, in its turn */
	assert_true(one.own > 100);
	for (unsigned t = 2; t <= 4; t += 2) {
		run_out more = run_with(scenario, t);
		assert_int_equal(more.pool + more.own, one.own);
		assert_true(more.pool > 0); /* the other threads did take work */
		assert_string_equal(more.trace, one.trace);
		assert_string_equal(more.metrics, one.metrics);
		assert_int_equal(more.expects, one.expects);
		free(more.trace);
		free(more.metrics);
	}
	free(one.trace);
	free(one.metrics);
}

/* 200 road warriors reconnect through cookies after the gateway's reboot (nodes without a CPU model). */
static void reconnect_storm_same_with_1_2_4_threads(void **state)
{
	(void)state;
	same_bytes("tests/scenarios/storm_small_reconnect_gw.json");
}

/* 100 road warriors at once against a 2-core gateway with charon's costs: jobs end with their CPU job. */
static void cpu_storm_same_with_1_2_4_threads(void **state)
{
	(void)state;
	same_bytes("tests/scenarios/cpu_storm_two_cores.json");
}

/* Without threads the engines compute inline, in the order of the versions before the pool. */
static void no_threads_is_inline(void **state)
{
	(void)state;
	run_out r = run_with("tests/scenarios/cpu_storm_two_cores.json", 0);
	assert_int_equal(r.pool + r.own, 0);
	assert_int_equal(r.expects, 0);
	free(r.trace);
	free(r.metrics);
}

size_t tests_threads(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(reconnect_storm_same_with_1_2_4_threads),
		cmocka_unit_test(cpu_storm_same_with_1_2_4_threads),
		cmocka_unit_test(no_threads_is_inline),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
