/*
 * `ikesim sweep` (docs/sweep.md): a 4-point sweep of tests/sweep/spec.json run by GNU parallel and merged, each
 * row equal to the same point run on its own; missing and failed jobs reported; the Slurm script runs a task;
 * bad specs refused with their field; the path setter at its edges.
 */
#define _XOPEN_SOURCE 700 /* nftw, realpath */
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "sweep.h"
#include "testfs.h"
#include "test_list.h.in"

#define SPEC "tests/sweep/spec.json"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

/* Removes the test's own temp tree (made by tfs_dir_make under /tmp). */
static void rm_tree(const tfs_dir *d)
{
	assert_int_equal(strncmp(d->path, "/tmp/ikesim-", 12), 0);
	assert_int_equal(nftw(d->path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* The ikesim the jobs run: the release build when the Makefile names it (faster), else the ASan one. */
static const char *job_bin(void)
{
	const char *b = getenv("IKESIM_REL_BIN");
	return b && b[0] ? b : getenv("IKESIM_BIN");
}

static clirun sweep(int argc, const char **argv)
{
	return clirun_call(cli_sweep, argc, (char **)argv);
}

static int have(const char *prog)
{
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* The number in table row r, column named col (NAN for null). */
static double cell(const cJSON *tab, int r, const char *col)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(tab, "columns");
	int i = 0;
	for (const cJSON *c = cols->child; c; c = c->next, i++)
		if (!strcmp(c->valuestring, col)) {
			const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(tab, "rows"), r), i);
			return cJSON_IsNumber(v) ? v->valuedouble : NAN;
		}
	fail_msg("no column %s", col);
	return NAN;
}

static cJSON *must_json(const char *path)
{
	char *t = tfs_must_read(path, NULL);
	cJSON *j = cJSON_Parse(t);
	free(t);
	assert_non_null(j);
	return j;
}

static double jnum(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Point r run on its own (in-process `ikesim run`), against the merged row. */
static void same_as_single_run(const tfs_dir *d, const cJSON *tab, int r)
{
	char job[300], met[300];
	snprintf(job, sizeof(job), "%s/jobs/%04d.json", d->path, r + 1);
	snprintf(met, sizeof(met), "%s/single.json", d->path);
	const char *argv[] = { "run", job, "--quiet", "--metrics", met, "--metrics-interval", "500ms" };
	clirun c = clirun_call(cli_run, 7, (char **)argv);
	assert_int_equal(c.rc, 0);
	clirun_free(&c);
	cJSON *m = must_json(met);
	static const char *const SUM[][2] = { { "recovery", "time" }, { "recovery", "final_up" }, { "latency", "count" },
					       { "latency", "p50" }, { "latency", "max" }, { "totals", "retransmits" },
					       { "totals", "cookies" } };
	for (size_t i = 0; i < sizeof(SUM) / sizeof(SUM[0]); i++) {
		char col[64];
		snprintf(col, sizeof(col), "%s.%s", SUM[i][0], SUM[i][1]);
		double want = jnum(m, SUM[i][0], SUM[i][1]);
		assert_false(isnan(want));
		if (cell(tab, r, col) != want)
			fail_msg("row %d %s: %.17g, the single run %.17g", r, col, cell(tab, r, col), want);
	}
	/* max.half_open and last.ike_up from the rows */
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(m, "rows"), *last = NULL;
	double mh = 0;
	for (const cJSON *row = rows->child; row; row = row->next) {
		mh = fmax(mh, cJSON_GetArrayItem(row, 2)->valuedouble); /* t, ike_up, half_open, ... */
		last = row;
	}
	assert_true(cell(tab, r, "max.half_open") == mh);
	assert_true(cell(tab, r, "last.ike_up") == cJSON_GetArrayItem(last, 1)->valuedouble);
	cJSON_Delete(m);
}

static void sweep_parallel_and_merge(void **st)
{
	(void)st;
	if (!have("parallel") || !job_bin()) {
		print_message("%s: skipping the GNU parallel sweep ('make deps' installs parallel; make unit sets IKESIM_BIN)\n",
			      job_bin() ? "GNU parallel is not installed" : "IKESIM_BIN not set");
		skip();
	}
	tfs_dir d;
	char p[300], q[300];
	tfs_dir_make(&d, "sweep");
	const char *argv[] = { "sweep", SPEC, "-o", d.path, "--jobs", "2", "--ikesim", job_bin() };
	clirun c = sweep(8, argv);
	if (c.rc != 0)
		fail_msg("sweep: %s", c.err);
	assert_non_null(strstr(c.err, "4/4 done"));
	clirun_free(&c);
	/* the job scenarios carry the point's values */
	snprintf(p, sizeof(p), "%s/jobs/0003.json", d.path);
	cJSON *j3 = must_json(p);
	const cJSON *pop = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j3, "populations"), 0);
	const cJSON *gw = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j3, "nodes"), 0);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(pop, "count")->valuedouble, 6);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(gw, "cookie_threshold")->valuedouble, 1);
	cJSON_Delete(j3);
	/* merge: JSON table, twice the same bytes; every row equal to its point run alone */
	snprintf(p, sizeof(p), "%s/t.json", d.path);
	const char *m1[] = { "sweep", "merge", d.path, "-o", p };
	c = sweep(5, m1);
	assert_int_equal(c.rc, 0);
	clirun_free(&c);
	cJSON *tab = must_json(p);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tab, "rows")), 4);
	for (int r = 0; r < 4; r++)
		same_as_single_run(&d, tab, r);
	assert_true(cell(tab, 2, "recovery.final_up") == 12 && cell(tab, 0, "recovery.final_up") == 6);
	cJSON_Delete(tab);
	/* CSV by default, and a chart: both byte-identical on a second merge */
	if (have("gnuplot")) {
		snprintf(q, sizeof(q), "%s/p.svg", d.path);
		const char *m2[] = { "sweep", "merge", d.path, "--plot", q, "--y", "totals.retransmits", "--by",
				     "nodes[gw].cookie_threshold" };
		char *a[2];
		for (int k = 0; k < 2; k++) {
			c = sweep(9, m2);
			assert_int_equal(c.rc, 0);
			clirun_free(&c);
			snprintf(p, sizeof(p), "%s/table.csv", d.path);
			a[k] = tfs_must_read(q, NULL);
		}
		assert_string_equal(a[0], a[1]);
		assert_non_null(strstr(a[0], "<svg"));
		free(a[0]), free(a[1]);
	}
	snprintf(p, sizeof(p), "%s/table.csv", d.path);
	const char *m3[] = { "sweep", "merge", d.path };
	c = sweep(3, m3);
	assert_int_equal(c.rc, 0);
	clirun_free(&c);
	char *csv = tfs_must_read(p, NULL);
	assert_non_null(strstr(csv, "point,populations[rw].count,nodes[gw].cookie_threshold,status,recovery.time,"));
	assert_non_null(strstr(csv, "\n0004,6,100,ok,"));
	free(csv);
	/* a job gone and a job failed: both reported, both kept as rows, exit 1 */
	snprintf(p, sizeof(p), "%s/out/0002.rc", d.path);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/out/0002.json", d.path);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/out/0003.rc", d.path);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("1\n", f);
	fclose(f);
	c = sweep(3, m3);
	assert_int_equal(c.rc, CLI_ERR);
	assert_non_null(strstr(c.err, "job 0002: missing"));
	assert_non_null(strstr(c.err, "job 0003: failed (exit 1"));
	clirun_free(&c);
	snprintf(p, sizeof(p), "%s/table.csv", d.path);
	csv = tfs_must_read(p, NULL);
	assert_non_null(strstr(csv, "\n0002,3,100,missing,,,,,,,,,\n"));
	assert_non_null(strstr(csv, "\n0003,6,1,failed,,,,,,,,,\n"));
	assert_non_null(strstr(csv, "\n0004,6,100,ok,"));
	free(csv);
	rm_tree(&d);
}

