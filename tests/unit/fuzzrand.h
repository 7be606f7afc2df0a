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

/* Flips bits, truncates, or writes random or extreme bytes (lengths and counts included) in p[0..len);
 * the new length (at most len). */
static inline size_t fuzz_mutate(uint64_t *rs, uint8_t *p, size_t len)
{
	switch (fuzz_below(rs, 4)) {
	case 0:
		for (size_t k = 1 + fuzz_below(rs, 3); k && len; k--)
			p[fuzz_below(rs, len)] ^= (uint8_t)(1u << fuzz_below(rs, 8));
		return len;
	case 1:
		return fuzz_below(rs, len + 1);
	case 2:
		for (size_t k = 1 + fuzz_below(rs, 3); k && len; k--)
			p[fuzz_below(rs, len)] = fuzz_below(rs, 2) ? 0xff : 0x00;
		return len;
	default:
		for (size_t k = 1 + fuzz_below(rs, 6); k && len; k--)
			p[fuzz_below(rs, len)] = (uint8_t)fuzz_rnd(rs);
		return len;
	}
}

#endif
