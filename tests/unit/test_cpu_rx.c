/*
 * A gateway's UDP receive buffer and receiver thread (netsim/run_rx.c, docs/cpu.md): the buffer drops exactly
 * past its byte budget (Linux truesize), the receiver answers COOKIEs while the workers are busy, and a "cpu"
 * without either runs exactly as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "run_int.h"
#include "scenario.h"
#include "scntest.h"
#include "test_list.h.in"

/* count road warriors start at 0 s against gw; gw_extra and cpu are spliced into gw's node object. */
static char *storm_text(unsigned count, const char *gw_extra, const char *cpu, const char *duration)
{
	size_t cap = 4096;
	char *t = malloc(cap);
	assert_non_null(t);
	int n = snprintf(t, cap,
		"{\"seed\":5,\"duration\":\"%s\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]%s,"
		"\"cpu\":%s}],"
		"\"populations\":[{\"name\":\"rw\",\"count\":%u,\"addresses\":\"100.64.0.1\","
		"\"link\":{\"to\":\"gw\",\"latency\":\"20us\"},\"start\":\"0s\",\"profile\":\"strongswan\","
		"\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"rx key\"},\"remote_id\":\"gw.example\","
		"\"ike\":\"aes128gcm16-prfsha256-x25519\",\"esp\":\"aes128gcm16\",\"remote_ts\":[\"10.0.0.0/16\"]}}],"
		"\"connections\":[{\"name\":\"rw\",\"node\":\"gw\",\"remote\":\"0.0.0.0\",\"auth\":{\"psk\":\"rx key\"},"
		"\"local_id\":\"gw.example\",\"ike\":\"aes128gcm16-prfsha256-x25519\",\"esp\":\"aes128gcm16\","
		"\"local_ts\":[\"10.0.0.0/16\"],\"remote_ts\":[\"100.64.0.0/10\"]}]}",
		duration, gw_extra, cpu, count);
	assert_true(n > 0 && (size_t)n < cap);
	return t;
}

/* Runs text; the gateway's (node 0) CPU figures into st; returns the trace (caller frees). */
static char *run_gw(const char *text, sim_cpu_stats *st)
{
	sim_run_opts o = { 0 };
	sim_run_result res;
	char *trace = scntest_run(text, &o, &res);
	assert_non_null(res.cpu_nodes);
	*st = res.cpu_nodes[0];
	sim_run_result_free(&res);
	return trace;
}

/* The time of gw's first IKE_SA_INIT response that carries N(COOKIE), -1 if none was traced. */
static double first_cookie(const char *trace)
{
	for (const char *l = trace; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[1024];
		if (len >= sizeof(line))
			continue;
		memcpy(line, l, len);
		line[len] = 0;
		if (strstr(line, "\"node\":\"gw\"") && strstr(line, "\"ev\":\"ike.tx\"") && strstr(line, "N(COOKIE)"))
			return strtod(strstr(line, "\"t\":") + 4, NULL);
	}
	return -1;
}

static void truesize_as_measured(void **state)
{
	(void)state;
	/* the tiers read off this machine's kernel (tests/load/rcvbuf_probe.py): small head, 1 KiB, 2 KiB, 4 KiB */
	assert_int_equal(sim_rx_truesize(0), 832);
	assert_int_equal(sim_rx_truesize(197), 832);
	assert_int_equal(sim_rx_truesize(198), 1280);
	assert_int_equal(sim_rx_truesize(645), 1280);
	assert_int_equal(sim_rx_truesize(646), 2304);
	assert_int_equal(sim_rx_truesize(1669), 2304);
	assert_int_equal(sim_rx_truesize(1670), 4352);
	assert_int_equal(sim_rx_truesize(4000), 8448);
}

/* 40 IKE_SA_INITs (x25519, 198..645 bytes: 1280 each) at one instant; a receiver that needs 10 s a read takes
 * the first out at once, so rcvbuf / 1280 more are held and the rest dropped: exactly at the byte budget (and,
 * as Linux does, an empty buffer takes one datagram whatever its size). */
static void rcvbuf_drops_at_threshold(void **state)
{
	(void)state;
	static const struct {
		unsigned rcvbuf, held;
	} cases[] = { { 10 * 1280, 10 }, { 10 * 1280 - 1, 9 }, { 1279, 1 } }; /* an empty buffer takes one anyway */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char cpu[160];
		snprintf(cpu, sizeof(cpu), "{\"cores\":2,\"costs\":{\"base\":\"charon\",\"receiver\":\"10s\"},\"rcvbuf\":%u}",
			 cases[i].rcvbuf);
		char *text = storm_text(40, "", cpu, "1s");
		sim_cpu_stats st;
		char *trace = run_gw(text, &st);
		assert_true(st.receiver);
		assert_int_equal(st.rcvbuf_drops, 40 - 1 - cases[i].held);
		assert_int_equal(st.drops, st.rcvbuf_drops);
		assert_int_equal(st.rcvbuf_peak, cases[i].held * 1280);
		assert_int_equal(st.rx_reads, 1);
		assert_int_equal(st.jobs, 0); /* the one read has not ended: nothing reached a worker */
		assert_non_null(strstr(trace, "\"ev\":\"cpu.drop\",\"why\":\"rcvbuf\",\"port\":500,"));
		free(trace);
		free(text);
	}
}

