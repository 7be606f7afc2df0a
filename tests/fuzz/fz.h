/*
 * Shared harness of the libFuzzer targets: a recorded PSK handshake between two engine peers with fixed
 * seeds, so every fuzz input can rebuild a peer in a known state (same seed + same messages = same state
 * and the same SK keys) and then meet the fuzzed message, plain or sealed with those real keys.
 */
#ifndef IKE_FUZZ_FZ_H
#define IKE_FUZZ_FZ_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define FZ_MSG_MAX 8192

enum fz_side { FZ_INIT = 0, FZ_RESP = 1 };

/* The recorded world: built once per fuzzer process, read-only afterwards. */
typedef struct fz_world {
	ike_crypto *crypto;
	ike_conn_cfg conn[2];
	ike_child_cfg child[2];
	/* m[0] INIT request, m[1] INIT response, m[2] AUTH request, m[3] AUTH response. */
	uint8_t m[4][FZ_MSG_MAX];
	size_t m_len[4];
	uint64_t spi_i, spi_r;
	uint8_t sk_ei[64], sk_er[64]; /* AES-GCM-16-128 keys with salt (20 bytes) */
	size_t sk_e_len;
	uint8_t inner[2][FZ_MSG_MAX]; /* decrypted inner chains of m[2] and m[3] */
	size_t inner_len[2];
	uint8_t inner_first[2];
} fz_world;

/* Counts what a fuzz peer sent; the harness needs no more. */
typedef struct fz_sink {
	size_t sends;
	size_t traces;
} fz_sink;

/* Records the handshake; on any surprise prints why and exits (a harness bug, not a finding). */
void fz_world_init(fz_world *w);
void fz_world_free(fz_world *w);

/* A fresh peer for side s with the recording's seed; cookie_threshold as in ike_peer_cfg. */
ike_peer *fz_peer(const fz_world *w, int s, ike_host *host, fz_sink *sink, uint32_t cookie_threshold);

/* Feeds a datagram to side s's peer as if sent by the other side. */
void fz_deliver(const fz_world *w, ike_peer *p, int s, ike_time now, const uint8_t *d, size_t len);

/*
 * Builds an SK-protected message to side s (keys of the other side's direction) around inner[0..len),
 * with the recorded SPIs and the given header fields. Returns its length, 0 if it does not fit.
 */
size_t fz_seal(const fz_world *w, int s, uint8_t exchange, uint8_t flags, uint32_t msg_id, uint8_t first,
	       const uint8_t *inner, size_t len, uint8_t *out, size_t cap);

/* Runs the peer's timers far past every deadline (timeouts, retransmissions), so free sees final state. */
void fz_drain(ike_peer *p, ike_time now);

/* libFuzzer's entry points, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
