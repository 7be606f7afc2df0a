/* IKEv2 wire format (RFC 7296 section 3, RFC 7383 SKF): decode on a bounded cursor, encode into a bounded buffer. */
#ifndef IKE_WIRE_V2_H
#define IKE_WIRE_V2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define V2_HDR_LEN 28
#define V2_GENERIC_HDR_LEN 4

enum v2_exchange {
	V2_IKE_SA_INIT = 34,
	V2_IKE_AUTH = 35,
	V2_CREATE_CHILD_SA = 36,
	V2_INFORMATIONAL = 37,
};

enum v2_flag {
	V2_F_INITIATOR = 0x08,
	V2_F_VERSION = 0x10,
	V2_F_RESPONSE = 0x20,
};

enum v2_payload_type {
	V2_PL_NONE = 0,
	V2_PL_SA = 33,
	V2_PL_KE = 34,
	V2_PL_IDI = 35,
	V2_PL_IDR = 36,
	V2_PL_CERT = 37,
	V2_PL_CERTREQ = 38,
	V2_PL_AUTH = 39,
	V2_PL_NONCE = 40,
	V2_PL_NOTIFY = 41,
	V2_PL_DELETE = 42,
	V2_PL_VID = 43,
	V2_PL_TSI = 44,
	V2_PL_TSR = 45,
	V2_PL_SK = 46,
	V2_PL_CP = 47,
	V2_PL_EAP = 48,
	V2_PL_SKF = 53,
};

enum v2_notify_type {
	V2_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	V2_N_INVALID_IKE_SPI = 4,
	V2_N_INVALID_MAJOR_VERSION = 5,
	V2_N_INVALID_SYNTAX = 7,
	V2_N_INVALID_MESSAGE_ID = 9,
	V2_N_INVALID_SPI = 11,
	V2_N_NO_PROPOSAL_CHOSEN = 14,
	V2_N_INVALID_KE_PAYLOAD = 17,
	V2_N_AUTHENTICATION_FAILED = 24,
	V2_N_SINGLE_PAIR_REQUIRED = 34,
	V2_N_NO_ADDITIONAL_SAS = 35,
	V2_N_INTERNAL_ADDRESS_FAILURE = 36,
	V2_N_FAILED_CP_REQUIRED = 37,
	V2_N_TS_UNACCEPTABLE = 38,
	V2_N_INVALID_SELECTORS = 39,
	V2_N_TEMPORARY_FAILURE = 43,
	V2_N_CHILD_SA_NOT_FOUND = 44,
	V2_N_INITIAL_CONTACT = 16384,
	V2_N_SET_WINDOW_SIZE = 16385,
	V2_N_ADDITIONAL_TS_POSSIBLE = 16386,
	V2_N_IPCOMP_SUPPORTED = 16387,
	V2_N_NAT_DETECTION_SOURCE_IP = 16388,
	V2_N_NAT_DETECTION_DESTINATION_IP = 16389,
	V2_N_COOKIE = 16390,
	V2_N_USE_TRANSPORT_MODE = 16391,
	V2_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	V2_N_REKEY_SA = 16393,
	V2_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	V2_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	V2_N_MOBIKE_SUPPORTED = 16396,
	V2_N_ADDITIONAL_IP4_ADDRESS = 16397,
	V2_N_ADDITIONAL_IP6_ADDRESS = 16398,
	V2_N_NO_ADDITIONAL_ADDRESSES = 16399,
	V2_N_UPDATE_SA_ADDRESSES = 16400,
	V2_N_COOKIE2 = 16401,
	V2_N_NO_NATS_ALLOWED = 16402,
	V2_N_MULTIPLE_AUTH_SUPPORTED = 16404,
	V2_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
	V2_N_SIGNATURE_HASH_ALGORITHMS = 16431,
};

enum v2_id_type {
	V2_ID_IPV4_ADDR = 1,
	V2_ID_FQDN = 2,
	V2_ID_RFC822_ADDR = 3,
	V2_ID_IPV6_ADDR = 5,
	V2_ID_DER_ASN1_DN = 9,
	V2_ID_DER_ASN1_GN = 10,
	V2_ID_KEY_ID = 11,
};

