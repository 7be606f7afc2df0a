/* `ikesim run`: validate a scenario, run it, check its expectations, say what happened. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "host/names.h"
#include "run.h"
#include "run_paths.h"
#include "scenario_json.h" /* sim_parse_duration */
#include "sim.h" /* ike_host_addr_format */

typedef struct run_args {
	const char *scenario, *trace, *pcap, *metrics, *backend;
	uint64_t seed;
	int64_t metrics_interval;
	int seed_set, reveal, quiet, progress;
	int pcap_format; /* enum sim_pcap_format */
	unsigned threads;
} run_args;

static void run_usage(FILE *f)
{
	fprintf(f, "usage: ikesim run SCENARIO [--trace FILE] [--pcap FILE [--pcap-format pcapng|pcap]] [--seed N]\n"
		   "                  [--reveal-keys] [--metrics FILE.json|FILE.csv [--metrics-interval D]]\n"
		   "                  [--threads N] [--backend builtin|ns3] [--progress] [--quiet]\n\n"
		   "Runs SCENARIO (JSON, see docs/scenario.md) and checks its 'expect' list.\n"
		   "  --trace FILE    write the JSON Lines trace (docs/trace.md) to FILE\n"
		   "  --pcap FILE     capture every datagram where it is sent on a link (lost ones too, with a\n"
		   "                  comment saying why) to FILE, a pcapng for Wireshark (docs/pcap.md)\n"
		   "  --pcap-format F pcapng (default) or pcap (classic: no comments, only what crossed the links)\n"
		   "  --seed N        override the scenario's seed (same seed, same run)\n"
		   "  --reveal-keys   put derived keys into the trace's kdf events, and with --pcap write\n"
		   "                  Wireshark's key tables to FILE.ikev2_decryption_table and FILE.esp_sa\n"
		   "  --metrics FILE  write the storm metrics (docs/metrics.md): SAs up, half-open, requests in\n"
		   "                  flight, retransmissions, cookies, drops per interval, setup latency, recovery\n"
		   "                  time; JSON, or CSV when FILE ends in .csv\n"
		   "  --metrics-interval D  one row every D of virtual time (\"100ms\", \"1s\"; default: the\n"
		   "                  scenario's \"metrics\" interval, else 1s)\n"
		   "  --threads N     compute the engines' Diffie-Hellman on N threads (1..256; \"auto\": one per\n"
		   "                  core): the same bytes for every N; without it the crypto runs inline in an\n"
		   "                  order that can differ from the threaded one (docs/threads.md)\n"
		   "  --progress      a progress line on stderr (virtual time, events/s, SAs up) once the run has\n"
		   "                  taken 2 s; on by default when stderr is a terminal\n"
		   "  --quiet         print nothing but errors (no progress line either)\n"
		   "  --backend B     the simulator that carries the run: builtin (default) or ns3 (libns3;\n"
		   "                  docs/backends.md); overrides the scenario's \"backend\"\n"
		   "Exit: 0 all expectations hold, 3 one failed, 2 bad input, 1 run error.\n");
}

