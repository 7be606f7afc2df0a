/* What `ikesim sweep` writes: one scenario per point (each checked by the loader), the job list, the manifest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/afile.h"
#include "scenario.h"
#include "sweep.h"
#include "viz.h"

/* Relative certificate, key and CA names are relative to the base's directory: made absolute for the jobs/ copy. */
static int absolute_auth(cJSON *auth, const char *dir)
{
	static const char *const KEYS[] = { "cert", "key", "ca" };
	for (size_t i = 0; cJSON_IsObject(auth) && i < 3; i++) {
		cJSON *f = cJSON_GetObjectItemCaseSensitive(auth, KEYS[i]);
		if (!cJSON_IsString(f) || !f->valuestring[0] || f->valuestring[0] == '/')
			continue;
		size_t n = strlen(dir) + strlen(f->valuestring) + 2;
		char *abs = malloc(n);
		if (!abs)
			return -1;
		snprintf(abs, n, "%s/%s", dir, f->valuestring);
		cJSON *nv = cJSON_CreateString(abs);
		free(abs);
		if (!nv || !cJSON_ReplaceItemViaPointer(auth, f, nv)) {
			cJSON_Delete(nv);
			return -1;
		}
	}
	return 0;
}

static int absolute_paths(cJSON *root, const char *dir)
{
	const cJSON *conns = cJSON_GetObjectItemCaseSensitive(root, "connections");
	const cJSON *pops = cJSON_GetObjectItemCaseSensitive(root, "populations");
	for (cJSON *c = cJSON_IsArray(conns) ? conns->child : NULL; c; c = c->next)
		if (absolute_auth(cJSON_GetObjectItemCaseSensitive(c, "auth"), dir) != 0)
			return -1;
	for (cJSON *p = cJSON_IsArray(pops) ? pops->child : NULL; p; p = p->next)
		if (absolute_auth(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "connection"), "auth"),
				  dir) != 0)
			return -1;
	return 0;
}

char *sweep_job_text(const sweep_spec *s, const cJSON *base, size_t k, char *msg, size_t n)
{
	size_t idx[SWEEP_MAX_PARAMS];
	char why[300];
	sweep_point_idx(s, k, idx);
	cJSON *job = cJSON_Duplicate(base, 1);
	if (!job) {
		snprintf(msg, n, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < s->n_params; i++)
		if (sweep_path_set(job, s->p[i].path, cJSON_GetArrayItem(s->p[i].values, (int)idx[i]), why, sizeof(why)) != 0) {
			snprintf(msg, n, "%s: vary.%s: %s", s->file, s->p[i].path, why);
			cJSON_Delete(job);
			return NULL;
		}
	char *text = absolute_paths(job, s->base_dir) == 0 ? cJSON_Print(job) : NULL;
	cJSON_Delete(job);
	if (!text)
		snprintf(msg, n, "out of memory");
	return text;
}

/* "p1=v1, p2=v2": a point named by its values, for messages. */
static void point_name(const sweep_spec *s, size_t k, char *out, size_t cap)
{
	size_t idx[SWEEP_MAX_PARAMS], used = 0;
	char v[64];
	sweep_point_idx(s, k, idx);
	out[0] = 0;
	for (size_t i = 0; i < s->n_params && used < cap; i++) {
		sweep_value_text(cJSON_GetArrayItem(s->p[i].values, (int)idx[i]), v, sizeof(v));
		int w = snprintf(out + used, cap - used, "%s%s=%s", i ? ", " : "", s->p[i].path, v);
		used += w > 0 ? (size_t)w : 0;
	}
}

/* Writes text whole or not at all. */
static int put_file(const char *path, const char *what, const char *text, FILE *err)
{
	char msg[600];
	ike_host_afile *a = ike_host_afile_open(path, what, msg, sizeof(msg));
	if (!a) {
		fprintf(err, "ikesim sweep: %s\n", msg);
		return -1;
	}
	fputs(text, ike_host_afile_stream(a));
	if (ike_host_afile_close(a, 1) != 0) {
		fprintf(err, "ikesim sweep: writing %s failed\n", path);
		return -1;
	}
	return 0;
}

static int make_dir(const char *path, FILE *err)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		fprintf(err, "ikesim sweep: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(err, "ikesim sweep: %s is not a directory\n", path);
		return -1;
	}
	return 0;
}

