/*
 * Lesson 12 (what an eavesdropper sees): each exercise fails as shipped, its instructor solution passes, the other
 * solution the answers name (IKEv2 for exercise 1) passes too, and every solution with one rule broken fails again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

#define L12 "lessons/12-eavesdropper/"

/* One edit of a file's text: the `nth` occurrence (1-based) of `from` becomes `to`; nth 0 = every one. */
typedef struct l12_edit {
	const char *from, *to;
	int nth;
} l12_edit;

/* A file, up to three edits, and whether the edited file must pass (false: must fail). */
typedef struct l12_case {
	const char *file;
	l12_edit edit[3];
	bool pass;
	const char *what;
} l12_case;

/* Applies one edit; NULL when `from` does not occur (often enough). Caller frees. */
static char *l12_apply(const char *text, const l12_edit *e)
{
	size_t lf = strlen(e->from), lt = strlen(e->to), n = 0;
	for (const char *p = text; (p = strstr(p, e->from)); p += lf)
		n++;
	if (n == 0 || (e->nth > 0 && (size_t)e->nth > n))
		return NULL;
	char *out = malloc(strlen(text) + n * lt + 1), *w = out;
	assert_non_null(out);
	int seen = 0;
	const char *p = text;
	for (const char *hit; (hit = strstr(p, e->from)); p = hit + lf) {
		seen++;
		bool edit = e->nth == 0 || seen == e->nth;
		memcpy(w, p, (size_t)(hit - p));
		w += hit - p;
		memcpy(w, edit ? e->to : e->from, edit ? lt : lf);
		w += edit ? lt : lf;
	}
	strcpy(w, p);
	return out;
}

/* Loads `text` as the file `path`, runs it with its own seed; returns how many expectations fail. */
static size_t l12_failed(const char *path, const char *text)
{
	char err[512];
	sim_scenario *sc = sim_scenario_parse(path, text, strlen(text), err, sizeof(err));
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
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	return failed;
}

static void l12_check(const l12_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *text = tfs_must_read(cases[i].file, NULL);
		for (size_t k = 0; k < 3 && cases[i].edit[k].from; k++) {
			char *next = l12_apply(text, &cases[i].edit[k]);
			if (!next)
				fail_msg("%s: '%s' not found", cases[i].file, cases[i].edit[k].from);
			free(text);
			text = next;
		}
		size_t failed = l12_failed(cases[i].file, text);
		print_message("%s: %zu expectation(s) fail\n", cases[i].what, failed);
		if (cases[i].pass && failed)
			fail_msg("%s: should pass, %zu expectation(s) fail", cases[i].what, failed);
		if (!cases[i].pass && !failed)
			fail_msg("%s: should fail, but every expectation holds", cases[i].what);
		free(text);
	}
}

static void lesson12_shipped_and_solutions(void **state)
{
	(void)state;
	static const l12_case cases[] = {
		{ L12 "exercise-1.json", { { 0 } }, false, "exercise 1 as shipped (Aggressive Mode)" },
		{ L12 "instructor/exercise-1.json", { { 0 } }, true, "exercise 1's solution (Main Mode)" },
		{ L12 "instructor/exercise-1.json", { { "\"version\": 1,", "\"version\": 2,", 0 } }, true,
		  "exercise 1 solved with IKEv2 instead" },
		{ L12 "exercise-2.json", { { 0 } }, false, "exercise 2 as shipped (AH)" },
		{ L12 "instructor/exercise-2.json", { { 0 } }, true, "exercise 2's solution (ESP)" },
		{ L12 "instructor/exercise-2.json", { { ",\n      \"esp\": \"aes256gcm16\"", "", 0 } }, true,
		  "exercise 2 solved with the default ESP proposal" },
	};
	l12_check(cases, sizeof(cases) / sizeof(cases[0]));
}

static void lesson12_rules_are_checked(void **state)
{
	(void)state;
	static const l12_case cases[] = {
		{ L12 "instructor/exercise-1.json", { { "\"version\": 1,", "\"version\": 1, \"aggressive\": true,", 0 } }, false,
		  "exercise 1: Aggressive Mode everywhere again" },
		{ L12 "instructor/exercise-1.json",
		  { { "\"local_id\": \"bob@example.org\"", "\"aggressive\": true, \"local_id\": \"bob@example.org\"", 1 } },
		  false, "exercise 1: bob alone still in Aggressive Mode" },
		{ L12 "instructor/exercise-1.json", { { "bob-prefers-cats-at-9", "alice-walks-the-dog-at-7", 1 }, { "bob-prefers-cats-at-9", "alice-walks-the-dog-at-7", 1 } }, false,
		  "exercise 1: one PSK shared by both users" },
		{ L12 "instructor/exercise-1.json", { { "\"local_id\": \"bob@example.org\"", "\"local_id\": \"203.0.113.20\"", 0 },
		    { "\"remote_id\": \"bob@example.org\"", "\"remote_id\": \"203.0.113.20\"", 0 } }, false,
		  "exercise 1: bob hidden behind his address instead of his name" },
		{ L12 "instructor/exercise-1.json", { { "\"local_id\": \"vpn.example\"", "\"local_id\": \"198.51.100.1\"", 0 },
		    { "\"remote_id\": \"vpn.example\"", "\"remote_id\": \"198.51.100.1\"", 0 } }, false,
		  "exercise 1: gw no longer vpn.example" },
		{ L12 "instructor/exercise-2.json", { { "\"esp\": \"aes256gcm16\"", "\"ah_proposals\": \"sha256\"", 0 } },
		  false, "exercise 2: AH on both gateways again" },
		{ L12 "instructor/exercise-2.json", { { "\"esp\": \"aes256gcm16\"", "\"ah_proposals\": \"sha256\"", 2 } },
		  false, "exercise 2: AH left at gw-b" },
		{ L12 "instructor/exercise-2.json", { { "\"resp_size\": 1400", "\"resp_size\": 200", 1 } }, false,
		  "exercise 2: answers shrunk to the requests' size (the traffic changed)" },
		{ L12 "instructor/exercise-2.json", { { "\"10.1.0.0/16\"", "\"10.1.0.10/32\"", 1 }, { "\"10.1.0.0/16\"", "\"10.1.0.10/32\"", 1 } }, false,
		  "exercise 2: the tunnel narrowed to one host" },
	};
	l12_check(cases, sizeof(cases) / sizeof(cases[0]));
}

size_t tests_lesson12(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(lesson12_shipped_and_solutions),
		cmocka_unit_test(lesson12_rules_are_checked),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
