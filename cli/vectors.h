/* `ikesim vectors FILE...`: checks our crypto against the published test vectors in JSON files. */
#ifndef IKE_CLI_VECTORS_H
#define IKE_CLI_VECTORS_H

#include <stdio.h>

/* argv holds argc file names. Prints one summary line per file to out, details to err. 0 only if every file passed. */
int cli_vectors(int argc, char **argv, FILE *out, FILE *err);

#endif
