/*
 * Scenario files with `expect` lists, run on the built-in simulator: the lesson, every failure path
 * (wrong PSK, no proposal, TS mismatch, INVALID_KE retry, lost IKE_AUTH) and one file per DH group.
 * Also: the same scenario and seed give byte-identical traces (with ECDSA certificates too); another seed
 * gives other SPIs and nonces.
 */
#include <glob.h>
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

static size_t run_file(const char *path, const sim_run_opts *o)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(path, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	if (sim_run_scenario(sc, o, &res, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	size_t failed = sim_check_expects(sc, &res, stderr);
	size_t n_expect = sc->n_expects;
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	if (failed)
		fail_msg("%s: %zu expectation(s) failed", path, failed);
	return n_expect;
}

/* The storm scenarios (tests/scenarios/storm_*.json and lesson 07's): hundreds of peers each, a scale run for the
 * optimised runner (scale_list.h). Their code paths run under ASan in the small storm and cpu scenarios. */
static int is_storm(const char *path)
{
	return strncmp(path, "tests/scenarios/storm_", 22) == 0 || strncmp(path, "lessons/07-rekey-storm/", 23) == 0;
}

/* Storm files whose expectations test_storms.c already checks (its run_stats with must_hold): not run twice. */
static int checked_in_test_storms(const char *path)
{
	static const char *const done[] = {
		"tests/scenarios/storm_lifetimes_sync.json",	 "tests/scenarios/storm_lifetimes_jitter.json",
		"tests/scenarios/storm_overload_plain.json",	 "tests/scenarios/storm_overload_cookies.json",
		"tests/scenarios/storm_overload_job_load.json", "tests/scenarios/storm_overload_half_open.json",
		"tests/scenarios/storm_cookie_threshold.json",	 "tests/scenarios/storm_half_open_limit.json",
	};
	for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(path, done[i]) == 0)
			return 1;
	return 0;
}

/* Runs every scenario file (storms: only the storm ones, else all but them); how many files, and expectations. */
static size_t run_all(int storms, size_t *expects)
{
	/* every lesson scenario but the exercises (exit 3 as shipped: test_lesson_exercises.c checks those) */
	static const char *const patterns[] = { "tests/scenarios/*.json", "lessons/*/*.json" };
	size_t files = 0;
	*expects = 0;
	for (size_t p = 0; p < 2; p++) {
		glob_t g;
		assert_int_equal(glob(patterns[p], 0, NULL, &g), 0);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *base = strrchr(g.gl_pathv[i], '/');
			if (p == 1 && strncmp(base + 1, "exercise-", 9) == 0)
				continue;
			if (is_storm(g.gl_pathv[i]) != storms || checked_in_test_storms(g.gl_pathv[i]))
				continue;
			sim_run_opts o = { 0 };
			print_message("scenario %s\n", g.gl_pathv[i]);
			size_t n = run_file(g.gl_pathv[i], &o);
			assert_true(n > 0); /* a scenario without expectations would test nothing */
			*expects += n;
			files++;
		}
		globfree(&g);
	}
	print_message("%zu scenarios, %zu expectations held\n", files, *expects);
	return files;
}

static void every_scenario_meets_its_expectations(void **state)
{
	(void)state;
	size_t expects;
	/* 5 failure scenarios + 13 DH groups + 3 certificate scenarios + the lesson */
	assert_true(run_all(0, &expects) >= 22);
}

static void storm_scenarios_meet_their_expectations(void **state)
{
	(void)state;
	size_t expects;
	/* 14 storm_*.json files in tests/scenarios (8 of them checked by test_storms.c instead) and lesson 07's five */
	assert_true(run_all(1, &expects) >= 11);
}

static void traced_run(const char *scenario, const char *trace, uint64_t seed, int seed_set)
{
	sim_run_opts o = { .seed = seed, .seed_set = seed_set, .trace_path = trace, .reveal_keys = 1 };
	run_file(scenario, &o);
}

/* The first value of a JSON string field in a trace, e.g. the first initiator SPI. */
static void first_field(const char *trace, const char *field, char *out, size_t cap)
{
	char key[64];
	snprintf(key, sizeof(key), "\"%s\":\"", field);
	const char *p = strstr(trace, key);
	assert_non_null(p);
	p += strlen(key);
	size_t n = strcspn(p, "\"");
	assert_true(n < cap);
	memcpy(out, p, n);
	out[n] = '\0';
}

static void same_seed_same_bytes_other_seed_other_spis(void **state)
{
	(void)state;
	const char *sc = "lessons/01-first-tunnel/scenario.json";
	char a[] = "/tmp/ikesim-det-a-XXXXXX", b[] = "/tmp/ikesim-det-b-XXXXXX", c[] = "/tmp/ikesim-det-c-XXXXXX";
	int fa = mkstemp(a), fb = mkstemp(b), fc = mkstemp(c);
	assert_true(fa >= 0 && fb >= 0 && fc >= 0);
	close(fa), close(fb), close(fc);
	traced_run(sc, a, 0, 0);
	traced_run(sc, b, 0, 0);
	traced_run(sc, c, 424242, 1);
	size_t la, lb, lc;
	char *ta = tfs_must_read(a, &la), *tb = tfs_must_read(b, &lb), *tc = tfs_must_read(c, &lc);
	assert_true(la > 1000);
	assert_int_equal(la, lb);
	assert_memory_equal(ta, tb, la);
	char s1[32], s2[32], k1[256], k2[256];
	first_field(ta, "initiator-spi", s1, sizeof(s1));
	first_field(tc, "initiator-spi", s2, sizeof(s2));
	assert_string_not_equal(s1, s2);
	first_field(strstr(ta, "\"name\":\"SKEYSEED\""), "value", k1, sizeof(k1));
	first_field(strstr(tc, "\"name\":\"SKEYSEED\""), "value", k2, sizeof(k2));
	assert_string_not_equal(k1, k2);
	/* both runs still establish: the outcome does not depend on the seed */
	assert_non_null(strstr(tc, "\"to\":\"INSTALLED\""));
	free(ta), free(tb), free(tc);
	unlink(a), unlink(b), unlink(c);
}

/* ECDSA certificates (RFC 6979 nonces): same scenario, same seed, same bytes, signatures included. */
static void cert_ecdsa_same_seed_same_bytes(void **state)
{
	(void)state;
	const char *sc = "tests/scenarios/cert_ecdsa.json";
	char a[] = "/tmp/ikesim-cert-a-XXXXXX", b[] = "/tmp/ikesim-cert-b-XXXXXX";
	int fa = mkstemp(a), fb = mkstemp(b);
	assert_true(fa >= 0 && fb >= 0);
	close(fa), close(fb);
	traced_run(sc, a, 0, 0);
	traced_run(sc, b, 0, 0);
	size_t la, lb;
	char *ta = tfs_must_read(a, &la), *tb = tfs_must_read(b, &lb);
	assert_non_null(strstr(ta, "\"scheme\":\"RFC 7427 ecdsa-with-SHA256\""));
	assert_int_equal(la, lb);
	assert_memory_equal(ta, tb, la);
	free(ta), free(tb);
	unlink(a), unlink(b);
}

size_t tests_scenarios(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(every_scenario_meets_its_expectations),
		cmocka_unit_test(storm_scenarios_meet_their_expectations),
		cmocka_unit_test(same_seed_same_bytes_other_seed_other_spis),
		cmocka_unit_test(cert_ecdsa_same_seed_same_bytes),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
