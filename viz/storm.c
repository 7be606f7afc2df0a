/*
 * `ikesim viz storm`: a metrics file (docs/metrics.md) drawn by gnuplot. This file reads and checks the
 * metrics and writes the gnuplot script (data inline, fixed sizes and fonts, so the same file gives the same
 * bytes); storm_run.c runs gnuplot on it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm_int.h"

#define MAX_FILE (256u << 20) /* a metrics file larger than this is not one ikesim wrote */

/* The series drawn, by column name; missing columns are left out of the plot. */
static const char *const SERIES[STORM_N] = { "ike_up", "half_open", "in_flight", "child_up", "retransmits",
					     "cookies", "drops", "refused" };

static int fail(char *msg, size_t n, const char *fmt, const char *file, const char *what)
{
	snprintf(msg, n, fmt, file, what);
	return -1;
}

/* columns: strings, "t" first; rows: arrays of that many numbers, t ascending. 0 or -1 with msg. */
static int check_table(storm_data *d, const char *file, char *msg, size_t n)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(d->json, "columns");
	d->rows = cJSON_GetObjectItemCaseSensitive(d->json, "rows");
	if (!cJSON_IsArray(cols) || !cJSON_IsString(cols->child) || strcmp(cols->child->valuestring, "t") != 0)
		return fail(msg, n, "%s: columns: %s", file, "expected an array of names starting with \"t\"");
	if (!cJSON_IsArray(d->rows))
		return fail(msg, n, "%s: rows: %s", file, "expected an array of rows");
	d->n_cols = (size_t)cJSON_GetArraySize(cols);
	for (size_t k = 0; k < STORM_N; k++)
		d->col[k] = -1;
	int i = 0;
	for (const cJSON *c = cols->child; c; c = c->next, i++) {
		if (!cJSON_IsString(c))
			return fail(msg, n, "%s: columns[%s]: expected a name", file, "");
		for (size_t k = 0; k < STORM_N; k++)
			if (strcmp(c->valuestring, SERIES[k]) == 0)
				d->col[k] = i;
		if (strncmp(c->valuestring, "cpu.", 4) == 0 && d->n_cpu < STORM_CPU_MAX) {
			d->cpu_name[d->n_cpu] = c->valuestring + 4;
			d->cpu[d->n_cpu++] = i;
		}
	}
	double prev = -INFINITY;
	size_t r = 0;
	for (const cJSON *row = d->rows->child; row; row = row->next, r++) {
		size_t k = 0;
		for (const cJSON *v = cJSON_IsArray(row) ? row->child : NULL; v; v = v->next, k++)
			if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
				break;
		if (!cJSON_IsArray(row) || k != d->n_cols || (size_t)cJSON_GetArraySize(row) != d->n_cols ||
		    row->child->valuedouble < prev) {
			snprintf(msg, n, "%s: rows[%zu]: expected %zu numbers (as many as columns), t not below the row "
				 "before", file, r, d->n_cols);
			return -1;
		}
		prev = row->child->valuedouble;
	}
	d->n_rows = r;
	return 0;
}

/* latency: count, p50.., histogram {width, counts}; optional (older or partial files draw no histogram). */
static int check_latency(storm_data *d, const char *file, char *msg, size_t n)
{
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(d->json, "latency");
	if (!lat)
		return 0;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(lat, "histogram");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(h, "width");
	d->hist = cJSON_GetObjectItemCaseSensitive(h, "counts");
	if (!cJSON_IsObject(lat) || !cJSON_IsNumber(w) || !(w->valuedouble > 0) || !isfinite(w->valuedouble) ||
	    !cJSON_IsArray(d->hist))
		return fail(msg, n, "%s: latency: %s", file, "expected {count, p50, ..., histogram: {width, counts}}");
	for (const cJSON *c = d->hist->child; c; c = c->next)
		if (!cJSON_IsNumber(c) || c->valuedouble < 0)
			return fail(msg, n, "%s: latency.histogram.counts: %s", file, "expected counts >= 0");
	d->width = w->valuedouble;
	static const char *const q[4] = { "p50", "p90", "p99", "max" };
	for (int k = 0; k < 4; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(lat, q[k]);
		d->q[k] = cJSON_IsNumber(v) ? v->valuedouble : -1;
	}
	const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(lat, "count");
	d->count = cJSON_IsNumber(cnt) ? cnt->valuedouble : 0;
	return 0;
}

