/*
 * Storm metrics at the edges: `ikesim viz storm` (gnuplot; same file, same bytes; no gnuplot, a bad file),
 * the report with --metrics, `ikesim run`'s metrics flags, and the progress callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "run.h"
#include "testfs.h"
#include "viz.h"
#include "test_list.h.in"

/* A small metrics file as `ikesim run --metrics` writes it; the scenario name tries to break out of gnuplot's
 * quotes. */
static const char METRICS[] =
	"{\"meta\":{\"schema\":1,\"scenario\":\"it's a \\\"storm\\\"\\n system('x')\",\"seed\":7,\"interval\":1.0,\"end\":3.0},\n"
	"\"columns\":[\"t\",\"ike_up\",\"half_open\",\"in_flight\",\"child_up\",\"ike_tx\",\"retransmits\",\"cookies\",\"refused\",\"drops\"],\n"
	"\"kinds\":[\"time\",\"gauge\",\"gauge\",\"gauge\",\"gauge\",\"counter\",\"counter\",\"counter\",\"counter\",\"counter\"],\n"
	"\"rows\":[[0,0,2,2,0,2,0,0,0,0],[1,2,0,0,2,4,1,1,0,1],[2,0,0,0,0,0,0,0,0,0],[3,2,0,0,2,4,0,0,0,0]],\n"
	"\"latency\":{\"count\":4,\"p50\":0.1,\"p90\":0.9,\"p99\":0.9,\"max\":0.9,\"mean\":0.5,"
	"\"histogram\":{\"width\":0.2,\"counts\":[2,0,0,0,2]}},\n"
	"\"recovery\":{\"final_up\":2,\"at\":2.5,\"fault_at\":2.0,\"time\":0.5},\"totals\":{}}\n";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void storm_plot_same_bytes(void **st)
{
	(void)st;
	tfs_dir d;
	char m[128], msg[512];
	tfs_dir_make(&d, "stormviz");
	tfs_dir_file(&d, "m.json", m, sizeof(m));
	write_text(m, METRICS);
	viz_buf a = { 0 }, b = { 0 }, p = { 0 };
	if (viz_storm(m, VIZ_FMT_SVG, &a, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	assert_int_equal(viz_storm(m, VIZ_FMT_SVG, &b, msg, sizeof(msg)), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	assert_non_null(strstr(a.p, "<svg"));
	assert_non_null(strstr(a.p, "IKE SAs up"));
	assert_non_null(strstr(a.p, "4 setups: p50 0.100 s"));
	assert_non_null(strstr(a.p, "it_s a \"storm\"_ system(_x_) (seed 7)")); /* quotes defused */
	assert_int_equal(viz_storm(m, VIZ_FMT_PNG, &p, msg, sizeof(msg)), 0);
	assert_true(p.len > 8 && memcmp(p.p, "\x89PNG", 4) == 0);
	assert_int_equal(viz_storm(m, VIZ_FMT_DOT, &p, msg, sizeof(msg)), -1);
	viz_buf_free(&a);
	viz_buf_free(&b);
	viz_buf_free(&p);
	tfs_dir_remove(&d);
}

static void storm_plot_refusals(void **st)
{
	(void)st;
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "[1,2]", "not a metrics file" },
		{ "{\"columns\":[\"x\"],\"rows\":[]}", "columns: expected an array of names starting with \"t\"" },
		{ "{\"columns\":[\"t\",\"ike_up\"],\"rows\":[[0,1],[1]]}", "rows[1]: expected 2 numbers" },
		{ "{\"columns\":[\"t\",\"ike_up\"],\"rows\":[[1,1],[0,1]]}", "rows[1]" },
		{ "{\"columns\":[\"t\",\"ike_up\"],\"rows\":[[0,\"1\"]]}", "rows[0]" },
		{ "{\"columns\":[\"t\"],\"rows\":[[0]],\"latency\":{\"histogram\":{\"width\":-1,\"counts\":[]}}}", "latency:" },
		{ "{\"columns\":[\"t\"],\"rows\":[[0]],\"latency\":{\"histogram\":{\"width\":1,\"counts\":[-3]}}}",
		  "latency.histogram.counts" },
	};
	tfs_dir d;
	char m[128], msg[512];
	tfs_dir_make(&d, "stormbad");
	tfs_dir_file(&d, "m.json", m, sizeof(m));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		viz_buf b = { 0 };
		write_text(m, bad[i].text);
		assert_int_equal(viz_storm(m, VIZ_FMT_SVG, &b, msg, sizeof(msg)), -1);
		if (!strstr(msg, bad[i].want) || !strstr(msg, m))
			fail_msg("case %zu: wanted '%s' in: %s", i, bad[i].want, msg);
		viz_buf_free(&b);
	}
	/* a missing gnuplot says what to install */
	write_text(m, METRICS);
	setenv("IKESIM_GNUPLOT", "/nonexistent/gnuplot", 1);
	viz_buf b = { 0 };
	int rc = viz_storm(m, VIZ_FMT_SVG, &b, msg, sizeof(msg));
	unsetenv("IKESIM_GNUPLOT");
	assert_int_equal(rc, -1);
	if (!strstr(msg, "gnuplot-nox") || !strstr(msg, "make deps"))
		fail_msg("%s", msg);
	viz_buf_free(&b);
	tfs_dir_remove(&d);
}

