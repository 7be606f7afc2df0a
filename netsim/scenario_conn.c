/* Scenario connections: each becomes an ike_conn_cfg in its node's array, handed to the engine as is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_CONNS 4000000u

/* One connection while it is parsed: cfg is its zeroed slot in its node's array, once the node is known. */
typedef struct conn_draft {
	uint32_t node;
	int64_t at; /* -1 = respond only */
	ike_conn_cfg *cfg;
	const uint32_t *room; /* slots per node, from make_room */
} conn_draft;

/* The first address of `node` with the wanted family (0 = any); NULL if none. */
static const ike_addr *addr_of(const sim_node_spec *n, uint8_t family)
{
	for (size_t i = 0; i < n->n_addrs; i++)
		if (!family || n->addrs[i].family == family)
			return &n->addrs[i];
	return NULL;
}

static int parse_endpoints(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, conn_draft *fc)
{
	const char *local = NULL, *remote = NULL;
	char p[SIM_PATH_MAX];
	const sim_node_spec *n = &sc->nodes[fc->node];
	if (sim_scn_str(c, o, path, "local", 0, &local) < 0 || sim_scn_str(c, o, path, "remote", 0, &remote) < 0)
		return -1;
	fc->cfg->local = *addr_of(n, 0);
	if (local) {
		sim_scn_sub(p, path, "local");
		size_t i = 0;
		if (sim_parse_addr(local, &fc->cfg->local) != 0)
			return sim_scn_fail(c, p, "expected an IP address literal");
		while (i < n->n_addrs && memcmp(&n->addrs[i], &fc->cfg->local, sizeof(ike_addr)) != 0)
			i++;
		if (i == n->n_addrs)
			return sim_scn_fail(c, p, "%s is not an address of node '%s'", local, n->name);
	}
	const sim_jv *rn = sim_jv_get(o, "remote_node");
	if (!rn == !remote)
		return sim_scn_fail(c, path, "give exactly one of 'remote_node' and 'remote'");
	if (remote) {
		sim_scn_sub(p, path, "remote");
		if (sim_parse_addr(remote, &fc->cfg->remote) != 0)
			return sim_scn_fail(c, p, "expected an IP address literal");
	} else {
		int32_t r = sim_scn_node_ref(c, sc, o, path, "remote_node", 1);
		if (r < 0)
			return -1;
		const ike_addr *ra = addr_of(&sc->nodes[r], fc->cfg->local.family);
		sim_scn_sub(p, path, "remote_node");
		if (!ra)
			return sim_scn_fail(c, p, "node '%s' has no IPv%u address", sc->nodes[r].name,
					    fc->cfg->local.family);
		fc->cfg->remote = *ra;
	}
	if (fc->cfg->remote.family != fc->cfg->local.family)
		return sim_scn_fail(c, path, "local and remote addresses are of different families");
	return 0;
}

int sim_scn_proposals(sim_scn *c, const sim_jv *o, const char *path, const char *key, uint8_t proto,
		      const char *dflt, ike_proposal_list *out)
{
	const char *text = dflt;
	char p[SIM_PATH_MAX], why[200];
	if (sim_scn_str(c, o, path, key, 0, &text) < 0)
		return -1;
	sim_scn_sub(p, path, key);
	why[0] = '\0';
	/* IKEv1's legacy keywords (3des, md5) parse here; an IKEv2 connection that uses them is refused once its
	 * version is known (v1_only_check) */
	if (ike_proposals_parse_v1(text, proto, out, why, sizeof(why)) != 0)
		return sim_scn_fail(c, p, "%s", why[0] ? why : "invalid proposal");
	return 0;
}

