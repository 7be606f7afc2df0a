/*
 * Nodes with a "cpu" (docs/cpu.md): every datagram, timer and initiation of the node's IKE engine is a job
 * that waits for one of its virtual cores, in strongSwan's priority classes. A job runs the engine when a
 * core takes it; what the engine charges (ike_host.charge) plus a fixed part per job is how long the core
 * stays busy, and what the job sends or traces leaves when it is done. Datagrams beyond a full queue, or a
 * new IKE_SA_INIT while more than init_limit_job_load jobs wait, are dropped (`cpu.drop`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "run_int.h"
#include "wire/v1.h"
#include "wire/v2.h"

/* strongSwan's job classes (processor.c): DPD and retransmits first, new SAs next, authentication last. */
enum { CPU_HIGH, CPU_MEDIUM, CPU_LOW, CPU_CLASSES };
enum { JOB_DATAGRAM, JOB_TIMER, JOB_INITIATE };
enum { OUT_SEND, OUT_RAW, OUT_TRACE };

typedef struct cpu_out {
	struct cpu_out *next;
	uint8_t kind;
	ike_addr from, to;
	size_t len;
	char *ev;        /* OUT_TRACE: the event name (data holds its fields) */
	uint8_t data[];
} cpu_out;

typedef struct cpu_job {
	struct cpu_job *next;             /* in its class's queue */
	struct cpu_job *iprev, *inext;    /* in the node's running list (until its end event) */
	rnode *n;
	uint8_t kind, cls;
	uint16_t core;
	uint32_t epoch;
	size_t conn;
	int64_t queued_at;
	ike_addr from, to;
	cpu_out *out, **tail;
	sim_cjob *crypto, *crypto_last;   /* crypto jobs it made (run_jobs.c): the engine goes on at its end */
	size_t len;
	uint8_t data[];
} cpu_job;

struct sim_node_cpu {
	const sim_cpu_spec *spec;
	int64_t *free_at, *busy; /* per core: when it is free again, and its work so far */
	bool *held;              /* per core: its job waits for crypto jobs, the core stays with it */
	cpu_job *head[CPU_CLASSES], *tail[CPU_CLASSES];
	size_t queued;
	cpu_job *running;        /* whose engine call is under way: its sends and traces are held */
	cpu_job *inflight;       /* started, end event pending: freed with the runner if the run stops first */
	int64_t cost;            /* of the running job so far */
	uint32_t epoch;          /* bumped by a reboot: jobs of an earlier boot end without effect */
	bool timer_queued;
	sim_cpu_stats st;
};

static int64_t now_of(const runner *r) { return r->be.now(r->be.impl); }

static uint8_t classify(const uint8_t *d, size_t len)
{
	if (len < 28)
		return CPU_MEDIUM;
	uint8_t major = d[17] >> 4, x = d[18];
	if (major == 2)
		return x == 37 ? CPU_HIGH : x == 35 ? CPU_LOW : CPU_MEDIUM;
	if (major == 1) /* Informational first; Main, Aggressive and Transaction are authentication */
		return x == 5 ? CPU_HIGH : x == 2 || x == 4 || x == 6 ? CPU_LOW : CPU_MEDIUM;
	return CPU_MEDIUM;
}

/* A first message of a new IKE SA (IKE_SA_INIT request, Main/Aggressive Mode 1): the responder cookie is 0. */
static bool new_sa_request(const uint8_t *d, size_t len)
{
	static const uint8_t zero[8];
	if (len < 28 || memcmp(d + 8, zero, 8))
		return false;
	return (d[17] >> 4) == 2 ? d[18] == 34 && !(d[19] & 0x20) : d[18] == 2 || d[18] == 4;
}

static void push(sim_node_cpu *c, cpu_job *j)
{
	j->next = NULL;
	if (c->tail[j->cls])
		c->tail[j->cls]->next = j;
	else
		c->head[j->cls] = j;
	c->tail[j->cls] = j;
	if (++c->queued > c->st.max_queue)
		c->st.max_queue = c->queued;
}