/* --runner slurm: the script is written and, run as array task 2, runs job 0002 (and only it). */
static void sweep_slurm_script_runs_a_task(void **st)
{
	(void)st;
	if (!job_bin()) {
		print_message("IKESIM_BIN not set: skipping (make unit sets it)\n");
		skip();
	}
	tfs_dir d;
	char p[300], cmd[700];
	tfs_dir_make(&d, "sweep-slurm");
	const char *argv[] = { "sweep", SPEC, "-o", d.path, "--runner", "slurm", "--jobs", "3", "--ikesim", job_bin() };
	clirun c = sweep(10, argv);
	if (c.rc != 0)
		fail_msg("sweep: %s", c.err);
	assert_non_null(strstr(c.out, "sbatch "));
	clirun_free(&c);
	snprintf(p, sizeof(p), "%s/sweep.sbatch", d.path);
	char *s = tfs_must_read(p, NULL);
	assert_non_null(strstr(s, "#SBATCH --array=1-4%3\n"));
	free(s);
	snprintf(cmd, sizeof(cmd), "SLURM_ARRAY_TASK_ID=2 sh '%s' >/dev/null 2>&1", p);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "SLURM_ARRAY_TASK_ID=9 sh '%s' >/dev/null 2>&1", p);
	assert_int_not_equal(system(cmd), 0);
	const char *m[] = { "sweep", "merge", d.path };
	c = sweep(3, m);
	assert_int_equal(c.rc, CLI_ERR);
	assert_non_null(strstr(c.err, "job 0001: missing"));
	assert_null(strstr(c.err, "job 0002"));
	clirun_free(&c);
	snprintf(p, sizeof(p), "%s/table.csv", d.path);
	s = tfs_must_read(p, NULL);
	assert_non_null(strstr(s, "\n0002,3,100,ok,13.696377564,6,"));
	free(s);
	rm_tree(&d);
}

