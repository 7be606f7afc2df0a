/*
 * Stateful fuzzing of two engine peers: a byte string is read as a schedule of network events
 * (deliver in order, reorder, duplicate, drop, replay an old datagram, forge one, let time pass,
 * initiate again, delete) between an initiator and a responder, and after every step the peers'
 * invariants are checked. Used by the libFuzzer target tests/fuzz/fuzz_stateful.c and by the cmocka
 * test test_stateful.c; no cmocka and no aborts in here: a broken invariant is returned with why.
 */
#ifndef IKE_TEST_STATEFZ_H
#define IKE_TEST_STATEFZ_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* What a run did, so callers can tell a schedule that reached something from one that idled. */
typedef struct statefz_stats {
	size_t steps;
	size_t delivered, forged, replayed, duplicated, dropped;
	size_t moves;            /* NAT-T runs: address changes told to a peer (ike_peer_addresses_changed) */
	size_t established;      /* IKE_EV_IKE_UP events seen, both sides */
	size_t max_sas;          /* most IKE SAs one peer held at once */
	size_t keepalives, bad_raw; /* NAT-T runs: keepalives sent through send_raw, and anything else sent there */
	size_t jobs;             /* jobs runs: crypto jobs the peers handed to the host */
} statefz_stats;

/* Fills a connection of side 0 (initiator) or 1 (responder) with the harness defaults (PSK, x25519). */
void statefz_conn_init(ike_conn_cfg *c, ike_child_cfg *ch, int side);

/*
 * Runs the schedule. Returns 0 when every invariant held after every step, or -1 with the first broken
 * invariant (and the step) in why. Everything allocated is freed either way.
 */
int statefz_run(const ike_crypto *crypto, const uint8_t *sched, size_t len, statefz_stats *st, char *why,
		size_t cap);
/* The same with RFC 7383 fragmentation (enum ike_frag_mode, fragment_size) on both connections; statefz_run
 * leaves it off so the recorded handshakes of the fuzz targets stay one datagram a message. */
int statefz_run_frag(const ike_crypto *crypto, const uint8_t *sched, size_t len, uint8_t frag_mode,
		     uint16_t frag_size, statefz_stats *st, char *why, size_t cap);

/* With NAT traversal: side 0 forces UDP encapsulation (both move to the NAT-T ports, the responder follows
 * side 0's address on authenticated requests), keepalives after 1 s on both connections. */
int statefz_run_natt(const ike_crypto *crypto, const uint8_t *sched, size_t len, statefz_stats *st, char *why,
		     size_t cap);

/* With asynchronous crypto (ike.h's submit): the D-H jobs wait in the host until the schedule hands one back
 * (any of them, in any order), while datagrams, time and actions go on. */
int statefz_run_jobs(const ike_crypto *crypto, const uint8_t *sched, size_t len, statefz_stats *st, char *why,
		     size_t cap);

#endif