/* Appends s to b in single quotes for sh ('\'' for a quote). */
static void sh_quote(viz_buf *b, const char *s)
{
	viz_buf_puts(b, "'");
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		viz_buf_put(b, s, (size_t)(q - s));
		viz_buf_puts(b, "'\\''");
	}
	viz_buf_puts(b, s);
	viz_buf_puts(b, "'");
}

/* One line of jobs.txt: runs the job quietly, keeps its exit status beside its metrics, says "NNNN STATUS". */
static void job_line(viz_buf *b, const sweep_spec *s, const sweep_plan *p, size_t k)
{
	char f[4200];
	int w = p->width;
	viz_buf_puts(b, "("); /* a subshell: `sh jobs.txt` goes on after each job's exit */
	sh_quote(b, p->bin);
	viz_buf_puts(b, " run ");
	snprintf(f, sizeof(f), "%s/jobs/%0*zu.json", p->dir, w, k + 1);
	sh_quote(b, f);
	viz_buf_puts(b, " --quiet --metrics ");
	snprintf(f, sizeof(f), "%s/out/%0*zu.json", p->dir, w, k + 1);
	sh_quote(b, f);
	if (s->interval[0])
		viz_buf_printf(b, " --metrics-interval %s", s->interval);
	viz_buf_puts(b, " >");
	snprintf(f, sizeof(f), "%s/log/%0*zu.txt", p->dir, w, k + 1);
	sh_quote(b, f);
	viz_buf_puts(b, " 2>&1; rc=$?; echo $rc >");
	snprintf(f, sizeof(f), "%s/out/%0*zu.rc", p->dir, w, k + 1);
	sh_quote(b, f);
	viz_buf_printf(b, "; echo \"%0*zu $rc\"; exit $rc)\n", w, k + 1);
}

/* DIR/sweep.json: what merge needs (parameters, each point's values, columns), in our own words. */
static char *manifest(const sweep_spec *s, const sweep_plan *p)
{
	cJSON *m = cJSON_CreateObject(), *params = cJSON_AddArrayToObject(m, "parameters");
	cJSON *cols = cJSON_AddArrayToObject(m, "columns"), *pts = cJSON_AddArrayToObject(m, "points");
	cJSON_AddNumberToObject(m, "schema", 1);
	cJSON_AddStringToObject(m, "spec", s->file);
	cJSON_AddStringToObject(m, "base", s->base);
	cJSON_AddStringToObject(m, "ikesim", p->bin);
	if (s->interval[0])
		cJSON_AddStringToObject(m, "metrics_interval", s->interval);
	cJSON_AddNumberToObject(m, "width", p->width);
	for (size_t i = 0; params && i < s->n_params; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToArray(params, o);
		cJSON_AddStringToObject(o, "path", s->p[i].path);
		cJSON_AddItemToObject(o, "values", cJSON_Duplicate(s->p[i].values, 1));
	}
	for (size_t i = 0; cols && i < s->n_cols; i++)
		cJSON_AddItemToArray(cols, cJSON_CreateString(s->cols[i]));
	size_t idx[SWEEP_MAX_PARAMS];
	char job[24];
	for (size_t k = 0; pts && k < s->n_points; k++) {
		cJSON *o = cJSON_CreateObject(), *vals = cJSON_AddArrayToObject(o, "values");
		cJSON_AddItemToArray(pts, o);
		snprintf(job, sizeof(job), "%0*zu", p->width, k + 1);
		cJSON_AddStringToObject(o, "job", job);
		sweep_point_idx(s, k, idx);
		for (size_t i = 0; vals && i < s->n_params; i++)
			cJSON_AddItemToArray(vals, cJSON_Duplicate(cJSON_GetArrayItem(s->p[i].values, (int)idx[i]), 1));
	}
	char *text = m && params && cols && pts ? cJSON_Print(m) : NULL;
	cJSON_Delete(m);
	return text;
}

