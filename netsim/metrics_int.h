/* Shared between the sampler's files only (metrics.c, metrics_ev.c, metrics_out.c). */
#ifndef SIM_METRICS_INT_H
#define SIM_METRICS_INT_H

#include "metrics.h"
#include "metrics_sa.h"

struct sim_metrics {
	sim_metrics_cfg cfg;
	/* the column registry */
	char **names;
	uint8_t *kinds;
	double *cur;      /* per column: registered gauges' values, counters since the last row */
	uint64_t *totals; /* per column: counters over the run */
	size_t n_cols, cap_cols;
	int64_t g[SIM_MC_GAUGES]; /* the fixed gauges, exact */
	/* rows: times, how many columns each had, their values one after the other */
	int64_t *t;
	size_t *width;
	size_t n_rows, cap_rows;
	double *vals;
	size_t n_vals, cap_vals;
	int64_t next_t;   /* the next row's time */
	/* per node: its share of the fixed gauges (a reboot takes it away) and its boot generation */
	int64_t (*node_g)[SIM_MC_GAUGES];
	uint32_t *gen;
	sim_msa_table sas;
	int64_t *lat;     /* setup latencies in the order measured */
	size_t n_lat, cap_lat;
	int64_t *log_t, *log_v; /* every change of ike_up: time, new value */
	size_t n_log, cap_log;
	int64_t *faults;  /* times of fault events (outages) */
	size_t n_faults, cap_faults;
	int64_t *marks;   /* n_marks * SIM_MC_GAUGES */
	size_t next_mark;
	int failed;       /* out of memory at some point: finish fails */
};

int sim_mx_reserve(void **p, size_t *cap, size_t need, size_t elem);
/* Emits the rows and keeps the marks that lie before now. */
void sim_mx_advance(sim_metrics *m, int64_t now);
int sim_mx_measured(const sim_metrics *m, uint32_t node);
/* Changes fixed gauge g by delta on node's account (when node is measured), logging ike_up. */
void sim_mx_gauge(sim_metrics *m, int64_t now, uint32_t node, size_t g, int64_t delta);

#endif
