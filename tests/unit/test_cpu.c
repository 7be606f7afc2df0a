/*
 * Nodes with a virtual CPU (netsim/run_cpu.c, docs/cpu.md): the cost table, what the loader refuses, and what
 * the cores do to a storm: a slower group, fewer cores or a bounded queue change when SAs come up, the same
 * way every run; `ikesim calibrate`'s table loads as a scenario's costs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "cpu_costs.h"
#include "ike.h"
#include "run.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

static void cost_table_lookups(void **state)
{
	(void)state;
	const sim_cpu_costs *f = sim_cpu_costs_builtin("floor"), *c = sim_cpu_costs_builtin("charon");
	assert_non_null(f);
	assert_non_null(c);
	assert_null(sim_cpu_costs_builtin("Floor"));
	assert_null(sim_cpu_costs_builtin(NULL));
	/* measured: x25519 is far cheaper than modp2048, both ends of the handshake */
	assert_true(sim_cpu_cost(f, IKE_CHARGE_DH_KEYGEN, 31, 0) * 4 < sim_cpu_cost(f, IKE_CHARGE_DH_KEYGEN, 14, 0));
	assert_true(sim_cpu_cost(f, IKE_CHARGE_DH_DERIVE, 31, 0) * 4 < sim_cpu_cost(f, IKE_CHARGE_DH_DERIVE, 14, 0));
	/* a group the table lacks costs what modp2048 costs, never nothing */
	assert_int_equal(sim_cpu_cost(f, IKE_CHARGE_DH_KEYGEN, 2, 0), sim_cpu_cost(f, IKE_CHARGE_DH_KEYGEN, 14, 0));
	assert_int_equal(sim_cpu_cost(f, IKE_CHARGE_DH_DERIVE, 9999, 0), sim_cpu_cost(f, IKE_CHARGE_DH_DERIVE, 14, 0));
	/* key classes: the smallest that holds the key */
	assert_int_equal(sim_cpu_key_class(2048), SIM_CPU_RSA2048);
	assert_int_equal(sim_cpu_key_class(2049), SIM_CPU_RSA3072);
	assert_int_equal(sim_cpu_key_class(8192), SIM_CPU_RSA4096);
	assert_int_equal(sim_cpu_key_class(256 | IKE_CHARGE_KEY_EC), SIM_CPU_EC256);
	assert_int_equal(sim_cpu_key_class(521 | IKE_CHARGE_KEY_EC), SIM_CPU_EC521);
	assert_int_equal(sim_cpu_key_parse("ec384"), SIM_CPU_EC384);
	assert_int_equal(sim_cpu_key_parse("dsa"), -1);
	assert_string_equal(sim_cpu_key_name(SIM_CPU_RSA3072), "rsa3072");
	/* per-byte work: a byte is never free, 1 KiB costs the slope */
	assert_int_equal(sim_cpu_cost(f, IKE_CHARGE_SK_SEAL, 20, 1024), f->sk_per_kb);
	assert_true(sim_cpu_cost(f, IKE_CHARGE_SK_OPEN, 20, 1) >= 1);
	assert_int_equal(sim_cpu_cost(f, IKE_CHARGE_PRF, 5, 0), f->prf);
	/* charon: the daemon's own work per datagram, and its slower MODP derive */
	assert_int_equal(f->message, 0);
	assert_true(c->message > 0);
	assert_true(sim_cpu_cost(c, IKE_CHARGE_DH_DERIVE, 14, 0) > sim_cpu_cost(f, IKE_CHARGE_DH_DERIVE, 14, 0));
	assert_int_equal(sim_cpu_cost(c, 200, 0, 100), 0); /* an unknown kind of work costs nothing */
}

/* Two nodes; `cpu` is spliced into gw's object. */
static void load_expect(const char *cpu, const char *want)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "{\"nodes\":[{\"name\":\"rw\",\"addresses\":[\"10.1.0.2\"]},"
		 "{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]%s}],\"links\":[{\"a\":\"rw\",\"b\":\"gw\"}]}",
		 cpu);
	scntest_expect(text, want);
}