static clirun run_cli(int (*fn)(int, char **, FILE *, FILE *), const char *a0, const char *a1, const char *a2,
		      const char *a3, const char *a4, const char *a5, const char *a6)
{
	char *argv[8] = { (char *)a0, (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, (char *)a6, NULL };
	int argc = 0;
	while (argc < 7 && argv[argc])
		argc++;
	return clirun_call(fn, argc, argv);
}

/* run --metrics (CSV), --metrics-interval; viz storm; report --metrics; a short run shows no progress line. */
static void cli_metrics_flags(void **st)
{
	(void)st;
	tfs_dir d;
	char csv[128], json[128], trace[128], svg[128], html[128];
	tfs_dir_make(&d, "stormcli");
	tfs_dir_file(&d, "m.csv", csv, sizeof(csv));
	tfs_dir_file(&d, "m.json", json, sizeof(json));
	tfs_dir_file(&d, "t.jsonl", trace, sizeof(trace));
	tfs_dir_file(&d, "s.svg", svg, sizeof(svg));
	tfs_dir_file(&d, "r.html", html, sizeof(html));
	const char *sc = "tests/scenarios/fault_reboot.json";
	clirun r = run_cli(cli_run, "run", sc, "--metrics-interval", "1s", NULL, NULL, NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "--metrics-interval without --metrics"));
	clirun_free(&r);
	r = run_cli(cli_run, "run", sc, "--metrics", csv, "--metrics-interval", "0.5ms", NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "at least 1ms"));
	clirun_free(&r);
	r = run_cli(cli_run, "run", sc, "--metrics", csv, "--metrics-interval", "250ms", "--progress");
	assert_int_equal(r.rc, CLI_OK);
	assert_null(strstr(r.err, "virtual")); /* a run of well under 2 s: no progress line */
	assert_non_null(strstr(r.out, "metrics: "));
	clirun_free(&r);
	size_t n;
	char *text = tfs_must_read(csv, &n);
	assert_true(strncmp(text, "t,ike_up,half_open,in_flight,child_up,ike_tx,", 45) == 0);
	assert_non_null(strstr(text, "\n0.250000000,"));
	assert_non_null(strstr(text, "\n5.750000000,1,0,0,1,")); /* gw-a rebooted at 5 s, gw-b still up */
	assert_non_null(strstr(text, "\n6.250000000,2,0,0,2,3,")); /* the last row: the run ends at 6.08 s */
	free(text);
	r = run_cli(cli_run, "run", sc, "--metrics", json, "--trace", trace, "--quiet");
	assert_int_equal(r.rc, CLI_OK);
	clirun_free(&r);
	r = run_cli(cli_viz, "viz", "storm", json, "-o", svg, NULL, NULL);
	assert_int_equal(r.rc, CLI_OK);
	clirun_free(&r);
	r = run_cli(cli_viz, "viz", "storm", json, "-o", html, NULL, NULL);
	assert_int_equal(r.rc, CLI_USAGE);
	clirun_free(&r);
	r = run_cli(cli_report, "report", trace, "--metrics", json, "-o", html, NULL);
	assert_int_equal(r.rc, CLI_OK);
	clirun_free(&r);
	char *page = tfs_must_read(html, &n), *pic = tfs_must_read(svg, &n);
	assert_non_null(strstr(page, "<h2>Storm metrics</h2>"));
	assert_non_null(strstr(page, "IKE SAs up"));
	assert_null(strstr(page, "class=\"err\""));
	assert_non_null(strstr(pic, "<svg"));
	free(page);
	free(pic);
	tfs_dir_remove(&d);
}

typedef struct seen {
	size_t calls;
	int64_t last_now, max_up;
	uint64_t last_events;
} seen;

static void on_progress(void *ctx, const sim_run_progress *p)
{
	seen *s = ctx;
	assert_true(p->now >= s->last_now);
	assert_true(p->events > s->last_events);
	assert_true(p->ike_up >= 0);
	assert_int_equal(p->duration, 90 * 1000000000LL);
	s->calls++, s->last_now = p->now, s->last_events = p->events;
	s->max_up = p->ike_up > s->max_up ? p->ike_up : s->max_up;
}

static void progress_callback(void **st)
{
	(void)st;
	char err[512];
	sim_scenario *sc = sim_scenario_load("tests/scenarios/storm_small_reconnect.json", err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	seen s = { 0 };
	sim_run_opts o = { .progress = on_progress, .progress_ctx = &s };
	sim_run_result res;
	assert_int_equal(sim_run_scenario(sc, &o, &res, err, sizeof(err)), 0);
	assert_true(s.calls >= 2);
	assert_int_equal(s.max_up, 400);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(storm_plot_same_bytes),
	cmocka_unit_test(storm_plot_refusals),
	cmocka_unit_test(cli_metrics_flags),
	cmocka_unit_test(progress_callback),
};

size_t tests_metrics_viz(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
