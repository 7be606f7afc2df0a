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