static void loader_refuses_bad_cpu(void **state)
{
	(void)state;
	load_expect(",\"cpu\":{}", NULL);
	load_expect(",\"cpu\":{\"cores\":4,\"queue\":100,\"init_limit_job_load\":5,\"costs\":\"charon\"}", NULL);
	load_expect(",\"cpu\":{\"costs\":{\"base\":\"charon\",\"message\":\"1ms\",\"dh_keygen\":{\"31\":\"40us\"},"
		    "\"sign\":{\"ec256\":0.00002},\"note\":\"mine\"}}", NULL);
	load_expect(",\"cpu\":1", "nodes[1].cpu: expected an object");
	load_expect(",\"cpu\":{\"cores\":0}", "nodes[1].cpu.cores");
	load_expect(",\"cpu\":{\"cores\":1025}", "nodes[1].cpu.cores");
	load_expect(",\"cpu\":{\"cores\":1.5}", "nodes[1].cpu.cores");
	load_expect(",\"cpu\":{\"queue\":-1}", "nodes[1].cpu.queue");
	load_expect(",\"cpu\":{\"threads\":2}", "nodes[1].cpu.threads: unknown field");
	load_expect(",\"cpu\":{\"costs\":\"fast\"}", "nodes[1].cpu.costs: 'fast' is no built-in cost table (floor, charon)");
	load_expect(",\"cpu\":{\"costs\":7}", "nodes[1].cpu.costs: expected a built-in table's name");
	load_expect(",\"cpu\":{\"costs\":{\"base\":\"x\"}}", "nodes[1].cpu.costs.base: 'x' is no built-in");
	load_expect(",\"cpu\":{\"costs\":{\"messages\":\"1ms\"}}", "nodes[1].cpu.costs.messages: unknown field");
	load_expect(",\"cpu\":{\"costs\":{\"message\":\"-1ms\"}}", "nodes[1].cpu.costs.message");
	load_expect(",\"cpu\":{\"costs\":{\"message\":\"2h\"}}", "nodes[1].cpu.costs.message: a cost above one hour");
	load_expect(",\"cpu\":{\"costs\":{\"dh_keygen\":[]}}", "nodes[1].cpu.costs.dh_keygen: expected an object");
	load_expect(",\"cpu\":{\"costs\":{\"dh_keygen\":{\"33\":\"1ms\"}}}", "nodes[1].cpu.costs.dh_keygen.33: not a Diffie-Hellman");
	load_expect(",\"cpu\":{\"costs\":{\"dh_derive\":{\"0x1\":\"1ms\"}}}", "nodes[1].cpu.costs.dh_derive.0x1");
	load_expect(",\"cpu\":{\"costs\":{\"dh_derive\":{\"14\":\"1ms\",\"14\":\"2ms\"}}}", "dh_derive.14: field '14' appears twice");
	load_expect(",\"cpu\":{\"costs\":{\"dh_derive\":{\"14\":\"soon\"}}}", "nodes[1].cpu.costs.dh_derive.14");
	load_expect(",\"cpu\":{\"costs\":{\"verify\":{\"dsa1024\":\"1ms\"}}}", "nodes[1].cpu.costs.verify.dsa1024: not a key class");
	load_expect(",\"cpu\":{\"costs\":{\"sign\":{\"\":\"1ms\"}}}", "not a key class");
}

