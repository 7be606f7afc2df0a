/* `ikesim sweep merge`: the manifest's points and each job's metrics into one table; nothing dropped silently. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "host/trace.h"
#include "sweep.h"
#include "viz.h"

#define MANIFEST_ERR(...) (snprintf(msg, n, __VA_ARGS__), -1)

/* The manifest's shape, checked: a job name is digits only (it becomes a file name). */
static int check_manifest(const cJSON *m, const char *path, char *msg, size_t n)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(m, "parameters");
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(m, "columns");
	const cJSON *pts = cJSON_GetObjectItemCaseSensitive(m, "points");
	int np = cJSON_GetArraySize(ps), k = 0;
	if (!cJSON_IsArray(ps) || np < 1 || np > SWEEP_MAX_PARAMS || !cJSON_IsArray(cs) ||
	    cJSON_GetArraySize(cs) > SWEEP_MAX_COLS || !cJSON_IsArray(pts) || cJSON_GetArraySize(pts) < 1 ||
	    cJSON_GetArraySize(pts) > (int)SWEEP_MAX_POINTS)
		return MANIFEST_ERR("%s: expected parameters (1 to %d), columns and points (not a sweep directory?)", path,
				    SWEEP_MAX_PARAMS);
	for (const cJSON *p = ps->child; p; p = p->next, k++) {
		const cJSON *pp = cJSON_GetObjectItemCaseSensitive(p, "path");
		if (!cJSON_IsString(pp) || !sweep_path_valid(pp->valuestring) || strlen(pp->valuestring) >= SWEEP_PATH_MAX)
			return MANIFEST_ERR("%s: parameters[%d].path: expected a path", path, k);
	}
	k = 0;
	for (const cJSON *c = cs->child; c; c = c->next, k++)
		if (!cJSON_IsString(c) || !sweep_col_valid(c->valuestring))
			return MANIFEST_ERR("%s: columns[%d]: expected a result column", path, k);
	k = 0;
	for (const cJSON *p = pts->child; p; p = p->next, k++) {
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(p, "job");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "values");
		if (!cJSON_IsString(j) || !j->valuestring[0] || strlen(j->valuestring) > 12 ||
		    strspn(j->valuestring, "0123456789") != strlen(j->valuestring) || !cJSON_IsArray(v) ||
		    cJSON_GetArraySize(v) != np)
			return MANIFEST_ERR("%s: points[%d]: expected {\"job\": digits, \"values\": [%d values]}", path, k, np);
	}
	return 0;
}

/* The exit status a job left in DIR/out/JOB.rc: -1 none, -2 unreadable. */
static int job_rc(const char *dir, const char *job)
{
	char path[4200], txt[32], m[300];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/out/%s.rc", dir, job);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fclose(f);
	char *t = sweep_read_file(path, 16, &len, m, sizeof(m));
	if (!t)
		return -2;
	snprintf(txt, sizeof(txt), "%s", t);
	free(t);
	char *end;
	long rc = strtol(txt, &end, 10);
	return end != txt && (*end == '\n' || !*end) && rc >= 0 && rc < 256 ? (int)rc : -2;
}

/* A column's values in the rows: max, min or last (absent drops.* columns are 0 everywhere). NAN: absent. */
static double over_rows(const cJSON *mx, const char *how, const char *col)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(mx, "columns"), *rows = cJSON_GetObjectItemCaseSensitive(mx, "rows");
	int i = 0, at = -1;
	for (const cJSON *c = cJSON_IsArray(cols) ? cols->child : NULL; c; c = c->next, i++)
		if (cJSON_IsString(c) && !strcmp(c->valuestring, col))
			at = i;
	if (at < 0 || !cJSON_IsArray(rows) || !rows->child)
		return at < 0 && !strncmp(col, "drops.", 6) ? 0 : NAN;
	double r = how[1] == 'a' && how[0] == 'l' ? NAN : how[1] == 'a' ? -INFINITY : INFINITY;
	for (const cJSON *row = rows->child; row; row = row->next) {
		const cJSON *v = cJSON_GetArrayItem(row, at);
		if (!cJSON_IsNumber(v))
			return NAN;
		double x = v->valuedouble;
		r = !strcmp(how, "last") ? x : !strcmp(how, "max") ? (x > r ? x : r) : (x < r ? x : r);
	}
	return r;
}

