/* The sim_backend vtable over the built-in simulator. */
#include "sim.h"

static int64_t b_now(void *impl) { return sim_now(impl); }

static int b_schedule(void *impl, int64_t t, sim_fn fn, void *arg) { return sim_schedule(impl, t, fn, arg); }

static void b_send(void *impl, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		   size_t len)
{
	sim_send(impl, node, from, to, data, len);
}

static void b_send_ip(void *impl, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
		      const uint8_t *data, size_t len)
{
	sim_send_ip(impl, node, proto, from, to, data, len);
}

static int32_t b_add_node(void *impl, const char *name, sim_deliver_fn deliver, void *ctx)
{
	return sim_add_node(impl, name, deliver, ctx);
}

static int b_add_addr(void *impl, uint32_t node, const ike_addr *addr) { return sim_add_addr(impl, node, addr); }
static int b_move_addr(void *impl, uint32_t node, const ike_addr *addr, int give_up)
{
	return sim_move_addr(impl, node, addr, give_up);
}

static int b_add_link(void *impl, uint32_t a, uint32_t b, const sim_link_cfg *cfg)
{
	return sim_add_link(impl, a, b, cfg);
}

static void b_set_trace(void *impl, ike_host_trace *t) { sim_set_trace(impl, t); }
static void b_set_event_hook(void *impl, sim_event_fn fn, void *ctx) { sim_set_event_hook(impl, fn, ctx); }

static int b_add_hook(void *impl, uint32_t node, sim_hook_fn fn, void *ctx) { return sim_add_hook(impl, node, fn, ctx); }

static int b_add_route(void *impl, uint32_t node, const ike_addr *prefix, uint8_t plen, uint32_t via)
{
	return sim_add_route(impl, node, prefix, plen, via);
}

static int b_set_forward(void *impl, uint32_t node, sim_fwd_fn fn, void *ctx)
{
	return sim_set_forward(impl, node, fn, ctx);
}

static void b_set_tap(void *impl, sim_tap_fn fn, void *ctx) { sim_set_tap(impl, fn, ctx); }

static int64_t b_run(void *impl, int64_t until) { return sim_run(impl, until); }

static void b_stop(void *impl) { sim_stop(impl); }

static sim_counts b_node_counts(const void *impl, uint32_t node) { return sim_node_counts(impl, node); }

static sim_mtu_drops b_link_mtu_drops(const void *impl, size_t link) { return sim_link_mtu_drops(impl, link); }

static void b_destroy(void *impl) { sim_free(impl); }

sim_backend sim_builtin_backend(sim *s)
{
	sim_backend b = { .impl = s,
			  .now = b_now,
			  .schedule = b_schedule,
			  .send = b_send,
			  .send_ip = b_send_ip,
			  .add_node = b_add_node,
			  .add_addr = b_add_addr,
			  .move_addr = b_move_addr,
			  .add_link = b_add_link,
			  .set_trace = b_set_trace,
			  .set_event_hook = b_set_event_hook,
			  .add_hook = b_add_hook,
			  .add_route = b_add_route,
			  .set_forward = b_set_forward,
			  .set_tap = b_set_tap,
			  .run = b_run,
			  .stop = b_stop,
			  .node_counts = b_node_counts,
			  .link_mtu_drops = b_link_mtu_drops,
			  .destroy = b_destroy };
	return b;
}

int sim_backend_builtin(uint64_t seed, sim_backend *out)
{
	sim *s = sim_new(seed);
	if (!s)
		return -1;
	*out = sim_builtin_backend(s);
	return 0;
}
