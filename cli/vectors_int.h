/* Shared by cli/vectors*.c: one test-vector case being checked, and bounded accessors for its JSON fields. */
#ifndef IKE_CLI_VECTORS_INT_H
#define IKE_CLI_VECTORS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "crypto/crypto.h"

/* Any single hex field is at most this many decoded bytes (the largest vector field is ~1 KiB). */
#define CLI_V_MAX_FIELD 65536
#define CLI_V_MAX_BUFS 32

enum cli_v_result { CLI_V_PASS = 0, CLI_V_FAIL = 1, CLI_V_UNSUPPORTED = 2 };

typedef struct cli_vcase {
	const char *file;
	int index;
	const cJSON *obj;
	FILE *err;
	const ike_crypto *c;
	uint8_t *bufs[CLI_V_MAX_BUFS]; /* freed when the case ends */
	int nbufs;
	int failed;      /* a field was missing/bad or a value mismatched */
} cli_vcase;

/* Prints "FILE: case I: field F: message" and marks the case failed; returns CLI_V_FAIL. */
int cli_v_fail(cli_vcase *vc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Zeroed scratch memory owned by the case; NULL (case failed) if n is too large. */
uint8_t *cli_v_alloc(cli_vcase *vc, size_t n);

/* A hex string field decoded; NULL and a failure if missing or malformed. "" gives len 0, non-NULL. */
const uint8_t *cli_v_hex(cli_vcase *vc, const char *name, size_t *len);

/* Like cli_v_hex but an absent or null field is not an error (returns NULL, no failure). */
const uint8_t *cli_v_hex_opt(cli_vcase *vc, const char *name, size_t *len);

/* An integer field in [lo, hi]; fails otherwise. */
long cli_v_int(cli_vcase *vc, const char *name, long lo, long hi);

/* A string field (not hex); NULL and a failure if missing. */
const char *cli_v_str(cli_vcase *vc, const char *name);

/* Compares got with the hex field `name` (all of it); records a failure on mismatch. 0 if equal. */
int cli_v_expect(cli_vcase *vc, const char *name, const uint8_t *got, size_t got_len);

/* Compares got with the already-decoded want; records a failure naming `name` on mismatch. */
int cli_v_same(cli_vcase *vc, const char *name, const uint8_t *got, size_t got_len, const uint8_t *want,
	       size_t want_len);

/* One case of each kind; return enum cli_v_result. */
int cli_v_ikev2_kdf(cli_vcase *vc);
int cli_v_hmac_sha2(cli_vcase *vc);
int cli_v_hmac_sha2_ipsec(cli_vcase *vc);
int cli_v_xcbc_mac_96(cli_vcase *vc);
int cli_v_xcbc_prf(cli_vcase *vc);
int cli_v_cmac_prf(cli_vcase *vc);
int cli_v_ecp_dh(cli_vcase *vc);
int cli_v_x25519(cli_vcase *vc);
int cli_v_modp_groups(cli_vcase *vc);
int cli_v_aes_cbc(cli_vcase *vc);
int cli_v_aes_ctr(cli_vcase *vc);
int cli_v_aes_gcm_esp(cli_vcase *vc);
int cli_v_chacha_ikev2(cli_vcase *vc);
/* IKEv1 SKEYID, SKEYID_d/a/e (vectors_v1.c). */
int cli_v_ikev1_psk(cli_vcase *vc);
int cli_v_ikev1_sig(cli_vcase *vc);
/* Whole ESP packets through engine/esp (vectors_esp.c). */
int cli_v_esp_aes_cbc(cli_vcase *vc);
int cli_v_esp_aes_gcm(cli_vcase *vc);
int cli_v_esp_chacha(cli_vcase *vc);

#endif
