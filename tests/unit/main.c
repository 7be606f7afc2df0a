/* Runs every unit, scenario and fuzz test as one cmocka group, so the run ends with cmocka's summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_list.h.in"

/* The scale tests (scale_list.h), by name. */
static const char *const SCALE_TESTS[] = {
#define S(name) #name,
#include "scale_list.h"
#undef S
};
#define N_SCALE (sizeof(SCALE_TESTS) / sizeof(SCALE_TESTS[0]))

static int is_scale(const char *name)
{
	for (size_t s = 0; s < N_SCALE; s++)
		if (strcmp(name, SCALE_TESTS[s]) == 0)
			return 1;
	return 0;
}

/* IKESIM_TEST_SCALE=skip drops the scale tests, =only keeps just them (and fails when one of them is not linked
 * in, so a renamed test cannot drop out of both runs); unset or empty keeps all. -1 on a bad value or a miss. */
static int scale_select(struct CMUnitTest *all, size_t *total)
{
	const char *mode = getenv("IKESIM_TEST_SCALE");
	if (!mode || !*mode)
		return 0;
	int only = strcmp(mode, "only") == 0;
	if (!only && strcmp(mode, "skip") != 0) {
		fprintf(stderr, "IKESIM_TEST_SCALE: '%s' is neither 'skip' nor 'only'\n", mode);
		return -1;
	}
	size_t kept = 0;
	for (size_t i = 0; i < *total; i++)
		if (is_scale(all[i].name) == only)
			all[kept++] = all[i];
	if (only && kept != N_SCALE) {
		for (size_t s = 0; s < N_SCALE; s++) {
			size_t i = 0;
			while (i < kept && strcmp(all[i].name, SCALE_TESTS[s]) != 0)
				i++;
			if (i == kept)
				fprintf(stderr, "tests/unit/scale_list.h: scale test '%s' is not in this runner "
						"(its file missing from the Makefile's SCALE_SRC, or renamed?)\n",
					SCALE_TESTS[s]);
		}
		return -1;
	}
	*total = kept;
	return 0;
}

int main(void)
{
	size_t total = 0, n;
	const struct CMUnitTest *part;
#define X(name) total += tests_##name(&part);
#include "test_list.h"
#undef X
	struct CMUnitTest *all = calloc(total ? total : 1, sizeof(*all));
	if (!all)
		return 1;
	size_t at = 0;
#define X(name)                                                   \
	n = tests_##name(&part);                                  \
	memcpy(all + at, part, n * sizeof(*part));                \
	at += n;
#include "test_list.h"
#undef X
	if (scale_select(all, &total) != 0) {
		free(all);
		return 1;
	}
	/* IKESIM_TEST_FILTER=substring runs only the tests whose names contain it (for working on one area). */
	const char *filter = getenv("IKESIM_TEST_FILTER");
	if (filter && *filter) {
		size_t kept = 0;
		for (size_t i = 0; i < total; i++)
			if (strstr(all[i].name, filter))
				all[kept++] = all[i];
		total = kept;
	}
	int failed = _cmocka_run_group_tests("ikesim", all, total, NULL, NULL);
	free(all);
	return failed ? 1 : 0;
}
