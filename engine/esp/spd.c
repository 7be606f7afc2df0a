/* SPD: an ordered array of policies, searched first match first (RFC 4301 4.4.1: the SPD is ordered). */
#include <stdlib.h>
#include <string.h>

#include "esp/spd.h"

struct esp_spd {
	esp_policy *p;
	size_t n, cap;
	uint64_t misses;
};

esp_spd *esp_spd_new(void)
{
	return calloc(1, sizeof(esp_spd));
}

void esp_spd_free(esp_spd *s)
{
	if (s)
		free(s->p);
	free(s);
}

int esp_spd_insert(esp_spd *s, size_t pos, const esp_policy *p)
{
	if (!s || !p || pos > s->n || p->local.family != p->remote.family ||
	    (p->local.family != 4 && p->local.family != 6) || p->dir > ESP_DIR_IN || p->action > ESP_ACT_TRAP)
		return -1;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		esp_policy *np = realloc(s->p, ncap * sizeof(*np));
		if (!np)
			return -1;
		s->p = np;
		s->cap = ncap;
	}
	memmove(&s->p[pos + 1], &s->p[pos], (s->n - pos) * sizeof(*s->p));
	s->p[pos] = *p;
	s->p[pos].hits = 0;
	s->n++;
	return 0;
}

int esp_spd_add(esp_spd *s, const esp_policy *p)
{
	return s ? esp_spd_insert(s, s->n, p) : -1;
}

size_t esp_spd_remove(esp_spd *s, uint64_t id)
{
	size_t k = 0, removed = 0;
	for (size_t i = 0; s && i < s->n; i++) {
		if (s->p[i].id == id)
			removed++;
		else
			s->p[k++] = s->p[i];
	}
	if (s)
		s->n = k;
	return removed;
}

size_t esp_spd_set_sa(esp_spd *s, uint64_t id, uint8_t dir, esp_sa *sa)
{
	size_t n = 0;
	for (size_t i = 0; s && i < s->n; i++)
		if (s->p[i].id == id && s->p[i].dir == dir && s->p[i].action == ESP_ACT_PROTECT) {
			s->p[i].sa = sa;
			n++;
		}
	return n;
}

/* addr within [start, end] compared as big-endian numbers of alen bytes. */
static int in_range(const uint8_t *a, const uint8_t *start, const uint8_t *end, size_t alen)
{
	return memcmp(a, start, alen) >= 0 && memcmp(a, end, alen) <= 0;
}

/* One side: address range, and ports unless OPAQUE (65535..0 matches only portless packets, RFC 4301 4.4.1.1). */
static int side_match(const ike_ts *t, const uint8_t *addr, uint16_t port, uint8_t proto, size_t alen)
{
	if (!in_range(addr, t->start, t->end, alen))
		return 0;
	if (t->ip_proto && t->ip_proto != proto)
		return 0;
	if (t->start_port > t->end_port) /* OPAQUE */
		return 1;
	return port >= t->start_port && port <= t->end_port;
}

int esp_ts_match(const ike_ts *local, const ike_ts *remote, uint8_t dir, const esp_flow *f)
{
	if (!local || !remote || !f || local->family != f->family || remote->family != f->family)
		return 0;
	size_t alen = f->family == 4 ? 4 : 16;
	const uint8_t *la = dir == ESP_DIR_OUT ? f->src : f->dst, *ra = dir == ESP_DIR_OUT ? f->dst : f->src;
	uint16_t lp = dir == ESP_DIR_OUT ? f->sport : f->dport, rp = dir == ESP_DIR_OUT ? f->dport : f->sport;
	return side_match(local, la, lp, f->proto, alen) && side_match(remote, ra, rp, f->proto, alen);
}

esp_policy *esp_spd_lookup(esp_spd *s, uint8_t dir, const esp_flow *f)
{
	if (!s || !f)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].dir == dir && esp_ts_match(&s->p[i].local, &s->p[i].remote, dir, f)) {
			s->p[i].hits++;
			return &s->p[i];
		}
	s->misses++;
	return NULL;
}

size_t esp_spd_count(const esp_spd *s) { return s ? s->n : 0; }
const esp_policy *esp_spd_at(const esp_spd *s, size_t i) { return s && i < s->n ? &s->p[i] : NULL; }
uint64_t esp_spd_misses(const esp_spd *s) { return s ? s->misses : 0; }
