/*
 * The runner's side of forwarding: routers and NAT boxes are made forwarding nodes of the backend, their
 * routes added, and each NAT (nat.c) plugged in as the node's forwarding hook, with an expiry timer and
 * its trace events (nat.map, nat.drop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/names.h"
#include "nat.h"
#include "run_int.h"

typedef struct rnat {
	runner *r;
	uint32_t node;
	sim_nat *nat;
	uint32_t *inside_links; /* add_link indices of the inside side */
	size_t n_inside;
	int64_t armed; /* the pending expiry event, INT64_MAX = none */
} rnat;

struct sim_run_nat {
	rnat *boxes; /* per node; nat NULL where the node has none */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void fmt(const ike_addr *a, char *out, size_t cap) { ike_host_addr_format(a, out, cap); }

static void on_event(void *ctx, const sim_nat_event *ev)
{
	static const char *const what[] = { "created", "refreshed", "expired", "flushed" };
	rnat *b = ctx;
	char in[64], out[64], rem[64], f[320];
	fmt(&ev->inside, in, sizeof(in));
	fmt(&ev->outside, out, sizeof(out));
	int k = snprintf(f, sizeof(f), "\"what\":\"%s\",\"proto\":\"udp\",\"inside\":\"%s\",\"outside\":\"%s\"",
			 what[ev->kind], in, out);
	if (ev->remote.family) {
		fmt(&ev->remote, rem, sizeof(rem));
		k += snprintf(f + k, sizeof(f) - (size_t)k, ",\"remote\":\"%s\"", rem);
	}
	if (ev->fixed)
		snprintf(f + k, sizeof(f) - (size_t)k, ",\"fixed\":true");
	sim_rn_event(b->r, ev->at, b->node, "nat.map", f);
}

static void rearm(rnat *b);

static int is_pool(const sim_nat_spec *nat, const ike_addr *a)
{
	for (uint8_t k = 0; k < nat->cfg.n_pool; k++)
		if (a->family == 4 && !memcmp(nat->cfg.pool[k].ip, a->ip, 4))
			return 1;
	return 0;
}

static void on_timer(void *arg)
{
	rnat *b = arg;
	int64_t now = b->r->be.now(b->r->be.impl);
	if (now != b->armed)
		return; /* superseded */
	b->armed = INT64_MAX;
	sim_nat_expire(b->nat, now);
	rearm(b);
}

/* One pending event at the earliest expiry (mappings only ever expire later than the head). */
static void rearm(rnat *b)
{
	int64_t d = sim_nat_next_expiry(b->nat);
	if (d == INT64_MAX || b->armed <= d)
		return;
	if (b->r->be.schedule(b->r->be.impl, d, on_timer, b) == 0)
		b->armed = d;
	else
		b->r->failed = "out of memory scheduling a NAT mapping's expiry";
}

static void trace_drop(rnat *b, int64_t now, const char *why, uint8_t proto, const ike_addr *from,
		       const ike_addr *to, size_t len)
{
	char fa[64], ta[64], f[320];
	fmt(from, fa, sizeof(fa));
	fmt(to, ta, sizeof(ta));
	snprintf(f, sizeof(f), "\"why\":\"%s\",\"proto\":%u,\"from\":\"%s\",\"to\":\"%s\",\"size\":%zu", why, proto, fa,
		 ta, len);
	sim_rn_event(b->r, now, b->node, "nat.drop", f);
}

/* The backend's forwarding hook of a NAT node. */
static const char *nat_hook(void *ctx, int64_t now, uint32_t node, size_t in_link, uint8_t proto, ike_addr *from,
			    ike_addr *to, uint8_t *data, size_t *len, size_t cap)
{
	rnat *b = ctx;
	(void)cap;
	uint32_t l = (uint32_t)in_link;
	int side = bsearch(&l, b->inside_links, b->n_inside, sizeof(l), cmp_u32) ? SIM_NAT_INSIDE : SIM_NAT_OUTSIDE;
	const sim_node_spec *ns = &b->r->sc->nodes[node];
	for (size_t k = 0; k < ns->n_addrs; k++) /* to the box itself, not to its pool: no translation */
		if (ns->addrs[k].family == to->family && !memcmp(ns->addrs[k].ip, to->ip, to->family == 4 ? 4 : 16) && !is_pool(ns->nat, to))
			return NULL;
	ike_addr f0 = *from, t0 = *to;
	const char *why = sim_nat_process(b->nat, now, side, proto, from, to);
	if (why) {
		char w[48];
		trace_drop(b, now, why, proto, &f0, &t0, *len);
		snprintf(w, sizeof(w), "nat: %s", why);
		sim_rc_rx_drop_on(b->r, now, in_link, b->r->sc->links[in_link].a == node, node, proto, &f0, &t0, data, *len, w);
	}
	rearm(b);
	return why;
}

/* The NAT's default route: its one outside link, unless the scenario gave a default. */
static int nat_default(runner *r, uint32_t i, const rnat *b)
{
	const sim_node_spec *ns = &r->sc->nodes[i];
	uint32_t out = UINT32_MAX, n_out = 0;
	for (size_t k = 0; k < ns->n_routes; k++)
		if (!ns->routes[k].plen)
			return 0;
	for (size_t l = 0; l < r->sc->n_links; l++) {
		const sim_link_spec *ls = &r->sc->links[l];
		int in = 0;
		if (ls->a != i && ls->b != i)
			continue;
		uint32_t l32 = (uint32_t)l;
		in = bsearch(&l32, b->inside_links, b->n_inside, sizeof(l32), cmp_u32) != NULL;
		if (!in) {
			out = ls->a == i ? ls->b : ls->a;
			n_out++;
		}
	}
	return n_out == 1 ? r->be.add_route(r->be.impl, i, NULL, 0, out) : 0;
}

static int setup_box(runner *r, uint32_t i, rnat *b)
{
	const sim_nat_spec *ns = r->sc->nodes[i].nat;
	*b = (rnat){ .r = r, .node = i, .armed = INT64_MAX };
	/* inside links, sorted for a binary search per datagram (a CGN may have thousands) */
	uint32_t *nodes = malloc(ns->n_inside * sizeof(*nodes));
	if (!nodes || !(b->inside_links = calloc(ns->n_inside, sizeof(*b->inside_links)))) {
		free(nodes);
		return -1;
	}
	memcpy(nodes, ns->inside, ns->n_inside * sizeof(*nodes));
	qsort(nodes, ns->n_inside, sizeof(*nodes), cmp_u32);
	for (size_t l = 0; l < r->sc->n_links && b->n_inside < ns->n_inside; l++) {
		const sim_link_spec *ls = &r->sc->links[l];
		uint32_t other = ls->a == i ? ls->b : ls->a;
		if ((ls->a == i || ls->b == i) && bsearch(&other, nodes, ns->n_inside, sizeof(*nodes), cmp_u32))
			b->inside_links[b->n_inside++] = (uint32_t)l;
	}
	free(nodes);
	if (!(b->nat = sim_nat_new(&ns->cfg, on_event, b)))
		return -1;
	for (size_t k = 0; k < ns->cfg.n_fwd; k++) {
		char in[64], out[64], f[200];
		ike_addr o = ns->cfg.pool[ns->cfg.fwd[k].pool];
		o.port = ns->cfg.fwd[k].port;
		fmt(&ns->cfg.fwd[k].inside, in, sizeof(in));
		fmt(&o, out, sizeof(out));
		snprintf(f, sizeof(f), "\"what\":\"created\",\"proto\":\"udp\",\"inside\":\"%s\",\"outside\":\"%s\",\"fixed\":true",
			 in, out);
		sim_rn_event(r, 0, i, "nat.map", f);
	}
	return r->be.set_forward(r->be.impl, i, nat_hook, b) || nat_default(r, i, b);
}

int sim_rnat_setup(runner *r)
{
	const sim_scenario *sc = r->sc;
	size_t fw = 0;
	for (uint32_t i = 0; i < sc->n_nodes; i++)
		fw += sc->nodes[i].forward || sc->nodes[i].n_routes;
	if (!fw)
		return 0;
	if (!(r->nat = calloc(1, sizeof(*r->nat))) || !(r->nat->boxes = calloc(sc->n_nodes, sizeof(rnat))))
		return -1;
	for (uint32_t i = 0; i < sc->n_nodes; i++) {
		const sim_node_spec *ns = &sc->nodes[i];
		if (ns->nat ? setup_box(r, i, &r->nat->boxes[i]) : ns->forward && r->be.set_forward(r->be.impl, i, NULL, NULL))
			return -1;
		for (size_t k = 0; k < ns->n_routes; k++)
			if (r->be.add_route(r->be.impl, i, &ns->routes[k].prefix, ns->routes[k].plen, ns->routes[k].via))
				return -1;
	}
	return 0;
}

void sim_rnat_free(runner *r)
{
	if (!r->nat)
		return;
	for (size_t i = 0; r->nat->boxes && i < r->sc->n_nodes; i++) {
		sim_nat_free(r->nat->boxes[i].nat);
		free(r->nat->boxes[i].inside_links);
	}
	free(r->nat->boxes);
	free(r->nat);
	r->nat = NULL;
}

void sim_rnat_reboot(runner *r, uint32_t node, int64_t now)
{
	if (r->nat && r->nat->boxes[node].nat)
		sim_nat_flush(r->nat->boxes[node].nat, now);
}

int sim_rnat_collect(runner *r, sim_run_result *res)
{
	if (!r->nat)
		return 0;
	int any = 0;
	for (size_t i = 0; i < r->sc->n_nodes; i++)
		any |= r->nat->boxes[i].nat != NULL;
	if (!any)
		return 0;
	if (!(res->nat_nodes = calloc(r->sc->n_nodes, sizeof(*res->nat_nodes))))
		return -1;
	for (size_t i = 0; i < r->sc->n_nodes; i++)
		if (r->nat->boxes[i].nat)
			res->nat_nodes[i] = sim_nat_get_stats(r->nat->boxes[i].nat);
	return 0;
}