static cpu_job *pop(sim_node_cpu *c)
{
	for (int k = 0; k < CPU_CLASSES; k++) {
		cpu_job *j = c->head[k];
		if (!j)
			continue;
		if (!(c->head[k] = j->next))
			c->tail[k] = NULL;
		c->queued--;
		return j;
	}
	return NULL;
}

static void free_job(cpu_job *j)
{
	for (cpu_out *o = j->out, *nx; o; o = nx) {
		nx = o->next;
		free(o->ev);
		free(o);
	}
	free(j);
}

bool sim_cpu_sample(const rnode *n, int64_t t, int64_t *done, size_t cap, size_t *queued)
{
	const sim_node_cpu *c = n->cpu;
	if (!c)
		return false;
	for (uint16_t k = 0; k < c->spec->cores && k < cap; k++) /* a core's work is contiguous up to free_at */
		done[k] = c->busy[k] - (c->free_at[k] > t ? c->free_at[k] - t : 0);
	*queued = c->queued;
	return true;
}

static void release(cpu_job *j, int64_t now)
{
	rnode *n = j->n;
	runner *r = n->r;
	for (cpu_out *o = j->out; o; o = o->next) {
		if (o->kind == OUT_TRACE) {
			ike_host_trace_event(r->tr, now, r->sc->nodes[n->idx].name, o->ev, (const char *)o->data);
			if (r->watch)
				sim_rw_event(r, now, n->idx, o->ev, (const char *)o->data);
			if (r->metrics)
				sim_metrics_event(r->metrics, now, n->idx, o->ev, (const char *)o->data);
		} else {
			sim_rn_send_now(n, o->kind == OUT_RAW, &o->from, &o->to, o->data, o->len);
		}
	}
}

static void dispatch(rnode *n, int64_t now);

static void unlink_inflight(sim_node_cpu *c, cpu_job *j)
{
	if (j->iprev)
		j->iprev->inext = j->inext;
	else
		c->inflight = j->inext;
	if (j->inext)
		j->inext->iprev = j->iprev;
}

static void on_done(void *arg);

/* The job's crypto jobs are back: the engine goes on, on the same core, holding its output as before; the
 * core's time grows by what that costs, so the job ends when the same job with inline crypto would have. */
static void resume_crypto(rnode *n, cpu_job *j, int64_t now)
{
	sim_node_cpu *c = n->cpu;
	if (n->r->metrics)
		sim_metrics_tick(n->r->metrics, now);
	sim_cjob *list = j->crypto;
	j->crypto = j->crypto_last = NULL;
	c->running = j;
	c->cost = 0;
	for (sim_cjob *x = list, *nx; x; x = nx) {
		nx = sim_jobs_next(x);
		sim_jobs_finish(x, now);
	}
	sim_rn_rearm(n);
	c->running = NULL;
	c->free_at[j->core] = now + c->cost;
	c->busy[j->core] += c->cost;
	c->held[j->core] = j->crypto != NULL;
	if (n->r->be.schedule(n->r->be.impl, now + c->cost, on_done, j) != 0)
		n->r->failed = "out of memory scheduling a CPU job's end";
}

bool sim_cpu_attach(rnode *n, sim_cjob *x)
{
	cpu_job *j = n->cpu ? n->cpu->running : NULL;
	if (!j)
		return false;
	sim_jobs_set_next(x, NULL);
	if (j->crypto_last)
		sim_jobs_set_next(j->crypto_last, x);
	else
		j->crypto = x;
	j->crypto_last = x;
	return true;
}

static void on_done(void *arg)
{
	cpu_job *j = arg;
	rnode *n = j->n;
	int64_t now = now_of(n->r);
	if (j->crypto) {
		resume_crypto(n, j, now);
		return;
	}
	unlink_inflight(n->cpu, j);
	if (j->epoch == n->cpu->epoch)
		release(j, now);
	free_job(j);
	n->r->last_activity = now;
	dispatch(n, now);
}

