/*
 * `ikesim load` (cli/cmd_load.c): against an `ikesim peer` responder on 127.0.0.1 as real processes, every setup
 * must come up with its own port and identity; the results file must hold sane (ordered) latencies; failures
 * must be counted by reason; bad flags must be refused with a line that names them. Nothing here asserts on time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "clirun.h"
#include "load.h"
#include "peerproc.h"
#include "test_list.h.in"
#include "testfs.h"

/* A base source port for this process's setups: spread by PID so parallel runs rarely meet. */
static unsigned port_base(void) { return 20000u + (unsigned)(getpid() % 400) * 100u; }

static void write_psk(const pu_env *e, const char *psk, char *path, size_t cap)
{
	snprintf(path, cap, "%s/psk", e->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, psk, strlen(psk)), (ssize_t)strlen(psk));
	close(fd);
}

/* The number after "key": in the JSON text (or -1). */
static double json_num(const char *text, const char *key)
{
	char k[64];
	snprintf(k, sizeof(k), "\"%s\":", key);
	const char *p = text ? strstr(text, k) : NULL;
	return p ? strtod(p + strlen(k), NULL) : -1;
}

/* Runs `ikesim load` against a fresh responder (PSK sesame) with the given extra flags; its JSON text. */
static char *run_load(pu_env *e, const char *psk, const char *count, const char *const *extra, int *rc,
		      pu_proc *resp)
{
	pu_args ra;
	char psk_path[128], json[128], remote[32], ports[32];
	static const char *const any[] = { "--remote", "0.0.0.0:0", "--remote-id", "%any", "--no-dos-protection", NULL };
	pu_start_responder(resp, e, &ra, "sesame", "15", false, any);
	write_psk(e, psk, psk_path, sizeof(psk_path));
	snprintf(json, sizeof(json), "%s/load.json", e->dir);
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", e->port_r);
	snprintf(ports, sizeof(ports), "%u-%u", port_base(), port_base() + 99);
	char *argv[48] = { (char *)e->bin, "load", "--remote", remote, "--count", (char *)count, "--proposals", PU_IKE,
			   "--esp-proposals", PU_ESP, "--local-id-pattern", "rw%u.example", "--remote-id", "b.example",
			   "--local-ts", "10.1.0.0/16", "--remote-ts", "10.2.0.0/16", "--psk-file", psk_path, "--json",
			   json, "--quiet", "--timeout", "10", "--retransmit", "0.5,1.5,2" };
	int n = 27;
	if (!extra || !extra[0] || strcmp(extra[0], "--ports") != 0)
		argv[n++] = "--ports", argv[n++] = ports;
	for (size_t i = 0; extra && extra[i]; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	pu_proc l;
	pu_spawn(&l, e, "load", argv);
	*rc = pu_wait(&l, 30000);
	if (*rc != 0)
		pu_show(l.out), pu_show(l.err);
	return tfs_read(json, NULL);
}

static void load_establishes_every_setup(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r;
	int rc;
	if (!pu_setup(&e))
		skip();
	char *j = run_load(&e, "sesame", "50", NULL, &rc, &r);
	int rrc = pu_stop(&r, 10000); /* its report as on its --timeout, without waiting that out */
	assert_int_equal(rc, 0);
	assert_non_null(j);
	assert_true(json_num(j, "established") == 50 && json_num(j, "failed") == 0 && json_num(j, "started") == 50);
	double mn = json_num(j, "min"), p50 = json_num(j, "p50"), p90 = json_num(j, "p90"), p99 = json_num(j, "p99"),
	       mx = json_num(j, "max");
	assert_true(mn > 0 && mn <= p50 && p50 <= p90 && p90 <= p99 && p99 <= mx);
	assert_true(mx <= json_num(j, "duration_ms") + 0.001); /* all started at once: the last one ends the run */
	assert_true(json_num(j, "datagrams_sent") >= 100);     /* IKE_SA_INIT and IKE_AUTH of each */
	/* The responder saw 50 distinct IKE SAs, each with its CHILD SA (and the deletes at the end). */
	assert_int_equal(rrc, 0);
	assert_true(pu_file_has(r.out, "50 IKE SA(s) with CHILD SA established"));
	free(j);
	pu_cleanup(&e);
}

static void load_keeps_rate_concurrency_and_address_ranges(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r;
	int rc;
	char ports[32];
	if (!pu_setup(&e))
		skip();
	/* 20 setups on 2 addresses x 10 ports: the second half comes from 127.0.0.2. */
	snprintf(ports, sizeof(ports), "%u-%u", port_base(), port_base() + 9);
	const char *const extra[] = { "--ports", ports, "--local", "127.0.0.1-127.0.0.2", "--concurrency", "3",
				      "--rate", "400", NULL };
	char *j = run_load(&e, "sesame", "20", extra, &rc, &r);
	(void)pu_stop(&r, 10000);
	assert_int_equal(rc, 0);
	assert_true(json_num(j, "established") == 20 && json_num(j, "concurrency") == 3);
	assert_true(pu_file_has(r.out, "20 IKE SA(s) with CHILD SA established"));
	assert_true(pu_file_has(r.out, "127.0.0.2:")); /* the last one came from the second address */
	free(j);
	pu_cleanup(&e);
}

static void load_counts_failures_by_reason(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r;
	int rc;
	if (!pu_setup(&e))
		skip();
	char *j = run_load(&e, "not the key", "3", NULL, &rc, &r);
	(void)pu_stop(&r, 10000);
	assert_int_equal(rc, CLI_ERR);
	assert_true(json_num(j, "established") == 0 && json_num(j, "failed") == 3);
	assert_non_null(strstr(j, "\"IKE SA: AUTHENTICATION_FAILED\":3"));
	free(j);
	pu_cleanup(&e);
}

/* One refused command line: exit 2 and `want` on stderr. */
static void refused(const char *const *flags, const char *want)
{
	char *argv[40] = { "load", "--proposals", PU_IKE, "--esp-proposals", PU_ESP, "--remote-id", "b.example",
			   "--local-ts", "10.1.0.0/16", "--remote-ts", "10.2.0.0/16", "--psk", "x", "--id", "a.example" };
	int n = 15;
	for (size_t i = 0; flags[i]; i++)
		argv[n++] = (char *)flags[i];
	argv[n] = NULL;
	clirun c = clirun_call(cli_load, n, argv);
	if (c.rc != CLI_USAGE || !strstr(c.err, want))
		print_message("rc %d, stderr: %s (wanted '%s')\n", c.rc, c.err, want);
	assert_int_equal(c.rc, CLI_USAGE);
	assert_non_null(strstr(c.err, want));
	clirun_free(&c);
}

static void load_refuses_bad_flags(void **state)
{
	(void)state;
#define R(want, ...)                                                   \
	do {                                                           \
		static const char *const f[] = { __VA_ARGS__, NULL }; \
		refused(f, want);                                      \
	} while (0)
	R("missing --remote", "--count", "5");
	R("missing --count", "--remote", "127.0.0.1:500");
	R("--count wants a number from 1", "--remote", "127.0.0.1:500", "--count", "0");
	R("--count wants a whole number", "--remote", "127.0.0.1:500", "--count", "2.5");
	R("--rate wants a number", "--remote", "127.0.0.1:500", "--count", "5", "--rate", "-1");
	R("--concurrency wants a number", "--remote", "127.0.0.1:500", "--count", "5", "--concurrency", "x");
	R("only %u (the index)", "--remote", "127.0.0.1:500", "--count", "5", "--local-id-pattern", "rw%s");
	R("needs exactly one %u", "--remote", "127.0.0.1:500", "--count", "5", "--local-id-pattern", "rw%u-%u");
	R("--retransmit wants BASE,FACTOR,TRIES", "--remote", "127.0.0.1:500", "--count", "5", "--retransmit", "4,1.8");
	R("--pcap is `ikesim peer`'s", "--remote", "127.0.0.1:500", "--count", "5", "--pcap", "x.pcap");
	R("--timeout needs a value", "--remote", "127.0.0.1:500", "--count", "5", "--timeout");
	R("--ports '5-3' is not P-Q", "--remote", "127.0.0.1:500", "--count", "5", "--ports", "5-3");
	R("--count 5 needs 5 source ports", "--remote", "127.0.0.1:500", "--count", "5", "--ports", "40000-40003");
	R("--local '10.0.0.9-10.0.0.1'", "--remote", "127.0.0.1:500", "--count", "5", "--local", "10.0.0.9-10.0.0.1");
	R("--local ADDR[-ADDR2] is needed", "--remote", "192.0.2.1:500", "--count", "5");
	R("--local-ts needs a value", "--remote", "127.0.0.1:500", "--count", "5", "--local-ts");
#undef R
}

static void load_percentiles_and_reasons(void **state)
{
	(void)state;
	ike_time lat[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	load_stats s = { .lat = lat, .n_lat = 10 };
	assert_int_equal(load_stats_pct(&s, 50), 5);
	assert_int_equal(load_stats_pct(&s, 90), 9);
	assert_int_equal(load_stats_pct(&s, 99), 10);
	assert_int_equal(load_stats_pct(&s, 100), 10);
	assert_int_equal(load_stats_pct(&s, 1), 1);
	s.n_lat = 0;
	assert_int_equal(load_stats_pct(&s, 50), 0);
	char why[32];
	for (int i = 0; i < LOAD_MAX_REASONS + 3; i++) {
		snprintf(why, sizeof(why), "reason %d", i);
		load_stats_fail(&s, why);
	}
	load_stats_fail(&s, "reason 0");
	assert_int_equal(s.failed, LOAD_MAX_REASONS + 4);
	assert_int_equal(s.n_reasons, LOAD_MAX_REASONS);
	assert_int_equal(s.reasons[0].n, 2);
	assert_int_equal(s.other_reasons, 3);
}


/* SIGINT stops the setups, deletes what is up and still reports; the exit code says it was cut short. */
static void load_reports_when_interrupted(void **state)
{
	(void)state;
	pu_env e;
	pu_proc r, l;
	pu_args ra;
	char psk_path[128], json[128], remote[32], ports[32];
	if (!pu_setup(&e))
		skip();
	static const char *const any[] = { "--remote", "0.0.0.0:0", "--remote-id", "%any", "--no-dos-protection", NULL };
	pu_start_responder(&r, &e, &ra, "sesame", "15", false, any);
	write_psk(&e, "sesame", psk_path, sizeof(psk_path));
	snprintf(json, sizeof(json), "%s/load.json", e.dir);
	snprintf(remote, sizeof(remote), "127.0.0.1:%u", e.port_r);
	snprintf(ports, sizeof(ports), "%u-%u", port_base(), port_base() + 99);
	char *argv[] = { (char *)e.bin, "load", "--remote", remote, "--count", "100", "--rate", "20", "--proposals", PU_IKE,
			 "--esp-proposals", PU_ESP, "--local-id-pattern", "rw%u.example", "--remote-id", "b.example",
			 "--local-ts", "10.1.0.0/16", "--remote-ts", "10.2.0.0/16", "--psk-file", psk_path, "--json", json,
			 "--quiet", "--timeout", "30", "--ports", ports, NULL };
	pu_spawn(&l, &e, "load", argv);
	nanosleep(&(struct timespec){ 1, 500000000 }, NULL); /* about 30 of the 100 started at 20/s */
	kill(l.pid, SIGINT);
	int rc = pu_wait(&l, 30000);
	assert_int_equal(rc, 1);
	assert_true(pu_file_has(l.err, "interrupted (SIGINT): no more setups started"));
	char *j = tfs_read(json, NULL);
	assert_non_null(j);
	double up = json_num(j, "established");
	assert_true(up >= 5 && up < 100); /* some, not all: the report covers what was done */
	free(j);
	(void)pu_stop(&r, 10000);
	pu_cleanup(&e);
}

size_t tests_load(const struct CMUnitTest **out)
{
	static const struct CMUnitTest t[] = {
		cmocka_unit_test(load_percentiles_and_reasons),
		cmocka_unit_test(load_refuses_bad_flags),
		cmocka_unit_test(load_establishes_every_setup),
		cmocka_unit_test(load_keeps_rate_concurrency_and_address_ranges),
		cmocka_unit_test(load_counts_failures_by_reason),
		cmocka_unit_test(load_reports_when_interrupted),
	};
	*out = t;
	return sizeof(t) / sizeof(t[0]);
}
