/* The runner's side of the storm metrics: which runs sample, the expectations' marks and windows, the file out. */
#include <stdlib.h>
#include <string.h>

#include "host/trace.h"
#include "metrics.h"
#include "run_int.h"

struct sim_run_metrics {
	int64_t *marks;           /* ascending times of the gauge expectations (INT64_MAX: the end) */
	size_t *slot;             /* per expect: its mark or window */
	sim_metrics_window *win;
	size_t n_marks, n_win;
	int *cpu_col;             /* per node with a "cpu" that is measured: column of cpu.<node>.0, else -1 */
	int64_t *done;            /* per such core: its work done by the last row (ns) */
	size_t *done_at;          /* per node: where its cores start in done */
	int64_t interval;
};

/* Cores of a node drawn as columns: more would make a table of CPUs, not of a storm. */
#define CPU_COLS_MAX 64

/* Before each row: every measured CPU's utilisation per core over the interval, and its job queue. */
static void cpu_row(void *ctx, sim_metrics *m, int64_t t)
{
	runner *r = ctx;
	sim_run_metrics *rm = r->rm;
	int64_t done[CPU_COLS_MAX];
	size_t queued;
	for (uint32_t i = 0; i < r->sc->n_nodes; i++) {
		if (rm->cpu_col[i] < 0 || !sim_cpu_sample(&r->nodes[i], t, done, CPU_COLS_MAX, &queued))
			continue;
		size_t cores = r->sc->nodes[i].cpu->cores < CPU_COLS_MAX ? r->sc->nodes[i].cpu->cores : CPU_COLS_MAX;
		for (size_t k = 0; k < cores; k++) {
			int64_t *prev = &rm->done[rm->done_at[i] + k];
			sim_metrics_put(m, (size_t)rm->cpu_col[i] + k, (double)(done[k] - *prev) / (double)rm->interval);
			*prev = done[k];
		}
		sim_metrics_put(m, (size_t)rm->cpu_col[i] + cores, (double)queued);
	}
}

/* cpu.<node>.<core> and queue.<node> columns for every measured node with a "cpu", from the first row on. */
static int cpu_columns(runner *r, sim_run_metrics *rm)
{
	const sim_scenario *sc = r->sc;
	size_t total = 0;
	char name[96];
	if (!(rm->cpu_col = malloc((sc->n_nodes ? sc->n_nodes : 1) * sizeof(int))) ||
	    !(rm->done_at = calloc(sc->n_nodes ? sc->n_nodes : 1, sizeof(size_t))))
		return -1;
	for (uint32_t i = 0; i < sc->n_nodes; i++) {
		const sim_node_spec *ns = &sc->nodes[i];
		rm->cpu_col[i] = -1;
		if (!ns->cpu || (sc->metrics.nodes && !sc->metrics.nodes[i]))
			continue;
		size_t cores = ns->cpu->cores < CPU_COLS_MAX ? ns->cpu->cores : CPU_COLS_MAX;
		rm->done_at[i] = total;
		total += cores;
		for (size_t k = 0; k < cores; k++) {
			snprintf(name, sizeof(name), "cpu.%s.%zu", ns->name, k);
			int col = sim_metrics_col(r->metrics, name, SIM_MK_GAUGE);
			if (col < 0)
				return -1;
			rm->cpu_col[i] = k ? rm->cpu_col[i] : col;
		}
		snprintf(name, sizeof(name), "queue.%s", ns->name);
		if (sim_metrics_col(r->metrics, name, SIM_MK_GAUGE) < 0)
			return -1;
	}
	return (rm->done = calloc(total ? total : 1, sizeof(int64_t))) ? 0 : -1;
}

