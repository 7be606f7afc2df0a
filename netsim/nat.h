/*
 * A NAT44 box as a pure module (RFC 4787 behaviours): no simulator internals, no I/O. It is handed one
 * datagram (protocol, source, destination, the side it came in on) and the time, and answers "pass, with
 * these addresses" or "drop, because". Both backends (the built-in simulator, ns-3) call it from their
 * forwarding hook; the caller schedules sim_nat_expire at sim_nat_next_expiry for timely expiry events.
 */
#ifndef SIM_NAT_H
#define SIM_NAT_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* RFC 4787 4.1 mapping and 5 filtering behaviours. */
enum sim_nat_dep {
	SIM_NAT_EI,  /* endpoint-independent */
	SIM_NAT_AD,  /* address-dependent */
	SIM_NAT_APD, /* address-and-port-dependent */
};

#define SIM_NAT_POOL_MAX 4
#define SIM_NAT_FWD_MAX 16

/* A port-forwarding rule: UDP to public[pool]:port goes to inside (a static mapping, never expires). */
typedef struct sim_nat_fwd {
	uint8_t pool;    /* index into the pool */
	uint16_t port;
	ike_addr inside; /* IPv4, with its port */
} sim_nat_fwd;

typedef struct sim_nat_cfg {
	uint8_t mapping, filtering; /* enum sim_nat_dep */
	ike_addr pool[SIM_NAT_POOL_MAX]; /* outside addresses (IPv4; ports ignored) */
	uint8_t n_pool;
	int64_t timeout;          /* ns a UDP mapping lives without refresh */
	uint8_t refresh_inbound;  /* inbound traffic refreshes too (RFC 4787 REQ-6 allows it) */
	uint8_t port_preserve;    /* try the inside port first */
	uint8_t port_parity;      /* the outside port has the inside port's parity (RFC 4787 REQ-3 MAY) */
	uint8_t hairpin;          /* inside -> own public address goes back inside (RFC 4787 REQ-9) */
	uint16_t port_lo, port_hi; /* dynamic outside ports */
	uint32_t max_mappings;    /* dynamic mappings at once; beyond: drop "nat-full" */
	sim_nat_fwd fwd[SIM_NAT_FWD_MAX];
	uint8_t n_fwd;
} sim_nat_cfg;

/* Defaults: EI mapping, APD filtering (a port-restricted cone), 120 s, preservation on, hairpin on. */
void sim_nat_cfg_default(sim_nat_cfg *cfg);
/* "full-cone", "restricted", "port-restricted", "symmetric" into mapping/filtering; 0, or -1 unknown. */
int sim_nat_shorthand(const char *name, sim_nat_cfg *cfg);
/* "endpoint-independent", "address-dependent", "address-and-port-dependent"; -1 unknown. */
int sim_nat_dep_parse(const char *name);
const char *sim_nat_dep_name(uint8_t dep);

typedef struct sim_nat sim_nat;

enum sim_nat_ev_kind { SIM_NAT_CREATED, SIM_NAT_REFRESHED, SIM_NAT_EXPIRED, SIM_NAT_FLUSHED };

/* A mapping's life event; remote is set (family 4) only for dependent mappings. */
typedef struct sim_nat_event {
	uint8_t kind;        /* enum sim_nat_ev_kind */
	uint8_t fixed;       /* a port-forwarding rule's mapping */
	ike_addr inside, outside, remote;
	int64_t at;          /* when it happened (an expiry: when the mapping ran out) */
} sim_nat_event;

typedef void (*sim_nat_event_fn)(void *ctx, const sim_nat_event *ev);

/* A NAT from cfg (copied); on_event may be NULL. NULL when cfg is invalid or out of memory. */
sim_nat *sim_nat_new(const sim_nat_cfg *cfg, sim_nat_event_fn on_event, void *ctx);
void sim_nat_free(sim_nat *n);

/* Which side a datagram came in on. */
enum sim_nat_side { SIM_NAT_INSIDE, SIM_NAT_OUTSIDE };

/*
 * One datagram at time now (never before the previous call's): *from / *to are rewritten for the way on.
 * Returns NULL to pass, or the drop reason: "no-mapping", "filtered", "nat-full", "hairpin-off", "proto"
 * (anything but UDP: plain ESP, AH; no IPsec ALG), "ipv6" (NAT44 only).
 * Outside datagrams to an address outside the pool pass untouched (the box routes them).
 */
const char *sim_nat_process(sim_nat *n, int64_t now, int side, uint8_t proto, ike_addr *from, ike_addr *to);

/* Expires every mapping idle up to now (events at their own expiry times). */
void sim_nat_expire(sim_nat *n, int64_t now);
/* When the next dynamic mapping runs out, or INT64_MAX. */
int64_t sim_nat_next_expiry(const sim_nat *n);
/* A reboot: every dynamic mapping is lost (SIM_NAT_FLUSHED events); the forwarding rules stay. */
void sim_nat_flush(sim_nat *n, int64_t now);

/* Dynamic mappings alive, and counters for the run summary. */
typedef struct sim_nat_stats {
	uint64_t created, expired, flushed;
	uint64_t drops[6]; /* by enum sim_nat_drop */
	uint32_t live, peak;
} sim_nat_stats;

enum sim_nat_drop { SIM_NATD_NO_MAPPING, SIM_NATD_FILTERED, SIM_NATD_FULL, SIM_NATD_HAIRPIN, SIM_NATD_PROTO, SIM_NATD_IPV6 };
/* "no-mapping", ... by enum sim_nat_drop. */
const char *sim_nat_drop_name(int d);
sim_nat_stats sim_nat_get_stats(const sim_nat *n);

#endif