enum v2_auth_method {
	V2_AUTH_RSA_SIG = 1,
	V2_AUTH_SHARED_KEY_MIC = 2,
	V2_AUTH_DSS_SIG = 3,
	V2_AUTH_ECDSA_256 = 9,
	V2_AUTH_ECDSA_384 = 10,
	V2_AUTH_ECDSA_521 = 11,
	V2_AUTH_DIGITAL_SIGNATURE = 14,
};

enum v2_ts_type { V2_TS_IPV4_ADDR_RANGE = 7, V2_TS_IPV6_ADDR_RANGE = 8 };

/* Decoder results. Each maps to what RFC 7296 says to do with such a message. */
typedef enum v2_status {
	V2_OK = 0,
	V2_DROP = 1,           /* too short / header unusable: drop silently (RFC 7296 2.21.1, 3.1) */
	V2_INVALID_SYNTAX = 2, /* answer with INVALID_SYNTAX (when the message is authenticated) */
	V2_UNSUPPORTED_CRITICAL = 3, /* answer with UNSUPPORTED_CRITICAL_PAYLOAD naming the type */
	V2_BAD_VERSION = 4,    /* major version != 2: INVALID_MAJOR_VERSION */
	V2_TOO_MANY = 5,       /* more elements than this decoder holds: treat as INVALID_SYNTAX */
} v2_status;

/* Fixed IKE header (RFC 7296 3.1). */
typedef struct v2_header {
	uint64_t spi_i, spi_r;
	uint8_t next_payload;
	uint8_t major, minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
} v2_header;

/* One payload of a chain: type, critical bit and its body (after the 4-byte generic header). */
typedef struct v2_payload {
	uint8_t type;
	bool critical;
	uint16_t offset; /* offset of the generic header within the buffer that was parsed */
	const uint8_t *body;
	uint16_t len; /* body length */
} v2_payload;

#define V2_MAX_PAYLOADS 48

typedef struct v2_chain {
	uint8_t n;
	uint8_t sk_inner_first; /* Next Payload of a final SK/SKF (first inner payload), else 0 */
	v2_payload pl[V2_MAX_PAYLOADS];
} v2_chain;

/* True for the payload types in enum v2_payload_type (the ones this decoder understands). */
bool v2_payload_known(uint8_t type);

/* Parses the 28-byte header; checks length field <= len and >= 28, major version.
 * Order: < 28 bytes -> V2_DROP; major != 2 -> V2_BAD_VERSION; Length < 28 or > len -> V2_DROP.
 * Bytes after Length are ignored: parse and authenticate msg[0..h->length) only. */
v2_status v2_parse_header(const uint8_t *msg, size_t len, v2_header *h);

/*
 * Splits a payload chain starting with type `first` over buf[0..len). Unknown non-critical
 * payloads are kept (the caller skips them); an unknown critical one stops with
 * V2_UNSUPPORTED_CRITICAL and *bad_type set. SK/SKF must be last: its body extends to its own length
 * and the chain stops there. Lengths must add up exactly, else V2_INVALID_SYNTAX.
 */
v2_status v2_parse_chain(uint8_t first, const uint8_t *buf, size_t len, size_t base_offset, v2_chain *out,
			 uint8_t *bad_type);

/* First payload of a type in a chain, or NULL. */
const v2_payload *v2_chain_find(const v2_chain *c, uint8_t type);
/* First Notify of a given notify type in a chain, or NULL. */
const v2_payload *v2_chain_find_notify(const v2_chain *c, uint16_t notify_type);
/* Error notify types are below this (RFC 7296 3.10.1); status types start here. */
#define V2_N_ERROR_MAX 16384
/* The type of the chain's first well-formed error notify, or 0. */
uint16_t v2_chain_first_error(const v2_chain *c);

/* ---- typed payload bodies (views into the message; nothing is copied) ---- */

#define V2_MAX_TRANSFORMS 32
#define V2_MAX_PROPOSALS 16

typedef struct v2_transform {
	uint8_t type;
	uint16_t id;
	uint16_t keylen; /* Key Length attribute (14), 0 if absent */
} v2_transform;

typedef struct v2_proposal {
	uint8_t num;
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[8];
	uint8_t n;
	v2_transform t[V2_MAX_TRANSFORMS];
	uint32_t attr_unknown; /* bit i: t[i] has an attribute we do not understand, so is unacceptable (3.3.6) */
	uint16_t unknown_attr[V2_MAX_TRANSFORMS]; /* the first such attribute's type (AF bit cleared) */
} v2_proposal;

