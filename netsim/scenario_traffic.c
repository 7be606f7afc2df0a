/* Scenario traffic: hosts behind gateways, flows between them, and the `expect` entries that check flows. */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_HOSTS 100000u
#define MAX_FLOWS 100000u
/* Inner header bytes a flow packet needs besides its IP header: L4 header (8 UDP/ICMP, 20 TCP) and our tag. */
#define TAG_LEN 24
#define SIZE_MAX_INNER 9000

static int32_t find_host(const sim_scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_hosts; i++)
		if (strcmp(sc->hosts[i].name, name) == 0)
			return (int32_t)i;
	return -1;
}

/* A flow end that names a node: the gateway itself sends and receives (transport mode's traffic), as a host
 * of its own with the node's first address, added once. Its index, or -1 (not a node, or out of memory). */
static int32_t gateway_host(sim_scenario *sc, const char *name)
{
	for (size_t n = 0; n < sc->n_nodes; n++) {
		if (strcmp(sc->nodes[n].name, name) != 0 || !sc->nodes[n].n_addrs)
			continue;
		sim_host_spec *h = realloc(sc->hosts, (sc->n_hosts + 1) * sizeof(*h));
		if (!h)
			return -1;
		sc->hosts = h;
		h[sc->n_hosts] = (sim_host_spec){ .name = sc->nodes[n].name, .addr = sc->nodes[n].addrs[0], .gw = (uint32_t)n };
		h[sc->n_hosts].addr.port = 0;
		return (int32_t)sc->n_hosts++;
	}
	return -1;
}

static int32_t host_ref(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, const char *key)
{
	const char *name;
	char p[SIM_PATH_MAX];
	if (sim_scn_str(c, o, path, key, 1, &name) < 0)
		return -1;
	int32_t h = find_host(sc, name);
	if (h < 0)
		h = gateway_host(sc, name);
	sim_scn_sub(p, path, key);
	if (h < 0)
		sim_scn_fail(c, p, "no host or node named '%.64s'", name);
	return h;
}

static int same_ip(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}

/* { "name", "address", "gateway" } */
static int parse_host(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, sim_host_spec *h)
{
	static const char *const keys[] = { "name", "address", "gateway", NULL };
	const char *addr;
	char p[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 1, &h->name) < 0 ||
	    sim_scn_str(c, o, path, "address", 1, &addr) < 0)
		return -1;
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(h->name))
		return sim_scn_fail(c, p, "'%.64s' is not a valid name (1-63 of A-Z a-z 0-9 . _ -)", h->name);
	if (find_host(sc, h->name) >= 0)
		return sim_scn_fail(c, p, "duplicate host name '%s'", h->name);
	sim_scn_sub(p, path, "address");
	if (sim_parse_addr(addr, &h->addr) != 0)
		return sim_scn_fail(c, p, "expected an IPv4 or IPv6 address literal");
	h->addr.port = 0;
	for (size_t i = 0; i < sc->n_hosts; i++)
		if (same_ip(&sc->hosts[i].addr, &h->addr))
			return sim_scn_fail(c, p, "address %s is already host '%s''s", addr, sc->hosts[i].name);
	for (size_t n = 0; n < sc->n_nodes; n++)
		for (size_t k = 0; k < sc->nodes[n].n_addrs; k++)
			if (same_ip(&sc->nodes[n].addrs[k], &h->addr))
				return sim_scn_fail(c, p, "address %s belongs to node '%s'", addr, sc->nodes[n].name);
	int32_t gw = sim_scn_node_ref(c, sc, o, path, "gateway", 1);
	if (gw < 0)
		return -1;
	h->gw = (uint32_t)gw;
	return 0;
}

int sim_scn_hosts(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0;
	char p[SIM_PATH_MAX];
	int r = sim_scn_array(c, root, "", "hosts", 0, MAX_HOSTS, &arr, &n);
	if (r <= 0 || n == 0)
		return r < 0 ? -1 : 0;
	if (!(sc->hosts = calloc(n, sizeof(*sc->hosts))))
		return sim_scn_fail(c, "hosts", "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, "hosts", sc->n_hosts);
		if (parse_host(c, sc, o, p, &sc->hosts[sc->n_hosts]) != 0)
			return -1;
		sc->n_hosts++;
	}
	return 0;
}

/* The smallest inner packet a flow of this kind and family can send: IP + L4 header + our tag. */
static uint32_t min_size(uint8_t kind, uint8_t family)
{
	return (family == 6 ? 40u : 20u) + (kind == SIM_FLOW_REQRESP ? 20u : 8u) + TAG_LEN;
}

