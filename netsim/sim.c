/* The built-in simulator: nodes own addresses, links join node pairs, datagrams become timed events. */
#include "host/names.h"
#include "sim.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/drbg.h"
#include "sim_addrmap.h"
#include "sim_hop.h"
#include "sim_route.h"

#define NO_NODE UINT32_MAX

typedef struct sim_link {
	uint32_t a, b;
	sim_link_cfg cfg;
	ike_drbg *rng; /* [0] for a->b, [1] for b->a: one stream a direction keeps runs reproducible; made on the
			* first draw (same streams), as a link without loss or jitter never draws */
	sim_mtu_drops mtu; /* so the summary can say why a connection starved */
} sim_link;

typedef struct sim_node {
	char *name;
	sim_deliver_fn deliver;
	void *ctx;
	sim_counts counts;
	uint32_t *links; /* its links after the first (link0): links[i - 1] is link i */
	size_t n_links;
	sim_routes routes;
	uint8_t forwards; /* a router or a NAT: datagrams for others go on */
	uint32_t link0;   /* its first link (index into sim.links), inline: a road warrior has no other */
	sim_fwd_fn fwd;   /* its forwarding hook, NULL = none */
	void *fwd_ctx;
} sim_node;

struct sim {
	uint64_t seed;
	int64_t now;
	sim_queue q;
	sim_node *nodes;
	size_t n_nodes, cap_nodes;
	sim_link *links;
	size_t n_links, cap_links;
	sim_addrmap addrs;
	ike_host_trace *trace;
	sim_event_fn ev_fn; /* the runner's hook for link.drop, NULL: straight into trace */
	void *ev_ctx;
	struct sim_hook *hooks; /* in the order added */
	size_t n_hooks;
	uint8_t *scratch; /* SIM_HOOK_CAP bytes, where hooks see (and may rewrite) a datagram */
	sim_tap_fn tap;   /* the capture, NULL = none */
	void *tap_ctx;
	int stopped;
};

/* Largest datagram a hook may write: a UDP payload. */
#define SIM_HOOK_CAP 65535u

typedef struct sim_hook {
	uint32_t node; /* SIM_ANY_NODE or the sender it watches */
	sim_hook_fn fn;
	void *ctx;
} sim_hook;

/* A datagram in flight; freed when delivered or when the world is freed. */
typedef struct sim_pkt {
	sim *s;
	uint32_t to_node; /* the next hop */
	uint32_t link;    /* the link it crosses */
	uint8_t proto;
	uint8_t ttl;
	ike_addr from, to;
	size_t len;
	uint8_t data[];
} sim_pkt;

sim *sim_new(uint64_t seed)
{
	sim *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->seed = seed;
	sim_queue_init(&s->q);
	sim_addrmap_init(&s->addrs);
	return s;
}

static void deliver_pkt(void *arg);

void sim_free(sim *s)
{
	sim_event e;
	if (!s)
		return;
	while (sim_queue_pop(&s->q, &e))
		if (e.fn == deliver_pkt)
			free(e.arg);
	sim_queue_free(&s->q);
	for (size_t i = 0; i < s->n_nodes; i++) {
		free(s->nodes[i].name);
		free(s->nodes[i].links);
		sim_routes_free(&s->nodes[i].routes);
	}
	free(s->nodes);
	for (size_t i = 0; i < s->n_links; i++)
		free(s->links[i].rng);
	free(s->links);
	free(s->hooks);
	free(s->scratch);
	sim_addrmap_free(&s->addrs);
	free(s);
}

int64_t sim_now(const sim *s) { return s->now; }

int sim_schedule(sim *s, int64_t t, sim_fn fn, void *arg)
{
	return sim_queue_push(&s->q, t < s->now ? s->now : t, fn, arg);
}

void sim_set_trace(sim *s, ike_host_trace *t) { s->trace = t; }

void sim_set_event_hook(sim *s, sim_event_fn fn, void *ctx)
{
	s->ev_fn = fn;
	s->ev_ctx = ctx;
}

int sim_add_hook(sim *s, uint32_t node, sim_hook_fn fn, void *ctx)
{
	sim_hook *h = realloc(s->hooks, (s->n_hooks + 1) * sizeof(*h));
	if (!h)
		return -1;
	s->hooks = h;
	if (!s->scratch && !(s->scratch = malloc(SIM_HOOK_CAP)))
		return -1;
	s->hooks[s->n_hooks++] = (sim_hook){ node, fn, ctx };
	return 0;
}

