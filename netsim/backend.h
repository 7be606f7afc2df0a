/*
 * The network backend seen by the scenario runner (run.c and its helpers call the network only through
 * this): nodes, addresses, links, datagrams, timers, per-node packet hooks, run/stop/destroy. Small enough
 * that an ns-3 shim can implement it; the built-in discrete-event simulator (sim.h) is the default.
 */
#ifndef SIM_BACKEND_H
#define SIM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "queue.h"
#include "host/trace.h"

/*
 * Datagrams are IP packets of protocol `proto`: SIM_PROTO_UDP (data = the UDP payload, ports in the addresses;
 * IKE, and ESP-in-UDP per RFC 3948) or SIM_PROTO_ESP / SIM_PROTO_AH (data = the IP payload from the SPI on,
 * ports ignored).
 */
#define SIM_PROTO_UDP 17
#define SIM_PROTO_ESP 50
#define SIM_PROTO_AH 51

/* Called when a datagram reaches a node; data is valid only during the call. */
typedef void (*sim_deliver_fn)(void *ctx, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
			       const uint8_t *data, size_t len);

/*
 * Per link, per direction: delay = latency + uniform[0, jitter]; loss probability; MTU of IP packets.
 * rate and queue only the ns-3 backend carries (docs/backends.md): a data rate serialises each packet and
 * a DropTail queue of `queue` packets holds those waiting; the built-in one refuses them (run.c).
 */
typedef struct sim_link_cfg {
	int64_t latency, jitter; /* ns */
	double loss;             /* 0..1 */
	uint32_t mtu;            /* bytes of IP packet (datagram + IP/UDP headers); 0 = unlimited */
	uint64_t rate;           /* bits per second; 0 = no bandwidth (no serialisation, no queue) */
	uint32_t queue;          /* packets waiting for the wire, with rate; 0 = the default (100) */
} sim_link_cfg;

/* Default DropTail queue of a link with a rate, in packets (ns-3's own default). */
#define SIM_LINK_QUEUE_DEFAULT 100

/* Background traffic between two nodes' own stacks (ns-3 only): TCP bulk transfer from `from` to `to`. */
enum sim_cross_kind { SIM_CROSS_TCP_BULK = 1 };

typedef struct sim_cross_cfg {
	const char *name;     /* for the trace ("xtraffic.*" events) */
	uint32_t from, to;    /* nodes: the sender and the receiver */
	ike_addr to_addr;     /* the receiver's address and port the sender connects to */
	uint8_t kind;         /* enum sim_cross_kind */
	int64_t start, stop;  /* ns: the sender starts, and stops (the receiver counts up to then) */
	uint64_t max_bytes;   /* 0 = unlimited */
} sim_cross_cfg;

/* Datagram counters, for the summary. */
typedef struct sim_counts {
	uint64_t sent, delivered, dropped;
} sim_counts;

/* Datagrams a link dropped as larger than its MTU, and the largest (IP length, headers included). */
typedef struct sim_mtu_drops {
	uint64_t count;
	size_t largest;
} sim_mtu_drops;

/* Hooks on every node: add_hook's node argument. */
#define SIM_ANY_NODE UINT32_MAX

/*
 * A packet hook, asked for each datagram its node puts on a link (sent, or forwarded) before the network
 * sees it (to_node: the next hop, UINT32_MAX when there is none). It may rewrite the datagram in place (at most cap bytes, *len updated)
 * and returns a drop reason, or NULL to pass it on.
 */
typedef const char *(*sim_hook_fn)(void *ctx, int64_t now, uint32_t from_node, uint32_t to_node, uint8_t proto,
				   const ike_addr *from, const ike_addr *to, uint8_t *data, size_t *len, size_t cap);

/*
 * The capture tap: called for every datagram a node puts on a link, after the packet hooks (so as rewritten)
 * and whether or not it arrives: link is the add_link index, dir 0 for a->b and 1 for b->a, why the drop
 * reason ("loss", "mtu", a hook's reason...) or NULL when it goes on towards delivery. Datagrams with no
 * link to go on ("no route") are not tapped.
 */
/*
 * A forwarding hook, asked for each datagram arriving at a forwarding node (a router or a NAT box) before
 * it is delivered there or routed on: in_link is the add_link index it came in by. It may rewrite the
 * addresses and the datagram in place (at most cap bytes, *len updated; a NAT changes the addresses) and
 * returns a drop reason (traced by the hook's owner, counted as the node's drop), or NULL to go on.
 * The ns-3 backend calls it from the node's routing object (RouteInput), the built-in one on arrival.
 */
