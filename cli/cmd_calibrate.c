/*
 * `ikesim calibrate`: measures what the engine's crypto operations cost on this host (thread CPU time, the
 * minimum over several batches) and prints a cost table a scenario's node "cpu" takes as its "costs"
 * (docs/cpu.md). DH, PRF and SK go through engine/crypto, the code a simulated node runs; signatures
 * through EVP_DigestSign/Verify with SHA-256 as engine/crypto/sig.c calls them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include "cli.h"
#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "crypto/drbg.h"
#include "crypto/prf.h"
#include "crypto/registry.h"
#include "crypto/sk.h"
#include "ike.h"

typedef struct cal {
	const ike_crypto *c;
	ike_drbg rng;
	int64_t batch_ns; /* run each batch at least this long */
	int batches;
} cal;

typedef int (*cal_fn)(cal *k, void *arg);

static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ns per call of fn: the fastest of k->batches batches (the others met a busy machine); -1 if fn failed. */
static int64_t measure(cal *k, cal_fn fn, void *arg)
{
	int64_t best = -1;
	long per = 1;
	for (int b = 0; b < k->batches; b++) {
		int64_t t0 = cpu_ns(), t;
		long n = 0;
		do {
			for (long i = 0; i < per; i++)
				if (fn(k, arg) != 0)
					return -1;
			n += per;
			t = cpu_ns() - t0;
			if (b == 0 && t < k->batch_ns / 4)
				per *= 2;
		} while (t < k->batch_ns);
		int64_t each = t / n;
		if (best < 0 || each < best)
			best = each;
	}
	return best;
}

typedef struct dh_arg {
	uint16_t group;
	ike_dh *mine;
	uint8_t peer[1024];
	size_t peer_len;
} dh_arg;

static int dh_keygen(cal *k, void *arg)
{
	dh_arg *a = arg;
	ike_dh *d = NULL;
	int rc = ike_dh_generate(k->c, a->group, &k->rng, &d);
	ike_dh_free(d);
	return rc;
}

static int dh_derive(cal *k, void *arg)
{
	dh_arg *a = arg;
	uint8_t s[1024];
	/* the engine checks the peer's value (RFC 6989) before every derive: charged with it */
	if (ike_dh_check_peer(k->c, a->group, a->peer, a->peer_len) != 0)
		return -1;
	int rc = ike_dh_derive(k->c, a->mine, a->peer, a->peer_len, s, sizeof(s)) < 0 ? -1 : 0;
	OPENSSL_cleanse(s, sizeof(s));
	return rc;
}

typedef struct sig_arg {
	EVP_PKEY *key;
	uint8_t sig[1024];
	size_t sig_len;
	uint8_t data[512]; /* about what an IKE_AUTH signs: message 1, the nonce, prf(SK_p, ID) */
} sig_arg;

static int sig_sign(cal *k, void *arg)
{
	(void)k;
	sig_arg *a = arg;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	size_t n = sizeof(a->sig);
	int ok = m && EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL, a->key, NULL) == 1 &&
		 EVP_DigestSign(m, a->sig, &n, a->data, sizeof(a->data)) == 1;
	EVP_MD_CTX_free(m);
	a->sig_len = n;
	return ok ? 0 : -1;
}

