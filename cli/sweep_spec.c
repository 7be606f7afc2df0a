/* Sweep specs: read with the scenario loader's strict JSON (bounded, duplicate keys refused), every field checked. */
#define _XOPEN_SOURCE 700 /* realpath(3) */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "scenario_json.h"
#include "scenario_jv.h"
#include "scenario_lex.h"
#include "sweep.h"

char *sweep_read_file(const char *path, size_t max, size_t *len, char *msg, size_t n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(msg, n, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	char *text = malloc(max + 1);
	errno = 0;
	size_t k = text ? fread(text, 1, max + 1, f) : 0;
	int bad = !text || ferror(f) || k > max, why = errno; /* EISDIR for a directory */
	fclose(f);
	if (bad) {
		snprintf(msg, n, "%s: cannot read: %s", path, !text ? "out of memory" : k > max ? "too large" :
							   why ? strerror(why) : "read error");
		free(text);
		return NULL;
	}
	text[k] = 0;
	*len = k;
	return text;
}

/* A spec value (any JSON) as cJSON, for the job writer; NULL when out of memory. */
static cJSON *to_cjson(const sim_jv *v)
{
	cJSON *o = NULL;
	switch (v->type) {
	case SIM_JV_NULL: return cJSON_CreateNull();
	case SIM_JV_FALSE: return cJSON_CreateFalse();
	case SIM_JV_TRUE: return cJSON_CreateTrue();
	case SIM_JV_NUMBER: return cJSON_CreateNumber(v->valuedouble);
	case SIM_JV_STRING: return cJSON_CreateString(v->valuestring);
	case SIM_JV_ARRAY: o = cJSON_CreateArray(); break;
	default: o = cJSON_CreateObject(); break;
	}
	for (const sim_jv *c = v->child; o && c; c = c->next) {
		cJSON *x = to_cjson(c);
		if (!x || (v->type == SIM_JV_ARRAY ? !cJSON_AddItemToArray(o, x) : !cJSON_AddItemToObject(o, c->string, x))) {
			cJSON_Delete(x);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

int sweep_col_valid(const char *name)
{
	static const char *const FIXED[] = { "latency.count", "latency.p50", "latency.p90", "latency.p99",
					     "latency.max", "latency.mean", "recovery.final_up", "recovery.at",
					     "recovery.fault_at", "recovery.time", "meta.end", "meta.seed", NULL };
	static const char *const PREFIX[] = { "totals.", "max.", "min.", "last.", NULL };
	for (size_t i = 0; FIXED[i]; i++)
		if (strcmp(name, FIXED[i]) == 0)
			return 1;
	for (size_t i = 0; PREFIX[i]; i++) {
		size_t k = strlen(PREFIX[i]);
		if (strncmp(name, PREFIX[i], k) != 0 || !name[k] || strlen(name) > 120)
			continue;
		for (const char *c = name + k; *c; c++)
			if (!(*c == '.' || *c == '_' || *c == '-' || *c == ' ' || (*c >= '0' && *c <= '9') ||
			      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
				return 0;
		return 1;
	}
	return 0;
}

/* "vary": { PATH: [values...], ... }: 1 to 16 paths, no repeats, 1 to 1000 values each, at most 100,000 points. */
static int parse_vary(sim_scn *c, sweep_spec *s, const sim_jv *vary)
{
	if (!sim_jv_is_object(vary) || !vary->size)
		return sim_scn_fail(c, "vary", "expected an object of 1 to %d \"path\": [values] members", SWEEP_MAX_PARAMS);
	if (vary->size > SWEEP_MAX_PARAMS)
		return sim_scn_fail(c, "vary", "%zu parameters, at most %d", vary->size, SWEEP_MAX_PARAMS);
	s->n_points = 1;
	for (const sim_jv *m = vary->child; m; m = m->next) {
		char p[SIM_PATH_MAX + 8];
		snprintf(p, sizeof(p), "vary.%.*s", SIM_PATH_MAX - 8, m->string);
		if (strlen(m->string) >= SWEEP_PATH_MAX || !sweep_path_valid(m->string))
			return sim_scn_fail(c, p, "not a path into the scenario (like \"nodes[0].cookie_threshold\", "
						  "\"populations[rw].count\" or \"seed\")");
		for (size_t i = 0; i < s->n_params; i++)
			if (strcmp(s->p[i].path, m->string) == 0)
				return sim_scn_fail(c, p, "given twice");
		if (!sim_jv_is_array(m) || !m->size || m->size > SWEEP_MAX_VALUES)
			return sim_scn_fail(c, p, "expected an array of 1 to %d values", SWEEP_MAX_VALUES);
		sweep_param *q = &s->p[s->n_params++];
		snprintf(q->path, sizeof(q->path), "%s", m->string);
		q->n = m->size;
		if (!(q->values = to_cjson(m)))
			return sim_scn_fail(c, p, "out of memory");
		if (s->n_points > SWEEP_MAX_POINTS / q->n)
			return sim_scn_fail(c, p, "the grid would have more than %u points", SWEEP_MAX_POINTS);
		s->n_points *= q->n;
	}
	return 0;
}

static int parse_columns(sim_scn *c, sweep_spec *s, const sim_jv *root)
{
	static const char *const DEF[] = { "recovery.time", "latency.p50", "latency.p99", "totals.retransmits",
					   "totals.cookies", "max.half_open", NULL };
	const sim_jv *a = NULL;
	size_t n = 0;
	int r = sim_scn_array(c, root, "", "columns", 0, SWEEP_MAX_COLS, &a, &n);
	if (r < 0)
		return -1;
	if (r == 0 || n == 0) {
		for (size_t i = 0; DEF[i]; i++)
			if (!(s->cols[s->n_cols++] = strdup(DEF[i])))
				return sim_scn_fail(c, "columns", "out of memory");
		return 0;
	}
	size_t i = 0;
	for (const sim_jv *v = a->child; v; v = v->next, i++) {
		char p[40];
		sim_scn_idx(p, "columns", i);
		if (!sim_jv_is_string(v) || !sweep_col_valid(v->valuestring))
			return sim_scn_fail(c, p, "expected a result column: latency.count|p50|p90|p99|max|mean, "
						  "recovery.final_up|at|fault_at|time, meta.end|seed, or totals.|max.|min.|last. "
						  "and a metrics column (\"totals.cookies\", \"max.half_open\")");
		for (size_t k = 0; k < s->n_cols; k++)
			if (strcmp(s->cols[k], v->valuestring) == 0)
				return sim_scn_fail(c, p, "'%s' given twice", v->valuestring);
		if (!(s->cols[s->n_cols++] = strdup(v->valuestring)))
			return sim_scn_fail(c, p, "out of memory");
	}
	return 0;
}

/* base (relative to the spec's directory), its absolute directory for certificate paths; the base must load. */
static int parse_base(sim_scn *c, sweep_spec *s, const sim_jv *root)
{
	const char *b = NULL, *slash = strrchr(s->file, '/');
	if (sim_scn_str(c, root, "", "base", 1, &b) < 0)
		return -1;
	if (!b[0] || strlen(b) > PATH_MAX / 2)
		return sim_scn_fail(c, "base", "expected the base scenario's file name");
	size_t dl = b[0] != '/' && slash ? (size_t)(slash - s->file) + 1 : 0, bl = strlen(b);
	if (!(s->base = malloc(dl + bl + 1)))
		return sim_scn_fail(c, "base", "out of memory");
	memcpy(s->base, s->file, dl);
	memcpy(s->base + dl, b, bl + 1);
	char err[600], real[PATH_MAX];
	sim_scenario *sc = sim_scenario_load(s->base, err, sizeof(err));
	if (!sc) { /* the loader's line names the base file and its field: kept whole */
		snprintf(c->err, c->errlen, "%s: base: the base scenario does not load: %s", c->file, err);
		c->failed = 1;
		return -1;
	}
	sim_scenario_free(sc);
	if (!realpath(s->base, real))
		return sim_scn_fail(c, "base", "%s: %s", s->base, strerror(errno));
	*strrchr(real, '/') = 0; /* realpath of a file always has a slash */
	if (!(s->base_dir = strdup(real[0] ? real : "/")))
		return sim_scn_fail(c, "base", "out of memory");
	return 0;
}

static int parse_root(sim_scn *c, sweep_spec *s, const sim_jv *root)
{
	static const char *const TOP[] = { "description", "base", "vary", "metrics_interval", "columns", NULL };
	const char *iv = NULL, *d = NULL;
	if (sim_scn_object(c, root, "", TOP) < 0 || sim_scn_str(c, root, "", "description", 0, &d) < 0 ||
	    parse_base(c, s, root) < 0 || parse_vary(c, s, sim_jv_get(root, "vary")) < 0 || parse_columns(c, s, root) < 0)
		return -1;
	int r = sim_scn_str(c, root, "", "metrics_interval", 0, &iv);
	int64_t ns = 0;
	if (r < 0)
		return -1;
	if (r > 0 && (strlen(iv) >= sizeof(s->interval) || sim_parse_duration(iv, &ns) != 0 || ns < 1000000))
		return sim_scn_fail(c, "metrics_interval", "expected a duration of at least 1ms (\"100ms\", \"1s\"), got '%.40s'", iv);
	if (r > 0)
		snprintf(s->interval, sizeof(s->interval), "%s", iv);
	return 0;
}

int sweep_spec_load(sweep_spec *s, const char *file, char *msg, size_t n)
{
	memset(s, 0, sizeof(*s));
	size_t len = 0, end = 0, bad = 0, line, col;
	char *text = sweep_read_file(file, SWEEP_FILE_MAX, &len, msg, n);
	if (!text || !(s->file = strdup(file))) {
		if (text)
			snprintf(msg, n, "%s: out of memory", file);
		free(text);
		return -1;
	}
	sim_scn_lex_stats st;
	sim_jv *root = NULL;
	int rc = -1;
	if (sim_scn_lex(file, text, len, &st, msg, n) != 0)
		goto done;
	root = sim_jv_parse(text, len, st.values + 8, &end, &bad);
	while (root && end < len && (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n'))
		end++;
	if (!root || end != len) {
		sim_scn_position(text, root ? end : bad < len ? bad : len, &line, &col);
		snprintf(msg, n, "%s:%zu:%zu: %s", file, line, col, root ? "unexpected data after the JSON value" :
			 bad == SIZE_MAX ? "out of memory" : "invalid JSON");
		goto done;
	}
	sim_scn c = { file, msg, n, 0 };
	if (!sim_jv_is_object(root)) {
		sim_scn_fail(&c, "", "expected an object");
		goto done;
	}
	rc = parse_root(&c, s, root);
	if (rc && !c.failed)
		snprintf(msg, n, "%s: refused without a reason (a bug: please report it)", file);
done:
	sim_jv_free(root);
	free(text);
	if (rc)
		sweep_spec_free(s);
	return rc;
}

void sweep_spec_free(sweep_spec *s)
{
	free(s->file);
	free(s->base);
	free(s->base_dir);
	for (size_t i = 0; i < s->n_params; i++)
		cJSON_Delete(s->p[i].values);
	for (size_t i = 0; i < s->n_cols; i++)
		free(s->cols[i]);
	memset(s, 0, sizeof(*s));
}

void sweep_point_idx(const sweep_spec *s, size_t k, size_t *idx)
{
	for (size_t i = s->n_params; i-- > 0;) {
		idx[i] = k % s->p[i].n;
		k /= s->p[i].n;
	}
}

void sweep_value_text(const cJSON *v, char *out, size_t cap)
{
	if (cJSON_IsNumber(v)) {
		sim_fmt_num(out, cap, v->valuedouble);
	} else if (cJSON_IsString(v)) {
		snprintf(out, cap, "%s", v->valuestring);
	} else {
		char *t = cJSON_PrintUnformatted(v);
		snprintf(out, cap, "%s", t ? t : "?");
		free(t);
	}
}

char *sweep_num_text(double v, char *out, size_t cap) { return sim_fmt_num(out, cap, v); }
