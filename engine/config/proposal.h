/* Proposals in strongSwan syntax ("aes128gcm16-prfsha256-x25519,aes256-sha256-modp2048"). */
#ifndef IKE_CONFIG_PROPOSAL_H
#define IKE_CONFIG_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_PROP_MAX_PER_TYPE 8
#define IKE_PROP_MAX 8

enum ike_protocol { IKE_PROTO_IKE = 1, IKE_PROTO_AH = 2, IKE_PROTO_ESP = 3 };

/* One transform choice: IANA id plus key length attribute (0 = none). */
typedef struct ike_xform {
	uint16_t id;
	uint16_t keylen;
} ike_xform;

/* One proposal: for each transform type, the acceptable choices in preference order. */
typedef struct ike_proposal {
	uint8_t protocol; /* enum ike_protocol */
	uint8_t n_encr, n_prf, n_integ, n_dh, n_esn;
	ike_xform encr[IKE_PROP_MAX_PER_TYPE];
	ike_xform prf[IKE_PROP_MAX_PER_TYPE];
	ike_xform integ[IKE_PROP_MAX_PER_TYPE];
	ike_xform dh[IKE_PROP_MAX_PER_TYPE];
	ike_xform esn[2];
} ike_proposal;

typedef struct ike_proposal_list {
	uint8_t n;
	ike_proposal p[IKE_PROP_MAX];
} ike_proposal_list;

/*
 * Parses a comma-separated list of proposals for protocol IKE, ESP or AH. IKE: an integrity keyword
 * without a prf keyword implies the PRF of the same hash; AEAD proposals carry no integrity; a DH
 * group is required. ESP and AH: DH groups mean PFS; no ESN keyword means "noesn". AH: integrity
 * only, an encryption keyword is refused ("sha256-sha1", "sha256-modp2048").
 * Returns 0, or -1 with a one-line reason in err (e.g. "unknown keyword 'aes129' in proposal 1").
 */
int ike_proposals_parse(const char *text, uint8_t protocol, ike_proposal_list *out, char *err, size_t errlen);
/* The same, also taking IKEv1's legacy keywords "3des", "md5", "prfmd5" (ike_keyword_find_v1). */
int ike_proposals_parse_v1(const char *text, uint8_t protocol, ike_proposal_list *out, char *err, size_t errlen);
/* True if the list names a transform only IKEv1 connections can use (3DES, HMAC-MD5). */
bool ike_proposals_v1_only(const ike_proposal_list *pl);

/* Formats a proposal back in strongSwan's display style ("AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519"). */
size_t ike_proposal_format(const ike_proposal *p, char *out, size_t cap);

#endif
