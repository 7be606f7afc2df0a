/* The sim_backend vtable over the built-in simulator. */
#include "sim.h"

static int64_t b_now(void *impl) { return sim_now(impl); }

static int b_schedule(void *impl, int64_t t, sim_fn fn, void *arg) { return sim_schedule(impl, t, fn, arg); }

static void b_send(void *impl, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		   size_t len)
{
	sim_send(impl, node, from, to, data, len);
}

static int32_t b_add_node(void *impl, const char *name, sim_deliver_fn deliver, void *ctx)
{
	return sim_add_node(impl, name, deliver, ctx);
}

static int b_add_addr(void *impl, uint32_t node, const ike_addr *addr) { return sim_add_addr(impl, node, addr); }

static int b_add_link(void *impl, uint32_t a, uint32_t b, const sim_link_cfg *cfg)
{
	return sim_add_link(impl, a, b, cfg);
}

static int64_t b_run(void *impl, int64_t until) { return sim_run(impl, until); }

sim_backend sim_builtin_backend(sim *s)
{
	sim_backend b = { s, b_now, b_schedule, b_send, b_add_node, b_add_addr, b_add_link, b_run };
	return b;
}
