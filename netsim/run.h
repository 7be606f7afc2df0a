/* Runs a validated scenario: builds the world on a backend, drives the engine peers, collects outcomes. */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include <stdio.h>

#include "esptab.h"
#include "keytab.h"
#include "pcap.h"
#include "scenario.h"
#include "backend.h"

/* Points in a run where an observer may look (benchmarks measure time and memory there). */
enum sim_run_phase {
	SIM_PHASE_BUILT, /* every node, peer and link exists; no event has run yet */
	SIM_PHASE_DONE,  /* the last event ran; every peer and SA is still alive */
};

struct sim_run_progress;
struct sim_metrics_result;

typedef struct sim_run_opts {
	uint64_t seed;          /* used when seed_set, else the scenario's */
	int seed_set;
	const char *trace_path; /* NULL = no trace (and no tracing cost) */
	int reveal_keys;
	const char *pcap_path;  /* NULL = no capture; with reveal_keys also writes pcap_path + SIM_KEYTAB_SUFFIX
				 * and pcap_path + SIM_ESPTAB_SUFFIX */
	int pcap_format;        /* enum sim_pcap_format: 0 = pcapng (the default) */
	const char *metrics_path; /* NULL = none; else the storm metrics (docs/metrics.md) as JSON, or CSV */
	int metrics_csv;
	int64_t metrics_interval; /* > 0: overrides the scenario's (default 1 s) */
	/* Called every few thousand events with where the run is (a progress line); NULL = never. */
	void (*progress)(void *ctx, const struct sim_run_progress *p);
	void *progress_ctx;
	/* 0: the engines compute their crypto inline (the order of earlier versions); N >= 1: crypto jobs on N
	 * threads (the run's own included), byte-identical results for every N (docs/threads.md). */
	unsigned threads;
	const char *backend; /* NULL = the scenario's "backend"; else "builtin" or "ns3" (docs/backends.md) */
} sim_run_opts;

/* Where a run is, for a progress line. */
typedef struct sim_run_progress {
	int64_t now, duration; /* virtual ns */
	uint64_t events;       /* timers and deliveries run so far */
	int64_t ike_up;        /* IKE SAs up on the measured nodes, -1 when the run has no metrics */
} sim_run_progress;

/* An observer called once per phase; it must not change the world. */
typedef struct sim_run_observer {
	void (*on_phase)(void *ctx, enum sim_run_phase phase, const sim_backend *be);
	void *ctx;
} sim_run_observer;

/* Datagrams dropped as larger than the MTU on one node's links (either direction). */
typedef struct sim_mtu_note {
	uint64_t count;
	size_t largest; /* IP length of the largest */
	uint32_t mtu;   /* the smallest MTU among the links that dropped */
} sim_mtu_note;

/* One flow's packets (both directions: requests and their answers) and one-way latency of those delivered. */
typedef struct sim_flow_result {
	uint64_t sent, delivered; /* lost = sent - delivered (in flight at the end counts as lost) */
	uint64_t replies;         /* ping, reqresp: answers that came back to the sender */
	int64_t lat_min, lat_max, lat_sum; /* ns */
} sim_flow_result;

/* Why a node's data plane dropped a packet: esp_status values (esp/esp.h), then these. */
enum sim_esp_why {
	SIM_XD_NO_POLICY = 14,   /* ESP_STATUS_COUNT: outbound, no SPD entry covers it */
	SIM_XD_ACQUIRE,          /* outbound, hit a trap policy: dropped while its SA is negotiated */
	SIM_XD_DISCARD,          /* outbound, a policy with no SA */
	SIM_XD_POLICY_IN,        /* inbound, decrypted but outside the SA's selectors */
	SIM_XD_NO_HOST,          /* inbound, no host of this gateway has the inner destination */
	SIM_XD_MODE,             /* a host's packet and a transport-mode SA */
	SIM_XD_INNER,            /* the inner packet does not parse */
	SIM_XD_N
};

/* A node's data plane counters. */
typedef struct sim_esp_node_result {
	uint64_t tx, rx, drops, acquires;
	uint64_t why[SIM_XD_N]; /* drops by enum sim_esp_why */
} sim_esp_node_result;

