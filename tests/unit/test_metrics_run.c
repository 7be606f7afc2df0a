/*
 * The storm metrics of a whole run (storm_small_reconnect.json) against its trace: every row's gauges and
 * counters recomputed from the trace's events equal the sampler's; the JSON and the CSV parse back to the
 * same table; the same seed gives the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "run.h"
#include "scenario.h"
#include "testfs.h"
#include "test_list.h.in"

#define STORM "tests/scenarios/storm_small_reconnect.json"
#define NODES 201 /* gw and rw-1 .. rw-200 */
enum { C_UP, C_HALF, C_CHILD, C_TX, C_RT, C_COOKIES, C_DROPS, C_N };
static const char *const COLS[C_N] = { "ike_up", "half_open", "child_up", "ike_tx", "retransmits", "cookies", "drops" };

typedef struct replay {
	int64_t node[NODES][3]; /* up, half, child per node: a reboot takes them away */
	int64_t g[3], c[C_N];   /* gauges, counters of the interval */
	double *rows;           /* expected: n * C_N */
	size_t n, cap;
	uint64_t setups;
} replay;

static int node_of(const char *name) { return strcmp(name, "gw") == 0 ? 0 : atoi(name + 3); }
static int up(const char *s) { return !strcmp(s, "ESTABLISHED") || !strcmp(s, "REKEYING"); }
static int inst(const char *s) { return !strcmp(s, "INSTALLED") || !strcmp(s, "REKEYING"); }
static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void gauge(replay *r, int node, int g, int64_t d)
{
	r->node[node][g] += d;
	r->g[g] += d;
}

static void row(replay *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 128;
		r->rows = realloc(r->rows, r->cap * C_N * sizeof(double));
		assert_non_null(r->rows);
	}
	for (int k = 0; k < C_N; k++)
		r->rows[r->n * C_N + k] = k < 3 ? (double)r->g[k] : (double)r->c[k];
	r->n++;
	for (int k = 3; k < C_N; k++)
		r->c[k] = 0;
}

static void apply(replay *r, const cJSON *e)
{
	const char *ev = str(e, "ev"), *nn = str(e, "node");
	if (!strcmp(nn, "sim") || !strcmp(ev, "summary"))
		return;
	int n = node_of(nn);
	assert_true(n >= 0 && n < NODES);
	if (!strcmp(ev, "ike_sa.state")) {
		const char *f = str(e, "from"), *t = str(e, "to");
		gauge(r, n, C_UP, up(t) - up(f));
		gauge(r, n, C_HALF, !strcmp(t, "CONNECTING") - !strcmp(f, "CONNECTING"));
		r->setups += !strcmp(f, "CONNECTING") && !strcmp(t, "ESTABLISHED") && !strcmp(str(e, "role"), "initiator");
	} else if (!strcmp(ev, "child_sa.state")) {
		gauge(r, n, C_CHILD, inst(str(e, "to")) - inst(str(e, "from")));
	} else if (!strcmp(ev, "ike.tx")) {
		r->c[C_TX]++;
		r->c[C_COOKIES] += strchr(str(e, "flags"), 'R') && strstr(str(e, "summary"), "N(COOKIE)");
	} else if (!strcmp(ev, "ike.retransmit")) {
		r->c[C_RT]++;
	} else if (!strcmp(ev, "ike.refused")) {
		r->c[C_COOKIES] += (int64_t)cJSON_GetObjectItemCaseSensitive(e, "cookies-sent")->valuedouble;
	} else if (!strcmp(ev, "link.drop") || !strcmp(ev, "nat.drop")) {
		r->c[C_DROPS]++;
	} else if (!strcmp(ev, "fault") && !strcmp(str(e, "kind"), "reboot")) {
		for (int g = 0; g < 3; g++)
			gauge(r, n, g, -r->node[n][g]);
	}
}

/* The trace replayed into rows every `iv` ns: an event at exactly a row's time belongs to that row. */
static void replay_trace(replay *r, const char *trace, int64_t iv, size_t rows)
{
	size_t len;
	char *text = tfs_must_read(trace, &len), *line = text, *nl;
	int64_t next = 0;
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = 0;
		cJSON *e = cJSON_Parse(line);
		assert_non_null(e);
		int64_t t = (int64_t)(cJSON_GetObjectItemCaseSensitive(e, "t")->valuedouble * 1e9 + 0.5);
		for (; t > next; next += iv)
			row(r);
		apply(r, e);
		cJSON_Delete(e);
	}
	while (r->n < rows)
		row(r);
	free(text);
}

static int col_index(const cJSON *cols, const char *name)
{
	int i = 0;
	for (const cJSON *c = cols->child; c; c = c->next, i++)
		if (!strcmp(c->valuestring, name))
			return i;
	fail_msg("no column %s", name);
	return -1;
}

/* The next comma-separated field of *p (NULL after the last); the comma becomes a terminator. */
static char *field(char **p)
{
	char *tok = *p;
	if (!tok)
		return NULL;
	char *comma = strchr(tok, ',');
	*p = comma ? comma + 1 : NULL;
	if (comma)
		*comma = 0;
	return tok;
}