int viz_storm_load(storm_data *d, const char *path, char *msg, size_t n)
{
	memset(d, 0, sizeof(*d));
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(msg, n, "%s: %s", path, "cannot open the metrics file");
	char *text = malloc(MAX_FILE + 1);
	size_t len = text ? fread(text, 1, MAX_FILE + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!text || bad || len > MAX_FILE) {
		free(text);
		return fail(msg, n, "%s: %s", path, !text ? "out of memory" : bad ? "read error" : "larger than 256 MiB");
	}
	text[len] = 0;
	d->json = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(d->json)) {
		viz_storm_free(d);
		return fail(msg, n, "%s: %s", path, "not a metrics file (a JSON object written by 'ikesim run --metrics')");
	}
	if (check_table(d, path, msg, n) != 0 || check_latency(d, path, msg, n) != 0) {
		viz_storm_free(d);
		return -1;
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(d->json, "meta");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(meta, "scenario"), *seed = cJSON_GetObjectItemCaseSensitive(meta, "seed");
	const cJSON *iv = cJSON_GetObjectItemCaseSensitive(meta, "interval");
	d->scenario = cJSON_IsString(sc) ? sc->valuestring : "";
	d->seed = cJSON_IsNumber(seed) ? seed->valuedouble : -1;
	d->interval = cJSON_IsNumber(iv) && iv->valuedouble > 0 && isfinite(iv->valuedouble) ? iv->valuedouble : 0;
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(d->json, "recovery");
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(rec, "fault_at"), *ra = cJSON_GetObjectItemCaseSensitive(rec, "at");
	d->fault_at = cJSON_IsNumber(fa) && isfinite(fa->valuedouble) ? fa->valuedouble : -1;
	d->recovered_at = cJSON_IsNumber(ra) && isfinite(ra->valuedouble) ? ra->valuedouble : -1;
	return 0;
}

void viz_storm_free(storm_data *d)
{
	cJSON_Delete(d->json);
	d->json = NULL;
}

/* s inside a gnuplot single-quoted string: quotes, backslashes and control characters become '_'. */
static void gp_str(viz_buf *b, const char *s)
{
	viz_buf_puts(b, "'");
	for (size_t i = 0; s[i] && i < 200; i++)
		viz_buf_printf(b, "%c", (unsigned char)s[i] < 0x20 || s[i] == '\'' || s[i] == '\\' || s[i] == 0x7f ? '_' : s[i]);
	viz_buf_puts(b, "'");
}

static double cell(const cJSON *row, int col) { return col < 0 ? 0 : cJSON_GetArrayItem(row, col)->valuedouble; }

static void data_blocks(const storm_data *d, viz_buf *b)
{
	viz_buf_puts(b, "$series << EOD\n");
	for (const cJSON *row = d->rows->child; row; row = row->next) {
		viz_buf_printf(b, "%.9g", row->child->valuedouble);
		for (size_t k = 0; k < STORM_N; k++)
			viz_buf_printf(b, " %.15g", cell(row, d->col[k]));
		for (size_t k = 0; k < d->n_cpu; k++)
			viz_buf_printf(b, " %.15g", 100 * cell(row, d->cpu[k]));
		viz_buf_puts(b, "\n");
	}
	viz_buf_puts(b, "EOD\n$hist << EOD\n");
	size_t i = 0;
	for (const cJSON *c = d->hist ? d->hist->child : NULL; c; c = c->next, i++)
		viz_buf_printf(b, "%.9g %.15g\n", ((double)i + 0.5) * d->width, c->valuedouble);
	viz_buf_puts(b, "EOD\n");
}

/* One plot command of the series whose columns exist; kinds: "steps" for gauges, counters shifted left by
 * one interval so each value covers the interval it counts. */
static void series_plot(const storm_data *d, viz_buf *b, size_t from, size_t to, int counters)
{
	static const char *const TITLES[STORM_N] = { "IKE SAs up", "half-open", "requests in flight", "CHILD SAs up",
						     "retransmissions", "cookies sent", "datagrams dropped", "refused (untraced)" };
	static const char *const COLORS[STORM_N] = { "#1b7837", "#d95f02", "#7570b3", "#66a61e",
						     "#e7298a", "#1f78b4", "#a6761d", "#666666" };
	int any = 0;
	viz_buf_puts(b, "plot ");
	for (size_t k = from; k < to; k++) {
		if (d->col[k] < 0)
			continue;
		viz_buf_printf(b, "%s$series using ($1-%.9g):%zu with steps lw %s dt %d lc rgb '%s' title '%s'",
			       any ? ", " : "", counters ? d->interval : 0.0, k + 2, k == 0 ? "3" : "1.5",
			       k == STORM_CHILD ? 2 : 1, COLORS[k], TITLES[k]);
		any = 1;
	}
	viz_buf_puts(b, any ? "\n" : "NaN notitle\n");
}

