/* An open-addressing hash table (linear probing, backward-shift deletion) of the sampler's IKE SA entries. */
#include "metrics_sa.h"

#include <stdlib.h>

static size_t slot_of(const sim_msa_table *t, uint32_t node, uint32_t gen, uint64_t spi)
{
	/* SPIs are random already; mixing in node and gen spreads equal SPIs of different nodes */
	uint64_t h = spi ^ ((uint64_t)node * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)gen << 48);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & (t->cap - 1);
}

static int same(const sim_msa *e, uint32_t node, uint32_t gen, uint64_t spi)
{
	return e->used && e->spi == spi && e->node == node && e->gen == gen;
}

sim_msa *sim_msa_find(sim_msa_table *t, uint32_t node, uint32_t gen, uint64_t spi)
{
	if (!t->cap)
		return NULL;
	for (size_t i = slot_of(t, node, gen, spi);; i = (i + 1) & (t->cap - 1)) {
		if (!t->slots[i].used)
			return NULL;
		if (same(&t->slots[i], node, gen, spi))
			return &t->slots[i];
	}
}

static int grow(sim_msa_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	sim_msa *old = t->slots, *s = calloc(cap, sizeof(*s));
	if (!s)
		return -1;
	size_t old_cap = t->cap;
	t->slots = s, t->cap = cap;
	for (size_t k = 0; k < old_cap; k++) {
		if (!old[k].used)
			continue;
		size_t i = slot_of(t, old[k].node, old[k].gen, old[k].spi);
		while (s[i].used)
			i = (i + 1) & (cap - 1);
		s[i] = old[k];
	}
	free(old);
	return 0;
}

sim_msa *sim_msa_get(sim_msa_table *t, uint32_t node, uint32_t gen, uint64_t spi)
{
	sim_msa *e = sim_msa_find(t, node, gen, spi);
	if (e)
		return e;
	if ((t->n + 1) * 2 > t->cap && grow(t) != 0)
		return NULL;
	size_t i = slot_of(t, node, gen, spi);
	while (t->slots[i].used)
		i = (i + 1) & (t->cap - 1);
	t->slots[i] = (sim_msa){ .spi = spi, .node = node, .gen = gen, .start = -1, .used = 1 };
	t->n++;
	return &t->slots[i];
}

void sim_msa_remove(sim_msa_table *t, sim_msa *e)
{
	size_t i = (size_t)(e - t->slots), mask = t->cap - 1;
	t->slots[i].used = 0;
	t->n--;
	/* backward shift: later entries of the probe run move into the hole if their home slot allows */
	for (size_t j = (i + 1) & mask; t->slots[j].used; j = (j + 1) & mask) {
		size_t home = slot_of(t, t->slots[j].node, t->slots[j].gen, t->slots[j].spi);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			t->slots[j].used = 0;
			i = j;
		}
	}
}

void sim_msa_free(sim_msa_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}
