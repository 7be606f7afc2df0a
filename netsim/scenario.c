/* Scenario loading: read, parse, validate every field before anything runs. Nodes and links live here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "scenario_int.h"
#include "scenario_lex.h"

#define MAX_FILE (16u << 20)
#define MAX_NODES 1000000u

void *sim_scn_keep(sim_scenario *sc, void *p)
{
	sim_scn_owned *o = sc->owned;
	if (p && o->n_blobs == o->cap_blobs) {
		/* Doubling: generated scenarios keep 10^6 names, and growing by one was quadratic. */
		size_t cap = o->cap_blobs ? 2 * o->cap_blobs : 16;
		void **b = realloc(o->blobs, cap * sizeof(*b));
		if (!b) {
			free(p);
			return NULL;
		}
		o->blobs = b;
		o->cap_blobs = cap;
	}
	if (!p)
		return NULL;
	o->blobs[o->n_blobs++] = p;
	return p;
}

static int in_block(const sim_scn_owned *o, const ike_conn_cfg *c)
{
	uintptr_t lo = (uintptr_t)o->conn_block, p = (uintptr_t)c;
	return o->conn_block && p >= lo && p < lo + o->n_block * sizeof(*c);
}

void sim_scenario_free(sim_scenario *sc)
{
	if (!sc)
		return;
	sim_scn_owned *o = sc->owned;
	for (size_t i = 0; i < sc->n_nodes; i++) {
		/* Loaded nodes share the blocks in o->blobs; sim_scenario_node_conns allocates per node. */
		if ((o && in_block(o, sc->nodes[i].conns)) || sc->nodes[i].pop) /* members: kept with the scenario */
			continue;
		free(sc->nodes[i].conns);
		free(sc->nodes[i].initiate_at);
	}
	free(sc->nodes);
	free(sc->links);
	free(sc->faults);
	free(sc->expects);
	free(sc->actions);
	free(sc->hosts);
	free(sc->flows);
	free(sc->cross);
	free(sc->pops);
	free(sc->attacks);
	free(sc->inputs);
	if (o) {
		for (size_t i = 0; i < o->n_blobs; i++)
			free(o->blobs[i]);
		free(o->blobs);
		for (size_t i = 0; i < o->n_creds; i++)
			ike_cred_free(o->creds[i]);
		free(o->creds);
		sim_index_free(&o->names);
		sim_scn_drop_indexes(o);
		sim_jv_free(o->root);
		free(o);
	}
	free(sc);
}

int32_t sim_scn_node_ref(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, const char *key,
			 int required)
{
	const char *name;
	char p[SIM_PATH_MAX];
	int r = sim_scn_str(c, o, path, key, required, &name);
	if (r <= 0)
		return -1;
	int32_t n = sim_scn_find_node(sc, name);
	sim_scn_sub(p, path, key);
	if (n < 0)
		sim_scn_fail(c, p, "no node named '%.64s'", name);
	return n;
}

/*
 * Optional responder DoS knobs (ike_peer_cfg): cookie and block thresholds, half-open limit and timeout.
 * Off without a node "profile"; a profile sets its implementation's numbers, each still overridable.
 */
