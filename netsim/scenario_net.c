/* Scenario nodes that forward: "router", "routes" and "nat" (read after nodes and links, which they name). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define ROUTES_MAX 64

int sim_scn_parse_prefix(const char *s, ike_addr *a, uint8_t *plen)
{
	char buf[64];
	if (!strcmp(s, "default")) {
		memset(a, 0, sizeof(*a));
		*plen = 0;
		return 0;
	}
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (sim_parse_addr(buf, a) != 0)
		return -1;
	unsigned max = a->family == 4 ? 32 : 128, v = max;
	if (slash) {
		char *end;
		const char *d = slash + 1;
		if (*d < '0' || *d > '9' || strlen(d) > 3)
			return -1;
		v = (unsigned)strtoul(d, &end, 10);
		if (*end || v > max)
			return -1;
	}
	*plen = (uint8_t)v;
	return 0;
}

/* A neighbour named by o[key]: its index, or -1 (error recorded). */
static int32_t neighbour(sim_scn *c, const sim_scenario *sc, uint32_t node, const sim_jv *o, const char *path,
			 const char *key)
{
	char p[SIM_PATH_MAX];
	int32_t v = sim_scn_node_ref(c, sc, o, path, key, 1);
	if (v < 0)
		return -1;
	sim_scn_sub(p, path, key);
	if (sim_scn_find_link(sc, node, (uint32_t)v) < 0)
		return sim_scn_fail(c, p, "'%s' has no link to '%s'", sc->nodes[node].name, sc->nodes[v].name);
	return v;
}

static int parse_route(sim_scn *c, sim_scenario *sc, const sim_jv *root_nodes, uint32_t node, const sim_jv *o,
		       const char *path, sim_route_spec *r)
{
	static const char *const keys[] = { "to", "via", NULL };
	const char *to;
	char p[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "to", 1, &to) < 0)
		return -1;
	sim_scn_sub(p, path, "to");
	if (sim_scn_parse_prefix(to, &r->prefix, &r->plen))
		return sim_scn_fail(c, p, "'%.64s' is not \"default\", an address or address/prefix-length", to);
	int32_t via = neighbour(c, sc, node, o, path, "via");
	if (via < 0)
		return -1;
	const sim_jv *vn = sim_jv_at(root_nodes, (size_t)via);
	sim_scn_sub(p, path, "via");
	if (!sim_jv_is_true(sim_jv_get(vn, "router")) && !sim_jv_get(vn, "nat"))
		return sim_scn_fail(c, p, "'%s' does not forward (give it \"router\": true or a \"nat\")", sc->nodes[via].name);
	r->via = (uint32_t)via;
	return 0;
}

static int parse_routes(sim_scn *c, sim_scenario *sc, const sim_jv *nodes, uint32_t i, const sim_jv *o,
			const char *path)
{
	const sim_jv *arr;
	size_t n;
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX];
	if (sim_scn_array(c, o, path, "routes", 0, ROUTES_MAX, &arr, &n) <= 0)
		return c->failed ? -1 : 0;
	sim_scn_sub(p, path, "routes");
	sim_node_spec *ns = &sc->nodes[i];
	if (n && !(ns->routes = sim_scn_keep(sc, calloc(n, sizeof(*ns->routes)))))
		return sim_scn_fail(c, p, "out of memory");
	for (size_t k = 0; k < n; k++) {
		sim_scn_idx(pi, p, k);
		if (parse_route(c, sc, nodes, i, sim_jv_at(arr, k), pi, &ns->routes[k]))
			return -1;
		ns->n_routes = k + 1;
	}
	return 0;
}

