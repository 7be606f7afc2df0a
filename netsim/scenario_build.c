/* In-memory scenarios: the same structure the loader produces, filled by code instead of JSON. */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

sim_scenario *sim_scenario_new(const char *file, uint64_t seed, int64_t duration, size_t n_nodes, size_t n_links)
{
	sim_scenario *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return NULL;
	sc->file = file;
	sc->seed = seed;
	sc->duration = duration;
	sc->owned = calloc(1, sizeof(sim_scn_owned));
	sc->nodes = calloc(n_nodes ? n_nodes : 1, sizeof(*sc->nodes));
	sc->links = calloc(n_links ? n_links : 1, sizeof(*sc->links));
	if (!sc->owned || !sc->nodes || !sc->links) {
		sim_scenario_free(sc);
		return NULL;
	}
	sc->n_nodes = n_nodes;
	sc->n_links = n_links;
	return sc;
}

const char *sim_scenario_keep_str(sim_scenario *sc, const char *s)
{
	return sim_scn_keep(sc, strdup(s));
}

int sim_scenario_node_conns(sim_scenario *sc, uint32_t node, size_t n_conns)
{
	if (node >= sc->n_nodes || sc->nodes[node].conns || !n_conns)
		return -1;
	sim_node_spec *n = &sc->nodes[node];
	n->conns = calloc(n_conns, sizeof(*n->conns));
	n->initiate_at = malloc(n_conns * sizeof(*n->initiate_at));
	if (!n->conns || !n->initiate_at)
		return -1; /* sim_scenario_free releases whichever was allocated */
	for (size_t i = 0; i < n_conns; i++)
		n->initiate_at[i] = -1;
	n->n_conns = n_conns;
	return 0;
}
