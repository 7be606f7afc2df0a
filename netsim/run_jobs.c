/*
 * The engines' crypto jobs in a run (docs/threads.md): with `threads` set, each job goes to the pool when the
 * engine makes it and comes back to its node at a fixed point of virtual time: on a node with a CPU at the end
 * of the CPU job that made it (run_cpu.c), on a node without one after what the job costs in the "floor"
 * table, as if the node had a core to spare for every job. The simulation waits for each result at that
 * point, so the pool's size changes nothing but speed; the virtual time a job takes is what gives the
 * threads work to share.
 */
#include <stdlib.h>

#include "cpu_costs.h"
#include "jobpool.h"
#include "run_int.h"

struct sim_cjob {
	sim_pool_item it;
	sim_cjob *prev, *next; /* every job out, for the end of the run */
	sim_cjob *cnext;       /* the CPU job's list (run_cpu.c) */
	rnode *n;
};

static void unlink_job(runner *r, sim_cjob *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		r->cjobs = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

void sim_jobs_finish(sim_cjob *c, int64_t now)
{
	rnode *n = c->n;
	runner *r = n->r;
	unlink_job(r, c);
	sim_jobpool_wait(r->pool, &c->it);
	ike_peer_job_done(n->peer, now, c->it.job); /* frees the job; an SA gone meanwhile only drops it */
	free(c);
	r->last_activity = now;
}

sim_cjob *sim_jobs_next(sim_cjob *c) { return c->cnext; }
void sim_jobs_set_next(sim_cjob *c, sim_cjob *next) { c->cnext = next; }

static void add_cost(void *ctx, uint8_t op, uint32_t arg, size_t bytes)
{
	int64_t *t = ctx;
	*t += sim_cpu_cost(sim_cpu_costs_builtin("floor"), op, arg, bytes);
}

static void on_job_back(void *arg)
{
	sim_cjob *c = arg;
	rnode *n = c->n;
	sim_jobs_finish(c, n->r->be.now(n->r->be.impl));
	sim_rn_rearm(n);
}

int sim_jobs_submit(void *ctx, ike_job *job)
{
	rnode *n = ctx;
	runner *r = n->r;
	sim_cjob *c = r->pool ? calloc(1, sizeof(*c)) : NULL;
	if (!c)
		return -1; /* the engine computes it inline */
	c->n = n;
	c->it.job = job;
	int64_t takes = 0;
	if (!n->cpu)
		ike_job_charges(job, add_cost, &takes);
	if (!sim_cpu_attach(n, c) && r->be.schedule(r->be.impl, r->be.now(r->be.impl) + takes, on_job_back, c) != 0) {
		free(c);
		r->failed = "out of memory scheduling a crypto job";
		return -1;
	}
	if ((c->next = r->cjobs))
		r->cjobs->prev = c;
	r->cjobs = c;
	sim_jobpool_push(r->pool, &c->it);
	return 0;
}

int sim_jobs_setup(runner *r, unsigned threads)
{
	if (!threads)
		return 0;
	r->pool = sim_jobpool_new(threads);
	return r->pool ? 0 : -1;
}

void sim_jobs_free(runner *r)
{
	if (!r->pool)
		return;
	for (sim_cjob *c = r->cjobs, *nx; c; c = nx) { /* the run ended first: their peers are gone already */
		nx = c->next;
		sim_jobpool_forget(r->pool, &c->it);
		ike_job_free(c->it.job);
		free(c);
	}
	r->cjobs = NULL;
	sim_jobpool_free(r->pool);
	r->pool = NULL;
}

void sim_jobs_counts(runner *r, uint64_t *by_workers, uint64_t *by_caller)
{
	*by_workers = *by_caller = 0;
	if (r->pool)
		sim_jobpool_counts(r->pool, by_workers, by_caller);
}