void sim_stop(sim *s) { s->stopped = 1; }

void sim_set_tap(sim *s, sim_tap_fn fn, void *ctx)
{
	s->tap = fn;
	s->tap_ctx = ctx;
}

/* Every-node hooks, then the sender's, on a copy of the datagram; the first drop reason, or NULL. */
static const char *run_hooks(sim *s, uint32_t node, uint32_t dst, uint8_t proto, const ike_addr *from,
			     const ike_addr *to, const uint8_t *data, size_t *len)
{
	if (*len > SIM_HOOK_CAP)
		return "too large";
	memcpy(s->scratch, data, *len);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->n_hooks; i++) {
			const sim_hook *h = &s->hooks[i];
			if ((pass == 0) != (h->node == SIM_ANY_NODE) || (pass == 1 && h->node != node))
				continue;
			const char *why = h->fn(h->ctx, s->now, node, dst, proto, from, to, s->scratch, len, SIM_HOOK_CAP);
			if (why)
				return why;
		}
	return NULL;
}

int32_t sim_add_node(sim *s, const char *name, sim_deliver_fn deliver, void *ctx)
{
	if (s->n_nodes >= INT32_MAX)
		return -1;
	if (s->n_nodes == s->cap_nodes) {
		size_t cap = s->cap_nodes ? s->cap_nodes * 2 : 16;
		sim_node *n = realloc(s->nodes, cap * sizeof(*n));
		if (!n)
			return -1;
		s->nodes = n;
		s->cap_nodes = cap;
	}
	sim_node *n = &s->nodes[s->n_nodes];
	memset(n, 0, sizeof(*n));
	if (!(n->name = strdup(name)))
		return -1;
	n->deliver = deliver;
	n->ctx = ctx;
	return (int32_t)s->n_nodes++;
}

int sim_add_addr(sim *s, uint32_t node, const ike_addr *addr)
{
	if (node >= s->n_nodes)
		return -1;
	return sim_addrmap_put(&s->addrs, addr, node);
}

int sim_move_addr(sim *s, uint32_t node, const ike_addr *addr, int give_up)
{
	if (node >= s->n_nodes)
		return -1;
	return sim_addrmap_set(&s->addrs, addr, give_up ? SIM_ADDRMAP_NONE : node, node);
}

/* A node's i-th link (i < n_links). */
static uint32_t node_link(const sim_node *n, size_t i)
{
	return i ? n->links[i - 1] : n->link0;
}

static uint32_t find_link(const sim *s, uint32_t a, uint32_t b)
{
	/* Walk the end with fewer links: a gateway has one per road warrior, the road warrior one. */
	const sim_node *n = s->nodes[b].n_links < s->nodes[a].n_links ? &s->nodes[b] : &s->nodes[a];
	for (size_t i = 0; i < n->n_links; i++) {
		uint32_t li = node_link(n, i);
		const sim_link *l = &s->links[li];
		if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
			return li;
	}
	return NO_NODE;
}

static int attach(sim_node *n, uint32_t link)
{
	if (n->n_links == 0) {
		n->link0 = link;
		n->n_links = 1;
		return 0;
	}
	uint32_t *l = realloc(n->links, n->n_links * sizeof(*l));
	if (!l)
		return -1;
	n->links = l;
	n->links[n->n_links++ - 1] = link;
	return 0;
}

int sim_add_link(sim *s, uint32_t a, uint32_t b, const sim_link_cfg *cfg)
{
	if (a >= s->n_nodes || b >= s->n_nodes || a == b || find_link(s, a, b) != NO_NODE)
		return -1;
	if (s->n_links == s->cap_links) {
		size_t cap = s->cap_links ? s->cap_links * 2 : 16;
		sim_link *l = realloc(s->links, cap * sizeof(*l));
		if (!l)
			return -1;
		s->links = l;
		s->cap_links = cap;
	}
	sim_link *l = &s->links[s->n_links];
	l->a = a;
	l->b = b;
	l->cfg = *cfg;
	l->mtu = (sim_mtu_drops){ 0, 0 };
	l->rng = NULL;
	if (attach(&s->nodes[a], (uint32_t)s->n_links) || attach(&s->nodes[b], (uint32_t)s->n_links))
		return -1;
	s->n_links++;
	return 0;
}

