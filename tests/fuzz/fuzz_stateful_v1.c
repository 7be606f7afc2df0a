/*
 * libFuzzer target: stateful fuzzing of two IKEv1 peers (tests/unit/statefz_v1.h): the first byte picks Main
 * Mode PSK/RSA or Aggressive Mode, PFS, DPD, short lifetimes (renewals), GCM; the rest is a schedule of network
 * events, raw forgeries and decrypt-mutate-reseal steps. A broken invariant aborts with the reason.
 * Run from the repository root: the RSA mode reads tests/scenarios/certs/rsa/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "crypto/cert.h"
#include "fz.h"
#include "statefz_v1.h"

static ike_crypto *crypto;   /* immutable after init, shared by every run */
static ike_cred *creds[2];   /* gw-a.example, gw-b.example (RSA), read-only */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n)) &&
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	*len = b ? (size_t)n : 0;
	fclose(f);
	return b;
}

static ike_cred *load(const char *name)
{
	char cp[128], kp[128];
	size_t cl, kl, al;
	snprintf(cp, sizeof(cp), "tests/scenarios/certs/rsa/%s.pem", name);
	snprintf(kp, sizeof(kp), "tests/scenarios/certs/rsa/%s.key", name);
	uint8_t *c = slurp(cp, &cl), *k = slurp(kp, &kl), *a = slurp("tests/scenarios/certs/rsa/ca.pem", &al);
	ike_cred *out = NULL;
	char err[160];
	if (!c || !k || !a || ike_cred_from_pem(c, cl, k, kl, a, al, &out, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_stateful_v1: cannot load %s (run from the repository root)\n", cp);
		exit(2);
	}
	free(c);
	free(k);
	free(a);
	return out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	crypto = ike_crypto_new();
	if (!crypto) {
		fprintf(stderr, "fuzz_stateful_v1: ike_crypto_new failed\n");
		exit(2);
	}
	creds[0] = load("gw-a.example");
	creds[1] = load("gw-b.example");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	statefz_v1_stats st;
	char why[256];
	const ike_cred *const c[2] = { creds[0], creds[1] };
	if (statefz_v1_run(crypto, c, data, size, &st, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_stateful_v1: invariant broken: %s\n", why);
		abort();
	}
	return 0;
}
