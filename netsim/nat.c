/*
 * The NAT44 box (nat.h): mappings in one growing array, found through two chained hash tables (by the
 * inside key, by the outside address:port) and kept in refresh order on a list, so that with one timeout
 * per box the list's head is always the next to expire (O(1) expiry, no scan).
 */
#include "nat.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define PERMS 4 /* remote endpoints a mapping remembers for its filter; the oldest gives way */

typedef struct nat_map {
	uint32_t iip, rip;       /* inside IP; remote IP of a dependent mapping's key (0 for EI) */
	uint16_t iport, rport;   /* likewise */
	uint16_t oport;
	uint8_t pool, fixed, live, n_perm, perm_next;
	uint32_t perm_ip[PERMS];
	uint16_t perm_port[PERMS];
	int64_t last;            /* last refresh */
	uint32_t prev, next;     /* refresh order (dynamic mappings only) */
	uint32_t next_in, next_out; /* hash chains */
} nat_map;

struct sim_nat {
	sim_nat_cfg cfg;
	sim_nat_event_fn on_event;
	void *ctx;
	nat_map *m;
	uint32_t n_m, cap_m, free_head; /* free slots chain through next_in */
	uint32_t *b_in, *b_out;
	uint32_t n_buckets;             /* power of two, 0 before the first mapping */
	uint32_t head, tail;            /* refresh order: head expires first */
	uint32_t next_port;             /* where the dynamic port search goes on */
	sim_nat_stats st;
};

static const char *const drop_names[] = { "no-mapping", "filtered", "nat-full", "hairpin-off", "proto", "ipv6" };

const char *sim_nat_drop_name(int d) { return d >= 0 && d < 6 ? drop_names[d] : "?"; }

void sim_nat_cfg_default(sim_nat_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mapping = SIM_NAT_EI;
	cfg->filtering = SIM_NAT_APD;
	cfg->timeout = 120 * (int64_t)1000000000;
	cfg->port_preserve = 1;
	cfg->hairpin = 1;
	cfg->port_lo = 1024;
	cfg->port_hi = 65535;
	cfg->max_mappings = 65536;
}

int sim_nat_shorthand(const char *name, sim_nat_cfg *cfg)
{
	static const struct {
		const char *name;
		uint8_t map, filt;
	} t[] = { { "full-cone", SIM_NAT_EI, SIM_NAT_EI },
		  { "restricted", SIM_NAT_EI, SIM_NAT_AD },
		  { "port-restricted", SIM_NAT_EI, SIM_NAT_APD },
		  { "symmetric", SIM_NAT_APD, SIM_NAT_APD } };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(name, t[i].name)) {
			cfg->mapping = t[i].map;
			cfg->filtering = t[i].filt;
			return 0;
		}
	return -1;
}

static const char *const dep_names[] = { "endpoint-independent", "address-dependent", "address-and-port-dependent" };

int sim_nat_dep_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, dep_names[i]))
			return i;
	return -1;
}

const char *sim_nat_dep_name(uint8_t dep) { return dep < 3 ? dep_names[dep] : "?"; }

static uint32_t ip4(const ike_addr *a) { return (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 | a->ip[3]; }

static ike_addr mk4(uint32_t ip, uint16_t port)
{
	ike_addr a;
	memset(&a, 0, sizeof(a));
	a.family = 4;
	a.port = port;
	a.ip[0] = (uint8_t)(ip >> 24);
	a.ip[1] = (uint8_t)(ip >> 16);
	a.ip[2] = (uint8_t)(ip >> 8);
	a.ip[3] = (uint8_t)ip;
	return a;
}

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(x ^ (x >> 33));
}

static uint32_t h_in(const sim_nat *n, uint32_t iip, uint16_t iport, uint32_t rip, uint16_t rport)
{
	return mix(((uint64_t)iip << 16 | iport) ^ ((uint64_t)rip << 24 | (uint64_t)rport << 8)) & (n->n_buckets - 1);
}

static uint32_t h_out(const sim_nat *n, uint8_t pool, uint16_t oport)
{
	return mix((uint64_t)pool << 16 | oport) & (n->n_buckets - 1);
}

static void link_hashes(sim_nat *n, uint32_t i)
{
	nat_map *m = &n->m[i];
	uint32_t a = h_in(n, m->iip, m->iport, m->rip, m->rport), b = h_out(n, m->pool, m->oport);
	m->next_in = n->b_in[a];
	n->b_in[a] = i;
	m->next_out = n->b_out[b];
	n->b_out[b] = i;
}

static void unlink_chain(uint32_t *head, nat_map *m, uint32_t i, int out)
{
	for (uint32_t *p = head; *p != NONE; p = out ? &m[*p].next_out : &m[*p].next_in)
		if (*p == i) {
			*p = out ? m[i].next_out : m[i].next_in;
			return;
		}
}