/* One result column of a metrics file; NAN when the file has none (null summaries included). */
static double metric(const cJSON *mx, const char *col)
{
	const char *dot = strchr(col, '.');
	char sec[16];
	snprintf(sec, sizeof(sec), "%.*s", (int)(dot - col), col);
	if (!strcmp(sec, "max") || !strcmp(sec, "min") || !strcmp(sec, "last"))
		return over_rows(mx, sec, dot + 1);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(mx, sec);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, dot + 1);
	if (!v && !strcmp(sec, "totals") && !strncmp(dot + 1, "drops.", 6) && cJSON_IsObject(o))
		return 0; /* a drop column appears with its first drop */
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Status and result cells of row r from DIR/out/JOB.{rc,json}; problems said on err. */
static void load_row(sweep_table *t, size_t r, const char *dir, const char *job, FILE *err)
{
	char path[4200], m[600], num[40];
	size_t len = 0, first = 2 + t->n_params, nres = t->n_cols - first;
	int rc = job_rc(dir, job), want = rc == -1 || rc == 0 || rc == CLI_EXPECT_FAILED;
	snprintf(path, sizeof(path), "%s/out/%s.json", dir, job);
	char *text = want ? sweep_read_file(path, SWEEP_FILE_MAX, &len, m, sizeof(m)) : NULL;
	int readable = text != NULL;
	cJSON *mx = text ? cJSON_ParseWithLength(text, len) : NULL;
	free(text);
	const char *st = "ok";
	if (!mx && rc == -1 && !readable) {
		st = "missing";
		t->missing++;
		fprintf(err, "ikesim sweep merge: job %s: missing (no %s/out/%s.rc: not run yet, or killed)\n", job, dir, job);
	} else if (!mx) {
		st = "failed";
		t->failed++;
		if (!want)
			fprintf(err, "ikesim sweep merge: job %s: failed (%s%d, see %s/log/%s.txt)\n", job,
				rc == -2 ? "unreadable .rc file" : "exit ", rc == -2 ? 0 : rc, dir, job);
		else
			fprintf(err, "ikesim sweep merge: job %s: failed: %s\n", job, readable ? "its metrics are not JSON" : m);
	} else if (rc == CLI_EXPECT_FAILED) {
		st = "expect-failed";
		t->expect_failed++;
		fprintf(err, "ikesim sweep merge: job %s: ran, an expectation failed (kept: a result)\n", job);
	}
	t->cell[r * t->n_cols + 1 + t->n_params] = strdup(st);
	for (size_t c = 0; c < nres; c++) {
		double v = mx ? metric(mx, t->head[first + c]) : NAN;
		t->num[r * t->n_cols + first + c] = v;
		t->cell[r * t->n_cols + first + c] = strdup(isnan(v) ? "" : sweep_num_text(v, num, sizeof(num)));
		t->seen[c] += mx && !isnan(v);
	}
	cJSON_Delete(mx);
}

static int set_head(sweep_table *t, size_t i, const char *s)
{
	return (t->head[i] = strdup(s)) ? 0 : -1;
}

int sweep_table_load(sweep_table *t, const char *dir, FILE *err, char *msg, size_t n)
{
	char path[4200];
	size_t len = 0;
	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/sweep.json", dir);
	char *text = sweep_read_file(path, SWEEP_FILE_MAX, &len, msg, n);
	if (!text)
		return -1;
	t->manifest = cJSON_ParseWithLength(text, len);
	free(text);
	if (!t->manifest)
		return MANIFEST_ERR("%s: not JSON (not a sweep directory?)", path);
	if (check_manifest(t->manifest, path, msg, n) != 0) {
		sweep_table_free(t);
		return -1;
	}
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(t->manifest, "parameters");
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(t->manifest, "columns");
	const cJSON *pts = cJSON_GetObjectItemCaseSensitive(t->manifest, "points");
	t->n_params = (size_t)cJSON_GetArraySize(ps);
	t->n_cols = 2 + t->n_params + (size_t)cJSON_GetArraySize(cs);
	t->n_rows = (size_t)cJSON_GetArraySize(pts);
	t->head = calloc(t->n_cols, sizeof(*t->head));
	t->cell = calloc(t->n_rows * t->n_cols, sizeof(*t->cell));
	t->num = calloc(t->n_rows * t->n_cols, sizeof(*t->num));
	t->pval = calloc(t->n_rows * t->n_params, sizeof(*t->pval));
	t->seen = calloc(t->n_cols, sizeof(*t->seen));
	int bad = !t->head || !t->cell || !t->num || !t->pval || !t->seen || set_head(t, 0, "point") ||
		  set_head(t, 1 + t->n_params, "status");
	size_t i = 1;
	for (const cJSON *p = ps->child; !bad && p; p = p->next)
		bad = set_head(t, i++, cJSON_GetObjectItemCaseSensitive(p, "path")->valuestring);
	i = 2 + t->n_params;
	for (const cJSON *c = cs->child; !bad && c; c = c->next)
		bad = set_head(t, i++, c->valuestring);
	size_t r = 0;
	char v[256];
	for (const cJSON *p = pts->child; !bad && p; p = p->next, r++) {
		const char *job = cJSON_GetObjectItemCaseSensitive(p, "job")->valuestring;
		size_t k = 0;
		t->cell[r * t->n_cols] = strdup(job);
		for (cJSON *x = cJSON_GetObjectItemCaseSensitive(p, "values")->child; x; x = x->next, k++) {
			t->pval[r * t->n_params + k] = x;
			sweep_value_text(x, v, sizeof(v));
			t->cell[r * t->n_cols + 1 + k] = strdup(v);
			t->num[r * t->n_cols + 1 + k] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
		}
		t->num[r * t->n_cols] = NAN;
		t->num[r * t->n_cols + 1 + t->n_params] = NAN;
		load_row(t, r, dir, job, err);
	}
	for (i = 0; !bad && i < t->n_rows * t->n_cols; i++)
		bad = !t->cell[i];
	if (bad) {
		sweep_table_free(t);
		return MANIFEST_ERR("out of memory");
	}
	size_t ran = t->n_rows - t->failed - t->missing, first = 2 + t->n_params;
	for (i = first; ran && i < t->n_cols; i++)
		if (!t->seen[i - first])
			fprintf(err, "ikesim sweep merge: note: column '%s' has no value in any job's metrics (a typo, "
				     "or nothing measured: see docs/metrics.md)\n", t->head[i]);
	return 0;
}

