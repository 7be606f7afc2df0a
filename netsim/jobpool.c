/* The crypto job pool (jobpool.h): one FIFO under one lock; workers take from the head, a waiting caller
 * takes its own job out of the queue or, while a worker has it, runs the next ones itself. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "jobpool.h"

enum { ITEM_QUEUED = 1, ITEM_RUNNING, ITEM_DONE };

struct sim_jobpool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	sim_pool_item *head, *tail;
	bool stop;
	unsigned n_threads;
	uint64_t by_workers, by_caller;
	pthread_t threads[];
};

static void unqueue(sim_jobpool *p, sim_pool_item *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		p->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		p->tail = it->prev;
	it->prev = it->next = NULL;
}

/* Runs it outside the lock (held on entry and on return). */
static void run_unlocked(sim_jobpool *p, sim_pool_item *it)
{
	it->state = ITEM_RUNNING;
	pthread_mutex_unlock(&p->mu);
	ike_job_run(it->job);
	pthread_mutex_lock(&p->mu);
	it->state = ITEM_DONE;
}

static void *worker(void *arg)
{
	sim_jobpool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		sim_pool_item *it = p->head;
		unqueue(p, it);
		run_unlocked(p, it);
		p->by_workers++;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

sim_jobpool *sim_jobpool_new(unsigned threads)
{
	if (!threads || threads > 1024)
		return NULL;
	sim_jobpool *p = calloc(1, sizeof(*p) + (threads - 1) * sizeof(pthread_t));
	if (!p)
		return NULL;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->work, NULL) != 0 || pthread_cond_init(&p->done, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	for (unsigned i = 0; i + 1 < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
			sim_jobpool_free(p);
			return NULL;
		}
		p->n_threads++;
	}
	return p;
}

void sim_jobpool_push(sim_jobpool *p, sim_pool_item *it)
{
	pthread_mutex_lock(&p->mu);
	it->state = ITEM_QUEUED;
	it->next = NULL;
	it->prev = p->tail;
	if (p->tail)
		p->tail->next = it;
	else
		p->head = it;
	p->tail = it;
	if (p->n_threads)
		pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void sim_jobpool_wait(sim_jobpool *p, sim_pool_item *it)
{
	pthread_mutex_lock(&p->mu);
	while (it->state != ITEM_DONE) {
		sim_pool_item *run = it->state == ITEM_QUEUED ? it : p->head;
		if (!run) {
			pthread_cond_wait(&p->done, &p->mu);
			continue;
		}
		unqueue(p, run);
		run_unlocked(p, run);
		p->by_caller++;
	}
	pthread_mutex_unlock(&p->mu);
}

void sim_jobpool_forget(sim_jobpool *p, sim_pool_item *it)
{
	pthread_mutex_lock(&p->mu);
	if (it->state == ITEM_QUEUED) {
		unqueue(p, it);
		it->state = ITEM_DONE;
	}
	while (it->state != ITEM_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void sim_jobpool_counts(sim_jobpool *p, uint64_t *by_workers, uint64_t *by_caller)
{
	pthread_mutex_lock(&p->mu);
	*by_workers = p->by_workers;
	*by_caller = p->by_caller;
	pthread_mutex_unlock(&p->mu);
}

void sim_jobpool_free(sim_jobpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