/* Doubles the buckets (at least 64) and rehashes every live mapping. 0 or -1. */
static int grow_buckets(sim_nat *n)
{
	uint32_t nb = n->n_buckets ? n->n_buckets * 2 : 64;
	uint32_t *bi = malloc(nb * sizeof(*bi)), *bo = malloc(nb * sizeof(*bo));
	if (!bi || !bo) {
		free(bi);
		free(bo);
		return -1;
	}
	memset(bi, 0xff, nb * sizeof(*bi));
	memset(bo, 0xff, nb * sizeof(*bo));
	free(n->b_in);
	free(n->b_out);
	n->b_in = bi;
	n->b_out = bo;
	n->n_buckets = nb;
	for (uint32_t i = 0; i < n->n_m; i++)
		if (n->m[i].live)
			link_hashes(n, i);
	return 0;
}

/* A free slot (the array grows by doubling); NONE when out of memory. */
static uint32_t alloc_slot(sim_nat *n)
{
	if (n->free_head != NONE) {
		uint32_t i = n->free_head;
		n->free_head = n->m[i].next_in;
		return i;
	}
	if (n->n_m == n->cap_m) {
		uint32_t cap = n->cap_m ? n->cap_m * 2 : 16;
		nat_map *m = cap > n->cap_m ? realloc(n->m, (size_t)cap * sizeof(*m)) : NULL;
		if (!m)
			return NONE;
		n->m = m;
		n->cap_m = cap;
	}
	return n->n_m++;
}

static void lru_unlink(sim_nat *n, uint32_t i)
{
	nat_map *m = &n->m[i];
	if (m->prev != NONE)
		n->m[m->prev].next = m->next;
	else
		n->head = m->next;
	if (m->next != NONE)
		n->m[m->next].prev = m->prev;
	else
		n->tail = m->prev;
}

static void lru_append(sim_nat *n, uint32_t i)
{
	nat_map *m = &n->m[i];
	m->prev = n->tail;
	m->next = NONE;
	if (n->tail != NONE)
		n->m[n->tail].next = i;
	else
		n->head = i;
	n->tail = i;
}

static void emit(sim_nat *n, uint8_t kind, const nat_map *m, int64_t at)
{
	if (!n->on_event)
		return;
	sim_nat_event ev = { .kind = kind, .fixed = m->fixed, .at = at };
	ev.inside = mk4(m->iip, m->iport);
	ev.outside = mk4(ip4(&n->cfg.pool[m->pool]), m->oport);
	if (n->cfg.mapping != SIM_NAT_EI && !m->fixed)
		ev.remote = mk4(m->rip, m->rport);
	n->on_event(n->ctx, &ev);
}

static void remove_map(sim_nat *n, uint32_t i)
{
	nat_map *m = &n->m[i];
	unlink_chain(&n->b_in[h_in(n, m->iip, m->iport, m->rip, m->rport)], n->m, i, 0);
	unlink_chain(&n->b_out[h_out(n, m->pool, m->oport)], n->m, i, 1);
	if (!m->fixed) {
		lru_unlink(n, i);
		n->st.live--;
	}
	m->live = 0;
	m->next_in = n->free_head;
	n->free_head = i;
}

static uint32_t find_out(const sim_nat *n, uint8_t pool, uint16_t oport)
{
	if (!n->n_buckets)
		return NONE;
	for (uint32_t i = n->b_out[h_out(n, pool, oport)]; i != NONE; i = n->m[i].next_out)
		if (n->m[i].pool == pool && n->m[i].oport == oport)
			return i;
	return NONE;
}

static uint32_t find_in(const sim_nat *n, uint32_t iip, uint16_t iport, uint32_t rip, uint16_t rport)
{
	if (!n->n_buckets)
		return NONE;
	for (uint32_t i = n->b_in[h_in(n, iip, iport, rip, rport)]; i != NONE; i = n->m[i].next_in) {
		const nat_map *m = &n->m[i];
		if (m->iip == iip && m->iport == iport && m->rip == rip && m->rport == rport)
			return i;
	}
	return NONE;
}