static int parse_dos(sim_scn *c, sim_node_spec *n, const sim_jv *o, const char *path)
{
	if (sim_scn_profile(c, o, path, &n->profile) < 0)
		return -1;
	if (n->profile) {
		const sim_profile *pf = sim_profile_get(n->profile);
		n->cookie_threshold = pf->cookie_threshold;
		n->cookie_threshold_ip = pf->cookie_threshold_ip;
		n->block_threshold = pf->block_threshold;
		n->half_open_limit = pf->half_open_limit;
		n->half_open_timeout = pf->half_open_timeout;
	}
	static const char *const names[] = { "cookie_threshold", "cookie_threshold_ip", "block_threshold",
					     "half_open_limit", "ikesa_limit" };
	uint32_t *slots[] = { &n->cookie_threshold, &n->cookie_threshold_ip, &n->block_threshold, &n->half_open_limit,
			      &n->ikesa_limit };
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int64_t v = *slots[k];
		if (sim_scn_int(c, o, path, names[k], 0, 0, UINT32_MAX, &v) < 0)
			return -1;
		*slots[k] = (uint32_t)v;
	}
	const char *mode = NULL;
	char p[SIM_PATH_MAX];
	if (sim_scn_str(c, o, path, "ddos_mode", 0, &mode) < 0)
		return -1;
	sim_scn_sub(p, path, "ddos_mode");
	if (mode && !strcmp(mode, "busy")) /* libreswan: cookies for everyone */
		n->cookie_always = 1;
	else if (mode && !strcmp(mode, "unlimited")) /* libreswan: never cookies (limits still apply) */
		n->cookie_threshold = n->cookie_threshold_ip = 0;
	else if (mode && strcmp(mode, "auto"))
		return sim_scn_fail(c, p, "'%.40s' is not one of \"auto\", \"busy\", \"unlimited\"", mode);
	return sim_scn_time(c, o, path, "half_open_timeout", 0, &n->half_open_timeout) < 0 ? -1 : 0;
}

static int parse_node(sim_scn *c, sim_scenario *sc, const sim_jv *o, size_t i, const char *path)
{
	static const char *const keys[] = { "name", "addresses", "cookie_threshold", "cookie_threshold_ip",
					    "block_threshold", "half_open_limit", "half_open_timeout", "profile", "encap", "router", "routes",
					    "nat", "cpu", "ikesa_limit", "ddos_mode", NULL };
	sim_node_spec *n = &sc->nodes[i];
	const sim_jv *addrs;
	size_t na;
	char p[SIM_PATH_MAX], pa[SIM_PATH_MAX], pi[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 1, &n->name) < 0)
		return -1;
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(n->name))
		return sim_scn_fail(c, p, "'%.64s' is not a valid name (1-63 of A-Z a-z 0-9 . _ -)", n->name);
	if (sim_scn_find_node(sc, n->name) >= 0)
		return sim_scn_fail(c, p, "duplicate node name '%s'", n->name);
	if (sim_scn_add_node(sc, (uint32_t)i))
		return sim_scn_fail(c, p, "out of memory");
	if (sim_scn_array(c, o, path, "addresses", 1, SIM_ADDRS_MAX, &addrs, &na) < 0)
		return -1;
	sim_scn_sub(pa, path, "addresses");
	if (na == 0)
		return sim_scn_fail(c, pa, "a node needs at least one address");
	for (size_t k = 0; k < na; k++) {
		const sim_jv *a = sim_jv_at(addrs, k);
		sim_scn_idx(pi, pa, k);
		if (!sim_jv_is_string(a) || sim_parse_addr(a->valuestring, &n->addrs[k]) != 0)
			return sim_scn_fail(c, pi, "expected an IPv4 or IPv6 address literal");
		if (sim_scn_addr_taken(sc, &n->addrs[k]))
			return sim_scn_fail(c, pi, "address %s is already used", a->valuestring);
		if (sim_scn_add_addr(sc, (uint32_t)i, (uint32_t)k))
			return sim_scn_fail(c, pi, "out of memory");
		n->n_addrs = (uint8_t)(k + 1);
	}
	int encap = 0;
	if (sim_scn_bool(c, o, path, "encap", 0, &encap) < 0)
		return -1;
	n->esp_encap = (uint8_t)encap;
	if (sim_scn_cpu(c, sc, n, o, path) < 0)
		return -1;
	return parse_dos(c, n, o, path);
}

static int parse_nodes(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n;
	char p[SIM_PATH_MAX];
	if (sim_scn_array(c, root, "", "nodes", 1, MAX_NODES, &arr, &n) < 0)
		return -1;
	if (n == 0)
		return sim_scn_fail(c, "nodes", "a scenario needs at least one node");
	sim_scn_owned *ow = sc->owned;
	/* Sized once for all nodes (and one address each); more addresses grow the table. */
	if (!(sc->nodes = calloc(n, sizeof(*sc->nodes))) || sim_index_reserve(&ow->names, n) ||
	    sim_index_reserve(&ow->addrs, n))
		return sim_scn_fail(c, "nodes", "out of memory");
	sc->n_nodes = 0;
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, "nodes", sc->n_nodes);
		sc->n_nodes++;
		if (parse_node(c, sc, o, sc->n_nodes - 1, p) != 0)
			return -1;
	}
	return 0;
}

