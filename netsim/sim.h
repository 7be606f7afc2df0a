/* The built-in discrete-event simulator: virtual time, nodes, point-to-point links, static routing. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include "backend.h"
#include "host/trace.h"

typedef struct sim sim;

/* Creates an empty world whose randomness derives from seed; NULL when out of memory. */
sim *sim_new(uint64_t seed);
/* Frees the world, including datagrams still in flight. */
void sim_free(sim *s);

int64_t sim_now(const sim *s);
int sim_schedule(sim *s, int64_t t, sim_fn fn, void *arg);
int32_t sim_add_node(sim *s, const char *name, sim_deliver_fn deliver, void *ctx);
int sim_add_addr(sim *s, uint32_t node, const ike_addr *addr);
/* node takes addr (a free one, or its own), or with give_up releases it: datagrams to it find nobody. 0 or -1. */
int sim_move_addr(sim *s, uint32_t node, const ike_addr *addr, int give_up);
/* Adds a bidirectional link a<->b; each direction gets its own DRBG stream. 0, or -1 (bad/duplicate). */
int sim_add_link(sim *s, uint32_t a, uint32_t b, const sim_link_cfg *cfg);
/* A UDP datagram (sim_send_ip with SIM_PROTO_UDP). */
void sim_send(sim *s, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len);
/* An IP packet of protocol proto (backend.h): the MTU counts its IP header (and UDP's for SIM_PROTO_UDP). */
void sim_send_ip(sim *s, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		 size_t len);
int64_t sim_run(sim *s, int64_t until);

/* Optional: trace sink for link.drop (not owned). */
void sim_set_trace(sim *s, ike_host_trace *t);
/* Where link.drop events go instead of the trace (the runner's hook); NULL: the trace. */
void sim_set_event_hook(sim *s, sim_event_fn fn, void *ctx);
/* A packet hook for the datagrams `node` (SIM_ANY_NODE: every node) sends (backend.h). 0, or -1. */
int sim_add_hook(sim *s, uint32_t node, sim_hook_fn fn, void *ctx);
/* Routing (backend.h add_route, set_forward). 0, or -1. */
int sim_add_route(sim *s, uint32_t node, const ike_addr *prefix, uint8_t plen, uint32_t via);
int sim_set_forward(sim *s, uint32_t node, sim_fwd_fn fn, void *ctx);
/* The capture tap (backend.h); NULL = none. */
void sim_set_tap(sim *s, sim_tap_fn fn, void *ctx);
/* Makes sim_run return once the event in progress is done. */
void sim_stop(sim *s);

const char *sim_node_name(const sim *s, uint32_t node);
sim_counts sim_node_counts(const sim *s, uint32_t node);
sim_counts sim_total_counts(const sim *s);
/* MTU drops on the link-th link added (both directions). */
sim_mtu_drops sim_link_mtu_drops(const sim *s, size_t link);

/* The backend vtable over this simulator. */
sim_backend sim_builtin_backend(sim *s);

/* "192.0.2.1:500" / "[2001:db8::1]:500"; returns the length needed. */
size_t ike_host_addr_format(const ike_addr *a, char *out, size_t cap);

#endif
