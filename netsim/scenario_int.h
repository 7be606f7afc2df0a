/* Shared between the scenario loader's files only. */
#ifndef SIM_SCENARIO_INT_H
#define SIM_SCENARIO_INT_H

#include "scenario.h"
#include "scenario_index.h"
#include "scenario_json.h"

/* A loaded connection by (node, name), and where it landed in its node's conns array. */
typedef struct sim_scn_conn_ref {
	const char *name;
	uint32_t node, slot;
} sim_scn_conn_ref;

/* What a scenario owns besides its arrays: the JSON tree (strings point into it), extra buffers, indexes. */
typedef struct sim_scn_owned {
	sim_jv *root;
	void **blobs;
	size_t n_blobs, cap_blobs;
	ike_conn_cfg *conn_block; /* every loaded node's conns point into it (kept in blobs, as initiate_at) */
	size_t n_block;
	sim_index names; /* node name -> node; kept after loading for sim_scenario_node */
	ike_cred **creds; /* every connection's credential (auth.cert), freed with the scenario */
	size_t n_creds, cap_creds;
	size_t cap_inputs; /* of sc->inputs */
	/* Loader-only, dropped once loading ends: */
	sim_index addrs; /* node address -> node * SIM_ADDRS_MAX + k */
	sim_index links; /* unordered endpoint pair -> link */
	sim_index conns; /* (node, connection name) -> conn_refs entry */
	sim_scn_conn_ref *conn_refs;
} sim_scn_owned;

/* Keeps p alive as long as the scenario; returns p, or NULL (and frees p) when out of memory. */
void *sim_scn_keep(sim_scenario *sc, void *p);

/* scenario_conn.c: a population's connection template (docs/population.md), parsed as a connection of node
 * `member` (the first member) without node/local/local_id/at; the shared config has local 0.0.0.0 (or ::),
 * no local_id and "dynamic" local selectors so that each member fills in its own address. 0 or -1. */
int sim_scn_conn_template(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, uint32_t member,
			  const char *dflt_name, ike_conn_cfg *cfg, int *initiates);
