/*
 * Test harness for requests forged behind decryption: a pair brought up with revealed keys, messages
 * sealed with either side's real SK_e (the pair's aes128gcm16), queued into the pair as if that side
 * had sent them, and a filter that records or rewrites what each side sends.
 */
#ifndef IKE_TEST_SEALFX_H
#define IKE_TEST_SEALFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sk.h"
#include "pair.h"
#include "wire/v2.h"

#define SEALFX_SEC (1000LL * 1000 * 1000)
#define SEALFX_MSG_MAX 4096

/* What each side sent last, and an optional rewrite of what a side sends (false: the original is dropped). */
typedef struct sealfx_conf {
	uint8_t last[2][SEALFX_MSG_MAX];
	size_t last_len[2], sends[2];
	bool (*rewrite)(pair *pr, int side, const uint8_t *d, size_t len);
	uint8_t drop_types[4]; /* inner payload types a rewrite leaves out */
	int strip_side;        /* whose IKE_AUTH message loses them */
} sealfx_conf;

/* The keys and SPIs of the pair's one IKE SA, read from side 0's kdf events. */
typedef struct sealfx_keys {
	uint64_t spi_i, spi_r;
	uint8_t ei[64], er[64];
	size_t elen;
} sealfx_keys;

/* The pair filter that fills a sealfx_conf (pr->user). */
bool sealfx_filter(pair *pr, int side, size_t n, const uint8_t *d, size_t len);
/* Fails the test unless side's connection 0 is in these states with this last error. */
void sealfx_expect(pair *pr, int side, const char *ike, const char *child, uint16_t err);
/* Queues a datagram to side `to` from the other side's address, due one latency from now. */
void sealfx_inject(pair *pr, int to, const uint8_t *data, size_t len);
/* Reads SK_ei, SK_er and the SPIs from side 0's kdf trace (the pair reveals keys by default). */
void sealfx_read_keys(const pair *pr, sealfx_keys *k);
/* An SK message from side `from` around the inner chain, sealed with that side's key; its length. */
size_t sealfx_seal(const pair *pr, const sealfx_keys *k, int from, uint8_t exchange, bool response, uint32_t msgid,
		   uint8_t first, const uint8_t *inner, size_t ilen, uint8_t *out, size_t cap);
/* Seals the chain in b as a request of side 0, delivers it to side 1 and runs 5 virtual seconds. */
void sealfx_request(pair *pr, const sealfx_keys *k, uint8_t exchange, uint32_t msgid, const v2_builder *b);
/* A default pair (seed) with the filter on c, run until both sides are ESTABLISHED/INSTALLED. */
void sealfx_establish(pair *pr, sealfx_conf *c, uint64_t seed);
/* SA (ESP aes128gcm16, SPI 01020304) and Ni, then TSi/TSr of the default pair if ts. */
void sealfx_add_child(v2_builder *b, bool ts);
/* Decrypts an SK message of side `from` into pt; *first gets the first inner type; returns the length. */
size_t sealfx_open(const pair *pr, const sealfx_keys *k, int from, const uint8_t *d, size_t len, uint8_t *pt,
		   size_t cap, uint8_t *first);

#endif
