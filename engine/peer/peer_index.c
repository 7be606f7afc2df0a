/*
 * Two more indexes over a peer's IKEv2 SAs, so that a gateway with 10^5 peers finds "the same peer" without
 * walking every SA (that walk made a storm quadratic): by the SA's remote address (the simultaneous
 * IKE_SA_INIT check; re-indexed when the SA moves) and by the peer's authenticated ID (INITIAL_CONTACT). Chained hash
 * buckets, doubled when crowded; an SA is in each index at most once.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2/sa.h"
#include "peer/peer.h"

#define IX_MIN_BUCKETS 16

static uint32_t fnv(const uint8_t *d, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

static uint32_t addr_key(const ike_addr *a)
{
	return fnv(a->ip, a->family == 4 ? 4 : 16, 2166136261u ^ a->family);
}

static v2_ike_sa **chain(ike_peer *p, bool by_id, uint32_t key)
{
	return &(by_id ? p->by_id : p->by_addr)[key & (p->ibuckets - 1)];
}

static v2_ike_sa **next_of(v2_ike_sa *sa, bool by_id) { return by_id ? &sa->next_id : &sa->next_addr; }

/* From one bucket (a road warrior's lone SA) to IX_MIN_BUCKETS: chain order kept, so the tables are exactly
 * what IX_MIN_BUCKETS from the start would have made. */
static void rehash_single(ike_peer *p, v2_ike_sa **ba, v2_ike_sa **bi, size_t n)
{
	v2_ike_sa **ta[IX_MIN_BUCKETS], **ti[IX_MIN_BUCKETS]; /* each new chain's tail */
	for (size_t k = 0; k < n; k++) {
		ta[k] = &ba[k];
		ti[k] = &bi[k];
	}
	for (v2_ike_sa *s = p->by_addr[0], *nx; s; s = nx) {
		nx = s->next_addr;
		s->next_addr = NULL;
		*ta[s->addr_key & (n - 1)] = s;
		ta[s->addr_key & (n - 1)] = &s->next_addr;
	}
	for (v2_ike_sa *s = p->by_id[0], *nx; s; s = nx) {
		nx = s->next_id;
		s->next_id = NULL;
		*ti[s->id_key & (n - 1)] = s;
		ti[s->id_key & (n - 1)] = &s->next_id;
	}
}

/* Doubles both tables (1 bucket, then IX_MIN_BUCKETS); false (the old ones kept, chains longer) when out of memory. */
static bool grow(ike_peer *p)
{
	size_t n = p->ibuckets > 1 ? p->ibuckets * 2 : p->ibuckets ? IX_MIN_BUCKETS : 1;
	v2_ike_sa **ba = calloc(n, sizeof(*ba)), **bi = calloc(n, sizeof(*bi));
	if (!ba || !bi) {
		free(ba);
		free(bi);
		return false;
	}
	if (p->ibuckets == 1)
		rehash_single(p, ba, bi, n);
	for (size_t i = 0; p->ibuckets > 1 && i < p->ibuckets; i++) {
		for (v2_ike_sa *s = p->by_addr[i], *nx; s; s = nx) { /* reversed chains: order is not meaning */
			nx = s->next_addr;
			s->next_addr = ba[s->addr_key & (n - 1)];
			ba[s->addr_key & (n - 1)] = s;
		}
		for (v2_ike_sa *s = p->by_id[i], *nx; s; s = nx) {
			nx = s->next_id;
			s->next_id = bi[s->id_key & (n - 1)];
			bi[s->id_key & (n - 1)] = s;
		}
	}
	free(p->by_addr);
	free(p->by_id);
	p->by_addr = ba;
	p->by_id = bi;
	p->ibuckets = n;
	return true;
}

static void unlink_from(ike_peer *p, v2_ike_sa *sa, bool by_id)
{
	for (v2_ike_sa **pp = chain(p, by_id, by_id ? sa->id_key : sa->addr_key); *pp; pp = next_of(*pp, by_id))
		if (*pp == sa) {
			*pp = *next_of(sa, by_id);
			return;
		}
}

static void link_in(v2_ike_sa *sa, bool by_id)
{
	ike_peer *p = sa->peer;
	/* one bucket holds a lone SA's two entries (by address, by ID); more means a gateway */
	if (p->n_indexed >= (p->ibuckets == 1 ? 2 : p->ibuckets) && !grow(p) && !p->ibuckets)
		return; /* no table at all: the SA stays out (a missed collision or contact, never a crash) */
	v2_ike_sa **c = chain(p, by_id, by_id ? sa->id_key : sa->addr_key);
	*next_of(sa, by_id) = *c;
	*c = sa;
	if (by_id)
		sa->in_id = true;
	else
		sa->in_addr = true;
	p->n_indexed++;
}

void v2_index_addr(v2_ike_sa *sa)
{
	if (sa->in_addr)
		return;
	sa->addr_key = addr_key(&sa->remote);
	link_in(sa, false);
}

void v2_index_readdr(v2_ike_sa *sa)
{
	if (!sa->in_addr)
		return;
	unlink_from(sa->peer, sa, false);
	sa->in_addr = false;
	sa->peer->n_indexed--;
	v2_index_addr(sa);
}

void v2_index_id(v2_ike_sa *sa)
{
	if (sa->in_id) {
		unlink_from(sa->peer, sa, true);
		sa->in_id = false;
		sa->peer->n_indexed--;
	}
	if (!sa->peer_id)
		return;
	sa->id_key = fnv(sa->peer_id, sa->peer_id_len, 2166136261u);
	link_in(sa, true);
}

void v2_index_remove(v2_ike_sa *sa)
{
	ike_peer *p = sa->peer;
	if (sa->in_addr) {
		unlink_from(p, sa, false);
		p->n_indexed--;
	}
	if (sa->in_id) {
		unlink_from(p, sa, true);
		p->n_indexed--;
	}
	sa->in_addr = sa->in_id = false;
}

v2_ike_sa *v2_index_first_addr(const v2_ike_sa *sa)
{
	ike_peer *p = sa->peer;
	return p->ibuckets ? *chain(p, false, addr_key(&sa->remote)) : NULL;
}

v2_ike_sa *v2_index_first_id(const v2_ike_sa *sa)
{
	ike_peer *p = sa->peer;
	if (!p->ibuckets || !sa->peer_id)
		return NULL;
	return *chain(p, true, fnv(sa->peer_id, sa->peer_id_len, 2166136261u));
}

void v2_index_free(ike_peer *p)
{
	free(p->by_addr);
	free(p->by_id);
	p->by_addr = p->by_id = NULL;
	p->ibuckets = p->n_indexed = 0;
}