int sim_scn_ipsec_proposals(sim_scn *c, const sim_jv *o, const char *path, ike_proposal_list *out)
{
	char p[SIM_PATH_MAX];
	if (!sim_jv_get(o, "ah_proposals"))
		return sim_jv_get(o, "esp") ? sim_scn_proposals(c, o, path, "esp", IKE_PROTO_ESP, NULL, out) : 0;
	if (sim_jv_get(o, "esp")) { /* one protocol per CHILD SA: an AH+ESP bundle is not negotiated */
		sim_scn_sub(p, path, "ah_proposals");
		return sim_scn_fail(c, p, "give either 'esp' or 'ah_proposals', not both (no AH+ESP bundles)");
	}
	return sim_scn_proposals(c, o, path, "ah_proposals", IKE_PROTO_AH, NULL, out);
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
						 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* auth: {psk: "text" or "0x..hex"} (the key bytes are copied into the scenario), or {cert, key, ca[, rsa_pss]}. */
static int parse_auth(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, conn_draft *fc)
{
	static const char *const keys[] = { "psk", "cert", "key", "ca", "rsa_pss", NULL };
	char p[SIM_PATH_MAX], pk[SIM_PATH_MAX];
	const char *psk;
	sim_scn_sub(p, path, "auth");
	const sim_jv *a = sim_jv_get(o, "auth");
	if (!a)
		return sim_scn_fail(c, p, "missing required field 'auth' (e.g. {\"psk\": \"secret\"})");
	if (sim_scn_object(c, a, p, keys))
		return -1;
	int has_psk = sim_jv_get(a, "psk") != NULL;
	int has_cert = sim_jv_get(a, "cert") || sim_jv_get(a, "key") ||
		       sim_jv_get(a, "ca");
	if (has_psk == has_cert)
		return sim_scn_fail(c, p, "give either \"psk\" or \"cert\", \"key\" and \"ca\"%s",
				    has_psk ? ", not both" : "");
	if (has_psk && sim_jv_get(a, "rsa_pss")) {
		sim_scn_sub(pk, p, "rsa_pss");
		return sim_scn_fail(c, pk, "only for certificate authentication (\"cert\", \"key\", \"ca\")");
	}
	if (has_cert)
		return sim_scn_auth_cert(c, sc, a, p, fc->cfg);
	fc->cfg->auth = IKE_AUTH_PSK;
	if (sim_scn_str(c, a, p, "psk", 1, &psk) < 0)
		return -1;
	sim_scn_sub(pk, p, "psk");
	size_t n = strlen(psk), hex = (n > 2 && psk[0] == '0' && (psk[1] == 'x' || psk[1] == 'X'));
	if (n == 0)
		return sim_scn_fail(c, pk, "the pre-shared key must not be empty");
	/* The engine keys the PRF with it and refuses longer keys only when AUTH is computed: say so now. */
	if (!hex && n > IKE_PSK_MAX)
		return sim_scn_fail(c, pk, "the pre-shared key is %zu bytes, over the limit of %u bytes", n, IKE_PSK_MAX);
	if (hex && (n - 2) / 2 > IKE_PSK_MAX)
		return sim_scn_fail(c, pk, "the 0x key is %zu bytes (%zu hex digits), over the limit of %u bytes (%u digits)",
				    (n - 2) / 2, n - 2, IKE_PSK_MAX, 2 * IKE_PSK_MAX);
	uint8_t *key = sim_scn_keep(sc, malloc(n));
	if (!key)
		return sim_scn_fail(c, pk, "out of memory");
	fc->cfg->psk = key;
	if (!hex) {
		memcpy(key, psk, n);
		fc->cfg->psk_len = n;
		return 0;
	}
	if ((n - 2) % 2)
		return sim_scn_fail(c, pk, "a 0x key needs an even number of hex digits");
	for (size_t i = 2; i < n; i += 2) {
		int hi = hexval(psk[i]), lo = hexval(psk[i + 1]);
		if (hi < 0 || lo < 0)
			return sim_scn_fail(c, pk, "'%c%c' is not a hex byte", psk[i], psk[i + 1]);
		key[(i - 2) / 2] = (uint8_t)(hi << 4 | lo);
	}
	fc->cfg->psk_len = (n - 2) / 2;
	return 0;
}

static int parse_id(sim_scn *c, const sim_jv *o, const char *path, const char *key, const char *dflt, ike_id *out)
{
	const char *text = dflt;
	char p[SIM_PATH_MAX], why[160];
	if (sim_scn_str(c, o, path, key, 0, &text) < 0)
		return -1;
	sim_scn_sub(p, path, key);
	if (ike_id_parse(text, out, why, sizeof(why)) != 0)
		return sim_scn_fail(c, p, "%s", why);
	return 0;
}

/* local_ts / remote_ts: 1..IKE_TS_MAX selectors. */
int sim_scn_ts(sim_scn *c, const sim_jv *o, const char *path, const char *key, uint8_t *n_out, ike_ts *out)
{
	const sim_jv *arr;
	size_t n;
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX], why[160];
	int r = sim_scn_array(c, o, path, key, 0, IKE_TS_MAX, &arr, &n);
	if (r <= 0)
		return r;
	sim_scn_sub(p, path, key);
	if (n == 0)
		return sim_scn_fail(c, p, "at least one traffic selector is needed");
	for (size_t i = 0; i < n; i++) {
		const sim_jv *v = sim_jv_at(arr, i);
		sim_scn_idx(pi, p, i);
		if (!sim_jv_is_string(v))
			return sim_scn_fail(c, pi, "expected a string like \"10.1.0.0/16\"");
		if (ike_ts_parse(v->valuestring, &out[i], why, sizeof(why)) != 0)
			return sim_scn_fail(c, pi, "%s", why);
	}
	*n_out = (uint8_t)n;
	return 1;
}

