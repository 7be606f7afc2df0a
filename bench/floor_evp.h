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

/* Plaintext bytes of the two IKE_AUTH SK payloads (request, response) an initial handshake seals and opens. */
typedef struct fl_init {
	size_t auth_pt[2];
	size_t init_len[2]; /* IKE_SA_INIT request and response lengths: the PSK AUTH signs them */
} fl_init;

/*
 * One initial IKEv2 handshake with PSK, both ends (RFC 7296 1.2, 2.14, 2.15, 2.17): 4 random draws (Ni | SPIi,
 * Nr | SPIr, and IV | ESP SPI for each IKE_AUTH message), 2 X25519 keygens and derives, SKEYSEED and SK_* each
 * end, 4 PSK AUTH values (3 PRF calls each), 2 AES-GCM seals and opens, a CHILD KEYMAT each end; 0 on success.
 */
int fl_run_init(fl_ctx *f, const fl_init *hs);

/*
 * Checks the floor computes what RFC 7296 asks, against engine/crypto: CHILD KEYMAT (2.17) with and without
 * g^ir, and the rekeyed SKEYSEED and SK_* (2.18), on fixed inputs; 0 if all equal.
 */
int fl_self_check(fl_ctx *f);

/* The same for the initial handshake's SKEYSEED, SK_* and first CHILD KEYMAT (RFC 7296 2.14, 2.17); 0 if equal. */
int fl_self_check_init(fl_ctx *f);

#endif