static int parse_link(sim_scn *c, sim_scenario *sc, const sim_jv *o, size_t i, const char *path)
{
	static const char *const keys[] = { "a", "b", "latency", "jitter", "loss", "mtu", "rate", "queue", NULL };
	sim_link_spec *l = &sc->links[i];
	int64_t mtu = 1500;
	char p[SIM_PATH_MAX];
	if (sim_scn_object(c, o, path, keys))
		return -1;
	int32_t a = sim_scn_node_ref(c, sc, o, path, "a", 1), b = a < 0 ? -1 : sim_scn_node_ref(c, sc, o, path, "b", 1);
	if (a < 0 || b < 0)
		return -1;
	sim_scn_sub(p, path, "b");
	if (a == b)
		return sim_scn_fail(c, p, "a link needs two different nodes");
	if (sim_scn_find_link(sc, (uint32_t)a, (uint32_t)b) >= 0)
		return sim_scn_fail(c, path, "duplicate link between '%s' and '%s'", sc->nodes[a].name,
				    sc->nodes[b].name);
	l->a = (uint32_t)a;
	l->b = (uint32_t)b;
	if (sim_scn_add_link(sc, (uint32_t)i))
		return sim_scn_fail(c, path, "out of memory");
	if (sim_scn_time(c, o, path, "latency", 0, &l->cfg.latency) < 0 ||
	    sim_scn_time(c, o, path, "jitter", 0, &l->cfg.jitter) < 0 ||
	    sim_scn_num(c, o, path, "loss", 0, 0.0, 1.0, &l->cfg.loss) < 0 ||
	    sim_scn_int(c, o, path, "mtu", 0, 68, 65535, &mtu) < 0 || sim_scn_link_rate(c, o, path, &l->cfg))
		return -1;
	l->cfg.mtu = (uint32_t)mtu;
	return 0;
}

static int parse_links(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_array(c, root, "", "links", 0, 4 * (size_t)MAX_NODES, &arr, &n) <= 0)
		return c->failed ? -1 : 0;
	if (n && (!(sc->links = calloc(n, sizeof(*sc->links))) ||
		  sim_index_reserve(&((sim_scn_owned *)sc->owned)->links, n)))
		return sim_scn_fail(c, "links", "out of memory");
	for (const sim_jv *o = arr->child; o; o = o->next) {
		sim_scn_idx(p, "links", sc->n_links);
		if (parse_link(c, sc, o, sc->n_links, p) != 0)
			return -1;
		sc->n_links++;
	}
	return 0;
}

static int parse_seed(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *v = sim_jv_get(root, "seed");
	sc->seed = 1;
	if (!v)
		return 0;
	if (sim_jv_is_number(v)) {
		if (!(v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0) || v->valuedouble != (double)(uint64_t)v->valuedouble)
			return sim_scn_fail(c, "seed", "expected a whole number in [0, 2^53] (use a string for larger seeds)");
		sc->seed = (uint64_t)v->valuedouble;
		return 0;
	}
	if (!sim_jv_is_string(v))
		return sim_scn_fail(c, "seed", "expected an unsigned integer (number or decimal/0x string)");
	if (sim_parse_u64(v->valuestring, &sc->seed) != 0)
		return sim_scn_fail(c, "seed", "'%.40s' is not an unsigned 64-bit integer (decimal or 0x hex digits only)",
				    v->valuestring);
	return 0;
}

