/* Scenario loader tests: load a scenario text from a file, and check tables of refusals. */
#ifndef IKE_TEST_SCNTEST_H
#define IKE_TEST_SCNTEST_H

#include <stddef.h>

#include "scenario.h"

/* A scenario text the loader must refuse, and the start of its one-line error after "FILE: " (or after
 * "FILE" when `want` starts with ':', for the "FILE:LINE:COL: ..." form of lexer errors). */
typedef struct scntest_bad {
	const char *json, *want;
} scntest_bad;

/* Writes text to a temporary file, loads it with sim_scenario_load, removes it; path receives its name. */
sim_scenario *scntest_load_text(const char *text, char *err, size_t errlen, char *path, size_t pathlen);

/* Parses text as "t.json" from an exact-size heap copy (so ASan sees overreads). */
sim_scenario *scntest_parse(const char *text, char *err, size_t errlen);

/* Fails the test unless every case is refused as it says. via_file: loaded through a temporary file (FILE
 * is its path); else parsed from an exact-size heap copy (so ASan sees overreads) named "t.json". */
void scntest_refusals(const scntest_bad *cases, size_t n, int via_file);

/* Parses text as "t.json": want NULL, it must load; else it must be refused with want somewhere in the error. */
void scntest_expect(const char *text, const char *want);

/* Parses and runs text (o: trace_path is set here), fails the test unless every expect holds; returns the trace's
 * bytes (caller frees) and, with keep, hands over the run's result (free with sim_run_result_free). */
struct sim_run_opts;
struct sim_run_result;
char *scntest_run(const char *text, const struct sim_run_opts *o, struct sim_run_result *keep);

#endif