typedef const char *(*sim_fwd_fn)(void *ctx, int64_t now, uint32_t node, size_t in_link, uint8_t proto,
				  ike_addr *from, ike_addr *to, uint8_t *data, size_t *len, size_t cap);

/* Hops a datagram may take before a forwarding node drops it with why "ttl" (a routing loop ends). */
#define SIM_TTL 64

typedef void (*sim_tap_fn)(void *ctx, int64_t now, size_t link, int dir, uint8_t proto, const ike_addr *from,
			   const ike_addr *to, const uint8_t *data, size_t len, const char *why);

/* A backend's own trace event (link.drop, xtraffic.*) of node, fields a JSON object body: with a hook set it
 * goes there instead of straight into the trace (the runner writes it and counts it for `expect`). */
typedef void (*sim_event_fn)(void *ctx, int64_t now, uint32_t node, const char *ev, const char *fields);

typedef struct sim_backend {
	void *impl;
	int64_t (*now)(void *impl);
	/* Runs fn(arg) at absolute time t (>= now); 0, or -1 when out of memory. */
	int (*schedule)(void *impl, int64_t t, sim_fn fn, void *arg);
	/* Sends a UDP datagram from node `node`; the backend routes, delays, drops or delivers it. */
	void (*send)(void *impl, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		     size_t len);
	/* The same for an IP packet of any protocol (SIM_PROTO_*): send is send_ip with SIM_PROTO_UDP. */
	void (*send_ip)(void *impl, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
			const uint8_t *data, size_t len);
	/* Topology: a node with its receive callback (returns its id or -1), its addresses, its links. */
	int32_t (*add_node)(void *impl, const char *name, sim_deliver_fn deliver, void *ctx);
	int (*add_addr)(void *impl, uint32_t node, const ike_addr *addr);
	/* While running: node takes a free address, or (give_up) releases one of its own. NULL: not supported. */
	int (*move_addr)(void *impl, uint32_t node, const ike_addr *addr, int give_up);
	int (*add_link)(void *impl, uint32_t a, uint32_t b, const sim_link_cfg *cfg);
	/* Where the backend traces its own events (link.drop); not owned, NULL = nowhere. */
	void (*set_trace)(void *impl, ike_host_trace *t);
	/* Adds a packet hook for the datagrams `node` (or SIM_ANY_NODE: every node) sends; hooks run in the
	 * order added, every-node ones first, until one drops. 0, or -1 when out of memory. */
	int (*add_hook)(void *impl, uint32_t node, sim_hook_fn fn, void *ctx);
	/*
	 * Routing. A node forwards datagrams not addressed to it only once set_forward made it a router (fn
	 * NULL) or a box with a forwarding hook (a NAT). Each hop looks for a next hop: the destination's owner
	 * when it is a neighbour, else the longest matching route of the node (add_route: prefix/plen via a
	 * neighbour; plen 0 with family 0 is the default of both families), else, for a node with one link whose
	 * other end forwards, that link; else "no route". 0, or -1 (bad node, via not a neighbour, memory).
	 */
	int (*add_route)(void *impl, uint32_t node, const ike_addr *prefix, uint8_t plen, uint32_t via);
	int (*set_forward)(void *impl, uint32_t node, sim_fwd_fn fn, void *ctx);
	/* Sets the capture tap (NULL: none). */
	void (*set_tap)(void *impl, sim_tap_fn fn, void *ctx);
	/* Runs events up to and including `until` (or until stop); returns the time of the last event run.
	 * (ns-3: a run that reached `until` leaves ns-3's clock at until + 1 ns; docs/backends.md.) */
	int64_t (*run)(void *impl, int64_t until);
	/* Makes run return once the event in progress is done. */
	void (*stop)(void *impl);
	/* What the network did: per node, and MTU drops per link (in add_link order, both directions). */
	sim_counts (*node_counts)(const void *impl, uint32_t node);
	sim_mtu_drops (*link_mtu_drops)(const void *impl, size_t link);
	/* Frees the world, datagrams still in flight included. */
	void (*destroy)(void *impl);
	/* Background traffic (sim_cross_cfg) on the nodes' own stacks; NULL on a backend without it (the
	 * built-in one). After the topology is built; 0, or -1 with nothing added. */
	int (*add_cross)(void *impl, const sim_cross_cfg *cfg);
	/* Sets the hook for the backend's own events (NULL: they go to the trace of set_trace). */
	void (*set_event_hook)(void *impl, sim_event_fn fn, void *ctx);
} sim_backend;

/* The built-in simulator (sim.h) as a backend, its randomness derived from seed. 0, or -1 out of memory.
 * The ns-3 one is sim_backend_ns3() (ns3/backend_ns3.h). */
int sim_backend_builtin(uint64_t seed, sim_backend *out);

#endif
