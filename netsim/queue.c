/* 4-ary heap: shallower than binary (fewer cache misses at 10^6 events), children sit side by side. */
#include "queue.h"

#include <stdlib.h>

static int before(const sim_event *a, const sim_event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void sim_queue_init(sim_queue *q)
{
	q->h = NULL;
	q->n = q->cap = 0;
	q->next_seq = 0;
}

void sim_queue_free(sim_queue *q)
{
	free(q->h);
	sim_queue_init(q);
}

int sim_queue_push(sim_queue *q, int64_t t, sim_fn fn, void *arg)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		sim_event *h = realloc(q->h, cap * sizeof(*h));
		if (!h)
			return -1;
		q->h = h;
		q->cap = cap;
	}
	sim_event e = { t, q->next_seq++, fn, arg };
	size_t i = q->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 4;
		if (!before(&e, &q->h[parent]))
			break;
		q->h[i] = q->h[parent];
		i = parent;
	}
	q->h[i] = e;
	return 0;
}

const sim_event *sim_queue_peek(const sim_queue *q)
{
	return q->n ? &q->h[0] : NULL;
}

int sim_queue_pop(sim_queue *q, sim_event *out)
{
	if (!q->n)
		return 0;
	*out = q->h[0];
	sim_event last = q->h[--q->n];
	size_t i = 0, n = q->n;
	for (;;) {
		size_t c = 4 * i + 1, best = c;
		if (c >= n)
			break;
		size_t end = c + 4 < n ? c + 4 : n;
		for (size_t k = c + 1; k < end; k++)
			if (before(&q->h[k], &q->h[best]))
				best = k;
		if (!before(&q->h[best], &last))
			break;
		q->h[i] = q->h[best];
		i = best;
	}
	if (n)
		q->h[i] = last;
	return 1;
}
