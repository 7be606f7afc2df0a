/*
 * Software ESP (RFC 4303): one SA = one direction of a CHILD SA, like a kernel XFRM state.
 * A pure library for hosts (simulator gateways, `ikesim peer`): no I/O, no clock, no global state.
 * The IKE engine never calls it; hosts build SAs from what sa_event reports (keys, params, selectors).
 */
#ifndef IKE_ESP_ESP_H
#define IKE_ESP_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* IANA "IPsec Encapsulating Security Payload" and IP protocol numbers used by the data plane. */
#define ESP_IPPROTO_ESP 50
#define ESP_IPPROTO_AH 51
#define ESP_IPPROTO_IPV4 4    /* next header of a tunnelled IPv4 packet */
#define ESP_IPPROTO_IPV6 41   /* next header of a tunnelled IPv6 packet */
#define ESP_IPPROTO_NONE 59   /* "no next header": a dummy (TFC) packet, RFC 4303 2.6 */
#define ESP_ENCR_NULL_AUTH_AES_GMAC 21 /* RFC 4543 (ENCR id not used by IKE SK payloads) */

/* RFC 4303 3.4.3: "a window size of 64 is preferred and SHOULD be employed as the default". */
#define ESP_REPLAY_WINDOW_DEFAULT 64
#define ESP_REPLAY_WINDOW_MAX 4096

/* Bytes an ESP header (SPI | sequence number) takes. */
#define ESP_HDR_LEN 8

enum esp_dir { ESP_DIR_OUT = 0, ESP_DIR_IN = 1 };
enum esp_mode { ESP_MODE_TUNNEL = 0, ESP_MODE_TRANSPORT = 1 };

/*
 * Every outcome of encap and decap. Decap checks in RFC 4303 3.4 order: length/SPI, sequence (replay,
 * too old), ICV, then decrypt, padding, next header; the window moves only after the ICV verified.
 */
typedef enum esp_status {
	ESP_OK = 0,
	ESP_E_ARG,       /* bad argument: NULL, wrong direction for the call, unknown transform */
	ESP_E_SHORT,     /* malformed: shorter than SPI|seq|IV|trailer|ICV, or ciphertext not whole blocks */
	ESP_E_NO_SA,     /* no SA for this SPI (SAD lookup; also a packet SPI that is not the SA's) */
	ESP_E_REPLAY,    /* duplicate: sequence number already received inside the window */
	ESP_E_OLD,       /* sequence number left of the window (too old to check) */
	ESP_E_ICV,       /* integrity check value mismatch */
	ESP_E_PAD,       /* pad length too large, or padding bytes not 1, 2, 3, ... (RFC 4303 2.4) */
	ESP_E_NEXT_HDR,  /* tunnel: next header is not 4/41, or the inner IP header is malformed */
	ESP_DUMMY,       /* next header 59: a dummy packet, discarded silently (RFC 4303 2.6) */
	ESP_E_SEQ,       /* encap: the sequence counter would cycle (RFC 4303 3.3.3): rekey needed */
	ESP_E_LIFETIME,  /* hard packet/byte lifetime reached: the SA may not be used */
	ESP_E_SPACE,     /* output buffer too small */
	ESP_E_CRYPTO,    /* OpenSSL reported an error */
	ESP_STATUS_COUNT
} esp_status;

/* A stable short name for traces ("ok", "replay", "icv", ...); never NULL. */
const char *esp_status_name(esp_status s);

/* Lifetime limits of an SA; 0 means no limit. Bytes count inner payload bytes, as the kernel does. */
typedef struct esp_limits {
	uint64_t packets;
	uint64_t bytes;
} esp_limits;

/* Everything an ESP SA needs; pointers are read during esp_sa_new only (keys are copied). */
typedef struct esp_sa_params {
	uint32_t spi;             /* host byte order */
	uint8_t dir;              /* enum esp_dir */
	uint8_t mode;             /* enum esp_mode */
	uint8_t esn;              /* 1: 64-bit sequence numbers (RFC 4304), high half in the ICV only */
	uint16_t encr_id;         /* IANA ENCR id (ike_encr_id, ESP_ENCR_NULL_AUTH_AES_GMAC) */
	uint16_t encr_keylen;     /* Key Length attribute in bits (AES 128/192/256; 0 for ChaCha20, NULL) */
	uint16_t integ_id;        /* IANA INTEG id; 0 = none (AEAD/GMAC, or RFC 3602's encryption-only samples) */
	const uint8_t *encr_key;  /* KEYMAT slice: cipher key | salt (4 bytes for GCM, GMAC, CTR, ChaCha20) */
	size_t encr_key_len;
	const uint8_t *integ_key; /* KEYMAT slice for the integrity transform */
	size_t integ_key_len;
	uint32_t replay_window;   /* inbound: 0 = no anti-replay, else 1..ESP_REPLAY_WINDOW_MAX packets */
	uint16_t tfc_pad;         /* outbound tunnel mode: pad inner packets to at least this many bytes (RFC 4303 2.7) */
	uint16_t encap_sport;     /* RFC 3948 UDP encapsulation ports (host byte order); 0 = plain ESP */
	uint16_t encap_dport;
	esp_limits soft, hard;    /* lifetimes: soft asks for a rekey, hard stops the SA */
	const uint8_t *iv_seed;   /* outbound CBC: seed from the host's DRBG for the SA's IV generator */
	size_t iv_seed_len;
	/* Test only (published vectors): never set in real use. */
	const uint8_t *test_iv;   /* every packet uses this IV (iv bytes of the transform) */
	uint64_t test_seq;        /* out: sequence number of the first packet; in: the window starts just below it */
} esp_sa_params;

