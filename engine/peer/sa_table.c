/* The peer's SA tables: two SPI hash tables, the heap on each SA's earliest deadline, per-connection lists. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev2/sa.h"
#include "peer/job.h"
#include "peer/peer.h"

#define V2_MIN_BUCKETS 16

static size_t bucket(uint64_t spi, size_t n)
{
	/* SPIs are random already; fold the high half in for safety against crafted ones. */
	return (size_t)((spi ^ (spi >> 29) ^ (spi >> 47)) & (n - 1));
}

static v2_ike_sa **local_slot(ike_peer *p, uint64_t spi) { return &p->by_local[bucket(spi, p->nbuckets)]; }

static uint64_t remote_spi(const v2_ike_sa *sa) { return sa->initiator ? sa->spi_r : sa->spi_i; }
static uint64_t local_spi(const v2_ike_sa *sa) { return sa->initiator ? sa->spi_i : sa->spi_r; }

static void unlink_chain(v2_ike_sa **head, v2_ike_sa *sa, bool by_local)
{
	for (v2_ike_sa **pp = head; *pp; pp = by_local ? &(*pp)->next_local : &(*pp)->next_remote) {
		if (*pp == sa) {
			*pp = by_local ? sa->next_local : sa->next_remote;
			return;
		}
	}
}

/*
 * Doubles the tables when they get crowded, so lookups stay O(1) at 10^5 SAs. A peer's first SA gets
 * one bucket (most simulated peers never hold more); the second jumps to V2_MIN_BUCKETS, moving a
 * single SA, so from then on chains and iteration order are exactly those of a table born that size.
 */
static int grow(ike_peer *p)
{
	size_t n = p->nbuckets > 1 ? p->nbuckets * 2 : p->nbuckets ? V2_MIN_BUCKETS : 1;
	v2_ike_sa **bl = calloc(n, sizeof(*bl)), **br = calloc(n, sizeof(*br));
	if (!bl || !br) {
		free(bl);
		free(br);
		return -1;
	}
	for (size_t i = 0; i < p->nbuckets; i++) {
		for (v2_ike_sa *sa = p->by_local[i], *nx; sa; sa = nx) {
			nx = sa->next_local;
			size_t b = bucket(local_spi(sa), n);
			sa->next_local = bl[b];
			bl[b] = sa;
		}
		for (v2_ike_sa *sa = p->by_remote[i], *nx; sa; sa = nx) {
			nx = sa->next_remote;
			size_t b = bucket(remote_spi(sa), n);
			sa->next_remote = br[b];
			br[b] = sa;
		}
	}
	free(p->by_local);
	free(p->by_remote);
	p->by_local = bl;
	p->by_remote = br;
	p->nbuckets = n;
	return 0;
}

uint64_t v2_new_spi(ike_peer *p)
{
	for (;;) {
		uint8_t b[8];
		ike_drbg_bytes(&p->rng, b, sizeof(b));
		uint64_t spi = ike_get_u64(b);
		if (spi == 0)
			continue;
		bool taken = false;
		for (v2_ike_sa *s = p->nbuckets ? *local_slot(p, spi) : NULL; s; s = s->next_local)
			taken |= local_spi(s) == spi;
		if (!taken)
			return spi;
	}
}

v2_ike_sa *v2_sa_new(ike_peer *p, bool initiator, uint64_t spi_i, uint64_t spi_r)
{
	if (p->nsas >= p->nbuckets && grow(p) != 0)
		return NULL;
	v2_ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->peer = p;
	sa->initiator = initiator;
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	sa->state = V2_IKE_CREATED;
	sa->born = ++p->born;
	for (int i = 0; i < V2_DL_N; i++)
		sa->dl[i] = IKE_TIME_NEVER;
	sa->timer_at = IKE_TIME_NEVER;
	sa->heap_idx = SIZE_MAX;
	v2_ike_sa **l = local_slot(p, local_spi(sa));
	sa->next_local = *l;
	*l = sa;
	if (remote_spi(sa)) {
		v2_ike_sa **r = &p->by_remote[bucket(remote_spi(sa), p->nbuckets)];
		sa->next_remote = *r;
		*r = sa;
	}
	p->nsas++;
	return sa;
}

