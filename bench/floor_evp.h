/*
 * The crypto floor of one rekey, both ends, done with OpenSSL EVP directly (no engine/crypto in between):
 * what any IKEv2 implementation must compute for the same operation with the same algorithms
 * (AES-GCM-16-128 SK payloads, PRF-HMAC-SHA2-256, X25519).
 */
#ifndef IKE_BENCH_FLOOR_EVP_H
#define IKE_BENCH_FLOOR_EVP_H

#include <stddef.h>
#include <stdint.h>

enum fl_kind { FL_CHILD, FL_CHILD_PFS, FL_IKE, FL_N };

#define FL_MAX_MSGS 8

/* One operation: its kind and the plaintext length of each SK payload it seals and opens (both directions). */
typedef struct fl_op {
	uint8_t kind; /* enum fl_kind */
	size_t n_msgs;
	size_t pt_len[FL_MAX_MSGS];
} fl_op;

typedef struct fl_ctx fl_ctx;

/* Fetches every algorithm once and instantiates a private CTR-DRBG; NULL on failure. */
fl_ctx *fl_new(void);
void fl_free(fl_ctx *f);

/* One operation's crypto, both ends; 0 on success. */
int fl_run_op(fl_ctx *f, const fl_op *op);

/*
 * Checks the floor computes what RFC 7296 asks, against engine/crypto: CHILD KEYMAT (2.17) with and without
 * g^ir, and the rekeyed SKEYSEED and SK_* (2.18), on fixed inputs; 0 if all equal.
 */
int fl_self_check(fl_ctx *f);

#endif
