/*
 * Inside the ns-3 backend: the world the C side sees (nodes, links, hooks, counts) beside the ns-3 objects
 * that carry its datagrams. Routing decisions, hooks and the per-hop definition are the built-in
 * simulator's (sim_hop.h, sim_route.h, sim_addrmap.h); ns-3 does the IP stack, devices, channel and clock.
 */
#ifndef SIM_NS3_WORLD_H
#define SIM_NS3_WORLD_H

extern "C" {
#include "backend.h"
#include "crypto/drbg.h"
#include "sim_addrmap.h"
#include "sim_hop.h"
#include "sim_route.h"
}

#include <memory>
#include <string>
#include <vector>

#include "ns3/ipv4-header.h"
#include "ns3/ipv4-routing-protocol.h"
#include "ns3/ipv4.h"
#include "ns3/node.h"
#include "ns3/packet.h"
#include "ns3/point-to-point-net-device.h"

namespace ikesim_ns3 {

constexpr uint32_t NO_NODE = UINT32_MAX;

struct ShimNode {
	std::string name;
	sim_deliver_fn deliver = nullptr;
	void *ctx = nullptr;
	sim_counts counts = { 0, 0, 0 };
	std::vector<uint32_t> links;   /* link indexes, in add_link order */
	std::vector<uint32_t> dev_link; /* ns-3 device index -> link index (NO_NODE: loopback) */
	sim_routes routes = { nullptr, 0 };
	bool forwards = false; /* a router or a NAT: datagrams for others go on */
	sim_fwd_fn fwd = nullptr;
	void *fwd_ctx = nullptr;
	ns3::Ptr<ns3::Node> node;
	ns3::Ptr<ns3::Ipv4> ipv4;
	ike_addr v4{}; /* its first IPv4 address: the source of its own TCP (cross traffic) */
	bool has_v4 = false;
};

struct ShimLink {
	uint32_t a = 0, b = 0;
	sim_link_cfg cfg{};
	std::unique_ptr<ike_drbg[]> rng; /* [0] a->b, [1] b->a; seeded on first need, as the built-in does */
	sim_mtu_drops mtu = { 0, 0 };
	ns3::Ptr<ns3::PointToPointNetDevice> dev[2]; /* on a, on b */
};

struct Hook {
	uint32_t node; /* SIM_ANY_NODE or the sender it watches */
	sim_hook_fn fn;
	void *ctx;
};

struct Cross; /* one cross-traffic transfer (ns3_cross.cc) */

struct World {
	uint64_t seed = 0;
	std::vector<ShimNode> nodes;
	std::vector<ShimLink> links;
	sim_addrmap addrs{};
	ike_host_trace *trace = nullptr;
	sim_event_fn ev_fn = nullptr; /* the runner's hook for link.drop and xtraffic.*, nullptr: straight into trace */
	void *ev_ctx = nullptr;
	std::vector<Hook> hooks;
	std::vector<uint8_t> scratch; /* where hooks see (and may rewrite) a datagram */
	std::vector<uint8_t> wire;    /* a datagram copied out of an ns-3 packet */
	sim_tap_fn tap = nullptr;
	void *tap_ctx = nullptr;
	int64_t last_t = 0; /* time of the last event that reached our code: what run() returns */
	uint32_t macs = 0;  /* MAC addresses from our own counter: ns-3's allocator is process-global */
	std::vector<std::unique_ptr<Cross>> cross; /* freed after Simulator::Destroy: their sockets call them */
	World();
	~World();
};

/* Largest datagram a hook may write and the largest IP packet: 65535 octets. */
constexpr size_t HOOK_CAP = 65535;

int64_t now_ns();

/* Paths (ns3_path.cc). */
void world_send(World *w, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
		const uint8_t *data, size_t len);
/* Called by a link's channel as a packet starts across it: the delay in ns, or -1 when it is lost. */
int64_t world_transmit(World *w, uint32_t link, int dir, ns3::Ptr<const ns3::Packet> p);
/* Called by a node's routing object for every packet that arrives; true when it was handled. */
bool world_route_input(World *w, uint32_t node, ns3::Ptr<const ns3::Packet> p, const ns3::Ipv4Header &h,
		       ns3::Ptr<const ns3::NetDevice> idev, const ns3::Ipv4RoutingProtocol::UnicastForwardCallback &ucb,
		       const ns3::Ipv4RoutingProtocol::LocalDeliverCallback &lcb);
/* Called by a node's transport hook for each datagram delivered locally. */
void world_deliver(World *w, uint32_t node, ns3::Ptr<ns3::Packet> p, const ns3::Ipv4Header &h);
/* A queue with a rate dropped a packet at its tail: the tap and link.drop with why "queue". */
void world_queue_drop(World *w, uint32_t link, int dir, ns3::Ptr<const ns3::Packet> p);
/* The route of a packet node's own ns-3 stack originates (TCP), by the world's next-hop rule; nullptr
 * when there is none (and for ICMP, which no node sends, as on the built-in backend). */
ns3::Ptr<ns3::Ipv4Route> world_route_output(World *w, uint32_t node, const ns3::Ipv4Header &h);
/* A segment node's TCP sends: it takes the world's path (hooks, faults, tap) like any datagram. */
void world_send_packet(World *w, uint32_t node, ns3::Ptr<ns3::Packet> p, ns3::Ipv4Address src,
		       ns3::Ipv4Address dst, uint8_t proto);
/* The link between a and b, or NO_NODE. */
uint32_t world_find_link(const World *w, uint32_t a, uint32_t b);

/* ns-3 objects (ns3_objects.cc): a node's stack with our routing and transports, a link's devices. */
int objects_install_node(World *w, uint32_t node);
int objects_make_link(World *w, uint32_t link);

/* Cross traffic (ns3_cross.cc): a TCP bulk transfer between two nodes' stacks; 0 or -1. */
int cross_add(World *w, const sim_cross_cfg *cfg);

} // namespace ikesim_ns3

#endif