/* "no policy", "replay", ... for a drop reason. */
const char *sim_ip_why_name(size_t why);

/* A node's virtual CPU over the run (nodes with a "cpu"). */
typedef struct sim_cpu_stats {
	uint16_t cores;
	int64_t busy;           /* ns of work, all cores */
	uint64_t jobs, drops;   /* jobs run; datagrams dropped (queue full, init_limit_job_load, rcvbuf) */
	size_t max_queue;       /* most jobs waiting at once */
	int64_t max_wait, wait_total; /* ns a job waited for a core: the longest, the sum */
	bool receiver;          /* the node had a receiver thread; the fields below count its work */
	uint64_t rcvbuf_drops;  /* datagrams its full receive buffer dropped (counted in drops too) */
	uint64_t rx_reads, rx_screened; /* datagrams the receiver read; those it settled without a worker */
	int64_t rx_busy;        /* ns the receiver worked */
	uint64_t rcvbuf_peak;   /* most bytes (truesize) one socket's buffer held */
} sim_cpu_stats;

typedef struct sim_run_result {
	uint64_t seed;
	int64_t end_time;        /* virtual time of the last event run */
	sim_counts total;
	uint64_t jobs_pool, jobs_run; /* with threads: crypto jobs the pool's threads / the run's own thread computed */
	ike_conn_status *status; /* every node's connections, node by node: status[first[node] + conn] */
	size_t *first;
	uint64_t pcap_skipped;   /* datagrams not captured (mixed address families) */
	sim_keytab_stats keys;   /* what the IKEv2 key table holds (all zero without one) */
	size_t keys_v1_rows;     /* ISAKMP SAs in the ikev1_decryption_table (0: none written) */
	sim_esptab_stats esp;    /* what the esp_sa table holds (all zero without one) */
	sim_mtu_note *mtu;       /* per node */
	uint64_t *counts;        /* per expect: EVENTS / MESSAGES counts (NULL without such expects) */
	ike_conn_status *samples; /* per expect: AT samples (NULL without) */
	uint8_t *sampled;        /* per expect: 1 once the AT sample was taken */
	uint64_t *rekeys;        /* per connection as status[]: child_sa.rekeyed + ike_sa.rekeyed events seen */
	sim_flow_result *flows;  /* per scenario flow (NULL without flows) */
	sim_esp_node_result *esp_nodes; /* per node (NULL without hosts) */
	sim_nat_stats *nat_nodes; /* per node, zero where no NAT (NULL without NATs) */
	struct sim_metrics_result *metrics; /* the storm metrics (NULL when the run had none) */
	int64_t *mvals;          /* per expect: a METRIC expectation's value (ns for times), -1 = none measured */
	sim_cpu_stats *cpu_nodes; /* per node, zero where no "cpu" (NULL without) */
} sim_run_result;

/* Runs sc; 0 with res filled (free with sim_run_result_free), or -1 with one line in err. */
int sim_run_scenario(const sim_scenario *sc, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen);
/* The same, calling obs (may be NULL) at each phase. */
int sim_run_scenario_observed(const sim_scenario *sc, const sim_run_opts *o, const sim_run_observer *obs,
			      sim_run_result *res, char *err, size_t errlen);
void sim_run_result_free(sim_run_result *res);

/* Checks every expect; prints one line per failure to err ("expect[1]: gw-a/home: ..."); returns failures. */
size_t sim_check_expects(const sim_scenario *sc, const sim_run_result *res, FILE *err);

/* One METRIC expectation (run_metrics.c): 0 holds, 1 failed (one line to err). */
size_t sim_check_metric(const sim_scenario *sc, size_t i, const sim_run_result *res, FILE *err);

/* Why a connection timed out or never got up, when its node's links dropped datagrams over their MTU: writes
 * "N datagram(s) of up to B bytes ..." into buf and returns 1; 0 (buf empty) otherwise. */
int sim_mtu_why(const sim_scenario *sc, const sim_run_result *res, size_t node, const ike_conn_status *st, char *buf,
		size_t cap);

/* Writes the summary trace event's fields (JSON object body) to f. */
void sim_summary_fields(const sim_scenario *sc, const sim_run_result *res, const sim_backend *be, FILE *f);

#endif
