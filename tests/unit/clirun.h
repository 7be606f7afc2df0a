/* Runs a cli_* entry point in-process with stdout and stderr captured in memory (tests only). */
#ifndef IKE_TEST_CLIRUN_H
#define IKE_TEST_CLIRUN_H

#include <stddef.h>
#include <stdio.h>

typedef struct clirun {
	int rc;
	char *out, *err;
	size_t out_len, err_len;
} clirun;

/* fn(argc, argv, out, err) with both streams captured; free the result with clirun_free. */
clirun clirun_call(int (*fn)(int, char **, FILE *, FILE *), int argc, char **argv);
void clirun_free(clirun *r);

#endif
