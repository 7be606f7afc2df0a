/* ISAKMP / IKEv1 wire format (RFC 2408, IPsec DOI RFC 2407, RFC 2409, NAT-T RFC 3947): bounded decode, bounded encode. */
#ifndef IKE_WIRE_V1_H
#define IKE_WIRE_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define V1_HDR_LEN 28
#define V1_GENERIC_HDR_LEN 4
#define V1_VERSION 0x10 /* major 1, minor 0 */
#define V1_DOI_ISAKMP 0
#define V1_DOI_IPSEC 1
#define V1_SIT_IDENTITY_ONLY 1

/* Exchange types (RFC 2408 3.1; RFC 2409 Appendix A; TRANSACTION from draft-ietf-ipsec-isakmp-mode-cfg). */
enum v1_exchange {
	V1_EXCH_NONE = 0,
	V1_EXCH_BASE = 1,
	V1_EXCH_ID_PROT = 2, /* Main Mode */
	V1_EXCH_AUTH_ONLY = 3,
	V1_EXCH_AGGRESSIVE = 4,
	V1_EXCH_INFORMATIONAL = 5,
	V1_EXCH_TRANSACTION = 6, /* Mode Config / XAUTH */
	V1_EXCH_QUICK = 32,
	V1_EXCH_NEW_GROUP = 33,
};

/* Header flags (RFC 2408 3.1). */
enum v1_flag {
	V1_F_ENCRYPTION = 0x01,
	V1_F_COMMIT = 0x02,
	V1_F_AUTH_ONLY = 0x04,
};

enum v1_payload_type {
	V1_PL_NONE = 0,
	V1_PL_SA = 1,
	V1_PL_P = 2, /* Proposal: only inside SA */
	V1_PL_T = 3, /* Transform: only inside a Proposal */
	V1_PL_KE = 4,
	V1_PL_ID = 5,
	V1_PL_CERT = 6,
	V1_PL_CR = 7,
	V1_PL_HASH = 8,
	V1_PL_SIG = 9,
	V1_PL_NONCE = 10,
	V1_PL_N = 11,
	V1_PL_D = 12,
	V1_PL_VID = 13,
	V1_PL_ATTR = 14, /* Mode Config attributes */
	V1_PL_NATD = 20, /* RFC 3947 */
	V1_PL_NATOA = 21,
	V1_PL_NATD_DRAFT = 130, /* draft-ietf-ipsec-nat-t-ike-02/03 */
	V1_PL_NATOA_DRAFT = 131,
	V1_PL_FRAG = 132, /* IKEv1 fragmentation (vendor extension) */
};

/* Protocol IDs (RFC 2407 4.4.1). */
enum v1_proto { V1_PROTO_ISAKMP = 1, V1_PROTO_AH = 2, V1_PROTO_ESP = 3, V1_PROTO_IPCOMP = 4 };

/* Transform IDs: KEY_IKE for ISAKMP (2407 4.4.2); ESP (4.4.4, RFC 3602/4106); AH (4.4.3, RFC 4868). */
enum v1_transform_id {
	V1_KEY_IKE = 1,
	V1_ESP_DES = 2,
	V1_ESP_3DES = 3,
	V1_ESP_NULL = 11,
	V1_ESP_AES = 12,
	V1_ESP_AES_CTR = 13,
	V1_ESP_AES_GCM_8 = 18,
	V1_ESP_AES_GCM_12 = 19,
	V1_ESP_AES_GCM_16 = 20,
	V1_AH_MD5 = 2,
	V1_AH_SHA = 3,
	V1_AH_SHA2_256 = 5,
	V1_AH_SHA2_384 = 6,
	V1_AH_SHA2_512 = 7,
};

/* Phase 1 attribute classes (RFC 2409 Appendix A). */
enum v1_p1_attr {
	V1_A_ENCR = 1,
	V1_A_HASH = 2,
	V1_A_AUTH = 3,
	V1_A_GROUP = 4,
	V1_A_GROUP_TYPE = 5,
	V1_A_GROUP_PRIME = 6,
	V1_A_GROUP_GEN1 = 7,
	V1_A_GROUP_GEN2 = 8,
	V1_A_GROUP_CURVE_A = 9,
	V1_A_GROUP_CURVE_B = 10,
	V1_A_LIFE_TYPE = 11,
	V1_A_LIFE_DURATION = 12,
	V1_A_PRF = 13,
	V1_A_KEY_LENGTH = 14,
	V1_A_FIELD_SIZE = 15,
	V1_A_GROUP_ORDER = 16,
};