static int64_t run_storm(const char *file, size_t *cpu_node, sim_cpu_stats *st, const char *trace)
{
	char err[512];
	sim_scenario *sc = sim_scenario_load(file, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	sim_run_opts o = { .trace_path = trace };
	sim_run_result res;
	if (sim_run_scenario(sc, &o, &res, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(sim_check_expects(sc, &res, stderr), 0);
	assert_non_null(res.cpu_nodes);
	*cpu_node = 0; /* generated with the gateway first */
	*st = res.cpu_nodes[0];
	int64_t end = res.end_time;
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	return end;
}

static void storms_by_group_cores_and_queue(void **state)
{
	(void)state;
	size_t k;
	sim_cpu_stats x, m, two, q;
	int64_t tx = run_storm("tests/scenarios/cpu_storm_x25519.json", &k, &x, NULL);
	int64_t tm = run_storm("tests/scenarios/cpu_storm_modp2048.json", &k, &m, NULL);
	int64_t t2 = run_storm("tests/scenarios/cpu_storm_two_cores.json", &k, &two, NULL);
	int64_t tq = run_storm("tests/scenarios/cpu_queue_drop.json", &k, &q, NULL);
	assert_true(tm > 2 * tx); /* the lesson's claim, now visible: modp2048 costs the gateway far more than x25519 */
	assert_true(m.busy > 2 * x.busy);
	assert_true(t2 < tm && 2 * (t2 - 10000000) < tm + 30000000); /* two cores: about half the time */
	assert_int_equal(x.jobs, 200); /* two datagrams a handshake, no retransmission */
	assert_int_equal(x.drops, 0);
	assert_int_equal(x.max_queue, 99);
	assert_int_equal(q.drops, 190);
	assert_int_equal(q.max_queue, 20);
	assert_true(tq > 40 * (int64_t)1000000000); /* the last wave came with the fourth retransmission */
}

static void same_storm_same_bytes(void **state)
{
	(void)state;
	size_t k;
	sim_cpu_stats a, b;
	char p1[] = "/tmp/ikesim-cpu-1-XXXXXX", p2[] = "/tmp/ikesim-cpu-2-XXXXXX";
	int f1 = mkstemp(p1), f2 = mkstemp(p2);
	assert_true(f1 >= 0 && f2 >= 0);
	run_storm("tests/scenarios/cpu_storm_two_cores.json", &k, &a, p1);
	run_storm("tests/scenarios/cpu_storm_two_cores.json", &k, &b, p2);
	FILE *x = fopen(p1, "rb"), *y = fopen(p2, "rb");
	assert_non_null(x);
	assert_non_null(y);
	int cx, cy;
	size_t n = 0;
	do {
		cx = fgetc(x);
		cy = fgetc(y);
		n++;
	} while (cx == cy && cx != EOF);
	assert_int_equal(cx, cy);
	assert_true(n > 100000);
	fclose(x);
	fclose(y);
	unlink(p1);
	unlink(p2);
	close(f1);
	close(f2);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* `ikesim calibrate --quick` prints a table a scenario takes as its costs (round trip through the loader). */
static void calibrate_table_loads(void **state)
{
	(void)state;
	char *argv[] = { "calibrate", "--quick", NULL };
	clirun r = clirun_call(cli_calibrate, 2, argv);
	if (r.rc != 0)
		fail_msg("calibrate: %s", r.err);
	assert_non_null(strstr(r.out, "\"dh_keygen\": {"));
	assert_non_null(strstr(r.out, "\"31\": \""));
	assert_non_null(strstr(r.out, "\"rsa2048\": \""));
	char *text = malloc(r.out_len + 512);
	assert_non_null(text);
	int n = snprintf(text, r.out_len + 512,
			 "{\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"],\"cpu\":{\"costs\":%s}}]}", r.out);
	char err[512];
	sim_scenario *sc = sim_scenario_parse("t.json", text, (size_t)n, err, sizeof(err));
	if (!sc)
		fail_msg("%s", err);
	const sim_cpu_costs *c = &sc->nodes[0].cpu->costs;
	assert_true(c->dh_keygen[31] > 0 && c->dh_derive[14] > c->dh_derive[31]);
	assert_true(c->sign[SIM_CPU_RSA2048] > 0 && c->verify[SIM_CPU_EC256] > 0);
	sim_scenario_free(sc);
	free(text);
	clirun_free(&r);
	char *bad[] = { "calibrate", "--fast", NULL };
	r = clirun_call(cli_calibrate, 2, bad);
	assert_int_equal(r.rc, CLI_USAGE);
	assert_non_null(strstr(r.err, "unknown or incomplete argument '--fast'"));
	clirun_free(&r);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(cost_table_lookups),
	cmocka_unit_test(loader_refuses_bad_cpu),
	cmocka_unit_test(storms_by_group_cores_and_queue),
	cmocka_unit_test(same_storm_same_bytes),
	cmocka_unit_test(calibrate_table_loads),
};

size_t tests_cpu(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