/* A stale result of an earlier sweep into the same DIR must not pass for this one's. */
static int clear_old(const sweep_plan *p, size_t k, FILE *err)
{
	static const char *const F[] = { "out/%0*zu.json", "out/%0*zu.rc", "log/%0*zu.txt" };
	char rel[64], path[4200];
	for (size_t i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel), F[i], p->width, k + 1);
		snprintf(path, sizeof(path), "%s/%s", p->dir, rel);
		if (unlink(path) != 0 && errno != ENOENT) {
			fprintf(err, "ikesim sweep: cannot remove the old %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Builds point k's scenario, checks it with the loader, writes DIR/jobs/NNNN.json. */
static int write_job(const sweep_spec *s, const sweep_plan *p, const cJSON *base, size_t k, FILE *err)
{
	char msg[800], path[4200], name[300];
	char *text = sweep_job_text(s, base, k, msg, sizeof(msg));
	snprintf(path, sizeof(path), "%s/jobs/%0*zu.json", p->dir, p->width, k + 1);
	point_name(s, k, name, sizeof(name));
	if (!text) {
		fprintf(err, "ikesim sweep: point %0*zu (%s): %s\n", p->width, k + 1, name, msg);
		return -1;
	}
	sim_scenario *sc = sim_scenario_parse(path, text, strlen(text), msg, sizeof(msg));
	if (!sc) {
		fprintf(err, "ikesim sweep: point %0*zu (%s) is not a valid scenario: %s\n", p->width, k + 1, name, msg);
		free(text);
		return -1;
	}
	sim_scenario_free(sc);
	int rc = put_file(path, "job scenario", text, err);
	free(text);
	return rc == 0 ? clear_old(p, k, err) : -1;
}

int sweep_write_jobs(const sweep_spec *s, const sweep_plan *p, FILE *err)
{
	char msg[600], path[4200];
	static const char *const SUB[] = { "jobs", "out", "log" };
	size_t len = 0;
	char *text = sweep_read_file(s->base, SWEEP_FILE_MAX, &len, msg, sizeof(msg));
	cJSON *base = text ? cJSON_ParseWithLength(text, len) : NULL;
	int read_ok = text != NULL;
	free(text);
	if (!base) {
		fprintf(err, "ikesim sweep: %s\n", read_ok ? "the base scenario changed while it was read" : msg);
		return -1;
	}
	int rc = make_dir(p->dir, err);
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", p->dir, SUB[i]);
		rc = make_dir(path, err);
	}
	viz_buf list = { 0 };
	for (size_t k = 0; rc == 0 && k < s->n_points; k++) {
		rc = write_job(s, p, base, k, err);
		job_line(&list, s, p, k);
	}
	cJSON_Delete(base);
	char *man = rc == 0 ? manifest(s, p) : NULL;
	if (rc == 0 && (!man || list.oom)) {
		fprintf(err, "ikesim sweep: out of memory\n");
		rc = -1;
	}
	if (rc == 0) {
		viz_buf_put(&list, "", 1); /* the NUL put_file writes up to */
		snprintf(path, sizeof(path), "%s/jobs.txt", p->dir);
		rc = list.oom ? -1 : put_file(path, "job list", list.p, err);
	}
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/sweep.json", p->dir);
		rc = put_file(path, "sweep manifest", man, err);
	}
	free(man);
	viz_buf_free(&list);
	return rc;
}
