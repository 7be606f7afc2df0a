// A datagram's way through the ns-3 backend, hop by hop, with the built-in simulator's rules: next hop
// (neighbour, longest route, the one link towards a forwarder), packet hooks, the capture tap, link.drop
// traces and counts; ns-3 carries the IP packet between the decisions.
#include "ns3_world.h"

#include <cstring>

#include "ns3/ipv4-route.h"
#include "ns3/simulator.h"
#include "ns3/udp-header.h"

using namespace ns3;

namespace ikesim_ns3 {

int64_t now_ns() { return Simulator::Now().GetTimeStep(); }

static Ipv4Address v4(const ike_addr *a)
{
	return Ipv4Address((uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 | a->ip[3]);
}

static void set_v4(ike_addr *a, Ipv4Address ip, uint16_t port)
{
	std::memset(a, 0, sizeof(*a));
	a->family = 4;
	ip.Serialize(a->ip);
	a->port = port;
}

uint32_t world_find_link(const World *w, uint32_t a, uint32_t b)
{
	// Walk the end with fewer links: a gateway has one per road warrior, the road warrior one.
	const ShimNode &n = w->nodes[b].links.size() < w->nodes[a].links.size() ? w->nodes[b] : w->nodes[a];
	for (uint32_t li : n.links) {
		const ShimLink &l = w->links[li];
		if ((l.a == a && l.b == b) || (l.a == b && l.b == a))
			return li;
	}
	return NO_NODE;
}

// The link towards `to` (*nh its other end), or NO_NODE: the rule of sim.c's next_hop, word for word.
static uint32_t next_hop(const World *w, uint32_t node, const ike_addr *to, uint32_t *nh)
{
	const ShimNode &n = w->nodes[node];
	uint32_t dst = sim_addrmap_get(&w->addrs, to);
	uint32_t li = NO_NODE;
	if (dst != SIM_ADDRMAP_NONE && dst != node)
		li = world_find_link(w, node, dst);
	if (li == NO_NODE && dst != node)
		li = sim_routes_lookup(&n.routes, to);
	if (li == NO_NODE && dst != node && n.links.size() == 1) {
		const ShimLink &l = w->links[n.links[0]];
		if (w->nodes[l.a == node ? l.b : l.a].forwards)
			li = n.links[0];
	}
	if (li != NO_NODE)
		*nh = w->links[li].a == node ? w->links[li].b : w->links[li].a;
	return li;
}

// The runner's datagrams (UDP, ESP, AH) are what node counts count; the nodes' own TCP is cross traffic.
static bool counted(uint8_t proto) { return proto == SIM_PROTO_UDP || proto == SIM_PROTO_ESP || proto == SIM_PROTO_AH; }

static void trace_drop(World *w, uint32_t node, const char *why, uint8_t proto, const ike_addr *from,
		       const ike_addr *to, size_t len)
{
	char fields[256];
	if (counted(proto))
		w->nodes[node].counts.dropped++;
	if (!w->trace && !w->ev_fn)
		return;
	sim_hop_drop_fields(fields, sizeof(fields), why, proto, from, to, len);
	if (w->ev_fn)
		w->ev_fn(w->ev_ctx, now_ns(), node, "link.drop", fields);
	else
		ike_host_trace_event(w->trace, now_ns(), w->nodes[node].name.c_str(), "link.drop", fields);
}

// Every-node hooks, then the sender's, on w->scratch; the first drop reason, or nullptr.
static const char *run_hooks(World *w, uint32_t node, uint32_t dst, uint8_t proto, const ike_addr *from,
			     const ike_addr *to, size_t *len)
{
	for (int pass = 0; pass < 2; pass++)
		for (const Hook &h : w->hooks) {
			if ((pass == 0) != (h.node == SIM_ANY_NODE) || (pass == 1 && h.node != node))
				continue;
			const char *why = h.fn(h.ctx, now_ns(), node, dst, proto, from, to, w->scratch.data(), len, HOOK_CAP);
			if (why)
				return why;
		}
	return nullptr;
}

// Hands the datagram to ns-3 on link li: sent from this node's IP layer, or forwarded (ucb, with the
// arriving header, so ns-3 takes a hop off its TTL).
static void inject(World *w, uint32_t node, uint32_t li, uint8_t proto, const ike_addr *from, const ike_addr *to,
		   const uint8_t *data, size_t len, const Ipv4Header *in,
		   const Ipv4RoutingProtocol::UnicastForwardCallback *ucb)
{
	ShimLink &l = w->links[li];
	Ptr<Packet> p = Create<Packet>(data, (uint32_t)len);
	if (proto == SIM_PROTO_UDP) {
		UdpHeader u;
		u.SetSourcePort(from->port);
		u.SetDestinationPort(to->port);
		p->AddHeader(u);
	}
	Ptr<Ipv4Route> r = Create<Ipv4Route>();
	r->SetSource(v4(from));
	r->SetDestination(v4(to));
	r->SetGateway(v4(to)); // point-to-point: the far end takes whatever is sent
	r->SetOutputDevice(l.dev[l.a == node ? 0 : 1]);
	if (!ucb) {
		w->nodes[node].ipv4->Send(p, v4(from), v4(to), proto, r);
		return;
	}
	Ipv4Header h = *in;
	h.SetSource(v4(from));
	h.SetDestination(v4(to));
	h.SetPayloadSize((uint16_t)p->GetSize());
	(*ucb)(r, p, h);
}

// One hop: node puts the datagram on the link to its next hop (hooks, then ns-3; the tap sees hook drops
// here and everything else in world_transmit).
static void put_on_link(World *w, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
			const uint8_t *data, size_t len, const Ipv4Header *in,
			const Ipv4RoutingProtocol::UnicastForwardCallback *ucb)
{
	uint32_t nh = NO_NODE;
	uint32_t li = next_hop(w, node, to, &nh);
	const char *why = nullptr;
	if (sim_hop_ip_len(proto, to, len) > HOOK_CAP)
		why = "too large";
	else if (!w->hooks.empty()) {
		std::memcpy(w->scratch.data(), data, len);
		data = w->scratch.data();
		why = run_hooks(w, node, li == NO_NODE ? NO_NODE : nh, proto, from, to, &len);
	}
	if (!why && li == NO_NODE)
		why = "no route";
	if (!why && to->family != 4)
		why = "not IPv4"; // add_addr refuses IPv6; a hook could still write one
	if (!why) {
		inject(w, node, li, proto, from, to, data, len, in, ucb);
		return;
	}
	if (w->tap && li != NO_NODE)
		w->tap(w->tap_ctx, now_ns(), li, w->links[li].a == node ? 0 : 1, proto, from, to, data, len, why);
	trace_drop(w, node, why, proto, from, to, len);
}

void world_send(World *w, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
		const uint8_t *data, size_t len)
{
	if (node >= w->nodes.size())
		return;
	w->last_t = now_ns();
	if (counted(proto))
		w->nodes[node].counts.sent++;
	put_on_link(w, node, proto, from, to, data, len, nullptr, nullptr);
}

void world_send_packet(World *w, uint32_t node, Ptr<Packet> p, Ipv4Address src, Ipv4Address dst, uint8_t proto)
{
	ike_addr from, to;
	set_v4(&from, src, 0);
	set_v4(&to, dst, 0);
	std::vector<uint8_t> bytes(p->GetSize()); // its own copy: hooks rewrite w->scratch
	p->CopyData(bytes.data(), (uint32_t)bytes.size());
	world_send(w, node, proto, &from, &to, bytes.data(), bytes.size());
}

Ptr<Ipv4Route> world_route_output(World *w, uint32_t node, const Ipv4Header &h)
{
	const ShimNode &n = w->nodes[node];
	if (h.GetProtocol() == 1 || !n.has_v4)
		return nullptr;
	ike_addr to;
	set_v4(&to, h.GetDestination(), 0);
	uint32_t nh = NO_NODE, li = next_hop(w, node, &to, &nh);
	if (li == NO_NODE)
		return nullptr;
	const ShimLink &l = w->links[li];
	Ptr<Ipv4Route> r = Create<Ipv4Route>();
	r->SetSource(v4(&n.v4));
	r->SetDestination(h.GetDestination());
	r->SetGateway(h.GetDestination());
	r->SetOutputDevice(l.dev[l.a == node ? 0 : 1]);
	return r;
}

// The datagram inside an ns-3 packet as it crosses a link (PPP, IPv4, UDP headers as serialised):
// protocol, addresses and payload (in w->wire); false when it is no packet of ours.
static bool parse_wire(World *w, Ptr<const Packet> p, uint8_t *proto, ike_addr *from, ike_addr *to,
		       const uint8_t **data, size_t *len)
{
	w->wire.resize(p->GetSize());
	p->CopyData(w->wire.data(), (uint32_t)w->wire.size());
	const uint8_t *b = w->wire.data();
	size_t n = w->wire.size();
	if (n < 2 + 20 || b[0] != 0x00 || b[1] != 0x21) // PPP protocol 0x0021: IPv4
		return false;
	b += 2, n -= 2;
	size_t ihl = (size_t)(b[0] & 0x0f) * 4, total = (size_t)b[2] << 8 | b[3];
	if ((b[0] >> 4) != 4 || ihl < 20 || total < ihl || total > n)
		return false;
	*proto = b[9];
	std::memset(from, 0, sizeof(*from));
	std::memset(to, 0, sizeof(*to));
	from->family = to->family = 4;
	std::memcpy(from->ip, b + 12, 4);
	std::memcpy(to->ip, b + 16, 4);
	*data = b + ihl;
	*len = total - ihl;
	if (*proto == SIM_PROTO_UDP) {
		if (*len < 8)
			return false;
		from->port = (uint16_t)((*data)[0] << 8 | (*data)[1]);
		to->port = (uint16_t)((*data)[2] << 8 | (*data)[3]);
		*data += 8, *len -= 8;
	}
	return true;
}

int64_t world_transmit(World *w, uint32_t link, int dir, Ptr<const Packet> p)
{
	ShimLink &l = w->links[link];
	uint32_t from_node = dir ? l.b : l.a;
	uint8_t proto = 0;
	ike_addr from, to;
	const uint8_t *data = nullptr;
	size_t len = 0;
	w->last_t = now_ns();
	if (!parse_wire(w, p, &proto, &from, &to, &data, &len))
		return -1; // nothing but our own datagrams travels: no ARP, no ICMP
	size_t ip_len = sim_hop_ip_len(proto, &to, len);
	if (sim_hop_draws(&l.cfg) && !l.rng) {
		l.rng.reset(new ike_drbg[2]);
		sim_hop_seed(&l.rng[0], w->seed, w->nodes[l.a].name.c_str(), w->nodes[l.b].name.c_str());
		sim_hop_seed(&l.rng[1], w->seed, w->nodes[l.b].name.c_str(), w->nodes[l.a].name.c_str());
	}
	uint64_t delay = 0;
	const char *why = sim_hop_decide(&l.cfg, l.rng ? &l.rng[dir] : nullptr, ip_len, &delay);
	if (why && !std::strcmp(why, "mtu")) {
		l.mtu.count++;
		l.mtu.largest = ip_len > l.mtu.largest ? ip_len : l.mtu.largest;
	}
	if (w->tap)
		w->tap(w->tap_ctx, now_ns(), link, dir, proto, &from, &to, data, len, why);
	if (why) {
		trace_drop(w, from_node, why, proto, &from, &to, len);
		return -1;
	}
	int64_t room = INT64_MAX - now_ns();
	return delay > (uint64_t)room ? room : (int64_t)delay;
}

void world_queue_drop(World *w, uint32_t link, int dir, Ptr<const Packet> p)
{
	ShimLink &l = w->links[link];
	uint8_t proto = 0;
	ike_addr from, to;
	const uint8_t *data = nullptr;
	size_t len = 0;
	if (!parse_wire(w, p, &proto, &from, &to, &data, &len))
		return;
	if (w->tap)
		w->tap(w->tap_ctx, now_ns(), link, dir, proto, &from, &to, data, len, "queue");
	trace_drop(w, dir ? l.b : l.a, "queue", proto, &from, &to, len);
}

// Copies a packet's payload (after the UDP header for protocol 17) and its addresses out of ns-3.
static void unpack(World *w, Ptr<const Packet> p, const Ipv4Header &h, ike_addr *from, ike_addr *to, size_t *len)
{
	Ptr<Packet> c = p->Copy();
	uint16_t sport = 0, dport = 0;
	if (h.GetProtocol() == SIM_PROTO_UDP) {
		UdpHeader u;
		c->RemoveHeader(u);
		sport = u.GetSourcePort();
		dport = u.GetDestinationPort();
	}
	set_v4(from, h.GetSource(), sport);
	set_v4(to, h.GetDestination(), dport);
	*len = c->GetSize();
	c->CopyData(w->scratch.data(), (uint32_t)*len);
}

void world_deliver(World *w, uint32_t node, Ptr<Packet> p, const Ipv4Header &h)
{
	ShimNode &n = w->nodes[node];
	ike_addr from, to;
	size_t len;
	w->last_t = now_ns();
	unpack(w, p, h, &from, &to, &len);
	n.counts.delivered++;
	if (n.deliver) {
		std::vector<uint8_t> copy(w->scratch.begin(), w->scratch.begin() + (long)len); // the callback may send
		n.deliver(n.ctx, now_ns(), h.GetProtocol(), &from, &to, copy.data(), len);
	}
}

// At a router or NAT box: the forwarding hook first, then local delivery, the TTL, or the next hop.
bool world_route_input(World *w, uint32_t node, Ptr<const Packet> p, const Ipv4Header &h, Ptr<const NetDevice> idev,
		       const Ipv4RoutingProtocol::UnicastForwardCallback &ucb,
		       const Ipv4RoutingProtocol::LocalDeliverCallback &lcb)
{
	ShimNode &n = w->nodes[node];
	int32_t iif = n.ipv4->GetInterfaceForDevice(idev);
	w->last_t = now_ns();
	if (!n.forwards) { // an end node takes whatever reaches it, as in the built-in simulator
		lcb(p, h, (uint32_t)iif);
		return true;
	}
	ike_addr from, to;
	size_t len;
	unpack(w, p, h, &from, &to, &len);
	uint8_t proto = h.GetProtocol();
	std::vector<uint8_t> buf(w->scratch.begin(), w->scratch.begin() + (long)len); // hooks reuse scratch
	uint32_t in_link = idev->GetIfIndex() < n.dev_link.size() ? n.dev_link[idev->GetIfIndex()] : NO_NODE;
	if (n.fwd && n.fwd(n.fwd_ctx, now_ns(), node, in_link, proto, &from, &to, buf.data(), &len, buf.size())) {
		if (counted(proto))
			n.counts.dropped++;
		return true;
	}
	if (sim_addrmap_get(&w->addrs, &to) != node) {
		if (h.GetTtl() <= 1)
			trace_drop(w, node, "ttl", proto, &from, &to, len);
		else
			put_on_link(w, node, proto, &from, &to, buf.data(), len, &h, &ucb);
		return true;
	}
	// Ours after the hook (a NAT's inside address): delivered with the rewritten addresses.
	Ptr<Packet> q = Create<Packet>(buf.data(), (uint32_t)len);
	if (proto == SIM_PROTO_UDP) {
		UdpHeader u;
		u.SetSourcePort(from.port);
		u.SetDestinationPort(to.port);
		q->AddHeader(u);
	}
	Ipv4Header nh = h;
	nh.SetSource(v4(&from));
	nh.SetDestination(v4(&to));
	nh.SetPayloadSize((uint16_t)q->GetSize());
	lcb(q, nh, (uint32_t)iif);
	return true;
}

} // namespace ikesim_ns3