/* The same with the default of a connection's own selectors: the single host address of that end. */
static int parse_ts(sim_scn *c, const sim_jv *o, const char *path, const char *key, const ike_addr *host,
		    uint8_t *n_out, ike_ts *out)
{
	int r = sim_scn_ts(c, o, path, key, n_out, out);
	if (r != 0)
		return r < 0 ? -1 : 0;
	memset(out, 0, sizeof(*out));
	out->family = host->family;
	out->end_port = 65535;
	memcpy(out->start, host->ip, 16);
	memcpy(out->end, host->ip, 16);
	*n_out = 1;
	return 0;
}

/* retransmit: {timeout, factor, tries}; defaults from the profile (strongSwan: 4 s, 1.8, 5 tries). */
static int parse_retransmit(sim_scn *c, const sim_jv *o, const char *path, const sim_profile *pf,
			    ike_retransmit_cfg *rt)
{
	static const char *const keys[] = { "timeout", "factor", "tries", NULL };
	char p[SIM_PATH_MAX];
	*rt = pf->rt;
	int64_t tries = rt->tries;
	const sim_jv *r = sim_jv_get(o, "retransmit");
	if (!r)
		return 0;
	sim_scn_sub(p, path, "retransmit");
	if (sim_scn_object(c, r, p, keys) || sim_scn_time(c, r, p, "timeout", 0, &rt->base) < 0 ||
	    sim_scn_num(c, r, p, "factor", 0, 1.0, 10.0, &rt->factor) < 0 ||
	    sim_scn_int(c, r, p, "tries", 0, 0, 20, &tries) < 0)
		return -1;
	if (rt->base == 0) {
		char pt[SIM_PATH_MAX];
		sim_scn_sub(pt, p, "timeout");
		return sim_scn_fail(c, pt, "the retransmission timeout must be positive");
	}
	rt->tries = (uint8_t)tries;
	return 0;
}

/* Largest UDP payload that crosses every link of `node` in one IP packet, as strongSwan never above a
 * 1280-byte IP datagram (charon.fragment_size); 28 (IPv4) or 48 (IPv6) bytes of IP and UDP headers. */
static uint16_t default_frag_size(const sim_scenario *sc, uint32_t node, uint8_t family)
{
	uint32_t mtu = 1280, hdr = family == 6 ? 48 : 28;
	for (size_t i = 0; i < sc->n_links; i++)
		if ((sc->links[i].a == node || sc->links[i].b == node) && sc->links[i].cfg.mtu < mtu)
			mtu = sc->links[i].cfg.mtu;
	return (uint16_t)(mtu < hdr + IKE_FRAG_SIZE_MIN ? IKE_FRAG_SIZE_MIN : mtu - hdr);
}

