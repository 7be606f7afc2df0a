/* ikesim: a thin dispatcher from the verb to its cli_* function. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, FILE *, FILE *);
	const char *what;
} VERBS[] = {
	{ "run", cli_run, "run a scenario over the simulator and check its expectations" },
	{ "vectors", cli_vectors, "check the crypto against published test vector files" },
};
#define N_VERBS (sizeof(VERBS) / sizeof(VERBS[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ikesim VERB [ARGS...]\n       ikesim --help | --version\n\nverbs:\n");
	for (size_t i = 0; i < N_VERBS; i++)
		fprintf(f, "  %-9s %s\n", VERBS[i].name, VERBS[i].what);
	fprintf(f, "\n'ikesim VERB --help' describes a verb.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ikesim %s\n", CLI_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < N_VERBS; i++)
		if (strcmp(argv[1], VERBS[i].name) == 0)
			return VERBS[i].fn(argc - 1, argv + 1, stdout, stderr);
	fprintf(stderr, "ikesim: unknown verb '%s' (try 'ikesim --help')\n", argv[1]);
	return CLI_USAGE;
}