static int parse_kind(sim_scn *c, const sim_jv *o, const char *path, uint8_t *kind)
{
	static const char *const kinds[] = { "ping", "udp", "reqresp", NULL };
	const char *k = "ping";
	char p[SIM_PATH_MAX];
	if (sim_scn_str(c, o, path, "kind", 0, &k) < 0)
		return -1;
	for (uint8_t i = 0; kinds[i]; i++)
		if (strcmp(kinds[i], k) == 0) {
			*kind = i;
			return 0;
		}
	sim_scn_sub(p, path, "kind");
	return sim_scn_fail(c, p, "unknown flow kind '%.40s' (ping, udp or reqresp)", k);
}

/* interval (a duration) or rate (packets a second), not both; default one a second. */
static int parse_pace(sim_scn *c, const sim_jv *o, const char *path, sim_flow_spec *f)
{
	double rate = 0;
	char p[SIM_PATH_MAX];
	f->interval = IKE_NS_PER_SEC;
	int ri = sim_scn_time(c, o, path, "interval", 0, &f->interval);
	int rr = ri < 0 ? -1 : sim_scn_num(c, o, path, "rate", 0, 0.001, 1e6, &rate);
	if (rr < 0)
		return -1;
	sim_scn_sub(p, path, "rate");
	if (ri > 0 && rr > 0)
		return sim_scn_fail(c, p, "give 'interval' or 'rate', not both");
	if (rr > 0)
		f->interval = (int64_t)(1e9 / rate);
	sim_scn_sub(p, path, ri > 0 ? "interval" : "rate");
	if (f->interval < 1000)
		return sim_scn_fail(c, p, "sends at most every microsecond (interval >= 1us, rate <= 1e6)");
	return 0;
}

/* Sizes, ports and burst, with their defaults and bounds. */
static int parse_sizes(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_flow_spec *f)
{
	uint8_t fam = sc->hosts[f->from].addr.family;
	int64_t size = f->kind == SIM_FLOW_PING ? (fam == 6 ? 104 : 84) : 128, resp = 512, burst = 1;
	int64_t port = f->kind == SIM_FLOW_REQRESP ? 7777 : 9; /* no well-known protocol: Wireshark shows plain TCP/UDP */
	char p[SIM_PATH_MAX];
	int64_t lo = min_size(f->kind, fam);
	if (sim_scn_int(c, o, path, "size", 0, lo, SIZE_MAX_INNER, &size) < 0 ||
	    sim_scn_int(c, o, path, "resp_size", 0, lo, SIZE_MAX_INNER, &resp) < 0 ||
	    sim_scn_int(c, o, path, "burst", 0, 1, 10000, &burst) < 0 || sim_scn_int(c, o, path, "port", 0, 1, 65535, &port) < 0)
		return -1;
	sim_scn_sub(p, path, "resp_size");
	if (f->kind != SIM_FLOW_REQRESP && sim_jv_get(o, "resp_size"))
		return sim_scn_fail(c, p, "only a reqresp flow has responses of their own size");
	sim_scn_sub(p, path, "port");
	if (f->kind == SIM_FLOW_PING && sim_jv_get(o, "port"))
		return sim_scn_fail(c, p, "ICMP echo has no ports");
	f->size = (uint32_t)size;
	f->resp_size = (uint32_t)resp;
	f->burst = (uint32_t)burst;
	f->port = (uint16_t)port;
	return 0;
}