/* The pool: "public" addresses of the node (IPv4), default its first IPv4 address. */
static int parse_pool(sim_scn *c, const sim_node_spec *ns, const sim_jv *o, const char *path, sim_nat_cfg *cfg)
{
	const sim_jv *arr = NULL;
	size_t n = 0;
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX];
	sim_scn_sub(p, path, "public");
	if (sim_scn_array(c, o, path, "public", 0, SIM_NAT_POOL_MAX, &arr, &n) < 0)
		return -1;
	if (!arr || !n) {
		for (size_t k = 0; k < ns->n_addrs && !cfg->n_pool; k++)
			if (ns->addrs[k].family == 4)
				cfg->pool[cfg->n_pool++] = ns->addrs[k];
		return cfg->n_pool ? 0 : sim_scn_fail(c, path, "a NAT needs an IPv4 address");
	}
	for (size_t k = 0; k < n; k++) {
		const sim_jv *a = sim_jv_at(arr, k);
		ike_addr ad;
		sim_scn_idx(pi, p, k);
		size_t j = 0;
		if (!sim_jv_is_string(a) || sim_parse_addr(a->valuestring, &ad) || ad.family != 4)
			return sim_scn_fail(c, pi, "expected an IPv4 address literal");
		while (j < ns->n_addrs && memcmp(&ns->addrs[j], &ad, sizeof(ad)))
			j++;
		if (j == ns->n_addrs)
			return sim_scn_fail(c, pi, "%s is not one of the node's addresses", a->valuestring);
		cfg->pool[cfg->n_pool++] = ad;
	}
	return 0;
}

/* "forward": [{ "port": 500, "to": "10.1.0.2", "to_port": 500, "public": "203.0.113.1" }] (UDP). */
static int parse_fwds(sim_scn *c, const sim_jv *o, const char *path, sim_nat_cfg *cfg)
{
	static const char *const keys[] = { "port", "to", "to_port", "public", NULL };
	const sim_jv *arr;
	size_t n;
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX], pf[SIM_PATH_MAX];
	if (sim_scn_array(c, o, path, "forward", 0, SIM_NAT_FWD_MAX, &arr, &n) <= 0)
		return c->failed ? -1 : 0;
	sim_scn_sub(p, path, "forward");
	for (size_t k = 0; k < n; k++) {
		const sim_jv *f = sim_jv_at(arr, k);
		sim_nat_fwd *fw = &cfg->fwd[k];
		int64_t port, to_port;
		const char *to, *pub = NULL;
		sim_scn_idx(pi, p, k);
		if (sim_scn_object(c, f, pi, keys) || sim_scn_int(c, f, pi, "port", 1, 1, 65535, &port) < 0 ||
		    sim_scn_str(c, f, pi, "to", 1, &to) < 0 || sim_scn_str(c, f, pi, "public", 0, &pub) < 0)
			return -1;
		to_port = port;
		if (sim_scn_int(c, f, pi, "to_port", 0, 1, 65535, &to_port) < 0)
			return -1;
		sim_scn_sub(pf, pi, "to");
		if (sim_parse_addr(to, &fw->inside) || fw->inside.family != 4)
			return sim_scn_fail(c, pf, "expected an IPv4 address literal");
		fw->inside.port = (uint16_t)to_port;
		fw->port = (uint16_t)port;
		fw->pool = 0;
		if (pub) {
			ike_addr a;
			sim_scn_sub(pf, pi, "public");
			uint8_t j = 0;
			if (sim_parse_addr(pub, &a) == 0)
				while (j < cfg->n_pool && memcmp(cfg->pool[j].ip, a.ip, 4))
					j++;
			if (sim_parse_addr(pub, &a) || j == cfg->n_pool)
				return sim_scn_fail(c, pf, "not one of the NAT's public addresses");
			fw->pool = j;
		}
		for (size_t j = 0; j < k; j++)
			if (cfg->fwd[j].pool == fw->pool && cfg->fwd[j].port == fw->port)
				return sim_scn_fail(c, pi, "port %u is already forwarded", fw->port);
		cfg->n_fwd = (uint8_t)(k + 1);
	}
	return 0;
}

/* "ports": "1024-65535". */
static int parse_ports(sim_scn *c, const sim_jv *o, const char *path, sim_nat_cfg *cfg)
{
	const char *s;
	unsigned lo, hi;
	char p[SIM_PATH_MAX], tail;
	int r = sim_scn_str(c, o, path, "ports", 0, &s);
	if (r <= 0)
		return r;
	sim_scn_sub(p, path, "ports");
	if (sscanf(s, "%5u-%5u%c", &lo, &hi, &tail) != 2 || lo < 1 || lo > hi || hi > 65535)
		return sim_scn_fail(c, p, "expected \"LOW-HIGH\" with 1 <= LOW <= HIGH <= 65535");
	cfg->port_lo = (uint16_t)lo;
	cfg->port_hi = (uint16_t)hi;
	return 0;
}

