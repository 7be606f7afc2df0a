/* A small open-addressing hash index from hashes to item numbers; the caller keeps the keys and compares them. */
#ifndef SIM_SCENARIO_INDEX_H
#define SIM_SCENARIO_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_index_slot {
	uint32_t hash;
	uint32_t item; /* item + 1; 0 marks an empty slot */
} sim_index_slot;

/* Zero-initialised is empty. Linear probing, at most half full, so a miss ends after a few slots. */
typedef struct sim_index {
	sim_index_slot *slots;
	size_t cap, n; /* cap: 0 or a power of two */
} sim_index;

/* Whether the caller's item equals the key being looked up. */
typedef int (*sim_index_eq)(const void *ctx, const void *key, uint32_t item);

/* Makes room for n items in all, so adding them never rehashes. 0, or -1 when out of memory. */
int sim_index_reserve(sim_index *ix, size_t n);
/* Adds item (< UINT32_MAX) under hash h; finding an equal one first is the caller's job. 0 or -1. */
int sim_index_add(sim_index *ix, uint32_t h, uint32_t item);
/* An item under h that eq says equals key, or -1 (callers never add two equal keys). */
int64_t sim_index_find(const sim_index *ix, uint32_t h, sim_index_eq eq, const void *ctx, const void *key);
void sim_index_free(sim_index *ix);

/* FNV-1a over the bytes, then a 64-bit finaliser so every byte reaches the low bits that pick the slot. */
uint32_t sim_hash_bytes(const void *p, size_t n, uint32_t seed);
uint32_t sim_hash_str(const char *s, uint32_t seed);

#endif
