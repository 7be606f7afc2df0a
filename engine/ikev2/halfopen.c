/*
 * Half-open responder IKE SAs per source IP, for cookie_threshold_ip and block_threshold: an
 * open-addressing table (linear probing, backward-shift deletion) that holds only IPs with a
 * non-zero count, so its size follows the half-open SAs, not the traffic.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2/sa.h"

#define V2_HO_MIN_CAP 16

static size_t ip_len(const ike_addr *a) { return a->family == 4 ? 4 : 16; }

static uint64_t ip_hash(const ike_addr *a)
{
	/* FNV-1a over family and address; the port is left out on purpose (one host, many ports). */
	uint64_t h = 0xcbf29ce484222325ULL ^ a->family;
	for (size_t i = 0; i < ip_len(a); i++)
		h = (h ^ a->ip[i]) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

static bool slot_is(const v2_ho_slot *s, const ike_addr *a)
{
	return s->count && s->family == a->family && memcmp(s->ip, a->ip, ip_len(a)) == 0;
}

/* The slot holding a, or the empty slot where it would go. */
static size_t probe(const v2_ho_slot *t, size_t cap, const ike_addr *a)
{
	size_t i = (size_t)ip_hash(a) & (cap - 1);
	while (t[i].count && !slot_is(&t[i], a))
		i = (i + 1) & (cap - 1);
	return i;
}

uint32_t v2_ho_count(const ike_peer *p, const ike_addr *a)
{
	if (!p->ho_cap)
		return 0;
	return p->ho[probe(p->ho, p->ho_cap, a)].count;
}

static int grow(ike_peer *p)
{
	size_t cap = p->ho_cap ? 2 * p->ho_cap : V2_HO_MIN_CAP;
	v2_ho_slot *t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < p->ho_cap; i++) {
		if (!p->ho[i].count)
			continue;
		ike_addr a = { .family = p->ho[i].family };
		memcpy(a.ip, p->ho[i].ip, sizeof(a.ip));
		t[probe(t, cap, &a)] = p->ho[i];
	}
	free(p->ho);
	p->ho = t;
	p->ho_cap = cap;
	return 0;
}

/* Backward-shift deletion: later members of the probe run move up so lookups never stop early. */
static void remove_at(ike_peer *p, size_t i)
{
	size_t mask = p->ho_cap - 1, j = i;
	p->ho[i].count = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (!p->ho[j].count)
			return;
		ike_addr a = { .family = p->ho[j].family };
		memcpy(a.ip, p->ho[j].ip, sizeof(a.ip));
		size_t home = (size_t)ip_hash(&a) & mask;
		/* j stays only if its home lies cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		p->ho[i] = p->ho[j];
		p->ho[j].count = 0;
		i = j;
	}
}

void v2_ho_adjust(ike_peer *p, const ike_addr *a, int delta)
{
	if (delta > 0 && (p->ho_used + 1) * 2 > p->ho_cap && grow(p) != 0)
		return; /* out of memory: this SA goes uncounted, and its decrement finds nothing */
	if (!p->ho_cap)
		return;
	size_t i = probe(p->ho, p->ho_cap, a);
	v2_ho_slot *s = &p->ho[i];
	if (delta > 0) {
		if (!s->count) {
			s->family = a->family;
			memset(s->ip, 0, sizeof(s->ip));
			memcpy(s->ip, a->ip, ip_len(a));
			p->ho_used++;
		}
		s->count++;
	} else if (s->count) {
		if (s->count == 1) {
			remove_at(p, i);
			p->ho_used--;
		} else {
			s->count--;
		}
	}
}