/* Phase 1 values: encryption (RFC 2409 App. A, RFC 3602 for AES), hash (RFC 4868), auth method (+ XAUTH). */
enum v1_encr { V1_ENCR_DES = 1, V1_ENCR_3DES = 5, V1_ENCR_AES = 7 };
enum v1_hash { V1_HASH_MD5 = 1, V1_HASH_SHA1 = 2, V1_HASH_SHA2_256 = 4, V1_HASH_SHA2_384 = 5, V1_HASH_SHA2_512 = 6 };
enum v1_auth {
	V1_AUTH_PSK = 1,
	V1_AUTH_DSS = 2,
	V1_AUTH_RSA_SIG = 3,
	V1_AUTH_RSA_ENC = 4,
	V1_AUTH_RSA_ENC_REV = 5,
	V1_AUTH_ECDSA_256 = 9, /* RFC 4754 */
	V1_AUTH_ECDSA_384 = 10,
	V1_AUTH_ECDSA_521 = 11,
	V1_AUTH_XAUTH_INIT_PSK = 65001, /* draft-beaulieu-ike-xauth */
	V1_AUTH_XAUTH_RESP_PSK = 65002,
	V1_AUTH_XAUTH_INIT_RSA = 65005,
	V1_AUTH_XAUTH_RESP_RSA = 65006,
};
enum v1_life_type { V1_LIFE_SECONDS = 1, V1_LIFE_KILOBYTES = 2 };

/* IPsec DOI SA attribute classes (RFC 2407 4.5; ESN from RFC 4304). */
enum v1_p2_attr {
	V1_IA_LIFE_TYPE = 1,
	V1_IA_LIFE_DURATION = 2,
	V1_IA_GROUP = 3,
	V1_IA_ENCAP = 4,
	V1_IA_AUTH_ALG = 5,
	V1_IA_KEY_LENGTH = 6,
	V1_IA_KEY_ROUNDS = 7,
	V1_IA_COMP_DICT = 8,
	V1_IA_COMP_PRIV = 9,
	V1_IA_ECN_TUNNEL = 10,
	V1_IA_ESN = 11,
};
/* Encapsulation mode: RFC 2407, RFC 3947 (3, 4) and the pre-RFC draft values strongSwan still accepts. */
enum v1_encap {
	V1_ENCAP_TUNNEL = 1,
	V1_ENCAP_TRANSPORT = 2,
	V1_ENCAP_UDP_TUNNEL = 3,
	V1_ENCAP_UDP_TRANSPORT = 4,
	V1_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	V1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};
/* Authentication algorithm (RFC 2407 4.5, RFC 4868 for SHA-2, RFC 3566 for XCBC). */
enum v1_auth_alg {
	V1_AALG_HMAC_MD5 = 1,
	V1_AALG_HMAC_SHA1 = 2,
	V1_AALG_HMAC_SHA2_256 = 5,
	V1_AALG_HMAC_SHA2_384 = 6,
	V1_AALG_HMAC_SHA2_512 = 7,
	V1_AALG_AES_XCBC = 9,
};

/* ID types (RFC 2407 4.6.2.1). */
enum v1_id_type {
	V1_ID_IPV4_ADDR = 1,
	V1_ID_FQDN = 2,
	V1_ID_USER_FQDN = 3,
	V1_ID_IPV4_ADDR_SUBNET = 4,
	V1_ID_IPV6_ADDR = 5,
	V1_ID_IPV6_ADDR_SUBNET = 6,
	V1_ID_IPV4_ADDR_RANGE = 7,
	V1_ID_IPV6_ADDR_RANGE = 8,
	V1_ID_DER_ASN1_DN = 9,
	V1_ID_DER_ASN1_GN = 10,
	V1_ID_KEY_ID = 11,
};

/* Certificate encodings (RFC 2408 3.9). */
enum v1_cert_enc { V1_CERT_PKCS7 = 1, V1_CERT_X509_SIG = 4, V1_CERT_CRL = 7 };

