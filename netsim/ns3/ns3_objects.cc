// The ns-3 classes of the backend: a link's channel (the shared per-hop definition), each node's routing
// object (every arriving packet goes through the world: NAT hooks, forwarding, local delivery) and the
// transport that hands UDP, ESP and AH datagrams to the node's deliver callback.
#include "ns3_world.h"

#include "ns3/data-rate.h"
#include "ns3/drop-tail-queue.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ip-l4-protocol.h"
#include "ns3/ipv4-l3-protocol.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device-queue-interface.h"
#include "ns3/point-to-point-channel.h"
#include "ns3/ppp-header.h"
#include "ns3/queue-size.h"
#include "ns3/simulator.h"
#include "ns3/tcp-l4-protocol.h"

using namespace ns3;

namespace ikesim_ns3 {

namespace {

// A point-to-point channel whose delay, loss and MTU are the world's per-hop definition (sim_hop.h).
class ShimChannel : public PointToPointChannel {
  public:
	ShimChannel(World *w, uint32_t link) : m_w(w), m_link(link) {}

	bool TransmitStart(Ptr<const Packet> p, Ptr<PointToPointNetDevice> src, Time txTime) override
	{
		int dir = src == GetPointToPointDevice(0) ? 0 : 1;
		Ptr<PointToPointNetDevice> dst = GetPointToPointDevice(1 - dir);
		int64_t delay = world_transmit(m_w, m_link, dir, p);
		if (delay < 0)
			return true; // lost: the world traced and tapped it
		Simulator::ScheduleWithContext(dst->GetNode()->GetId(), txTime + NanoSeconds(delay),
					       &PointToPointNetDevice::Receive, dst, p->Copy());
		return true;
	}

	// A tail drop in the queue of the a-end (0) or b-end (1) device.
	void QueueDrop0(Ptr<const Packet> p) { world_queue_drop(m_w, m_link, 0, p); }
	void QueueDrop1(Ptr<const Packet> p) { world_queue_drop(m_w, m_link, 1, p); }

  private:
	World *m_w;
	uint32_t m_link;
};

// A point-to-point device. Without a rate (the built-in links have no bandwidth) a packet goes on the
// channel the moment it is sent: ns-3's own Send would hold a burst in its queue until a zero-length
// transmission completes, which runs the burst's arrivals after other events of the same instant. With a
// rate it is ns-3's device: DropTail queue, serialisation of size * 8 / rate, one packet on the wire.
class ShimDevice : public PointToPointNetDevice {
  public:
	void SetShimChannel(ShimChannel *ch, bool rated)
	{
		m_ch = ch;
		m_rated = rated;
	}

	bool Send(Ptr<Packet> packet, const Address &dest, uint16_t protocol) override
	{
		if (protocol != 0x0800 || !m_ch)
			return false; // IPv4 only: nothing else is ever sent (no ARP on point-to-point)
		if (m_rated)
			return PointToPointNetDevice::Send(packet, dest, protocol);
		PppHeader ppp;
		ppp.SetProtocol(0x0021); // RFC 1332: IPv4 in PPP
		packet->AddHeader(ppp);
		return m_ch->TransmitStart(packet, this, Time(0));
	}

  private:
	ShimChannel *m_ch = nullptr; // not owned: Attach() holds it, and a Ptr here would make a cycle
	bool m_rated = false;
};

// Every packet reaching the node is the world's to judge. Only the node's own TCP (cross traffic) asks
// RouteOutput; the world sends everything else with explicit routes.
class ShimRouting : public Ipv4RoutingProtocol {
  public:
	ShimRouting(World *w, uint32_t node) : m_w(w), m_node(node) {}

	Ptr<Ipv4Route> RouteOutput(Ptr<Packet>, const Ipv4Header &h, Ptr<NetDevice>, Socket::SocketErrno &err) override
	{
		Ptr<Ipv4Route> r = world_route_output(m_w, m_node, h);
		err = r ? Socket::ERROR_NOTERROR : Socket::ERROR_NOROUTETOHOST;
		return r;
	}

	// TCP's way down (instead of Ipv4::Send): through the world, so hooks, faults and the tap see it.
	void TcpDown(Ptr<Packet> p, Ipv4Address src, Ipv4Address dst, uint8_t proto, Ptr<Ipv4Route>)
	{
		world_send_packet(m_w, m_node, p, src, dst, proto);
	}

	bool RouteInput(Ptr<const Packet> p, const Ipv4Header &h, Ptr<const NetDevice> idev,
			UnicastForwardCallback ucb, MulticastForwardCallback, LocalDeliverCallback lcb,
			ErrorCallback) override
	{
		return world_route_input(m_w, m_node, p, h, idev, ucb, lcb);
	}

	void NotifyInterfaceUp(uint32_t) override {}
	void NotifyInterfaceDown(uint32_t) override {}
	void NotifyAddAddress(uint32_t, Ipv4InterfaceAddress) override {}
	void NotifyRemoveAddress(uint32_t, Ipv4InterfaceAddress) override {}
	void SetIpv4(Ptr<Ipv4>) override {}
	void PrintRoutingTable(Ptr<OutputStreamWrapper>, Time::Unit) const override {}

  private:
	World *m_w;
	uint32_t m_node;
};

// The node's transport for one IP protocol (17, 50 or 51): the datagram goes to the deliver callback.
// It replaces ns-3's UDP, which would answer unbound ports with ICMP the built-in backend never sends.
class ShimTransport : public IpL4Protocol {
  public:
	ShimTransport(World *w, uint32_t node, int proto) : m_w(w), m_node(node), m_proto(proto) {}

