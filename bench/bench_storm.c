/*
 * Reconnect-storm benchmark (issue 12 acceptance 1): one gateway and a population of P road warriors
 * (x25519, PSK, aes128gcm16) all establish, the gateway reboots and loses every SA, each road warrior's DPD
 * finds it dead and all re-establish with INITIAL_CONTACT. Prints wall and CPU time against the crypto floor
 * (OpenSSL EVP directly, floor_evp.c), heap bytes per established peer (both ends) and peak RSS. Exits 1
 * unless every road warrior and the gateway end with all SAs up.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "floor_evp.h"
#include "run.h"

#define SEC 1000000000LL

/* CPU, wall time and heap when the world is built and when the last event has run. */
typedef struct probe {
	double cpu_built, cpu_done, wall_built, wall_done;
	size_t heap_built, heap_done;
} probe;

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU of every thread of the process: with --threads the pool's work counts too. */
static double process_cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static void on_phase(void *ctx, enum sim_run_phase phase, const sim_backend *be)
{
	probe *p = ctx;
	(void)be;
	if (phase == SIM_PHASE_BUILT) {
		p->heap_built = bench_heap_in_use();
		p->cpu_built = process_cpu_seconds();
		p->wall_built = wall_seconds();
	} else {
		p->cpu_done = process_cpu_seconds();
		p->wall_done = wall_seconds();
		p->heap_done = bench_heap_in_use();
	}
}

/* The storm's timeline, from P: starts spread over W, reboot 1 s later, DPD late enough that none runs before
 * the reboot and none after the re-establishment, and the run ends before a second DPD round. */
typedef struct timeline {
	int64_t window, reboot, dpd, duration;
} timeline;

static timeline make_timeline(size_t peers, int64_t spacing_ns)
{
	timeline t;
	t.window = (int64_t)peers * spacing_ns; /* default 50 us apart on average: 20,000 starts per virtual second */
	if (t.window < SEC)
		t.window = SEC;
	t.reboot = t.window + SEC;
	t.dpd = t.window + 20 * SEC;
	t.duration = t.window + t.dpd + 15 * SEC;
	return t;
}

/* The scenario as JSON: the loader builds the population with one shared config, as `ikesim run` would. */
static char *scenario_text(size_t peers, const timeline *t)
{
	size_t cap = 4096;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	int n = snprintf(
		s, cap,
		"{\"seed\":1,\"duration\":\"%lldms\",\"nodes\":[{\"name\":\"gw\",\"addresses\":[\"198.51.100.1\"]}],"
		"\"faults\":[{\"node\":\"gw\",\"reboot\":\"%lldms\"}],"
		"\"connections\":[{\"name\":\"rw\",\"node\":\"gw\",\"remote\":\"0.0.0.0\",\"auth\":{\"psk\":\"storm key\"},"
		"\"local_id\":\"gw.example\",\"ike\":\"aes128gcm16-prfsha256-x25519\",\"esp\":\"aes128gcm16\","
		"\"local_ts\":[\"10.0.0.0/16\"],\"remote_ts\":[\"100.64.0.0/10\"]}],"
		"\"populations\":[{\"name\":\"rw\",\"count\":%zu,\"addresses\":\"100.64.0.1\","
		"\"link\":{\"to\":\"gw\",\"latency\":\"10ms\"},"
		"\"start\":{\"uniform\":{\"from\":\"0s\",\"to\":\"%lldms\"}},"
		"\"connection\":{\"remote_node\":\"gw\",\"auth\":{\"psk\":\"storm key\"},\"remote_id\":\"gw.example\","
		"\"ike\":\"aes128gcm16-prfsha256-x25519\",\"esp\":\"aes128gcm16\",\"remote_ts\":[\"10.0.0.0/16\"],"
		"\"dpd_delay\":\"%lldms\",\"dpd_action\":\"restart\",\"keyingtries\":0,"
		"\"retransmit\":{\"timeout\":\"2s\",\"factor\":1.4,\"tries\":3}}}]}",
		(long long)(t->duration / 1000000), (long long)(t->reboot / 1000000), peers,
		(long long)(t->window / 1000000), (long long)(t->dpd / 1000000));
	if (n < 0 || (size_t)n >= cap) {
		free(s);
		return NULL;
	}
	return s;
}

