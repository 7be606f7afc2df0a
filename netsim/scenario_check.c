/* Scenario expectations (what each connection must reach). */
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

/* Events an expectation may count: the engine's (docs/trace.md) and the runner's own. */
static const char *const EVENTS[] = { "ike_sa.state", "child_sa.state", "ike.tx", "ike.rx", "ike.retransmit",
				      "ike.dup", "ike.natd", "ike.float", "ike.mobike", "ike.keepalive", "ike.refused", "ike.frag", "auth.verified",
				      "sa.selected", "kdf", "error", "ike_sa.rekeyed", "child_sa.rekeyed", "dpd",
				      "ike.initial_contact", "ike.collision", "fault", "action", "esp.tx", "esp.rx",
				      "esp.drop", "esp.acquire", "esp.impair", "esp.expire", "flow.start", "flow.stop", "nat.map",
				      "nat.drop", "cpu.drop", "xauth", "modecfg", "attack.start", "attack.flood", "attack.done",
				      "attack.downgrade", "attack.rogue", "attack.capture", "attack.crack", "link.drop",
				      "xtraffic.start", "xtraffic.stop", NULL };

/* 2^53: the largest count a JSON number gives exactly, so a range error prints it digit for digit. */
#define COUNT_MAX ((int64_t)1 << 53)

/* count: N, or min and/or max; into e->min/max. `key` is "count" or "messages". 0 or -1. */
static int parse_range(sim_scn *c, const sim_jv *o, const char *path, const char *key, sim_expect_spec *e)
{
	int64_t n = 0, lo = 0, hi = INT64_MAX;
	char p[SIM_PATH_MAX];
	int r = sim_scn_int(c, o, path, key, 0, 0, COUNT_MAX, &n);
	int r1 = r < 0 ? -1 : sim_scn_int(c, o, path, "min", 0, 0, COUNT_MAX, &lo);
	int r2 = r1 < 0 ? -1 : sim_scn_int(c, o, path, "max", 0, 0, COUNT_MAX, &hi);
	if (r2 < 0)
		return -1;
	if (r > 0 && (r1 > 0 || r2 > 0)) {
		sim_scn_sub(p, path, r1 > 0 ? "min" : "max");
		return sim_scn_fail(c, p, "give '%s' or 'min'/'max', not both", key);
	}
	if (!r && !r1 && !r2)
		return sim_scn_fail(c, path, "nothing to check: give '%s' (or 'min' and/or 'max')", key);
	sim_scn_sub(p, path, "max");
	if (hi < lo)
		return sim_scn_fail(c, p, "max is below min");
	e->min = (uint64_t)(r > 0 ? n : lo);
	e->max = (uint64_t)(r > 0 ? n : hi);
	return 0;
}

/* { "node", "event", "count" | "min"/"max", "from", "to", "conn", "window" } */
static int parse_events(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "node", "event", "count", "min", "max", "from", "to", "conn", "window", "why",
					    NULL };
	char p[SIM_PATH_MAX];
	int32_t node;
	int win = 0;
	e->kind = SIM_EXPECT_EVENTS;
	e->to = INT64_MAX;
	if (sim_scn_object(c, o, path, keys) || (node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 ||
	    sim_scn_str(c, o, path, "event", 1, &e->event) < 0 || sim_scn_str(c, o, path, "conn", 0, &e->conn_name) < 0 ||
	    sim_scn_str(c, o, path, "why", 0, &e->why) < 0 ||
	    sim_scn_time(c, o, path, "from", 0, &e->from) < 0 || sim_scn_time(c, o, path, "to", 0, &e->to) < 0 ||
	    (win = sim_scn_time(c, o, path, "window", 0, &e->window)) < 0 || parse_range(c, o, path, "count", e))
		return -1;
	sim_scn_sub(p, path, "window");
	if (win > 0 && e->window <= 0)
		return sim_scn_fail(c, p, "a window must be longer than 0");
	e->node = (uint32_t)node;
	size_t i = 0;
	while (EVENTS[i] && strcmp(EVENTS[i], e->event) != 0)
		i++;
	sim_scn_sub(p, path, "event");
	if (!EVENTS[i])
		return sim_scn_fail(c, p, "unknown event '%.40s' (e.g. child_sa.rekeyed, ike_sa.state, ike.retransmit)",
				    e->event);
	sim_scn_sub(p, path, "conn");
	if (e->conn_name && !sim_scn_find_conn(sc, e->node, e->conn_name))
		return sim_scn_fail(c, p, "node '%s' has no connection named '%.64s'", sc->nodes[node].name, e->conn_name);
	sim_scn_sub(p, path, "to");
	if (e->to < e->from)
		return sim_scn_fail(c, p, "the range ends before it starts ('from' is later)");
	return 0;
}