void sweep_table_free(sweep_table *t)
{
	for (size_t i = 0; t->head && i < t->n_cols; i++)
		free(t->head[i]);
	for (size_t i = 0; t->cell && i < t->n_rows * t->n_cols; i++)
		free(t->cell[i]);
	free(t->head);
	free(t->cell);
	free(t->num);
	free(t->pval);
	free(t->seen);
	cJSON_Delete(t->manifest);
	memset(t, 0, sizeof(*t));
}

/* A CSV field, quoted when it holds a comma, quote, line break or edge space (RFC 4180). */
static void csv_field(viz_buf *b, const char *s)
{
	size_t l = strlen(s);
	if (!strpbrk(s, ",\"\r\n") && !(l && (s[0] == ' ' || s[l - 1] == ' '))) {
		viz_buf_puts(b, s);
		return;
	}
	viz_buf_puts(b, "\"");
	for (; *s; s++)
		viz_buf_put(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	viz_buf_puts(b, "\"");
}

static void json_str(viz_buf *b, const char *s)
{
	size_t need = ike_host_json_str(NULL, 0, s) + 1;
	char *q = malloc(need);
	if (!q) {
		b->oom = 1;
		return;
	}
	ike_host_json_str(q, need, s);
	viz_buf_puts(b, q);
	free(q);
}

/* {"columns":[...],"rows":[[point, parameter values as in the spec, status, numbers or null], ...]}, a row a line. */
static void table_json(const sweep_table *t, viz_buf *b)
{
	viz_buf_puts(b, "{\"columns\":[");
	for (size_t c = 0; c < t->n_cols; c++) {
		viz_buf_puts(b, c ? "," : "");
		json_str(b, t->head[c]);
	}
	viz_buf_puts(b, "],\n\"rows\":[");
	for (size_t r = 0; r < t->n_rows; r++) {
		viz_buf_puts(b, r ? ",\n[" : "\n[");
		for (size_t c = 0; c < t->n_cols; c++) {
			const char *cell = t->cell[r * t->n_cols + c];
			viz_buf_puts(b, c ? "," : "");
			if (c == 0 || c == 1 + t->n_params) {
				json_str(b, cell);
			} else if (c <= t->n_params) {
				char *v = cJSON_PrintUnformatted(t->pval[r * t->n_params + c - 1]);
				viz_buf_puts(b, v ? v : "null");
				b->oom |= !v;
				free(v);
			} else {
				viz_buf_puts(b, cell[0] ? cell : "null");
			}
		}
		viz_buf_puts(b, "]");
	}
	viz_buf_puts(b, "]}\n");
}

int sweep_table_write(const sweep_table *t, const char *path, char *msg, size_t n)
{
	viz_buf b = { 0 };
	size_t l = strlen(path);
	if (l > 5 && !strcmp(path + l - 5, ".json")) {
		table_json(t, &b);
	} else {
		for (size_t r = 0; r <= t->n_rows; r++)
			for (size_t c = 0; c < t->n_cols; c++) {
				csv_field(&b, r ? t->cell[(r - 1) * t->n_cols + c] : t->head[c]);
				viz_buf_puts(&b, c + 1 < t->n_cols ? "," : "\n");
			}
	}
	int rc = b.oom ? MANIFEST_ERR("out of memory") : viz_buf_write_file(&b, path, msg, n);
	viz_buf_free(&b);
	return rc;
}