static int parse_behaviour(sim_scn *c, const sim_jv *o, const char *path, sim_nat_cfg *cfg)
{
	static const char *const keys[] = { "mapping", "filtering" };
	const char *s;
	char p[SIM_PATH_MAX];
	int r = sim_scn_str(c, o, path, "type", 0, &s);
	if (r < 0)
		return -1;
	sim_scn_sub(p, path, "type");
	if (r > 0 && sim_nat_shorthand(s, cfg))
		return sim_scn_fail(c, p, "'%.40s' is not full-cone, restricted, port-restricted or symmetric", s);
	for (int k = 0; k < 2; k++) {
		if ((r = sim_scn_str(c, o, path, keys[k], 0, &s)) < 0)
			return -1;
		sim_scn_sub(p, path, keys[k]);
		int d = r > 0 ? sim_nat_dep_parse(s) : 0;
		if (d < 0)
			return sim_scn_fail(c, p, "'%.40s' is not endpoint-independent, address-dependent or "
					    "address-and-port-dependent", s);
		if (r > 0)
			*(k ? &cfg->filtering : &cfg->mapping) = (uint8_t)d;
	}
	return 0;
}

static int parse_flags(sim_scn *c, const sim_jv *o, const char *path, sim_nat_cfg *cfg)
{
	static const char *const names[] = { "refresh_inbound", "port_preservation", "port_parity", "hairpin" };
	uint8_t *slots[] = { &cfg->refresh_inbound, &cfg->port_preserve, &cfg->port_parity, &cfg->hairpin };
	int64_t max = cfg->max_mappings;
	for (size_t k = 0; k < 4; k++) {
		int v = *slots[k];
		if (sim_scn_bool(c, o, path, names[k], 0, &v) < 0)
			return -1;
		*slots[k] = (uint8_t)v;
	}
	if (sim_scn_int(c, o, path, "max_mappings", 0, 1, 1 << 24, &max) < 0 ||
	    sim_scn_time(c, o, path, "timeout", 0, &cfg->timeout) < 0)
		return -1;
	cfg->max_mappings = (uint32_t)max;
	if (cfg->timeout <= 0) {
		char p[SIM_PATH_MAX];
		sim_scn_sub(p, path, "timeout");
		return sim_scn_fail(c, p, "a mapping timeout must be longer than 0");
	}
	return 0;
}

/* A NAT whose every neighbour is inside translates for nobody. The inside names distinct neighbours and a
 * pair has at most one link, so there is an outside exactly when the node has more links than that. */
static int nat_has_outside(sim_scn *c, const sim_scenario *sc, uint32_t i, const char *p)
{
	size_t links = 0;
	for (size_t l = 0; l < sc->n_links; l++)
		links += sc->links[l].a == i || sc->links[l].b == i;
	if (links > sc->nodes[i].nat->n_inside)
		return 0;
	return sim_scn_fail(c, p, "every neighbour of '%s' is inside: a NAT needs a link to the outside", sc->nodes[i].name);
}

/* Every member of a population goes inside the NAT; each must have its link to it. */
static int add_pop_inside(sim_scn *c, const sim_scenario *sc, uint32_t i, const sim_pop_spec *ps, sim_nat_spec *nat,
			  const char *path)
{
	for (size_t j = 0; j < nat->n_inside; j++) /* members are distinct: only what came before can clash */
		if (nat->inside[j] >= ps->first && nat->inside[j] < ps->first + ps->count)
			return sim_scn_fail(c, path, "'%s' is named twice", sc->nodes[nat->inside[j]].name);
	for (uint32_t m = ps->first; m < ps->first + ps->count; m++) {
		if (sim_scn_find_link(sc, i, m) < 0)
			return sim_scn_fail(c, path, "population '%s': '%s' has no link to '%s'", ps->name,
					    sc->nodes[m].name, sc->nodes[i].name);
		nat->inside[nat->n_inside++] = m;
	}
	return 0;
}

