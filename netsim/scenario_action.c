/* Scenario actions: { "at", "node", "conn", "do", "child" } — what a node's engine is asked to do, and when. */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_ACTIONS 1000000u

static const char *const DOS[] = { "rekey_child", "rekey_ike", "delete_child", "delete_ike", "initiate", NULL };

const char *sim_action_name(uint8_t what) { return what < SIM_DO_INITIATE + 1 ? DOS[what] : "?"; }

/* `child` names one of the connection's children: needed by the *_child actions, refused by the others. */
static int parse_child_ref(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_action_spec *a)
{
	const ike_conn_cfg *cfg = &sc->nodes[a->node].conns[a->conn];
	int per_child = a->what == SIM_DO_REKEY_CHILD || a->what == SIM_DO_DELETE_CHILD;
	const char *name;
	char p[SIM_PATH_MAX];
	sim_scn_sub(p, path, "child");
	if (!per_child && sim_jv_get(o, "child"))
		return sim_scn_fail(c, p, "'%s' acts on the whole connection: no 'child'", DOS[a->what]);
	if (!per_child)
		return 0;
	if (sim_scn_str(c, o, path, "child", 1, &name) < 0)
		return -1;
	for (size_t k = 0; k < cfg->n_children; k++)
		if (strcmp(cfg->children[k].name, name) == 0) {
			a->child = (uint32_t)k;
			return 0;
		}
	return sim_scn_fail(c, p, "connection '%s' has no child named '%.64s'", cfg->name, name);
}

static int parse_action(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_action_spec *a)
{
	static const char *const keys[] = { "at", "node", "conn", "do", "child", NULL };
	const char *conn, *what;
	char p[SIM_PATH_MAX];
	int32_t node;
	if (sim_scn_object(c, o, path, keys) || sim_scn_time(c, o, path, "at", 1, &a->at) < 0 ||
	    (node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 || sim_scn_str(c, o, path, "conn", 1, &conn) < 0 ||
	    sim_scn_str(c, o, path, "do", 1, &what) < 0)
		return -1;
	if (sim_scn_within_run(c, sc, path, "at", a->at))
		return -1;
	a->node = (uint32_t)node;
	const sim_scn_conn_ref *ref = sim_scn_find_conn(sc, a->node, conn);
	sim_scn_sub(p, path, "conn");
	if (!ref)
		return sim_scn_fail(c, p, "node '%s' has no connection named '%.64s'", sc->nodes[node].name, conn);
	a->conn = ref->slot;
	uint8_t i = 0;
	while (DOS[i] && strcmp(DOS[i], what) != 0)
		i++;
	sim_scn_sub(p, path, "do");
	if (!DOS[i])
		return sim_scn_fail(c, p, "unknown action '%.40s' (rekey_child, rekey_ike, delete_child, delete_ike or initiate)",
				    what);
	a->what = i;
	return parse_child_ref(c, sc, o, path, a);
}

static int parse_action_item(sim_scn *c, const void *sc, const sim_jv *o, const char *path, void *item)
{
	return parse_action(c, sc, o, path, item);
}

int sim_scn_actions(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	void *items;
	int r = sim_scn_items(c, root, "actions", MAX_ACTIONS, sizeof(*sc->actions), parse_action_item, sc, &items,
			      &sc->n_actions);
	sc->actions = items;
	return r;
}
