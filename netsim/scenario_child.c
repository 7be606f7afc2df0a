/* A connection's CHILD SAs (swanctl's `children`): each an ike_child_cfg, the first one set up in IKE_AUTH. */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define ESP_REPLAY_DEFAULT 64 /* RFC 4303 3.4.3's preferred window: the default a zeroed config also gets */

/* start_action / mode: one of a few words, its index into names (the enum's value). 0 or -1. */
static int keyword(sim_scn *c, const sim_jv *o, const char *path, const char *key, const char *const *names,
		   uint8_t *out)
{
	const char *v;
	char p[SIM_PATH_MAX];
	int r = sim_scn_str(c, o, path, key, 0, &v);
	if (r <= 0)
		return r;
	for (uint8_t i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	sim_scn_sub(p, path, key);
	return sim_scn_fail(c, p, "unknown value '%.40s' (%s or %s%s%s)", v, names[0], names[1], names[2] ? " or " : "",
			    names[2] ? names[2] : "");
}

static int parse_child(sim_scn *c, const sim_jv *o, const char *path, const sim_profile *pf, const ike_child_cfg *tmpl,
		       ike_child_cfg *ch)
{
	static const char *const keys[] = { "name", "esp", "ah_proposals", "local_ts", "remote_ts", "rekey_time", "life_time", "over_time",
					    "rand_time", "start_action", "mode", "rekey_bytes", "rekey_packets",
					    "life_bytes", "life_packets", "replay_window", NULL };
	static const char *const starts[] = { "none", "start", "trap", NULL }; /* enum ike_child_start */
	static const char *const modes[] = { "tunnel", "transport", NULL };   /* enum ike_ipsec_mode */
	char p[SIM_PATH_MAX];
	*ch = *tmpl;
	if (sim_scn_object(c, o, path, keys) || sim_scn_str(c, o, path, "name", 1, &ch->name) < 0)
		return -1;
	sim_scn_sub(p, path, "name");
	if (!sim_valid_name(ch->name))
		return sim_scn_fail(c, p, "'%.64s' is not a valid name (1-63 of A-Z a-z 0-9 . _ -)", ch->name);
	if (sim_scn_ipsec_proposals(c, o, path, &ch->esp) ||
	    sim_scn_ts(c, o, path, "local_ts", &ch->n_local_ts, ch->local_ts) < 0 ||
	    sim_scn_ts(c, o, path, "remote_ts", &ch->n_remote_ts, ch->remote_ts) < 0 ||
	    sim_scn_child_life(c, o, path, 0, pf, &ch->life) || sim_scn_child_data(c, o, path, &ch->life) || keyword(c, o, path, "start_action", starts, &ch->start) ||
	    keyword(c, o, path, "mode", modes, &ch->mode))
		return -1;
	/* packets of the inbound anti-replay window; 0 turns the check off (the config's IKE_REPLAY_OFF) */
	int64_t w = ESP_REPLAY_DEFAULT;
	int r = sim_scn_int(c, o, path, "replay_window", 0, 0, IKE_REPLAY_WINDOW_MAX, &w);
	if (r < 0)
		return -1;
	if (r > 0)
		ch->replay_window = w == 0 ? IKE_REPLAY_OFF : (uint16_t)w;
	return 0;
}

int sim_scn_children(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, const sim_profile *pf,
		     const ike_child_cfg *tmpl, ike_conn_cfg *cfg)
{
	const sim_jv *arr;
	size_t n;
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX], pn[SIM_PATH_MAX];
	ike_child_cfg *ch = (ike_child_cfg *)cfg->children; /* the connection's own slot of the loader's block */
	int r = sim_scn_array(c, o, path, "children", 0, (size_t)-1, &arr, &n);
	if (r < 0)
		return -1;
	if (r == 0) {
		*ch = *tmpl;
		ch->name = cfg->name;
		return sim_scn_child_life(c, o, path, 1, pf, &ch->life);
	}
	sim_scn_sub(p, path, "children");
	if (sim_jv_get(o, "child_lifetime")) {
		sim_scn_sub(pi, path, "child_lifetime");
		return sim_scn_fail(c, pi, "with 'children', give each child's rekey_time instead");
	}
	if (n == 0)
		return sim_scn_fail(c, p, "a connection needs at least one child (or leave 'children' out)");
	if (n > SIM_CHILDREN_MAX)
		return sim_scn_fail(c, p, "%zu children, at most %d per connection", n, SIM_CHILDREN_MAX);
	if (!(ch = sim_scn_keep(sc, calloc(n, sizeof(*ch)))))
		return sim_scn_fail(c, p, "out of memory");
	for (size_t i = 0; i < n; i++) {
		sim_scn_idx(pi, p, i);
		if (parse_child(c, sim_jv_at(arr, i), pi, pf, tmpl, &ch[i]))
			return -1;
		sim_scn_sub(pn, pi, "name");
		for (size_t k = 0; k < i; k++)
			if (strcmp(ch[k].name, ch[i].name) == 0)
				return sim_scn_fail(c, pn, "duplicate child name '%s' in this connection", ch[i].name);
	}
	cfg->children = ch;
	cfg->n_children = n;
	return 0;
}
