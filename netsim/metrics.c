/* The storm sampler: the column registry, the rows, and the fixed gauges and counters fed by trace events. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

static const char *const FIXED[SIM_MC_FIXED] = { "ike_up", "half_open", "in_flight", "child_up", "ike_tx",
						 "retransmits", "cookies", "refused", "drops" };

/* Grows *p (elements of size elem) so that it holds at least need; 0 or -1. */
int sim_mx_reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q, *cap = c;
	return 0;
}
#define RESERVE(arr, cap, need) sim_mx_reserve((void **)&(arr), &(cap), (need), sizeof(*(arr)))

int sim_metrics_col(sim_metrics *m, const char *name, uint8_t kind)
{
	for (size_t i = 0; i < m->n_cols; i++)
		if (strcmp(m->names[i], name) == 0)
			return (int)i;
	size_t cap = m->cap_cols, cap2 = m->cap_cols, cap3 = m->cap_cols, cap4 = m->cap_cols;
	char *copy = strdup(name);
	if (!copy || RESERVE(m->names, cap, m->n_cols + 1) || RESERVE(m->kinds, cap2, m->n_cols + 1) ||
	    RESERVE(m->cur, cap3, m->n_cols + 1) || RESERVE(m->totals, cap4, m->n_cols + 1)) {
		free(copy);
		m->failed = 1;
		return -1;
	}
	m->cap_cols = cap; /* all four grew alike */
	m->names[m->n_cols] = copy;
	m->kinds[m->n_cols] = kind;
	m->cur[m->n_cols] = 0;
	m->totals[m->n_cols] = 0;
	return (int)m->n_cols++;
}

sim_metrics *sim_metrics_new(const sim_metrics_cfg *cfg)
{
	if (cfg->interval <= 0)
		return NULL;
	sim_metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	size_t nn = cfg->n_nodes ? cfg->n_nodes : 1;
	m->node_g = calloc(nn, sizeof(*m->node_g));
	m->gen = calloc(nn, sizeof(*m->gen));
	m->marks = calloc(cfg->n_marks ? cfg->n_marks * SIM_MC_GAUGES : 1, sizeof(*m->marks));
	if (!m->node_g || !m->gen || !m->marks) {
		sim_metrics_free(m);
		return NULL;
	}
	for (size_t i = 0; i < SIM_MC_FIXED; i++)
		if (sim_metrics_col(m, FIXED[i], i < SIM_MC_GAUGES ? SIM_MK_GAUGE : SIM_MK_COUNTER) != (int)i) {
			sim_metrics_free(m);
			return NULL;
		}
	return m;
}

void sim_metrics_free(sim_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_cols; i++)
		free(m->names[i]);
	free(m->names);
	free(m->kinds);
	free(m->cur);
	free(m->totals);
	free(m->t);
	free(m->width);
	free(m->vals);
	free(m->node_g);
	free(m->gen);
	sim_msa_free(&m->sas);
	free(m->lat);
	free(m->log_t);
	free(m->log_v);
	free(m->faults);
	free(m->marks);
	free(m);
}

/* Row t: the gauges now, the counters since the last row (then reset). */
static void emit_row(sim_metrics *m, int64_t t)
{
	if (m->cfg.keep_rows && m->cfg.row_fn)
		m->cfg.row_fn(m->cfg.row_ctx, m, t);
	if (m->cfg.keep_rows) {
		size_t c1 = m->cap_rows, c2 = m->cap_rows;
		if (RESERVE(m->t, c1, m->n_rows + 1) || RESERVE(m->width, c2, m->n_rows + 1) ||
		    RESERVE(m->vals, m->cap_vals, m->n_vals + m->n_cols)) {
			m->failed = 1;
			return;
		}
		m->cap_rows = c1;
		m->t[m->n_rows] = t;
		m->width[m->n_rows++] = m->n_cols;
		for (size_t i = 0; i < m->n_cols; i++)
			m->vals[m->n_vals++] = i < SIM_MC_GAUGES ? (double)m->g[i] : m->cur[i];
	}
	for (size_t i = SIM_MC_GAUGES; i < m->n_cols; i++)
		if (m->kinds[i] == SIM_MK_COUNTER)
			m->cur[i] = 0;
}

