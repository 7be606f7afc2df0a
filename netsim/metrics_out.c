/* Closing a run's metrics: the last row, the latency distribution, the recovery time; JSON and CSV out. */
#include <stdlib.h>
#include <string.h>

#include "host/trace.h"
#include "metrics_int.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* ike_up's final value, when it last rose to it, and the outage that final dip began with. */
static void recovery(const sim_metrics *m, sim_metrics_result *r)
{
	int64_t f = m->g[SIM_MC_IKE_UP], prev = 0, dip = -1;
	r->final_up = f;
	r->recovery_at = r->fault_at = r->recovery_time = -1;
	if (f <= 0)
		return;
	for (size_t i = 0; i < m->n_log; i++) {
		if (prev < f && m->log_v[i] >= f)
			r->recovery_at = m->log_t[i];
		if (prev >= f && m->log_v[i] < f)
			dip = m->log_t[i];
		prev = m->log_v[i];
	}
	for (size_t i = 0; dip >= 0 && i < m->n_faults && m->faults[i] <= dip; i++)
		r->fault_at = m->faults[i];
	r->recovery_time = r->recovery_at - (r->fault_at >= 0 ? r->fault_at : 0);
}

/* The rows as one zero-filled table (columns registered later than a row read 0 there). */
static int table(const sim_metrics *m, sim_metrics_result *r)
{
	r->n_rows = m->n_rows;
	r->t = malloc((m->n_rows ? m->n_rows : 1) * sizeof(*r->t));
	r->v = calloc(m->n_rows * m->n_cols + 1, sizeof(*r->v));
	if (!r->t || !r->v)
		return -1;
	size_t off = 0;
	for (size_t i = 0; i < m->n_rows; i++) {
		r->t[i] = m->t[i];
		memcpy(&r->v[i * m->n_cols], &m->vals[off], m->width[i] * sizeof(double));
		off += m->width[i];
	}
	return 0;
}

int sim_metrics_finish(sim_metrics *m, int64_t end, sim_metrics_result *r)
{
	memset(r, 0, sizeof(*r));
	sim_mx_advance(m, end);
	for (; m->next_mark < m->cfg.n_marks; m->next_mark++) /* marks at or after the end see the final state */
		memcpy(&m->marks[m->next_mark * SIM_MC_GAUGES], m->g, sizeof(m->g));
	sim_mx_advance(m, m->next_t + 1); /* the last row, at or after the end, holds the events up to it */
	if (m->failed)
		return -1;
	r->interval = m->cfg.interval;
	r->end = end;
	r->n_cols = m->n_cols;
	if (table(m, r) != 0 || !(r->cols = calloc(m->n_cols, sizeof(*r->cols))) ||
	    !(r->kinds = malloc(m->n_cols)) || !(r->totals = calloc(m->n_cols, sizeof(*r->totals)))) {
		sim_metrics_result_free(r);
		return -1;
	}
	for (size_t i = 0; i < m->n_cols; i++) {
		r->cols[i] = m->names[i], m->names[i] = NULL;
		r->kinds[i] = m->kinds[i];
		r->totals[i] = m->kinds[i] == SIM_MK_COUNTER ? m->totals[i] : 0;
	}
	if (m->n_lat) /* qsort wants a real array, even for none */
		qsort(m->lat, m->n_lat, sizeof(*m->lat), cmp_i64);
	r->lat = m->lat, r->n_lat = m->n_lat, m->lat = NULL, m->n_lat = 0;
	r->marks = m->marks, r->n_marks = m->cfg.n_marks, m->marks = NULL;
	recovery(m, r);
	return 0;
}

void sim_metrics_result_free(sim_metrics_result *r)
{
	for (size_t i = 0; r->cols && i < r->n_cols; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->kinds);
	free(r->t);
	free(r->v);
	free(r->lat);
	free(r->marks);
	free(r->totals);
	memset(r, 0, sizeof(*r));
}

int64_t sim_metrics_quantile(const sim_metrics_result *r, double q)
{
	if (!r->n_lat)
		return -1;
	double x = q * (double)r->n_lat;
	size_t k = (size_t)x; /* nearest rank: ceil(q n), within 1..n */
	k += (double)k < x;
	k = k < 1 ? 1 : k > r->n_lat ? r->n_lat : k;
	return r->lat[k - 1];
}

