/* Longest-prefix match over a node's few routes (a linear scan: routers hold a handful). */
#include "sim_route.h"

#include <stdlib.h>
#include <string.h>

static int prefix_match(const uint8_t *p, const uint8_t *a, uint8_t plen)
{
	size_t full = plen / 8;
	if (memcmp(p, a, full))
		return 0;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));
		return (p[full] & mask) == (a[full] & mask);
	}
	return 1;
}

int sim_routes_add(sim_routes *t, const ike_addr *prefix, uint8_t plen, uint32_t link)
{
	sim_route nr = { .family = prefix ? prefix->family : 0, .plen = plen, .link = link };
	if (prefix && plen) {
		if (plen > (prefix->family == 4 ? 32 : 128))
			return -1;
		memcpy(nr.prefix, prefix->ip, prefix->family == 4 ? 4 : 16);
		size_t full = plen / 8;
		if (plen % 8)
			nr.prefix[full++] &= (uint8_t)(0xff << (8 - plen % 8));
		memset(nr.prefix + full, 0, 16 - full);
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].family == nr.family && t->r[i].plen == plen && !memcmp(t->r[i].prefix, nr.prefix, 16)) {
			t->r[i].link = link;
			return 0;
		}
	sim_route *r = realloc(t->r, (t->n + 1) * sizeof(*r));
	if (!r)
		return -1;
	t->r = r;
	t->r[t->n++] = nr;
	return 0;
}

uint32_t sim_routes_lookup(const sim_routes *t, const ike_addr *a)
{
	uint32_t best = UINT32_MAX;
	int best_len = -1;
	for (size_t i = 0; i < t->n; i++) {
		const sim_route *r = &t->r[i];
		if (r->family && r->family != a->family)
			continue;
		if ((int)r->plen > best_len && prefix_match(r->prefix, a->ip, r->plen)) {
			best = r->link;
			best_len = r->plen;
		}
	}
	return best;
}

void sim_routes_free(sim_routes *t)
{
	free(t->r);
	t->r = NULL;
	t->n = 0;
}