static int parse_root(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	static const char *const keys[] = { "description", "seed", "duration", "cert_time", "nodes", "links",
					    "connections", "hosts", "flows", "faults", "expect", "actions", "populations", "metrics",
					    "backend", "cross_traffic", "attackers", NULL };
	const char *desc, *backend = NULL;
	if (sim_scn_object(c, root, "", keys) || sim_scn_str(c, root, "", "description", 0, &desc) < 0 ||
	    parse_seed(c, sc, root) || sim_scn_str(c, root, "", "backend", 0, &backend) < 0)
		return -1;
	if (backend && sim_backend_kind_parse(backend, &sc->backend) != 0)
		return sim_scn_fail(c, "backend", "'%.40s' is no backend (builtin or ns3)", backend);
	sc->duration = 60 * IKE_NS_PER_SEC;
	if (sim_scn_time(c, root, "", "duration", 0, &sc->duration) < 0)
		return -1;
	if (parse_nodes(c, sc, root) || parse_links(c, sc, root) || sim_scn_populations(c, sc, root) ||
	    sim_scn_routing(c, sc, root) ||
	    sim_scn_connections(c, sc, root) ||
	    sim_scn_hosts(c, sc, root) || sim_scn_flows(c, sc, root) || sim_scn_cross(c, sc, root) ||
	    sim_scn_cert_time(c, sc, root) || sim_scn_faults(c, sc, root) || sim_scn_metrics(c, sc, root) || sim_scn_expects(c, sc, root) ||
	    sim_scn_actions(c, sc, root) || sim_scn_attackers(c, sc, root))
		return -1;
	return 0;
}

/* After the top-level value only whitespace may follow: "{...} x" is a mistake, not a scenario. */
static int trailing(const char *file, const char *text, size_t len, size_t at, char *err, size_t errlen)
{
	size_t line, col;
	while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n'))
		at++;
	if (at == len)
		return 0;
	sim_scn_position(text, at, &line, &col);
	snprintf(err, errlen, "%s:%zu:%zu: unexpected data after the top-level JSON value", file, line, col);
	return -1;
}

sim_scenario *sim_scenario_parse(const char *file, const char *text, size_t len, char *err, size_t errlen)
{
	sim_scn c = { file, err, errlen, 0 };
	sim_scenario *sc = calloc(1, sizeof(*sc));
	sim_scn_owned *o = calloc(1, sizeof(*o));
	if (!sc || !o) {
		free(sc);
		free(o);
		snprintf(err, errlen, "%s: out of memory", file);
		return NULL;
	}
	sc->owned = o;
	sc->file = file;
	sim_scn_lex_stats st;
	if (sim_scn_lex(file, text, len, &st, err, errlen) != 0) {
		sim_scenario_free(sc);
		return NULL;
	}
	/* Nodes for exactly the values the pre-scan counted (a few spare: it does not check the syntax). */
	size_t end = 0, bad = 0;
	o->root = sim_jv_parse(text, len, st.values + 8, &end, &bad);
	if (!o->root || trailing(file, text, len, end, err, errlen)) {
		size_t line, col;
		sim_scn_position(text, bad < len ? bad : len, &line, &col);
		if (!o->root && bad == SIZE_MAX)
			snprintf(err, errlen, "%s: out of memory", file);
		else if (!o->root)
			snprintf(err, errlen, "%s:%zu:%zu: invalid JSON near line %zu, column %zu", file, line, col, line,
				 col);
		sim_scenario_free(sc);
		return NULL;
	}
	if (parse_root(&c, sc, o->root) != 0) {
		if (!c.failed) /* every refusal must say why; an empty line would hide a loader bug */
			snprintf(err, errlen, "%s: refused without a reason (a loader bug: please report it)", file);
		sim_scenario_free(sc);
		return NULL;
	}
	sim_scn_drop_indexes(o);
	return sc;
}

sim_scenario *sim_scenario_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	text = malloc(MAX_FILE + 1);
	errno = 0;
	if (text)
		len = fread(text, 1, MAX_FILE + 1, f);
	int bad = !text || ferror(f) || len > MAX_FILE, why = errno; /* EISDIR for a directory */
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 !text ? "out of memory" : len > MAX_FILE ? "larger than 16 MiB" : why ? strerror(why) : "read error");
		free(text);
		return NULL;
	}
	sim_scenario *sc = sim_scenario_parse(path, text, len, err, errlen);
	free(text);
	return sc;
}
