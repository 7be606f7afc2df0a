// Cross traffic on the ns-3 backend: a TCP bulk transfer between two nodes, carried by ns-3's own TCP on
// the nodes' own stacks (its segments take the world's path like any datagram: hooks, faults, queues,
// the capture), with xtraffic.start / xtraffic.stop trace events.
#include "ns3_world.h"

#include <cstdio>

#include "ns3/inet-socket-address.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/tcp-l4-protocol.h"
#include "ns3/tcp-congestion-ops.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/uinteger.h"

using namespace ns3;

namespace ikesim_ns3 {

// IPv4 20 + TCP 20 + the timestamp option ns-3 puts on every segment (10, padded to 12).
constexpr uint32_t TCP_IP_OVERHEAD = 52;

struct Cross {
	World *w;
	sim_cross_cfg cfg;
	std::string name;
	uint32_t seg = 0;   // bytes of payload a segment carries
	Ptr<Socket> listener, src;
	std::vector<Ptr<Socket>> accepted;
	uint64_t sent = 0, rx = 0; // bytes TCP took from the sender; bytes the receiver read
	bool connected = false, stopped = false;

	void Start();
	void Stop();
	void Connected(Ptr<Socket>) { connected = true, Fill(); }
	void Failed(Ptr<Socket>) { stopped = true; }
	void Room(Ptr<Socket>, uint32_t) { Fill(); }
	void Accepted(Ptr<Socket> s, const Address &)
	{
		s->SetRecvCallback(MakeCallback(&Cross::Read, this));
		accepted.push_back(s);
	}
	void Read(Ptr<Socket> s)
	{
		while (Ptr<Packet> p = s->Recv()) {
			if (p->GetSize() == 0)
				break;
			rx += p->GetSize();
		}
	}
	void Fill();
	void Trace(const char *ev, const char *fields) const
	{
		if (w->ev_fn)
			w->ev_fn(w->ev_ctx, now_ns(), cfg.from, ev, fields);
		else
			ike_host_trace_event(w->trace, now_ns(), w->nodes[cfg.from].name.c_str(), ev, fields);
	}
};

World::World() = default;
World::~World() = default;

// Hands TCP as much as its send buffer takes, in whole segments; closes once max_bytes are handed over.
void Cross::Fill()
{
	if (!connected || stopped || !src)
		return;
	while (!cfg.max_bytes || sent < cfg.max_bytes) {
		uint64_t left = cfg.max_bytes ? cfg.max_bytes - sent : seg;
		uint32_t n = left < seg ? (uint32_t)left : seg;
		if (src->GetTxAvailable() < n)
			return; // Room() calls again once ACKs free the buffer
		int r = src->Send(Create<Packet>(n), 0);
		if (r <= 0)
			return;
		sent += (uint64_t)r;
	}
	src->Close();
	stopped = true;
}

static void addr_text(char *out, size_t cap, const ike_addr *a, bool port)
{
	if (port)
		std::snprintf(out, cap, "%u.%u.%u.%u:%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3], a->port);
	else
		std::snprintf(out, cap, "%u.%u.%u.%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3]);
}

void Cross::Start()
{
	ShimNode &n = w->nodes[cfg.from];
	char f[24], t[32], fields[200];
	addr_text(f, sizeof(f), &n.v4, false);
	addr_text(t, sizeof(t), &cfg.to_addr, true);
	src = Socket::CreateSocket(n.node, TcpSocketFactory::GetTypeId());
	src->SetAttribute("SegmentSize", UintegerValue(seg));
	src->SetConnectCallback(MakeCallback(&Cross::Connected, this), MakeCallback(&Cross::Failed, this));
	src->SetSendCallback(MakeCallback(&Cross::Room, this));
	const uint8_t *ip = cfg.to_addr.ip;
	Ipv4Address dst((uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 | (uint32_t)ip[2] << 8 | ip[3]);
	bool ok = src->Bind() == 0 && src->Connect(InetSocketAddress(dst, cfg.to_addr.port)) == 0;
	std::snprintf(fields, sizeof(fields), "\"name\":\"%s\",\"kind\":\"tcp_bulk\",\"from\":\"%s\",\"to\":\"%s\"%s",
		      name.c_str(), f, t, ok ? "" : ",\"error\":\"no route\"");
	Trace("xtraffic.start", fields);
	if (!ok)
		stopped = true;
}

void Cross::Stop()
{
	char fields[200];
	if (src && !stopped)
		src->Close(); // TCP still sends what its buffer holds, then FIN
	stopped = true;
	double secs = (double)(cfg.stop - cfg.start) / 1e9;
	std::snprintf(fields, sizeof(fields), "\"name\":\"%s\",\"sent\":%llu,\"delivered\":%llu,\"goodput_bps\":%.0f",
		      name.c_str(), (unsigned long long)sent, (unsigned long long)rx, (double)rx * 8 / secs);
	Trace("xtraffic.stop", fields);
}

int cross_add(World *w, const sim_cross_cfg *cfg)
{
	if (cfg->kind != SIM_CROSS_TCP_BULK || cfg->from >= w->nodes.size() || cfg->to >= w->nodes.size() ||
	    cfg->from == cfg->to || !w->nodes[cfg->from].has_v4 || cfg->to_addr.family != 4 || cfg->start < now_ns() ||
	    cfg->stop <= cfg->start)
		return -1;
	std::unique_ptr<Cross> x(new Cross());
	x->w = w;
	x->cfg = *cfg;
	x->name = cfg->name ? cfg->name : w->nodes[cfg->from].name;
	// Segments fill the sender's first link's MTU (1500 when it has none or no link).
	const ShimNode &from = w->nodes[cfg->from];
	uint32_t mtu = from.links.empty() ? 0 : w->links[from.links[0]].cfg.mtu;
	if (!mtu)
		mtu = 1500;
	x->seg = mtu > TCP_IP_OVERHEAD + 16 ? mtu - TCP_IP_OVERHEAD : 16; // a tiny MTU: segments die as "mtu"
	// NewReno, chosen here so that the model is the one docs/backends.md names whatever ns-3's default.
	for (uint32_t node : { cfg->from, cfg->to })
		if (Ptr<TcpL4Protocol> tcp = w->nodes[node].node->GetObject<TcpL4Protocol>())
			tcp->SetAttribute("SocketType", TypeIdValue(TcpNewReno::GetTypeId()));
	// The receiver listens from now on; a port already taken by other cross traffic fails here.
	x->listener = Socket::CreateSocket(w->nodes[cfg->to].node, TcpSocketFactory::GetTypeId());
	if (x->listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), cfg->to_addr.port)) != 0 ||
	    x->listener->Listen() != 0) {
		x->listener->Close();
		return -1;
	}
	x->listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address &>(),
				       MakeCallback(&Cross::Accepted, x.get()));
	Simulator::Schedule(NanoSeconds(cfg->start - now_ns()), &Cross::Start, x.get());
	Simulator::Schedule(NanoSeconds(cfg->stop - now_ns()), &Cross::Stop, x.get());
	w->cross.push_back(std::move(x));
	return 0;
}

} // namespace ikesim_ns3
