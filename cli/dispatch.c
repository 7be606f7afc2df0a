/* The verb table and top-level flags, callable in-process (tests) as well as from main(). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, FILE *, FILE *);
	const char *what;
} VERBS[] = {
	{ "run", cli_run, "run a scenario over the simulator and check its expectations" },
	{ "certs", cli_certs, "make a test CA and certificates (PEM) for public-key authentication" },
	{ "peer", cli_peer, "run one IKEv2 peer on real UDP sockets (against strongSwan or another ikesim)" },
	{ "load", cli_load, "open N IKE SAs against one gateway over real UDP and measure setups/s and latency" },
	{ "vectors", cli_vectors, "check the crypto against published test vector files" },
	{ "viz", cli_viz, "draw the state tables, a trace's key derivation or its message ladder" },
	{ "report", cli_report, "write a self-contained HTML page about a trace" },
	{ "calibrate", cli_calibrate, "measure the engine's crypto costs on this host (a CPU cost table)" },
	{ "sweep", cli_sweep, "run a parameter sweep as parallel or Slurm jobs, merge the results into a table" },
	{ "trace", cli_trace, "filter and print a trace's events (by node, SA, event, time), or count them" },
	{ "lesson", cli_lesson, "the course: list the lessons, show one, run its scenario, check an exercise" },
	{ "scenario", cli_scenario, "print a scenario with fields set (PATH=VALUE), for trying a change" },
	{ "crack", cli_crack, "find a weak IKEv1 Aggressive Mode PSK in a capture with a word list" },
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
