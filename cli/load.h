/* `ikesim load`: one engine peer holding N connections, each on its own UDP source port, against one gateway. */
#ifndef CLI_LOAD_H
#define CLI_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ike.h"
#include "peer.h"

#define LOAD_MAX_COUNT 200000u
#define LOAD_MAX_REASONS 16

/* ---- load_args.c ---- */
typedef struct load_args {
	const char *remote;
	const char *local;          /* ADDR or ADDR-ADDR2 (IPv4 range), default 127.0.0.1 */
	const char *ports;          /* P-Q, default 30000 up */
	const char *id_pattern;     /* --local-id-pattern: one %u, the setup's index */
	const char *json;
	uint32_t count, concurrency; /* concurrency 0 = count */
	double rate;                 /* setups started per second, 0 = as fast as allowed */
	ike_time timeout;            /* the whole run, ns */
	bool quiet, no_delete;
	double rt_base;              /* retransmission: base seconds, factor, tries (strongSwan: 4 s x 1.8, 5) */
	double rt_factor;
	uint32_t rt_tries;
	peer_args peer;              /* proposals, IDs, selectors, PSK: parsed by peer_args_parse */
	/* The argv handed to peer_args_parse: "peer", --local, --remote, --initiate, and the flags we do not own. */
	char *pargv[96];
	int pargc;
	char local0[80];
} load_args;

/* 0, 1 for --help, or -1 after one error line on err. */
int load_args_parse(int argc, char **argv, load_args *a, FILE *err);
void load_args_usage(FILE *f);

/* ---- load_stats.c: latencies, failure reasons, the report ---- */
typedef struct load_stats {
	ike_time *lat;               /* established setups' latencies, ns */
	uint32_t n_lat;
	uint32_t started, failed, inflight;
	uint64_t retransmits, setup_retransmits, sent, received, send_errors;
	ike_time duration;           /* first start to last setup finished */
	struct {
		char why[120];
		uint32_t n;
	} reasons[LOAD_MAX_REASONS];
	uint32_t n_reasons, other_reasons;
} load_stats;

/* Counts one failure under its reason (the first LOAD_MAX_REASONS distinct ones; later ones as "other"). */
void load_stats_fail(load_stats *s, const char *why);
/* Nearest-rank percentile (0 < p <= 100) of the sorted latencies; 0 when none. */
ike_time load_stats_pct(const load_stats *s, double p);
/* Sorts the latencies, then writes the human report on out and, with a->json, the JSON file. 0, or -1 + err. */
int load_stats_report(load_stats *s, const load_args *a, FILE *out, char *err, size_t errlen);

#endif