/* Initiator learns SPIr from the IKE_SA_INIT response. */
void v2_sa_set_spi_r(v2_ike_sa *sa, uint64_t spi_r)
{
	ike_peer *p = sa->peer;
	if (remote_spi(sa))
		unlink_chain(&p->by_remote[bucket(remote_spi(sa), p->nbuckets)], sa, false);
	sa->spi_r = spi_r;
	v2_ike_sa **r = &p->by_remote[bucket(spi_r, p->nbuckets)];
	sa->next_remote = *r;
	*r = sa;
}

/* ---- timer heap ---- */

static void heap_swap(ike_peer *p, size_t a, size_t b)
{
	v2_ike_sa *t = p->heap[a];
	p->heap[a] = p->heap[b];
	p->heap[b] = t;
	p->heap[a]->heap_idx = a;
	p->heap[b]->heap_idx = b;
}

static void heap_fix(ike_peer *p, size_t i)
{
	while (i > 0 && p->heap[(i - 1) / 2]->timer_at > p->heap[i]->timer_at) {
		heap_swap(p, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < p->heap_len && p->heap[l]->timer_at < p->heap[m]->timer_at)
			m = l;
		if (r < p->heap_len && p->heap[r]->timer_at < p->heap[m]->timer_at)
			m = r;
		if (m == i)
			return;
		heap_swap(p, i, m);
		i = m;
	}
}

static void heap_remove(ike_peer *p, v2_ike_sa *sa)
{
	size_t i = sa->heap_idx;
	if (i == SIZE_MAX)
		return;
	sa->heap_idx = SIZE_MAX;
	p->heap_len--;
	if (i == p->heap_len)
		return;
	p->heap[i] = p->heap[p->heap_len];
	p->heap[i]->heap_idx = i;
	heap_fix(p, i);
}

void v2_heap_update(v2_ike_sa *sa)
{
	ike_peer *p = sa->peer;
	if (sa->timer_at == IKE_TIME_NEVER) {
		heap_remove(p, sa);
		return;
	}
	if (sa->heap_idx == SIZE_MAX) {
		if (p->heap_len == p->heap_cap) {
			/* One slot for a lone SA; the heap's order does not depend on its capacity. */
			size_t cap = p->heap_cap > 1 ? p->heap_cap * 2 : p->heap_cap ? 16 : 1;
			v2_ike_sa **h = realloc(p->heap, cap * sizeof(*h));
			if (!h)
				return; /* the timer is lost; the SA will be reaped with the peer */
			p->heap = h;
			p->heap_cap = cap;
		}
		sa->heap_idx = p->heap_len;
		p->heap[p->heap_len++] = sa;
	}
	heap_fix(p, sa->heap_idx);
}

static void conn_unlink(v2_ike_sa *sa)
{
	if (!sa->conn_pprev)
		return;
	*sa->conn_pprev = sa->conn_next;
	if (sa->conn_next)
		sa->conn_next->conn_pprev = sa->conn_pprev;
	sa->conn_pprev = NULL;
}

void v2_sa_set_conn(v2_ike_sa *sa, size_t idx)
{
	ike_conn_rec *r = &sa->peer->rec[idx];
	conn_unlink(sa); /* never on two connections' lists */
	sa->conn = &sa->peer->cfg.conns[idx];
	sa->conn_idx = (uint16_t)idx;
	sa->conn_next = r->sas;
	if (r->sas)
		r->sas->conn_pprev = &sa->conn_next;
	sa->conn_pprev = &r->sas;
	r->sas = sa;
}