/* Installs a mapping with its keys; the caller has checked limits. Its index, or NONE out of memory. */
static uint32_t add_map(sim_nat *n, uint32_t iip, uint16_t iport, uint32_t rip, uint16_t rport, uint8_t pool,
			uint16_t oport, int fixed, int64_t now)
{
	if (n->n_m + 1 > n->n_buckets && n->free_head == NONE && grow_buckets(n))
		return NONE;
	uint32_t i = alloc_slot(n);
	if (i == NONE)
		return NONE;
	nat_map *m = &n->m[i];
	memset(m, 0, sizeof(*m));
	*m = (nat_map){ .iip = iip, .rip = rip, .iport = iport, .rport = rport, .oport = oport, .pool = pool,
			.fixed = (uint8_t)fixed, .live = 1, .last = now, .prev = NONE, .next = NONE };
	link_hashes(n, i);
	if (!fixed) {
		lru_append(n, i);
		if (++n->st.live > n->st.peak)
			n->st.peak = n->st.live;
		n->st.created++;
	}
	return i;
}

sim_nat *sim_nat_new(const sim_nat_cfg *cfg, sim_nat_event_fn on_event, void *ctx)
{
	if (cfg->mapping > SIM_NAT_APD || cfg->filtering > SIM_NAT_APD || !cfg->n_pool || cfg->n_pool > SIM_NAT_POOL_MAX ||
	    cfg->n_fwd > SIM_NAT_FWD_MAX || cfg->port_lo == 0 || cfg->port_lo > cfg->port_hi || cfg->timeout <= 0)
		return NULL;
	for (uint8_t k = 0; k < cfg->n_pool; k++)
		if (cfg->pool[k].family != 4)
			return NULL;
	sim_nat *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->cfg = *cfg;
	n->on_event = on_event;
	n->ctx = ctx;
	n->free_head = n->head = n->tail = NONE;
	n->next_port = cfg->port_lo;
	for (uint8_t k = 0; k < cfg->n_fwd; k++) {
		const sim_nat_fwd *f = &cfg->fwd[k];
		if (f->pool >= cfg->n_pool || f->inside.family != 4 || find_out(n, f->pool, f->port) != NONE ||
		    add_map(n, ip4(&f->inside), f->inside.port, 0, 0, f->pool, f->port, 1, 0) == NONE) {
			sim_nat_free(n);
			return NULL;
		}
	}
	return n;
}

void sim_nat_free(sim_nat *n)
{
	if (!n)
		return;
	free(n->m);
	free(n->b_in);
	free(n->b_out);
	free(n);
}

void sim_nat_expire(sim_nat *n, int64_t now)
{
	while (n->head != NONE) {
		uint32_t i = n->head;
		int64_t end = n->m[i].last > INT64_MAX - n->cfg.timeout ? INT64_MAX : n->m[i].last + n->cfg.timeout;
		if (end > now)
			return;
		emit(n, SIM_NAT_EXPIRED, &n->m[i], end);
		n->st.expired++;
		remove_map(n, i);
	}
}

int64_t sim_nat_next_expiry(const sim_nat *n)
{
	if (n->head == NONE)
		return INT64_MAX;
	int64_t last = n->m[n->head].last;
	return last > INT64_MAX - n->cfg.timeout ? INT64_MAX : last + n->cfg.timeout;
}

void sim_nat_flush(sim_nat *n, int64_t now)
{
	while (n->head != NONE) {
		emit(n, SIM_NAT_FLUSHED, &n->m[n->head], now);
		n->st.flushed++;
		remove_map(n, n->head);
	}
	n->next_port = n->cfg.port_lo; /* a rebooted box starts its port search afresh */
}

sim_nat_stats sim_nat_get_stats(const sim_nat *n) { return n->st; }

/* Refreshes mapping i: to the list's tail; traced when it had idled at least a quarter of its timeout. */
static void refresh(sim_nat *n, uint32_t i, int64_t now)
{
	nat_map *m = &n->m[i];
	if (m->fixed)
		return;
	int quiet = now - m->last >= n->cfg.timeout / 4;
	m->last = now;
	lru_unlink(n, i);
	lru_append(n, i);
	if (quiet)
		emit(n, SIM_NAT_REFRESHED, m, now);
}

/* Lets remote rip:rport in through mapping i from now on (the filter's memory). */
static void permit(nat_map *m, uint32_t rip, uint16_t rport)
{
	for (uint8_t k = 0; k < m->n_perm; k++)
		if (m->perm_ip[k] == rip && m->perm_port[k] == rport)
			return;
	uint8_t k = m->n_perm < PERMS ? m->n_perm++ : m->perm_next;
	m->perm_ip[k] = rip;
	m->perm_port[k] = rport;
	m->perm_next = (uint8_t)((k + 1) % PERMS);
}

static int filter_ok(const sim_nat *n, const nat_map *m, uint32_t rip, uint16_t rport)
{
	if (m->fixed || n->cfg.filtering == SIM_NAT_EI)
		return 1;
	for (uint8_t k = 0; k < m->n_perm; k++)
		if (m->perm_ip[k] == rip && (n->cfg.filtering == SIM_NAT_AD || m->perm_port[k] == rport))
			return 1;
	return 0;
}