static int parse_flow(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, sim_flow_spec *f)
{
	static const char *const keys[] = { "name", "from", "to", "kind", "start", "stop", "count", "interval", "rate",
					    "size", "resp_size", "burst", "port", NULL };
	char p[SIM_PATH_MAX];
	int64_t count = 0;
	int32_t a, b;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 1, &f->name) < 0)
		return -1;
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(f->name))
		return sim_scn_fail(c, p, "'%.64s' is not a valid name (1-63 of A-Z a-z 0-9 . _ -)", f->name);
	for (size_t i = 0; i < sc->n_flows; i++)
		if (strcmp(sc->flows[i].name, f->name) == 0)
			return sim_scn_fail(c, p, "duplicate flow name '%s'", f->name);
	if ((a = host_ref(c, sc, o, path, "from")) < 0 || (b = host_ref(c, sc, o, path, "to")) < 0)
		return -1;
	f->from = (uint32_t)a;
	f->to = (uint32_t)b;
	sim_scn_sub(p, path, "to");
	if (sc->hosts[a].gw == sc->hosts[b].gw)
		return sim_scn_fail(c, p, "'%s' and '%s' sit behind the same gateway: no tunnel between them",
				    sc->hosts[a].name, sc->hosts[b].name);
	if (sc->hosts[a].addr.family != sc->hosts[b].addr.family)
		return sim_scn_fail(c, p, "'%s' and '%s' are of different address families", sc->hosts[a].name,
				    sc->hosts[b].name);
	f->stop = INT64_MAX;
	if (parse_kind(c, o, path, &f->kind) || sim_scn_time(c, o, path, "start", 0, &f->start) < 0 ||
	    sim_scn_time(c, o, path, "stop", 0, &f->stop) < 0 || sim_scn_int(c, o, path, "count", 0, 1, INT64_MAX, &count) < 0 ||
	    parse_pace(c, o, path, f) || parse_sizes(c, sc, o, path, f))
		return -1;
	f->count = (uint64_t)count;
	if (sim_scn_within_run(c, sc, path, "start", f->start)) /* a flow that would start after the end sends nothing */
		return -1;
	sim_scn_sub(p, path, "stop");
	if (f->stop != INT64_MAX && f->stop <= f->start)
		return sim_scn_fail(c, p, "the flow must stop after it starts");
	return 0;
}

int sim_scn_flows(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0;
	char p[SIM_PATH_MAX];
	int r = sim_scn_array(c, root, "", "flows", 0, MAX_FLOWS, &arr, &n);
	if (r <= 0 || n == 0)
		return r < 0 ? -1 : 0;
	if (!(sc->flows = calloc(n, sizeof(*sc->flows))))
		return sim_scn_fail(c, "flows", "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, "flows", sc->n_flows);
		if (parse_flow(c, sc, o, p, &sc->flows[sc->n_flows]) != 0)
			return -1;
		sc->n_flows++;
	}
	return 0;
}

/* One counter of a flow expectation: a number (exact) or { "min", "max" }. 0 or -1. */
static int flow_count(sim_scn *c, const sim_jv *o, const char *path, const char *key, int k, sim_expect_spec *e)
{
	static const char *const keys[] = { "min", "max", NULL };
	const sim_jv *v = sim_jv_get(o, key);
	char p[SIM_PATH_MAX];
	int64_t lo = 0, hi = INT64_MAX;
	if (!v)
		return 0;
	sim_scn_sub(p, path, key);
	if (sim_jv_is_number(v)) {
		if (sim_scn_int(c, o, path, key, 1, 0, INT64_MAX, &lo) < 0)
			return -1;
		hi = lo;
	} else if (sim_jv_is_object(v)) {
		if (sim_scn_object(c, v, p, keys) || sim_scn_int(c, v, p, "min", 0, 0, INT64_MAX, &lo) < 0 ||
		    sim_scn_int(c, v, p, "max", 0, 0, INT64_MAX, &hi) < 0)
			return -1;
		if (hi < lo)
			return sim_scn_fail(c, p, "max is below min");
	} else {
		return sim_scn_fail(c, p, "expected a count or {\"min\": .., \"max\": ..}");
	}
	e->fwant |= (uint8_t)(1u << k);
	e->fmin[k] = (uint64_t)lo;
	e->fmax[k] = (uint64_t)hi;
	return 0;
}

/* { "flow", "sent", "delivered", "lost", "latency_max" } */
int sim_scn_flow_expect(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e)
{
	static const char *const keys[] = { "flow", "sent", "delivered", "lost", "latency_max", NULL };
	static const char *const names[SIM_FC_N] = { "sent", "delivered", "lost" };
	const char *name;
	char p[SIM_PATH_MAX];
	e->kind = SIM_EXPECT_FLOW;
	e->latency_max = -1;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "flow", 1, &name) < 0)
		return -1;
	size_t i = 0;
	while (i < sc->n_flows && strcmp(sc->flows[i].name, name) != 0)
		i++;
	sim_scn_sub(p, path, "flow");
	if (i == sc->n_flows)
		return sim_scn_fail(c, p, "no flow named '%.64s'", name);
	e->flow = (uint32_t)i;
	for (int k = 0; k < SIM_FC_N; k++)
		if (flow_count(c, o, path, names[k], k, e))
			return -1;
	if (sim_scn_time(c, o, path, "latency_max", 0, &e->latency_max) < 0)
		return -1;
	if (!e->fwant && e->latency_max < 0)
		return sim_scn_fail(c, path, "nothing to check: give sent, delivered, lost or latency_max");
	return 0;
}
