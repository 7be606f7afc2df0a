/* `ikesim run`'s file names: which outputs would overwrite each other or an input, decided before writing. */
#ifndef CLI_RUN_PATHS_H
#define CLI_RUN_PATHS_H

#include <stdio.h>

/* One file the run reads or writes; `what` names it in errors ("--trace", "the scenario"). */
typedef struct cli_run_file {
	const char *what, *path;
	int output;
} cli_run_file;

/*
 * Refuses any two of the n files that are the same file, unless both are inputs (at most 8 outputs): the
 * same device and inode where both exist, else the same normalised absolute path (symlinked directories
 * resolved). 0, or -1 after one "ikesim run: ..." line on err.
 */
int cli_run_paths_check(const cli_run_file *files, size_t n, FILE *err);

#endif