/* Output files must not collide, and a key table needs a regular pcap path to sit beside. */
static int check_outputs(const run_args *a, FILE *err)
{
	struct stat st;
	char keys[4096], esp[4096];
	cli_run_file f[6] = { { "the scenario", a->scenario, 0 } };
	size_t n = 1;
	if (a->trace)
		f[n++] = (cli_run_file){ "--trace", a->trace, 1 };
	if (a->pcap)
		f[n++] = (cli_run_file){ "--pcap", a->pcap, 1 };
	if (a->metrics)
		f[n++] = (cli_run_file){ "--metrics", a->metrics, 1 };
	if (a->pcap && a->reveal) {
		if (snprintf(keys, sizeof(keys), "%s%s", a->pcap, SIM_KEYTAB_SUFFIX) >= (int)sizeof(keys) ||
		    snprintf(esp, sizeof(esp), "%s%s", a->pcap, SIM_ESPTAB_SUFFIX) >= (int)sizeof(esp)) {
			fprintf(err, "ikesim run: --pcap '%.64s...': path too long\n", a->pcap);
			return -1;
		}
		f[n++] = (cli_run_file){ "the key table", keys, 1 };
		f[n++] = (cli_run_file){ "the esp_sa table", esp, 1 };
	}
	if (cli_run_paths_check(f, n, err) != 0)
		return -1;
	if (a->pcap && a->reveal && stat(a->pcap, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		fprintf(err, "ikesim run: --reveal-keys writes the key table beside the pcap: '%s' is not a regular file\n",
			a->pcap);
		return -1;
	}
	return 0;
}

/* Outputs against the files the scenario read (certificates, keys, CAs), still before anything is written. */
static int check_inputs(const run_args *a, const sim_scenario *sc, FILE *err)
{
	char keys[4096], esp[4096];
	size_t n = 0;
	if (!sc->n_inputs || (!a->trace && !a->pcap && !a->metrics))
		return 0;
	cli_run_file *f = calloc(sc->n_inputs + 5, sizeof(*f));
	if (!f) {
		fprintf(err, "ikesim run: out of memory\n");
		return -1;
	}
	if (a->trace)
		f[n++] = (cli_run_file){ "--trace", a->trace, 1 };
	if (a->pcap)
		f[n++] = (cli_run_file){ "--pcap", a->pcap, 1 };
	if (a->metrics)
		f[n++] = (cli_run_file){ "--metrics", a->metrics, 1 };
	if (a->pcap && a->reveal && snprintf(keys, sizeof(keys), "%s%s", a->pcap, SIM_KEYTAB_SUFFIX) < (int)sizeof(keys))
		f[n++] = (cli_run_file){ "the key table", keys, 1 };
	if (a->pcap && a->reveal && snprintf(esp, sizeof(esp), "%s%s", a->pcap, SIM_ESPTAB_SUFFIX) < (int)sizeof(esp))
		f[n++] = (cli_run_file){ "the esp_sa table", esp, 1 };
	for (size_t i = 0; i < sc->n_inputs; i++)
		f[n++] = (cli_run_file){ "the scenario's input", sc->inputs[i], 0 };
	int rc = cli_run_paths_check(f, n, err);
	free(f);
	return rc;
}

/* 0, 1 when --help was asked for, or -1 after one error line. */
static int parse_args(int argc, char **argv, run_args *a, FILE *err)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *v = argv[i];
		if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0)
			return 1;
		if (strcmp(v, "--reveal-keys") == 0) {
			a->reveal = 1;
		} else if (strcmp(v, "--quiet") == 0 || strcmp(v, "-q") == 0) {
			a->quiet = 1;
		} else if (strcmp(v, "--progress") == 0) {
			a->progress = 1;
		} else if (strcmp(v, "--metrics") == 0 || strcmp(v, "--metrics-interval") == 0) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim run: %s needs a value\n", v);
				return -1;
			}
			if (v[9] == 0) {
				a->metrics = argv[++i];
			} else if (sim_parse_duration(argv[++i], &a->metrics_interval) != 0 || a->metrics_interval < 1000000) {
				fprintf(err, "ikesim run: --metrics-interval wants a duration of at least 1ms (\"100ms\", \"1s\"), got '%s'\n",
					argv[i]);
				return -1;
			}
		} else if (strcmp(v, "--threads") == 0) {
			if (cli_parse_threads(i + 1 < argc ? argv[++i] : "", &a->threads) != 0) {
				fprintf(err, "ikesim run: --threads wants a number of threads from 1 to 256, or auto, got '%s'\n",
					argv[i]);
				return -1;
			}
		} else if (strcmp(v, "--backend") == 0) {
			const char *b = i + 1 < argc ? argv[++i] : "";
			if (strcmp(b, "builtin") != 0 && strcmp(b, "ns3") != 0) {
				fprintf(err, "ikesim run: --backend wants builtin or ns3, got '%s'\n", b);
				return -1;
			}
			a->backend = b;
		} else if (strcmp(v, "--pcap-format") == 0) {
			const char *fmt = i + 1 < argc ? argv[++i] : "";
			if (strcmp(fmt, "pcapng") != 0 && strcmp(fmt, "pcap") != 0) {
				fprintf(err, "ikesim run: --pcap-format wants pcapng or pcap, got '%s'\n", fmt);
				return -1;
			}
			a->pcap_format = strcmp(fmt, "pcap") == 0 ? SIM_PCAP_CLASSIC : SIM_PCAP_PCAPNG;
		} else if (strcmp(v, "--trace") == 0 || strcmp(v, "--seed") == 0 || strcmp(v, "--pcap") == 0) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(err, "ikesim run: %s needs a value\n", v);
				return -1;
			}
			if (v[2] == 't') {
				a->trace = argv[++i];
			} else if (v[2] == 'p') {
				a->pcap = argv[++i];
			} else if (sim_parse_u64(argv[++i], &a->seed) != 0) {
				fprintf(err, "ikesim run: --seed wants an unsigned 64-bit integer, got '%s'\n", argv[i]);
				return -1;
			} else {
				a->seed_set = 1;
			}
		} else if (v[0] == '-' && v[1]) {
			fprintf(err, "ikesim run: unknown option '%s' (try 'ikesim run --help')\n", v);
			return -1;
		} else if (a->scenario) {
			fprintf(err, "ikesim run: one scenario at a time ('%s' and '%s')\n", a->scenario, v);
			return -1;
		} else {
			a->scenario = v;
		}
	}
	if (!a->scenario) {
		fprintf(err, "ikesim run: missing SCENARIO (try 'ikesim run --help')\n");
		return -1;
	}
	if (a->metrics_interval && !a->metrics) {
		fprintf(err, "ikesim run: --metrics-interval without --metrics (nothing would be written)\n");
		return -1;
	}
	return check_outputs(a, err);
}

