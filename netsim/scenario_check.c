/* Scenario faults (datagrams to drop) and expectations (what each connection must reach). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/names.h"
#include "scenario_int.h"

#define MAX_ITEMS 1000000u

static const char *const IKE_STATES[] = { "NONE", "CREATED", "CONNECTING", "ESTABLISHED", "PASSIVE", "REKEYING",
					  "REKEYED", "DELETING", "DESTROYING", NULL };
static const char *const CHILD_STATES[] = { "NONE", "CREATED", "ROUTED", "INSTALLING", "INSTALLED", "UPDATING",
					    "REKEYING", "REKEYED", "RETRYING", "DELETING", "DELETED", "DESTROYING",
					    NULL };

/* "gw-a-gw-b": the split point is the one '-' that leaves two known node names on either side. */
static int split_link_name(const sim_scenario *sc, const char *s, int32_t *a, int32_t *b)
{
	char buf[160];
	int found = 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	for (const char *d = strchr(s, '-'); d; d = strchr(d + 1, '-')) {
		/* Node names are at most 63 long: no need to hash the splits that cannot match. */
		if (d - s > 63)
			break;
		if (strlen(d + 1) > 63)
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)(d - s), s);
		int32_t x = sim_scn_find_node(sc, buf), y = sim_scn_find_node(sc, d + 1);
		if (x >= 0 && y >= 0) {
			*a = x;
			*b = y;
			found++;
		}
	}
	return found == 1 ? 0 : -1;
}

static int parse_fault_link(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "a", "b", NULL };
	char p[SIM_PATH_MAX];
	const sim_jv *l = sim_jv_get(o, "link");
	f->link_a = f->link_b = -1;
	if (!l)
		return 0;
	sim_scn_sub(p, path, "link");
	if (sim_jv_is_string(l)) {
		if (split_link_name(sc, l->valuestring, &f->link_a, &f->link_b) != 0)
			return sim_scn_fail(c, p, "'%.64s' does not name a link as \"A-B\" unambiguously (or use {\"a\":..,\"b\":..})",
					    l->valuestring);
	} else {
		if (sim_scn_object(c, l, p, keys))
			return -1;
		if ((f->link_a = sim_scn_node_ref(c, sc, l, p, "a", 1)) < 0 ||
		    (f->link_b = sim_scn_node_ref(c, sc, l, p, "b", 1)) < 0)
			return -1;
	}
	if (sim_scn_find_link(sc, (uint32_t)f->link_a, (uint32_t)f->link_b) >= 0)
		return 0;
	return sim_scn_fail(c, p, "there is no link between '%s' and '%s'", sc->nodes[f->link_a].name,
			    sc->nodes[f->link_b].name);
}

static int parse_fault(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_fault_spec *f)
{
	static const char *const keys[] = { "at", "node", "link", "drop_nth", "drop_next", NULL };
	int64_t nth = 0, next = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys) || sim_scn_time(c, o, path, "at", 0, &f->at) < 0)
		return -1;
	f->node = -1;
	if (sim_jv_get(o, "node") && (f->node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0)
		return -1;
	if (parse_fault_link(c, sc, o, path, f))
		return -1;
	sim_scn_sub(p, path, "node");
	if (f->node >= 0 && f->link_a >= 0 && f->node != f->link_a && f->node != f->link_b)
		return sim_scn_fail(c, p, "node '%s' is not an end of the fault's link", sc->nodes[f->node].name);
	int r1 = sim_scn_int(c, o, path, "drop_nth", 0, 1, UINT32_MAX, &nth);
	int r2 = r1 < 0 ? -1 : sim_scn_int(c, o, path, "drop_next", 0, 1, UINT32_MAX, &next);
	if (r1 < 0 || r2 < 0)
		return -1;
	if (r1 == r2)
		return sim_scn_fail(c, path, "give exactly one of 'drop_nth' and 'drop_next'");
	f->nth = r1 ? (uint32_t)nth : 1;
	f->count = r1 ? 1 : (uint32_t)next;
	return 0;
}

int sim_scn_faults(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0;
	char p[SIM_PATH_MAX];
	int r = sim_scn_array(c, root, "", "faults", 0, MAX_ITEMS, &arr, &n);
	if (r <= 0 || n == 0) /* absent or empty: none */
		return r < 0 ? -1 : 0;
	if (!(sc->faults = calloc(n, sizeof(*sc->faults))))
		return sim_scn_fail(c, "faults", "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, "faults", sc->n_faults);
		if (parse_fault(c, sc, o, p, &sc->faults[sc->n_faults]) != 0)
			return -1;
		sc->n_faults++;
	}
	return 0;
}

static int one_of(sim_scn *c, const sim_jv *o, const char *path, const char *key, const char *const *names,
		  const char **out)
{
	char p[SIM_PATH_MAX];
	int r = sim_scn_str(c, o, path, key, 0, out);
	if (r <= 0)
		return r;
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], *out) == 0)
			return 1;
	sim_scn_sub(p, path, key);
	return sim_scn_fail(c, p, "unknown state '%.40s' (e.g. %s, %s)", *out, names[3], names[0]);
}

/* Which connection: `conn` names one of the node's connections. */
static int find_conn(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	const char *name;
	char p[SIM_PATH_MAX];
	int32_t node = sim_scn_node_ref(c, sc, o, path, "node", 1);
	if (node < 0 || sim_scn_str(c, o, path, "conn", 1, &name) < 0)
		return -1;
	e->node = (uint32_t)node;
	const sim_scn_conn_ref *r = sim_scn_find_conn(sc, (uint32_t)node, name);
	if (r) {
		e->conn = r->slot;
		return 0;
	}
	sim_scn_sub(p, path, "conn");
	return sim_scn_fail(c, p, "node '%s' has no connection named '%.64s'", sc->nodes[node].name, name);
}

static int parse_expect(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "node", "conn", "ike_state", "child_state", "error", "timed_out", NULL };
	const char *err = NULL;
	int to = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys) || find_conn(c, sc, o, path, e) ||
	    one_of(c, o, path, "ike_state", IKE_STATES, &e->ike_state) < 0 ||
	    one_of(c, o, path, "child_state", CHILD_STATES, &e->child_state) < 0 ||
	    sim_scn_str(c, o, path, "error", 0, &err) < 0)
		return -1;
	int r = sim_scn_bool(c, o, path, "timed_out", 0, &to);
	if (r < 0)
		return -1;
	e->timed_out = r ? (int8_t)to : -1;
	e->error = -1;
	if (err) {
		sim_scn_sub(p, path, "error");
		if ((e->error = ike_host_notify_parse(err)) < 0)
			return sim_scn_fail(c, p, "unknown error notify '%.48s' (e.g. AUTHENTICATION_FAILED, NONE)", err);
	}
	if (!e->ike_state && !e->child_state && e->error < 0 && e->timed_out < 0)
		return sim_scn_fail(c, path, "nothing to check: give ike_state, child_state, error or timed_out");
	return 0;
}

int sim_scn_expects(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0;
	char p[SIM_PATH_MAX];
	int r = sim_scn_array(c, root, "", "expect", 0, MAX_ITEMS, &arr, &n);
	if (r <= 0 || n == 0) /* absent or empty: none */
		return r < 0 ? -1 : 0;
	if (!(sc->expects = calloc(n, sizeof(*sc->expects))))
		return sim_scn_fail(c, "expect", "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, "expect", sc->n_expects);
		if (parse_expect(c, sc, o, p, &sc->expects[sc->n_expects]) != 0)
			return -1;
		sc->n_expects++;
	}
	return 0;
}