void v2_sa_destroy(v2_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	/* 2.8.2: the peer's crossing new SA waited for this one's rekey to settle; it never will now */
	v2_ike_sa *n = sa->peer_rekey_spi ? v2_find_local(p, sa->peer_rekey_spi) : NULL;
	if (n && n != sa && n->unsettled) {
		n->unsettled = false;
		v2_dl_set(n, V2_DL_SETTLE, now);
	}
	v2_job_detach(sa);
	heap_remove(p, sa);
	unlink_chain(local_slot(p, local_spi(sa)), sa, true);
	if (remote_spi(sa))
		unlink_chain(&p->by_remote[bucket(remote_spi(sa), p->nbuckets)], sa, false);
	p->nsas--;
	v2_index_remove(sa);
	conn_unlink(sa);
	v2_half_open_track(sa, sa->state, V2_IKE_DESTROYING);
	ike_dh_free(sa->dh);
	OPENSSL_clear_free(sa->keys, sa->keys_len);
	free(sa->ni);
	free(sa->nr);
	free(sa->init_i);
	free(sa->init_r);
	free(sa->cookie);
	free(sa->low_nonce);
	free(sa->peer_id);
	free(sa->req);
	free(sa->resp);
	free(sa->xn);
	v2_frag_free(sa);
	v2_child_free_all(sa);
	free(sa);
}

void v2_half_open_track(v2_ike_sa *sa, uint8_t from, uint8_t to)
{
	/* Only responders count: our own initiations are not what a flood of forged requests creates. */
	if (sa->initiator || from == to)
		return;
	if (to == V2_IKE_CONNECTING) {
		sa->peer->half_open++;
		v2_ho_adjust(sa->peer, &sa->remote, +1);
	} else if (from == V2_IKE_CONNECTING) {
		sa->peer->half_open--;
		v2_ho_adjust(sa->peer, &sa->remote, -1);
	}
}

void v2_job_attach(v2_ike_sa *sa, struct ike_job *j)
{
	sa->job = j;
	if (!sa->initiator && sa->state == V2_IKE_CREATED) /* what a flood of requests costs us, while we compute */
		v2_half_open_track(sa, V2_IKE_CREATED, V2_IKE_CONNECTING);
	v2_dl_refresh(sa);
}

void v2_job_detach(v2_ike_sa *sa)
{
	if (!sa->job)
		return;
	ike_job_orphan(sa->job);
	sa->job = NULL;
	if (!sa->initiator && sa->state == V2_IKE_CREATED)
		v2_half_open_track(sa, V2_IKE_CONNECTING, V2_IKE_CREATED);
	v2_dl_refresh(sa);
}

ike_conn_rec *v2_rec(v2_ike_sa *sa) { return sa->conn ? &sa->peer->rec[sa->conn_idx] : NULL; }

/* ---- lookups used by dispatch ---- */

v2_ike_sa *v2_find_local(ike_peer *p, uint64_t spi)
{
	if (!p->nbuckets || !spi)
		return NULL;
	for (v2_ike_sa *s = *local_slot(p, spi); s; s = s->next_local)
		if (local_spi(s) == spi)
			return s;
	return NULL;
}

bool v2_same_addr(const ike_addr *a, const ike_addr *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

v2_ike_sa *v2_find_half_open(ike_peer *p, uint64_t spi_i, const ike_addr *from)
{
	if (!p->nbuckets)
		return NULL;
	for (v2_ike_sa *s = p->by_remote[bucket(spi_i, p->nbuckets)]; s; s = s->next_remote)
		/* init_from: a late IKE_SA_INIT retransmit after the SA moved to the NAT-T ports is still this SA's */
		if (!s->initiator && s->spi_i == spi_i && (v2_same_addr(&s->remote, from) || v2_same_addr(&s->init_from, from)))
			return s;
	return NULL;
}

bool v2_sa_alive(ike_peer *p, uint64_t spi, const v2_ike_sa *sa) { return v2_find_local(p, spi) == sa; }
