/*
 * "populations" (docs/population.md): N member nodes from one entry, all sharing ONE connection config (a
 * template whose local address, identity and local selectors each member's engine fills in with its own
 * address), each with its own address (consecutive from the first) and a link to one node.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_POPS 64
#define MAX_MEMBERS 2000000u    /* all populations together */
#define MAX_POP_NAME 50         /* name + up to 7 digits stays a valid 63-character node name */

/* The address k after base, or -1 if that runs past the end of the address space. */
static int nth_addr(const ike_addr *base, uint32_t k, ike_addr *out)
{
	*out = *base;
	if (base->family == 4) {
		uint32_t v = (uint32_t)base->ip[0] << 24 | (uint32_t)base->ip[1] << 16 | (uint32_t)base->ip[2] << 8 | base->ip[3];
		if (v > UINT32_MAX - k)
			return -1;
		v += k;
		for (int i = 0; i < 4; i++)
			out->ip[i] = (uint8_t)(v >> (24 - 8 * i));
		return 0;
	}
	uint64_t carry = k;
	for (int i = 15; i >= 0 && carry; i--) {
		carry += out->ip[i];
		out->ip[i] = (uint8_t)carry;
		carry >>= 8;
	}
	return carry ? -1 : 0;
}

static int parse_start(sim_scn *c, const sim_jv *o, const char *path, sim_pop_spec *ps)
{
	static const char *const kinds[] = { "uniform", "poisson", NULL };
	static const char *const ukeys[] = { "from", "to", NULL }, *const pkeys[] = { "rate", "from", NULL };
	const sim_jv *s = sim_jv_get(o, "start");
	char p[SIM_PATH_MAX], pk[SIM_PATH_MAX];
	ps->start = SIM_POP_AT;
	if (!s || !sim_jv_is_object(s)) /* absent, a duration: everyone at once */
		return sim_scn_time(c, o, path, "start", 0, &ps->from) < 0 ? -1 : 0;
	sim_scn_sub(p, path, "start");
	if (sim_scn_object(c, s, p, kinds))
		return -1;
	const sim_jv *u = sim_jv_get(s, "uniform"), *q = sim_jv_get(s, "poisson");
	if (!u == !q)
		return sim_scn_fail(c, p, "give one of \"uniform\": {\"from\", \"to\"} and \"poisson\": {\"rate\", \"from\"}");
	if (u) {
		sim_scn_sub(pk, p, "uniform");
		ps->start = SIM_POP_UNIFORM;
		if (sim_scn_object(c, u, pk, ukeys) || sim_scn_time(c, u, pk, "from", 0, &ps->from) < 0 ||
		    sim_scn_time(c, u, pk, "to", 1, &ps->to) < 0)
			return -1;
		if (ps->to < ps->from)
			return sim_scn_fail(c, pk, "'to' is before 'from'");
		return 0;
	}
	sim_scn_sub(pk, p, "poisson");
	ps->start = SIM_POP_POISSON;
	if (sim_scn_object(c, q, pk, pkeys) || sim_scn_num(c, q, pk, "rate", 1, 1e-6, 1e9, &ps->rate) < 0 ||
	    sim_scn_time(c, q, pk, "from", 0, &ps->from) < 0)
		return -1;
	return 0;
}

/* "link": { "to": NODE, "latency", "jitter", "loss", "mtu" } for every member. */
static int parse_link(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, uint32_t *to, sim_link_cfg *l)
{
	static const char *const keys[] = { "to", "latency", "jitter", "loss", "mtu", NULL };
	const sim_jv *lo = sim_jv_get(o, "link");
	char p[SIM_PATH_MAX];
	sim_scn_sub(p, path, "link");
	if (!lo)
		return sim_scn_fail(c, p, "missing required field 'link' ({\"to\": NODE, \"latency\": ...})");
	int64_t mtu = 1500;
	int32_t n = sim_scn_object(c, lo, p, keys) ? -1 : sim_scn_node_ref(c, sc, lo, p, "to", 1);
	if (n < 0 || sim_scn_time(c, lo, p, "latency", 0, &l->latency) < 0 ||
	    sim_scn_time(c, lo, p, "jitter", 0, &l->jitter) < 0 || sim_scn_num(c, lo, p, "loss", 0, 0.0, 1.0, &l->loss) < 0 ||
	    sim_scn_int(c, lo, p, "mtu", 0, 68, 65535, &mtu) < 0)
		return -1;
	l->mtu = (uint32_t)mtu;
	*to = (uint32_t)n;
	return 0;
}

