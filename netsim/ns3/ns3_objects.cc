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
#include "ns3/simulator.h"

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

  private:
	World *m_w;
	uint32_t m_link;
};

// A point-to-point device without serialisation: the built-in links have no bandwidth, so a packet goes on
// the channel the moment it is sent. (ns-3's own Send would hold a burst in its queue until a zero-length
// transmission completes, which runs the burst's arrivals after other events of the same instant.)
class ShimDevice : public PointToPointNetDevice {
  public:
	void SetShimChannel(ShimChannel *ch) { m_ch = ch; }

	bool Send(Ptr<Packet> packet, const Address &, uint16_t protocol) override
	{
		if (protocol != 0x0800 || !m_ch)
			return false; // IPv4 only: nothing else is ever sent (no ARP on point-to-point)
		PppHeader ppp;
		ppp.SetProtocol(0x0021); // RFC 1332: IPv4 in PPP
		packet->AddHeader(ppp);
		return m_ch->TransmitStart(packet, this, Time(0));
	}

  private:
	ShimChannel *m_ch = nullptr; // not owned: Attach() holds it, and a Ptr here would make a cycle
};

// Every packet reaching the node is the world's to judge; nothing originates through RouteOutput (the
// world sends with explicit routes), so it answers "no route" there.
class ShimRouting : public Ipv4RoutingProtocol {
  public:
	ShimRouting(World *w, uint32_t node) : m_w(w), m_node(node) {}

	Ptr<Ipv4Route> RouteOutput(Ptr<Packet>, const Ipv4Header &, Ptr<NetDevice>, Socket::SocketErrno &err) override
	{
		err = Socket::ERROR_NOROUTETOHOST;
		return nullptr;
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
	l3->SetRoutingProtocol(CreateObject<ShimRouting>(w, node));
	if (Ptr<IpL4Protocol> udp = l3->GetProtocol(SIM_PROTO_UDP))
		l3->Remove(udp);
	for (int proto : { SIM_PROTO_UDP, SIM_PROTO_ESP, SIM_PROTO_AH })
		l3->Insert(CreateObject<ShimTransport>(w, node, proto));
	n.ipv4 = l3;
	n.dev_link.assign(n.node->GetNDevices(), NO_NODE); // the loopback device
	return 0;
}

// A device for one end: room for any IP packet (the link MTU is the world's, a drop, never a fragment); its
// queue and rate are ns-3's defaults' shape but unused while links have no bandwidth (ShimDevice::Send).
static Ptr<PointToPointNetDevice> make_device(World *w, uint32_t node, uint32_t link, Ptr<ShimChannel> ch)
{
	ShimNode &n = w->nodes[node];
	Ptr<ShimDevice> d = CreateObject<ShimDevice>();
	d->SetShimChannel(PeekPointer(ch));
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint32_t id = ++w->macs;
	for (int i = 0; i < 4; i++)
		mac[2 + i] = (uint8_t)(id >> (24 - 8 * i));
	Mac48Address addr;
	addr.CopyFrom(mac);
	d->SetAddress(addr);
	d->SetDataRate(DataRate(UINT64_C(1) << 62));
	d->SetMtu(65535);
	Ptr<DropTailQueue<Packet>> q = CreateObject<DropTailQueue<Packet>>();
	d->SetQueue(q);
	n.node->AddDevice(d);
	Ptr<NetDeviceQueueInterface> ndqi = CreateObject<NetDeviceQueueInterface>();
	ndqi->GetTxQueue(0)->ConnectQueueTraces(q);
	d->AggregateObject(ndqi);
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
	l.dev[0] = make_device(w, l.a, link, ch);
	l.dev[1] = make_device(w, l.b, link, ch);
	if (!l.dev[0] || !l.dev[1] || !l.dev[0]->Attach(ch) || !l.dev[1]->Attach(ch))
		return -1;
	return 0;
}

} // namespace ikesim_ns3