/* Notify message types: RFC 2408 3.14.1 errors, IPsec DOI status (2407 4.6.3), DPD (RFC 3706). */
enum v1_notify_type {
	V1_N_INVALID_PAYLOAD_TYPE = 1,
	V1_N_DOI_NOT_SUPPORTED = 2,
	V1_N_SITUATION_NOT_SUPPORTED = 3,
	V1_N_INVALID_COOKIE = 4,
	V1_N_INVALID_MAJOR_VERSION = 5,
	V1_N_INVALID_MINOR_VERSION = 6,
	V1_N_INVALID_EXCHANGE_TYPE = 7,
	V1_N_INVALID_FLAGS = 8,
	V1_N_INVALID_MESSAGE_ID = 9,
	V1_N_INVALID_PROTOCOL_ID = 10,
	V1_N_INVALID_SPI = 11,
	V1_N_INVALID_TRANSFORM_ID = 12,
	V1_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	V1_N_NO_PROPOSAL_CHOSEN = 14,
	V1_N_BAD_PROPOSAL_SYNTAX = 15,
	V1_N_PAYLOAD_MALFORMED = 16,
	V1_N_INVALID_KEY_INFORMATION = 17,
	V1_N_INVALID_ID_INFORMATION = 18,
	V1_N_INVALID_CERT_ENCODING = 19,
	V1_N_INVALID_CERTIFICATE = 20,
	V1_N_CERT_TYPE_UNSUPPORTED = 21,
	V1_N_INVALID_CERT_AUTHORITY = 22,
	V1_N_INVALID_HASH_INFORMATION = 23,
	V1_N_AUTHENTICATION_FAILED = 24,
	V1_N_INVALID_SIGNATURE = 25,
	V1_N_ADDRESS_NOTIFICATION = 26,
	V1_N_NOTIFY_SA_LIFETIME = 27,
	V1_N_CERTIFICATE_UNAVAILABLE = 28,
	V1_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	V1_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	V1_N_CONNECTED = 16384,
	V1_N_RESPONDER_LIFETIME = 24576,
	V1_N_REPLAY_STATUS = 24577,
	V1_N_INITIAL_CONTACT = 24578,
	V1_N_DPD_R_U_THERE = 36136,
	V1_N_DPD_R_U_THERE_ACK = 36137,
};
#define V1_N_ERROR_MAX 8192 /* RFC 2408 3.14.1: 1..8191 are errors, 16384.. status */

/* Mode Config attribute payload types (draft-ietf-ipsec-isakmp-mode-cfg 3.2). */
enum v1_cfg_type { V1_CFG_REQUEST = 1, V1_CFG_REPLY = 2, V1_CFG_SET = 3, V1_CFG_ACK = 4 };
/* Attribute types: Mode Config (draft-dukes-ike-mode-cfg-02 3.2) and XAUTH (draft-ietf-ipsec-isakmp-xauth-06 6). */
enum v1_cfg_attr {
	V1_CA_INTERNAL_IP4_ADDRESS = 1,
	V1_CA_INTERNAL_IP4_NETMASK = 2,
	V1_CA_INTERNAL_IP4_DNS = 3,
	V1_CA_INTERNAL_IP4_NBNS = 4,
	V1_CA_INTERNAL_ADDRESS_EXPIRY = 5,
	V1_CA_APPLICATION_VERSION = 7,
	V1_CA_INTERNAL_IP6_ADDRESS = 8,
	V1_CA_XAUTH_TYPE = 16520,      /* basic: 0 generic (name and password) */
	V1_CA_XAUTH_USER_NAME = 16521,
	V1_CA_XAUTH_USER_PASSWORD = 16522,
	V1_CA_XAUTH_PASSCODE = 16523,
	V1_CA_XAUTH_MESSAGE = 16524,
	V1_CA_XAUTH_CHALLENGE = 16525,
	V1_CA_XAUTH_DOMAIN = 16526,
	V1_CA_XAUTH_STATUS = 16527,    /* basic: 1 OK, 0 FAIL */
};

/* Decoder results; v1_status_notify maps each to the RFC 2408 notify a peer would send. */
typedef enum v1_status {
	V1_OK = 0,
	V1_DROP = 1,              /* header unusable (short, length field wrong): drop silently */
	V1_MALFORMED = 2,         /* PAYLOAD-MALFORMED */
	V1_BAD_PAYLOAD_TYPE = 3,  /* INVALID-PAYLOAD-TYPE */
	V1_BAD_VERSION = 4,       /* INVALID-MAJOR-VERSION */
	V1_TOO_MANY = 5,          /* more elements than this decoder holds: PAYLOAD-MALFORMED */
	V1_BAD_PROPOSAL = 6,      /* BAD-PROPOSAL-SYNTAX */
	V1_DOI_UNSUPPORTED = 7,   /* DOI-NOT-SUPPORTED */
	V1_SIT_UNSUPPORTED = 8,   /* SITUATION-NOT-SUPPORTED */
	V1_ATTR_UNSUPPORTED = 9,  /* ATTRIBUTES-NOT-SUPPORTED */
	V1_BAD_ID = 10,           /* INVALID-ID-INFORMATION */
} v1_status;