static int sig_verify(cal *k, void *arg)
{
	(void)k;
	sig_arg *a = arg;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = m && EVP_DigestVerifyInit_ex(m, NULL, "SHA256", NULL, NULL, a->key, NULL) == 1 &&
		 EVP_DigestVerify(m, a->sig, a->sig_len, a->data, sizeof(a->data)) == 1;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

typedef struct sym_arg {
	size_t len;
	uint8_t key[32];
	uint8_t buf[4096 + 256], pt[4096], back[4096 + 64];
	ike_sk_keys sk;
} sym_arg;

static int prf_call(cal *k, void *arg)
{
	sym_arg *a = arg;
	uint8_t out[64];
	ike_iov d = { a->pt, a->len };
	return ike_prf(k->c, IKE_PRF_HMAC_SHA2_256, a->key, sizeof(a->key), &d, 1, out) < 0 ? -1 : 0;
}

static int sk_round(cal *k, void *arg)
{
	sym_arg *a = arg;
	size_t body = 0, ptl = 0;
	if (ike_sk_seal(k->c, &a->sk, &k->rng, a->buf, 32, a->pt, a->len, sizeof(a->buf), &body) != 0)
		return -1;
	return ike_sk_open(k->c, &a->sk, a->buf, 32, body, a->back, sizeof(a->back), &ptl) == 0 ? 0 : -1;
}

static void put_ns(FILE *out, const char *key, int64_t ns, const char *end)
{
	fprintf(out, "\"%s\": \"%lldns\"%s", key, (long long)ns, end);
}

static const uint16_t GROUPS[] = { 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32 };

static void put_groups(cal *k, FILE *out, const char *key, cal_fn fn, int *bad)
{
	fprintf(out, "  \"%s\": {", key);
	const char *sep = "";
	for (size_t i = 0; i < sizeof(GROUPS) / sizeof(GROUPS[0]); i++) {
		dh_arg a = { .group = GROUPS[i] };
		ike_dh *other = NULL;
		if (!ike_dh_supported(a.group))
			continue;
		int64_t ns = -1;
		if (ike_dh_generate(k->c, a.group, &k->rng, &a.mine) == 0 &&
		    ike_dh_generate(k->c, a.group, &k->rng, &other) == 0 &&
		    ike_dh_public(other, a.peer, sizeof(a.peer)) == 0) {
			a.peer_len = ike_dh_public_len(a.group);
			ns = measure(k, fn, &a);
		}
		ike_dh_free(a.mine);
		ike_dh_free(other);
		if (ns < 0) {
			*bad = 1;
			continue;
		}
		fprintf(out, "%s\"%u\": \"%lldns\"", sep, a.group, (long long)ns);
		sep = ", ";
	}
	fprintf(out, "},\n");
}

static const struct {
	const char *name, *type;
	int bits;
	const char *curve;
} KEYS[] = { { "rsa2048", "RSA", 2048, NULL }, { "rsa3072", "RSA", 3072, NULL }, { "rsa4096", "RSA", 4096, NULL },
	     { "ec256", "EC", 0, "P-256" }, { "ec384", "EC", 0, "P-384" }, { "ec521", "EC", 0, "P-521" } };

static void put_sigs(cal *k, FILE *out, bool quick, int *bad)
{
	int64_t ns[2][sizeof(KEYS) / sizeof(KEYS[0])];
	for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
		sig_arg a = { 0 };
		ns[0][i] = ns[1][i] = -1;
		if (quick && KEYS[i].bits > 2048)
			continue; /* a 3072/4096-bit key pair takes seconds to make */
		a.key = KEYS[i].curve ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", KEYS[i].curve)
				      : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEYS[i].bits);
		if (a.key && sig_sign(k, &a) == 0) {
			ns[0][i] = measure(k, sig_sign, &a);
			ns[1][i] = measure(k, sig_verify, &a);
		}
		EVP_PKEY_free(a.key);
		if (ns[0][i] < 0 || ns[1][i] < 0)
			*bad = 1;
	}
	for (int v = 0; v < 2; v++) {
		fprintf(out, "  \"%s\": {", v ? "verify" : "sign");
		const char *sep = "";
		for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++)
			if (ns[v][i] >= 0) {
				fprintf(out, "%s\"%s\": \"%lldns\"", sep, KEYS[i].name, (long long)ns[v][i]);
				sep = ", ";
			}
		fprintf(out, "},\n");
	}
}

