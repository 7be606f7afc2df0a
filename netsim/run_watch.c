/*
 * What `expect` needs while the run goes: trace events counted as they are produced (no trace file needed),
 * connection states sampled at given times, IKE messages of an exchange counted as nodes send them; and
 * the rekeys per connection for the summary.
 */
#include <stdlib.h>
#include <string.h>

#include "ikepeek.h"
#include "run_int.h"

typedef struct rw_sample {
	runner *r;
	uint32_t expect;
} rw_sample;

/* The matching events of a windowed expectation that are at most `window` old (a queue in one array). */
typedef struct rw_window {
	int64_t *t;
	size_t head, n, cap;
} rw_window;

struct sim_run_watch {
	size_t *first;      /* per node + 1: its EVENTS/MESSAGES expects are ids[first[n] .. first[n+1]) */
	uint32_t *ids;
	uint64_t *counts;   /* per expect */
	ike_conn_status *samples;
	uint8_t *sampled;
	rw_sample *args;
	uint64_t *rekeys;   /* per connection, as sim_run_result.status */
	size_t *conn_first; /* per node: index of its first connection in rekeys */
	rw_window *win;     /* per expect: times of the events still inside its sliding window */
};

static int counted(const sim_expect_spec *e) { return e->kind == SIM_EXPECT_EVENTS || e->kind == SIM_EXPECT_MESSAGES; }

/* Per node, the expectations that count its events or messages (a CSR index: one pass to size, one to fill). */
static int index_expects(sim_run_watch *w, const sim_scenario *sc)
{
	if (!(w->first = calloc(sc->n_nodes + 1, sizeof(*w->first))) ||
	    !(w->ids = calloc(sc->n_expects ? sc->n_expects : 1, sizeof(*w->ids))))
		return -1;
	for (size_t i = 0; i < sc->n_expects; i++)
		if (counted(&sc->expects[i]))
			w->first[sc->expects[i].node + 1]++;
	for (size_t n = 0; n < sc->n_nodes; n++)
		w->first[n + 1] += w->first[n];
	size_t *fill = calloc(sc->n_nodes ? sc->n_nodes : 1, sizeof(*fill));
	if (!fill)
		return -1;
	for (size_t i = 0; i < sc->n_expects; i++) {
		const sim_expect_spec *e = &sc->expects[i];
		if (counted(e))
			w->ids[w->first[e->node] + fill[e->node]++] = (uint32_t)i;
	}
	free(fill);
	return 0;
}

static void on_sample(void *arg)
{
	rw_sample *a = arg;
	const sim_expect_spec *e = &a->r->sc->expects[a->expect];
	ike_peer_conn_status(a->r->nodes[e->node].peer, e->conn, &a->r->watch->samples[a->expect]);
	a->r->watch->sampled[a->expect] = 1;
}

int sim_rw_setup(runner *r)
{
	const sim_scenario *sc = r->sc;
	size_t need = 0, conns = 0;
	for (size_t i = 0; i < sc->n_expects; i++)
		need += sc->expects[i].kind != SIM_EXPECT_END;
	if (!need && !r->tr) /* without a trace the summary's rekey counts are not worth formatting every event */
		return 0;
	sim_run_watch *w = r->watch = calloc(1, sizeof(*w));
	size_t ne = sc->n_expects ? sc->n_expects : 1;
	if (!w || index_expects(w, sc) || !(w->counts = calloc(ne, sizeof(*w->counts))) ||
	    !(w->samples = calloc(ne, sizeof(*w->samples))) || !(w->sampled = calloc(ne, 1)) ||
	    !(w->args = calloc(ne, sizeof(*w->args))) || !(w->conn_first = calloc(sc->n_nodes + 1, sizeof(size_t))) ||
	    !(w->win = calloc(ne, sizeof(*w->win))))
		return -1;
	for (size_t n = 0; n < sc->n_nodes; n++) {
		w->conn_first[n] = conns;
		conns += sc->nodes[n].n_conns;
	}
	if (!(w->rekeys = calloc(conns ? conns : 1, sizeof(*w->rekeys))))
		return -1;
	for (uint32_t i = 0; i < sc->n_expects; i++) {
		if (sc->expects[i].kind != SIM_EXPECT_AT)
			continue;
		w->args[i] = (rw_sample){ r, i };
		if (r->be.schedule(r->be.impl, sc->expects[i].at, on_sample, &w->args[i]))
			return -1;
	}
	return 0;
}