/* fragmentation: strongSwan's "yes" (default), "no", "force", "accept"; fragment_size: UDP payload bytes. */
static int parse_frag(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, conn_draft *fc)
{
	static const char *const modes[] = { "no", "yes", "force", "accept" }; /* enum ike_frag_mode's order */
	const char *mode = NULL;
	int64_t size = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_str(c, o, path, "fragmentation", 0, &mode) < 0 ||
	    sim_scn_int(c, o, path, "fragment_size", 0, IKE_FRAG_SIZE_MIN, 65507, &size) < 0)
		return -1;
	uint8_t m = IKE_FRAG_YES;
	if (mode) {
		for (m = 0; m < 4 && strcmp(mode, modes[m]); m++)
			;
		sim_scn_sub(p, path, "fragmentation");
		if (m == 4)
			return sim_scn_fail(c, p, "'%.40s' is not one of \"yes\", \"no\", \"force\", \"accept\"",
					    mode);
	}
	fc->cfg->fragmentation = m;
	fc->cfg->fragment_size =
		size ? (uint16_t)size : default_frag_size(sc, fc->node, fc->cfg->local.family);
	return 0;
}

/* NAT traversal (strongSwan's names): natt_port (its port_nat_t; 0 = 4500 from port 500), encap (default: the
 * node's "encap"), keepalive (20 s), mobike (RFC 4555, on). */
static int parse_natt(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, conn_draft *fc)
{
	int64_t port = 0;
	int encap = sc->nodes[fc->node].esp_encap, mobike = 1;
	ike_time ka = 20 * IKE_NS_PER_SEC;
	char p[SIM_PATH_MAX];
	if (sim_scn_int(c, o, path, "natt_port", 0, 1, 65535, &port) < 0 ||
	    sim_scn_bool(c, o, path, "encap", 0, &encap) < 0 || sim_scn_time(c, o, path, "keepalive", 0, &ka) < 0 ||
	    sim_scn_bool(c, o, path, "mobike", 0, &mobike) < 0)
		return -1;
	fc->cfg->mobike = mobike != 0;
	sim_scn_sub(p, path, "natt_port");
	if (port == 500)
		return sim_scn_fail(c, p, "500 carries bare IKE: the NAT-T port must be another one (4500)");
	fc->cfg->natt_port = (uint16_t)port;
	fc->cfg->encap = encap != 0;
	sim_scn_sub(p, path, "keepalive");
	if (ka > 0 && ka < IKE_NS_PER_SEC / 10) /* a keepalive every few ns would be a flood (and a hung run) */
		return sim_scn_fail(c, p, "%.3f s is too short: 0 (off) or at least 0.1 s", (double)ka / 1e9);
	fc->cfg->keepalive = ka;
	return 0;
}

/* 3DES and MD5 exist for IKEv1 only (the IKEv2 and ESP code has neither): an IKEv2 connection may not name them. */
static int v1_only_check(sim_scn *c, const char *path, const ike_conn_cfg *cfg)
{
	bool v1_only = ike_proposals_v1_only(&cfg->ike);
	for (size_t i = 0; i < cfg->n_children; i++)
		v1_only |= ike_proposals_v1_only(&cfg->children[i].esp);
	if (v1_only && cfg->version != 1)
		return sim_scn_fail(c, path, "3des and md5 are for IKEv1 connections only (\"version\": 1)");
	return 0;
}

/* version, initiate and "at": when this end starts IKE_SA_INIT, if ever. */
static int parse_start(sim_scn *c, const sim_jv *o, const char *path, conn_draft *fc)
{
	int64_t version = 2;
	int initiate = 0, aggressive = 0;
	char p[SIM_PATH_MAX];
	if (sim_scn_int(c, o, path, "version", 0, 1, 2, &version) < 0 ||
	    sim_scn_bool(c, o, path, "initiate", 0, &initiate) < 0 ||
	    sim_scn_bool(c, o, path, "aggressive", 0, &aggressive) < 0)
		return -1;
	sim_scn_sub(p, path, "aggressive");
	if (aggressive && version != 1)
		return sim_scn_fail(c, p, "Aggressive Mode is IKEv1's: it needs \"version\": 1");
	fc->cfg->aggressive = aggressive != 0;
	sim_scn_sub(p, path, "version");
	fc->cfg->version = (uint8_t)version; /* 1: IKEv1 Main Mode + Quick Mode (engine/ikev1) */
	fc->at = initiate ? 0 : -1;
	int r = sim_scn_time(c, o, path, "at", 0, &fc->at);
	sim_scn_sub(p, path, "at");
	if (r > 0 && !initiate)
		return sim_scn_fail(c, p, "'at' needs \"initiate\": true");
	return r < 0 ? -1 : 0;
}

