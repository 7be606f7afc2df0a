/*
 * IKEv1 road-warrior fields of a connection: client "xauth": {user, password} and "modecfg": true (ask for a
 * virtual IP); gateway "xauth_users": [{user, password}...] and "pool": "10.3.0.0/24". Hostile values (too
 * long, control characters, huge arrays, duplicates) are refused with the field's path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define XAUTH_USERS_MAX 1024u

/* A user name or password: 1..IKE_XAUTH_MAX bytes; names without control characters or ':' (peer files). */
static int cred(sim_scn *c, const sim_jv *o, const char *path, const char *key, bool name, const char **out)
{
	char p[SIM_PATH_MAX];
	if (sim_scn_str(c, o, path, key, 1, out) < 0)
		return -1;
	sim_scn_sub(p, path, key);
	size_t n = strlen(*out);
	if (n == 0 || n > IKE_XAUTH_MAX)
		return sim_scn_fail(c, p, "%zu bytes: 1 to %u expected", n, IKE_XAUTH_MAX);
	for (size_t i = 0; name && i < n; i++)
		if ((unsigned char)(*out)[i] < 0x20 || (*out)[i] == 0x7f || (*out)[i] == ':')
			return sim_scn_fail(c, p, "byte %zu is a control character or ':' (not in a user name)", i);
	return 0;
}

static int parse_client(sim_scn *c, const sim_jv *o, const char *path, ike_conn_cfg *cfg)
{
	static const char *const keys[] = { "user", "password", NULL };
	char p[SIM_PATH_MAX];
	const char *u, *pw;
	sim_scn_sub(p, path, "xauth");
	const sim_jv *x = sim_jv_get(o, "xauth");
	if (sim_scn_object(c, x, p, keys) || cred(c, x, p, "user", true, &u) || cred(c, x, p, "password", false, &pw))
		return -1;
	cfg->xauth_user = u;
	cfg->xauth_password = (const uint8_t *)pw;
	cfg->xauth_password_len = strlen(pw);
	return 0;
}

static int parse_users(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, ike_conn_cfg *cfg)
{
	static const char *const keys[] = { "user", "password", NULL };
	char p[SIM_PATH_MAX], pi[SIM_PATH_MAX];
	const sim_jv *arr;
	size_t n = 0, i = 0;
	if (sim_scn_array(c, o, path, "xauth_users", 1, XAUTH_USERS_MAX, &arr, &n) < 0)
		return -1;
	sim_scn_sub(p, path, "xauth_users");
	if (n == 0)
		return sim_scn_fail(c, p, "at least one {\"user\", \"password\"}");
	ike_xauth_user *us = sim_scn_keep(sc, calloc(n, sizeof(*us)));
	if (!us)
		return sim_scn_fail(c, p, "out of memory");
	for (const sim_jv *e = arr->child; e; e = e->next, i++) {
		const char *u, *pw;
		sim_scn_idx(pi, p, i);
		if (sim_scn_object(c, e, pi, keys) || cred(c, e, pi, "user", true, &u) ||
		    cred(c, e, pi, "password", false, &pw))
			return -1;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(us[k].user, u)) {
				sim_scn_sub(pi, pi, "user");
				return sim_scn_fail(c, pi, "user '%s' is already listed", u);
			}
		us[i] = (ike_xauth_user){ .user = u, .password = (const uint8_t *)pw, .password_len = strlen(pw) };
	}
	cfg->xauth_users = us;
	cfg->n_xauth_users = n;
	return 0;
}

/* "a.b.c.d/N" with N 16..32 (a pool is searched address by address). */
static int parse_pool(sim_scn *c, const sim_jv *o, const char *path, ike_conn_cfg *cfg)
{
	char p[SIM_PATH_MAX], buf[64];
	const char *s;
	if (sim_scn_str(c, o, path, "pool", 1, &s) < 0)
		return -1;
	sim_scn_sub(p, path, "pool");
	const char *slash = strchr(s, '/');
	char *end = NULL;
	long pl = slash ? strtol(slash + 1, &end, 10) : -1;
	ike_addr a;
	if (!slash || (size_t)(slash - s) >= sizeof(buf) || !end || *end || slash[1] < '0' || slash[1] > '9')
		return sim_scn_fail(c, p, "expected an IPv4 prefix like \"10.3.0.0/24\"");
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	if (sim_parse_addr(buf, &a) != 0 || a.family != 4)
		return sim_scn_fail(c, p, "'%.40s' is not an IPv4 address (pools are IPv4)", buf);
	if (pl < 16 || pl > 32)
		return sim_scn_fail(c, p, "/%ld: a pool prefix is /16 to /32", pl);
	memcpy(cfg->pool, a.ip, 4);
	cfg->pool_prefix = (uint8_t)pl;
	return 0;
}

int sim_scn_xauth(sim_scn *c, sim_scenario *sc, const sim_jv *o, const char *path, ike_conn_cfg *cfg)
{
	char p[SIM_PATH_MAX];
	int modecfg = 0;
	bool cl = sim_jv_get(o, "xauth") != NULL, gw = sim_jv_get(o, "xauth_users") != NULL;
	bool pool = sim_jv_get(o, "pool") != NULL;
	if (sim_scn_bool(c, o, path, "modecfg", 0, &modecfg) < 0)
		return -1;
	if (!cl && !gw && !pool && !modecfg)
		return 0;
	const char *first = cl ? "xauth" : gw ? "xauth_users" : pool ? "pool" : "modecfg";
	sim_scn_sub(p, path, first);
	if (cfg->version != 1)
		return sim_scn_fail(c, p, "XAUTH and Mode Config are IKEv1's: they need \"version\": 1");
	if (cfg->auth != IKE_AUTH_PSK && (cl || gw))
		return sim_scn_fail(c, p, "XAUTH here goes with a pre-shared key (XAUTHInitPreShared)");
	if ((cl || modecfg) && (gw || pool))
		return sim_scn_fail(c, p, "a connection is either the client (xauth, modecfg) or the gateway "
					  "(xauth_users, pool), not both");
	cfg->modecfg = modecfg != 0;
	if ((cl && parse_client(c, o, path, cfg)) || (gw && parse_users(c, sc, o, path, cfg)) ||
	    (pool && parse_pool(c, o, path, cfg)))
		return -1;
	return 0;
}
