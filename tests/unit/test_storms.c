/*
 * Storm scenarios compared with each other (tests/scenarios/storm_*.json, docs/storms.md): each file's own expect
 * list is checked by test_scenarios.c; here what only a comparison shows. Jitter flattens the rekey peak; the
 * CPU-starved gateway collapses with cookies alone (busy all the time, nothing comes up) and recovers sooner with
 * init_limit_job_load or half_open_limit; the thresholds engage only because of their knob; same seed, same metrics.
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
#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

/* What a comparison needs of one run's metrics. */
typedef struct storm_stats {
	int64_t final_up, recovery_time, p99; /* ns; -1: none */
	double peak_tx;                       /* most ike_tx in one row from `from` on */
	double peak_queue, last_queue;        /* queue.gw (0 without a cpu) */
	double busy_tail;                     /* mean cpu.gw.0 over the last 40 rows (0 without a cpu) */
	uint64_t retransmits, cookies, refused;
	int64_t cpu_busy;
} storm_stats;

static int col(const sim_metrics_result *m, const char *name)
{
	for (size_t c = 0; c < m->n_cols; c++)
		if (strcmp(m->cols[c], name) == 0)
			return (int)c;
	return -1;
}

static void stats_of(const sim_metrics_result *m, int64_t from, storm_stats *s)
{
	int tx = col(m, "ike_tx"), q = col(m, "queue.gw"), cpu = col(m, "cpu.gw.0");
	assert_true(tx >= 0);
	s->final_up = m->final_up;
	s->recovery_time = m->recovery_time;
	s->p99 = sim_metrics_quantile(m, 0.99);
	s->retransmits = m->totals[col(m, "retransmits")];
	s->cookies = m->totals[col(m, "cookies")];
	s->refused = m->totals[col(m, "refused")];
	for (size_t r = 0; r < m->n_rows; r++) {
		const double *row = m->v + r * m->n_cols;
		if (m->t[r] >= from && row[tx] > s->peak_tx)
			s->peak_tx = row[tx];
		if (q >= 0 && row[q] > s->peak_queue)
			s->peak_queue = row[q];
		if (q >= 0)
			s->last_queue = row[q];
		if (cpu >= 0 && r + 40 >= m->n_rows)
			s->busy_tail += row[cpu] / 40;
	}
}

/* Runs a scenario (from its file, or `text` in its place when not NULL); all its expectations must hold when
 * `must_hold`. Returns how many failed. */