/* The connection's own esp/local_ts/remote_ts: its one child, or what each of its `children` starts from. */
static int parse_child_template(sim_scn *c, const sim_jv *o, const char *path, const conn_draft *fc, ike_child_cfg *t)
{
	memset(t, 0, sizeof(*t));
	t->start = fc->at >= 0 ? IKE_CHILD_START_START : IKE_CHILD_START_NONE;
	t->mode = IKE_MODE_TUNNEL;
	if (sim_scn_proposals(c, o, path, "esp", IKE_PROTO_ESP, "aes128gcm16", &t->esp) ||
	    sim_scn_ipsec_proposals(c, o, path, &t->esp) ||
	    parse_ts(c, o, path, "local_ts", &fc->cfg->local, &t->n_local_ts, t->local_ts) ||
	    parse_ts(c, o, path, "remote_ts", &fc->cfg->remote, &t->n_remote_ts, t->remote_ts))
		return -1;
	return 0;
}

/* Everything after the endpoints, start and auth: identities, children, lifetimes, DPD, retransmission. */
static int parse_conn_rest(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, conn_draft *fc)
{
	uint8_t prof = sc->nodes[fc->node].profile;
	ike_child_cfg tmpl;
	if (sim_scn_profile(c, o, path, &prof) < 0)
		return -1;
	const sim_profile *pf = sim_profile_get(prof);
	fc->cfg->local_id.type = fc->cfg->local.family == 4 ? 1 : 5; /* default: our IP address */
	fc->cfg->local_id.len = fc->cfg->local.family == 4 ? 4 : 16;
	memcpy(fc->cfg->local_id.data, fc->cfg->local.ip, fc->cfg->local_id.len);
	const sim_jv *lid = sim_jv_get(o, "local_id");
	if ((lid && parse_id(c, o, path, "local_id", NULL, &fc->cfg->local_id)) ||
	    parse_id(c, o, path, "remote_id", "%any", &fc->cfg->remote_id) ||
	    parse_child_template(c, o, path, fc, &tmpl) ||
	    sim_scn_children(c, sc, o, path, pf, &tmpl, fc->cfg) ||
	    sim_scn_ike_life(c, o, path, pf, &fc->cfg->ike_life) || sim_scn_dpd(c, o, path, pf, fc->cfg))
		return -1;
	if (parse_frag(c, sc, o, path, fc) || parse_natt(c, sc, o, path, fc) || sim_scn_xauth(c, sc, o, path, fc->cfg))
		return -1;
	return parse_retransmit(c, o, path, pf, &fc->cfg->retransmit);
}