static int is_metric(const sim_expect_spec *e) { return e->kind == SIM_EXPECT_METRIC; }

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Gauge expectations become marks (sorted, each expect finds its own), counters windows. 0 or -1. */
static int plan(runner *r, sim_run_metrics *rm)
{
	const sim_scenario *sc = r->sc;
	size_t ne = sc->n_expects ? sc->n_expects : 1;
	if (!(rm->marks = calloc(ne, sizeof(*rm->marks))) || !(rm->slot = calloc(ne, sizeof(*rm->slot))) ||
	    !(rm->win = calloc(ne, sizeof(*rm->win))))
		return -1;
	for (size_t i = 0; i < sc->n_expects; i++) {
		const sim_expect_spec *e = &sc->expects[i];
		if (!is_metric(e) || e->metric >= SIM_XM_FIRST_SUMMARY)
			continue;
		if (e->metric < SIM_XM_FIRST_COUNTER)
			rm->marks[rm->n_marks++] = e->at < 0 ? INT64_MAX : e->at;
		else
			rm->win[rm->n_win++] = (sim_metrics_window){ e->metric, e->from, e->to, 0 };
	}
	qsort(rm->marks, rm->n_marks, sizeof(*rm->marks), cmp_i64);
	for (size_t i = 0, w = 0; i < sc->n_expects; i++) {
		const sim_expect_spec *e = &sc->expects[i];
		if (!is_metric(e) || e->metric >= SIM_XM_FIRST_SUMMARY)
			continue;
		if (e->metric >= SIM_XM_FIRST_COUNTER) {
			rm->slot[i] = w++;
			continue;
		}
		int64_t at = e->at < 0 ? INT64_MAX : e->at;
		size_t k = 0;
		while (rm->marks[k] != at)
			k++;
		rm->slot[i] = k;
	}
	return 0;
}

int sim_rm_setup(runner *r, const sim_run_opts *o, char *err, size_t errlen)
{
	const sim_scenario *sc = r->sc;
	int expects = 0;
	for (size_t i = 0; i < sc->n_expects; i++)
		expects |= is_metric(&sc->expects[i]);
	if (!sc->metrics.interval && !o->metrics_path && !expects && !o->progress)
		return 0;
	int64_t iv = o->metrics_interval > 0 ? o->metrics_interval : sc->metrics.interval ? sc->metrics.interval
											       : IKE_NS_PER_SEC;
	if (sc->duration / iv >= SIM_METRICS_MAX_ROWS) {
		snprintf(err, errlen, "%s: a metrics interval of %.3f s over a %.0f s run is over %u rows: take a longer one",
			 sc->file, (double)iv / 1e9, (double)sc->duration / 1e9, SIM_METRICS_MAX_ROWS);
		return -1;
	}
	sim_run_metrics *rm = r->rm = calloc(1, sizeof(*rm));
	if (!rm || plan(r, rm)) {
		snprintf(err, errlen, "%s: out of memory for the metrics", sc->file);
		return -1;
	}
	sim_metrics_cfg cfg = { .interval = iv, .n_nodes = sc->n_nodes, .measured = sc->metrics.nodes,
				.marks = rm->marks, .n_marks = rm->n_marks, .windows = rm->win, .n_windows = rm->n_win,
				.keep_rows = o->metrics_path != NULL, .row_fn = cpu_row, .row_ctx = r };
	rm->interval = iv;
	if ((r->metrics = sim_metrics_new(&cfg)) && cpu_columns(r, rm) == 0)
		return 0;
	snprintf(err, errlen, "%s: out of memory for the metrics", sc->file);
	return -1;
}

void sim_rm_free(runner *r)
{
	sim_metrics_free(r->metrics);
	r->metrics = NULL;
	if (r->rm) {
		free(r->rm->marks);
		free(r->rm->slot);
		free(r->rm->win);
		free(r->rm->cpu_col);
		free(r->rm->done);
		free(r->rm->done_at);
	}
	free(r->rm);
	r->rm = NULL;
}

/* A METRIC expectation's value from what the run measured. */
static int64_t value_of(const sim_run_metrics *rm, const sim_metrics_result *m, const sim_expect_spec *e, size_t i)
{
	switch (e->metric) {
	case SIM_XM_RECOVERY_TIME: return m->recovery_time;
	case SIM_XM_RECOVERY_AT: return m->recovery_at;
	case SIM_XM_LAT_P50: return sim_metrics_quantile(m, 0.5);
	case SIM_XM_LAT_P90: return sim_metrics_quantile(m, 0.9);
	case SIM_XM_LAT_P99: return sim_metrics_quantile(m, 0.99);
	case SIM_XM_LAT_MAX: return sim_metrics_quantile(m, 1.0);
	case SIM_XM_SETUPS: return (int64_t)m->n_lat;
	default: break;
	}
	if (e->metric >= SIM_XM_FIRST_COUNTER)
		return (int64_t)rm->win[rm->slot[i]].count;
	return m->marks[rm->slot[i] * SIM_MC_GAUGES + e->metric];
}