void sim_rw_free(runner *r)
{
	sim_run_watch *w = r->watch;
	if (!w)
		return;
	free(w->first);
	free(w->ids);
	free(w->counts);
	free(w->samples);
	free(w->sampled);
	free(w->args);
	free(w->rekeys);
	free(w->conn_first);
	for (size_t i = 0; w->win && i < r->sc->n_expects; i++)
		free(w->win[i].t);
	free(w->win);
	free(w);
	r->watch = NULL;
}

/* The value of the "conn" field in an event's fields, compared with name without copying. */
static int conn_is(const char *fields, const char *name)
{
	const char *p = fields ? strstr(fields, "\"conn\":\"") : NULL;
	size_t n = strlen(name);
	return p && strncmp(p + 8, name, n) == 0 && p[8 + n] == '"';
}

/* The same for the "why" field (esp.drop, link.drop...). */
static int why_is(const char *fields, const char *why)
{
	const char *p = fields ? strstr(fields, "\"why\":\"") : NULL;
	size_t n = strlen(why);
	return p && strncmp(p + 7, why, n) == 0 && p[7 + n] == '"';
}

/* ike_sa.rekeyed / child_sa.rekeyed: counted against the connection the event names. */
static void count_rekey(runner *r, uint32_t node, const char *fields)
{
	const sim_node_spec *ns = &r->sc->nodes[node];
	for (size_t c = 0; c < ns->n_conns; c++)
		if (conn_is(fields, ns->conns[c].name)) {
			r->watch->rekeys[r->watch->conn_first[node] + c]++;
			return;
		}
}

/* One more event for a windowed expectation: drop those older than the window, keep the largest count seen. */
static int window_add(rw_window *q, int64_t window, int64_t now, uint64_t *best)
{
	while (q->head < q->n && q->t[q->head] < now - window)
		q->head++;
	if (q->head > 0 && q->n == q->cap) { /* reuse the room of the dropped ones first */
		memmove(q->t, q->t + q->head, (q->n - q->head) * sizeof(*q->t));
		q->n -= q->head, q->head = 0;
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		int64_t *t = realloc(q->t, cap * sizeof(*t));
		if (!t)
			return -1;
		q->t = t, q->cap = cap;
	}
	q->t[q->n++] = now;
	if (q->n - q->head > *best)
		*best = q->n - q->head;
	return 0;
}

void sim_rw_event(runner *r, int64_t now, uint32_t node, const char *ev, const char *fields)
{
	sim_run_watch *w = r->watch;
	if (node == UINT32_MAX)
		return;
	if (strcmp(ev, "ike_sa.rekeyed") == 0 || strcmp(ev, "child_sa.rekeyed") == 0)
		count_rekey(r, node, fields);
	for (size_t k = w->first[node]; k < w->first[node + 1]; k++) {
		const sim_expect_spec *e = &r->sc->expects[w->ids[k]];
		if (e->kind != SIM_EXPECT_EVENTS || now < e->from || now > e->to || strcmp(e->event, ev) != 0 ||
		    (e->conn_name && !conn_is(fields, e->conn_name)) || (e->why && !why_is(fields, e->why)))
			continue;
		if (!e->window)
			w->counts[w->ids[k]]++;
		else if (window_add(&w->win[w->ids[k]], e->window, now, &w->counts[w->ids[k]]) != 0)
			w->counts[w->ids[k]] = UINT64_MAX; /* out of memory: reported as unbounded, so a "max" check fails */
	}
}

void sim_rw_sent(runner *r, uint32_t node, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	sim_run_watch *w = r->watch;
	uint8_t x, flags;
	if (w->first[node] == w->first[node + 1] || sim_ike_peek(from, to, data, len, &x, &flags) != 0)
		return;
	int resp = (flags & SIM_IKE_FLAG_RESPONSE) != 0;
	for (size_t k = w->first[node]; k < w->first[node + 1]; k++) {
		const sim_expect_spec *e = &r->sc->expects[w->ids[k]];
		if (e->kind == SIM_EXPECT_MESSAGES && e->exchange == x && (e->response < 0 || e->response == resp))
			w->counts[w->ids[k]]++;
	}
}

/* Moves an array from the watch to the result (the result frees it). */
#define HAND_OVER(dst, src) ((dst) = (src), (src) = NULL)

int sim_rw_collect(runner *r, sim_run_result *res)
{
	sim_run_watch *w = r->watch;
	if (!w)
		return 0;
	HAND_OVER(res->counts, w->counts);
	HAND_OVER(res->samples, w->samples);
	HAND_OVER(res->sampled, w->sampled);
	HAND_OVER(res->rekeys, w->rekeys);
	return 0;
}