/* A 1, 2 or 5 times a power of ten (ns) at least x: histogram bins with round edges. */
static int64_t nice_width(int64_t x)
{
	int64_t p = 1;
	while (p < INT64_MAX / 10 && p * 10 <= x)
		p *= 10;
	return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
}

static void put_secs(FILE *f, const char *key, int64_t ns, int comma)
{
	if (ns < 0)
		fprintf(f, "\"%s\":null%s", key, comma ? "," : "");
	else
		fprintf(f, "\"%s\":%.9f%s", key, (double)ns / 1e9, comma ? "," : "");
}

static void write_latency(const sim_metrics_result *r, FILE *f)
{
	int64_t sum = 0, max = r->n_lat ? r->lat[r->n_lat - 1] : 0;
	for (size_t i = 0; i < r->n_lat; i++)
		sum += r->lat[i];
	fprintf(f, "\"latency\":{\"count\":%zu,", r->n_lat);
	put_secs(f, "p50", sim_metrics_quantile(r, 0.5), 1);
	put_secs(f, "p90", sim_metrics_quantile(r, 0.9), 1);
	put_secs(f, "p99", sim_metrics_quantile(r, 0.99), 1);
	put_secs(f, "max", r->n_lat ? max : -1, 1);
	put_secs(f, "mean", r->n_lat ? sum / (int64_t)r->n_lat : -1, 1);
	int64_t w = nice_width(max / 20 > 0 ? max / 20 : 1);
	size_t bins = r->n_lat ? (size_t)(max / w) + 1 : 0;
	fprintf(f, "\"histogram\":{\"width\":%.9f,\"counts\":[", (double)w / 1e9);
	for (size_t b = 0, i = 0; b < bins; b++) {
		size_t n = 0;
		while (i < r->n_lat && r->lat[i] < (int64_t)(b + 1) * w)
			i++, n++;
		fprintf(f, "%s%zu", b ? "," : "", n);
	}
	fprintf(f, "]}}");
}

void sim_metrics_write_json(const sim_metrics_result *r, const char *meta, FILE *f)
{
	char name[200];
	fprintf(f, "{\"meta\":{%s%s\"interval\":%.9f,\"end\":%.9f},\n\"columns\":[\"t\"", meta ? meta : "",
		meta && meta[0] ? "," : "", (double)r->interval / 1e9, (double)r->end / 1e9);
	for (size_t c = 0; c < r->n_cols; c++) {
		ike_host_json_str(name, sizeof(name), r->cols[c]);
		fprintf(f, ",%s", name);
	}
	fprintf(f, "],\n\"kinds\":[\"time\"");
	for (size_t c = 0; c < r->n_cols; c++)
		fprintf(f, ",\"%s\"", r->kinds[c] == SIM_MK_GAUGE ? "gauge" : "counter");
	fprintf(f, "],\n\"rows\":[");
	for (size_t i = 0; i < r->n_rows; i++) {
		fprintf(f, "%s\n[%.9f", i ? "," : "", (double)r->t[i] / 1e9);
		for (size_t c = 0; c < r->n_cols; c++)
			fprintf(f, ",%.15g", r->v[i * r->n_cols + c]);
		fputc(']', f);
	}
	fprintf(f, "],\n");
	write_latency(r, f);
	fprintf(f, ",\n\"recovery\":{\"final_up\":%lld,", (long long)r->final_up);
	put_secs(f, "at", r->recovery_at, 1);
	put_secs(f, "fault_at", r->fault_at, 1);
	put_secs(f, "time", r->recovery_time, 0);
	fprintf(f, "},\n\"totals\":{");
	for (size_t c = 0, k = 0; c < r->n_cols; c++) {
		if (r->kinds[c] != SIM_MK_COUNTER)
			continue;
		ike_host_json_str(name, sizeof(name), r->cols[c]);
		fprintf(f, "%s%s:%llu", k++ ? "," : "", name, (unsigned long long)r->totals[c]);
	}
	fprintf(f, "}}\n");
}

void sim_metrics_write_csv(const sim_metrics_result *r, FILE *f)
{
	fprintf(f, "t");
	for (size_t c = 0; c < r->n_cols; c++)
		fprintf(f, ",%s", r->cols[c]);
	fputc('\n', f);
	for (size_t i = 0; i < r->n_rows; i++) {
		fprintf(f, "%.9f", (double)r->t[i] / 1e9);
		for (size_t c = 0; c < r->n_cols; c++)
			fprintf(f, ",%.15g", r->v[i * r->n_cols + c]);
		fputc('\n', f);
	}
}