static void run_engine(rnode *n, cpu_job *j, int64_t t)
{
	switch (j->kind) {
	case JOB_DATAGRAM:
		sim_rx_taken(n, j->data, j->len); /* no longer a queued IKE_SA_INIT to the receiver's count */
		ike_peer_input(n->peer, t, &j->from, &j->to, j->data, j->len);
		break;
	case JOB_TIMER:
		n->cpu->timer_queued = false;
		if (ike_peer_next_deadline(n->peer) <= t)
			ike_peer_expire(n->peer, t);
		break;
	default: ike_peer_initiate(n->peer, t, j->conn); break;
	}
	sim_rn_rearm(n);
}

static void start(rnode *n, uint16_t core, cpu_job *j, int64_t t)
{
	sim_node_cpu *c = n->cpu;
	if (n->r->metrics) /* rows before t see the cores and queue as they were */
		sim_metrics_tick(n->r->metrics, t);
	const sim_cpu_costs *k = &c->spec->costs;
	j->core = core;
	j->tail = &j->out;
	c->running = j;
	c->cost = j->kind == JOB_DATAGRAM ? k->message : k->timer;
	run_engine(n, j, t);
	c->running = NULL;
	int64_t wait = t - j->queued_at;
	if (wait > c->st.max_wait)
		c->st.max_wait = wait;
	c->st.wait_total += wait;
	c->st.jobs++;
	c->free_at[core] = t + c->cost;
	c->busy[core] += c->cost;
	c->held[core] = j->crypto != NULL;
	if (n->r->be.schedule(n->r->be.impl, t + c->cost, on_done, j) != 0) {
		n->r->failed = "out of memory scheduling a CPU job's end";
		free_job(j);
		return;
	}
	j->iprev = NULL;
	if ((j->inext = c->inflight))
		c->inflight->iprev = j;
	c->inflight = j;
}

static void dispatch(rnode *n, int64_t now)
{
	sim_node_cpu *c = n->cpu;
	for (uint16_t k = 0; k < c->spec->cores && c->queued; k++)
		if (c->free_at[k] <= now && !c->held[k])
			start(n, k, pop(c), now);
}

static cpu_job *new_job(rnode *n, uint8_t kind, uint8_t cls, size_t len, int64_t now)
{
	cpu_job *j = calloc(1, sizeof(*j) + len);
	if (!j) {
		n->r->failed = "out of memory queueing a CPU job";
		return NULL;
	}
	*j = (cpu_job){ .n = n, .kind = kind, .cls = cls, .epoch = n->cpu->epoch, .queued_at = now, .len = len };
	return j;
}

static void drop(rnode *n, int64_t now, const uint8_t *d, size_t len, const char *why)
{
	char f[160];
	n->cpu->st.drops++;
	const char *x = len < 28 ? "?" : (d[17] >> 4) == 1 ? v1_exchange_name(d[18]) : v2_exchange_name(d[18]);
	snprintf(f, sizeof(f), "\"why\":\"%s\",\"queued\":%zu,\"exchange\":\"%s\"", why, n->cpu->queued, x);
	sim_rn_event(n->r, now, n->idx, "cpu.drop", f);
}

void sim_cpu_datagram(rnode *n, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len)
{
	if (!sim_rx_datagram(n, now, from, to, d, len)) /* a receiver thread reads it first (run_rx.c) */
		sim_cpu_enqueue(n, now, from, to, d, len);
}

bool sim_cpu_enqueue(rnode *n, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t len)
{
	sim_node_cpu *c = n->cpu;
	if (n->r->metrics)
		sim_metrics_tick(n->r->metrics, now);
	const sim_cpu_spec *s = c->spec;
	if (s->init_limit_job_load && c->queued > s->init_limit_job_load && new_sa_request(d, len)) {
		drop(n, now, d, len, "init_limit_job_load");
		return false;
	}
	if (s->queue && c->queued >= s->queue) {
		drop(n, now, d, len, "queue full");
		return false;
	}
	cpu_job *j = new_job(n, JOB_DATAGRAM, classify(d, len), len, now);
	if (!j)
		return false;
	j->from = *from;
	j->to = *to;
	memcpy(j->data, d, len);
	push(c, j);
	dispatch(n, now);
	return true;
}

void sim_cpu_timer(rnode *n, int64_t now)
{
	if (n->r->metrics)
		sim_metrics_tick(n->r->metrics, now);
	if (n->cpu->timer_queued)
		return;
	cpu_job *j = new_job(n, JOB_TIMER, CPU_HIGH, 0, now);
	if (!j)
		return;
	n->cpu->timer_queued = true;
	push(n->cpu, j);
	dispatch(n, now);
}

