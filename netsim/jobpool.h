/*
 * A pool of real threads for the engines' crypto jobs (ike.h): jobs are pushed in the order the simulation
 * makes them and computed in any order on any thread; the simulation waits for each in its own order, so what
 * it sees does not depend on the number of threads (docs/threads.md).
 */
#ifndef SIM_JOBPOOL_H
#define SIM_JOBPOOL_H

#include <stdint.h>

#include "ike.h"

typedef struct sim_jobpool sim_jobpool;

/* One job in the pool; embedded in its owner's record, which must outlive the wait. */
typedef struct sim_pool_item {
	ike_job *job;
	struct sim_pool_item *prev, *next; /* in the queue while waiting for a thread */
	uint8_t state;                     /* queued, running, done (under the pool's lock) */
} sim_pool_item;

/* threads: threads that compute, the caller's own included (1: the caller alone, each job when it is waited
 * for). NULL when threads is 0 or a thread cannot be started. */
sim_jobpool *sim_jobpool_new(unsigned threads);

/* Queues it (it->job set); never fails. */
void sim_jobpool_push(sim_jobpool *p, sim_pool_item *it);

/* Returns once it->job has run: runs it here if no thread took it yet, else helps with others meanwhile. */
void sim_jobpool_wait(sim_jobpool *p, sim_pool_item *it);

/* Takes it out of the queue unrun, or, when a thread has it, waits for that thread to finish it. */
void sim_jobpool_forget(sim_jobpool *p, sim_pool_item *it);

/* Jobs run by the pool's threads and by waiting callers, for the run's summary. */
void sim_jobpool_counts(sim_jobpool *p, uint64_t *by_workers, uint64_t *by_caller);

/* Waits for the threads' jobs in progress, stops and joins the threads; queued jobs stay unrun. */
void sim_jobpool_free(sim_jobpool *p);

#endif
