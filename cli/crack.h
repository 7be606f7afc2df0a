/* `ikesim crack`: the offline dictionary attack on an IKEv1 Aggressive Mode PSK (RFC 2409 5), its parts. */
#ifndef CLI_CRACK_H
#define CLI_CRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/crypto.h"
#include "host/amscan.h"

/* Exit codes of `ikesim crack` (docs/crack.md). */
enum { CRACK_FOUND = 0, CRACK_ERR = 1, CRACK_BAD_INPUT = 2, CRACK_NOT_FOUND = 3 };

#define CRACK_WORD_MAX 1024 /* longest word line, without its line end */

/* What one guess is checked against: HASH_R = prf(prf(word, Ni_b | Nr_b), g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b). */
typedef struct crack_target {
	uint16_t hash; /* IKE_V1_MD5 .. IKE_V1_SHA2_512 */
	uint64_t cky_i, cky_r;
	ike_am_field gxi, gxr, ni, nr, sai_b, idir_b, hash_r;
} crack_target;

/* The target of a usable exchange. */
void crack_target_of(const ike_am_exch *x, crack_target *t);

/* 1 if word is the PSK, 0 if not, -1 on a crypto failure. */
int crack_try(const ike_crypto *c, const crack_target *t, const uint8_t *word, size_t len);

/* The psk-crack parameter line (ike-scan --pskcrack): g_xr:g_xi:cky_r:cky_i:sai_b:idir_b:ni_b:nr_b:hash_r, hex. */
void crack_psk_line(const crack_target *t, FILE *out);

/* Parses such a line (a trailing line end allowed) into t, owning the bytes in store (freed by the caller).
 * The hash is told by HASH_R's length: 16 MD5, 20 SHA-1, 32/48/64 SHA-2. 0, or -1 with a reason in err. */
int crack_psk_parse(const char *line, crack_target *t, uint8_t **store, char *err, size_t errlen);

/* A word list read line by line in fixed memory: CRLF or LF, empty lines skipped, lines up to CRACK_WORD_MAX. */
typedef struct crack_words {
	FILE *f;
	const char *name;
	uint64_t line;  /* of the word last returned */
	uint64_t words; /* returned so far */
	size_t pos, end;
	bool eof;
	uint8_t buf[65536];
} crack_words;

void crack_words_init(crack_words *w, FILE *f, const char *name);
/* The next word into out (CRACK_WORD_MAX bytes): 1, 0 at the end, -1 with err (line too long, NUL byte, read error). */
int crack_words_next(crack_words *w, uint8_t *out, size_t *len, char *err, size_t errlen);

/* Bytes as a quoted string, escaping what is not printable ASCII. */
void crack_quoted(FILE *out, const uint8_t *p, size_t n);
/* Seconds on the monotonic clock, for the words-per-second figure. */
double crack_now(void);
/* The end of a word-list attack said once for both versions: got < 0 an error (msg), > 0 word[0..len) found
 * (the list's line and count from w), 0 none; since t0. Returns the exit code. */
int crack_report(FILE *out, FILE *err, int got, const char *msg, const uint8_t *word, size_t len, const crack_words *w,
		 const char *path, double t0);

/* One word against a target: 1 it is the PSK, 0 not, -1 an error (said on err already). */
typedef int (*crack_try_fn)(void *ctx, const ike_crypto *c, const uint8_t *word, size_t len, FILE *err);
/* The dictionary attack of both versions: the word list at path ("-": stdin) through try until a hit or its
 * end, then crack_report. Returns the exit code. */
int crack_run(const char *path, crack_try_fn try_word, void *ctx, FILE *out, FILE *err);

/* IKEv2 (crack_v2.c): a rogue responder's trace or an IKEv2 capture line (host/v2psk.h). */
typedef struct crack_v2_args {
	const char *capture, *wordlist;
	long exchange; /* 0: not given */
	bool psk_hash, list;
} crack_v2_args;

/* True when the file is for crack_v2: it starts with the IKEv2 capture line's tag or is JSON Lines ('{'). */
bool crack_v2_input(const uint8_t *b, size_t len);
/* The attack on such a file; the exit code (CRACK_*), after saying what happened. */
int crack_v2(const crack_v2_args *a, const uint8_t *b, size_t len, FILE *out, FILE *err);

#endif