void sim_cpu_initiate(rnode *n, int64_t now, size_t conn)
{
	if (n->r->metrics)
		sim_metrics_tick(n->r->metrics, now);
	cpu_job *j = new_job(n, JOB_INITIATE, CPU_MEDIUM, 0, now);
	if (!j)
		return;
	j->conn = conn;
	push(n->cpu, j);
	dispatch(n, now);
}

bool sim_cpu_hold(rnode *n, uint8_t kind, const ike_addr *from, const ike_addr *to, const char *ev, const void *data,
		  size_t len)
{
	cpu_job *j = n->cpu ? n->cpu->running : NULL;
	if (!j)
		return false;
	cpu_out *o = calloc(1, sizeof(*o) + len + 1);
	if (!o || (ev && !(o->ev = strdup(ev)))) {
		free(o);
		n->r->failed = "out of memory holding a CPU job's output";
		return true;
	}
	o->kind = kind == 0 ? OUT_SEND : kind == 1 ? OUT_RAW : OUT_TRACE;
	if (from)
		o->from = *from;
	if (to)
		o->to = *to;
	o->len = len;
	memcpy(o->data, data, len);
	*j->tail = o;
	j->tail = &o->next;
	return true;
}

void sim_cpu_charge(void *ctx, uint8_t op, uint32_t arg, size_t bytes)
{
	rnode *n = ctx;
	if (n->cpu && n->cpu->running)
		n->cpu->cost += sim_cpu_cost(&n->cpu->spec->costs, op, arg, bytes);
}

void sim_cpu_reboot(rnode *n)
{
	sim_node_cpu *c = n->cpu;
	if (!c)
		return;
	for (cpu_job *j; (j = pop(c));)
		free_job(j);
	sim_rx_reboot(n);
	c->epoch++;
	c->timer_queued = false;
}

int sim_cpu_setup(runner *r)
{
	for (uint32_t i = 0; i < r->sc->n_nodes; i++) {
		const sim_cpu_spec *s = r->sc->nodes[i].cpu;
		if (!s)
			continue;
		sim_node_cpu *c = calloc(1, sizeof(*c));
		if (!c || !(c->free_at = calloc(s->cores, sizeof(int64_t))) || !(c->busy = calloc(s->cores, sizeof(int64_t))) ||
		    !(c->held = calloc(s->cores, sizeof(bool)))) {
			if (c) {
				free(c->free_at);
				free(c->busy);
			}
			free(c);
			return -1;
		}
		c->spec = s;
		r->nodes[i].cpu = c;
	}
	return 0;
}

void sim_cpu_free(runner *r)
{
	for (uint32_t i = 0; r->nodes && i < r->sc->n_nodes; i++) {
		sim_node_cpu *c = r->nodes[i].cpu;
		if (!c)
			continue;
		sim_cpu_reboot(&r->nodes[i]);
		for (cpu_job *j = c->inflight, *nx; j; j = nx) {
			nx = j->inext;
			free_job(j);
		}
		free(c->free_at);
		free(c->busy);
		free(c->held);
		free(c);
		r->nodes[i].cpu = NULL;
	}
}

int sim_cpu_collect(runner *r, sim_run_result *res)
{
	bool any = false;
	for (uint32_t i = 0; i < r->sc->n_nodes; i++)
		any |= r->nodes[i].cpu != NULL;
	if (!any)
		return 0;
	if (!(res->cpu_nodes = calloc(r->sc->n_nodes, sizeof(*res->cpu_nodes))))
		return -1;
	for (uint32_t i = 0; i < r->sc->n_nodes; i++) {
		sim_node_cpu *c = r->nodes[i].cpu;
		if (!c)
			continue;
		sim_cpu_stats *s = &res->cpu_nodes[i];
		*s = c->st;
		s->cores = c->spec->cores;
		for (uint16_t k = 0; k < c->spec->cores; k++)
			s->busy += c->busy[k];
	}
	return 0;
}
