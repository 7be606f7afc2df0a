/*
 * The offline dictionary attack on an IKEv2 PSK initiator (RFC 7296 2.15), for a rogue responder's capture:
 *   AUTH = prf(prf(PSK, "Key Pad for IKEv2"), RealMessage1 | Nr | prf(SK_pi, IDi'))
 * where IDi' is the IDi payload body (ID type, 3 reserved bytes, data). Everything but the PSK is known to
 * whoever answered the initiator's IKE_SA_INIT: two PRF calls check a guess. The capture travels as one line,
 *   ikev2-psk:PRF:MSG1:NR:SK_PI:IDI:AUTH   (PRF the IANA transform id in decimal, the rest lowercase hex)
 * written into the rogue's `attack.capture` trace event and read by `ikesim crack` (docs/crack.md).
 */
#ifndef IKE_HOST_V2PSK_H
#define IKE_HOST_V2PSK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/prf.h"

#define IKE_V2PSK_TAG "ikev2-psk:"

/* The values one guess is checked against: views, owned by the caller. */
typedef struct ike_v2psk {
	uint16_t prf; /* IANA PRF transform id */
	const uint8_t *msg1, *nr, *sk_pi, *idi, *auth;
	size_t msg1_len, nr_len, sk_pi_len, idi_len, auth_len;
} ike_v2psk;

/* The line (no line end) into out; its length, or 0 when it does not fit in cap (NUL included). */
size_t ike_host_v2psk_line(const ike_v2psk *t, char *out, size_t cap);
/* Characters the line of t takes, NUL included. */
size_t ike_host_v2psk_line_len(const ike_v2psk *t);

/* Parses line[0..n) into t; the bytes go to *store (the caller frees it). 0, or -1 with a reason in err. */
int ike_host_v2psk_parse(const char *line, size_t n, ike_v2psk *t, uint8_t **store, char *err, size_t errlen);

/* MACedIDForI = prf(SK_pi, IDi') into maced (the PRF's output length), computed once per capture. 0 or -1. */
int ike_host_v2psk_prepare(const ike_crypto *c, const ike_v2psk *t, uint8_t maced[IKE_PRF_MAX_OUT]);

/* 1 if word is the PSK, 0 if not, -1 on a PRF failure. */
int ike_host_v2psk_try(const ike_crypto *c, const ike_v2psk *t, const uint8_t *maced, const uint8_t *word, size_t len);

#endif
