/*
 * The network backend seen by the scenario runner: small enough that an ns-3 shim can implement
 * it. The built-in discrete-event simulator (sim.h) is the default implementation.
 */
#ifndef SIM_BACKEND_H
#define SIM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "queue.h"

/* Called when a datagram reaches a node; data is valid only during the call. */
typedef void (*sim_deliver_fn)(void *ctx, int64_t now, const ike_addr *from, const ike_addr *to,
			       const uint8_t *data, size_t len);

/* Per link, per direction: delay = latency + uniform[0, jitter]; loss probability; MTU of IP packets. */
typedef struct sim_link_cfg {
	int64_t latency, jitter; /* ns */
	double loss;             /* 0..1 */
	uint32_t mtu;            /* bytes of IP packet (datagram + IP/UDP headers); 0 = unlimited */
} sim_link_cfg;

typedef struct sim_backend {
	void *impl;
	int64_t (*now)(void *impl);
	/* Runs fn(arg) at absolute time t (>= now); 0, or -1 when out of memory. */
	int (*schedule)(void *impl, int64_t t, sim_fn fn, void *arg);
	/* Sends a datagram from node `node`; the backend routes, delays, drops or delivers it. */
	void (*send)(void *impl, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		     size_t len);
	/* Topology: a node with its receive callback (returns its id or -1), its addresses, its links. */
	int32_t (*add_node)(void *impl, const char *name, sim_deliver_fn deliver, void *ctx);
	int (*add_addr)(void *impl, uint32_t node, const ike_addr *addr);
	int (*add_link)(void *impl, uint32_t a, uint32_t b, const sim_link_cfg *cfg);
	/* Runs events up to and including `until`; returns the time of the last event run. */
	int64_t (*run)(void *impl, int64_t until);
} sim_backend;

#endif
