/*
 * Lesson exercises stay exercises: every lessons/<lesson>/exercise-N.json must fail at least one of its
 * expectations as shipped (`ikesim run` exits 3), and every reference solution, in
 * lessons/<lesson>/solutions/ or lessons/<lesson>/instructor/, must meet all of its own (exit 0).
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

#include "cli.h"
#include "clirun.h"
#include "run.h"
#include "scenario.h"
#include "lessontest.h"
#include "testfs.h"
#include "test_list.h.in"

/* Where reference solutions live: instructor/ (solutions/ of older course copies is still read). */
static const char *const SOLUTION_DIRS[] = { "solutions", "instructor" };
#define N_SOLUTION_DIRS (sizeof(SOLUTION_DIRS) / sizeof(SOLUTION_DIRS[0]))

/* What a student sees: the exit status of `ikesim run FILE --quiet`. */
static int cli_status(const char *path)
{
	char *argv[] = { "ikesim", "run", (char *)path, "--quiet" };
	clirun r = clirun_call(cli_main, 4, argv);
	int rc = r.rc;
	clirun_free(&r);
	return rc;
}

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

/* "lessons/02-x/exercise-3.json" -> "lessons/02-x/<dir>/exercise-3.json" for the first dir that has it. */
static int solution_path(const char *exercise, char *out, size_t cap)
{
	const char *slash = strrchr(exercise, '/');
	assert_non_null(slash);
	for (size_t d = 0; d < N_SOLUTION_DIRS; d++) {
		int n = snprintf(out, cap, "%.*s/%s%s", (int)(slash - exercise), exercise, SOLUTION_DIRS[d], slash);
		assert_true(n > 0 && (size_t)n < cap);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

static void exercise_path(const char *solution, char *out, size_t cap)
{
	const char *slash = strrchr(solution, '/');
	assert_non_null(slash);
	const char *dir = slash;
	while (dir > solution && dir[-1] != '/')
		dir--;
	assert_true(dir > solution);
	int n = snprintf(out, cap, "%.*s%s", (int)(dir - 1 - solution), solution, slash);
	assert_true(n > 0 && (size_t)n < cap);
}

/* Lesson 07's files: hundreds of peers each, a scale run for the optimised runner (scale_list.h). */
static int is_storm(const char *path) { return strncmp(path, "lessons/07-rekey-storm/", 23) == 0; }

/* Checks every exercise (storms: lesson 07's only, else all the others); how many it checked. */
static size_t check_exercises(int storms)
{
	glob_t g;
	size_t checked = 0;
	assert_int_equal(glob("lessons/*/exercise-*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		if (is_storm(path) != storms)
			continue;
		size_t n = 0, failed = failed_expects(path, &n);
		print_message("exercise %s: %zu of %zu expectation(s) fail\n", path, failed, n);
		if (n == 0)
			fail_msg("%s: an exercise without expectations checks nothing", path);
		if (failed == 0)
			fail_msg("%s: already solved as shipped", path);
		int rc = cli_status(path);
		if (rc != CLI_EXPECT_FAILED)
			fail_msg("%s: ikesim run exits %d as shipped, wanted %d", path, rc, CLI_EXPECT_FAILED);
		char sol[1024];
		if (solution_path(path, sol, sizeof(sol)) != 0)
			fail_msg("%s: no reference solution in solutions/ or instructor/", path);
		checked++;
	}
	globfree(&g);
	return checked;
}

static void every_exercise_fails_as_shipped(void **state)
{
	(void)state;
	/* lesson 02 ships five, lesson 03 four, lesson 04 two, lesson 05 three, lesson 06 two (lesson 07: below) */
	assert_true(check_exercises(0) >= 16);
}

static void storm_exercises_fail_as_shipped(void **state)
{
	(void)state;
	assert_true(check_exercises(1) >= 3); /* lesson 07 ships three */
}

/* Checks every reference solution (storms: lesson 07's only, else all the others); how many it checked. */
static size_t check_solutions(int storms)
{
	glob_t g;
	size_t checked = 0;
	int r1 = glob("lessons/*/solutions/exercise-*.json", 0, NULL, &g);
	assert_true(r1 == 0 || r1 == GLOB_NOMATCH);
	int r2 = glob("lessons/*/instructor/exercise-*.json", r1 == 0 ? GLOB_APPEND : 0, NULL, &g);
	assert_true(r2 == 0 || r2 == GLOB_NOMATCH);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		if (is_storm(path) != storms)
			continue;
		size_t n = 0, failed = failed_expects(path, &n);
		print_message("solution %s: %zu expectation(s) hold\n", path, n - failed);
		if (n == 0)
			fail_msg("%s: a solution without expectations proves nothing", path);
		if (failed)
			fail_msg("%s: %zu of %zu expectation(s) fail", path, failed, n);
		int rc = cli_status(path);
		if (rc != CLI_OK)
			fail_msg("%s: ikesim run exits %d, wanted %d", path, rc, CLI_OK);
		char ex[1024];
		exercise_path(path, ex, sizeof(ex));
		if (access(ex, R_OK) != 0)
			fail_msg("%s: solves no exercise (%s is missing)", path, ex);
		checked++;
	}
	globfree(&g);
	return checked;
}

static void every_solution_meets_its_expectations(void **state)
{
	(void)state;
	assert_true(check_solutions(0) >= 11); /* lessons 02 to 06 (lesson 07: below) */
}

static void storm_solutions_meet_their_expectations(void **state)
{
	(void)state;
	assert_true(check_solutions(1) >= 3);
}





/* Lesson 02's rules are `config` expectations: the shortcuts instructors found fail now. */
static void lesson02_rules_are_checked(void **state)
{
	(void)state;
	static const lt_rule cases[] = {
		{ "lessons/02-when-it-fails/instructor/exercise-1.json", "\"ike\": \"aes128gcm16-prfsha256-x25519\"",
		  "\"ike\": \"aes256gcm16-prfsha384-ecp384\"", 2, "exercise 1: the algorithms stay (both sides changed alike)" },
		{ "lessons/02-when-it-fails/instructor/exercise-2.json", "\"ike\": \"aes256gcm16-prfsha384-ecp384, aes128gcm16-prfsha256-x25519\"",
		  "\"ike\": \"aes256gcm16-prfsha384-ecp384, aes128gcm16-prfsha256-x25519, aes128-sha1-modp2048\"", 1,
		  "exercise 2: the hub is not weakened" },
		{ "lessons/02-when-it-fails/instructor/exercise-3.json", "\"remote_ts\": [\"10.1.0.0/16\"]\n",
		  "\"remote_ts\": [\"10.0.0.0/8\"]\n", 1, "exercise 3: gw-b stays as it is (a wider selector on gw-b)" },
		{ "lessons/02-when-it-fails/instructor/exercise-4.json",
		  "\"ike\": \"aes256gcm16-prfsha384-ecp384, aes128gcm16-prfsha256-x25519\"",
		  "\"ike\": \"aes256gcm16-prfsha384-ecp384\"", 1, "exercise 4: gw-a keeps offering x25519" },
		{ "lessons/02-when-it-fails/instructor/exercise-4.json", "\"esp\": \"aes128gcm16\"",
		  "\"esp\": \"aes128gcm16, aes256gcm16\"", 2, "exercise 4: gw-b is not yours" },
		{ "lessons/02-when-it-fails/instructor/exercise-4.json", "\"duration\": \"450ms\"", "\"duration\": \"1s\"", 1,
		  "exercise 4: the run stays 450 ms long" },
		{ "lessons/02-when-it-fails/instructor/exercise-5.json", "\"timeout\": \"2s\"", "\"timeout\": \"500ms\"", 1,
		  "exercise 5: timeout at least 1 s" },
		{ "lessons/02-when-it-fails/instructor/exercise-5.json", "\"factor\": 1.5", "\"factor\": 1", 1,
		  "exercise 5: factor at least 1.5" },
		{ "lessons/02-when-it-fails/instructor/exercise-5.json", "\"tries\": 5", "\"tries\": 20", 1,
		  "exercise 5: tries at most 6" },
		{ "lessons/02-when-it-fails/instructor/exercise-5.json", "\"drop_next\": 4 }\n", "\"drop_next\": 3 }\n", 1,
		  "exercise 5: the faults stay" },
	};
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

static void lesson03_rules_are_checked(void **state)
{
	(void)state;
	static const lt_rule cases[] = {
		{ "lessons/03-rekeying/instructor/exercise-1.json", "\"rekey_time\": \"10m\"", "\"rekey_time\": \"20m\"", 0,
		  "exercise 1: the branches keep rekey_time 10m" },
		{ "lessons/03-rekeying/instructor/exercise-1.json", "\"rekey_time\": \"10m\"",
		  "\"rekey_time\": \"570s\", \"rand_time\": \"0s\"", 0, "exercise 1: a storm moved earlier is still a storm" },
		{ "lessons/03-rekeying/instructor/exercise-2.json", "\"esp\": \"aes128gcm16-x25519\"", "\"esp\": \"aes128gcm16\"", 0,
		  "exercise 2: gw-b keeps PFS" },
		{ "lessons/03-rekeying/instructor/exercise-2.json", "\"rekey_time\": \"2m\"", "\"rekey_time\": \"10m\"", 0,
		  "exercise 2: gw-a keeps rekeying every 2 minutes" },
		{ "lessons/03-rekeying/instructor/exercise-4.json", "\"dpd_delay\": \"10s\"", "\"dpd_delay\": \"5s\"", 0,
		  "exercise 4: liveness checks stay 10 s apart" },
		{ "lessons/03-rekeying/instructor/exercise-4.json", "\"dpd_action\": \"restart\"",
		  "\"dpd_action\": \"clear\", \"at\": \"41s\"", 0, "exercise 4: a late start is not a restart" },
		{ "lessons/03-rekeying/instructor/exercise-4.json", "\"faults\": [",
		  "\"faults\": [ { \"node\": \"gw-a\", \"reboot\": \"41s\" },", 0, "exercise 4: no reboot to start over" },
		{ "lessons/03-rekeying/instructor/exercise-3.json", "\"rekey_time\": \"2m\" }", "\"rekey_time\": \"3m\" }", 0,
		  "exercise 3: rekeys stay every 2 minutes" },
	};
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Exercise 3 on one side only: gw-a jittered, gw-b (longer lifetimes, no jitter) never starts a rekey. */
static void lesson03_one_sided_rekeying_fails(void **state)
{
	(void)state;
	const char *path = "lessons/03-rekeying/instructor/exercise-3.json";
	char *sol = tfs_must_read(path, NULL);
	/* gw-b's three children come after gw-a's in the file: give them 3m and no jitter */
	const char *b = strstr(sol, "\"node\": \"gw-b\"");
	assert_non_null(b);
	size_t head = (size_t)(b - sol);
	char *tail = lt_apply(b, &(lt_edit){ "\"rekey_time\": \"2m\" }", "\"rekey_time\": \"3m\", \"rand_time\": \"0s\" }", 0 });
	assert_non_null(tail);
	char *bad = malloc(head + strlen(tail) + 1);
	assert_non_null(bad);
	memcpy(bad, sol, head);
	strcpy(bad + head, tail);
	assert_true(lt_failed(path, bad, 0) > 0);
	free(bad);
	free(tail);
	free(sol);
}

static void lesson04_rules_are_checked(void **state)
{
	(void)state;
	static const lt_rule cases[] = {
		{ "lessons/04-esp/instructor/exercise-1.json", "\"initiate\": false", "\"initiate\": true", 1,
		  "exercise 1: gw-a does not bring the tunnel up before the traffic" },
		{ "lessons/04-esp/instructor/exercise-1.json", "\"start\": \"2s\"", "\"start\": \"1s\"", 0,
		  "exercise 1: the pings start at 2 s" },
		{ "lessons/04-esp/instructor/exercise-1.json", "\"count\": 10", "\"count\": 5", 0,
		  "exercise 1: ten pings" },
		{ "lessons/04-esp/instructor/exercise-2.json", "10.1.200.7", "10.1.0.7", 0,
		  "exercise 2: the guest stays on the guest network" },
		{ "lessons/04-esp/instructor/exercise-2.json", "\"10.1.0.0/24\"", "\"10.1.0.0/16\"", 1,
		  "exercise 2: gw-a's tunnel covers the office only" },
		{ "lessons/04-esp/instructor/exercise-2.json", "\"from\": \"guest-7\"", "\"from\": \"pc-a\"", 0,
		  "exercise 2: the guest flow comes from the guest" },
	};
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

static void lesson05_rules_are_checked(void **state)
{
	(void)state;
	static const lt_rule cases[] = {
		{ "lessons/05-nat-traversal/instructor/exercise-1.json", "\"timeout\": \"30s\"", "\"timeout\": \"300s\"", 0,
		  "exercise 1: the NAT keeps its 30 s mapping timeout" },
		{ "lessons/05-nat-traversal/instructor/exercise-1.json", "\"dpd_delay\": \"60s\"", "\"dpd_delay\": \"20s\"", 0,
		  "exercise 1: gw's DPD stays at 60 s (its probes would keep the mapping alive)" },
		{ "lessons/05-nat-traversal/instructor/exercise-1.json", "\"keepalive\": \"20s\"", "\"keepalive\": \"1s\"", 0,
		  "exercise 1: keepalives no faster than about every 10 s" },
		{ "lessons/05-nat-traversal/instructor/exercise-1.json", "\"keepalive\": \"20s\"",
		  "\"keepalive\": \"0s\", \"dpd_delay\": \"20s\"", 0, "exercise 1: rw's own DPD is not a keepalive" },
		{ "lessons/05-nat-traversal/instructor/exercise-1.json", "\"keepalive\": \"0s\"", "\"keepalive\": \"20s\"", 0,
		  "exercise 1: the printer stays quiet and loses its mappings" },
		{ "lessons/05-nat-traversal/instructor/exercise-2.json", "\"dpd_action\": \"restart\"", "\"dpd_action\": \"clear\"", 0,
		  "exercise 2: noticing the break is not repairing it" },
		{ "lessons/05-nat-traversal/instructor/exercise-2.json", "\"dpd_delay\": \"60s\"", "\"dpd_delay\": \"5s\"", 0,
		  "exercise 2: rw's DPD must not keep the mapping alive (the break must happen)" },
		{ "lessons/05-nat-traversal/instructor/exercise-2.json", "\"timeout\": \"30s\"", "\"timeout\": \"300s\"", 0,
		  "exercise 2: the NAT keeps its 30 s mapping timeout" },
		{ "lessons/05-nat-traversal/instructor/exercise-2.json", "\"keepalive\": \"0s\"", "\"keepalive\": \"20s\"", 0,
		  "exercise 2: no keepalives" },
		{ "lessons/05-nat-traversal/instructor/exercise-2.json", "\"flows\": [",
		  "\"actions\": [ { \"at\": \"50s\", \"node\": \"rw\", \"conn\": \"home\", \"do\": \"initiate\" } ], \"flows\": [",
		  0, "exercise 2: no scripted initiation" },
		{ "lessons/05-nat-traversal/instructor/exercise-3.json", "\"remote\": \"203.0.113.1\",",
		  "\"remote\": \"203.0.113.1\", \"initiate\": true,", 0, "exercise 3: gw-b does not initiate" },
		{ "lessons/05-nat-traversal/instructor/exercise-3.json", "\"remote\": \"198.51.100.1\"",
		  "\"remote\": \"10.2.0.2\"", 0, "exercise 3: no going round the office NAT to gw-b's own address" },
	};
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Exercise 3 without its fix but with the office NAT's 4500 rule moved to a wrong port: still broken. */
static void lesson05_wrong_forward_fails(void **state)
{
	(void)state;
	const char *path = "lessons/05-nat-traversal/instructor/exercise-3.json";
	char *sol = tfs_must_read(path, NULL);
	char *bad = lt_apply(sol, &(lt_edit){ "\"port\": 4500", "\"port\": 4501", 0 });
	assert_non_null(bad);
	assert_true(lt_failed(path, bad, 0) > 0);
	free(bad);
	free(sol);
}

/* Lesson 06 exercise 1 is graded by two commands: `ikesim run FILE --pcap P` (its expect list) and `ikesim crack P
 * --wordlist lessons/06-ikev1/words.txt`, which must not find the PSK. Runs both on `text`; returns the crack's status. */
static int l06_run_and_crack(const char *text, int *run_rc, char *crack_out, size_t cap)
{
	tfs_dir d;
	tfs_dir_make(&d, "l06");
	char scen[128], pcap[128];
	tfs_dir_file(&d, "ex.json", scen, sizeof(scen));
	tfs_dir_file(&d, "ex.pcapng", pcap, sizeof(pcap));
	FILE *f = fopen(scen, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	char *run[] = { "ikesim", "run", scen, "--pcap", pcap, "--quiet" };
	clirun r = clirun_call(cli_main, 6, run);
	*run_rc = r.rc;
	clirun_free(&r);
	char *crack[] = { "ikesim", "crack", pcap, "--wordlist", "lessons/06-ikev1/words.txt" };
	r = clirun_call(cli_main, 5, crack);
	int rc = r.rc;
	snprintf(crack_out, cap, "%s%s", r.out ? r.out : "", r.err ? r.err : "");
	clirun_free(&r);
	tfs_dir_remove(&d);
	return rc;
}

/* Both answers to exercise 1 pass its expect list and defeat the crack; the weak PSK passes the expect list but is
 * cracked, so the second half of the grade is what catches it; the lesson's own capture is cracked at line 1758. */
static void lesson06_crack_grades_exercise1(void **state)
{
	(void)state;
	char out[2048];
	int run_rc = -1;
	char *mm = tfs_must_read("lessons/06-ikev1/instructor/exercise-1.json", NULL);
	assert_int_equal(l06_run_and_crack(mm, &run_rc, out, sizeof(out)), 2); /* crack: bad input, no Aggressive Mode */
	assert_int_equal(run_rc, CLI_OK);
	if (!strstr(out, "Main Mode only"))
		fail_msg("crack on the Main Mode answer: %s", out);
	free(mm);
	char *strong = tfs_must_read("lessons/06-ikev1/instructor/alt-exercise-1-strong-psk.json", NULL);
	assert_int_equal(l06_run_and_crack(strong, &run_rc, out, sizeof(out)), CLI_EXPECT_FAILED);
	assert_int_equal(run_rc, CLI_OK);
	assert_non_null(strstr(out, "none of the 2000 words"));
	char *weak = lt_apply(strong, &(lt_edit){ "Vq7w3N1fXr0eKc9JmB2tYhL8sPzA4uGdQ6oE5iTnWkM=", "branch2024", 0 });
	assert_non_null(weak);
	assert_int_equal(l06_run_and_crack(weak, &run_rc, out, sizeof(out)), CLI_OK);
	assert_int_equal(run_rc, CLI_OK); /* the expect list alone cannot tell a weak PSK */
	assert_non_null(strstr(out, "PSK found: \"branch2024\""));
	free(weak);
	char *weak2 = lt_apply(strong, &(lt_edit){ "Vq7w3N1fXr0eKc9JmB2tYhL8sPzA4uGdQ6oE5iTnWkM=", "Firewall!", 0 });
	assert_non_null(weak2);
	assert_int_equal(l06_run_and_crack(weak2, &run_rc, out, sizeof(out)), CLI_OK);
	free(weak2);
	free(strong);
	char *demo = tfs_must_read("lessons/06-ikev1/aggressive.json", NULL);
	assert_int_equal(l06_run_and_crack(demo, &run_rc, out, sizeof(out)), CLI_OK);
	assert_int_equal(run_rc, CLI_OK);
	if (!strstr(out, "PSK found: \"branch2024\" (line 1758 of lessons/06-ikev1/words.txt; 1758 words in"))
		fail_msg("crack on the lesson's capture: %s", out);
	free(demo);
}

static void lesson06_rules_are_checked(void **state)
{
	(void)state;
	static const lt_rule cases[] = {
		{ "lessons/06-ikev1/instructor/exercise-1.json", "\"version\": 1", "\"version\": 2", 0,
		  "exercise 1: it stays IKEv1 (IKEv2 is the better answer, but not this exercise's)" },
		{ "lessons/06-ikev1/instructor/exercise-2.json", "\"esp\": \"aes128-sha256-modp3072\"", "\"esp\": \"aes128-sha256\"", 0,
		  "exercise 2: hq keeps requiring PFS (dropped everywhere: the cameras tunnel comes up)" },
		{ "lessons/06-ikev1/instructor/exercise-2.json", "\"esp\": \"aes128-sha256-modp3072\"",
		  "\"esp\": \"aes128-sha256-modp3072, aes128-sha256\"", 0,
		  "exercise 2: hq does not accept Quick Mode without PFS as a second choice" },
		{ "lessons/06-ikev1/instructor/exercise-2.json", "\"esp\": \"aes128-sha256\"", "\"esp\": \"aes128-sha256-modp3072\"", 0,
		  "exercise 2: the cameras tunnel is left alone (no PFS) and stays refused" },
		{ "lessons/06-ikev1/instructor/exercise-2.json", "\"version\": 1", "\"version\": 2", 0,
		  "exercise 2: it stays IKEv1" },
		{ "lessons/06-ikev1/instructor/exercise-2.json", "\"latency\": \"20ms\"",
		  "\"latency\": \"20ms\", \"loss\": 0.3", 0, "exercise 2: to-hq gets through at its first try" },
	};
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

static void lesson07_rules_are_checked(void **state)
{
	(void)state;
#define L7 "lessons/07-rekey-storm/instructor/"
	static const lt_rule cases[] = {
		{ L7 "exercise-1.json", "\"rand_time\": \"30s\"", "\"rand_time\": \"0s\"", 0,
		  "exercise 1: without jitter the storm stays" },
		{ L7 "exercise-1.json", "\"rand_time\": \"30s\"", "\"rand_time\": \"5s\"", 0,
		  "exercise 1: 5 s of jitter is not enough for 300 rekeys" },
		{ L7 "exercise-1.json", "\"rekey_time\": \"60s\"", "\"rekey_time\": \"600s\"", 0,
		  "exercise 1: rekey_time stays 60 s (no storm by never rekeying)" },
		{ L7 "exercise-2.json", "\"init_limit_job_load\": 20", "\"init_limit_job_load\": 0", 0,
		  "exercise 2: cookies alone collapse" },
		{ L7 "exercise-2.json", "\"cores\": 1", "\"cores\": 8", 0,
		  "exercise 2: a bigger box is not the answer" },
		{ "lessons/07-rekey-storm/exercise-2.json", "\"cookie_threshold\": 30", "\"cookie_threshold\": 0", 0,
		  "exercise 2: turning the cookies off without a limit: a slow recovery" },
		{ L7 "exercise-2.json", "\"keyingtries\": 0", "\"keyingtries\": 1", 0,
		  "exercise 2: the road warriors are not touched" },
		{ L7 "exercise-3.json", "\"cookie_threshold\": 100", "\"half_open_limit\": 100", 0,
		  "exercise 3: silence keeps 200 waiting" },
		{ L7 "exercise-3.json", "\"cookie_threshold\": 100", "\"cookie_threshold\": 50", 0,
		  "exercise 3: exactly 200 cookies" },
		{ L7 "exercise-3.json", "\"cookie_threshold\": 100", "\"cookie_threshold\": 100, \"half_open_limit\": 100", 0,
		  "exercise 3: cookies and the limit together refuse the cookie holders" },
	};
#undef L7
	lt_check_rules(cases, sizeof(cases) / sizeof(cases[0]));
}

size_t tests_lesson_exercises(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(every_exercise_fails_as_shipped),
		cmocka_unit_test(every_solution_meets_its_expectations),
		cmocka_unit_test(lesson02_rules_are_checked),
		cmocka_unit_test(storm_exercises_fail_as_shipped),
		cmocka_unit_test(storm_solutions_meet_their_expectations),
		cmocka_unit_test(lesson03_rules_are_checked),
		cmocka_unit_test(lesson03_one_sided_rekeying_fails),
		cmocka_unit_test(lesson04_rules_are_checked),
		cmocka_unit_test(lesson05_rules_are_checked),
		cmocka_unit_test(lesson05_wrong_forward_fails),
		cmocka_unit_test(lesson06_crack_grades_exercise1),
		cmocka_unit_test(lesson06_rules_are_checked),
		cmocka_unit_test(lesson07_rules_are_checked),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