/* --runner none, the jobs run by sh; a parameter of strings drawn as categories; the plot's refusals. */
static void sweep_runner_none_and_categories(void **st)
{
	(void)st;
	if (!job_bin() || !have("gnuplot")) {
		print_message("IKESIM_BIN not set or no gnuplot: skipping\n");
		skip();
	}
	tfs_dir d;
	char spec[300], out[300], cmd[700], svg[300], base[PATH_MAX];
	tfs_dir_make(&d, "sweep-none");
	assert_non_null(realpath("tests/sweep/base.json", base));
	snprintf(spec, sizeof(spec), "%s/spec.json", d.path);
	snprintf(out, sizeof(out), "%s/o", d.path);
	FILE *f = fopen(spec, "w");
	assert_non_null(f);
	fprintf(f, "{\"base\": \"%s\", \"vary\": {\"populations[rw].start\": [\"0s\", \"2s\"]}, "
		   "\"columns\": [\"latency.count\", \"meta.seed\"]}", base);
	fclose(f);
	const char *argv[] = { "sweep", spec, "-o", out, "--runner", "none", "--ikesim", job_bin() };
	clirun c = sweep(8, argv);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.out, "run: sh "));
	clirun_free(&c);
	snprintf(cmd, sizeof(cmd), "sh '%s/jobs.txt' >/dev/null 2>&1", out);
	assert_int_equal(system(cmd), 0);
	snprintf(svg, sizeof(svg), "%s/c.svg", d.path);
	const char *m[] = { "sweep", "merge", out, "--plot", svg };
	c = sweep(5, m);
	assert_int_equal(c.rc, 0);
	clirun_free(&c);
	char *pic = tfs_must_read(svg, NULL);
	assert_non_null(strstr(pic, ">0s<") ? pic : NULL);
	assert_non_null(strstr(pic, ">2s<"));
	free(pic);
	snprintf(cmd, sizeof(cmd), "%s/o/table.csv", d.path);
	pic = tfs_must_read(cmd, NULL);
	assert_string_equal(pic, "point,populations[rw].start,status,latency.count,meta.seed\n0001,0s,ok,8,1\n0002,2s,ok,8,1\n");
	free(pic);
	static const char *const BAD[][3] = { { "--x", "nope", "--x 'nope': not a parameter" },
					      { "--y", "totals.nope", "--y 'totals.nope': not a result column" },
					      { "--by", "populations[rw].start", "not a parameter of this sweep other than --x" },
					      { "--logx", NULL, "--logx: parameter 'populations[rw].start' has a value that is not a positive number" } };
	for (size_t i = 0; i < 4; i++) {
		const char *mb[] = { "sweep", "merge", out, "--plot", svg, BAD[i][0], BAD[i][1] };
		c = sweep(BAD[i][1] ? 7 : 6, mb);
		assert_int_not_equal(c.rc, 0);
		if (!strstr(c.err, BAD[i][2]))
			fail_msg("%s: %s", BAD[i][0], c.err);
		clirun_free(&c);
	}
	const char *mp[] = { "sweep", "merge", out, "--plot", "x.pdf" };
	c = sweep(5, mp);
	assert_non_null(strstr(c.err, "drawn as .svg or .png"));
	clirun_free(&c);
	rm_tree(&d);
}