static void print_summary(const sim_scenario *sc, const sim_run_result *res, const run_args *a, FILE *out)
{
	char remote[64], e[32], why[200];
	fprintf(out, "%s (seed %llu)\n", sc->file, (unsigned long long)res->seed);
	for (size_t i = 0; i < sc->n_nodes; i++)
		for (size_t k = 0; k < sc->nodes[i].n_conns; k++) {
			const ike_conn_status *st = &res->status[res->first[i] + k];
			const char *ike = st->ike_state ? st->ike_state : "NONE";
			const char *child = st->child_state ? st->child_state : "NONE";
			fprintf(out, "  %s/%s: IKE %s", sc->nodes[i].name, sc->nodes[i].conns[k].name, ike);
			if (st->remote.family) {
				ike_host_addr_format(&st->remote, remote, sizeof(remote));
				fprintf(out, " with %s", remote);
			}
			if (st->selected_ike[0])
				fprintf(out, " [%s]", st->selected_ike);
			fprintf(out, ", CHILD %s", child);
			if (st->selected_esp[0] && strcmp(child, "NONE") != 0) /* no algorithms for a CHILD SA not held */
				fprintf(out, " [%s]", st->selected_esp);
			if (st->last_error) /* a connection with several SAs: its last error, whichever SA had it */
				fprintf(out, ", %s %s", st->ike_sas > 1 ? "last error" : "error",
					ike_host_notify_name(st->last_error, e, sizeof(e)));
			fprintf(out, "%s", st->timed_out ? ", timed out" : "");
			if (res->rekeys && res->rekeys[res->first[i] + k]) /* counted from trace events: with --trace or expects */
				fprintf(out, ", %llu rekey%s", (unsigned long long)res->rekeys[res->first[i] + k],
					res->rekeys[res->first[i] + k] == 1 ? "" : "s");
			if (st->ike_sas > 1) /* a hub's responder connection: the line above is its newest SA */
				fprintf(out, "; newest of %u IKE SAs, %u CHILD SA%s in all", st->ike_sas, st->child_sas,
					st->child_sas == 1 ? "" : "s");
			if (sim_mtu_why(sc, res, i, st, why, sizeof(why)))
				fprintf(out, " (%s)", why);
			fputc('\n', out);
		}
	for (size_t f = 0; res->flows && f < sc->n_flows; f++) {
		const sim_flow_result *fr = &res->flows[f];
		fprintf(out, "  flow %s: %llu sent, %llu delivered, %llu lost", sc->flows[f].name, (unsigned long long)fr->sent,
			(unsigned long long)fr->delivered, (unsigned long long)(fr->sent - fr->delivered));
		if (fr->delivered)
			fprintf(out, ", one-way latency %.3f/%.3f/%.3f ms (min/avg/max)", (double)fr->lat_min / 1e6,
				(double)fr->lat_sum / 1e6 / (double)fr->delivered, (double)fr->lat_max / 1e6);
		fputc('\n', out);
	}
	for (size_t i = 0; res->cpu_nodes && i < sc->n_nodes; i++) {
		const sim_cpu_stats *c = &res->cpu_nodes[i];
		if (!sc->nodes[i].cpu)
			continue;
		fprintf(out, "  cpu %s: %u core%s, %.1f%% busy, %llu jobs, waited %.3f ms at most (%.3f ms mean), "
			     "queue up to %zu, %llu dropped\n",
			sc->nodes[i].name, c->cores, c->cores == 1 ? "" : "s",
			res->end_time > 0 ? 100.0 * (double)c->busy / ((double)res->end_time * c->cores) : 0.0,
			(unsigned long long)c->jobs, (double)c->max_wait / 1e6,
			c->jobs ? (double)c->wait_total / 1e6 / (double)c->jobs : 0.0, c->max_queue,
			(unsigned long long)c->drops);
		if (c->receiver)
			fprintf(out, "  receiver %s: %llu read, %llu settled without a worker, %.3f s busy, "
				     "%llu dropped by a full receive buffer (up to %llu bytes held)\n",
				sc->nodes[i].name, (unsigned long long)c->rx_reads, (unsigned long long)c->rx_screened,
				(double)c->rx_busy / 1e9, (unsigned long long)c->rcvbuf_drops,
				(unsigned long long)c->rcvbuf_peak);
	}
	fprintf(out, "virtual time %.9f s; datagrams: %llu sent, %llu delivered, %llu dropped\n",
		(double)res->end_time / 1e9, (unsigned long long)res->total.sent,
		(unsigned long long)res->total.delivered, (unsigned long long)res->total.dropped);
	if (a->trace)
		fprintf(out, "trace: %s\n", a->trace);
	if (a->pcap)
		fprintf(out, "pcap: %s\n", a->pcap);
	if (a->metrics)
		fprintf(out, "metrics: %s\n", a->metrics);
	if (a->pcap && a->reveal)
		fprintf(out, "key table: %s.ikev2_decryption_table (%zu IKE SA%s)\n", a->pcap, res->keys.rows,
			res->keys.rows == 1 ? "" : "s");
	if (a->pcap && a->reveal && res->keys_v1_rows)
		fprintf(out, "key table: %s.ikev1_decryption_table (%zu ISAKMP SA%s)\n", a->pcap, res->keys_v1_rows,
			res->keys_v1_rows == 1 ? "" : "s");
	if (a->pcap && a->reveal)
		fprintf(out, "esp_sa table: %s.esp_sa (%zu CHILD SA direction%s)\n", a->pcap, res->esp.rows,
			res->esp.rows == 1 ? "" : "s");
}

