/*
 * Storm metrics over virtual time (docs/metrics.md): gauges and per-interval counters kept up to date from the
 * trace events as they are produced (O(1) per event, never a scan of the SAs), one row every `interval`, the
 * setup latency of every IKE SA an initiator brought up, and the time to full recovery. No runner inside: the
 * runner (run_metrics.c) feeds events in, so tests can drive a sampler by hand.
 */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The columns every run has, in this order; later ones (drops.<why>, cpu.<node>.<core>...) are registered. */
enum sim_metric_col {
	SIM_MC_IKE_UP,      /* gauge: IKE SAs ESTABLISHED or REKEYING */
	SIM_MC_HALF_OPEN,   /* gauge: IKE SAs CONNECTING (initiators and responders) */
	SIM_MC_IN_FLIGHT,   /* gauge: IKEv2 requests sent and not yet answered */
	SIM_MC_CHILD_UP,    /* gauge: CHILD SAs INSTALLED or REKEYING */
	SIM_MC_IKE_TX,      /* counter: ike.tx events */
	SIM_MC_RETRANSMITS, /* counter: ike.retransmit events */
	SIM_MC_COOKIES,     /* counter: COOKIE responses (traced ones and ike.refused's cookies-sent) */
	SIM_MC_REFUSED,     /* counter: ike.refused's total (unauthenticated input refused or dropped, untraced) */
	SIM_MC_DROPS,       /* counter: datagrams dropped on links and by NATs, all reasons */
	SIM_MC_FIXED
};
#define SIM_MC_GAUGES 4 /* the first four are gauges */

enum sim_metric_kind { SIM_MK_GAUGE, SIM_MK_COUNTER };

typedef struct sim_metrics sim_metrics;

/* Called just before each row is taken (time t), to set registered gauges with sim_metrics_put: a CPU's
 * utilisation over the interval, a queue's length. */
typedef void (*sim_metrics_row_fn)(void *ctx, sim_metrics *m, int64_t t);

/* A counter expectation's window: events of column col with from <= t <= to are counted into count. */
typedef struct sim_metrics_window {
	uint32_t col;
	int64_t from, to;
	uint64_t count;
} sim_metrics_window;

typedef struct sim_metrics_cfg {
	int64_t interval;         /* ns between rows, > 0 */
	size_t n_nodes;
	const uint8_t *measured;  /* per node: 1 = its gauges and counters count; NULL = every node */
	const int64_t *marks;     /* ascending times at which the gauges are kept (expects "at"); may be NULL */
	size_t n_marks;
	sim_metrics_window *windows; /* counted in place during the run; may be NULL */
	size_t n_windows;
	int keep_rows;            /* 0: no rows kept (only expectations or the progress line need the sampler) */
	sim_metrics_row_fn row_fn; /* may be NULL */
	void *row_ctx;
} sim_metrics_cfg;

/* What a finished run measured. Rows are zero-filled for columns registered after them. */
typedef struct sim_metrics_result {
	int64_t interval, end;    /* end: the run's virtual end time */
	size_t n_cols;
	char **cols;              /* names */
	uint8_t *kinds;           /* enum sim_metric_kind */
	size_t n_rows;
	int64_t *t;               /* row times: 0, interval, ... up to the first at or after end */
	double *v;                /* n_rows * n_cols, row-major */
	int64_t *lat;             /* setup latencies (ns), ascending */
	size_t n_lat;
	int64_t *marks;           /* n_marks * SIM_MC_GAUGES gauge values at the marks */
	size_t n_marks;
	int64_t final_up;         /* ike_up at the end */
	int64_t recovery_at;      /* when ike_up last rose to final_up (-1: final_up is 0) */
	int64_t fault_at;         /* the last fault at or before the final dip began (-1: none) */
	int64_t recovery_time;    /* recovery_at - fault_at (- 0 without a fault); -1 with recovery_at */
	uint64_t *totals;         /* per column: counters summed over the run (gauges: 0) */
} sim_metrics_result;

/* NULL when out of memory or the config is unusable. */
sim_metrics *sim_metrics_new(const sim_metrics_cfg *cfg);
void sim_metrics_free(sim_metrics *m);

/* Column registry: the index of `name`, registered with kind on first use; -1 out of memory. Names must
 * stay the same for a column (cpu.gw.0, queue.gw...); registering adds a column to every later row. */
int sim_metrics_col(sim_metrics *m, const char *name, uint8_t kind);
/* A gauge's new value, or a counter's increment, at time now (now never goes backwards). */
void sim_metrics_set(sim_metrics *m, int64_t now, size_t col, double v);
void sim_metrics_add(sim_metrics *m, int64_t now, size_t col, uint64_t n);
/* Time has come to now: the rows before it are taken (call before changing what a row_fn reads). */
void sim_metrics_tick(sim_metrics *m, int64_t now);
/* A registered gauge's value for the row being taken (from a row_fn only: it does not move time). */
void sim_metrics_put(sim_metrics *m, size_t col, double v);

/* One trace event of node (UINT32_MAX: the simulator's own) as it is produced; fields is the JSON body. */
void sim_metrics_event(sim_metrics *m, int64_t now, uint32_t node, const char *ev, const char *fields);
/* A datagram that node sent was dropped on a link (why: link.drop's reason). */
void sim_metrics_drop(sim_metrics *m, int64_t now, uint32_t node, const char *why);
/* node lost its engine state (a reboot): its SAs and outstanding requests are gone without events. */
void sim_metrics_reboot(sim_metrics *m, int64_t now, uint32_t node);
/* IKE SAs up now (the progress line). */
int64_t sim_metrics_up(const sim_metrics *m);

/* Closes the last rows at end and hands everything to out (free with sim_metrics_result_free). 0, or -1 when
 * out of memory at any point of the run. */
int sim_metrics_finish(sim_metrics *m, int64_t end, sim_metrics_result *out);
void sim_metrics_result_free(sim_metrics_result *r);

/* The q-quantile (0..1, nearest rank) of the sorted latencies; -1 when there are none. */
int64_t sim_metrics_quantile(const sim_metrics_result *r, double q);

/* Writers (metrics_out.c). meta: the JSON object body of the "meta" member (scenario, seed, ...), may be "". */
void sim_metrics_write_json(const sim_metrics_result *r, const char *meta, FILE *f);
void sim_metrics_write_csv(const sim_metrics_result *r, FILE *f);

#endif
