/* Shared between the scenario loader's files only. */
#ifndef SIM_SCENARIO_INT_H
#define SIM_SCENARIO_INT_H

#include "scenario.h"
#include "scenario_json.h"

/* What a scenario owns besides its arrays: the JSON tree (strings point into it) and extra buffers. */
typedef struct sim_scn_owned {
	cJSON *root;
	void **blobs;
	size_t n_blobs, cap_blobs;
} sim_scn_owned;

/* Keeps p alive as long as the scenario; returns p, or NULL (and frees p) when out of memory. */
void *sim_scn_keep(sim_scenario *sc, void *p);

int sim_scn_connections(sim_scn *c, sim_scenario *sc, const cJSON *root);
int sim_scn_faults(sim_scn *c, sim_scenario *sc, const cJSON *root);
int sim_scn_expects(sim_scn *c, sim_scenario *sc, const cJSON *root);

/* A node name field that must name an existing node: its index, or -1 (error recorded). */
int32_t sim_scn_node_ref(sim_scn *c, const sim_scenario *sc, const cJSON *o, const char *path, const char *key,
			 int required);

#endif
