/* `ikesim trace SCENARIO`: run the scenario into a private temporary trace, then read that. */
#ifndef CLI_TRACE_RUN_H
#define CLI_TRACE_RUN_H

#include <stddef.h>
#include <stdio.h>

/* 1 when path names a scenario rather than a trace: a .json file whose first line is not a trace event. */
int trace_input_is_scenario(const char *path);

/*
 * Runs the scenario like `ikesim run SCENARIO --trace PATH --quiet [--seed S] [--reveal-keys]` with PATH in a new
 * temporary directory, written to path. CLI_OK when the run finished (its expectations need not hold: a note on
 * err says so), else the run's exit code after its errors on err. Call trace_run_cleanup(path) afterwards.
 */
int trace_run_scenario(const char *scenario, const char *seed, int reveal, char *path, size_t cap, FILE *err);
/* Removes the trace and its temporary directory; path may be empty. */
void trace_run_cleanup(const char *path);

#endif
