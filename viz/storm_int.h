/* Shared between viz/storm.c (the metrics and the script) and viz/storm_run.c (gnuplot as a child). */
#ifndef VIZ_STORM_INT_H
#define VIZ_STORM_INT_H

#include "viz.h"

/* The series drawn: gauges first (four), then counters. */
enum { STORM_UP, STORM_HALF, STORM_FLIGHT, STORM_CHILD, STORM_RT, STORM_COOKIES, STORM_DROPS, STORM_REFUSED, STORM_N };

#define STORM_CPU_MAX 8 /* cores drawn; a gateway with more shows its first eight */

typedef struct storm_data {
	cJSON *json;
	const cJSON *rows, *hist; /* into json */
	size_t n_cols, n_rows;
	int col[STORM_N];         /* column of each series, -1 absent */
	int cpu[STORM_CPU_MAX];   /* columns cpu.<node>.<core> (utilisation 0..1), drawn in a fourth plot */
	size_t n_cpu;
	const char *cpu_name[STORM_CPU_MAX]; /* into json */
	double width, count, q[4]; /* histogram bin width, setups, p50 p90 p99 max (s) */
	double interval, seed, fault_at, recovered_at; /* s; -1: none */
	const char *scenario;
} storm_data;

/* Reads and checks a metrics file; 0, or -1 with "FILE: field: what is wrong" in msg. */
int viz_storm_load(storm_data *d, const char *path, char *msg, size_t n);
void viz_storm_free(storm_data *d);
/* The gnuplot script that draws d as fmt (SVG or PNG) on stdout. */
void viz_storm_script(const storm_data *d, viz_format fmt, viz_buf *b);

#endif