/* Where and why a decode failed: `off` is an offset in the buffer given as base 0 (e.g. the whole message). */
typedef struct v1_err {
	v1_status st;
	size_t off;
	const char *what; /* static text, e.g. "proposal: SPI size runs past the proposal" */
	uint8_t bad_type; /* V1_BAD_PAYLOAD_TYPE: the type */
} v1_err;

uint16_t v1_status_notify(v1_status st);
const char *v1_status_name(v1_status st);

/* Fixed ISAKMP header (RFC 2408 3.1). Cookies as big-endian integers, like v2's SPIs. */
typedef struct v1_header {
	uint64_t cky_i, cky_r;
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
} v1_header;

/* < 28 bytes or Length < 28 or > len -> V1_DROP; major != 1 -> V1_BAD_VERSION. Bytes past Length are ignored. */
v1_status v1_parse_header(const uint8_t *msg, size_t len, v1_header *h, v1_err *err);

typedef struct v1_payload {
	uint8_t type;
	uint8_t reserved; /* nonzero is tolerated and kept, for traces */
	uint16_t offset;  /* of the generic header, relative to base 0 */
	const uint8_t *body;
	uint16_t len;     /* body length */
} v1_payload;

#define V1_MAX_PAYLOADS 48

typedef struct v1_chain {
	uint8_t n;
	v1_payload pl[V1_MAX_PAYLOADS];
	size_t pad; /* trailing bytes after the last payload (encryption padding), when allowed */
} v1_chain;

/* The top-level payload types a chain may hold (not P/T); private-use types 128..255 are kept too. */
bool v1_payload_known(uint8_t type);

/*
 * Splits the chain beginning with `first` over buf[0..len); `base` is buf's offset for errors and payload
 * offsets. Lengths must fit exactly; with trailing_ok (a decrypted body) the bytes after the last payload are
 * padding, counted in out->pad. P/T at top level or types 15..127 we do not know: V1_BAD_PAYLOAD_TYPE.
 */
v1_status v1_parse_chain(uint8_t first, const uint8_t *buf, size_t len, size_t base, bool trailing_ok,
			 v1_chain *out, v1_err *err);

const v1_payload *v1_chain_find(const v1_chain *c, uint8_t type);
/* The nth (0-based) payload of a type, or NULL (two IDs in Quick Mode, two NAT-Ds). */
const v1_payload *v1_chain_find_nth(const v1_chain *c, uint8_t type, unsigned nth);
const v1_payload *v1_chain_find_notify(const v1_chain *c, uint16_t notify_type);

/* ---- typed payload bodies: views into the message ---- */

#define V1_MAX_ATTRS 20
#define V1_MAX_TRANSFORMS 16
#define V1_MAX_PROPOSALS 8
#define V1_MAX_SPI 16 /* a Delete or Notify for the ISAKMP SA carries the two cookies */

/* One data attribute (RFC 2408 3.3): TV (AF=1, 16-bit value) or TLV (value bytes). */
typedef struct v1_attr {
	uint16_t type; /* AF bit cleared */
	bool tv;
	uint16_t value;      /* TV */
	const uint8_t *data; /* TLV: value bytes; NULL when built from inl */
	uint16_t len;
	uint8_t inl[8];      /* TLV built locally: up to 8 value bytes (data NULL) */
} v1_attr;

static inline const uint8_t *v1_attr_bytes(const v1_attr *a) { return a->data ? a->data : a->inl; }

typedef struct v1_transform {
	uint8_t num, id;
	uint8_t nattr;
	v1_attr attr[V1_MAX_ATTRS];
} v1_transform;

typedef struct v1_proposal {
	uint8_t num, protocol, spi_size;
	uint8_t spi[V1_MAX_SPI];
	uint8_t n;
	v1_transform t[V1_MAX_TRANSFORMS];
} v1_proposal;

typedef struct v1_sa {
	uint32_t doi, situation;
	uint8_t n;
	v1_proposal prop[V1_MAX_PROPOSALS]; /* same num twice = AND (e.g. AH+ESP), RFC 2408 4.2 */
} v1_sa;

