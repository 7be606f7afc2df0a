/*
 * A fault counts the datagrams that match it from its `at` on and drops numbers nth .. nth+count-1.
 * Faults with the same (node, link) see the same datagrams, so one counter per group suffices: a fault
 * started when its group had counted `base` drops the datagrams whose group count is in
 * [base + nth, base + nth + count - 1]. Two heaps per group hold the faults waiting for their range and
 * those inside it, so each datagram costs a few hash lookups plus the faults that start or end.
 */
#include "scenario_faultidx.h"

#include <stdlib.h>
#include <string.h>

#include "scenario_index.h"

typedef struct heap_ent {
	uint64_t key; /* pending: first count dropped; firing: last count dropped */
	uint64_t len; /* pending: how many to drop */
} heap_ent;

typedef struct heap {
	heap_ent *a;
	size_t n, cap;
} heap;

typedef struct group {
	int32_t node, lo, hi; /* -1 = any */
	uint64_t count;       /* datagrams matched since the run began */
	heap pending, firing;
} group;

struct sim_fault_index {
	const sim_fault_spec *f;
	size_t n, next;   /* faults in `at` order; `next` is the first not yet started */
	uint32_t *order;  /* fault numbers sorted by at */
	uint32_t *gof;    /* fault -> group */
	group *g;
	size_t n_g;
	sim_index ix;
};

static int heap_push(heap *h, heap_ent e)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 4;
		heap_ent *a = realloc(h->a, cap * sizeof(*a));
		if (!a)
			return -1;
		h->a = a;
		h->cap = cap;
	}
	size_t i = h->n++;
	while (i && h->a[(i - 1) / 2].key > e.key) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = e;
	return 0;
}

static heap_ent heap_pop(heap *h)
{
	heap_ent top = h->a[0], last = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->a[c + 1].key < h->a[c].key)
			c++;
		if (h->a[c].key >= last.key)
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (h->n)
		h->a[i] = last;
	return top;
}

static uint32_t group_hash(int32_t node, int32_t lo, int32_t hi)
{
	int32_t k[3] = { node, lo, hi };
	return sim_hash_bytes(k, sizeof(k), 0x6661756c);
}

static int group_eq(const void *ctx, const void *key, uint32_t item)
{
	const group *g = &((const sim_fault_index *)ctx)->g[item];
	const int32_t *k = key;
	return g->node == k[0] && g->lo == k[1] && g->hi == k[2];
}

static int64_t find_group(const sim_fault_index *x, int32_t node, int32_t lo, int32_t hi)
{
	int32_t k[3] = { node, lo, hi };
	return sim_index_find(&x->ix, group_hash(node, lo, hi), group_eq, x, k);
}

static int by_at(const void *a, const void *b, void *ctx)
{
	const sim_fault_spec *f = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	if (f[i].at != f[j].at)
		return f[i].at < f[j].at ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* qsort has no context argument in C17: a small merge sort of the fault numbers by (at, number). */
static void sort_faults(uint32_t *v, uint32_t *tmp, size_t n, const sim_fault_spec *f)
{
	for (size_t w = 1; w < n; w *= 2)
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = by_at(&v[j], &v[i], (void *)f) < 0 ? v[j++] : v[i++];
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
			memcpy(v + lo, tmp + lo, (hi - lo) * sizeof(*v));
		}
}

/* Puts every fault in its group, creating groups as they appear. 0 or -1. */
static int build_groups(sim_fault_index *x)
{
	if (sim_index_reserve(&x->ix, x->n))
		return -1;
	for (size_t i = 0; i < x->n; i++) {
		const sim_fault_spec *f = &x->f[i];
		int32_t lo = f->link_a < f->link_b ? f->link_a : f->link_b, hi = f->link_a < f->link_b ? f->link_b : f->link_a;
		int64_t k = find_group(x, f->node, lo, hi);
		if (k < 0) {
			k = (int64_t)x->n_g++;
			x->g[k] = (group){ .node = f->node, .lo = lo, .hi = hi };
			if (sim_index_add(&x->ix, group_hash(f->node, lo, hi), (uint32_t)k))
				return -1;
		}
		x->gof[i] = (uint32_t)k;
	}
	return 0;
}

sim_fault_index *sim_fault_index_new(const sim_fault_spec *f, size_t n)
{
	sim_fault_index *x = calloc(1, sizeof(*x));
	uint32_t *tmp = calloc(n ? n : 1, sizeof(*tmp));
	if (!x || !tmp || n >= UINT32_MAX)
		goto fail;
	x->f = f;
	x->n = n;
	x->order = calloc(n ? n : 1, sizeof(*x->order));
	x->gof = calloc(n ? n : 1, sizeof(*x->gof));
	x->g = calloc(n ? n : 1, sizeof(*x->g));
	if (!x->order || !x->gof || !x->g || build_groups(x))
		goto fail;
	for (size_t i = 0; i < n; i++)
		x->order[i] = (uint32_t)i;
	sort_faults(x->order, tmp, n, f);
	free(tmp);
	return x;
fail:
	free(tmp);
	sim_fault_index_free(x);
	return NULL;
}

/* Counts one datagram in group k; 1 if a fault of the group drops it, -1 out of memory. */
static int count_in(sim_fault_index *x, int64_t k)
{
	if (k < 0)
		return 0;
	group *g = &x->g[k];
	uint64_t c = ++g->count;
	while (g->pending.n && g->pending.a[0].key <= c) {
		heap_ent e = heap_pop(&g->pending);
		if (heap_push(&g->firing, (heap_ent){ e.key + e.len - 1, 0 }))
			return -1;
	}
	while (g->firing.n && g->firing.a[0].key < c)
		heap_pop(&g->firing);
	return g->firing.n != 0;
}

int sim_fault_index_match(sim_fault_index *x, int64_t now, uint32_t from, uint32_t to)
{
	for (; x->next < x->n && x->f[x->order[x->next]].at <= now; x->next++) {
		uint32_t i = x->order[x->next];
		group *g = &x->g[x->gof[i]];
		if (x->f[i].kind != SIM_FAULT_DROP) /* the runner handles link-down, reboot and exchange faults */
			continue;
		if (heap_push(&g->pending, (heap_ent){ g->count + x->f[i].nth, x->f[i].count }))
			return -1;
	}
	int32_t fr = (int32_t)from, lo = -1, hi = -1;
	if (to != UINT32_MAX) {
		lo = (int32_t)(from < to ? from : to);
		hi = (int32_t)(from < to ? to : from);
	}
	int r[4] = { count_in(x, find_group(x, -1, -1, -1)), count_in(x, find_group(x, fr, -1, -1)), 0, 0 };
	if (to != UINT32_MAX) {
		r[2] = count_in(x, find_group(x, -1, lo, hi));
		r[3] = count_in(x, find_group(x, fr, lo, hi));
	}
	if (r[0] < 0 || r[1] < 0 || r[2] < 0 || r[3] < 0)
		return -1;
	return r[0] || r[1] || r[2] || r[3];
}

void sim_fault_index_free(sim_fault_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n_g; i++) {
		free(x->g[i].pending.a);
		free(x->g[i].firing.a);
	}
	free(x->g);
	free(x->order);
	free(x->gof);
	sim_index_free(&x->ix);
	free(x);
}
