/* xorshift64 for the fuzz tests: tiny, deterministic, good enough to pick mutations (tests only). */
#ifndef IKE_TEST_FUZZRAND_H
#define IKE_TEST_FUZZRAND_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t fuzz_rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* A value in [0, n); 0 when n is 0. */
static inline size_t fuzz_below(uint64_t *s, size_t n) { return n ? (size_t)(fuzz_rnd(s) % n) : 0; }

#endif