/* Attribute helpers for building transforms. */
v1_attr v1_attr_tv(uint16_t type, uint16_t value);
/* A variable attribute holding v big-endian in the fewest bytes (at least 1; 4 bytes for a 32-bit life). */
v1_attr v1_attr_var(uint16_t type, uint64_t v, uint8_t bytes);
/* Appends to t; false if full. */
bool v1_tr_add(v1_transform *t, v1_attr a);

/* Integer value of an attribute: TV value, or TLV of up to 8 bytes (longer only with leading zeros). */
bool v1_attr_u64(const v1_attr *a, uint64_t *v);

/* Phase 1 (ISAKMP) transform attributes, decoded. Life pairs: the duration follows its type. */
typedef struct v1_p1_attrs {
	uint16_t encr, hash, auth, group, prf, key_len, group_type;
	uint64_t life_seconds, life_kilobytes; /* 0 = not given */
} v1_p1_attrs;

/* IPsec DOI transform attributes, decoded. */
typedef struct v1_p2_attrs {
	uint16_t encap, auth_alg, group, key_len, key_rounds, esn;
	uint64_t life_seconds, life_kilobytes;
} v1_p2_attrs;

/* Basic classes in TLV form, a duration without a preceding type, a value over 64 bits: V1_MALFORMED;
 * an unknown class: V1_ATTR_UNSUPPORTED (err->what names it). */
v1_status v1_decode_p1(const v1_transform *t, v1_p1_attrs *out, v1_err *err);
v1_status v1_decode_p2(const v1_transform *t, v1_p2_attrs *out, v1_err *err);

typedef struct v1_data {
	const uint8_t *data;
	size_t len;
} v1_data; /* KE, HASH, SIG, Nonce, VID, NAT-D */

typedef struct v1_id {
	uint8_t type, protocol;
	uint16_t port;
	const uint8_t *data;
	size_t len;
} v1_id; /* IPsec DOI ID (RFC 2407 4.6.2) */

typedef struct v1_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
} v1_cert; /* CERT and CR */

typedef struct v1_notify {
	uint32_t doi;
	uint8_t protocol, spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
} v1_notify;

#define V1_MAX_DELETE_SPIS 64
typedef struct v1_delete {
	uint32_t doi;
	uint8_t protocol, spi_size;
	uint16_t n;
	const uint8_t *spis;
} v1_delete;

typedef struct v1_natoa {
	uint8_t id_type; /* V1_ID_IPV4_ADDR or V1_ID_IPV6_ADDR */
	uint8_t addr[16];
} v1_natoa;

#define V1_MAX_CFG_ATTRS 24
typedef struct v1_cfg {
	uint8_t type;
	uint16_t identifier;
	uint8_t n;
	v1_attr attr[V1_MAX_CFG_ATTRS];
} v1_cfg; /* Mode Config attribute payload */

/* Each takes a payload body (after the generic header) at offset `base`. */
v1_status v1_parse_sa(const uint8_t *b, size_t len, size_t base, v1_sa *out, v1_err *err);
v1_status v1_parse_ke(const uint8_t *b, size_t len, size_t base, v1_data *out, v1_err *err);
v1_status v1_parse_id(const uint8_t *b, size_t len, size_t base, v1_id *out, v1_err *err);
v1_status v1_parse_cert(const uint8_t *b, size_t len, size_t base, v1_cert *out, v1_err *err);
/* HASH, SIG, VID, NAT-D: non-empty. Nonce: 8..256 bytes (RFC 2409 5). */
v1_status v1_parse_data(uint8_t type, const uint8_t *b, size_t len, size_t base, v1_data *out, v1_err *err);
v1_status v1_parse_notify(const uint8_t *b, size_t len, size_t base, v1_notify *out, v1_err *err);
v1_status v1_parse_delete(const uint8_t *b, size_t len, size_t base, v1_delete *out, v1_err *err);
v1_status v1_parse_natoa(const uint8_t *b, size_t len, size_t base, v1_natoa *out, v1_err *err);
v1_status v1_parse_cfg(const uint8_t *b, size_t len, size_t base, v1_cfg *out, v1_err *err);
/* Parses any payload of the chain with its typed parser (unknown private types: V1_OK); for fuzzing/tests. */
v1_status v1_parse_payload(const v1_payload *p, v1_err *err);

