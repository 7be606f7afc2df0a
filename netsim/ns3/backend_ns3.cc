// The sim_backend vtable over ns-3: the world's lifecycle, topology, timers and the run loop. ns-3 has one
// simulator per process, so one backend lives at a time; destroy() clears what ns-3 keeps between runs.
#include "ns3/backend_ns3.h"

#include <atomic>
#include <cstdio>
#include <new>

#include <openssl/crypto.h>

#include "ns3_world.h"

#include "ns3/ipv4-address-generator.h"
#include "ns3/names.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"

using namespace ns3;
using namespace ikesim_ns3;

namespace {

std::atomic<bool> g_in_use{ false }; // ns-3's simulator is process-wide: the one state we must share

World *W(void *impl) { return static_cast<World *>(impl); }

int64_t b_now(void *impl)
{
	// Between runs ns-3's clock stands at the stop event; ours at the last event that did something.
	return Simulator::IsFinished() || now_ns() > W(impl)->last_t ? W(impl)->last_t : now_ns();
}

void fire(World *w, sim_fn fn, void *arg)
{
	w->last_t = now_ns();
	fn(arg);
}

int b_schedule(void *impl, int64_t t, sim_fn fn, void *arg)
{
	int64_t now = now_ns();
	try {
		Simulator::Schedule(NanoSeconds(t > now ? t - now : 0), &fire, W(impl), fn, arg);
	} catch (const std::bad_alloc &) {
		return -1;
	}
	return 0;
}

void b_send_ip(void *impl, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
	       const uint8_t *data, size_t len)
{
	world_send(W(impl), node, proto, from, to, data, len);
}

void b_send(void *impl, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	world_send(W(impl), node, SIM_PROTO_UDP, from, to, data, len);
}

int32_t b_add_node(void *impl, const char *name, sim_deliver_fn deliver, void *ctx)
{
	World *w = W(impl);
	if (w->nodes.size() >= INT32_MAX)
		return -1;
	try {
		w->nodes.emplace_back();
		ShimNode &n = w->nodes.back();
		n.name = name;
		n.deliver = deliver;
		n.ctx = ctx;
		if (objects_install_node(w, (uint32_t)(w->nodes.size() - 1)) != 0)
			return -1;
	} catch (const std::bad_alloc &) {
		return -1;
	}
	return (int32_t)(w->nodes.size() - 1);
}

int b_add_addr(void *impl, uint32_t node, const ike_addr *addr)
{
	World *w = W(impl);
	if (node >= w->nodes.size() || addr->family != 4) // IPv4 only so far (docs/backends.md)
		return -1;
	if (sim_addrmap_put(&w->addrs, addr, node) != 0)
		return -1;
	ShimNode &n = w->nodes[node];
	if (!n.has_v4) {
		n.v4 = *addr;
		n.has_v4 = true;
	}
	return 0;
}

int b_move_addr(void *impl, uint32_t node, const ike_addr *addr, int give_up)
{
	World *w = W(impl);
	if (node >= w->nodes.size() || addr->family != 4)
		return -1;
	return sim_addrmap_set(&w->addrs, addr, give_up ? SIM_ADDRMAP_NONE : node, node);
}

int b_add_link(void *impl, uint32_t a, uint32_t b, const sim_link_cfg *cfg)
{
	World *w = W(impl);
	if (a >= w->nodes.size() || b >= w->nodes.size() || a == b || world_find_link(w, a, b) != NO_NODE)
		return -1;
	try {
		uint32_t li = (uint32_t)w->links.size();
		w->links.emplace_back();
		ShimLink &l = w->links.back();
		l.a = a;
		l.b = b;
		l.cfg = *cfg;
		w->nodes[a].links.push_back(li);
		w->nodes[b].links.push_back(li);
		return objects_make_link(w, li);
	} catch (const std::bad_alloc &) {
		return -1;
	}
}

void b_set_trace(void *impl, ike_host_trace *t) { W(impl)->trace = t; }
void b_set_event_hook(void *impl, sim_event_fn fn, void *ctx)
{
	W(impl)->ev_fn = fn;
	W(impl)->ev_ctx = ctx;
}

int b_add_hook(void *impl, uint32_t node, sim_hook_fn fn, void *ctx)
{
	try {
		W(impl)->hooks.push_back(Hook{ node, fn, ctx });
	} catch (const std::bad_alloc &) {
		return -1;
	}
	return 0;
}

int b_add_route(void *impl, uint32_t node, const ike_addr *prefix, uint8_t plen, uint32_t via)
{
	World *w = W(impl);
	if (node >= w->nodes.size() || via >= w->nodes.size())
		return -1;
	uint32_t li = world_find_link(w, node, via);
	if (li == NO_NODE)
		return -1;
	return sim_routes_add(&w->nodes[node].routes, plen ? prefix : nullptr, plen, li);
}

int b_set_forward(void *impl, uint32_t node, sim_fwd_fn fn, void *ctx)
{
	World *w = W(impl);
	if (node >= w->nodes.size())
		return -1;
	ShimNode &n = w->nodes[node];
	n.forwards = true;
	n.fwd = fn;
	n.fwd_ctx = ctx;
	for (uint32_t i = 0; i < n.ipv4->GetNInterfaces(); i++)
		n.ipv4->SetForwarding(i, true);
	return 0;
}

void b_set_tap(void *impl, sim_tap_fn fn, void *ctx)
{
	W(impl)->tap = fn;
	W(impl)->tap_ctx = ctx;
}

int64_t b_run(void *impl, int64_t until)
{
	World *w = W(impl);
	int64_t now = now_ns();
	if (until < now)
		return w->last_t;
	EventId stop;
	// Events at `until` itself run, as in the built-in simulator: ns-3 stops one nanosecond later.
	if (until < INT64_MAX - 1)
		stop = Simulator::Schedule(NanoSeconds(until - now + 1), &Simulator::Stop);
	Simulator::Run();
	if (stop.IsRunning() || !stop.IsExpired())
		Simulator::Remove(stop); // not Cancel: a cancelled event still stops the clock at its time
	return w->last_t;
}

void b_stop(void *) { Simulator::Stop(); }

int b_add_cross(void *impl, const sim_cross_cfg *cfg)
{
	try {
		return cross_add(W(impl), cfg);
	} catch (const std::bad_alloc &) {
		return -1;
	}
}

sim_counts b_node_counts(const void *impl, uint32_t node)
{
	const World *w = static_cast<const World *>(impl);
	return node < w->nodes.size() ? w->nodes[node].counts : sim_counts{ 0, 0, 0 };
}

sim_mtu_drops b_link_mtu_drops(const void *impl, size_t link)
{
	const World *w = static_cast<const World *>(impl);
	return link < w->links.size() ? w->links[link].mtu : sim_mtu_drops{ 0, 0 };
}

void b_destroy(void *impl)
{
	World *w = W(impl);
	Simulator::Destroy(); // frees the nodes and every packet in flight
	for (ShimNode &n : w->nodes)
		sim_routes_free(&n.routes);
	sim_addrmap_free(&w->addrs);
	for (ShimLink &l : w->links)
		if (l.rng)
			OPENSSL_cleanse(l.rng.get(), 2 * sizeof(ike_drbg));
	delete w;
	Names::Clear();               // ns-3 keeps names across Simulator::Destroy
	Ipv4AddressGenerator::Reset(); // and its address generator: a second run would abort on a collision
	g_in_use = false;
}

} // namespace