/* { "node", "exchange", "messages" | "min"/"max", "response" } */
static int parse_messages(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "node", "exchange", "messages", "min", "max", "response", NULL };
	const char *name;
	char p[SIM_PATH_MAX];
	int32_t node;
	int resp = 0, r;
	e->kind = SIM_EXPECT_MESSAGES;
	if (sim_scn_object(c, o, path, keys) || (node = sim_scn_node_ref(c, sc, o, path, "node", 1)) < 0 ||
	    sim_scn_str(c, o, path, "exchange", 1, &name) < 0 || (r = sim_scn_bool(c, o, path, "response", 0, &resp)) < 0 ||
	    parse_range(c, o, path, "messages", e))
		return -1;
	e->node = (uint32_t)node;
	e->response = r ? (int8_t)resp : -1;
	int x = sim_exchange_parse(name);
	sim_scn_sub(p, path, "exchange");
	if (x < 0)
		return sim_scn_fail(c, p, "unknown exchange '%.40s' (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL, ID_PROT, AGGRESSIVE, QUICK_MODE, ...)",
				    name);
	if (r && x < 34)
		return sim_scn_fail(c, p, "'%.40s' is an IKEv1 exchange: its messages carry no response flag, so "
				    "\"response\" cannot be told", name);
	e->exchange = (uint8_t)x;
	return 0;
}

static int parse_state(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "node", "conn", "ike_state", "child_state", "error", "timed_out", "at",
					    "ike_sas", "child_sas", NULL };
	const char *err = NULL;
	int to = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys) || find_conn(c, sc, o, path, e) ||
	    one_of(c, o, path, "ike_state", IKE_STATES, &e->ike_state) < 0 ||
	    one_of(c, o, path, "child_state", CHILD_STATES, &e->child_state) < 0 ||
	    sim_scn_str(c, o, path, "error", 0, &err) < 0)
		return -1;
	int r = sim_scn_bool(c, o, path, "timed_out", 0, &to);
	int ri = r < 0 ? -1 : sim_scn_int(c, o, path, "ike_sas", 0, 0, 1000000, &e->ike_sas);
	int rc = ri < 0 ? -1 : sim_scn_int(c, o, path, "child_sas", 0, 0, 1000000, &e->child_sas);
	if (rc < 0)
		return -1;
	e->want_sas = (uint8_t)((ri > 0 ? 1 : 0) | (rc > 0 ? 2 : 0));
	e->timed_out = r ? (int8_t)to : -1;
	e->error = -1;
	if (err) {
		sim_scn_sub(p, path, "error");
		if ((e->error = ike_host_notify_parse(err)) < 0)
			return sim_scn_fail(c, p, "unknown error notify '%.48s' (e.g. AUTHENTICATION_FAILED, NONE)", err);
	}
	if (!e->ike_state && !e->child_state && e->error < 0 && e->timed_out < 0 && !e->want_sas)
		return sim_scn_fail(c, path,
				    "nothing to check: give ike_state, child_state, error, timed_out, ike_sas or child_sas");
	if ((r = sim_scn_time(c, o, path, "at", 0, &e->at)) <= 0)
		return r;
	e->kind = SIM_EXPECT_AT;
	return sim_scn_within_run(c, sc, path, "at", e->at);
}

static int parse_expect(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	if (sim_jv_is_object(o) && sim_jv_get(o, "event"))
		return parse_events(c, sc, o, path, e);
	if (sim_jv_is_object(o) && sim_jv_get(o, "exchange"))
		return parse_messages(c, sc, o, path, e);
	if (sim_jv_is_object(o) && sim_jv_get(o, "flow"))
		return sim_scn_flow_expect(c, sc, o, path, e);
	if (sim_jv_is_object(o) && sim_jv_get(o, "metric"))
		return sim_scn_metric_expect(c, sc, o, path, e);
	if (sim_jv_is_object(o) && sim_jv_get(o, "config")) /* the loader's tree stays with the scenario */
		return sim_scn_rule_expect(c, (sim_scenario *)sc, o, path, e);
	return parse_state(c, sc, o, path, e);
}

static int parse_expect_item(sim_scn *c, const void *sc, const sim_jv *o, const char *path, void *item)
{
	return parse_expect(c, sc, o, path, item);
}

int sim_scn_expects(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	void *items;
	int r = sim_scn_items(c, root, "expect", MAX_ITEMS, sizeof(*sc->expects), parse_expect_item, sc, &items,
			      &sc->n_expects);
	sc->expects = items;
	return r;
}