/* Says once what the capture lacks: no keys at all, SAs Wireshark cannot decrypt, ICVs it will not check. */
static void capture_notes(const run_args *a, const sim_run_result *res, FILE *err)
{
	if (a->pcap && !a->reveal)
		fprintf(err, "ikesim run: no key table without --reveal-keys (the pcap's encrypted payloads stay opaque)\n");
	if (res->keys.undecryptable)
		fprintf(err, "ikesim run: warning: %zu IKE SA(s) use algorithms Wireshark cannot decrypt (commented out in the key table)\n",
			res->keys.undecryptable);
	if (res->keys.unchecked)
		fprintf(err, "ikesim run: warning: %zu IKE SA(s) use an integrity algorithm Wireshark lacks: it decrypts them without checking the ICV\n",
			res->keys.unchecked);
	if (res->esp.undecryptable)
		fprintf(err, "ikesim run: note: %zu CHILD SA direction(s) use ChaCha20-Poly1305 or another cipher Wireshark 4.0's "
			     "ESP dissector lacks: commented out in the esp_sa table, that ESP stays encrypted\n",
			res->esp.undecryptable);
	if (res->esp.unchecked)
		fprintf(err, "ikesim run: warning: %zu CHILD SA direction(s) use an integrity algorithm Wireshark lacks: "
			     "it decrypts that ESP without checking the ICV\n", res->esp.unchecked);
	if (res->pcap_skipped)
		fprintf(err, "ikesim run: warning: %llu datagram(s) not captured (IPv4/IPv6 mixed)\n",
			(unsigned long long)res->pcap_skipped);
}