/* The CSV says what the JSON's rows say, cell by cell. */
static void csv_matches(const char *csv_path, const cJSON *cols, const cJSON *rows)
{
	size_t len, n = 0;
	char *csv = tfs_must_read(csv_path, &len), *save = NULL;
	char *line = strtok_r(csv, "\n", &save);
	const cJSON *c = cols->child;
	for (char *p = line, *tok; (tok = field(&p)); c = c->next)
		assert_string_equal(tok, c->valuestring);
	assert_null(c);
	const cJSON *r = rows->child;
	while ((line = strtok_r(NULL, "\n", &save))) {
		assert_non_null(r);
		const cJSON *v = r->child;
		for (char *p = line, *tok; (tok = field(&p)); v = v->next) {
			assert_non_null(v);
			assert_true(strtod(tok, NULL) == v->valuedouble);
		}
		assert_null(v);
		r = r->next, n++;
	}
	assert_null(r);
	assert_true(n > 0);
	free(csv);
}

static void run_storm(const char *trace, const char *metrics)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(STORM, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	sim_run_opts o = { .trace_path = trace, .metrics_path = metrics, .metrics_csv = strstr(metrics, ".csv") != NULL };
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

static void storm_metrics_equal_trace(void **st)
{
	(void)st;
	tfs_dir d;
	char trace[128], json[128], json2[128], csv[128];
	tfs_dir_make(&d, "metrics");
	tfs_dir_file(&d, "t.jsonl", trace, sizeof(trace));
	tfs_dir_file(&d, "m.json", json, sizeof(json));
	tfs_dir_file(&d, "m2.json", json2, sizeof(json2));
	tfs_dir_file(&d, "m.csv", csv, sizeof(csv));
	run_storm(trace, json);
	run_storm(NULL, json2); /* without a trace: the same metrics */
	run_storm(NULL, csv);
	size_t len, len2;
	char *text = tfs_must_read(json, &len), *text2 = tfs_must_read(json2, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(text, text2, len);
	cJSON *m = cJSON_Parse(text);
	assert_non_null(m);
	const cJSON *cols = cJSON_GetObjectItem(m, "columns"), *rows = cJSON_GetObjectItem(m, "rows");
	int64_t iv = (int64_t)(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "meta"), "interval")->valuedouble * 1e9 + 0.5);
	assert_int_equal(iv, 1000000000);
	replay r = { 0 };
	replay_trace(&r, trace, iv, (size_t)cJSON_GetArraySize(rows));
	assert_int_equal(r.n, cJSON_GetArraySize(rows));
	size_t i = 0;
	for (const cJSON *row_v = rows->child; row_v; row_v = row_v->next, i++)
		for (int k = 0; k < C_N; k++) {
			double got = cJSON_GetArrayItem(row_v, col_index(cols, COLS[k]))->valuedouble;
			if (got != r.rows[i * C_N + k])
				fail_msg("row %zu (t=%g) %s: metrics %g, trace %g", i, cJSON_GetArrayItem(row_v, 0)->valuedouble,
					 COLS[k], got, r.rows[i * C_N + k]);
		}
	const cJSON *lat = cJSON_GetObjectItem(m, "latency");
	assert_int_equal((uint64_t)cJSON_GetObjectItem(lat, "count")->valuedouble, r.setups);
	assert_true(r.setups >= 400);
	csv_matches(csv, cols, rows);
	cJSON_Delete(m);
	free(r.rows);
	free(text);
	free(text2);
	tfs_dir_remove(&d);
}

/* A gateway with a two-core CPU model: its columns sum to the work the CPU reports, and the queue drains. */
static void cpu_columns_equal_cpu_work(void **st)
{
	(void)st;
	tfs_dir d;
	char json[128], err[512];
	tfs_dir_make(&d, "metricscpu");
	tfs_dir_file(&d, "m.json", json, sizeof(json));
	sim_scenario *sc = sim_scenario_load("tests/scenarios/cpu_storm_two_cores.json", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_result res;
	sim_run_opts o = { .metrics_path = json, .metrics_interval = 10000000 };
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	int32_t gw = sim_scenario_node(sc, "gw");
	assert_true(gw >= 0 && res.cpu_nodes && res.cpu_nodes[gw].cores == 2);
	int64_t busy = res.cpu_nodes[gw].busy;
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	size_t len;
	char *text = tfs_must_read(json, &len);
	cJSON *m = cJSON_Parse(text);
	assert_non_null(m);
	const cJSON *cols = cJSON_GetObjectItem(m, "columns"), *rows = cJSON_GetObjectItem(m, "rows");
	int c0 = col_index(cols, "cpu.gw.0"), c1 = col_index(cols, "cpu.gw.1"), q = col_index(cols, "queue.gw");
	double work = 0, peak = 0, last_q = -1;
	for (const cJSON *r = rows->child; r; r = r->next) {
		double u0 = cJSON_GetArrayItem(r, c0)->valuedouble, u1 = cJSON_GetArrayItem(r, c1)->valuedouble;
		assert_true(u0 >= 0 && u0 <= 1 + 1e-9 && u1 >= 0 && u1 <= 1 + 1e-9);
		work += (u0 + u1) * 0.01;
		last_q = cJSON_GetArrayItem(r, q)->valuedouble;
		peak = last_q > peak ? last_q : peak;
	}
	if (work * 1e9 < (double)busy - 1000 || work * 1e9 > (double)busy + 1000)
		fail_msg("rows say %.9f s of work, the CPU %.9f s", work, (double)busy / 1e9);
	assert_true(peak > 10);
	assert_true(last_q == 0);
	cJSON_Delete(m);
	free(text);
	tfs_dir_remove(&d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(storm_metrics_equal_trace),
	cmocka_unit_test(cpu_columns_equal_cpu_work),
};

size_t tests_metrics_run(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
