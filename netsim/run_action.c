/* Scenario actions: rekeys, deletes and initiations asked of a node's engine at their virtual times. */
#include <stdio.h>
#include <stdlib.h>

#include "run_int.h"

typedef struct ra_arg {
	runner *r;
	uint32_t action;
} ra_arg;

/* Calls the engine; how many IKE SAs took the request (initiate: 1), or -1 for a bad index. */
static int perform(rnode *n, const sim_action_spec *a, int64_t now)
{
	switch (a->what) {
	case SIM_DO_REKEY_CHILD:
		return ike_peer_rekey_child(n->peer, now, a->conn, a->child);
	case SIM_DO_REKEY_IKE:
		return ike_peer_rekey_ike(n->peer, now, a->conn);
	case SIM_DO_DELETE_CHILD:
		return ike_peer_delete_child(n->peer, now, a->conn, a->child);
	case SIM_DO_DELETE_IKE:
		return ike_peer_delete(n->peer, now, a->conn);
	default:
		return ike_peer_initiate(n->peer, now, a->conn) == 0 ? 1 : -1;
	}
}

static void on_action(void *arg)
{
	ra_arg *x = arg;
	runner *r = x->r;
	const sim_action_spec *a = &r->sc->actions[x->action];
	const ike_conn_cfg *cfg = &r->sc->nodes[a->node].conns[a->conn];
	rnode *n = &r->nodes[a->node];
	int64_t now = r->be.now(r->be.impl);
	char fields[300], conn[140], child[140];
	r->last_activity = now;
	int got = perform(n, a, now);
	sim_rn_rearm(n);
	if (!r->tr && !r->watch)
		return;
	ike_host_json_str(conn, sizeof(conn), cfg->name);
	int k = snprintf(fields, sizeof(fields), "\"do\":\"%s\",\"action\":%u,\"conn\":%s", sim_action_name(a->what),
			 x->action, conn);
	if (a->what == SIM_DO_REKEY_CHILD || a->what == SIM_DO_DELETE_CHILD) {
		ike_host_json_str(child, sizeof(child), cfg->children[a->child].name);
		k += snprintf(fields + k, sizeof(fields) - (size_t)k, ",\"child\":%s", child);
	}
	snprintf(fields + k, sizeof(fields) - (size_t)k, ",\"sas\":%d", got);
	sim_rn_event(r, now, a->node, "action", fields);
}

int sim_ra_setup(runner *r)
{
	const sim_scenario *sc = r->sc;
	if (!sc->n_actions)
		return 0;
	ra_arg *args = calloc(sc->n_actions, sizeof(*args));
	if (!(r->actions = args))
		return -1;
	for (uint32_t i = 0; i < sc->n_actions; i++) {
		args[i] = (ra_arg){ r, i };
		if (r->be.schedule(r->be.impl, sc->actions[i].at, on_action, &args[i]))
			return -1;
	}
	return 0;
}

void sim_ra_free(runner *r)
{
	free(r->actions);
	r->actions = NULL;
}
