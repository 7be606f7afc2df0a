/*
 * A node's "cpu": cores, a bounded job queue, strongSwan's init_limit_job_load, the UDP receive buffer and its
 * receiver thread (run_rx.c), and the cost table: a
 * built-in name or an object (what `ikesim calibrate` prints) whose "base" table it overrides.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define MAX_CORES 1024
#define MAX_RCVBUF 2147483647LL /* Linux keeps sk_rcvbuf in an int */
#define MAX_COST (3600LL * 1000000000LL) /* an hour per operation: anything more is a typo */

static int cost_time(sim_scn *c, const sim_jv *o, const char *path, const char *key, int64_t *slot)
{
	int64_t v = *slot;
	int rc = sim_scn_time(c, o, path, key, 0, &v);
	if (rc == 1 && v > MAX_COST) {
		char p[SIM_PATH_MAX];
		sim_scn_sub(p, path, key);
		return sim_scn_fail(c, p, "a cost above one hour is not a CPU cost");
	}
	if (rc == 1)
		*slot = v;
	return rc < 0 ? -1 : 0;
}

/* {"14": "280us", ...} by group number (groups) or {"rsa2048": ...} by key class (keys). */
static int cost_map(sim_scn *c, const sim_jv *o, const char *path, const char *key, int64_t *slots, int groups)
{
	const sim_jv *m = sim_jv_get(o, key);
	char p[SIM_PATH_MAX], pk[SIM_PATH_MAX];
	if (!m)
		return 0;
	sim_scn_sub(p, path, key);
	if (!sim_jv_is_object(m))
		return sim_scn_fail(c, p, "expected an object of %s -> duration", groups ? "DH group numbers" : "key classes");
	for (const sim_jv *e = m->child; e; e = e->next) {
		long idx = -1;
		for (const sim_jv *d = m->child; d != e; d = d->next)
			if (!strcmp(d->string, e->string)) {
				sim_scn_sub(pk, p, e->string);
				return sim_scn_fail(c, pk, "field '%s' appears twice", e->string);
			}
		if (groups) {
			char *end = NULL;
			long g = e->string && *e->string >= '0' && *e->string <= '9' ? strtol(e->string, &end, 10) : -1;
			if (end && !*end && g > 0 && g < SIM_CPU_GROUPS)
				idx = g;
		} else {
			idx = sim_cpu_key_parse(e->string);
		}
		sim_scn_sub(pk, p, e->string ? e->string : "?");
		if (idx < 0)
			return groups ? sim_scn_fail(c, pk, "not a Diffie-Hellman group number (1..%d)", SIM_CPU_GROUPS - 1)
				      : sim_scn_fail(c, pk, "not a key class (rsa2048, rsa3072, rsa4096, ec256, ec384, ec521)");
		if (cost_time(c, m, p, e->string, &slots[idx]) < 0)
			return -1;
	}
	return 0;
}

static int parse_costs(sim_scn *c, const sim_jv *cpu, const char *path, sim_cpu_costs *out)
{
	static const char *const keys[] = { "note", "base", "message", "timer", "receiver", "dh_keygen", "dh_derive",
					    "sign", "verify", "prf", "prf_per_kb", "sk_per_kb", NULL };
	const sim_jv *v = sim_jv_get(cpu, "costs");
	char p[SIM_PATH_MAX];
	sim_scn_sub(p, path, "costs");
	const char *base = "floor";
	if (sim_jv_is_string(v))
		base = v->valuestring;
	else if (v && !sim_jv_is_object(v))
		return sim_scn_fail(c, p, "expected a built-in table's name (%s) or an object", sim_cpu_costs_names());
	if (sim_jv_is_object(v) && (sim_scn_object(c, v, p, keys) || sim_scn_str(c, v, p, "base", 0, &base) < 0))
		return -1;
	const sim_cpu_costs *b = sim_cpu_costs_builtin(base);
	if (!b) {
		char pb[SIM_PATH_MAX];
		sim_scn_sub(pb, p, "base");
		return sim_scn_fail(c, sim_jv_is_string(v) ? p : pb, "'%.64s' is no built-in cost table (%s)", base,
				    sim_cpu_costs_names());
	}
	*out = *b;
	if (!sim_jv_is_object(v))
		return 0;
	const char *nk[] = { "message", "timer", "receiver", "prf", "prf_per_kb", "sk_per_kb" };
	int64_t *ns[] = { &out->message, &out->timer, &out->receiver, &out->prf, &out->prf_per_kb, &out->sk_per_kb };
	for (size_t i = 0; i < sizeof(nk) / sizeof(nk[0]); i++)
		if (cost_time(c, v, p, nk[i], ns[i]) < 0)
			return -1;
	if (cost_map(c, v, p, "dh_keygen", out->dh_keygen, 1) || cost_map(c, v, p, "dh_derive", out->dh_derive, 1) ||
	    cost_map(c, v, p, "sign", out->sign, 0) || cost_map(c, v, p, "verify", out->verify, 0))
		return -1;
	return 0;
}

int sim_scn_cpu(sim_scn *c, sim_scenario *sc, sim_node_spec *n, const sim_jv *node, const char *path)
{
	static const char *const keys[] = { "cores", "queue", "init_limit_job_load", "rcvbuf", "receiver", "costs", NULL };
	const sim_jv *o = sim_jv_get(node, "cpu");
	char p[SIM_PATH_MAX];
	if (!o)
		return 0;
	sim_scn_sub(p, path, "cpu");
	if (!sim_jv_is_object(o))
		return sim_scn_fail(c, p, "expected an object (cores, queue, init_limit_job_load, rcvbuf, receiver, costs)");
	if (sim_scn_object(c, o, p, keys))
		return -1;
	sim_cpu_spec *cpu = sim_scn_keep(sc, calloc(1, sizeof(*cpu)));
	if (!cpu)
		return sim_scn_fail(c, p, "out of memory");
	int64_t cores = 1, queue = 0, lim = 0, rcvbuf = 0;
	int receiver = -1;
	if (sim_scn_int(c, o, p, "cores", 0, 1, MAX_CORES, &cores) < 0 ||
	    sim_scn_int(c, o, p, "queue", 0, 0, 100000000, &queue) < 0 ||
	    sim_scn_int(c, o, p, "init_limit_job_load", 0, 0, UINT32_MAX, &lim) < 0 ||
	    sim_scn_int(c, o, p, "rcvbuf", 0, 0, MAX_RCVBUF, &rcvbuf) < 0 ||
	    sim_scn_bool(c, o, p, "receiver", 0, &receiver) < 0 || parse_costs(c, o, p, &cpu->costs))
		return -1;
	if (rcvbuf && receiver == 0) { /* a buffer nobody reads would only ever fill */
		char pr[SIM_PATH_MAX];
		sim_scn_sub(pr, p, "receiver");
		return sim_scn_fail(c, pr, "a receive buffer (rcvbuf) needs its receiver: leave receiver out or true");
	}
	cpu->rcvbuf = (uint32_t)rcvbuf;
	cpu->receiver = rcvbuf || receiver == 1;
	cpu->cores = (uint16_t)cores;
	cpu->queue = (uint32_t)queue;
	cpu->init_limit_job_load = (uint32_t)lim;
	n->cpu = cpu;
	return 0;
}