static int parse_conn(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, conn_draft *fc)
{
	static const char *const keys[] = { "name", "node", "remote_node", "remote", "local", "version", "initiate",
					    "at", "ike", "esp", "ah_proposals", "auth", "local_id", "remote_id", "local_ts",
					    "remote_ts", "ike_lifetime", "child_lifetime", "retransmit",
					    /* the lifecycle (swanctl's names) */
					    "profile", "children", "rekey_time", "reauth_time", "rand_time", "over_time",
					    "dpd_delay", "dpd_action", "keyingtries", "initial_contact", "make_before_break",
					    "fragmentation", "fragment_size",
					    /* NAT traversal */
					    "natt_port", "encap", "keepalive", "mobike",
					    /* IKEv1 */
					    "aggressive", "xauth", "xauth_users", "pool", "modecfg", NULL };
	char p[SIM_PATH_MAX];
	const char *name;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 1, &name) < 0)
		return -1;
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(name))
		return sim_scn_fail(c, p, "'%.64s' is not a valid name (1-63 of A-Z a-z 0-9 . _ -)", name);
	int32_t node = sim_scn_node_ref(c, sc, o, path, "node", 1);
	if (node < 0)
		return -1;
	fc->node = (uint32_t)node;
	sim_node_spec *nd = &sc->nodes[node];
	if (nd->pop) {
		sim_scn_sub(p, path, "node");
		return sim_scn_fail(c, p, "'%s' is a population's member: its connection is the population's", nd->name);
	}
	if (nd->n_conns >= fc->room[node])
		return sim_scn_fail(c, path, "internal error: connection count changed");
	fc->cfg = &nd->conns[nd->n_conns];
	fc->cfg->name = name;
	if (parse_endpoints(c, sc, o, path, fc) || parse_start(c, o, path, fc) ||
	    sim_scn_proposals(c, o, path, "ike", IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519", &fc->cfg->ike) ||
	    parse_auth(c, sc, o, path, fc) || parse_conn_rest(c, sc, o, path, fc))
		return -1;
	return v1_only_check(c, path, fc->cfg);
}

/* The member's own address as its only local selector: the template's default, made "dynamic" (n 0). */
static void make_dynamic(ike_conn_cfg *cfg, const ike_addr *host)
{
	for (size_t i = 0; i < cfg->n_children; i++) {
		ike_child_cfg *ch = (ike_child_cfg *)&cfg->children[i];
		const ike_ts *t = &ch->local_ts[0];
		if (ch->n_local_ts == 1 && t->family == host->family && !memcmp(t->start, host->ip, 16) &&
		    !memcmp(t->end, host->ip, 16) && t->start_port == 0 && t->end_port == 65535 && !t->ip_proto)
			ch->n_local_ts = 0;
	}
}

int sim_scn_conn_template(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, uint32_t member,
			  const char *dflt_name, ike_conn_cfg *cfg, int *initiates)
{
	static const char *const keys[] = { "name", "remote_node", "remote", "version", "initiate",
					    "ike", "esp", "ah_proposals", "auth", "remote_id", "local_ts",
					    "remote_ts", "ike_lifetime", "child_lifetime", "retransmit",
					    "profile", "children", "rekey_time", "reauth_time", "rand_time", "over_time",
					    "dpd_delay", "dpd_action", "keyingtries", "initial_contact", "make_before_break",
					    "fragmentation", "fragment_size", "natt_port", "encap", "keepalive", "mobike", NULL };
	conn_draft d = { .node = member, .cfg = cfg }, *fc = &d;
	ike_child_cfg *child = sim_scn_keep(sc, calloc(1, sizeof(*child)));
	if (!child)
		return sim_scn_fail(c, path, "out of memory");
	cfg->children = child;
	cfg->n_children = 1;
	cfg->name = dflt_name;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 0, &cfg->name) < 0)
		return -1;
	char p[SIM_PATH_MAX];
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(cfg->name))
		return sim_scn_fail(c, p, "'%.64s' is not a valid name (1-63 of A-Z a-z 0-9 . _ -)", cfg->name);
	if (parse_endpoints(c, sc, o, path, fc) || parse_start(c, o, path, fc))
		return -1;
	if (!sim_jv_get(o, "initiate"))
		fc->at = 0; /* members initiate unless told not to: the population's "start" says when */
	if (cfg->version != 2) {
		sim_scn_sub(p, path, "version");
		return sim_scn_fail(c, p, "populations are IKEv2 only for now");
	}
	if (sim_scn_proposals(c, o, path, "ike", IKE_PROTO_IKE, "aes128gcm16-prfsha256-x25519", &cfg->ike) ||
	    parse_auth(c, sc, o, path, fc) || parse_conn_rest(c, sc, o, path, fc))
		return -1;
	if (cfg->auth != IKE_AUTH_PSK) {
		sim_scn_sub(p, path, "auth");
		return sim_scn_fail(c, p, "population members authenticate with a PSK for now (one identity each: their address)");
	}
	ike_addr host = cfg->local;
	memset(cfg->local.ip, 0, sizeof(cfg->local.ip)); /* each member sends from its own address */
	memset(&cfg->local_id, 0, sizeof(cfg->local_id)); /* and is its address: ID_IPV4_ADDR / ID_IPV6_ADDR */
	make_dynamic(cfg, &host);
	*initiates = fc->at >= 0;
	return 0;
}