/* PRF and SK: a fixed part (64-byte input) and a per-KiB slope from a 4,096-byte input. */
static void put_sym(cal *k, FILE *out, int *bad)
{
	sym_arg *a = calloc(1, sizeof(*a));
	const ike_alg *gcm = ike_alg_find(IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	if (!a || !gcm) {
		free(a);
		*bad = 1;
		return;
	}
	ike_drbg_bytes(&k->rng, a->key, sizeof(a->key));
	a->sk = (ike_sk_keys){ .encr = gcm, .ekey = a->key };
	a->len = 64;
	int64_t p64 = measure(k, prf_call, a), s64 = measure(k, sk_round, a);
	a->len = 4096;
	int64_t p4k = measure(k, prf_call, a), s4k = measure(k, sk_round, a);
	free(a);
	if (p64 < 0 || s64 < 0 || p4k < 0 || s4k < 0) {
		*bad = 1;
		return;
	}
	int64_t pslope = p4k > p64 ? (p4k - p64) * 1024 / (4096 - 64) : 0;
	int64_t sslope = s4k > s64 ? (s4k - s64) * 1024 / (4096 - 64) / 2 : 0; /* a round is a seal and an open */
	fprintf(out, "  ");
	put_ns(out, "prf", p64, ", ");
	put_ns(out, "prf_per_kb", pslope, ", ");
	put_ns(out, "sk_per_kb", sslope, ",\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ikesim calibrate [--quick] [-o FILE]\n\n"
		   "Measures what the engine's crypto costs on this host (thread CPU time, fastest of several batches)\n"
		   "and prints a cost table for a scenario node's \"cpu\": {\"costs\": ...} (docs/cpu.md).\n"
		   "  --quick   short batches, no 3072/4096-bit RSA (seconds instead of about a minute)\n"
		   "  -o FILE   write the table to FILE instead of standard output\n"
		   "message and timer (the daemon's own work per datagram and per timer) are not crypto: they\n"
		   "are printed as 0; set them from a measurement of the daemon you model (docs/cpu.md).\n");
}

int cli_calibrate(int argc, char **argv, FILE *out, FILE *err)
{
	const char *path = NULL;
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(out);
			return CLI_OK;
		} else if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			path = argv[++i];
		} else {
			fprintf(err, "ikesim calibrate: unknown or incomplete argument '%.64s'\n", argv[i]);
			usage(err);
			return CLI_USAGE;
		}
	}
	ike_crypto *c = ike_crypto_new();
	if (!c) {
		fprintf(err, "ikesim calibrate: OpenSSL could not fetch the algorithms\n");
		return CLI_ERR;
	}
	cal k = { .c = c, .batch_ns = quick ? 200000 : 20000000, .batches = quick ? 2 : 5 };
	static const char pers[] = "ikesim calibrate";
	ike_drbg_init_with(&k.rng, c, pers, sizeof(pers), NULL, 0);
	FILE *f = path ? fopen(path, "w") : out;
	if (!f) {
		fprintf(err, "ikesim calibrate: %s: cannot create\n", path);
		ike_crypto_free(c);
		return CLI_ERR;
	}
	struct utsname u;
	int bad = 0, named = uname(&u) == 0;
	fprintf(f, "{\n  \"note\": \"ikesim calibrate%s on %s (%s), %s; thread CPU time, fastest batch\",\n",
		quick ? " --quick" : "", named ? u.nodename : "?", named ? u.machine : "?", OPENSSL_VERSION_TEXT);
	fprintf(f, "  ");
	put_ns(f, "message", 0, ", ");
	put_ns(f, "timer", 0, ",\n");
	put_groups(&k, f, "dh_keygen", dh_keygen, &bad);
	put_groups(&k, f, "dh_derive", dh_derive, &bad);
	put_sigs(&k, f, quick, &bad);
	put_sym(&k, f, &bad);
	fprintf(f, "  \"base\": \"floor\"\n}\n");
	ike_crypto_free(c);
	int werr = path ? fclose(f) : fflush(f);
	if (werr != 0) {
		fprintf(err, "ikesim calibrate: %s: write failed\n", path ? path : "standard output");
		return CLI_ERR;
	}
	if (bad) {
		fprintf(err, "ikesim calibrate: some operations failed and are missing from the table\n");
		return CLI_ERR;
	}
	return CLI_OK;
}
