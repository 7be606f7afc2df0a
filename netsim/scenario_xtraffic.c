/*
 * What only the ns-3 backend carries (docs/backends.md): a link's "rate" and "queue", and the scenario's
 * "cross_traffic" (TCP bulk transfers between nodes' own ns-3 stacks, competing with IKE for a bottleneck).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define CROSS_MAX 64
#define RATE_MAX 1000000000000ull /* 1 Tbps: far past any link a scenario means */
#define XT_PORT_DEFAULT 5001      /* iperf's port: a bulk transfer's well-known home */

/* "10Mbps", "2.5Mbps", "512kbps", "1Gbps", "9600bps" (SI units, as ns-3's DataRate): bits/s or 0. */
static uint64_t parse_rate(const char *s)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = { { "bps", 1 }, { "kbps", 1e3 }, { "Mbps", 1e6 }, { "Gbps", 1e9 } };
	char *end;
	if (*s < '0' || *s > '9')
		return 0; /* no sign, no space, no hex: a number first */
	double v = strtod(s, &end);
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (!strcmp(end, units[k].unit)) {
			double bits = v * units[k].mult;
			if (!(bits >= 1 && bits <= (double)RATE_MAX) || bits != (double)(uint64_t)bits)
				return 0;
			return (uint64_t)bits;
		}
	return 0;
}

int sim_scn_link_rate(sim_scn *c, const sim_jv *o, const char *path, sim_link_cfg *cfg)
{
	const char *rate = NULL;
	int64_t queue = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_str(c, o, path, "rate", 0, &rate) < 0 ||
	    sim_scn_int(c, o, path, "queue", 0, 1, 1000000, &queue) < 0)
		return -1;
	if (rate && !(cfg->rate = parse_rate(rate))) {
		sim_scn_sub(p, path, "rate");
		return sim_scn_fail(c, p, "'%.40s' is no data rate (a whole number of bits/s: \"2Mbps\", \"512kbps\", "
				    "\"1.5Gbps\", \"9600bps\")", rate);
	}
	if (queue && !rate) {
		sim_scn_sub(p, path, "queue");
		return sim_scn_fail(c, p, "a queue needs a \"rate\" (without one a link has no bandwidth to wait for)");
	}
	cfg->queue = (uint32_t)queue;
	return 0;
}

/* The node's first IPv4 address, or NULL. */
static const ike_addr *first_v4(const sim_node_spec *n)
{
	for (size_t k = 0; k < n->n_addrs; k++)
		if (n->addrs[k].family == 4)
			return &n->addrs[k];
	return NULL;
}

/* { "name", "from", "to", "kind": "tcp_bulk", "start", "stop", "port", "bytes" } */
static int parse_cross(sim_scn *c, const void *ctx, const sim_jv *o, const char *path, void *item)
{
	static const char *const keys[] = { "name", "from", "to", "kind", "start", "stop", "port", "bytes", NULL };
	const sim_scenario *sc = ctx;
	sim_cross_cfg *x = item;
	const char *kind = NULL;
	int64_t port = XT_PORT_DEFAULT, bytes = 0;
	char p[SIM_PATH_MAX];
	x->stop = sc->duration;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 0, &x->name) < 0 ||
	    sim_scn_str(c, o, path, "kind", 1, &kind) < 0 || sim_scn_time(c, o, path, "start", 0, &x->start) < 0 ||
	    sim_scn_time(c, o, path, "stop", 0, &x->stop) < 0 ||
	    sim_scn_int(c, o, path, "port", 0, 1, 65535, &port) < 0 ||
	    sim_scn_int(c, o, path, "bytes", 0, 1, INT64_MAX, &bytes) < 0)
		return -1;
	sim_scn_sub(p, path, "name");
	if (x->name && !sim_valid_name(x->name))
		return sim_scn_fail(c, p, "names are 1..63 of [A-Za-z0-9._-]");
	sim_scn_sub(p, path, "kind");
	if (strcmp(kind, "tcp_bulk"))
		return sim_scn_fail(c, p, "'%.40s' is no kind of cross traffic (tcp_bulk)", kind);
	x->kind = SIM_CROSS_TCP_BULK;
	int32_t from = sim_scn_node_ref(c, sc, o, path, "from", 1), to = from < 0 ? -1 : sim_scn_node_ref(c, sc, o, path, "to", 1);
	if (from < 0 || to < 0)
		return -1;
	sim_scn_sub(p, path, "to");
	if (from == to)
		return sim_scn_fail(c, p, "cross traffic needs two different nodes");
	const ike_addr *fa = first_v4(&sc->nodes[from]), *ta = first_v4(&sc->nodes[to]);
	if (!fa || !ta)
		return sim_scn_fail(c, path, "'%s' has no IPv4 address (ns-3's TCP here is IPv4 only)",
				    sc->nodes[fa ? to : from].name);
	sim_scn_sub(p, path, "stop");
	if (x->stop <= x->start)
		return sim_scn_fail(c, p, "must be after start");
	if (sim_scn_within_run(c, sc, path, "start", x->start))
		return -1;
	x->from = (uint32_t)from;
	x->to = (uint32_t)to;
	x->to_addr = *ta;
	x->to_addr.port = (uint16_t)port;
	x->max_bytes = (uint64_t)bytes;
	if (!x->name)
		x->name = sc->nodes[from].name;
	return 0;
}

int sim_scn_cross(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	void *items = NULL;
	char p[SIM_PATH_MAX];
	int r = sim_scn_items(c, root, "cross_traffic", CROSS_MAX, sizeof(sim_cross_cfg), parse_cross, sc, &items,
			      &sc->n_cross);
	sc->cross = items;
	if (r)
		return r;
	for (size_t i = 0; i < sc->n_cross; i++)
		for (size_t k = 0; k < i; k++) /* one listener per receiver and port */
			if (sc->cross[k].to == sc->cross[i].to && sc->cross[k].to_addr.port == sc->cross[i].to_addr.port) {
				sim_scn_idx(p, "cross_traffic", i);
				return sim_scn_fail(c, p, "'%s' already receives cross_traffic[%zu] on port %u: give a \"port\"",
						    sc->nodes[sc->cross[i].to].name, k, sc->cross[i].to_addr.port);
			}
	/* The scenario says which backend it needs: one that uses these fields says ns3 (--backend can still
	 * ask for the built-in one, and the runner refuses it then). */
	if (sc->backend != SIM_BACKEND_NS3 && sim_scenario_ns3_only(sc, p, sizeof(p)))
		return sim_scn_fail(c, p, "only the ns-3 backend carries this: the scenario needs \"backend\": \"ns3\"");
	return 0;
}

int sim_scenario_ns3_only(const sim_scenario *sc, char *path, size_t cap)
{
	for (size_t i = 0; i < sc->n_links; i++)
		if (sc->links[i].cfg.rate || sc->links[i].cfg.queue) {
			snprintf(path, cap, "links[%zu].%s", i, sc->links[i].cfg.rate ? "rate" : "queue");
			return 1;
		}
	if (sc->n_cross) {
		snprintf(path, cap, "cross_traffic");
		return 1;
	}
	return 0;
}
