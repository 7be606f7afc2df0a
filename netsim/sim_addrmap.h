/* Address -> node lookup (open addressing), so routing stays O(1) with 10^5 nodes. Ports are ignored. */
#ifndef SIM_ADDRMAP_H
#define SIM_ADDRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define SIM_ADDRMAP_NONE UINT32_MAX

typedef struct sim_addrmap_slot {
	uint8_t family; /* 0 = empty */
	uint8_t ip[16];
	uint32_t node;
} sim_addrmap_slot;

typedef struct sim_addrmap {
	sim_addrmap_slot *slots;
	size_t n, cap; /* cap is 0 or a power of two */
} sim_addrmap;

void sim_addrmap_init(sim_addrmap *m);
void sim_addrmap_free(sim_addrmap *m);
/* 0, or -1 if the address is already owned or memory ran out. */
int sim_addrmap_put(sim_addrmap *m, const ike_addr *a, uint32_t node);
/* Gives a known address a new owner (SIM_ADDRMAP_NONE: nobody, the slot stays so probing works), or adds it;
 * 0, or -1 when another node owns it or memory ran out. */
int sim_addrmap_set(sim_addrmap *m, const ike_addr *a, uint32_t node, uint32_t from_node);
/* The owning node, or SIM_ADDRMAP_NONE. */
uint32_t sim_addrmap_get(const sim_addrmap *m, const ike_addr *a);

#endif
