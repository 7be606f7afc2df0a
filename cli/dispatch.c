/* The verb table and top-level flags, callable in-process (tests) as well as from main(). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* cli_vectors takes only file names (its tests call it so); the verb table hands every verb its own name first. */
static int vectors_verb(int argc, char **argv, FILE *out, FILE *err)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fprintf(out, "usage: ikesim vectors FILE...\n\nChecks the crypto against each JSON vector file "
				     "(tests/vectors/). Exit 0 only if every case of every file passes.\n");
			return CLI_OK;
		}
	return cli_vectors(argc - 1, argv + 1, out, err);
}

static const struct {
	const char *name;
	int (*fn)(int, char **, FILE *, FILE *);
	const char *what;
} VERBS[] = {
	{ "run", cli_run, "run a scenario over the simulator and check its expectations" },
	{ "vectors", vectors_verb, "check the crypto against published test vector files" },
};
#define N_VERBS (sizeof(VERBS) / sizeof(VERBS[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ikesim VERB [ARGS...]\n       ikesim --help | --version\n\nverbs:\n");
	for (size_t i = 0; i < N_VERBS; i++)
		fprintf(f, "  %-9s %s\n", VERBS[i].name, VERBS[i].what);
	fprintf(f, "\n'ikesim VERB --help' describes a verb.\n");
}

static int dispatch(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc < 2) {
		usage(err);
		return CLI_USAGE;
	}
	const char *v = argv[1];
	if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0 || strcmp(v, "help") == 0) {
		usage(out);
		return CLI_OK;
	}
	if (strcmp(v, "--version") == 0) {
		fprintf(out, "ikesim %s\n", CLI_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < N_VERBS; i++)
		if (strcmp(v, VERBS[i].name) == 0)
			return VERBS[i].fn(argc - 1, argv + 1, out, err);
	if (v[0] == '-')
		fprintf(err, "ikesim: unknown option '%.64s' (try 'ikesim --help')\n", v);
	else
		fprintf(err, "ikesim: unknown verb '%.64s' (try 'ikesim --help')\n", v);
	return CLI_USAGE;
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	int rc = dispatch(argc, argv, out, err);
	/* Output that never reached its destination (full disk, closed pipe) must not pass as success. */
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(err, "ikesim: writing the output failed\n");
		if (rc == CLI_OK)
			rc = CLI_ERR;
	}
	return rc;
}