/* Every road warrior ESTABLISHED/INSTALLED, and the gateway holding exactly P IKE SAs and P CHILD SAs. */
static size_t count_failures(const sim_scenario *sc, const sim_run_result *res, size_t peers)
{
	size_t bad = 0;
	for (size_t i = 0; i < sc->n_nodes; i++) {
		const ike_conn_status *st = &res->status[res->first[i]];
		int ok = strcmp(st->ike_state, "ESTABLISHED") == 0 && strcmp(st->child_state, "INSTALLED") == 0;
		if (strcmp(sc->nodes[i].name, "gw") == 0)
			ok = st->ike_sas == peers && st->child_sas == peers;
		if (ok)
			continue;
		if (bad++ < 5)
			fprintf(stderr, "bench_storm: %s: IKE %s (%u), CHILD %s (%u), last error %u%s\n", sc->nodes[i].name,
				st->ike_state, st->ike_sas, st->child_state, st->child_sas, st->last_error,
				st->timed_out ? ", timed out" : "");
	}
	return bad;
}

/* The floor of one handshake: the fastest of `batches` batches of `per` handshakes, us; -1 on error. */
static double floor_us(int batches, int per)
{
	/* IKE_AUTH SK plaintexts (message size - 56: header, SK header, IV, ICV) and IKE_SA_INIT sizes, from a traced
	 * 1-peer run of this scenario: requests 235 and 208 bytes, responses 215 and 208. */
	static const fl_init hs = { { 179, 159 }, { 208, 208 } };
	fl_ctx *f = fl_new();
	double best = -1;
	if (!f || fl_self_check_init(f) != 0) {
		fl_free(f);
		return -1;
	}
	for (int b = 0; b < batches; b++) {
		double t0 = bench_cpu_seconds();
		for (int i = 0; i < per; i++)
			if (fl_run_init(f, &hs) != 0) {
				fl_free(f);
				return -1;
			}
		double us = (bench_cpu_seconds() - t0) * 1e6 / per;
		if (best < 0 || us < best)
			best = us;
	}
	fl_free(f);
	return best;
}

static int parse_args(int argc, char **argv, size_t *peers, unsigned *threads, int64_t *spacing_ns)
{
	*peers = 100000;
	*threads = 0;
	*spacing_ns = 50000;
	for (int i = 1; i < argc; i++) {
		char *end;
		int which = !strcmp(argv[i], "--peers") ? 0 : !strcmp(argv[i], "--threads") ? 1
							: !strcmp(argv[i], "--spacing-us") ? 2 : -1;
		if (which < 0 || i + 1 >= argc)
			return -1;
		unsigned long long v = strtoull(argv[++i], &end, 10);
		if (*end || (v == 0 && which != 2) || v > (which == 0 ? 2000000 : which == 1 ? 256 : 1000000))
			return -1;
		if (which == 0)
			*peers = (size_t)v;
		else if (which == 1)
			*threads = (unsigned)v;
		else
			*spacing_ns = (int64_t)v * 1000;
	}
	return 0;
}