/* The progress line: wall clock here, never in the run; stderr only, at most once a wall second. */
typedef struct run_progress {
	FILE *err;
	int tty, shown;
	double start, last;   /* wall seconds */
	uint64_t last_events;
} run_progress;

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ctx, const sim_run_progress *p)
{
	run_progress *rp = ctx;
	double now = wall_now();
	if (now - rp->start <= 2.0 || now - rp->last < 1.0)
		return;
	double rate = (double)(p->events - rp->last_events) / (now - rp->last);
	fprintf(rp->err, "%svirtual %.1f s of %.1f s (%.0f%%), %.0f events/s", rp->tty ? "\r" : "", (double)p->now / 1e9,
		(double)p->duration / 1e9, p->duration > 0 ? 100.0 * (double)p->now / (double)p->duration : 100.0, rate);
	if (p->ike_up >= 0)
		fprintf(rp->err, ", %lld IKE SAs up", (long long)p->ike_up);
	fprintf(rp->err, rp->tty ? "\033[K" : "\n");
	fflush(rp->err);
	rp->shown = 1, rp->last = now, rp->last_events = p->events;
}

int cli_run(int argc, char **argv, FILE *out, FILE *err)
{
	run_args a;
	char msg[512] = "";
	int r = parse_args(argc, argv, &a, err);
	if (r != 0) {
		if (r > 0)
			run_usage(out);
		return r > 0 ? CLI_OK : CLI_USAGE;
	}
	sim_scenario *sc = sim_scenario_load(a.scenario, msg, sizeof(msg));
	if (!sc) {
		fprintf(err, "%s\n", msg);
		return CLI_USAGE;
	}
	if (check_inputs(&a, sc, err) != 0) {
		sim_scenario_free(sc);
		return CLI_USAGE;
	}
	if (a.reveal)
		fprintf(err, "WARNING: --reveal-keys: %s will contain secret key material. Teaching use only.\n",
			!a.pcap ? "the trace" : a.trace ? "the trace and the key tables" : "the key tables");
	size_t ml = a.metrics ? strlen(a.metrics) : 0;
	run_progress rp = { err, isatty(fileno(err)), 0, wall_now(), 0, 0 };
	rp.last = rp.start;
	int progress = !a.quiet && (a.progress || rp.tty);
	sim_run_opts o = { a.seed, a.seed_set, a.trace, a.reveal, a.pcap, a.pcap_format, a.metrics,
			   ml > 4 && strcmp(a.metrics + ml - 4, ".csv") == 0, a.metrics_interval,
			   progress ? on_progress : NULL, &rp, a.threads, a.backend };
	sim_run_result res;
	int rc = sim_run_scenario(sc, &o, &res, msg, sizeof(msg));
	if (rp.shown && rp.tty)
		fprintf(err, "\n");
	if (rc != 0) {
		fprintf(err, "%s\n", msg);
		sim_scenario_free(sc);
		return CLI_ERR;
	}
	if (!a.quiet)
		print_summary(sc, &res, &a, out);
	capture_notes(&a, &res, err);
	size_t failed = sim_check_expects(sc, &res, err);
	if (!a.quiet && sc->n_expects)
		fprintf(out, "expectations: %zu of %zu hold\n", sc->n_expects - failed, sc->n_expects);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	return failed ? CLI_EXPECT_FAILED : CLI_OK;
}
