/*
 * Faults that act while the run goes: links down for a span, nodes that reboot with empty engine state, the
 * n-th IKE message of one exchange type dropped. Each traces a `fault` event when it takes effect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "crypto/drbg.h"
#include "ikepeek.h"
#include "metrics.h"
#include "run_int.h"

typedef struct rf_arg {
	runner *r;
	uint32_t fault;
	int64_t reboot_at; /* REBOOT: when the node went down, for its restart */
} rf_arg;

struct sim_run_faults {
	rf_arg *args;      /* one per scenario fault, the argument of its events */
	uint32_t *active;  /* LINK_DOWN faults in effect now */
	size_t n_active;
	uint32_t *xf;      /* EXCHANGE faults */
	uint64_t *xseen;   /* per EXCHANGE fault: matching messages so far */
	size_t n_xf;
};

static int64_t now_of(runner *r) { return r->be.now(r->be.impl); }

static void link_name(const runner *r, const sim_fault_spec *f, char *out, size_t cap)
{
	snprintf(out, cap, "%s-%s", r->sc->nodes[f->link_a].name, r->sc->nodes[f->link_b].name);
}

static void on_down(void *arg)
{
	rf_arg *a = arg;
	runner *r = a->r;
	const sim_fault_spec *f = &r->sc->faults[a->fault];
	char l[140], fields[256];
	r->rf->active[r->rf->n_active++] = a->fault;
	link_name(r, f, l, sizeof(l));
	snprintf(fields, sizeof(fields), "\"kind\":\"link-down\",\"fault\":%u,\"link\":\"%s\"", a->fault, l);
	sim_rn_event(r, now_of(r), UINT32_MAX, "fault", fields);
}

static void on_up(void *arg)
{
	rf_arg *a = arg;
	runner *r = a->r;
	sim_run_faults *rf = r->rf;
	char l[140], fields[256];
	for (size_t i = 0; i < rf->n_active; i++)
		if (rf->active[i] == a->fault) {
			memmove(&rf->active[i], &rf->active[i + 1], (rf->n_active - i - 1) * sizeof(*rf->active));
			rf->n_active--;
			break;
		}
	link_name(r, &r->sc->faults[a->fault], l, sizeof(l));
	snprintf(fields, sizeof(fields), "\"kind\":\"link-up\",\"fault\":%u,\"link\":\"%s\"", a->fault, l);
	sim_rn_event(r, now_of(r), UINT32_MAX, "fault", fields);
}

/* The connections that had started before the reboot start again (later ones still have their start event). */
static void on_restart(void *arg)
{
	rf_arg *a = arg;
	const sim_fault_spec *f = &a->r->sc->faults[a->fault];
	const sim_node_spec *ns = &a->r->sc->nodes[f->node];
	for (size_t c = 0; c < ns->n_conns; c++)
		if (ns->initiate_at[c] >= 0 && ns->initiate_at[c] < a->reboot_at)
			sim_rn_initiate(&a->r->nodes[f->node], c);
}

/* This boot's engine seed: a DRBG keyed by the node's own seed and "boot:<n>". */
static void boot_seed(rnode *n)
{
	char pers[32];
	ike_drbg d;
	int len = snprintf(pers, sizeof(pers), "boot:%u", n->boots);
	ike_drbg_init(&d, n->seed0, sizeof(n->seed0), pers, (size_t)len);
	ike_drbg_bytes(&d, n->seed, sizeof(n->seed));
	OPENSSL_cleanse(&d, sizeof(d));
}

static void on_reboot(void *arg)
{
	rf_arg *a = arg;
	runner *r = a->r;
	const sim_fault_spec *f = &r->sc->faults[a->fault];
	rnode *n = &r->nodes[f->node];
	ike_peer *old = n->peer;
	int64_t now = now_of(r);
	char fields[200];
	ike_peer_flush(old, now);
	n->boots++;
	boot_seed(n);
	if (sim_rn_peer_new(n) != 0) { /* keep the old peer: the run ends in an error, not a crash */
		n->peer = old;
		r->failed = "out of memory for a rebooted node's new peer";
		return;
	}
	ike_peer_free(old);
	if (r->metrics) /* its SAs went without events */
		sim_metrics_reboot(r->metrics, now, f->node);
	sim_cpu_reboot(n); /* its queued work is lost with the rest of its state */
	sim_ip_reset(r, f->node);
	sim_rnat_reboot(r, f->node, now); /* a NAT box loses its mappings with the rest of its state */
	n->armed = IKE_TIME_NEVER; /* the old peer's timer event, if any, finds nothing to do */
	r->last_activity = now;
	int restart = 0;
	for (size_t c = 0; c < r->sc->nodes[f->node].n_conns; c++)
		restart |= r->sc->nodes[f->node].initiate_at[c] >= 0 && r->sc->nodes[f->node].initiate_at[c] < now;
	int k = snprintf(fields, sizeof(fields), "\"kind\":\"reboot\",\"fault\":%u,\"boot\":%u", a->fault, n->boots);
	if (restart)
		snprintf(fields + k, sizeof(fields) - (size_t)k, ",\"restart_at\":%.9f",
			 (double)(now + f->restart_after) / 1e9);
	sim_rn_event(r, now, f->node, "fault", fields);
	a->reboot_at = now;
	if (restart && r->be.schedule(r->be.impl, now + f->restart_after, on_restart, a) != 0)
		r->failed = "out of memory scheduling a rebooted node's restart";
}

