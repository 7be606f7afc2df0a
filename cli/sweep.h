/* `ikesim sweep`: a parameter grid over one scenario, run as independent jobs, merged into one table (docs/sweep.md). */
#ifndef CLI_SWEEP_H
#define CLI_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define SWEEP_MAX_PARAMS 16
#define SWEEP_MAX_VALUES 1000
#define SWEEP_MAX_POINTS 100000u
#define SWEEP_MAX_COLS 64
#define SWEEP_PATH_MAX 160
#define SWEEP_FILE_MAX (16u << 20) /* spec, manifest and metrics files: anything larger is not ours */

/* One varied field: a JSON path into the scenario and the values it takes, in the spec's order. */
typedef struct sweep_param {
	char path[SWEEP_PATH_MAX];
	cJSON *values; /* a JSON array, owned */
	size_t n;
} sweep_param;

/* A parsed spec; the grid's first parameter varies slowest. */
typedef struct sweep_spec {
	char *file;     /* the spec's path as given */
	char *base;     /* the base scenario's path (relative ones resolved against the spec's directory) */
	char *base_dir; /* the base's directory, absolute: relative certificate paths are made absolute with it */
	char interval[32]; /* metrics interval as written ("1s"), empty: the scenario's */
	sweep_param p[SWEEP_MAX_PARAMS];
	size_t n_params, n_points;
	char *cols[SWEEP_MAX_COLS];
	size_t n_cols;
} sweep_spec;

/* The whole file (at most max bytes), NUL-terminated; NULL with "FILE: cannot read: why" in msg. Caller frees. */
char *sweep_read_file(const char *path, size_t max, size_t *len, char *msg, size_t n);

/* Reads and checks a spec and its base scenario; 0, or -1 with "FILE: field: reason" in msg. Free with sweep_spec_free. */
int sweep_spec_load(sweep_spec *s, const char *file, char *msg, size_t n);
void sweep_spec_free(sweep_spec *s);
/* 1 when name is a result column a spec may keep ("recovery.time", "totals.cookies", "max.half_open"...). */
int sweep_col_valid(const char *name);

/* The value indices of point k (0-based) into idx[n_params]. */
void sweep_point_idx(const sweep_spec *s, size_t k, size_t *idx);
/* A value as a table cell: numbers in their shortest exact form, strings as they are, others as compact JSON. */
void sweep_value_text(const cJSON *v, char *out, size_t cap);

/* v as text: whole numbers with every digit, others in their shortest exact form; returns out. */
char *sweep_num_text(double v, char *out, size_t cap);

/*
 * Sets the field at path in root to a copy of v (the last object member may be new). 0, or -1 with the
 * reason in msg ("no element 3 (nodes has 2)").
 */
int sweep_path_set(cJSON *root, const char *path, const cJSON *v, char *msg, size_t n);
/* 1 when path is well formed: key(.key|[N]|[NAME]|[*])*; [NAME] is the element whose "name" is NAME, [*] every element. */
int sweep_path_valid(const char *path);

/* The job scenario of point k: the base with the point's values, certificate paths made absolute. NULL + msg. */
char *sweep_job_text(const sweep_spec *s, const cJSON *base, size_t k, char *msg, size_t n);

/* What `ikesim sweep` writes and how it runs it. */
typedef struct sweep_plan {
	const char *dir;  /* absolute output directory */
	const char *bin;  /* the ikesim binary each job runs */
	unsigned jobs;    /* parallel's --jobs, Slurm's array throttle (0: none) */
	int width;        /* digits of job numbers (4 or more) */
} sweep_plan;

/* Writes DIR/jobs/NNNN.json (each checked by the scenario loader), DIR/jobs.txt and DIR/sweep.json. 0 or -1. */
int sweep_write_jobs(const sweep_spec *s, const sweep_plan *p, FILE *err);
/* Writes DIR/sweep.sbatch, a Slurm job array over DIR/jobs.txt. 0 or -1. */
int sweep_write_sbatch(const sweep_spec *s, const sweep_plan *p, FILE *err);
/* Runs DIR/jobs.txt with GNU parallel, progress on err. 0 when every job ran, 1 some failed, -1 parallel did not run. */
int sweep_run_parallel(const sweep_spec *s, const sweep_plan *p, FILE *err);

/* `ikesim sweep merge` options. */
typedef struct sweep_merge_opts {
	const char *dir, *out, *plot, *x, *y, *by;
	int logx;
} sweep_merge_opts;

/* The merged table of DIR (every point, failed and missing ones included). */
typedef struct sweep_table {
	char **head;     /* n_cols names: point, the parameters' paths, status, the result columns */
	size_t n_cols, n_params, n_rows;
	char **cell;     /* n_rows x n_cols texts ("" for none) */
	cJSON **pval;    /* n_rows x n_params: the parameters' JSON values (into the manifest) */
	double *num;     /* n_rows x n_cols: numeric value or NAN */
	cJSON *manifest;
	size_t *seen;    /* per result column: jobs that had a value */
	size_t failed, missing, expect_failed;
} sweep_table;

/* Reads DIR/sweep.json and every job's results; 0, or -1 with msg. Problems per job go to err. */
int sweep_table_load(sweep_table *t, const char *dir, FILE *err, char *msg, size_t n);
void sweep_table_free(sweep_table *t);
/* The table as CSV (RFC 4180 quoting) or, for a .json path, JSON; written whole or not at all. 0 or -1. */
int sweep_table_write(const sweep_table *t, const char *path, char *msg, size_t n);
/* One gnuplot chart of column y against parameter x (log scale: logx), one line per value of parameter by (NULL: one). */
int sweep_plot(const sweep_table *t, const char *path, const char *x, const char *y, const char *by, int logx,
	       char *msg, size_t n);

#endif