void sim_mx_advance(sim_metrics *m, int64_t now)
{
	while (m->next_mark < m->cfg.n_marks && m->cfg.marks[m->next_mark] < now) {
		memcpy(&m->marks[m->next_mark * SIM_MC_GAUGES], m->g, sizeof(m->g));
		m->next_mark++;
	}
	while (now > m->next_t) {
		emit_row(m, m->next_t);
		m->next_t += m->cfg.interval;
	}
}

void sim_metrics_set(sim_metrics *m, int64_t now, size_t col, double v)
{
	sim_mx_advance(m, now);
	if (col < m->n_cols && col >= SIM_MC_GAUGES)
		m->cur[col] = v;
}

void sim_metrics_tick(sim_metrics *m, int64_t now) { sim_mx_advance(m, now); }

void sim_metrics_put(sim_metrics *m, size_t col, double v)
{
	if (col < m->n_cols && col >= SIM_MC_GAUGES && m->kinds[col] == SIM_MK_GAUGE)
		m->cur[col] = v;
}

void sim_metrics_add(sim_metrics *m, int64_t now, size_t col, uint64_t n)
{
	sim_mx_advance(m, now);
	if (col >= m->n_cols || m->kinds[col] != SIM_MK_COUNTER)
		return;
	m->cur[col] += (double)n;
	m->totals[col] += n;
	for (size_t i = 0; i < m->cfg.n_windows; i++) {
		sim_metrics_window *w = &m->cfg.windows[i];
		if (w->col == col && now >= w->from && now <= w->to)
			w->count += n;
	}
}

int sim_mx_measured(const sim_metrics *m, uint32_t node)
{
	return node < m->cfg.n_nodes && (!m->cfg.measured || m->cfg.measured[node]);
}

void sim_mx_gauge(sim_metrics *m, int64_t now, uint32_t node, size_t g, int64_t delta)
{
	if (!delta || !sim_mx_measured(m, node))
		return;
	m->g[g] += delta;
	m->node_g[node][g] += delta;
	if (g != SIM_MC_IKE_UP)
		return;
	if (m->n_log && m->log_t[m->n_log - 1] == now) { /* several changes at one instant: the last counts */
		m->log_v[m->n_log - 1] = m->g[g];
		return;
	}
	size_t c = m->cap_log;
	if (RESERVE(m->log_t, c, m->n_log + 1) || RESERVE(m->log_v, m->cap_log, m->n_log + 1)) {
		m->failed = 1;
		return;
	}
	m->log_t[m->n_log] = now;
	m->log_v[m->n_log++] = m->g[g];
}

void sim_metrics_drop(sim_metrics *m, int64_t now, uint32_t node, const char *why)
{
	char name[80];
	sim_mx_advance(m, now);
	if (!sim_mx_measured(m, node))
		return;
	snprintf(name, sizeof(name), "drops.%s", why);
	int col = sim_metrics_col(m, name, SIM_MK_COUNTER);
	sim_metrics_add(m, now, SIM_MC_DROPS, 1);
	if (col >= 0)
		sim_metrics_add(m, now, (size_t)col, 1);
}

void sim_metrics_reboot(sim_metrics *m, int64_t now, uint32_t node)
{
	sim_mx_advance(m, now);
	if (node >= m->cfg.n_nodes)
		return;
	for (size_t g = 0; g < SIM_MC_GAUGES; g++)
		sim_mx_gauge(m, now, node, g, -m->node_g[node][g]);
	m->gen[node]++; /* the node's table entries are now unreachable: its old SAs are gone */
}

int64_t sim_metrics_up(const sim_metrics *m) { return m->g[SIM_MC_IKE_UP]; }