static void ip_str(const ike_addr *a, char *out, size_t cap)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, out, (socklen_t)cap))
		snprintf(out, cap, "?");
}

static bool same_ip(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, a->family == 4 ? 4u : 16u);
}

/* The node gives up `old` (kept in its gone list: what it sends from there is dropped) and takes `nw`. */
static int swap_addr(runner *r, rnode *rn, uint8_t k, const ike_addr *nw)
{
	rnode_moved *n = rn->mv;
	ike_addr old = n->addrs[k];
	if (same_ip(&old, nw))
		return 0;
	if (r->be.move_addr(r->be.impl, rn->idx, &old, 1) != 0 || r->be.move_addr(r->be.impl, rn->idx, nw, 0) != 0)
		return -1;
	n->addrs[k] = *nw;
	for (uint8_t g = 0; g < n->n_gone; g++)
		if (same_ip(&n->gone[g], nw)) /* moving back: that address works again */
			n->gone[g] = n->gone[--n->n_gone];
	if (n->n_gone == SIM_ADDRS_MAX)
		memmove(n->gone, n->gone + 1, --n->n_gone * sizeof(n->gone[0]));
	n->gone[n->n_gone++] = old;
	return 0;
}

/* A move fault: the node's address of that family changes, its default route may switch uplink, and its IKE
 * engine is told its addresses (RFC 4555: a MOBIKE initiator sends UPDATE_SA_ADDRESSES). */
static void on_move(void *arg)
{
	rf_arg *a = arg;
	runner *r = a->r;
	const sim_fault_spec *f = &r->sc->faults[a->fault];
	rnode *rn = &r->nodes[f->node];
	const sim_node_spec *ns = &r->sc->nodes[f->node];
	int64_t now = now_of(r);
	if (!rn->mv && (rn->mv = calloc(1, sizeof(*rn->mv))) != NULL) {
		rn->mv->n_addrs = ns->n_addrs;
		memcpy(rn->mv->addrs, ns->addrs, sizeof(rn->mv->addrs));
	}
	if (!rn->mv) {
		r->failed = "a move fault: out of memory";
		return;
	}
	rnode_moved *n = rn->mv;
	uint8_t k = 0;
	while (k < n->n_addrs && n->addrs[k].family != f->addr.family)
		k++;
	char from[64], to[64], fields[320];
	ip_str(&n->addrs[k], from, sizeof(from));
	ip_str(&f->addr, to, sizeof(to));
	static const ike_addr any = { 0 };
	if (!r->be.move_addr || swap_addr(r, rn, k, &f->addr) != 0 ||
	    (f->via >= 0 && r->be.add_route(r->be.impl, f->node, &any, 0, (uint32_t)f->via) != 0)) {
		r->failed = !r->be.move_addr ? "a move fault needs a backend that can move addresses"
						: "a move fault: the backend could not move the address or its route (out of memory)";
		return;
	}
	int len = snprintf(fields, sizeof(fields), "\"kind\":\"move\",\"fault\":%u,\"from\":\"%s\",\"to\":\"%s\"", a->fault,
			   from, to);
	if (f->via >= 0)
		snprintf(fields + len, sizeof(fields) - (size_t)len, ",\"via\":\"%s\"", r->sc->nodes[f->via].name);
	sim_rn_event(r, now, f->node, "fault", fields);
	r->last_activity = now;
	(void)ike_peer_addresses_changed(rn->peer, now, n->addrs, n->n_addrs, false);
	sim_rn_rearm(rn);
}

/* True if node gave up the address it sends from (a move fault): no interface has it any more. */
static bool source_gone(const runner *r, uint32_t node, const ike_addr *from)
{
	if (node >= r->sc->n_nodes || !r->nodes[node].mv)
		return false;
	const rnode_moved *n = r->nodes[node].mv;
	for (uint8_t g = 0; g < n->n_gone; g++)
		if (same_ip(&n->gone[g], from))
			return true;
	return false;
}