/* Room for `more` nodes and links at the end of the arrays (zeroed). */
static int grow(sim_scenario *sc, size_t more)
{
	sim_node_spec *n = realloc(sc->nodes, (sc->n_nodes + more) * sizeof(*n));
	if (!n)
		return -1;
	sc->nodes = n;
	memset(n + sc->n_nodes, 0, more * sizeof(*n));
	sim_link_spec *l = realloc(sc->links, (sc->n_links + more) * sizeof(*l));
	if (!l)
		return -1;
	sc->links = l;
	memset(l + sc->n_links, 0, more * sizeof(*l));
	sim_scn_owned *ow = sc->owned;
	return sim_index_reserve(&ow->names, sc->n_nodes + more) || sim_index_reserve(&ow->addrs, sc->n_nodes + more) ||
			       sim_index_reserve(&ow->links, sc->n_links + more)
		       ? -1
		       : 0;
}

/* The members: names, addresses, links (all before the template, which reads the first member's link). */
static int add_members(sim_scn *c, sim_scenario *sc, sim_pop_spec *ps, const ike_addr *base, uint8_t profile,
		       uint32_t to, const sim_link_cfg *lc, const char *path)
{
	size_t nl = strlen(ps->name) + 8;
	char *names = sim_scn_keep(sc, malloc((size_t)ps->count * nl));
	char p[SIM_PATH_MAX];
	if (!names || grow(sc, ps->count))
		return sim_scn_fail(c, path, "out of memory for %u members", ps->count);
	ps->first = (uint32_t)sc->n_nodes;
	for (uint32_t k = 0; k < ps->count; k++) {
		uint32_t i = (uint32_t)sc->n_nodes;
		sim_node_spec *n = &sc->nodes[i];
		char *nm = names + (size_t)k * nl;
		snprintf(nm, nl, "%s%u", ps->name, k + 1);
		n->name = nm;
		n->profile = profile;
		n->pop = (uint32_t)sc->n_pops + 1;
		n->n_addrs = 1;
		sim_scn_sub(p, path, "addresses");
		if (nth_addr(base, k, &n->addrs[0]))
			return sim_scn_fail(c, p, "member %u would need an address past the end of the address space", k + 1);
		if (sim_scn_find_node(sc, nm) >= 0) {
			sim_scn_sub(p, path, "name");
			return sim_scn_fail(c, p, "member '%s' has the name of another node", nm);
		}
		if (sim_scn_addr_taken(sc, &n->addrs[0])) {
			char a[64] = "?";
			inet_ntop(base->family == 6 ? AF_INET6 : AF_INET, n->addrs[0].ip, a, sizeof(a));
			return sim_scn_fail(c, p, "member '%s' would get %s, which another node has", nm, a);
		}
		sc->n_nodes++;
		if (sim_scn_add_node(sc, i) || sim_scn_add_addr(sc, i, 0))
			return sim_scn_fail(c, path, "out of memory");
		sim_link_spec *l = &sc->links[sc->n_links];
		*l = (sim_link_spec){ .a = i, .b = to, .cfg = *lc };
		if (sim_scn_add_link(sc, (uint32_t)sc->n_links++))
			return sim_scn_fail(c, path, "out of memory");
	}
	return 0;
}

#define MAX_MIX 16

/* One "mix" entry (or the population's one "connection"): its template, its share, its node profile. */
typedef struct pop_mix {
	const sim_jv *conn;
	double share, credit;
	uint8_t profile;
	uint32_t first; /* its first member, UINT32_MAX while none */
	ike_conn_cfg *cfg;
} pop_mix;