/*
 * Gives each node arrays for as many connections as name it in `node`. The main pass resolves `node` the
 * same way, so it fills exactly these; items the count skips fail there before they need a slot.
 */
static int make_room(sim_scenario *sc, const sim_jv *arr, uint32_t *room)
{
	for (const sim_jv *o = arr->child; o; o = o->next) {
		const sim_jv *v = sim_jv_is_object(o) ? sim_jv_get(o, "node") : NULL;
		int32_t k = sim_jv_is_string(v) ? sim_scn_find_node(sc, v->valuestring) : -1;
		if (k >= 0)
			room[k]++;
	}
	size_t total = 0;
	for (size_t k = 0; k < sc->n_nodes; k++)
		total += room[k];
	/* One block for all nodes: 10^5 separate 3 KiB callocs were a fifth of a large load. */
	sim_scn_owned *ow = sc->owned;
	ike_conn_cfg *cfg = sim_scn_keep(sc, calloc(total ? total : 1, sizeof(*cfg)));
	int64_t *at = sim_scn_keep(sc, calloc(total ? total : 1, sizeof(*at)));
	ike_child_cfg *child = sim_scn_keep(sc, calloc(total ? total : 1, sizeof(*child)));
	if (!cfg || !at || !child)
		return -1;
	for (size_t i = 0; i < total; i++) { /* the implicit child; `children` brings its own array */
		cfg[i].children = &child[i];
		cfg[i].n_children = 1;
	}
	ow->conn_block = cfg;
	ow->n_block = total;
	for (size_t k = 0; k < sc->n_nodes; k++) {
		if (!room[k])
			continue;
		sc->nodes[k].conns = cfg;
		sc->nodes[k].initiate_at = at;
		cfg += room[k];
		at += room[k];
	}
	return 0;
}

/* Parses connection i into its node's next slot, checks its name is new on that node, counts it. */
static int add_conn(sim_scn *c, sim_scenario *sc, const sim_jv *o, size_t i, const uint32_t *room)
{
	char p[SIM_PATH_MAX], pn[SIM_PATH_MAX];
	conn_draft d = { .room = room }, *fc = &d;
	sim_scn_idx(p, "connections", i);
	if (parse_conn(c, sc, o, p, fc) != 0)
		return -1;
	sim_scn_sub(pn, p, "name");
	sim_node_spec *nd = &sc->nodes[fc->node];
	if (sim_scn_find_conn(sc, fc->node, fc->cfg->name))
		return sim_scn_fail(c, pn, "node '%s' already has a connection named '%s'", nd->name, fc->cfg->name);
	nd->initiate_at[nd->n_conns] = fc->at;
	if (sim_scn_add_conn(sc, (uint32_t)i, fc->node, fc->cfg->name))
		return sim_scn_fail(c, pn, "out of memory");
	return 0;
}

int sim_scn_connections(sim_scn *c, sim_scenario *sc, const sim_jv *root)
{
	const sim_jv *arr;
	size_t n = 0, i = 0;
	int r = sim_scn_array(c, root, "", "connections", 0, MAX_CONNS, &arr, &n);
	if (r <= 0 || n == 0) /* absent or empty: none */
		return r < 0 ? -1 : 0;
	uint32_t *room = calloc(sc->n_nodes, sizeof(*room));
	if (!room || sim_scn_reserve_conns(sc, n) || make_room(sc, arr, room))
		sim_scn_fail(c, "connections", "out of memory");
	for (const sim_jv *o = arr->child; o && !c->failed; o = o->next, i++)
		add_conn(c, sc, o, i, room);
	free(room);
	return c->failed ? -1 : 0;
}