/* One ESP SA (one direction); opaque. */
typedef struct esp_sa esp_sa;

/* Creates an SA with its OpenSSL contexts keyed once; NULL and a reason in why[cap] on failure. */
esp_sa *esp_sa_new(const ike_crypto *c, const esp_sa_params *p, char *why, size_t cap);

/* Frees the SA; keys and contexts are wiped. NULL is fine. */
void esp_sa_free(esp_sa *sa);

/* The SA's SPI, direction, mode and UDP encapsulation ports (0 when plain ESP). */
uint32_t esp_sa_spi(const esp_sa *sa);
uint8_t esp_sa_dir(const esp_sa *sa);
uint8_t esp_sa_mode(const esp_sa *sa);
void esp_sa_encap_ports(const esp_sa *sa, uint16_t *sport, uint16_t *dport);

/* Bytes encap adds to an inner packet of len bytes (header, IV, padding, trailer, ICV; TFC included). */
size_t esp_overhead(const esp_sa *sa, size_t len);

/*
 * Seals one packet into out (SPI | seq | IV | ciphertext | pad | pad length | next header | ICV).
 * Tunnel: in is one whole IPv4/IPv6 packet (its length field == len, else ESP_E_ARG); next_hdr is ignored
 * (4 or 41 from its version).
 * Transport: in is the upper-layer payload and next_hdr its protocol. *out_len gets the ESP length.
 * next_hdr 59 (any mode) sends a dummy packet carrying in as filler (RFC 4303 2.6); in may lie at out + 8 + IV.
 * ESP_E_SEQ when the counter is used up, ESP_E_LIFETIME past the hard limit, ESP_E_SPACE if cap is short.
 */
esp_status esp_encap(esp_sa *sa, uint8_t next_hdr, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		     size_t *out_len);

/* What decap found besides the inner bytes. */
typedef struct esp_rx {
	size_t len;       /* inner packet (tunnel, TFC padding removed) or upper-layer payload (transport) */
	uint8_t next_hdr; /* next header from the trailer */
	uint64_t seq;     /* full sequence number (ESN high half inferred per RFC 4303 Appendix A) */
} esp_rx;

/*
 * Verifies and opens one ESP packet (from SPI to ICV) into out (cap >= len suffices); out may be in + 8 + IV
 * (in place) but must not overlap in otherwise. On ESP_OK rx is filled.
 * Any other status is counted in drops[]; the window moves only once the ICV verified (so also for ESP_E_PAD,
 * ESP_E_NEXT_HDR, ESP_DUMMY). Transport mode: pad/dummy per next_hdr 59 in any mode.
 */
esp_status esp_decap(esp_sa *sa, const uint8_t *in, size_t len, uint8_t *out, size_t cap, esp_rx *rx);

/* The SPI of an ESP packet (first 4 bytes); 0 if shorter than an ESP header. */
uint32_t esp_packet_spi(const uint8_t *in, size_t len);

/* Counters of one SA. */
typedef struct esp_sa_stats {
	uint64_t packets;                    /* sent (out) or accepted (in) */
	uint64_t bytes;                      /* inner bytes of those packets */
	uint64_t drops[ESP_STATUS_COUNT];    /* refused packets by status (ESP_DUMMY counts discarded dummies) */
	uint64_t seq;                        /* out: last sequence number sent; in: highest authenticated */
} esp_sa_stats;

/* The SA's counters (valid while the SA lives). */
const esp_sa_stats *esp_sa_stats_of(const esp_sa *sa);

/* Lifetime state; SOFT also within ESP_SEQ_SOFT_MARGIN packets of sequence exhaustion (2^32 - 1 or 2^64 - 1). */
#define ESP_SEQ_SOFT_MARGIN (1u << 20)
enum esp_expiry { ESP_EXPIRY_NONE = 0, ESP_EXPIRY_SOFT = 1, ESP_EXPIRY_HARD = 2 };

/* Where the SA stands against its soft/hard limits and its sequence space: the host's rekey trigger. */
int esp_sa_expiry(const esp_sa *sa);

/* Which limit esp_sa_expiry (or ESP_E_LIFETIME / ESP_E_SEQ) stands on: what the host names as the rekey's reason.
 * The values are ike.h's enum ike_rekey_why (IKE_REKEY_PACKETS ...). */
enum esp_limit_kind { ESP_LIMIT_NONE = 0, ESP_LIMIT_PACKETS = 1, ESP_LIMIT_BYTES = 2, ESP_LIMIT_SEQ = 3 };
int esp_sa_expiry_cause(const esp_sa *sa);

#endif
