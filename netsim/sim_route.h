/* Per-node static routes for the built-in simulator: longest-prefix match, O(routes) memory per node. */
#ifndef SIM_ROUTE_H
#define SIM_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

typedef struct sim_route {
	uint8_t family; /* 4, 6, or 0 with plen 0: the default of both families */
	uint8_t plen;
	uint8_t prefix[16];
	uint32_t link; /* the link to the next hop */
} sim_route;

typedef struct sim_routes {
	sim_route *r;
	size_t n;
} sim_routes;

/* Adds prefix/plen (host bits cleared) by link; a route for the same prefix is replaced. 0 or -1. */
int sim_routes_add(sim_routes *t, const ike_addr *prefix, uint8_t plen, uint32_t link);
/* The link of the longest route matching a, or UINT32_MAX (ties: the first added). */
uint32_t sim_routes_lookup(const sim_routes *t, const ike_addr *a);
void sim_routes_free(sim_routes *t);

#endif
