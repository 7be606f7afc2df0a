/* The scenario's "metrics" object and the expectations on metrics (docs/metrics.md). */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

const char *const sim_metric_names[SIM_XM_N] = {
	"ike_up", "half_open", "in_flight", "child_up", "ike_tx", "retransmits", "cookies", "refused", "drops",
	"recovery_time", "recovery_at", "setup_latency_p50", "setup_latency_p90", "setup_latency_p99",
	"setup_latency_max", "setups",
};

/* A row every 1 ns would be a memory bomb, not a measurement: 1 ms is the finest interval taken. */
#define MIN_INTERVAL 1000000

/* "metrics": { "interval": "1s", "nodes": ["gw"] } */
int sim_scn_metrics(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	static const char *const keys[] = { "interval", "nodes", NULL };
	const sim_jv *o = sim_jv_get(root, "metrics"), *nodes;
	size_t n = 0;
	if (!o)
		return 0;
	sc->metrics.interval = IKE_NS_PER_SEC;
	if (sim_scn_object(c, o, "metrics", keys) || sim_scn_time(c, o, "metrics", "interval", 0, &sc->metrics.interval) < 0)
		return -1;
	if (sc->metrics.interval < MIN_INTERVAL)
		return sim_scn_fail(c, "metrics.interval", "at least 1ms (a row per interval of the whole run)");
	if (sc->duration / sc->metrics.interval >= SIM_METRICS_MAX_ROWS)
		return sim_scn_fail(c, "metrics.interval", "%.3f s over a %.0f s run is over %u rows: take a longer interval",
				    (double)sc->metrics.interval / 1e9, (double)sc->duration / 1e9, SIM_METRICS_MAX_ROWS);
	int r = sim_scn_array(c, o, "metrics", "nodes", 0, 1000000, &nodes, &n);
	if (r <= 0)
		return r;
	if (!n)
		return sim_scn_fail(c, "metrics.nodes", "an empty list measures nothing: leave \"nodes\" out for all");
	if (!(sc->metrics.nodes = sim_scn_keep(sc, calloc(sc->n_nodes, 1))))
		return sim_scn_fail(c, "metrics.nodes", "out of memory");
	for (size_t i = 0; i < n; i++) {
		char p[SIM_PATH_MAX];
		const sim_jv *v = sim_jv_at(nodes, i);
		snprintf(p, sizeof(p), "metrics.nodes[%zu]", i);
		if (!sim_jv_is_string(v))
			return sim_scn_fail(c, p, "expected a node name");
		int32_t node = sim_scenario_node(sc, v->valuestring);
		if (node < 0)
			return sim_scn_fail(c, p, "no node named '%.64s'", v->valuestring);
		if (sc->metrics.nodes[node])
			return sim_scn_fail(c, p, "node '%.64s' is listed twice", v->valuestring);
		sc->metrics.nodes[node] = 1;
	}
	return 0;
}

/* min/max of a time summary: durations ("20s"); of the others: whole numbers. At least one. */
static int metric_range(sim_scn *c, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	int64_t lo = 0, hi = INT64_MAX;
	int r1, r2;
	if (SIM_XM_IS_TIME(e->metric)) {
		r1 = sim_scn_time(c, o, path, "min", 0, &lo);
		r2 = r1 < 0 ? -1 : sim_scn_time(c, o, path, "max", 0, &hi);
	} else {
		r1 = sim_scn_int(c, o, path, "min", 0, 0, (int64_t)1 << 53, &lo);
		r2 = r1 < 0 ? -1 : sim_scn_int(c, o, path, "max", 0, 0, (int64_t)1 << 53, &hi);
	}
	if (r2 < 0)
		return -1;
	if (!r1 && !r2)
		return sim_scn_fail(c, path, "nothing to check: give 'min' and/or 'max'");
	if (hi < lo) {
		char p[SIM_PATH_MAX];
		sim_scn_sub(p, path, "max");
		return sim_scn_fail(c, p, "max is below min");
	}
	e->min = (uint64_t)lo;
	e->max = (uint64_t)hi;
	return 0;
}

/* Which keys a metric takes besides metric/min/max: "at" for gauges, "from"/"to" for counters. */
static int metric_times(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	char p[SIM_PATH_MAX];
	int gauge = e->metric < SIM_XM_FIRST_COUNTER, counter = !gauge && e->metric < SIM_XM_FIRST_SUMMARY;
	const char *bad = !gauge && sim_jv_get(o, "at") ? "at" : !counter && sim_jv_get(o, "from") ? "from" :
			  !counter && sim_jv_get(o, "to") ? "to" : NULL;
	if (bad) {
		sim_scn_sub(p, path, bad);
		return sim_scn_fail(c, p, "'%s' is a %s: it takes %s", sim_metric_names[e->metric],
				    gauge ? "gauge" : counter ? "counter" : "summary of the run",
				    gauge ? "\"at\"" : counter ? "\"from\" and \"to\"" : "neither \"at\" nor \"from\"/\"to\"");
	}
	e->at = -1;
	e->to = INT64_MAX;
	int ra = sim_scn_time(c, o, path, "at", 0, &e->at);
	if (ra < 0 || sim_scn_time(c, o, path, "from", 0, &e->from) < 0 || sim_scn_time(c, o, path, "to", 0, &e->to) < 0)
		return -1;
	if (ra > 0 && sim_scn_within_run(c, sc, path, "at", e->at))
		return -1;
	sim_scn_sub(p, path, "to");
	if (e->to < e->from)
		return sim_scn_fail(c, p, "the range ends before it starts ('from' is later)");
	return 0;
}

/* { "metric", "min", "max", "at" | "from", "to" } */
int sim_scn_metric_expect(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "metric", "min", "max", "at", "from", "to", NULL };
	const char *name;
	char p[SIM_PATH_MAX];
	e->kind = SIM_EXPECT_METRIC;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "metric", 1, &name) < 0)
		return -1;
	size_t i = 0;
	while (i < SIM_XM_N && strcmp(sim_metric_names[i], name) != 0)
		i++;
	sim_scn_sub(p, path, "metric");
	if (i == SIM_XM_N)
		return sim_scn_fail(c, p, "unknown metric '%.40s' (ike_up, half_open, in_flight, child_up, ike_tx, "
				    "retransmits, cookies, refused, drops, recovery_time, recovery_at, setup_latency_p50, "
				    "setup_latency_p90, setup_latency_p99, setup_latency_max, setups)", name);
	e->metric = (uint8_t)i;
	return metric_times(c, sc, o, path, e) || metric_range(c, o, path, e) ? -1 : 0;
}