/* A free outside port on pool for inside port iport: preserved if asked and free, else searched. 0 = none. */
static uint16_t pick_port(sim_nat *n, uint8_t pool, uint16_t iport)
{
	const sim_nat_cfg *c = &n->cfg;
	if (c->port_preserve && iport && find_out(n, pool, iport) == NONE) /* even outside the dynamic range */
		return iport;
	uint32_t span = (uint32_t)c->port_hi - c->port_lo + 1;
	for (uint32_t k = 0; k < span; k++) {
		uint32_t p = c->port_lo + (n->next_port - c->port_lo + k) % span;
		if (c->port_parity && (p & 1) != (iport & 1u))
			continue;
		if (find_out(n, pool, (uint16_t)p) == NONE) {
			n->next_port = p + 1 > c->port_hi ? c->port_lo : p + 1;
			return (uint16_t)p;
		}
	}
	return 0;
}

static int in_pool(const sim_nat *n, const ike_addr *a)
{
	if (a->family != 4)
		return -1;
	for (uint8_t k = 0; k < n->cfg.n_pool; k++)
		if (!memcmp(n->cfg.pool[k].ip, a->ip, 4))
			return k;
	return -1;
}

static const char *drop(sim_nat *n, int d)
{
	n->st.drops[d]++;
	return drop_names[d];
}

/* Outbound: find or make the sender's mapping and rewrite the source. NULL, or a drop reason. */
static const char *outbound(sim_nat *n, int64_t now, ike_addr *from, const ike_addr *to)
{
	uint32_t iip = ip4(from), rip = ip4(to);
	uint32_t kr = n->cfg.mapping == SIM_NAT_EI ? 0 : rip;
	uint16_t kp = n->cfg.mapping == SIM_NAT_APD ? to->port : 0;
	uint32_t i = find_in(n, iip, from->port, kr, kp);
	if (i == NONE) /* a forwarding rule's inside endpoint answers through its static mapping */
		i = find_in(n, iip, from->port, 0, 0);
	if (i != NONE && !n->m[i].fixed && n->cfg.mapping != SIM_NAT_EI && (n->m[i].rip != kr || n->m[i].rport != kp))
		i = NONE;
	if (i == NONE) {
		if (n->st.live >= n->cfg.max_mappings)
			return drop(n, SIM_NATD_FULL);
		uint8_t pool = (uint8_t)(mix(iip) % n->cfg.n_pool); /* paired pooling: one inside IP, one outside IP */
		uint16_t oport = pick_port(n, pool, from->port);
		if (!oport || (i = add_map(n, iip, from->port, kr, kp, pool, oport, 0, now)) == NONE)
			return drop(n, SIM_NATD_FULL);
		emit(n, SIM_NAT_CREATED, &n->m[i], now);
	} else
		refresh(n, i, now);
	permit(&n->m[i], rip, to->port);
	memcpy(from->ip, n->cfg.pool[n->m[i].pool].ip, 4);
	from->port = n->m[i].oport;
	return NULL;
}

/* Inbound to pool[pool]: the mapping, its filter, and the destination rewritten. */
static const char *inbound(sim_nat *n, int64_t now, int pool, const ike_addr *from, ike_addr *to)
{
	uint32_t i = find_out(n, (uint8_t)pool, to->port);
	if (i == NONE)
		return drop(n, SIM_NATD_NO_MAPPING);
	nat_map *m = &n->m[i];
	if (!filter_ok(n, m, ip4(from), from->port))
		return drop(n, SIM_NATD_FILTERED);
	if (n->cfg.refresh_inbound)
		refresh(n, i, now);
	*to = mk4(m->iip, m->iport);
	return NULL;
}

const char *sim_nat_process(sim_nat *n, int64_t now, int side, uint8_t proto, ike_addr *from, ike_addr *to)
{
	sim_nat_expire(n, now);
	if (from->family != 4 || to->family != 4)
		return drop(n, SIM_NATD_IPV6);
	int pool = in_pool(n, to);
	if (side == SIM_NAT_OUTSIDE && pool < 0)
		return NULL; /* not for the box's public addresses: routed as is */
	if (proto != 17)
		return drop(n, SIM_NATD_PROTO);
	if (side == SIM_NAT_OUTSIDE)
		return inbound(n, now, pool, from, to);
	if (pool >= 0 && !n->cfg.hairpin)
		return drop(n, SIM_NATD_HAIRPIN);
	const char *why = outbound(n, now, from, to);
	if (why || pool < 0)
		return why;
	return inbound(n, now, pool, from, to); /* hairpin: the external source (REQ-9) meets the filter */
}