static size_t run_stats(const char *path, const char *text, int must_hold, int64_t from, storm_stats *s)
{
	char err[512];
	sim_scenario *sc = text ? sim_scenario_parse(path, text, strlen(text), err, sizeof(err))
				: sim_scenario_load(path, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	tfs_dir d;
	char metrics[128];
	tfs_dir_make(&d, "storms");
	tfs_dir_file(&d, "m.json", metrics, sizeof(metrics));
	sim_run_opts o = { .metrics_path = metrics };
	sim_run_result res;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	FILE *quiet = fopen("/dev/null", "w");
	assert_non_null(quiet);
	size_t failed = sim_check_expects(sc, &res, must_hold ? stderr : quiet);
	fclose(quiet);
	if (must_hold && failed)
		fail_msg("%s: %zu expectation(s) failed", path, failed);
	memset(s, 0, sizeof(*s));
	assert_non_null(res.metrics);
	stats_of(res.metrics, from, s);
	int32_t gw = sim_scenario_node(sc, "gw");
	if (res.cpu_nodes && gw >= 0)
		s->cpu_busy = res.cpu_nodes[gw].busy;
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	tfs_dir_remove(&d);
	return failed;
}

#define S(x) ((int64_t)(x) * 1000000000)

/* 300 IKE SA rekeys: in one second without jitter, spread over 30 s with rand_time 30 s. */
static void jitter_flattens_the_rekey_peak(void **state)
{
	(void)state;
	storm_stats sync, jit;
	run_stats("tests/scenarios/storm_lifetimes_sync.json", NULL, 1, S(30), &sync);
	run_stats("tests/scenarios/storm_lifetimes_jitter.json", NULL, 1, S(30), &jit);
	print_message("rekey peak: %g messages/s synchronized, %g jittered\n", sync.peak_tx, jit.peak_tx);
	assert_true(sync.peak_tx >= 600);          /* every rekey's request and response in one row */
	assert_true(sync.peak_tx >= 8 * jit.peak_tx); /* the whole point of rand_time */
}

/* The same reboot on the same too-slow gateway, four ways (docs/storms.md). */
static void limits_beat_cookies_on_a_starved_gateway(void **state)
{
	(void)state;
	storm_stats plain, cookies, job, half;
	run_stats("tests/scenarios/storm_overload_plain.json", NULL, 1, 0, &plain);
	run_stats("tests/scenarios/storm_overload_cookies.json", NULL, 1, 0, &cookies);
	run_stats("tests/scenarios/storm_overload_job_load.json", NULL, 1, 0, &job);
	run_stats("tests/scenarios/storm_overload_half_open.json", NULL, 1, 0, &half);
	print_message("p99 setup: plain %.1f s, job load %.1f s, half-open %.1f s; cookies: busy %.3f at the end, queue %g\n",
		      (double)plain.p99 / 1e9, (double)job.p99 / 1e9, (double)half.p99 / 1e9, cookies.busy_tail,
		      cookies.last_queue);
	/* collapse: the core is busy all the time, the queue only grows, and nothing is up */
	assert_int_equal(cookies.final_up, 0);
	assert_true(cookies.busy_tail > 0.99);
	assert_true(cookies.last_queue >= cookies.peak_queue && cookies.last_queue > 2 * plain.peak_queue);
	assert_true(cookies.retransmits > 2 * plain.retransmits);
	/* retransmissions fed the plain gateway's queue; the limits keep it short and waste less */
	assert_true(plain.peak_queue > 10 * job.peak_queue);
	assert_true(plain.retransmits > job.retransmits);
	assert_true(plain.p99 > job.p99 + S(5) && plain.p99 > half.p99 + S(5));
	assert_true(job.recovery_time < plain.recovery_time);
	assert_int_equal(plain.final_up, 600);
	assert_int_equal(job.final_up, 600);
	assert_int_equal(half.final_up, 600);
}

/* Without its knob the same 300-at-once storm has no cookies and no refusals: the threshold is what engages. */
static void thresholds_engage_only_with_their_knob(void **state)
{
	(void)state;
	static const struct {
		const char *path, *from, *to;
	} cases[] = {
		{ "tests/scenarios/storm_cookie_threshold.json", "\"cookie_threshold\": 50", "\"cookie_threshold\": 0" },
		{ "tests/scenarios/storm_half_open_limit.json", "\"half_open_limit\": 100", "\"half_open_limit\": 0" },
	};
	for (size_t i = 0; i < 2; i++) {
		storm_stats on, off;
		run_stats(cases[i].path, NULL, 1, 0, &on);
		char *text = tfs_must_read(cases[i].path, NULL);
		char *hit = strstr(text, cases[i].from);
		if (!hit)
			fail_msg("%s: '%s' not found", cases[i].path, cases[i].from);
		size_t lf = strlen(cases[i].from), lt = strlen(cases[i].to);
		memmove(hit + lt, hit + lf, strlen(hit + lf) + 1); /* the replacement is shorter */
		memcpy(hit, cases[i].to, lt);
		assert_true(run_stats(cases[i].path, text, 0, 0, &off) > 0); /* the file's expect list notices */
		assert_true(on.cookies + on.refused >= 192);
		assert_int_equal(off.cookies, 0);
		assert_int_equal(off.refused, 0);
		assert_int_equal(off.retransmits, 0);
		assert_int_equal(off.final_up, 600);
		free(text);
	}
}

/* Same seed, same metrics bytes, for a storm with a CPU and a reboot. */
static void storm_metrics_repeat(void **state)
{
	(void)state;
	tfs_dir d;
	char a[128], b[128], err[512];
	tfs_dir_make(&d, "stormsrep");
	tfs_dir_file(&d, "a.json", a, sizeof(a));
	tfs_dir_file(&d, "b.json", b, sizeof(b));
	const char *paths[2] = { a, b };
	for (int k = 0; k < 2; k++) {
		sim_scenario *sc = sim_scenario_load("tests/scenarios/storm_overload_job_load.json", err, sizeof(err));
		if (!sc)
			fail_msg("%s", err);
		sim_run_opts o = { .metrics_path = paths[k] };
		sim_run_result res;
		if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		sim_run_result_free(&res);
		sim_scenario_free(sc);
	}
	size_t la, lb;
	char *ta = tfs_must_read(a, &la), *tb = tfs_must_read(b, &lb);
	assert_true(la > 1000);
	assert_int_equal(la, lb);
	assert_memory_equal(ta, tb, la);
	free(ta);
	free(tb);
	tfs_dir_remove(&d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(jitter_flattens_the_rekey_peak),
	cmocka_unit_test(limits_beat_cookies_on_a_starved_gateway),
	cmocka_unit_test(thresholds_engage_only_with_their_knob),
	cmocka_unit_test(storm_metrics_repeat),
};

size_t tests_storms(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
