/*
 * RFC 7383 IKE fragmentation: splitting the plaintext of an SK message into separately sealed SKF
 * messages, and reassembling them with limits. Self-contained (keys, headers, bytes): the SA code decides
 * when to fragment, stores the train for retransmission, and traces `ike.frag`.
 */
#ifndef IKE_IKEV2_FRAGMENT_H
#define IKE_IKEV2_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sk.h"
#include "ike.h"
#include "wire/v2.h"

#define V2_FRAG_MAX_FRAGMENTS 64  /* most fragments of one message, sent or accepted */
#define V2_FRAG_MAX_BYTES 65536   /* largest reassembled plaintext (RFC 7383 5: not above 64 KB) */
#define V2_FRAG_REASM_TIMEOUT (30 * IKE_NS_PER_SEC) /* an incomplete set is dropped this long after its first fragment */
#define V2_FRAG_SIZE_DEFAULT 1232 /* 1280-byte IPv6 minimum MTU - 40 (IPv6) - 8 (UDP) */
#define V2_FRAG_SIZE_MIN IKE_FRAG_SIZE_MIN
/* An SKF message's bytes besides its sealed body: IKE header, generic header, Fragment Number/Total. */
#define V2_FRAG_OVERHEAD (V2_HDR_LEN + V2_GENERIC_HDR_LEN + V2_SKF_HDR_LEN)

/* ---- negotiation and policy (2.3, 2.4) ---- */

/* Our IKE_SA_INIT message carries N(IKEV2_FRAGMENTATION_SUPPORTED) unless fragmentation is "no". */
bool v2_frag_announce(const ike_conn_cfg *conn);
/* Appends N(IKEV2_FRAGMENTATION_SUPPORTED) (no SPI, no data) to an IKE_SA_INIT being built. */
void v2_frag_add_supported(v2_builder *b);
/* True if the peer's IKE_SA_INIT message (its outer chain) carried N(IKEV2_FRAGMENTATION_SUPPORTED). */
bool v2_frag_peer_supports(const v2_chain *outer);
/* The connection's largest IKE datagram (UDP payload bytes): fragment_size, 0 meaning 1232. */
size_t v2_frag_size(const ike_conn_cfg *conn);
/*
 * Whether an encrypted message of msg_len bytes (as one SK message) goes out in fragments: only when
 * both sides announced support, never IKE_SA_INIT; "yes" when it exceeds size, "force" always,
 * "no"/"accept" never.
 */
bool v2_frag_wanted(uint8_t mode, bool negotiated, uint8_t exchange, size_t msg_len, size_t size);

/* ---- splitting (2.5) ---- */

/* The datagrams of one outbound message: n messages packed as [2-byte length | bytes] in one heap block. */
typedef struct v2_train {
	uint8_t *buf;
	size_t len;
	uint16_t n;
} v2_train;

/* What sealing needs: the shared crypto context, our outbound keys, the DRBG for IVs and padding. */
typedef struct v2_frag_sealer {
	const ike_crypto *crypto;
	const ike_sk_keys *keys;
	ike_drbg *rng;
} v2_frag_sealer;

/* Most plaintext bytes one SKF message of at most max_len bytes can carry with keys k; 0 if none fit. */
size_t v2_frag_chunk(const ike_sk_keys *k, size_t max_len);

/*
 * Splits inner[0..inner_len) (the SK content, first payload inner_first) into SKF messages of at most
 * max_len bytes each, every one with header h (SPIs, exchange, flags, message ID; Length and Next Payload
 * set here) and sealed on its own. On success (0) *out owns a new train (free with v2_train_free);
 * on failure (-1) *out is empty and *why says what (fragment size too small, too many fragments, sealing).
 */
int v2_frag_split(const v2_frag_sealer *s, const v2_header *h, const uint8_t *inner, size_t inner_len,
		  uint8_t inner_first, size_t max_len, v2_train *out, const char **why);

/* A train of one message (an unfragmented one), copied; 0 or -1 (out of memory, or over 65535 bytes). */
int v2_train_single(const uint8_t *msg, size_t len, v2_train *out);
/* Walks a train: *pos starts at 0; true with the next message, false at the end (or a corrupt train). */
bool v2_train_next(const v2_train *t, size_t *pos, const uint8_t **msg, size_t *len);
/* Frees the train's block (safe on an empty train) and empties it. */
void v2_train_free(v2_train *t);

/* ---- reassembly (2.6) ---- */

/* Fragments of one inbound message being collected; one per SA and direction, NULL while idle. */
typedef struct v2_reasm v2_reasm;

typedef enum v2_frag_rc {
	V2_FRAG_STORED,  /* authenticated and kept; more fragments are needed */
	V2_FRAG_DONE,    /* the message is whole: see the result's plain/len/first */
	V2_FRAG_DROPPED, /* discarded silently (2.6): the result's why says why */
} v2_frag_rc;

typedef struct v2_frag_result {
	uint8_t *plain;     /* DONE: the reassembled SK content, malloc'ed, the caller wipes and frees it */
	size_t len;
	uint8_t first;      /* DONE: the first inner payload type (fragment 1's Next Payload) */
	uint16_t fragments; /* DONE: how many it took; else this one's Total Fragments (0 if unparsable) */
	uint16_t frag_num;  /* this fragment's number (0 if unparsable) */
	size_t opened;      /* bytes decrypted for this call (for the CPU model), 0 if none */
	bool duplicate;     /* DROPPED as a fragment already stored (a retransmission) */
	const char *why;    /* DROPPED: one line */
} v2_frag_result;

/*
 * Takes one SKF message: msg[0..h->length) with its parsed header h and its last outer payload skf
 * (type SKF). The caller has already checked that h's message ID is the one expected for this direction;
 * a context for another message ID is discarded. Checks the numbers (2.6), drops duplicates, verifies and
 * decrypts with k (the peer's keys), restarts on a higher Total Fragments, and enforces the limits above.
 * *slot is created on first use and freed (set NULL) when the message completes or a limit is hit.
 */
v2_frag_rc v2_reasm_add(v2_reasm **slot, const ike_crypto *c, const ike_sk_keys *k, const uint8_t *msg,
			const v2_header *h, const v2_payload *skf, v2_frag_result *r);
/* Message ID of the collection in progress (false if none). */
bool v2_reasm_msgid(const v2_reasm *r, uint32_t *msgid);
/* The collection in progress: exchange, fragments in, Total Fragments, plaintext bytes; false if none. */
bool v2_reasm_state(const v2_reasm *r, uint8_t *exchange, uint16_t *have, uint16_t *total, size_t *bytes);
/* Discards a collection (stored plaintext wiped); safe on NULL; sets *slot NULL. */
void v2_reasm_free(v2_reasm **slot);

#endif