/* The file: JSON with the run's identity in meta, or CSV. 0, or -1 with err. */
static int write_file(runner *r, const sim_run_opts *o, const sim_metrics_result *m, uint64_t seed, char *err,
		      size_t errlen)
{
	char meta[1024], file[300];
	ike_host_afile *a = ike_host_afile_open(o->metrics_path, "metrics", err, errlen);
	if (!a)
		return -1;
	FILE *f = ike_host_afile_stream(a);
	if (o->metrics_csv) {
		sim_metrics_write_csv(m, f);
	} else {
		ike_host_json_str(file, sizeof(file), r->sc->file);
		int k = snprintf(meta, sizeof(meta), "\"schema\":1,\"scenario\":%s,\"seed\":%llu,\"duration\":%.9f,\"nodes\":[",
				 file, (unsigned long long)seed, (double)r->sc->duration / 1e9);
		for (size_t i = 0, n = 0; i < r->sc->n_nodes && k > 0 && (size_t)k < sizeof(meta) - 80; i++)
			if (!r->sc->metrics.nodes || r->sc->metrics.nodes[i])
				k += snprintf(meta + k, sizeof(meta) - (size_t)k, "%s\"%s\"", n++ ? "," : "",
					      r->sc->nodes[i].name);
		snprintf(meta + k, sizeof(meta) - (size_t)k, "%s]", (size_t)k < sizeof(meta) - 80 ? "" : ",\"...\"");
		sim_metrics_write_json(m, meta, f);
	}
	if (ike_host_afile_close(a, 1) != 0) {
		snprintf(err, errlen, "%s: writing the metrics failed", o->metrics_path);
		return -1;
	}
	return 0;
}

int sim_rm_collect(runner *r, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen)
{
	if (!r->metrics)
		return 0;
	const sim_scenario *sc = r->sc;
	if (!(res->metrics = calloc(1, sizeof(*res->metrics))) ||
	    sim_metrics_finish(r->metrics, res->end_time, res->metrics) != 0 ||
	    !(res->mvals = calloc(sc->n_expects ? sc->n_expects : 1, sizeof(*res->mvals)))) {
		snprintf(err, errlen, "%s: out of memory for the metrics", sc->file);
		return -1;
	}
	for (size_t i = 0; i < sc->n_expects; i++)
		res->mvals[i] = is_metric(&sc->expects[i]) ? value_of(r->rm, res->metrics, &sc->expects[i], i) : -1;
	return o->metrics_path ? write_file(r, o, res->metrics, res->seed, err, errlen) : 0;
}

/* "20 s" for time metrics, "90" for the others; "none" when nothing was measured. */
static void fmt_value(const sim_expect_spec *e, int64_t v, char *out, size_t cap)
{
	if (v < 0)
		snprintf(out, cap, "none (%s)", e->metric == SIM_XM_RECOVERY_TIME || e->metric == SIM_XM_RECOVERY_AT
							? "no IKE SA up at the end" : "no IKE SA set up by an initiator");
	else if (SIM_XM_IS_TIME(e->metric))
		snprintf(out, cap, "%.3f s", (double)v / 1e9);
	else
		snprintf(out, cap, "%lld", (long long)v);
}

size_t sim_check_metric(const sim_scenario *sc, size_t i, const sim_run_result *res, FILE *err)
{
	const sim_expect_spec *e = &sc->expects[i];
	int64_t v = res->mvals ? res->mvals[i] : -1;
	char lo[48] = "", hi[48] = "", want[120], got[80], when[64] = "";
	if (v >= 0 && (uint64_t)v >= e->min && (uint64_t)v <= e->max)
		return 0;
	fmt_value(e, (int64_t)e->min, lo, sizeof(lo));
	if (e->max != (uint64_t)INT64_MAX)
		fmt_value(e, (int64_t)e->max, hi, sizeof(hi));
	if (e->min && hi[0])
		snprintf(want, sizeof(want), "%s..%s", lo, hi);
	else if (hi[0])
		snprintf(want, sizeof(want), "at most %s", hi);
	else
		snprintf(want, sizeof(want), "at least %s", lo);
	fmt_value(e, v, got, sizeof(got));
	if (e->metric < SIM_XM_FIRST_COUNTER)
		snprintf(when, sizeof(when), e->at < 0 ? " at the end" : " at %.3f s", (double)e->at / 1e9);
	else if (e->metric < SIM_XM_FIRST_SUMMARY && e->to != INT64_MAX)
		snprintf(when, sizeof(when), " in [%.3f s, %.3f s]", (double)e->from / 1e9, (double)e->to / 1e9);
	else if (e->metric < SIM_XM_FIRST_SUMMARY && e->from)
		snprintf(when, sizeof(when), " from %.3f s", (double)e->from / 1e9);
	fprintf(err, "expect[%zu]: metric %s%s: wanted %s, got %s\n", i, sim_metric_names[e->metric], when, want, got);
	return 1;
}
