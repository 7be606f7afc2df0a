/*
 * Finding IKEv1 Aggressive Mode exchanges in a capture (RFC 2409 5: HDR, SA, KE, Ni, IDii / HDR, SA, KE, Nr,
 * IDir, HASH_R) and what the offline PSK attack needs from them: g^xi, g^xr, CKY-I, CKY-R, Ni_b, Nr_b, SAi_b,
 * IDir_b, HASH_R, and the hash the responder chose. Every field is a view into the capture image, which must
 * outlive the scan. Why an exchange cannot be attacked is said in its `problem`.
 */
#ifndef IKE_HOST_AMSCAN_H
#define IKE_HOST_AMSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/capread.h"

#define IKE_AM_MAX 32

typedef struct ike_am_field {
	const uint8_t *p;
	size_t len;
} ike_am_field;

typedef struct ike_am_exch {
	uint64_t cky_i, cky_r;
	uint32_t frame1, frame2; /* 0: not seen */
	ike_addr init, resp;     /* from message 1 (message 2 when message 1 is missing) */
	uint16_t hash, auth, group, encr; /* the responder's chosen transform (message 2's SA) */
	uint8_t idir_type;
	ike_am_field sai_b, gxi, gxr, ni, nr, idii_b, idir_b, hash_r;
	char problem[200]; /* empty: every field above is there and the attack applies */
} ike_am_exch;

typedef struct ike_am_scan {
	ike_cap_reader rd;
	uint32_t n_ike, n_v1, n_v2, n_mm, n_enc, n_cut;
	uint32_t n_extra; /* Aggressive Mode exchanges past IKE_AM_MAX, not kept */
	uint32_t n;
	ike_am_exch x[IKE_AM_MAX];
} ike_am_scan;

/* Reads the whole capture; 0, or -1 with one line in err when the file itself is broken. */
int ike_am_scan_capture(const uint8_t *buf, size_t len, ike_am_scan *s, char *err, size_t errlen);

/* Exchanges without a problem. */
uint32_t ike_am_usable(const ike_am_scan *s);

#endif