/* Each core's utilisation over the interval before each row (the CPU model's nodes, docs/cpu.md). */
static void cpu_plot(const storm_data *d, viz_buf *b)
{
	viz_buf_puts(b, "set ylabel 'CPU busy (%)'\nset yrange [0:105]\nplot ");
	for (size_t k = 0; k < d->n_cpu; k++) {
		viz_buf_printf(b, "%s$series using ($1-%.9g):%zu with steps lw 1.5 title ", k ? ", " : "", d->interval,
			       STORM_N + 2 + k);
		gp_str(b, d->cpu_name[k]);
	}
	viz_buf_puts(b, "\nset yrange [0:*]\n");
}

static void latency_plot(const storm_data *d, viz_buf *b)
{
	char t[200];
	viz_buf_puts(b, "set xlabel 'setup latency (s): first IKE_SA_INIT sent to ESTABLISHED, initiators'\n"
			"set ylabel 'IKE SAs'\nset xrange [0:*]\nset style fill solid 0.7 border -1\n");
	if (!d->hist || !d->count) {
		viz_buf_puts(b, "set label 1 'no IKE SA set up' at graph 0.5,0.5 center\nplot [0:1] NaN notitle\n");
		return;
	}
	snprintf(t, sizeof(t), "%.0f setups: p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s", d->count, d->q[0], d->q[1],
		 d->q[2], d->q[3]);
	viz_buf_printf(b, "set boxwidth %.9g absolute\nplot $hist using 1:2 with boxes lc rgb '#4393c3' title ", d->width);
	gp_str(b, t);
	viz_buf_puts(b, "\n");
}

void viz_storm_script(const storm_data *d, viz_format fmt, viz_buf *b)
{
	char title[400];
	int h = d->n_cpu ? 1400 : 1100;
	if (fmt == VIZ_FMT_PNG)
		viz_buf_printf(b, "set terminal pngcairo size 1000,%d font 'DejaVu Sans,10' noenhanced background '#ffffff'\n", h);
	else
		viz_buf_printf(b, "set terminal svg size 1000,%d fixed font 'DejaVu Sans,12' noenhanced background '#ffffff'\n", h);
	data_blocks(d, b);
	if (d->seed >= 0)
		snprintf(title, sizeof(title), "%.200s (seed %.0f)", d->scenario, d->seed);
	else
		snprintf(title, sizeof(title), "%.200s", d->scenario);
	viz_buf_printf(b, "set multiplot layout %d,1 title ", d->n_cpu ? 4 : 3);
	gp_str(b, title);
	viz_buf_puts(b, "\nset grid\nset key top right opaque box\nset xlabel 'virtual time (s)'\nset xrange [0:*]\n"
			"set yrange [0:*]\nset ylabel 'SAs, requests'\n");
	/* the outage and the recovery as marks on both time plots */
	if (d->fault_at >= 0)
		viz_buf_printf(b, "set arrow 1 from %.9g, graph 0 to %.9g, graph 1 nohead dt 3 lc rgb '#b2182b'\n"
				  "set label 1 'fault' at %.9g, graph 0.95 left offset 0.5,0 tc rgb '#b2182b'\n",
			       d->fault_at, d->fault_at, d->fault_at);
	if (d->recovered_at >= 0)
		viz_buf_printf(b, "set arrow 2 from %.9g, graph 0 to %.9g, graph 1 nohead dt 3 lc rgb '#2166ac'\n"
				  "set label 2 'all up' at %.9g, graph 0.88 left offset 0.5,0 tc rgb '#2166ac'\n",
			       d->recovered_at, d->recovered_at, d->recovered_at);
	series_plot(d, b, 0, 4, 0);
	viz_buf_printf(b, "set ylabel 'per interval (%.3g s)'\n", d->interval);
	series_plot(d, b, 4, STORM_N, 1);
	if (d->n_cpu)
		cpu_plot(d, b);
	viz_buf_puts(b, "unset arrow\nunset label\n");
	latency_plot(d, b);
	viz_buf_puts(b, "unset multiplot\n");
}
