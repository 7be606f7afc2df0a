/* The loader's hash indexes over nodes, addresses, links and connections, kept in the scenario's owned part. */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

static sim_scn_owned *owned(const sim_scenario *sc) { return sc->owned; }

static int node_eq(const void *ctx, const void *key, uint32_t item)
{
	const sim_scenario *sc = ctx;
	return strcmp(sc->nodes[item].name, key) == 0;
}

int32_t sim_scn_find_node(const sim_scenario *sc, const char *name)
{
	return (int32_t)sim_index_find(&owned(sc)->names, sim_hash_str(name, 0), node_eq, sc, name);
}

int32_t sim_scenario_node(const sim_scenario *sc, const char *name)
{
	const sim_scn_owned *o = owned(sc);
	if (o && o->names.n)
		return sim_scn_find_node(sc, name);
	/* Scenarios built in memory (sim_scenario_new) have no index. */
	for (size_t i = 0; i < sc->n_nodes; i++)
		if (strcmp(sc->nodes[i].name, name) == 0)
			return (int32_t)i;
	return -1;
}

int sim_scn_add_node(sim_scenario *sc, uint32_t node)
{
	return sim_index_add(&owned(sc)->names, sim_hash_str(sc->nodes[node].name, 0), node);
}

static uint32_t addr_hash(const ike_addr *a) { return sim_hash_bytes(a->ip, a->family == 4 ? 4 : 16, a->family); }

static int addr_eq(const void *ctx, const void *key, uint32_t item)
{
	const sim_scenario *sc = ctx;
	const ike_addr *a = &sc->nodes[item / SIM_ADDRS_MAX].addrs[item % SIM_ADDRS_MAX], *b = key;
	return a->family == b->family && memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

int sim_scn_addr_taken(const sim_scenario *sc, const ike_addr *addr)
{
	return sim_index_find(&owned(sc)->addrs, addr_hash(addr), addr_eq, sc, addr) >= 0;
}

int sim_scn_add_addr(sim_scenario *sc, uint32_t node, uint32_t k)
{
	sim_scn_owned *o = owned(sc);
	return sim_index_add(&o->addrs, addr_hash(&sc->nodes[node].addrs[k]), node * SIM_ADDRS_MAX + k);
}

/* Links hash and compare as the pair (lower, higher) so a-b and b-a are one key. */
static uint32_t pair_hash(uint32_t a, uint32_t b)
{
	uint32_t k[2] = { a < b ? a : b, a < b ? b : a };
	return sim_hash_bytes(k, sizeof(k), 0);
}

static int link_eq(const void *ctx, const void *key, uint32_t item)
{
	const sim_link_spec *l = &((const sim_scenario *)ctx)->links[item];
	const uint32_t *k = key;
	return (l->a == k[0] && l->b == k[1]) || (l->a == k[1] && l->b == k[0]);
}

int32_t sim_scn_find_link(const sim_scenario *sc, uint32_t a, uint32_t b)
{
	uint32_t k[2] = { a, b };
	return (int32_t)sim_index_find(&owned(sc)->links, pair_hash(a, b), link_eq, sc, k);
}

int sim_scn_add_link(sim_scenario *sc, uint32_t link)
{
	sim_scn_owned *o = owned(sc);
	return sim_index_add(&o->links, pair_hash(sc->links[link].a, sc->links[link].b), link);
}

/* Connection names are hashed with their node as the seed: "c" on node 1 and on node 2 differ. */
typedef struct conn_key {
	uint32_t node;
	const char *name;
} conn_key;

static int conn_eq(const void *ctx, const void *key, uint32_t item)
{
	const sim_scn_conn_ref *r = &((const sim_scn_owned *)ctx)->conn_refs[item];
	const conn_key *k = key;
	return r->node == k->node && strcmp(r->name, k->name) == 0;
}

int sim_scn_reserve_conns(sim_scenario *sc, size_t n)
{
	sim_scn_owned *o = owned(sc);
	if (!(o->conn_refs = calloc(n ? n : 1, sizeof(*o->conn_refs))))
		return -1;
	return sim_index_reserve(&o->conns, n);
}

const sim_scn_conn_ref *sim_scn_find_conn(const sim_scenario *sc, uint32_t node, const char *name)
{
	static const sim_scn_conn_ref member = { NULL, 0, 0 }; /* a member's one connection is its slot 0 */
	if (sc->nodes[node].pop)
		return sc->nodes[node].n_conns && !strcmp(sc->nodes[node].conns[0].name, name) ? &member : NULL;
	const sim_scn_owned *o = owned(sc);
	conn_key k = { node, name };
	int64_t r = sim_index_find(&o->conns, sim_hash_str(name, node), conn_eq, o, &k);
	return r < 0 ? NULL : &o->conn_refs[r];
}

int sim_scn_add_conn(sim_scenario *sc, uint32_t ref, uint32_t node, const char *name)
{
	sim_scn_owned *o = owned(sc);
	o->conn_refs[ref] = (sim_scn_conn_ref){ name, node, (uint32_t)sc->nodes[node].n_conns++ };
	return sim_index_add(&o->conns, sim_hash_str(name, node), ref);
}

void sim_scn_drop_indexes(sim_scn_owned *o)
{
	sim_index_free(&o->addrs);
	sim_index_free(&o->links);
	sim_index_free(&o->conns);
	free(o->conn_refs);
	o->conn_refs = NULL;
}

int sim_scn_within_run(sim_scn *c, const sim_scenario *sc, const char *path, const char *key, int64_t t)
{
	char p[SIM_PATH_MAX];
	if (t <= sc->duration)
		return 0;
	sim_scn_sub(p, path, key);
	return sim_scn_fail(c, p, "%.3f s is after the run ends (duration %.3f s)", (double)t / 1e9,
			    (double)sc->duration / 1e9);
}