static int schedule_fault(runner *r, uint32_t i)
{
	const sim_fault_spec *f = &r->sc->faults[i];
	rf_arg *a = &r->rf->args[i];
	*a = (rf_arg){ r, i, 0 };
	switch (f->kind) {
	case SIM_FAULT_LINK_DOWN:
		if (r->be.schedule(r->be.impl, f->at, on_down, a))
			return -1;
		return f->until >= 0 ? r->be.schedule(r->be.impl, f->until, on_up, a) : 0;
	case SIM_FAULT_REBOOT:
		return r->be.schedule(r->be.impl, f->at, on_reboot, a);
	case SIM_FAULT_MOVE:
		return r->be.schedule(r->be.impl, f->at, on_move, a);
	case SIM_FAULT_EXCHANGE:
		r->rf->xf[r->rf->n_xf++] = i;
		return 0;
	default:
		return 0;
	}
}

int sim_rf_setup(runner *r)
{
	const sim_scenario *sc = r->sc;
	size_t n = sc->n_faults, runtime = 0;
	for (size_t i = 0; i < n; i++)
		runtime += sc->faults[i].kind != SIM_FAULT_DROP;
	if (!runtime)
		return 0;
	sim_run_faults *rf = r->rf = calloc(1, sizeof(*rf));
	if (!rf || !(rf->args = calloc(n, sizeof(*rf->args))) || !(rf->active = calloc(n, sizeof(*rf->active))) ||
	    !(rf->xf = calloc(n, sizeof(*rf->xf))) || !(rf->xseen = calloc(n, sizeof(*rf->xseen))))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (schedule_fault(r, i))
			return -1;
	return 0;
}

void sim_rf_free(runner *r)
{
	if (!r->rf)
		return;
	free(r->rf->args);
	free(r->rf->active);
	free(r->rf->xf);
	free(r->rf->xseen);
	free(r->rf);
	r->rf = NULL;
}

static int on_link(const sim_fault_spec *f, uint32_t a, uint32_t b)
{
	return ((uint32_t)f->link_a == a && (uint32_t)f->link_b == b) || ((uint32_t)f->link_a == b && (uint32_t)f->link_b == a);
}

/* Counts the message against every exchange fault of its sender; 1 if one of them drops it. */
static int exchange_drop(runner *r, int64_t now, uint32_t node, const ike_addr *from, const ike_addr *to,
			 const uint8_t *data, size_t len)
{
	sim_run_faults *rf = r->rf;
	uint8_t x, flags;
	int drop = 0;
	if (sim_ike_peek(from, to, data, len, &x, &flags) != 0)
		return 0;
	int resp = (flags & SIM_IKE_FLAG_RESPONSE) != 0;
	for (size_t k = 0; k < rf->n_xf; k++) {
		const sim_fault_spec *f = &r->sc->faults[rf->xf[k]];
		if ((uint32_t)f->node != node || f->exchange != x || f->at > now || (f->response >= 0 && f->response != resp))
			continue;
		if (++rf->xseen[k] != f->nth)
			continue;
		char fields[200];
		snprintf(fields, sizeof(fields), "\"kind\":\"drop-nth\",\"fault\":%u,\"exchange\":\"%s\",\"nth\":%u,\"response\":%s",
			 rf->xf[k], sim_exchange_name(x), f->nth, resp ? "true" : "false");
		sim_rn_event(r, now, node, "fault", fields);
		drop = 1;
	}
	return drop;
}

const char *sim_rf_filter(void *ctx, int64_t now, uint32_t from_node, uint32_t to_node, uint8_t proto,
			  const ike_addr *from, const ike_addr *to, uint8_t *data, size_t *len, size_t cap)
{
	runner *r = ctx;
	(void)cap; /* faults drop; they never rewrite */
	const char *why = NULL;
	if (r->faults) {
		int m = sim_fault_index_match(r->faults, now, from_node, to_node);
		if (m < 0)
			return "out of memory";
		why = m ? "fault" : NULL;
	}
	if (!r->rf)
		return why;
	if (source_gone(r, from_node, from))
		return "address-gone"; /* the node moved away from this address: nothing leaves from it */
	if (r->rf->n_xf && proto == SIM_PROTO_UDP && exchange_drop(r, now, from_node, from, to, data, *len) && !why)
		why = "fault";
	for (size_t i = 0; to_node != UINT32_MAX && i < r->rf->n_active; i++)
		if (on_link(&r->sc->faults[r->rf->active[i]], from_node, to_node))
			return "link-down"; /* the link is gone: that is why, whatever else counted the datagram */
	return why;
}
