/*
 * libFuzzer target: stateful fuzzing of an initiator and a responder with asynchronous crypto: their D-H jobs
 * wait in the host until the schedule hands one back, in any order (statefz_run_jobs). The input is a schedule
 * of network events (tests/unit/statefz.h); a broken invariant aborts with the reason, as a crash would.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fz.h"
#include "statefz.h"

static ike_crypto *crypto; /* immutable after init, shared by every run */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	crypto = ike_crypto_new();
	if (!crypto) {
		fprintf(stderr, "fuzz_stateful_jobs: ike_crypto_new failed\n");
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	statefz_stats st;
	char why[256];
	if (statefz_run_jobs(crypto, data, size, &st, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_stateful_jobs: invariant broken: %s\n", why);
		abort();
	}
	return 0;
}