/* ---- building ---- */

typedef struct v1_builder {
	ike_wbuf w;
	size_t hdr_off;     /* SIZE_MAX for a bare chain */
	size_t last_np_off; /* where the previous payload's Next Payload byte is */
	size_t last_off;    /* the latest payload's generic header, SIZE_MAX if none */
	uint8_t first;
} v1_builder;

void v1_begin(v1_builder *b, uint8_t *buf, size_t cap, const v1_header *h);
void v1_begin_chain(v1_builder *b, uint8_t *buf, size_t cap);
void v1_add_raw(v1_builder *b, uint8_t type, const uint8_t *body, size_t len);
void v1_add_sa(v1_builder *b, const v1_sa *sa);
void v1_add_ke(v1_builder *b, const uint8_t *data, size_t len);
void v1_add_id(v1_builder *b, const v1_id *id);
void v1_add_cert(v1_builder *b, uint8_t type /* CERT/CR */, uint8_t encoding, const uint8_t *data, size_t len);
void v1_add_notify(v1_builder *b, const v1_notify *n);
void v1_add_delete(v1_builder *b, const v1_delete *d);
void v1_add_natoa(v1_builder *b, uint8_t type /* NATOA or NATOA_DRAFT */, const v1_natoa *oa);
void v1_add_cfg(v1_builder *b, const v1_cfg *cfg);
/* HASH, SIG, Nonce, VID, NAT-D: a body of bytes. */
static inline void v1_add_data(v1_builder *b, uint8_t type, const uint8_t *data, size_t len)
{
	v1_add_raw(b, type, data, len);
}
/* Offset of the body of the payload added last (to patch a HASH computed over what follows it); 0 if none. */
size_t v1_last_body(const v1_builder *b);
/* Patches the header Length (to the bytes written plus `extra`); returns the total, 0 on overflow/error. */
size_t v1_finish(v1_builder *b, size_t extra);

/* Writes the 28-byte header into d (length as given). */
void v1_put_header(uint8_t *d, const v1_header *h);

/* ---- names and summaries ---- */

const char *v1_exchange_name(uint8_t exchange); /* "ID_PROT", "AGGRESSIVE", "QUICK_MODE", "INFORMATIONAL", ... */
const char *v1_payload_short(uint8_t type);     /* "SA", "KE", "No", "ID", "HASH", "N", "D", "V", "NAT-D", "CP" */
const char *v1_notify_name(uint16_t type);      /* "NO-PROPOSAL-CHOSEN", "R-U-THERE", "UNKNOWN" */
bool v1_notify_known(uint16_t type);
const char *v1_attr_name(bool phase1, uint16_t type); /* "ENCRYPTION_ALGORITHM", "SA_LIFE_DURATION", ... */
const char *v1_id_type_name(uint8_t type);

/* Known vendor IDs (RFC 3947, the NAT-T drafts, RFC 3706 DPD, XAUTH, FRAGMENTATION, Cisco Unity). */
enum v1_vid {
	V1_VID_UNKNOWN = 0,
	V1_VID_NATT_RFC3947,
	V1_VID_NATT_DRAFT_02,   /* MD5("draft-ietf-ipsec-nat-t-ike-02") */
	V1_VID_NATT_DRAFT_02_N, /* MD5 of the same text with a trailing newline (sent by some implementations) */
	V1_VID_NATT_DRAFT_03,
	V1_VID_DPD,
	V1_VID_XAUTH,
	V1_VID_FRAGMENTATION,
	V1_VID_UNITY,
	V1_VID_COUNT,
};
/* The bytes of a known VID (NULL for UNKNOWN/out of range); *len receives their length. */
const uint8_t *v1_vid_bytes(enum v1_vid v, size_t *len);
/* Which known VID data is: exact match, except FRAGMENTATION and Unity, matched on their MD5 prefix. */
enum v1_vid v1_vid_lookup(const uint8_t *data, size_t len);
const char *v1_vid_name(enum v1_vid v); /* "RFC 3947", "DPD", "XAuth", ...; "unknown" */

/*
 * "ID_PROT request 0 [ SA V V V ]": dir is "request"/"response" (IKEv1 has no response flag; the state
 * machine knows), may be NULL. chain NULL (still encrypted) prints "[ E ]". Returns the length written.
 */
size_t v1_summary(const v1_header *h, const char *dir, const v1_chain *chain, char *out, size_t cap);

#endif
