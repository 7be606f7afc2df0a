/*
 * Lesson exercises stay exercises: every lessons/<lesson>/exercise-N.json must fail at least one of its
 * expectations as shipped, and every lessons/<lesson>/solutions/exercise-N.json must meet all of its own.
 * Each exercise needs its solution and the reverse, so neither side can disappear unnoticed. A change to
 * the engine that makes a broken configuration work (or a fixed one fail) shows up here.
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
#include "test_list.h.in"

/* Runs path without a trace; returns how many expectations failed and sets *n_expects. */
static size_t failed_expects(const char *path, size_t *n_expects)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(path, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { 0 };
	sim_run_result res;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	FILE *quiet = fopen("/dev/null", "w");
	assert_non_null(quiet);
	size_t failed = sim_check_expects(sc, &res, quiet);
	fclose(quiet);
	*n_expects = sc->n_expects;
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	return failed;
}

/* "lessons/02-x/exercise-3.json" <-> "lessons/02-x/solutions/exercise-3.json" */
static void solution_path(const char *exercise, char *out, size_t cap)
{
	const char *slash = strrchr(exercise, '/');
	assert_non_null(slash);
	int n = snprintf(out, cap, "%.*s/solutions%s", (int)(slash - exercise), exercise, slash);
	assert_true(n > 0 && (size_t)n < cap);
}

static void exercise_path(const char *solution, char *out, size_t cap)
{
	const char *sol = strstr(solution, "/solutions/");
	assert_non_null(sol);
	int n = snprintf(out, cap, "%.*s%s", (int)(sol - solution), solution, sol + strlen("/solutions"));
	assert_true(n > 0 && (size_t)n < cap);
}

static void every_exercise_fails_as_shipped(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("lessons/*/exercise-*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		size_t n = 0, failed = failed_expects(path, &n);
		print_message("exercise %s: %zu of %zu expectation(s) fail\n", path, failed, n);
		if (n == 0)
			fail_msg("%s: an exercise without expectations checks nothing", path);
		if (failed == 0)
			fail_msg("%s: already solved as shipped", path);
		char sol[1024];
		solution_path(path, sol, sizeof(sol));
		if (access(sol, R_OK) != 0)
			fail_msg("%s: no reference solution %s", path, sol);
	}
	/* lesson 02 alone ships five */
	assert_true(g.gl_pathc >= 5);
	globfree(&g);
}

static void every_solution_meets_its_expectations(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("lessons/*/solutions/exercise-*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		size_t n = 0, failed = failed_expects(path, &n);
		print_message("solution %s: %zu expectation(s) hold\n", path, n - failed);
		if (n == 0)
			fail_msg("%s: a solution without expectations proves nothing", path);
		if (failed)
			fail_msg("%s: %zu of %zu expectation(s) fail", path, failed, n);
		char ex[1024];
		exercise_path(path, ex, sizeof(ex));
		if (access(ex, R_OK) != 0)
			fail_msg("%s: solves no exercise (%s is missing)", path, ex);
	}
	assert_true(g.gl_pathc >= 5);
	globfree(&g);
}

size_t tests_lesson_exercises(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(every_exercise_fails_as_shipped),
		cmocka_unit_test(every_solution_meets_its_expectations),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