	int GetProtocolNumber() const override { return m_proto; }

	RxStatus Receive(Ptr<Packet> p, const Ipv4Header &h, Ptr<Ipv4Interface>) override
	{
		world_deliver(m_w, m_node, p, h);
		return RX_OK;
	}

	RxStatus Receive(Ptr<Packet>, const Ipv6Header &, Ptr<Ipv6Interface>) override { return RX_ENDPOINT_UNREACH; }

	void SetDownTarget(DownTargetCallback cb) override { m_down = cb; }
	void SetDownTarget6(DownTargetCallback6 cb) override { m_down6 = cb; }
	DownTargetCallback GetDownTarget() const override { return m_down; }
	DownTargetCallback6 GetDownTarget6() const override { return m_down6; }

  private:
	World *m_w;
	uint32_t m_node;
	int m_proto;
	DownTargetCallback m_down;
	DownTargetCallback6 m_down6;
};

} // namespace

int objects_install_node(World *w, uint32_t node)
{
	ShimNode &n = w->nodes[node];
	InternetStackHelper stack;
	stack.SetIpv6StackInstall(false); // IPv4 only: the backend refuses IPv6 addresses (docs/backends.md)
	stack.SetRoutingHelper(Ipv4StaticRoutingHelper());
	n.node = CreateObject<Node>();
	stack.Install(n.node);
	Ptr<Ipv4L3Protocol> l3 = n.node->GetObject<Ipv4L3Protocol>();
	if (!l3)
		return -1;
	Ptr<ShimRouting> routing = CreateObject<ShimRouting>(w, node);
	l3->SetRoutingProtocol(routing);
	if (Ptr<IpL4Protocol> udp = l3->GetProtocol(SIM_PROTO_UDP))
		l3->Remove(udp);
	if (Ptr<IpL4Protocol> tcp = l3->GetProtocol(TcpL4Protocol::PROT_NUMBER)) // raw pointer: the node owns both
		tcp->SetDownTarget(MakeCallback(&ShimRouting::TcpDown, PeekPointer(routing)));
	for (int proto : { SIM_PROTO_UDP, SIM_PROTO_ESP, SIM_PROTO_AH })
		l3->Insert(CreateObject<ShimTransport>(w, node, proto));
	n.ipv4 = l3;
	n.dev_link.assign(n.node->GetNDevices(), NO_NODE); // the loopback device
	return 0;
}

// A device for one end: room for any IP packet (the link MTU is the world's, a drop, never a fragment).
// Without a rate its queue is never used (ShimDevice::Send). With one, ns-3 serialises at that rate and
// tail-drops in a DropTail queue of cfg.queue packets; no NetDeviceQueueInterface is aggregated, because
// with one the traffic-control layer would discard packets silently while the device queue is full,
// where the queue's own drop is the one the trace must see.
static Ptr<PointToPointNetDevice> make_device(World *w, uint32_t node, uint32_t link, int dir, Ptr<ShimChannel> ch)
{
	ShimNode &n = w->nodes[node];
	const sim_link_cfg &cfg = w->links[link].cfg;
	Ptr<ShimDevice> d = CreateObject<ShimDevice>();
	d->SetShimChannel(PeekPointer(ch), cfg.rate != 0);
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint32_t id = ++w->macs;
	for (int i = 0; i < 4; i++)
		mac[2 + i] = (uint8_t)(id >> (24 - 8 * i));
	Mac48Address addr;
	addr.CopyFrom(mac);
	d->SetAddress(addr);
	d->SetDataRate(DataRate(cfg.rate ? cfg.rate : UINT64_C(1) << 62));
	d->SetMtu(65535);
	Ptr<DropTailQueue<Packet>> q = CreateObject<DropTailQueue<Packet>>();
	if (cfg.rate) {
		uint32_t max = cfg.queue ? cfg.queue : SIM_LINK_QUEUE_DEFAULT;
		if (!q->SetAttributeFailSafe("MaxSize", QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, max))))
			return nullptr;
		q->TraceConnectWithoutContext("DropBeforeEnqueue", MakeCallback(dir ? &ShimChannel::QueueDrop1 : &ShimChannel::QueueDrop0,
										 PeekPointer(ch)));
	}
	d->SetQueue(q);
	n.node->AddDevice(d);
	if (!cfg.rate) {
		Ptr<NetDeviceQueueInterface> ndqi = CreateObject<NetDeviceQueueInterface>();
		ndqi->GetTxQueue(0)->ConnectQueueTraces(q);
		d->AggregateObject(ndqi);
	}
	if (n.dev_link.size() <= d->GetIfIndex())
		n.dev_link.resize(d->GetIfIndex() + 1, NO_NODE);
	n.dev_link[d->GetIfIndex()] = link;
	int32_t i = n.ipv4->AddInterface(d);
	if (i < 0)
		return nullptr;
	n.ipv4->SetUp((uint32_t)i);
	return d;
}

int objects_make_link(World *w, uint32_t link)
{
	ShimLink &l = w->links[link];
	Ptr<ShimChannel> ch = CreateObject<ShimChannel>(w, link);
	l.dev[0] = make_device(w, l.a, link, 0, ch);
	l.dev[1] = make_device(w, l.b, link, 1, ch);
	if (!l.dev[0] || !l.dev[1] || !l.dev[0]->Attach(ch) || !l.dev[1]->Attach(ch))
		return -1;
	return 0;
}

} // namespace ikesim_ns3