/* A spec in d with `body` after the base; `sweep --runner none` must refuse it naming `want`, writing nothing. */
static void refused(const tfs_dir *d, const char *body, const char *want)
{
	char spec[300], out[300], base[PATH_MAX], text[2048];
	assert_non_null(realpath("tests/sweep/base.json", base));
	snprintf(spec, sizeof(spec), "%s/spec.json", d->path);
	snprintf(out, sizeof(out), "%s/o", d->path);
	snprintf(text, sizeof(text), body[0] == '!' ? "%s%s" : "{\"base\": \"%s\"%s}", body[0] == '!' ? "" : base,
		 body + (body[0] == '!'));
	FILE *f = fopen(spec, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	const char *argv[] = { "sweep", spec, "-o", out, "--runner", "none" };
	clirun c = sweep(6, argv);
	if (c.rc != CLI_USAGE || !strstr(c.err, want))
		fail_msg("spec %s: rc %d, '%s' (wanted '%s')", text, c.rc, c.err, want);
	clirun_free(&c);
	snprintf(out, sizeof(out), "%s/o/jobs.txt", d->path);
	assert_int_not_equal(access(out, F_OK), 0);
}

static void sweep_bad_specs_refused(void **st)
{
	(void)st;
	tfs_dir d;
	tfs_dir_make(&d, "sweep-bad");
	const char *ok = ", \"vary\": {\"seed\": [1]}";
	char b[1024];
	refused(&d, "!{\"base\": 1", "spec.json:1:");
	refused(&d, "!{\"vary\": {\"seed\": [1]}}", "spec.json: base: missing required field 'base'");
	refused(&d, "!{\"base\": \"nope.json\", \"vary\": {\"seed\": [1]}}", "spec.json: base: the base scenario does not load");
	refused(&d, ", \"colums\": []", "spec.json: colums: unknown field");
	refused(&d, "", "spec.json: vary: expected an object");
	refused(&d, ", \"vary\": {}", "spec.json: vary: expected an object of 1 to 16");
	refused(&d, ", \"vary\": {\"seed\": []}", "spec.json: vary.seed: expected an array of 1 to 1000 values");
	refused(&d, ", \"vary\": {\"seed\": 1}", "spec.json: vary.seed: expected an array");
	refused(&d, ", \"vary\": {\"nodes[\": [1]}", "spec.json: vary.nodes[: not a path");
	refused(&d, ", \"vary\": {\"[0].x\": [1]}", "spec.json: vary.[0].x: not a path");
	refused(&d, ", \"vary\": {\"seed\": [1], \"seed\": [2]}", "spec.json: vary.seed: given twice");
	refused(&d, ", \"vary\": {\"nodes[5].cookie_threshold\": [1]}",
		"point 0001 (nodes[5].cookie_threshold=1): ");
	refused(&d, ", \"vary\": {\"nodes[5].cookie_threshold\": [1]}", "vary.nodes[5].cookie_threshold: no element 5 (nodes has 1)");
	refused(&d, ", \"vary\": {\"nodes[vpn].cookie_threshold\": [1]}", "no element of nodes is named 'vpn'");
	refused(&d, ", \"vary\": {\"metrics.interval.x\": [1]}", "metrics.interval is not an object");
	refused(&d, ", \"vary\": {\"nodes[gw].cpu.cores\": [1]}", "the scenario has no nodes[gw].cpu");
	refused(&d, ", \"vary\": {\"populations[rw].count\": [2, 0]}",
		"point 0002 (populations[rw].count=0) is not a valid scenario: ");
	refused(&d, ", \"vary\": {\"populations[rw].count\": [2, 0]}", "populations[0].count: 0 is out of range");
	refused(&d, ", \"vary\": {\"nodes[gw].cookie_treshold\": [3]}", "nodes[0].cookie_treshold: unknown field");
	snprintf(b, sizeof(b), "%s, \"columns\": [\"recovery.tim\"]", ok);
	refused(&d, b, "spec.json: columns[0]: expected a result column");
	snprintf(b, sizeof(b), "%s, \"columns\": [\"max.half_open\", \"max.half_open\"]", ok);
	refused(&d, b, "spec.json: columns[1]: 'max.half_open' given twice");
	snprintf(b, sizeof(b), "%s, \"metrics_interval\": \"0s\"", ok);
	refused(&d, b, "spec.json: metrics_interval: expected a duration of at least 1ms");
	char v47[200] = "", *w = v47;
	for (int k = 1; k <= 47; k++) /* three parameters of 47 values: 103,823 points */
		w += sprintf(w, "%s%d", k > 1 ? "," : "", k);
	snprintf(b, sizeof(b), ", \"vary\": {\"x\": [%s], \"y\": [%s], \"z\": [%s]}", v47, v47, v47);
	refused(&d, b, "the grid would have more than 100000 points");
	/* no GNU parallel: said, not a crash */
	if (job_bin()) {
		char o[300];
		snprintf(o, sizeof(o), "%s/np", d.path);
		const char *a0[] = { "sweep", SPEC, "-o", o, "--ikesim", job_bin() };
		setenv("IKESIM_PARALLEL", "/nonexistent/parallel", 1);
		clirun c0 = sweep(6, a0);
		unsetenv("IKESIM_PARALLEL");
		assert_int_equal(c0.rc, CLI_ERR);
		assert_non_null(strstr(c0.err, "cannot run '/nonexistent/parallel': the parallel runner needs GNU parallel"));
		clirun_free(&c0);
	}
	/* the command line */
	const char *a1[] = { "sweep", SPEC };
	clirun c = sweep(2, a1);
	assert_int_equal(c.rc, CLI_USAGE);
	assert_non_null(strstr(c.err, "missing -o DIR"));
	clirun_free(&c);
	const char *a2[] = { "sweep", SPEC, "-o", d.path, "--runner", "pbs" };
	c = sweep(6, a2);
	assert_int_equal(c.rc, CLI_USAGE);
	assert_non_null(strstr(c.err, "--runner wants parallel, slurm or none"));
	clirun_free(&c);
	const char *a3[] = { "sweep", "merge", d.path };
	c = sweep(3, a3);
	assert_int_equal(c.rc, CLI_USAGE);
	assert_non_null(strstr(c.err, "sweep.json: cannot read"));
	clirun_free(&c);
	rm_tree(&d);
}

static void sweep_path_set_edges(void **st)
{
	(void)st;
	char msg[200];
	cJSON *root = cJSON_Parse("{\"nodes\":[{\"name\":\"gw\",\"x\":1},{\"name\":\"b\"}],\"seed\":1,\"m\":{\"i\":\"1s\"}}");
	cJSON *v = cJSON_CreateNumber(7);
	assert_non_null(root);
	assert_int_equal(sweep_path_set(root, "seed", v, msg, sizeof(msg)), 0);
	assert_int_equal(sweep_path_set(root, "nodes[gw].x", v, msg, sizeof(msg)), 0);
	assert_int_equal(sweep_path_set(root, "nodes[1].y", v, msg, sizeof(msg)), 0); /* a new last member */
	assert_int_equal(sweep_path_set(root, "m.i", v, msg, sizeof(msg)), 0);
	char *t = cJSON_PrintUnformatted(root);
	assert_string_equal(t, "{\"nodes\":[{\"name\":\"gw\",\"x\":7},{\"name\":\"b\",\"y\":7}],\"seed\":7,\"m\":{\"i\":7}}");
	free(t);
	assert_int_equal(sweep_path_set(root, "nodes[*].z", v, msg, sizeof(msg)), 0); /* every element */
	t = cJSON_PrintUnformatted(root);
	assert_non_null(strstr(t, "{\"name\":\"gw\",\"x\":7,\"z\":7},{\"name\":\"b\",\"y\":7,\"z\":7}"));
	free(t);
	assert_int_equal(sweep_path_set(root, "m[*]", v, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "m is not an array with elements");
	assert_int_equal(sweep_path_set(root, "nodes[2].x", v, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "no element 2 (nodes has 2)");
	assert_int_equal(sweep_path_set(root, "nodes[zz].x", v, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "no element of nodes is named 'zz'");
	assert_int_equal(sweep_path_set(root, "seed[0]", v, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "seed is not an array");
	assert_int_equal(sweep_path_set(root, "q.r", v, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "the scenario has no q");
	cJSON_Delete(root);
	cJSON_Delete(v);
	static const char *const BAD[] = { "", ".a", "a.", "a..b", "[0]", "a[01]", "a[]", "a[x", "a b", "a[0]b",
					   "a[12345678]", NULL };
	for (size_t i = 0; BAD[i]; i++)
		if (sweep_path_valid(BAD[i]))
			fail_msg("'%s' passed as a path", BAD[i]);
	assert_true(sweep_path_valid("populations[rw-1.a].connection.rand_time") && sweep_path_valid("links[*].loss"));
	assert_true(sweep_col_valid("totals.drops.cpu.queue full") && sweep_col_valid("max.cpu.gw.0"));
	assert_false(sweep_col_valid("totals.") || sweep_col_valid("latency.p42") || sweep_col_valid("rows"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(sweep_parallel_and_merge),
	cmocka_unit_test(sweep_slurm_script_runs_a_task),
	cmocka_unit_test(sweep_runner_none_and_categories),
	cmocka_unit_test(sweep_bad_specs_refused),
	cmocka_unit_test(sweep_path_set_edges),
};

size_t tests_sweep(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
