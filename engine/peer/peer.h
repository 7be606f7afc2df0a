/*
 * The peer object behind the public ike_peer: one node's IKE daemon. It owns the SA tables (by our SPI and,
 * for half-open lookups, by the peer's), the timer heap keyed on each IKE SA's earliest deadline, the DRBG,
 * per-connection records and the refusal counters; input is dispatched by IKE version (only IKEv2 exists).
 * Not a public header: the engine's own files include it.
 */
#ifndef IKE_PEER_PEER_H
#define IKE_PEER_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/drbg.h"
#include "ike.h"

typedef struct v2_ike_sa v2_ike_sa;
struct v1_ike_sa;

/* Algorithms agreed for an SA (IKE or CHILD). */
typedef struct v2_algs {
	uint16_t encr, encr_keylen, prf, integ, dh, esn;
} v2_algs;

/* What a connection reached once no SA of it is held any more (the current SA speaks for itself). */
typedef struct ike_conn_rec {
	bool timed_out;
	uint16_t last_error;
	ike_addr remote;
	v2_algs ike_algs, esp_algs;        /* the last selections */
	bool ike_selected, esp_selected;
	v2_ike_sa *sas;                    /* every IKE SA of this connection held now (list through conn_next) */
} ike_conn_rec;

/* Half-open responder SAs from one source IP (ikev2/halfopen.c); count 0 = empty slot. */
typedef struct v2_ho_slot {
	uint32_t count;
	uint8_t family;
	uint8_t ip[16];
} v2_ho_slot;

/* Cookies answered to one source address:port in one second (a lossy table: one slot per hash). */
typedef struct v2_rl_slot {
	uint32_t sec, n;
} v2_rl_slot;
#define V2_COOKIE_RL_SLOTS 65536
#define V2_COOKIE_RL_PER_SEC 4
#define V2_COOKIE_SECRET_LEN 32

/* Why an unauthenticated message got no detailed trace: counted and reported once a window (refusals.c). */
enum v2_refusal {
	V2_REF_COOKIE,    /* answered with N(COOKIE) */
	V2_REF_BLOCKED,   /* silently dropped: block_threshold half-open SAs from its IP */
	V2_REF_LIMIT,     /* silently dropped: half_open_limit reached */
	V2_REF_COOKIE_LIMITED, /* silently dropped: its address:port had its cookies for this second */
	V2_REF_REFUSED,   /* answered with another error notify (INVALID_SYNTAX, NO_PROPOSAL_CHOSEN...) */
	V2_REF_DROPPED,   /* dropped before any SA matched or decrypted it (malformed, unknown SPI, ...) */
	V2_REF_DUP,       /* a retransmitted request answered from the response cache */
	V2_REF_N
};

struct ike_peer {
	ike_peer_cfg cfg;
	ike_host host;
	ike_drbg rng;
	v2_ike_sa **by_local, **by_remote; /* hash buckets */
	size_t nbuckets, nsas;
	v2_ike_sa **by_addr, **by_id;      /* peer_index.c: by the address an SA was made with, by peer ID */
	size_t ibuckets, n_indexed;
	uint64_t born;                     /* SAs created so far: orders them by age (newest wins the status) */
	v2_ike_sa **heap;                  /* min-heap on each SA's earliest deadline (timer_at) */
	size_t heap_len, heap_cap;
	ike_conn_rec *rec;
	ike_time **rtx;                    /* per connection: retransmission timeouts 0..tries, computed once */
	size_t half_open;                  /* responder SAs in CONNECTING, for cookie_threshold */
	uint8_t cookie_secret[V2_COOKIE_SECRET_LEN];
	bool has_cookie_secret;            /* drawn from rng on first need, so peers without cookies draw nothing */
	v2_rl_slot *cookie_rl;             /* cookies sent per source address:port and second (cookie.c) */
	v2_ho_slot *ho;                    /* half-open responder SAs per source IP */
	size_t ho_cap, ho_used;
	/* Unauthenticated input is traced in detail V2_REFUSAL_BURST times a window, then only counted. */
	ike_time ref_window_end;
	uint32_t ref_traced;
	uint64_t ref_count[V2_REF_N];
	bool ref_pending;                  /* counts wait to be reported at ref_window_end */
	ike_addr addrs[IKE_ADDRS_MAX];     /* our addresses as the host last told them (mobike.c); n_addrs 0: never told */
	uint8_t n_addrs;
	struct v1_ike_sa *v1_sas;          /* IKEv1 ISAKMP SAs (ikev1/), a plain list */
};