/* True if transform i of p carries an attribute we do not understand. */
static inline bool v2_attr_unknown(const v2_proposal *p, uint8_t i)
{
	return i < V2_MAX_TRANSFORMS && (p->attr_unknown >> i) & 1u;
}

typedef struct v2_sa {
	uint8_t n;
	v2_proposal prop[V2_MAX_PROPOSALS];
} v2_sa;

typedef struct v2_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
} v2_ke;

typedef struct v2_id {
	uint8_t type;
	const uint8_t *data;
	size_t len;
} v2_id;

typedef struct v2_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
} v2_auth;

typedef struct v2_notify {
	uint8_t protocol;
	uint8_t spi_size;
	const uint8_t *spi;
	uint16_t type;
	const uint8_t *data;
	size_t len;
} v2_notify;

#define V2_MAX_DELETE_SPIS 64
typedef struct v2_delete {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t n;
	const uint8_t *spis; /* n * spi_size bytes */
} v2_delete;

#define V2_MAX_TS 16
typedef struct v2_ts {
	uint8_t type; /* enum v2_ts_type, or a type we do not know (kept, so policy can skip it: RFC 9478) */
	uint8_t ip_proto;
	uint16_t start_port, end_port; /* 65535..0 is OPAQUE (RFC 7296 3.13.1) */
	uint8_t start[16], end[16]; /* 4 or 16 bytes used */
	const uint8_t *raw;         /* unknown type: the bytes after its 4-byte header (a view), else NULL */
	uint16_t raw_len;
} v2_ts;

typedef struct v2_ts_list {
	uint8_t n;
	v2_ts ts[V2_MAX_TS];
} v2_ts_list;

typedef struct v2_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
} v2_cert; /* CERT and CERTREQ */

#define V2_MAX_CP_ATTRS 16
typedef struct v2_cp {
	uint8_t type;
	uint8_t n;
	struct {
		uint16_t type;
		const uint8_t *data;
		uint16_t len;
	} attr[V2_MAX_CP_ATTRS];
} v2_cp;

typedef struct v2_eap {
	uint8_t code, id;
	uint16_t length;
	uint8_t type; /* 0 for Success/Failure */
	const uint8_t *data;
	size_t len;
} v2_eap;

/* Encrypted Fragment payload (RFC 7383 2.5): the 4 bytes after the generic header, then IV | encrypted | ICV. */
#define V2_SKF_HDR_LEN 4
typedef struct v2_skf {
	uint16_t frag_num, total; /* 1 <= frag_num <= total */
	const uint8_t *data;      /* IV | encrypted | ICV */
	size_t len;
} v2_skf;

v2_status v2_parse_sa(const uint8_t *b, size_t len, v2_sa *out);
v2_status v2_parse_ke(const uint8_t *b, size_t len, v2_ke *out);
v2_status v2_parse_id(const uint8_t *b, size_t len, v2_id *out);
v2_status v2_parse_auth(const uint8_t *b, size_t len, v2_auth *out);
v2_status v2_parse_nonce(const uint8_t *b, size_t len); /* 16..256 bytes (RFC 7296 3.9) */
v2_status v2_parse_notify(const uint8_t *b, size_t len, v2_notify *out);
v2_status v2_parse_delete(const uint8_t *b, size_t len, v2_delete *out);
v2_status v2_parse_ts(const uint8_t *b, size_t len, v2_ts_list *out);
v2_status v2_parse_cert(const uint8_t *b, size_t len, v2_cert *out);
v2_status v2_parse_cp(const uint8_t *b, size_t len, v2_cp *out);
v2_status v2_parse_eap(const uint8_t *b, size_t len, v2_eap *out);
/* SKF body: V2_INVALID_SYNTAX when shorter than 4 bytes or Fragment Number is 0 or above Total Fragments
 * (RFC 7383 2.6: such a message is silently discarded). */
v2_status v2_parse_skf(const uint8_t *b, size_t len, v2_skf *out);

/* ---- building ---- */