/* scenario_pop.c: "populations" (after nodes and links, before routing); 0 or -1. */
int sim_scn_populations(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* The population named `name`, or -1. */
int32_t sim_scn_find_pop(const sim_scenario *sc, const char *name);
/* scenario_cpu.c: node's optional "cpu" into n->cpu. 0 or -1. */
int sim_scn_cpu(sim_scn *c, sim_scenario *sc, sim_node_spec *n, const sim_jv *node, const char *path);
/* scenario_net.c: every node's "router", "routes" and "nat" (after nodes and links). 0 or -1. */
int sim_scn_routing(sim_scn *c, sim_scenario *sc, const sim_jv *root);
int sim_scn_connections(sim_scn *c, sim_scenario *sc, const sim_jv *root);
int sim_scn_faults(sim_scn *c, sim_scenario *sc, const sim_jv *root);
int sim_scn_expects(sim_scn *c, sim_scenario *sc, const sim_jv *root);
int sim_scn_actions(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* scenario_attack.c: "attackers" (after the connections: an attacker's node runs none). 0 or -1. */
int sim_scn_attackers(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* scenario_traffic.c: "hosts", "flows" (after nodes), and one { "flow": .. } expectation. 0 or -1. */
int sim_scn_hosts(sim_scn *c, sim_scenario *sc, const sim_jv *root);
int sim_scn_flows(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* scenario_xtraffic.c: a link's "rate" and "queue" into cfg; the top-level "cross_traffic" (after nodes). */
int sim_scn_link_rate(sim_scn *c, const sim_jv *o, const char *path, sim_link_cfg *cfg);
int sim_scn_cross(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* scenario_metrics.c: the top-level "metrics" object; an expectation with "metric". 0 or -1. */
int sim_scn_metrics(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* scenario_net.c: "10.0.0.0/8", "10.0.0.5" (a host route: /32 or /128), "default" (plen 0). 0 or -1. */
int sim_scn_parse_prefix(const char *s, ike_addr *a, uint8_t *plen);
/* scenario_rule.c: one { "config": PATH, ... } expectation, decided now. 0 or -1. */
int sim_scn_rule_expect(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e);
int sim_scn_metric_expect(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e);
int sim_scn_flow_expect(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, sim_expect_spec *e);

/* Peer profiles: the defaults one implementation uses (scenario_life.c; sources in docs/scenario.md). */
enum sim_profile_id { SIM_PROFILE_NONE, SIM_PROFILE_STRONGSWAN, SIM_PROFILE_LIBRESWAN, SIM_PROFILE_ANDROID,
		      SIM_PROFILE_ANDROID_NATIVE, SIM_PROFILE_OPENIKED, SIM_PROFILE_N };

typedef struct sim_profile {
	const char *name;
	ike_time ike_rekey, ike_reauth, child_rekey;
	ike_time margin; /* 0: swanctl's rule (over and rand 10 % of rekey); else pluto's rekeymargin */
	ike_retransmit_cfg rt;
	ike_time dpd_delay;
	uint8_t dpd_action;
	uint32_t keyingtries; /* 0 = for ever */
	bool initial_contact, reauth_mbb;
	uint32_t cookie_threshold, cookie_threshold_ip, block_threshold, half_open_limit; /* node knobs */
	ike_time half_open_timeout;
} sim_profile;

/* The profile's defaults (SIM_PROFILE_NONE gives strongSwan's). */
const sim_profile *sim_profile_get(uint8_t id);
/* Optional "profile" field: 1 with *out set, 0 absent, -1 error. */
int sim_scn_profile(sim_scn *c, const sim_jv *o, const char *path, uint8_t *out);
/* IKE lifetimes of a connection (rekey_time alias ike_lifetime, reauth_time, over_time, rand_time); 0 or -1. */
int sim_scn_ike_life(sim_scn *c, const sim_jv *o, const char *path, const sim_profile *pf, ike_life_cfg *l);
/* CHILD lifetimes: rekey_time, life_time or over_time, rand_time; implicit: a connection's child_lifetime. */
/* A child's data limits (rekey_bytes/_packets soft, life_bytes/_packets hard) into l; 0 or -1. */
int sim_scn_child_data(sim_scn *c, const sim_jv *o, const char *path, ike_life_cfg *l);
int sim_scn_child_life(sim_scn *c, const sim_jv *o, const char *path, int implicit, const sim_profile *pf,
		       ike_life_cfg *l);
/* dpd_delay, dpd_action, keyingtries, initial_contact, make_before_break. 0 or -1. */
int sim_scn_dpd(sim_scn *c, const sim_jv *o, const char *path, const sim_profile *pf, ike_conn_cfg *cfg);

/* Proposals (scenario_conn.c): o[key] or dflt in strongSwan syntax into out. 0 or -1. */
int sim_scn_proposals(sim_scn *c, const sim_jv *o, const char *path, const char *key, uint8_t proto,
		      const char *dflt, ike_proposal_list *out);
/* A connection's or child's IPsec proposals: `esp` (ESP) or `ah_proposals` (AH), never both; 0 keeps out if neither. */
int sim_scn_ipsec_proposals(sim_scn *c, const sim_jv *o, const char *path, ike_proposal_list *out);
/* Traffic selectors o[key]: 1 given, 0 absent (out untouched), -1 error. */
int sim_scn_ts(sim_scn *c, const sim_jv *o, const char *path, const char *key, uint8_t *n_out, ike_ts *out);

/* At most this many CHILD SAs per connection (`children`). */
#define SIM_CHILDREN_MAX 16
/*
 * A connection's children: without a `children` array, one child named like the connection from tmpl
 * (the connection's own esp/local_ts/remote_ts; child_lifetime is its rekey_time alias); with one, each
 * entry starts from tmpl. Sets cfg->children/n_children. 0 or -1.
 */
int sim_scn_children(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, const sim_profile *pf,
		     const ike_child_cfg *tmpl, ike_conn_cfg *cfg);

/* IKEv1 XAUTH / Mode Config fields (scenario_xauth.c): xauth, xauth_users, pool, modecfg. 0 or -1. */
int sim_scn_xauth(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, ike_conn_cfg *cfg);

/* auth {cert, key, ca} (scenario_cert.c): reads the PEM files, sets cfg's auth and cred. 0 or -1. */
int sim_scn_auth_cert(sim_scn *c, sim_scenario *sc, const sim_jv *a, const char *path, ike_conn_cfg *cfg);
/* Top-level cert_time (or its default) into sc->cert_time and every credential; after the connections. */
int sim_scn_cert_time(sim_scn *c, sim_scenario *sc, const sim_jv *root);
/* "2026-01-01T00:00:00Z" (exactly this shape, UTC, year >= 1970) to Unix seconds; 0 or -1. */
int sim_parse_utc(const char *s, int64_t *out);

/* Lookups and additions for the loader's indexes (scenario_lookup.c); adds give 0, or -1 out of memory. */
int sim_scn_add_node(sim_scenario *sc, uint32_t node);
/* Like sim_scenario_node, but over the nodes added so far only. */
int32_t sim_scn_find_node(const sim_scenario *sc, const char *name);
/* True if addr already belongs to a node added via sim_scn_add_addr. */
int sim_scn_addr_taken(const sim_scenario *sc, const ike_addr *addr);
int sim_scn_add_addr(sim_scenario *sc, uint32_t node, uint32_t k);
/* The link between a and b in either direction; its index or -1. */
int32_t sim_scn_find_link(const sim_scenario *sc, uint32_t a, uint32_t b);
int sim_scn_add_link(sim_scenario *sc, uint32_t link);
/* Room for n connections; then node's connection `name`, or NULL. */
int sim_scn_reserve_conns(sim_scenario *sc, size_t n);
const sim_scn_conn_ref *sim_scn_find_conn(const sim_scenario *sc, uint32_t node, const char *name);
/* A time `key` of `path` that must not be after the run ends (an action, a sampled expect, a fault). */
int sim_scn_within_run(sim_scn *c, const sim_scenario *sc, const char *path, const char *key, int64_t t);
/* Records the ref-th connection (ref < the reserved n) as node's next one, counting it in n_conns. */
int sim_scn_add_conn(sim_scenario *sc, uint32_t ref, uint32_t node, const char *name);
/* Frees the loader-only indexes. */
void sim_scn_drop_indexes(sim_scn_owned *o);

/* A node name field that must name an existing node: its index, or -1 (error recorded). */
int32_t sim_scn_node_ref(sim_scn *c, const sim_scenario *sc, const sim_jv *o, const char *path, const char *key,
			 int required);

#endif
