/* HMAC_DRBG (NIST SP 800-90A 10.1.2) with HMAC-SHA-256: deterministic, state is a plain struct. */
/*
 * The HMACs here use OpenSSL's plain SHA-256 functions (deprecated since 3.0, hence the define below)
 * rather than EVP: a SHA256_CTX is a struct that can be copied, so a key's inner and outer midstates
 * are hashed once and reused for every HMAC under that key. Through EVP each HMAC needed two
 * DigestInit/Final pairs plus their dispatch and cleansing, about four times the cost of the hashing.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "crypto/drbg.h"

#define OUTLEN 32
#define HMAC_BLOCK 64

/* One HMAC computation's inputs: up to four data pieces (V, separator byte, provided data). */
typedef struct piece {
	const void *p;
	size_t len;
} piece;

/* HMAC-SHA-256 under one key: SHA-256 state after the inner pad block and after the outer pad block. */
typedef struct hmac_key {
	SHA256_CTX inner, outer;
} hmac_key;

/* Prepares the midstates for key[32] (RFC 2104; the key is always 32 bytes here, < block size). */
static void hmac_key_set(hmac_key *hk, const uint8_t key[OUTLEN])
{
	uint8_t pad[HMAC_BLOCK];
	for (size_t i = 0; i < HMAC_BLOCK; i++)
		pad[i] = (uint8_t)((i < OUTLEN ? key[i] : 0) ^ 0x36);
	SHA256_Init(&hk->inner);
	SHA256_Update(&hk->inner, pad, HMAC_BLOCK);
	for (size_t i = 0; i < HMAC_BLOCK; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&hk->outer);
	SHA256_Update(&hk->outer, pad, HMAC_BLOCK);
	OPENSSL_cleanse(pad, sizeof(pad));
}

/* out = HMAC(key, pieces...); out may alias a piece. */
static void hmac(const hmac_key *hk, const piece *pc, size_t n, uint8_t out[OUTLEN])
{
	uint8_t inner[OUTLEN];
	SHA256_CTX c = hk->inner;
	for (size_t i = 0; i < n; i++)
		if (pc[i].len)
			SHA256_Update(&c, pc[i].p, pc[i].len);
	SHA256_Final(inner, &c);
	c = hk->outer;
	SHA256_Update(&c, inner, OUTLEN);
	SHA256_Final(out, &c);
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(inner, sizeof(inner));
}

/*
 * HMAC_DRBG_Update (SP 800-90A 10.1.2.2) with provided_data = a | b. hk holds the midstates of the
 * current K on entry; they are overwritten (and wiped by the caller).
 */
static void update(hmac_key *hk, ike_drbg *d, const void *a, size_t alen, const void *b, size_t blen)
{
	for (uint8_t sep = 0; sep <= 1; sep++) {
		piece pc[4] = { { d->v, OUTLEN }, { &sep, 1 }, { a, a ? alen : 0 }, { b, b ? blen : 0 } };
		hmac(hk, pc, 4, d->k);
		hmac_key_set(hk, d->k);
		piece pv = { d->v, OUTLEN };
		hmac(hk, &pv, 1, d->v);
		if ((!a || !alen) && (!b || !blen))
			break;
	}
}

void ike_drbg_init(ike_drbg *d, const void *seed, size_t seed_len, const void *pers, size_t pers_len)
{
	if (!d)
		return;
	hmac_key hk;
	memset(d->k, 0x00, OUTLEN);
	memset(d->v, 0x01, OUTLEN);
	d->reseed_counter = 1;
	hmac_key_set(&hk, d->k);
	update(&hk, d, seed, seed_len, pers, pers_len);
	OPENSSL_cleanse(&hk, sizeof(hk));
}

void ike_drbg_init_with(ike_drbg *d, const ike_crypto *c, const void *seed, size_t seed_len, const void *pers,
			size_t pers_len)
{
	(void)c;
	ike_drbg_init(d, seed, seed_len, pers, pers_len);
}

void ike_drbg_bytes(ike_drbg *d, void *out, size_t len)
{
	if (!d || !out || !len)
		return;
	uint8_t *o = out;
	hmac_key hk;
	hmac_key_set(&hk, d->k);
	for (size_t off = 0; off < len; off += OUTLEN) {
		piece pv = { d->v, OUTLEN };
		hmac(&hk, &pv, 1, d->v);
		size_t n = len - off < OUTLEN ? len - off : OUTLEN;
		memcpy(o + off, d->v, n);
	}
	update(&hk, d, NULL, 0, NULL, 0);
	OPENSSL_cleanse(&hk, sizeof(hk));
	d->reseed_counter++;
}
uint64_t ike_drbg_uniform(ike_drbg *d, uint64_t bound)
{
	if (!d || bound <= 1)
		return 0;
	/* Reject the lowest (2^64 mod bound) values so every residue is equally likely. */
	uint64_t threshold = (0 - bound) % bound;
	uint64_t r = 0;
	/* Each draw is rejected with probability < 1/2; the cap only matters if OpenSSL failed (zeros). */
	for (int tries = 0; tries < 128; tries++) {
		uint8_t b[8];
		ike_drbg_bytes(d, b, sizeof(b));
		r = 0;
		for (int i = 0; i < 8; i++)
			r = (r << 8) | b[i];
		if (r >= threshold)
			return r % bound;
	}
	return r % bound;
}