/* ---- refusals.c: bounded tracing of unauthenticated input ---- */
#define V2_REFUSAL_WINDOW IKE_NS_PER_SEC
#define V2_REFUSAL_BURST 8
/* True when this refusal/drop may be traced in detail; otherwise it is counted under `why`. */
bool v2_refusal_trace(struct ike_peer *p, ike_time now, enum v2_refusal why);
/* Emits the counts of the window if any were held back (at its end, or when the host flushes). */
void v2_refusal_report(struct ike_peer *p, ike_time now);
ike_time v2_refusal_deadline(const struct ike_peer *p);

/* ---- sa_table.c: SPI hash tables, the deadline heap, per-connection SA lists ---- */
v2_ike_sa *v2_sa_new(struct ike_peer *p, bool initiator, uint64_t spi_i, uint64_t spi_r);
/* peer_index.c: index sa by its remote address (once it is known) / by its peer ID (again when it changes);
 * remove it from both; the first SA of sa's chain in each (walk with next_addr / next_id, then check). */
void v2_index_addr(v2_ike_sa *sa);
void v2_index_id(v2_ike_sa *sa);
void v2_index_readdr(v2_ike_sa *sa); /* its remote address changed */
void v2_index_remove(v2_ike_sa *sa);
v2_ike_sa *v2_index_first_addr(const v2_ike_sa *sa);
v2_ike_sa *v2_index_first_id(const v2_ike_sa *sa);
void v2_index_free(struct ike_peer *p);
void v2_sa_destroy(v2_ike_sa *sa, ike_time now);
void v2_sa_set_spi_r(v2_ike_sa *sa, uint64_t spi_r);
/* Ties an SA to conns[idx] (its list and record); once, right after v2_sa_new. */
void v2_sa_set_conn(v2_ike_sa *sa, size_t idx);
/* Re-keys the heap after sa->timer_at changed (IKE_TIME_NEVER takes it out). */
void v2_heap_update(v2_ike_sa *sa);
uint64_t v2_new_spi(struct ike_peer *p);
v2_ike_sa *v2_find_local(struct ike_peer *p, uint64_t spi);
v2_ike_sa *v2_find_half_open(struct ike_peer *p, uint64_t spi_i, const ike_addr *from);
/* True if sa (whose our-side SPI is spi) is still held: handlers that may have ended it are checked with this. */
bool v2_sa_alive(struct ike_peer *p, uint64_t spi, const v2_ike_sa *sa);
/* Same family, IP and port. */
bool v2_same_addr(const ike_addr *a, const ike_addr *b);

/* ---- the IKEv2 engine's entry points (ikev2/) ---- */
enum ike_input_result v2_input(struct ike_peer *p, ike_time now, const ike_addr *from, const ike_addr *to,
			       const uint8_t *data, size_t len);
void v2_expire_sa(v2_ike_sa *sa, ike_time now);
int v2_initiate(struct ike_peer *p, ike_time now, size_t conn);
/* Fills the SA-dependent part of a connection's status from its current SA; false if none is held. */
bool v2_conn_status(const struct ike_peer *p, size_t conn, ike_conn_status *st);
/* Queues a lifecycle task on conn's established IKE SAs (kind: enum v2_task_kind); how many got it. */
int v2_queue_on_conn(struct ike_peer *p, ike_time now, size_t conn, uint8_t kind, size_t child, uint8_t reason);

#endif
