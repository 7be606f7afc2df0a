/* Lesson exercise tests (lessontest.h): edits of a lesson file's text, a run, the expectations counted. */
#include "lessontest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "testfs.h"

char *lt_apply(const char *text, const lt_edit *e)
{
	size_t lf = strlen(e->from), lt = strlen(e->to), n = 0;
	for (const char *p = text; lf && (p = strstr(p, e->from)); p += lf)
		n++;
	size_t need = e->nth < 0 ? (size_t)-e->nth : (size_t)e->nth;
	if (n == 0 || need > n)
		return NULL;
	char *out = malloc(strlen(text) + n * lt + 1), *w = out;
	assert_non_null(out);
	size_t seen = 0;
	const char *p = text;
	for (const char *hit; (hit = strstr(p, e->from)); p = hit + lf) {
		seen++;
		bool edit = e->nth == 0 || (e->nth > 0 ? seen == need : seen <= need);
		memcpy(w, p, (size_t)(hit - p));
		w += hit - p;
		memcpy(w, edit ? e->to : e->from, edit ? lt : lf);
		w += edit ? lt : lf;
	}
	strcpy(w, p);
	return out;
}

size_t lt_failed(const char *path, const char *text, uint64_t seed)
{
	char err[512];
	sim_scenario *sc = sim_scenario_parse(path, text, strlen(text), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { .seed = seed, .seed_set = seed != 0 };
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

void lt_check(const lt_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *text = tfs_must_read(cases[i].file, NULL);
		for (size_t k = 0; k < 3 && cases[i].edit[k].from; k++) {
			char *next = lt_apply(text, &cases[i].edit[k]);
			if (!next)
				fail_msg("%s: '%s' not found", cases[i].file, cases[i].edit[k].from);
			free(text);
			text = next;
		}
		size_t failed = lt_failed(cases[i].file, text, 0);
		print_message("%s: %zu expectation(s) fail\n", cases[i].what, failed);
		if (cases[i].pass && failed)
			fail_msg("%s: should pass, %zu expectation(s) fail", cases[i].what, failed);
		if (!cases[i].pass && !failed)
			fail_msg("%s: breaking the rule still passes", cases[i].what);
		free(text);
	}
}

void lt_check_rules(const lt_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lt_case c = { .file = rules[i].file, .edit = { { rules[i].from, rules[i].to, -rules[i].times } },
			      .pass = false, .what = rules[i].rule };
		lt_check(&c, 1);
	}
}
