/* Trace events into the sampler: which gauge or counter each one moves (docs/metrics.md). */
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* The string value of "key" in a JSON object body into out (truncated to cap); 1 found, 0 not. Values are
 * JSON strings, so `"key":"` cannot occur inside one (its quotes would be escaped). */
static int fstr(const char *fields, const char *key, char *out, size_t cap)
{
	char pat[40];
	int n = snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = fields && n > 0 && (size_t)n < sizeof(pat) ? strstr(fields, pat) : NULL;
	out[0] = 0;
	if (!p)
		return 0;
	p += n;
	size_t k = 0;
	while (p[k] && p[k] != '"' && k + 1 < cap) {
		out[k] = p[k];
		k++;
	}
	out[k] = 0;
	return 1;
}

/* A whole-number value of "key" (e.g. ike.refused's "total"); 0 when absent. */
static uint64_t fnum(const char *fields, const char *key)
{
	char pat[40];
	int n = snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = fields && n > 0 && (size_t)n < sizeof(pat) ? strstr(fields, pat) : NULL;
	return p ? strtoull(p + n, NULL, 10) : 0;
}

static uint64_t fspi(const char *fields)
{
	char hex[24];
	return fstr(fields, "initiator-spi", hex, sizeof(hex)) ? strtoull(hex, NULL, 16) : 0;
}

static int ike_up(const char *s) { return strcmp(s, "ESTABLISHED") == 0 || strcmp(s, "REKEYING") == 0; }
static int child_up(const char *s) { return strcmp(s, "INSTALLED") == 0 || strcmp(s, "REKEYING") == 0; }

static void push_latency(sim_metrics *m, int64_t d)
{
	if (sim_mx_reserve((void **)&m->lat, &m->cap_lat, m->n_lat + 1, sizeof(*m->lat)) != 0) {
		m->failed = 1;
		return;
	}
	m->lat[m->n_lat++] = d;
}

/* The SA's entry is gone with it; an unanswered request of it no longer waits. */
static void sa_gone(sim_metrics *m, int64_t now, uint32_t node, uint64_t spi)
{
	sim_msa *e = sim_msa_find(&m->sas, node, m->gen[node], spi);
	if (!e)
		return;
	if (e->waiting)
		sim_mx_gauge(m, now, node, SIM_MC_IN_FLIGHT, -1);
	sim_msa_remove(&m->sas, e);
}

static void on_ike_state(sim_metrics *m, int64_t now, uint32_t node, const char *fields)
{
	char from[24], to[24], role[16];
	fstr(fields, "from", from, sizeof(from));
	fstr(fields, "to", to, sizeof(to));
	fstr(fields, "role", role, sizeof(role));
	uint64_t spi = fspi(fields);
	sim_mx_gauge(m, now, node, SIM_MC_IKE_UP, ike_up(to) - ike_up(from));
	sim_mx_gauge(m, now, node, SIM_MC_HALF_OPEN,
		     (strcmp(to, "CONNECTING") == 0) - (strcmp(from, "CONNECTING") == 0));
	if (strcmp(from, "CREATED") == 0 && strcmp(to, "CONNECTING") == 0 && strcmp(role, "initiator") == 0) {
		sim_msa *e = sim_msa_get(&m->sas, node, m->gen[node], spi); /* IKE_SA_INIT / MM1 / AM1 goes out */
		if (!e)
			m->failed = 1;
		else if (e->start < 0)
			e->start = now;
	} else if (strcmp(from, "CONNECTING") == 0 && strcmp(to, "ESTABLISHED") == 0) {
		sim_msa *e = sim_msa_find(&m->sas, node, m->gen[node], spi);
		if (e && e->start >= 0) {
			push_latency(m, now - e->start);
			e->start = -1;
		}
	} else if (strcmp(to, "DESTROYING") == 0) {
		sa_gone(m, now, node, spi);
	}
}

/* IKEv2 messages only: IKEv1 has no response flag (its flags are E, C, A). */
static int v2_flags(const char *flags) { return strspn(flags, "IR") == strlen(flags); }