static int parse_nat(sim_scn *c, sim_scenario *sc, uint32_t i, const sim_jv *o, const char *path)
{
	static const char *const keys[] = { "type", "mapping", "filtering", "inside", "public", "timeout",
					    "refresh_inbound", "port_preservation", "port_parity", "hairpin",
					    "ports", "max_mappings", "forward", NULL };
	sim_node_spec *ns = &sc->nodes[i];
	const sim_jv *arr;
	size_t n;
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys))
		return -1;
	sim_nat_spec *nat = ns->nat = sim_scn_keep(sc, calloc(1, sizeof(*nat)));
	if (!nat)
		return sim_scn_fail(c, path, "out of memory");
	sim_nat_cfg_default(&nat->cfg);
	if (parse_behaviour(c, o, path, &nat->cfg) || parse_flags(c, o, path, &nat->cfg) ||
	    parse_ports(c, o, path, &nat->cfg) < 0 || parse_pool(c, ns, o, path, &nat->cfg) ||
	    parse_fwds(c, o, path, &nat->cfg) || sim_scn_array(c, o, path, "inside", 1, 1u << 24, &arr, &n) < 0)
		return -1;
	sim_scn_sub(p, path, "inside");
	if (!n)
		return sim_scn_fail(c, p, "a NAT needs at least one inside neighbour");
	size_t room = 0, k = 0;
	for (const sim_jv *v = arr->child; v; v = v->next) { /* a population's name stands for all its members */
		int32_t pop = sim_jv_is_string(v) && sim_scn_find_node(sc, v->valuestring) < 0
				      ? sim_scn_find_pop(sc, v->valuestring)
				      : -1;
		room += pop >= 0 ? sc->pops[pop].count : 1;
	}
	if (!(nat->inside = sim_scn_keep(sc, calloc(room, sizeof(*nat->inside)))))
		return sim_scn_fail(c, p, "out of memory");
	for (const sim_jv *v = arr->child; v; v = v->next, k++) {
		sim_scn_idx(pi, p, k);
		if (!sim_jv_is_string(v))
			return sim_scn_fail(c, pi, "expected the name of a node or a population");
		int32_t nb = sim_scn_find_node(sc, v->valuestring), pop = nb < 0 ? sim_scn_find_pop(sc, v->valuestring) : -1;
		if (pop >= 0) {
			if (add_pop_inside(c, sc, i, &sc->pops[pop], nat, pi))
				return -1;
			continue;
		}
		if (nb < 0)
			return sim_scn_fail(c, pi, "no node or population named '%.64s'", v->valuestring);
		if (sim_scn_find_link(sc, i, (uint32_t)nb) < 0)
			return sim_scn_fail(c, pi, "'%s' has no link to '%s'", ns->name, sc->nodes[nb].name);
		for (size_t j = 0; j < nat->n_inside; j++) /* distinct neighbours: at most the node's links long */
			if (nat->inside[j] == (uint32_t)nb)
				return sim_scn_fail(c, pi, "'%s' is named twice", sc->nodes[nb].name);
		nat->inside[nat->n_inside++] = (uint32_t)nb;
	}
	return nat_has_outside(c, sc, i, p);
}

int sim_scn_routing(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *nodes = sim_jv_get(root, "nodes"), *o = NULL;
	char p[SIM_PATH_MAX];
	for (uint32_t i = 0; i < sc->n_nodes && !sc->nodes[i].pop; i++) { /* members (at the end) never forward */
		o = o ? o->next : sim_jv_at(nodes, 0);
		const sim_jv *nat = sim_jv_get(o, "nat");
		int router = 0;
		sim_scn_idx(p, "nodes", i);
		if (sim_scn_bool(c, o, p, "router", 0, &router) < 0)
			return -1;
		if (nat) {
			char pn[SIM_PATH_MAX];
			sim_scn_sub(pn, p, "nat");
			if (parse_nat(c, sc, i, nat, pn))
				return -1;
		}
		sc->nodes[i].forward = (uint8_t)(router || nat);
		if (parse_routes(c, sc, nodes, i, o, p))
			return -1;
	}
	return 0;
}
