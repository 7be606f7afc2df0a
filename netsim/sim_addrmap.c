/* Linear probing on an FNV-1a hash of (family, address bytes). */
#include "sim_addrmap.h"

#include <stdlib.h>
#include <string.h>

static size_t addr_len(uint8_t family) { return family == 4 ? 4 : 16; }

static uint64_t hash(const ike_addr *a)
{
	uint64_t h = 1469598103934665603ull ^ a->family;
	for (size_t i = 0; i < addr_len(a->family); i++)
		h = (h ^ a->ip[i]) * 1099511628211ull;
	return h;
}

static int same(const sim_addrmap_slot *s, const ike_addr *a)
{
	return s->family == a->family && memcmp(s->ip, a->ip, addr_len(a->family)) == 0;
}

void sim_addrmap_init(sim_addrmap *m)
{
	m->slots = NULL;
	m->n = m->cap = 0;
}

void sim_addrmap_free(sim_addrmap *m)
{
	free(m->slots);
	sim_addrmap_init(m);
}

static sim_addrmap_slot *probe(sim_addrmap_slot *slots, size_t cap, const ike_addr *a)
{
	size_t i = (size_t)hash(a) & (cap - 1);
	while (slots[i].family && !same(&slots[i], a))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(sim_addrmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	sim_addrmap_slot *s = calloc(cap, sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].family)
			continue;
		ike_addr a = { .family = m->slots[i].family };
		memcpy(a.ip, m->slots[i].ip, 16);
		*probe(s, cap, &a) = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

int sim_addrmap_put(sim_addrmap *m, const ike_addr *a, uint32_t node)
{
	if (a->family != 4 && a->family != 6)
		return -1;
	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	sim_addrmap_slot *s = probe(m->slots, m->cap, a);
	if (s->family)
		return -1;
	s->family = a->family;
	memset(s->ip, 0, 16);
	memcpy(s->ip, a->ip, addr_len(a->family));
	s->node = node;
	m->n++;
	return 0;
}

int sim_addrmap_set(sim_addrmap *m, const ike_addr *a, uint32_t node, uint32_t from_node)
{
	if (!m->cap || (a->family != 4 && a->family != 6))
		return node == SIM_ADDRMAP_NONE ? 0 : sim_addrmap_put(m, a, node);
	sim_addrmap_slot *s = probe(m->slots, m->cap, a);
	if (!s->family)
		return node == SIM_ADDRMAP_NONE ? 0 : sim_addrmap_put(m, a, node);
	if (s->node != SIM_ADDRMAP_NONE && s->node != from_node)
		return -1;
	s->node = node;
	return 0;
}

uint32_t sim_addrmap_get(const sim_addrmap *m, const ike_addr *a)
{
	if (!m->cap || (a->family != 4 && a->family != 6))
		return SIM_ADDRMAP_NONE;
	const sim_addrmap_slot *s = probe(m->slots, m->cap, a);
	return s->family ? s->node : SIM_ADDRMAP_NONE;
}