static int v1_exchange(const char *x)
{
	return strcmp(x, "ID_PROT") == 0 || strcmp(x, "AGGRESSIVE") == 0 || strcmp(x, "QUICK_MODE") == 0;
}

static void on_ike_msg(sim_metrics *m, int64_t now, uint32_t node, const char *fields, int tx)
{
	char flags[8], x[24];
	fstr(fields, "flags", flags, sizeof(flags));
	fstr(fields, "exchange", x, sizeof(x));
	int resp = strchr(flags, 'R') != NULL;
	if (tx && sim_mx_measured(m, node)) {
		sim_metrics_add(m, now, SIM_MC_IKE_TX, 1);
		if (resp && strstr(fields, "N(COOKIE)"))
			sim_metrics_add(m, now, SIM_MC_COOKIES, 1);
	}
	if (!v2_flags(flags) || v1_exchange(x))
		return;
	uint64_t spi = fspi(fields);
	if (tx && !resp) {
		sim_msa *e = sim_msa_get(&m->sas, node, m->gen[node], spi);
		if (!e)
			m->failed = 1;
		else if (!e->waiting) {
			e->waiting = 1;
			sim_mx_gauge(m, now, node, SIM_MC_IN_FLIGHT, 1);
		}
	} else if (!tx && resp) {
		sim_msa *e = sim_msa_find(&m->sas, node, m->gen[node], spi);
		if (e && e->waiting) {
			e->waiting = 0;
			sim_mx_gauge(m, now, node, SIM_MC_IN_FLIGHT, -1);
		}
	}
}

/* An outage for the recovery time: reboots, links down, moves (not a single message dropped, not a link up). */
static void on_fault(sim_metrics *m, int64_t now, const char *fields)
{
	char kind[24];
	fstr(fields, "kind", kind, sizeof(kind));
	if (strcmp(kind, "drop-nth") == 0 || strcmp(kind, "link-up") == 0 || !kind[0])
		return;
	if (sim_mx_reserve((void **)&m->faults, &m->cap_faults, m->n_faults + 1, sizeof(*m->faults)) != 0) {
		m->failed = 1;
		return;
	}
	m->faults[m->n_faults++] = now;
}

void sim_metrics_event(sim_metrics *m, int64_t now, uint32_t node, const char *ev, const char *fields)
{
	sim_mx_advance(m, now);
	if (strcmp(ev, "fault") == 0)
		on_fault(m, now, fields);
	if (node >= m->cfg.n_nodes)
		return;
	if (strcmp(ev, "ike_sa.state") == 0) {
		on_ike_state(m, now, node, fields);
	} else if (strcmp(ev, "child_sa.state") == 0) {
		char from[24], to[24];
		fstr(fields, "from", from, sizeof(from));
		fstr(fields, "to", to, sizeof(to));
		sim_mx_gauge(m, now, node, SIM_MC_CHILD_UP, child_up(to) - child_up(from));
	} else if (strcmp(ev, "ike.tx") == 0 || strcmp(ev, "ike.rx") == 0) {
		on_ike_msg(m, now, node, fields, ev[4] == 't');
	} else if (!sim_mx_measured(m, node)) {
		return;
	} else if (strcmp(ev, "ike.retransmit") == 0) {
		sim_metrics_add(m, now, SIM_MC_RETRANSMITS, 1);
	} else if (strcmp(ev, "ike.refused") == 0) {
		sim_metrics_add(m, now, SIM_MC_COOKIES, fnum(fields, "cookies-sent"));
		sim_metrics_add(m, now, SIM_MC_REFUSED, fnum(fields, "total"));
	} else if (strcmp(ev, "cpu.drop") == 0) { /* a node's job queue refused an IKE datagram it received */
		char why[48], name[64];
		fstr(fields, "why", why, sizeof(why));
		snprintf(name, sizeof(name), "cpu.%s", why);
		sim_metrics_drop(m, now, node, name);
	} else if (strcmp(ev, "nat.drop") == 0) {
		char why[48], name[64];
		fstr(fields, "why", why, sizeof(why));
		snprintf(name, sizeof(name), "nat.%s", why);
		sim_metrics_drop(m, now, node, name);
	}
}
