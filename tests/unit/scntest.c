/* Scenario loader test helpers (scntest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scntest.h"

sim_scenario *scntest_load_text(const char *text, char *err, size_t errlen, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "/tmp/ikesim-scn-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	sim_scenario *sc = sim_scenario_load(path, err, errlen);
	unlink(path);
	return sc;
}

sim_scenario *scntest_parse(const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	sim_scenario *sc = sim_scenario_parse("t.json", copy, len, err, errlen);
	free(copy);
	return sc;
}

void scntest_refusals(const scntest_bad *cases, size_t n, int via_file)
{
	char err[512], path[64] = "t.json", want[700];
	for (size_t i = 0; i < n; i++) {
		err[0] = '\0';
		sim_scenario *sc = via_file ? scntest_load_text(cases[i].json, err, sizeof(err), path, sizeof(path))
					    : scntest_parse(cases[i].json, err, sizeof(err));
		if (sc) {
			sim_scenario_free(sc);
			fail_msg("case %zu loaded but should fail: %.300s", i, cases[i].json);
		}
		snprintf(want, sizeof(want), "%s%s%s", path, cases[i].want[0] == ':' ? "" : ": ", cases[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu:\n got  '%s'\n want '%s...'", i, err, want);
		assert_null(strchr(err, '\n'));
	}
}
