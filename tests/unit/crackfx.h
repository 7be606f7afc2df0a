/* Test fixtures for `ikesim crack`: an Aggressive Mode exchange made with the IKEv1 foundations, and captures of it. */
#ifndef IKE_TEST_CRACKFX_H
#define IKE_TEST_CRACKFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFX_MSG 2048

typedef struct cfx_msg {
	uint8_t b[CFX_MSG];
	size_t len;
	bool from_i;
} cfx_msg;

/* What the exchange used, to check the extraction against. */
typedef struct cfx_am {
	cfx_msg m[3]; /* AM1, AM2 (plain), AM3 (HASH_I, encrypted) */
	uint64_t cky_i, cky_r;
	uint16_t hash;
	uint8_t gxi[256], gxr[256], ni[32], nr[24], hash_r[64];
	uint8_t sai_b[128], idir_b[64];
	size_t sai_len, idir_len, hash_len;
} cfx_am;

/* Options of a message 2 that is not the plain PSK case. */
enum { CFX_AUTH_PSK = 1, CFX_AUTH_RSA = 3 };

/*
 * Both sides by hand (RFC 2409 5): real group 14 DH, the responder's HASH_R from the PSK, checked by the
 * initiator, which then sends HASH_I sealed with AES-128 (checked by the responder). hash: IKE_V1_*.
 */
void cfx_am_make(cfx_am *x, uint16_t hash, const char *psk, uint64_t cky_i, uint16_t auth);

/* Capture options: link type (1 Ethernet, 101 raw, 113 SLL, 276 SLL2, 0 BSD NULL), IPv6, port 4500 with the
 * non-ESP marker, pcapng instead of pcap, big-endian pcap, snap length (0: whole). */
typedef struct cfx_cap {
	uint32_t link;
	bool v6, natt, ng, be;
	size_t snap;
} cfx_cap;

/* The messages as a capture into out (cap bytes); returns its length (the test fails if it does not fit). */
size_t cfx_capture(const cfx_msg *const *m, int n, const cfx_cap *o, uint8_t *out, size_t cap);

/* Writes bytes to path (fails the test otherwise). */
void cfx_write(const char *path, const void *b, size_t len);

/* A word list of `lines` lines: filler words, CRLF on every third line, an empty line every 97th; the PSK at
 * line `at` (0: nowhere). Returns the number of non-empty lines. */
size_t cfx_words(const char *path, size_t lines, size_t at, const char *psk);

#endif
