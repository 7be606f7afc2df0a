/* Open-addressing hash index for the scenario loader: duplicate checks and name lookups in O(1) each. */
#include "scenario_index.h"

#include <stdlib.h>
#include <string.h>

uint32_t sim_hash_bytes(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	/* FNV alone leaves short keys like "n1".."n9" clustered in the low bits. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

uint32_t sim_hash_str(const char *s, uint32_t seed) { return sim_hash_bytes(s, strlen(s), seed); }

/* Moves every item into a table of cap slots (a power of two). */
static int rehash(sim_index *ix, size_t cap)
{
	sim_index_slot *s = calloc(cap, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < ix->cap; i++) {
		if (!ix->slots[i].item)
			continue;
		size_t j = ix->slots[i].hash & (cap - 1);
		while (s[j].item)
			j = (j + 1) & (cap - 1);
		s[j] = ix->slots[i];
	}
	free(ix->slots);
	ix->slots = s;
	ix->cap = cap;
	return 0;
}

int sim_index_reserve(sim_index *ix, size_t n)
{
	size_t cap = ix->cap ? ix->cap : 16;
	if (n > SIZE_MAX / 4 / sizeof(sim_index_slot))
		return -1;
	while (cap < 2 * n)
		cap *= 2;
	return cap == ix->cap ? 0 : rehash(ix, cap);
}

int sim_index_add(sim_index *ix, uint32_t h, uint32_t item)
{
	if (item == UINT32_MAX || sim_index_reserve(ix, ix->n + 1))
		return -1;
	size_t j = h & (ix->cap - 1);
	while (ix->slots[j].item)
		j = (j + 1) & (ix->cap - 1);
	ix->slots[j].hash = h;
	ix->slots[j].item = item + 1;
	ix->n++;
	return 0;
}

int64_t sim_index_find(const sim_index *ix, uint32_t h, sim_index_eq eq, const void *ctx, const void *key)
{
	if (!ix->cap)
		return -1;
	for (size_t j = h & (ix->cap - 1); ix->slots[j].item; j = (j + 1) & (ix->cap - 1))
		if (ix->slots[j].hash == h && eq(ctx, key, ix->slots[j].item - 1))
			return ix->slots[j].item - 1;
	return -1;
}

void sim_index_free(sim_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = ix->n = 0;
}
