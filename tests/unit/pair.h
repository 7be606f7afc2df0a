/* Test harness: two engine peers joined by an in-memory wire with fixed latency, in virtual time. */
#ifndef IKE_TEST_PAIR_H
#define IKE_TEST_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

#define PAIR_MAX_QUEUE 64
#define PAIR_MAX_TRACE 4096
#define PAIR_MAX_JOBS 16

typedef struct pair_dgram {
	ike_time at;
	int to_peer; /* 0 = initiator, 1 = responder */
	ike_addr from, to;
	size_t len;
	uint8_t *data;
} pair_dgram;

typedef struct pair pair;

/* Per-side hooks: return false from `filter` to drop a datagram the side sends (n counts from 1). */
typedef bool (*pair_filter)(pair *pr, int side, size_t n, const uint8_t *data, size_t len);

struct pair {
	ike_crypto *crypto;
	ike_conn_cfg conn[2];
	ike_child_cfg child[2]; /* conn[s].children */
	ike_peer *peer[2];
	ike_host host[2];
	struct pair_side {
		struct pair *pr;
		int side;
	} side_ctx[2];
	ike_time now, latency;
	pair_dgram q[PAIR_MAX_QUEUE];
	size_t nq;
	size_t sent[2];
	pair_filter filter;
	void *user;
	char *trace[PAIR_MAX_TRACE]; /* "side ev {fields}" lines */
	ike_time trace_t[PAIR_MAX_TRACE]; /* when each line was emitted */
	size_t ntrace;
	bool record_trace;
	uint16_t nat_port; /* non-zero: side 0's source port is rewritten to this, as a NAT would */
	bool hide_keys;    /* peers start with reveal_keys off (default on) */
	void (*sa_hook)(pair *pr, int side, const ike_sa_event *ev); /* sees every SA event; NULL = none */
	uint32_t cookie_threshold[2]; /* per side's ike_peer_cfg.cookie_threshold (default 0 = never) */
	uint32_t cookie_threshold_ip[2], block_threshold[2], half_open_limit[2]; /* the same, default 0 = off */
	/* NAT keepalives each side sent through ike_host.send_raw (counted, not delivered), the last one's time */
	size_t raw_sent[2];
	ike_time raw_last[2];
	ike_addr raw_from[2], raw_to[2];
	/* defer_jobs (before pair_start): crypto jobs wait here until pair_finish_jobs (ike.h's submit) */
	bool defer_jobs;
	ike_job *jobs[PAIR_MAX_JOBS];
	int job_side[PAIR_MAX_JOBS];
	size_t njobs, jobs_submitted;
};

/* Fills both connections with working defaults: PSK "secret", x25519 AES-GCM, 10.1/16 <-> 10.2/16. */
void pair_init(pair *pr, const char *ike, const char *esp);
/* Creates the peers (after the caller adjusted conn[]) with seed `seed`. */
void pair_start(pair *pr, uint64_t seed);
/* Side `side` loses all state: its peer is freed (with datagrams queued to it) and created anew with `seed`. */
void pair_reboot(pair *pr, int side, uint64_t seed);
/* Initiates from side 0 and runs until nothing is pending or `limit` virtual ns passed. */
void pair_run(pair *pr, ike_time limit);
/* Delivers what is queued and runs the timers until nothing is pending or `limit`, without initiating. */
void pair_run_pending(pair *pr, ike_time limit);
/* The same, stopping after max_steps deliveries or timer runs; returns how many ran (a runaway timer shows). */
size_t pair_run_steps(pair *pr, ike_time limit, size_t max_steps);
void pair_free(pair *pr);
/* Computes the deferred crypto jobs and hands them back in the order they came, at pr->now; how many. */
size_t pair_finish_jobs(pair *pr);
/* Counts trace lines of side `side` (-1 both) containing every given substring (NULL-terminated). */
size_t pair_count(const pair *pr, int side, const char *a, const char *b);
/* The `value` hex of the first kdf event named `name` of `side`, copied into out; 0 if none. */
size_t pair_kdf_value(const pair *pr, int side, const char *name, char *out, size_t cap);
/* The same for the last such kdf event (after rekeys). */
size_t pair_kdf_last(const pair *pr, int side, const char *name, char *out, size_t cap);
/* Switches both sides to public-key authentication with these credentials (before pair_start). */
void pair_set_creds(pair *pr, const ike_cred *c0, const ike_cred *c1);
/* The IKE_SA_INIT request a default pair's initiator sends first, into out; its length (fails the test if cap is short). */
size_t pair_first_init(const ike_crypto *crypto, uint8_t *out, size_t cap);
/* Sets a proposal list or fails the test. */
void pair_set_proposals(ike_proposal_list *pl, const char *text, uint8_t protocol);

#endif