size_t ike_host_addr_format(const ike_addr *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (a->family == 4 || a->family == 6)
		inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	return (size_t)snprintf(out, cap, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}

static void trace_drop(sim *s, uint32_t node, const char *why, uint8_t proto, const ike_addr *from,
		       const ike_addr *to, size_t len)
{
	char fields[256];
	s->nodes[node].counts.dropped++;
	if (!s->trace && !s->ev_fn)
		return;
	sim_hop_drop_fields(fields, sizeof(fields), why, proto, from, to, len);
	if (s->ev_fn)
		s->ev_fn(s->ev_ctx, s->now, node, "link.drop", fields);
	else
		ike_host_trace_event(s->trace, s->now, s->nodes[node].name, "link.drop", fields);
}

/* The link's stream for datagrams from from_node, both directions' seeded on first need; NULL out of memory. */
static ike_drbg *link_rng(sim *s, sim_link *l, uint32_t from_node)
{
	if (!l->rng) {
		if (!(l->rng = malloc(2 * sizeof(*l->rng))))
			return NULL;
		sim_hop_seed(&l->rng[0], s->seed, s->nodes[l->a].name, s->nodes[l->b].name);
		sim_hop_seed(&l->rng[1], s->seed, s->nodes[l->b].name, s->nodes[l->a].name);
	}
	return &l->rng[l->a == from_node ? 0 : 1];
}

/* Applies the link's MTU, loss and delay; returns a drop reason or NULL once the delivery is queued. */
static const char *cross_link(sim *s, uint32_t li, uint32_t from_node, uint32_t to_node, uint8_t proto,
			      const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len, uint8_t ttl)
{
	sim_link *l = &s->links[li];
	ike_drbg *rng = NULL;
	size_t ip_len = sim_hop_ip_len(proto, to, len);
	uint64_t delay = 0;
	if (sim_hop_draws(&l->cfg) && !(l->cfg.mtu && ip_len > l->cfg.mtu) && !(rng = link_rng(s, l, from_node)))
		return "out of memory";
	const char *why = sim_hop_decide(&l->cfg, rng, ip_len, &delay);
	if (why) {
		if (!strcmp(why, "mtu")) {
			l->mtu.count++;
			l->mtu.largest = ip_len > l->mtu.largest ? ip_len : l->mtu.largest;
		}
		return why;
	}
	int64_t at = delay > (uint64_t)(INT64_MAX - s->now) ? INT64_MAX : s->now + (int64_t)delay;
	sim_pkt *p = malloc(sizeof(*p) + len);
	if (!p)
		return "out of memory";
	p->s = s;
	p->to_node = to_node;
	p->link = (uint32_t)li;
	p->ttl = ttl;
	p->proto = proto;
	p->from = *from;
	p->to = *to;
	p->len = len;
	if (len)
		memcpy(p->data, data, len);
	if (sim_queue_push(&s->q, at, deliver_pkt, p) != 0) {
		free(p);
		return "out of memory";
	}
	return NULL;
}

void sim_send(sim *s, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	sim_send_ip(s, node, SIM_PROTO_UDP, from, to, data, len);
}

/* The link towards `to` from node (*nh its other end), or NO_NODE: a neighbour owning it, the longest route,
 * or the one link of a node whose neighbour forwards. */
static uint32_t next_hop(const sim *s, uint32_t node, uint32_t dst, const ike_addr *to, uint32_t *nh)
{
	const sim_node *n = &s->nodes[node];
	uint32_t li = NO_NODE;
	if (dst != SIM_ADDRMAP_NONE && dst != node)
		li = find_link(s, node, dst);
	if (li == NO_NODE && dst != node)
		li = sim_routes_lookup(&n->routes, to);
	if (li == NO_NODE && dst != node && n->n_links == 1) {
		const sim_link *l = &s->links[n->link0];
		if (s->nodes[l->a == node ? l->b : l->a].forwards)
			li = n->link0;
	}
	if (li != NO_NODE)
		*nh = s->links[li].a == node ? s->links[li].b : s->links[li].a;
	return li;
}

/* One hop: node puts the datagram on the link to its next hop (hooks, MTU, loss, delay, the tap). */
static void put_on_link(sim *s, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to,
			const uint8_t *data, size_t len, uint8_t ttl)
{
	uint32_t nh = NO_NODE;
	uint32_t li = next_hop(s, node, sim_addrmap_get(&s->addrs, to), to, &nh);
	const char *why = NULL;
	if (s->n_hooks) {
		why = run_hooks(s, node, li == NO_NODE ? NO_NODE : nh, proto, from, to, data, &len);
		data = s->scratch;
	}
	if (!why && li == NO_NODE)
		why = "no route";
	if (!why)
		why = cross_link(s, li, node, nh, proto, from, to, data, len, ttl);
	if (s->tap && li != NO_NODE) /* on the link: captured where it was sent, lost or not */
		s->tap(s->tap_ctx, s->now, li, s->links[li].a == node ? 0 : 1, proto, from, to, data, len, why);
	if (why)
		trace_drop(s, node, why, proto, from, to, len);
}

void sim_send_ip(sim *s, uint32_t node, uint8_t proto, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		 size_t len)
{
	if (node >= s->n_nodes)
		return;
	s->nodes[node].counts.sent++;
	put_on_link(s, node, proto, from, to, data, len, SIM_TTL);
}

/* A datagram reaches the next hop: a forwarding node's hook sees it first; its owner takes it, a router
 * sends it on with one hop less. */
static void deliver_pkt(void *arg)
{
	sim_pkt *p = arg;
	sim *s = p->s;
	sim_node *n = &s->nodes[p->to_node];
	if (n->forwards) {
		const char *why = n->fwd ? n->fwd(n->fwd_ctx, s->now, p->to_node, p->link, p->proto, &p->from, &p->to,
						 p->data, &p->len, p->len)
					 : NULL;
		if (why) {
			n->counts.dropped++;
			free(p);
			return;
		}
		if (sim_addrmap_get(&s->addrs, &p->to) != p->to_node) {
			if (p->ttl <= 1)
				trace_drop(s, p->to_node, "ttl", p->proto, &p->from, &p->to, p->len);
			else
				put_on_link(s, p->to_node, p->proto, &p->from, &p->to, p->data, p->len, (uint8_t)(p->ttl - 1));
			free(p);
			return;
		}
	}
	n->counts.delivered++;
	if (n->deliver)
		n->deliver(n->ctx, s->now, p->proto, &p->from, &p->to, p->data, p->len);
	free(p);
}

int sim_add_route(sim *s, uint32_t node, const ike_addr *prefix, uint8_t plen, uint32_t via)
{
	if (node >= s->n_nodes || via >= s->n_nodes)
		return -1;
	uint32_t li = find_link(s, node, via);
	if (li == NO_NODE)
		return -1;
	return sim_routes_add(&s->nodes[node].routes, plen ? prefix : NULL, plen, li);
}

int sim_set_forward(sim *s, uint32_t node, sim_fwd_fn fn, void *ctx)
{
	if (node >= s->n_nodes)
		return -1;
	s->nodes[node].forwards = 1;
	s->nodes[node].fwd = fn;
	s->nodes[node].fwd_ctx = ctx;
	return 0;
}

int64_t sim_run(sim *s, int64_t until)
{
	sim_event e;
	const sim_event *next;
	s->stopped = 0;
	while (!s->stopped && (next = sim_queue_peek(&s->q)) && next->t <= until) {
		sim_queue_pop(&s->q, &e);
		s->now = e.t;
		e.fn(e.arg);
	}
	return s->now;
}

const char *sim_node_name(const sim *s, uint32_t node) { return node < s->n_nodes ? s->nodes[node].name : "?"; }

sim_counts sim_node_counts(const sim *s, uint32_t node)
{
	sim_counts zero = { 0, 0, 0 };
	return node < s->n_nodes ? s->nodes[node].counts : zero;
}

sim_mtu_drops sim_link_mtu_drops(const sim *s, size_t link)
{
	return link < s->n_links ? s->links[link].mtu : (sim_mtu_drops){ 0, 0 };
}

sim_counts sim_total_counts(const sim *s)
{
	sim_counts t = { 0, 0, 0 };
	for (size_t i = 0; i < s->n_nodes; i++) {
		t.sent += s->nodes[i].counts.sent;
		t.delivered += s->nodes[i].counts.delivered;
		t.dropped += s->nodes[i].counts.dropped;
	}
	return t;
}
