/* The ikesim verbs: each takes its own argv (argv[0] is the verb) and the streams to write to. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdio.h>

#define CLI_VERSION "0.1.0"

/* Exit codes shared by every verb. */
enum { CLI_OK = 0, CLI_ERR = 1, CLI_USAGE = 2, CLI_EXPECT_FAILED = 3 };

/* The whole command line (argv[0] is the program): --help, --version, or a verb. Exit code as above. */
int cli_main(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim run SCENARIO [--trace FILE] [--seed N] [--reveal-keys] [--quiet]`. */
int cli_run(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim peer --local A:P --remote A:P [--initiate] ...`: one engine peer on a real UDP socket (cli/cmd_peer.c). */
int cli_peer(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim load --remote A:P --count N [--rate R] [--concurrency K] ...`: a real-UDP IKEv2 load generator (cli/cmd_load.c). */
int cli_load(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim vectors FILE...`: defined in cli/vectors.c; unlike the others its argv holds only the file names. */
int cli_vectors(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim certs --out DIR [--rsa BITS | --ecdsa CURVE] [--days N] NAME...`: a test CA and certificates. */
int cli_certs(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim viz states|keys|ladder ... -o FILE` (cli/cmd_viz.c). */
int cli_viz(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim report TRACE -o FILE.html` (cli/cmd_report.c). */
int cli_report(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim crack CAPTURE --wordlist FILE [--exchange N] [--psk-hash] [--list]` (cli/cmd_crack.c). */
int cli_crack(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim calibrate [--quick] [-o FILE]` (cli/cmd_calibrate.c). */
int cli_calibrate(int argc, char **argv, FILE *out, FILE *err);

/* `ikesim sweep SPEC -o DIR [--runner parallel|slurm|none]` and `ikesim sweep merge DIR` (cli/cmd_sweep.c). */
int cli_sweep(int argc, char **argv, FILE *out, FILE *err);

/* --threads: "auto" (the cores online) or 1..256; 0, or -1 for anything else. */
int cli_parse_threads(const char *v, unsigned *out);

#endif
