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

#include "run.h"
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

void scntest_expect(const char *text, const char *want)
{
	char err[512];
	sim_scenario *sc = sim_scenario_parse("t.json", text, strlen(text), err, sizeof(err));
	if (!want) {
		if (!sc)
			fail_msg("%s", err);
		sim_scenario_free(sc);
		return;
	}
	if (sc) {
		sim_scenario_free(sc);
		fail_msg("loaded, wanted '%s': %.300s", want, text);
	}
	if (!strstr(err, want))
		fail_msg("wanted '%s' in: %s", want, err);
}

char *scntest_run(const char *text, const sim_run_opts *o, sim_run_result *keep)
{
	char err[512], path[] = "/tmp/ikesim-scn-run-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	sim_scenario *sc = sim_scenario_parse("t.json", text, strlen(text), err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts opts = o ? *o : (sim_run_opts){ 0 };
	opts.trace_path = path;
	sim_run_result res;
	if (sim_run_scenario(sc, &opts, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	if (keep)
		*keep = res;
	else
		sim_run_result_free(&res);
	sim_scenario_free(sc);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	unlink(path);
	return buf;
}