/* "mix": [{ "share": S, "profile": P, "connection": {...} }, ...] or the one "connection". */
static int parse_mix(sim_scn *c, const sim_jv *o, const char *path, uint8_t profile, pop_mix *mx, size_t *n)
{
	static const char *const keys[] = { "share", "profile", "connection", NULL };
	const sim_jv *arr = sim_jv_get(o, "mix"), *co = sim_jv_get(o, "connection");
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX];
	if (!arr == !co)
		return sim_scn_fail(c, path, "give one of 'connection' and 'mix'");
	if (co) {
		sim_scn_sub(p, path, "connection");
		if (!sim_jv_is_object(co))
			return sim_scn_fail(c, p, "expected an object");
		mx[0] = (pop_mix){ .conn = co, .share = 1, .profile = profile, .first = UINT32_MAX };
		*n = 1;
		return 0;
	}
	size_t k = 0;
	if (sim_scn_array(c, o, path, "mix", 1, MAX_MIX, &arr, n) < 0)
		return -1;
	sim_scn_sub(p, path, "mix");
	if (!*n)
		return sim_scn_fail(c, p, "a mix needs at least one entry");
	for (const sim_jv *e = arr->child; e; e = e->next, k++) {
		sim_scn_idx(pi, p, k);
		mx[k] = (pop_mix){ .profile = profile, .first = UINT32_MAX };
		if (sim_scn_object(c, e, pi, keys) || sim_scn_num(c, e, pi, "share", 1, 1e-9, 1e9, &mx[k].share) < 0 ||
		    sim_scn_profile(c, e, pi, &mx[k].profile) < 0)
			return -1;
		char pc[SIM_PATH_MAX];
		sim_scn_sub(pc, pi, "connection");
		if (!sim_jv_is_object(mx[k].conn = sim_jv_get(e, "connection")))
			return sim_scn_fail(c, pc, mx[k].conn ? "expected an object" : "missing required field 'connection'");
	}
	return 0;
}

/* Member k's entry: the smooth weighted round robin, so each entry's members are spread evenly. */
static size_t pick(pop_mix *mx, size_t n)
{
	double total = 0;
	size_t best = 0;
	for (size_t i = 0; i < n; i++) {
		mx[i].credit += mx[i].share;
		total += mx[i].share;
		if (mx[i].credit > mx[best].credit)
			best = i;
	}
	mx[best].credit -= total;
	return best;
}

/* The members' entries (and node profiles), then each entry's one config, then each member's start slot. */
static int templates(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, sim_pop_spec *ps, uint8_t profile)
{
	pop_mix mx[MAX_MIX];
	size_t n = 0;
	char p[SIM_PATH_MAX];
	if (parse_mix(c, o, path, profile, mx, &n))
		return -1;
	uint8_t *which = malloc(ps->count);
	int64_t *at = sim_scn_keep(sc, malloc((size_t)ps->count * sizeof(*at)));
	if (!which || !at) {
		free(which);
		return sim_scn_fail(c, path, "out of memory");
	}
	for (uint32_t k = 0; k < ps->count; k++) {
		size_t i = pick(mx, n);
		which[k] = (uint8_t)i;
		sc->nodes[ps->first + k].profile = mx[i].profile;
		if (mx[i].first == UINT32_MAX)
			mx[i].first = ps->first + k;
	}
	int initiates = -1, rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		int ini = 0;
		snprintf(p, sizeof(p), n == 1 && sim_jv_get(o, "connection") ? "%s.connection" : "%s.mix[%zu].connection",
			 path, i);
		if (mx[i].first == UINT32_MAX)
			continue; /* a share too small to get a member */
		if (!(mx[i].cfg = sim_scn_keep(sc, calloc(1, sizeof(*mx[i].cfg)))))
			rc = sim_scn_fail(c, p, "out of memory");
		else if (sim_scn_conn_template(c, sc, mx[i].conn, p, mx[i].first, ps->name, mx[i].cfg, &ini))
			rc = -1;
		else if (initiates >= 0 && ini != initiates)
			rc = sim_scn_fail(c, p, "every entry of a mix initiates, or none does");
		else if (ps->conn && strcmp(ps->conn->name, mx[i].cfg->name))
			rc = sim_scn_fail(c, p, "every entry of a mix has the same connection name");
		initiates = ini;
		if (!ps->conn)
			ps->conn = mx[i].cfg;
	}
	if (!rc && ps->start != SIM_POP_AT && !initiates) {
		sim_scn_sub(p, path, "start");
		rc = sim_scn_fail(c, p, "members that only respond (\"initiate\": false) have no start times");
	}
	for (uint32_t k = 0; !rc && k < ps->count; k++) {
		sim_node_spec *nd = &sc->nodes[ps->first + k];
		at[k] = initiates ? ps->from : -1; /* the runner draws the spread ones from the run's seed */
		nd->conns = mx[which[k]].cfg;
		nd->n_conns = 1;
		nd->initiate_at = &at[k];
	}
	free(which);
	return rc;
}