/* Builds a payload chain: each add links the previous payload's Next Payload field. */
typedef struct v2_builder {
	ike_wbuf w;
	size_t hdr_off;     /* offset of the IKE header, or SIZE_MAX for a bare chain */
	size_t last_np_off; /* where the previous payload's Next Payload byte is */
	uint8_t first;      /* type of the first payload added */
	bool sealed;        /* an SK header was added: nothing may follow it */
} v2_builder;

/* Starts a message: writes the header (length patched by v2_finish). */
void v2_begin(v2_builder *b, uint8_t *buf, size_t cap, const v2_header *h);
/* Starts a bare payload chain (the plaintext inside SK). */
void v2_begin_chain(v2_builder *b, uint8_t *buf, size_t cap);

/* Appends a payload with a raw body. critical sets the C bit. */
void v2_add_raw(v2_builder *b, uint8_t type, bool critical, const uint8_t *body, size_t len);
void v2_add_sa(v2_builder *b, const v2_sa *sa);
void v2_add_ke(v2_builder *b, uint16_t group, const uint8_t *data, size_t len);
void v2_add_id(v2_builder *b, uint8_t pl_type /* IDI/IDR */, uint8_t id_type, const uint8_t *data, size_t len);
void v2_add_auth(v2_builder *b, uint8_t method, const uint8_t *data, size_t len);
void v2_add_nonce(v2_builder *b, const uint8_t *data, size_t len);
void v2_add_notify(v2_builder *b, uint8_t protocol, const uint8_t *spi, uint8_t spi_size, uint16_t type,
		   const uint8_t *data, size_t len);
void v2_add_delete(v2_builder *b, uint8_t protocol, uint8_t spi_size, const uint8_t *spis, uint16_t n);
void v2_add_ts(v2_builder *b, uint8_t pl_type /* TSI/TSR */, const v2_ts_list *ts);
void v2_add_cert(v2_builder *b, uint8_t pl_type /* CERT/CERTREQ */, uint8_t encoding, const uint8_t *data,
		 size_t len);
void v2_add_cp(v2_builder *b, const v2_cp *cp);
void v2_add_eap(v2_builder *b, const v2_eap *eap);
void v2_add_vid(v2_builder *b, const uint8_t *data, size_t len);

/*
 * Appends the SK payload's generic header for an inner chain whose first payload is `inner_first`
 * and whose body will be body_len bytes; returns the offset where the body starts (the AAD length).
 * The caller then seals into the buffer at that offset and calls v2_finish with the body length.
 * Returns 0 on overflow. Nothing may be added after it (the builder's err is set if tried).
 */
size_t v2_add_sk_header(v2_builder *b, uint8_t inner_first, size_t body_len);

/*
 * The same for one Encrypted Fragment (SKF, RFC 7383 2.5): Next Payload is inner_first in fragment 1 and
 * must be 0 in the others; writes Fragment Number and Total Fragments; returns the offset where the IV
 * starts (the AAD length: header .. Total Fragments), 0 on overflow or numbers outside 1 <= num <= total.
 */
size_t v2_add_skf_header(v2_builder *b, uint8_t inner_first, uint16_t frag_num, uint16_t total, size_t body_len);

/* Patches the header length (after `extra` bytes written outside the builder); returns total length, 0 on overflow. */
size_t v2_finish(v2_builder *b, size_t extra);

/* ---- names and summaries ---- */

const char *v2_exchange_name(uint8_t exchange);       /* "IKE_SA_INIT", ..., "EXCHANGE_99" style never NULL */
const char *v2_payload_short(uint8_t type);           /* "SA", "KE", "No", "IDi", "N", "E", "EF", ... */
const char *v2_notify_name(uint16_t type);            /* "NO_PROPOSAL_CHOSEN" (full RFC name) */
const char *v2_notify_short(uint16_t type);           /* strongSwan's abbreviation: "NATD_S_IP", "NO_PROP" */
/* Unknown notify types make the two functions above return "UNKNOWN"; this tells them apart. */
bool v2_notify_known(uint16_t type);

/*
 * strongSwan-style one-line summary, e.g. "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]".
 * inner (may be NULL) lists the decrypted payloads, shown in place of E. Returns length written (NUL-terminated).
 */
size_t v2_summary(const v2_header *h, const v2_chain *outer, const v2_chain *inner, char *out, size_t cap);

#endif