extern "C" int sim_backend_ns3(uint64_t seed, sim_backend *out, char *err, size_t errlen)
{
	if (g_in_use.exchange(true)) {
		std::snprintf(err, errlen, "the ns-3 backend is already in use in this process (ns-3 has one simulator)");
		return -1;
	}
	World *w = new (std::nothrow) World();
	if (!w) {
		g_in_use = false;
		std::snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->seed = seed;
	sim_addrmap_init(&w->addrs);
	try {
		w->scratch.resize(HOOK_CAP);
	} catch (const std::bad_alloc &) {
		delete w;
		g_in_use = false;
		std::snprintf(err, errlen, "out of memory");
		return -1;
	}
	// ns-3's own random variables (none are used yet; queues and TCP would) follow the scenario seed.
	uint32_t s32 = (uint32_t)(seed ^ (seed >> 32));
	RngSeedManager::SetSeed(s32 ? s32 : 1);
	RngSeedManager::SetRun(1);
	*out = sim_backend{};
	out->impl = w;
	out->now = b_now;
	out->schedule = b_schedule;
	out->send = b_send;
	out->send_ip = b_send_ip;
	out->add_node = b_add_node;
	out->add_addr = b_add_addr;
	out->move_addr = b_move_addr;
	out->add_link = b_add_link;
	out->set_trace = b_set_trace;
	out->set_event_hook = b_set_event_hook;
	out->add_hook = b_add_hook;
	out->add_route = b_add_route;
	out->set_forward = b_set_forward;
	out->set_tap = b_set_tap;
	out->run = b_run;
	out->stop = b_stop;
	out->node_counts = b_node_counts;
	out->link_mtu_drops = b_link_mtu_drops;
	out->destroy = b_destroy;
	out->add_cross = b_add_cross;
	return 0;
}

extern "C" int sim_backend_ns3_built(void) { return 1; }