static int parse_pop(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, size_t *members)
{
	static const char *const keys[] = { "name", "count", "addresses", "link", "profile", "start", "connection", "mix",
					    NULL };
	sim_pop_spec *ps = &sc->pops[sc->n_pops];
	char p[SIM_PATH_MAX];
	const char *addr = NULL;
	int64_t count = 0;
	uint8_t profile = 0;
	uint32_t to = 0;
	sim_link_cfg lc = { 0 };
	ike_addr base;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 1, &ps->name) < 0 ||
	    sim_scn_int(c, o, path, "count", 1, 1, MAX_MEMBERS, &count) < 0 ||
	    sim_scn_str(c, o, path, "addresses", 1, &addr) < 0 || sim_scn_profile(c, o, path, &profile) < 0 ||
	    parse_start(c, o, path, ps) || parse_link(c, sc, o, path, &to, &lc))
		return -1;
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(ps->name) || strlen(ps->name) > MAX_POP_NAME)
		return sim_scn_fail(c, p, "'%.64s' is not a valid population name (1-%d of A-Z a-z 0-9 . _ -)", ps->name,
				    MAX_POP_NAME);
	if (sim_scn_find_pop(sc, ps->name) >= 0)
		return sim_scn_fail(c, p, "duplicate population name '%s'", ps->name);
	sim_scn_sub(p, path, "count");
	if (*members + (size_t)count > MAX_MEMBERS)
		return sim_scn_fail(c, p, "all populations together may have at most %u members", MAX_MEMBERS);
	*members += (size_t)count;
	ps->count = (uint32_t)count;
	sim_scn_sub(p, path, "addresses");
	if (sim_parse_addr(addr, &base) != 0)
		return sim_scn_fail(c, p, "expected the first member's IPv4 or IPv6 address");
	if (sc->nodes[to].pop)
		return sim_scn_fail(c, path, "link.to: '%s' is a member of a population", sc->nodes[to].name);
	if (add_members(c, sc, ps, &base, profile, to, &lc, path))
		return -1;
	if (templates(c, sc, o, path, ps, profile))
		return -1;
	sc->n_pops++;
	return sim_scn_within_run(c, sc, path, "start", ps->start == SIM_POP_UNIFORM ? ps->to : ps->from);
}

int32_t sim_scn_find_pop(const sim_scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_pops; i++)
		if (!strcmp(sc->pops[i].name, name))
			return (int32_t)i;
	return -1;
}

int sim_scn_populations(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0, i = 0, members = 0;
	char p[SIM_PATH_MAX];
	int r = sim_scn_array(c, root, "", "populations", 0, MAX_POPS, &arr, &n);
	if (r <= 0 || n == 0)
		return r < 0 ? -1 : 0;
	if (!(sc->pops = calloc(n, sizeof(*sc->pops))))
		return sim_scn_fail(c, "populations", "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next, i++) {
		sim_scn_idx(p, "populations", i);
		if (parse_pop(c, sc, o, p, &members))
			return -1;
	}
	return 0;
}