/* One worker needing 50 ms a datagram and cookies from 2 half-open SAs: the receiver counts the IKE_SA_INITs it
 * queued as half-open (as strongSwan does) and answers the other 18 with a COOKIE within a millisecond, while
 * the worker is still on its first job; without a receiver the worker itself answers them, 50 ms each. */
static void receiver_answers_cookies_while_workers_busy(void **state)
{
	(void)state;
	const char *gw = ",\"cookie_threshold\":2";
	char *with = storm_text(20, gw, "{\"cores\":1,\"costs\":{\"base\":\"charon\",\"message\":\"50ms\",\"receiver\":"
				       "\"10us\"},\"receiver\":true}", "0.3s");
	char *without = storm_text(20, gw, "{\"cores\":1,\"costs\":{\"base\":\"charon\",\"message\":\"50ms\"}}", "0.3s");
	sim_cpu_stats a, b;
	char *ta = run_gw(with, &a), *tb = run_gw(without, &b);
	assert_true(a.receiver);
	assert_false(b.receiver);
	assert_int_equal(a.rx_screened, 18);
	assert_int_equal(a.rcvbuf_drops, 0); /* no rcvbuf: the receiver's buffer has no bound */
	double ca = first_cookie(ta), cb = first_cookie(tb);
	assert_true(ca > 0 && ca < 0.001);
	assert_true(cb > 0.1); /* the third job: 100 ms of waiting and 50 ms of work */
	assert_int_equal(b.rx_screened + b.rx_reads, 0);
	free(ta);
	free(tb);
	free(with);
	free(without);
}

/* No rcvbuf and no receiver (or both given as off): the run is byte for byte what it was before. */
static void default_off_is_unchanged(void **state)
{
	(void)state;
	char *plain = storm_text(30, ",\"cookie_threshold\":5", "{\"cores\":1,\"costs\":\"charon\"}", "2s");
	char *off = storm_text(30, ",\"cookie_threshold\":5",
			       "{\"cores\":1,\"costs\":{\"base\":\"charon\",\"receiver\":\"1ms\"},\"rcvbuf\":0,\"receiver\":false}",
			       "2s");
	sim_cpu_stats a, b;
	char *ta = run_gw(plain, &a), *tb = run_gw(off, &b);
	assert_string_equal(ta, tb);
	assert_false(a.receiver);
	assert_int_equal(a.rx_reads + a.rcvbuf_drops + b.rx_reads, 0);
	assert_null(strstr(ta, "\"receiver\""));
	free(ta);
	free(tb);
	free(plain);
	free(off);
}

static void loader_checks_rx_fields(void **state)
{
	(void)state;
	char *t;
	t = storm_text(1, "", "{\"rcvbuf\":212992}", "1s");
	scntest_expect(t, NULL);
	free(t);
	t = storm_text(1, "", "{\"rcvbuf\":-1}", "1s");
	scntest_expect(t, "nodes[0].cpu.rcvbuf");
	free(t);
	t = storm_text(1, "", "{\"rcvbuf\":2147483648}", "1s");
	scntest_expect(t, "nodes[0].cpu.rcvbuf");
	free(t);
	t = storm_text(1, "", "{\"rcvbuf\":1000,\"receiver\":false}", "1s");
	scntest_expect(t, "nodes[0].cpu.receiver: a receive buffer (rcvbuf) needs its receiver");
	free(t);
	t = storm_text(1, "", "{\"receiver\":\"yes\"}", "1s");
	scntest_expect(t, "nodes[0].cpu.receiver: expected true or false");
	free(t);
	t = storm_text(1, "", "{\"costs\":{\"receiver\":\"-5us\"}}", "1s");
	scntest_expect(t, "nodes[0].cpu.costs.receiver");
	free(t);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(truesize_as_measured),
	cmocka_unit_test(rcvbuf_drops_at_threshold),
	cmocka_unit_test(receiver_answers_cookies_while_workers_busy),
	cmocka_unit_test(default_off_is_unchanged),
	cmocka_unit_test(loader_checks_rx_fields),
};

size_t tests_cpu_rx(const struct CMUnitTest **out)
{
	*out = tests;
	return sizeof(tests) / sizeof(tests[0]);
}