static void report(size_t peers, unsigned threads, const timeline *t, const probe *p, size_t heap0, double fl,
		   const sim_run_result *res)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = p->cpu_done - p->cpu_built, wall = p->wall_done - p->wall_built;
	double hs = 2.0 * (double)peers; /* every road warrior establishes twice */
	printf("peers                    %zu road warriors + 1 gateway, all re-established after the reboot\n", peers);
	printf("virtual timeline         starts over %.1f s, reboot at %.1f s, DPD %.1f s, end %.1f s\n",
	       (double)t->window / SEC, (double)t->reboot / SEC, (double)t->dpd / SEC, (double)res->end_time / SEC);
	printf("datagrams                %llu sent, %llu delivered, %llu dropped\n",
	       (unsigned long long)res->total.sent, (unsigned long long)res->total.delivered,
	       (unsigned long long)res->total.dropped);
	if (threads)
		printf("run wall time            %.2f s on %u crypto thread%s = %.1f us per handshake, wall/floor %.3f\n",
		       wall, threads, threads > 1 ? "s" : "", wall * 1e6 / hs, wall * 1e6 / hs / fl);
	else
		printf("run wall time            %.2f s (one core, crypto inline; world building excluded)\n", wall);
	if (threads)
		printf("crypto jobs              %llu by the pool's threads, %llu by the run's own\n",
		       (unsigned long long)res->jobs_pool, (unsigned long long)res->jobs_run);
	printf("run CPU                  %.2f s = %.1f us per handshake (%.0f handshakes, both ends)\n", cpu,
	       cpu * 1e6 / hs, hs);
	printf("crypto floor (EVP)       %.1f us per handshake -> %.2f s for the storm; ratio CPU/floor %.3f\n", fl,
	       fl * hs / 1e6, cpu * 1e6 / hs / fl);
	printf("heap per peer, SA state  %.0f B (growth from built to done / P: IKE SA + CHILD SA, both ends)\n",
	       (double)(p->heap_done - p->heap_built) / (double)peers);
	printf("heap per peer, all       %.0f B (scenario + simulator + engines + SAs, at the end / P)\n",
	       (double)(p->heap_done - heap0) / (double)peers);
	printf("heap per peer, world     %.0f B (scenario + simulator + empty engines, before any event / P)\n",
	       (double)(p->heap_built - heap0) / (double)peers);
	printf("peak RSS                 %.1f MiB (%.0f B per peer)\n", (double)ru.ru_maxrss / 1024.0,
	       (double)ru.ru_maxrss * 1024.0 / (double)peers);
}

int main(int argc, char **argv)
{
	size_t peers;
	unsigned threads;
	int64_t spacing;
	if (parse_args(argc, argv, &peers, &threads, &spacing) != 0) {
		fprintf(stderr, "usage: bench_storm [--peers P] [--threads N] [--spacing-us S]   (P in 1..2000000, default\n"
				"       100000; N: crypto jobs on N threads, 1..256, default inline; S: the road warriors'\n"
				"       starts S us apart on average, default 50)\n");
		return 2;
	}
	double fl = floor_us(10, 200);
	if (fl <= 0) {
		fprintf(stderr, "bench_storm: crypto floor measurement or self-check failed\n");
		return 1;
	}
	timeline t = make_timeline(peers, spacing);
	size_t heap0 = bench_heap_in_use();
	char *text = scenario_text(peers, &t), err[512];
	sim_scenario *sc = text ? sim_scenario_parse("bench_storm", text, strlen(text), err, sizeof(err)) : NULL;
	if (!text)
		snprintf(err, sizeof(err), "out of memory");
	free(text);
	if (!sc) {
		fprintf(stderr, "bench_storm: %s\n", err);
		return 1;
	}
	probe p = { 0 };
	sim_run_opts o = { 0 };
	o.threads = threads;
	sim_run_observer obs = { on_phase, &p };
	sim_run_result res;
	if (sim_run_scenario_observed(sc, &o, &obs, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_storm: %s\n", err);
		sim_scenario_free(sc);
		return 1;
	}
	size_t bad = count_failures(sc, &res, peers);
	if (bad)
		fprintf(stderr, "bench_storm: FAILED: %zu of %zu nodes did not end with their SAs up\n", bad, sc->n_nodes);
	else
		report(peers, threads, &t, &p, heap0, fl, &res);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	return bad ? 1 : 0;
}
