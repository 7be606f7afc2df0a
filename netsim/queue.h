/* The simulator's event queue: a 4-ary min-heap on (time, insertion sequence), so equal times run FIFO. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef void (*sim_fn)(void *arg);

typedef struct sim_event {
	int64_t t;    /* virtual time, ns */
	uint64_t seq; /* insertion order: the tie-break that makes runs deterministic */
	sim_fn fn;
	void *arg;
} sim_event;

typedef struct sim_queue {
	sim_event *h;
	size_t n, cap;
	uint64_t next_seq;
} sim_queue;

void sim_queue_init(sim_queue *q);
/* Frees the heap array only; pending args are the caller's (drain with sim_queue_pop first). */
void sim_queue_free(sim_queue *q);
/* Adds an event; 0, or -1 when out of memory. */
int sim_queue_push(sim_queue *q, int64_t t, sim_fn fn, void *arg);
/* Removes the earliest event into *out; 1, or 0 if empty. */
int sim_queue_pop(sim_queue *q, sim_event *out);
/* The earliest event, NULL if empty; valid until the next push/pop. */
const sim_event *sim_queue_peek(const sim_queue *q);

#endif
