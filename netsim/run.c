/* The scenario runner: one engine peer per node, datagrams and timers through the backend. */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/drbg.h"
#include "host/frame.h"
#include "attack.h"
#include "metrics.h"
#include "backend_pick.h"
#include "run_int.h"

typedef struct rstart {
	rnode *node;
	size_t conn;
} rstart;

#define rearm sim_rn_rearm

/* Every 4096 timers and deliveries the progress callback (if any) hears where the run is. */
static void tick(runner *r)
{
	if ((++r->n_events & 4095) != 0 || !r->progress)
		return;
	sim_run_progress p = { r->be.now(r->be.impl), r->sc->duration, r->n_events,
			       r->metrics ? sim_metrics_up(r->metrics) : -1 };
	r->progress(r->progress_ctx, &p);
}

static void on_timer(void *arg)
{
	rnode *n = arg;
	int64_t now = n->r->be.now(n->r->be.impl);
	tick(n->r);
	if (now != n->armed)
		return; /* superseded by an earlier deadline that already ran */
	n->armed = IKE_TIME_NEVER;
	if (ike_peer_next_deadline(n->peer) > now) {
		rearm(n); /* the engine cancelled or moved that deadline */
		return;
	}
	n->r->last_activity = now;
	if (n->cpu) {
		sim_cpu_timer(n, now); /* the job expires the peer's deadlines when a core takes it */
		return;
	}
	ike_peer_expire(n->peer, now);
	rearm(n);
}

void sim_rn_rearm(rnode *n)
{
	int64_t d = ike_peer_next_deadline(n->peer);
	if (d == IKE_TIME_NEVER || (n->armed != IKE_TIME_NEVER && n->armed <= d))
		return;
	if (n->r->be.schedule(n->r->be.impl, d, on_timer, n) == 0)
		n->armed = d;
}

void sim_rn_initiate(rnode *n, size_t conn)
{
	if (n->cpu) {
		sim_cpu_initiate(n, n->r->be.now(n->r->be.impl), conn);
		return;
	}
	ike_peer_initiate(n->peer, n->r->be.now(n->r->be.impl), conn);
	rearm(n);
}

static void on_start(void *arg)
{
	rstart *st = arg;
	sim_rn_initiate(st->node, st->conn);
}

/* What reaches a node: ESP for its data plane; UDP sorted by RFC 3948 where neither port is 500. */
static void on_deliver(void *ctx, int64_t now, uint8_t proto, const ike_addr *from, const ike_addr *to,
		       const uint8_t *data, size_t len)
{
	rnode *n = ctx;
	size_t off = 0;
	n->r->last_activity = now;
	tick(n->r);
	if (n->r->attack && sim_atk_deliver(n->r, n->idx, now, proto, from, to, data, len))
		return; /* an attacker's node: its own code answers, not the engine */
	if (proto == SIM_PROTO_ESP || proto == SIM_PROTO_AH) {
		sim_ip_input(n->r, n->idx, now, proto, from, to, data, len);
		return;
	}
	if (proto != SIM_PROTO_UDP)
		return;
	bool marked = ike_host_frame_marked(to->port, from->port);
	switch (ike_host_frame_classify(data, len, marked, &off)) {
	case IKE_HOST_DG_ESP:
		sim_ip_input(n->r, n->idx, now, proto, from, to, data, len);
		return;
	case IKE_HOST_DG_KEEPALIVE:
		return; /* its job was done on the way: refreshing the NATs' mappings */
	case IKE_HOST_DG_RUNT:
		if (marked)
			return;
		break; /* an empty datagram on port 500: the engine says why it drops it */
	case IKE_HOST_DG_IKE:
		break;
	}
	if (n->cpu) {
		sim_cpu_datagram(n, now, from, to, data + off, len - off);
		return;
	}
	ike_peer_input(n->peer, now, from, to, data + off, len - off);
	rearm(n);
}

void sim_rn_send_now(rnode *n, bool raw, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	if (raw) {
		n->r->be.send(n->r->be.impl, n->idx, from, to, data, len);
		return;
	}
	if (n->r->watch)
		sim_rw_sent(n->r, n->idx, from, to, data, len);
	if (!ike_host_frame_marked(from->port, to->port)) {
		n->r->be.send(n->r->be.impl, n->idx, from, to, data, len);
		return;
	}
	/* RFC 3948 2.2: IKE beside ESP-in-UDP carries the non-ESP marker on the wire */
	uint8_t *buf = malloc(len + IKE_HOST_MARKER_LEN);
	size_t m = buf ? ike_host_frame_wrap(true, data, len, buf, len + IKE_HOST_MARKER_LEN) : 0;
	if (m)
		n->r->be.send(n->r->be.impl, n->idx, from, to, buf, m);
	else
		n->r->failed = "out of memory framing an IKE message";
	free(buf);
}

static void host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	if (!sim_cpu_hold(ctx, 0, from, to, NULL, data, len))
		sim_rn_send_now(ctx, false, from, to, data, len);
}

/* A datagram that is no IKE message (a NAT keepalive): on the wire as given, no non-ESP marker. */
static void host_send_raw(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	if (!sim_cpu_hold(ctx, 1, from, to, NULL, data, len))
		sim_rn_send_now(ctx, true, from, to, data, len);
}

static void host_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	rnode *n = ctx;
	if (sim_cpu_hold(n, 2, NULL, NULL, ev, fields, strlen(fields) + 1))
		return; /* stamped with the job's end, when its work is done */
	ike_host_trace_event(n->r->tr, now, n->r->sc->nodes[n->idx].name, ev, fields);
	if (n->r->watch)
		sim_rw_event(n->r, now, n->idx, ev, fields);
	if (n->r->metrics)
		sim_metrics_event(n->r->metrics, now, n->idx, ev, fields);
}

void sim_rn_event(runner *r, int64_t now, uint32_t node, const char *ev, const char *fields)
{
	ike_host_trace_event(r->tr, now, node == UINT32_MAX ? "sim" : r->sc->nodes[node].name, ev, fields);
	if (r->watch)
		sim_rw_event(r, now, node, ev, fields);
	if (r->metrics)
		sim_metrics_event(r->metrics, now, node, ev, fields);
}

/* The backend's tap when the run has metrics: a dropped datagram counts against its sender; the pcap gets all. */
static void run_tap(void *ctx, int64_t now, size_t link, int dir, uint8_t proto, const ike_addr *from,
		    const ike_addr *to, const uint8_t *data, size_t len, const char *why)
{
	runner *r = ctx;
	if (why)
		sim_metrics_drop(r->metrics, now, dir ? r->sc->links[link].b : r->sc->links[link].a, why);
	if (r->pcap)
		sim_rc_tap(ctx, now, link, dir, proto, from, to, data, len, why);
}

/* Keys for Wireshark's tables (run_capture.c) and SAs for the node's data plane (node_ipsec.c). */
static void host_sa_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	rnode *n = ctx;
	if (n->r->keys)
		sim_rc_sa_event(n->r, ev);
	sim_ip_sa_event(n->r, n->idx, now, ev);
}

/* Per-node engine seed: 32 bytes from a DRBG keyed by the scenario seed and "node:<name>". */
static void node_seed(const ike_crypto *c, uint64_t seed, const char *name, uint8_t out[32])
{
	uint8_t s[8];
	char pers[80];
	ike_drbg d;
	for (int i = 0; i < 8; i++)
		s[i] = (uint8_t)(seed >> (56 - 8 * i));
	int n = snprintf(pers, sizeof(pers), "node:%s", name);
	ike_drbg_init_with(&d, c, s, sizeof(s), pers, (size_t)n);
	ike_drbg_bytes(&d, out, 32);
	OPENSSL_cleanse(&d, sizeof(d));
}

int sim_rn_peer_new(rnode *n)
{
	if (!(n->peer = ike_peer_new(&n->cfg, &n->host)))
		return -1;
	/* a member's shared config names no address: the engine takes the node's own (docs/population.md) */
	const sim_node_spec *ns = &n->r->sc->nodes[n->idx];
	if (ns->pop)
		(void)ike_peer_addresses_changed(n->peer, 0, ns->addrs, ns->n_addrs, false);
	return 0;
}

static int build_nodes(runner *r, const ike_crypto *crypto, uint64_t seed, int reveal)
{
	const sim_scenario *sc = r->sc;
	for (uint32_t i = 0; i < sc->n_nodes; i++) {
		const sim_node_spec *ns = &sc->nodes[i];
		rnode *n = &r->nodes[i];
		n->r = r;
		n->idx = i;
		n->armed = IKE_TIME_NEVER;
		node_seed(crypto, seed, ns->name, n->seed0);
		memcpy(n->seed, n->seed0, sizeof(n->seed));
		n->host = (ike_host){ n, host_send, r->tr || r->watch || r->metrics ? host_trace : NULL,
				      r->keys || sc->n_hosts ? host_sa_event : NULL, ns->cpu ? sim_cpu_charge : NULL,
				      host_send_raw, r->pool ? sim_jobs_submit : NULL };
		n->cfg = (ike_peer_cfg){ .name = ns->name, .crypto = crypto, .seed = n->seed, .seed_len = sizeof(n->seed),
					 .conns = ns->conns, .n_conns = ns->n_conns, .reveal_keys = reveal != 0,
					 .cookie_threshold = ns->cookie_threshold,
					 .cookie_threshold_ip = ns->cookie_threshold_ip,
					 .block_threshold = ns->block_threshold, .half_open_limit = ns->half_open_limit,
					 .half_open_timeout = ns->half_open_timeout, .ikesa_limit = ns->ikesa_limit,
					 .cookie_always = ns->cookie_always != 0 };
		if (r->be.add_node(r->be.impl, ns->name, on_deliver, n) != (int32_t)i)
			return -1;
		for (size_t k = 0; k < ns->n_addrs; k++)
			if (r->be.add_addr(r->be.impl, i, &ns->addrs[k]) != 0)
				return -1;
		if (sim_rn_peer_new(n))
			return -1;
	}
	for (size_t i = 0; i < sc->n_links; i++)
		if (r->be.add_link(r->be.impl, sc->links[i].a, sc->links[i].b, &sc->links[i].cfg) != 0)
			return -1;
	return 0;
}

/* A population's spread of start times, drawn from the run's seed and its name (same seed, same starts). */
typedef struct pop_draw {
	ike_drbg d;
	int64_t t; /* Poisson: the last start so far */
} pop_draw;

static int64_t member_start(const sim_pop_spec *ps, pop_draw *pd)
{
	if (ps->start == SIM_POP_UNIFORM)
		return ps->from + (int64_t)ike_drbg_uniform(&pd->d, (uint64_t)(ps->to - ps->from) + 1);
	/* Poisson: exponential gaps of mean 1/rate, from a uniform in (0, 1] */
	double u = (double)(ike_drbg_uniform(&pd->d, (uint64_t)1 << 53) + 1) / 9007199254740992.0;
	double gap = -log(u) / ps->rate * 1e9;
	pd->t += gap > 1e18 ? (int64_t)1e18 : (int64_t)gap;
	return pd->t;
}

static pop_draw *pop_draws(runner *r, uint64_t seed)
{
	const sim_scenario *sc = r->sc;
	pop_draw *pd = calloc(sc->n_pops ? sc->n_pops : 1, sizeof(*pd));
	uint8_t s[8];
	char pers[80];
	for (int i = 0; i < 8; i++)
		s[i] = (uint8_t)(seed >> (56 - 8 * i));
	for (size_t p = 0; pd && p < sc->n_pops; p++) {
		int n = snprintf(pers, sizeof(pers), "population:%s", sc->pops[p].name);
		ike_drbg_init_with(&pd[p].d, r->crypto, s, sizeof(s), pers, (size_t)n);
		pd[p].t = sc->pops[p].from;
	}
	return pd;
}

/* Schedules every initiating connection at its start time, in scenario order; members as their population says. */
static int schedule_starts(runner *r, uint64_t seed)
{
	size_t k = 0;
	pop_draw *pd = pop_draws(r, seed);
	if (!pd)
		return -1;
	for (uint32_t i = 0; i < r->sc->n_nodes; i++)
		for (size_t c = 0; c < r->sc->nodes[i].n_conns; c++) {
			int64_t at = r->sc->nodes[i].initiate_at[c];
			if (at < 0)
				continue;
			uint32_t pop = r->sc->nodes[i].pop;
			if (pop && r->sc->pops[pop - 1].start != SIM_POP_AT)
				at = member_start(&r->sc->pops[pop - 1], &pd[pop - 1]);
			if (at > r->sc->duration)
				continue; /* a Poisson start after the end of the run */
			r->starts[k] = (rstart){ &r->nodes[i], c };
			if (r->be.schedule(r->be.impl, at, on_start, &r->starts[k++]) != 0) {
				free(pd);
				return -1;
			}
		}
	free(pd);
	return 0;
}

static int collect(runner *r, sim_run_result *res)
{
	const sim_scenario *sc = r->sc;
	size_t total = 0;
	if (!(res->first = calloc(sc->n_nodes + 1, sizeof(*res->first))))
		return -1;
	for (size_t i = 0; i < sc->n_nodes; i++) {
		res->first[i] = total;
		total += sc->nodes[i].n_conns;
	}
	res->first[sc->n_nodes] = total;
	if (!(res->status = calloc(total ? total : 1, sizeof(*res->status))))
		return -1;
	for (size_t i = 0; i < sc->n_nodes; i++)
		for (size_t c = 0; c < sc->nodes[i].n_conns; c++)
			ike_peer_conn_status(r->nodes[i].peer, c, &res->status[res->first[i] + c]);
	for (uint32_t i = 0; i < sc->n_nodes; i++) {
		sim_counts c = r->be.node_counts(r->be.impl, i);
		res->total.sent += c.sent;
		res->total.delivered += c.delivered;
		res->total.dropped += c.dropped;
	}
	if (!(res->mtu = calloc(sc->n_nodes ? sc->n_nodes : 1, sizeof(*res->mtu))))
		return -1;
	for (size_t i = 0; i < sc->n_links; i++) {
		sim_mtu_drops d = r->be.link_mtu_drops(r->be.impl, i);
		uint32_t ends[2] = { sc->links[i].a, sc->links[i].b };
		for (int k = 0; k < 2 && d.count; k++) {
			sim_mtu_note *m = &res->mtu[ends[k]];
			m->count += d.count;
			m->largest = d.largest > m->largest ? d.largest : m->largest;
			m->mtu = !m->mtu || sc->links[i].cfg.mtu < m->mtu ? sc->links[i].cfg.mtu : m->mtu;
		}
	}
	return 0;
}

static int collect_esp(runner *r, sim_run_result *res)
{
	if (!r->ipsec)
		return 0;
	if (!(res->esp_nodes = calloc(r->sc->n_nodes, sizeof(*res->esp_nodes))))
		return -1;
	for (uint32_t i = 0; i < r->sc->n_nodes; i++)
		res->esp_nodes[i] = *sim_ip_stats(r, i);
	return 0;
}

static void trace_start(runner *r, uint64_t seed)
{
	char f[512], file[300];
	if (!r->tr)
		return;
	ike_host_json_str(file, sizeof(file), r->sc->file);
	snprintf(f, sizeof(f), "\"schema\":%d,\"scenario\":%s,\"seed\":%llu,\"duration\":%.9f,\"nodes\":%zu,\"links\":%zu",
		 IKE_HOST_TRACE_SCHEMA, file, (unsigned long long)seed, (double)r->sc->duration / 1e9, r->sc->n_nodes, r->sc->n_links);
	ike_host_trace_event(r->tr, 0, "sim", "sim.start", f);
}

static void trace_summary(runner *r, const sim_run_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	if (!r->tr || !(m = open_memstream(&buf, &len)))
		return;
	sim_summary_fields(r->sc, res, &r->be, m);
	if (fclose(m) == 0)
		ike_host_trace_event(r->tr, res->end_time, "sim", "summary", buf);
	free(buf);
}

/* The backend's own events (link.drop, xtraffic.*): into the trace as before, and seen by `expect`. */
static void backend_event(void *ctx, int64_t now, uint32_t node, const char *ev, const char *fields)
{
	runner *r = ctx;
	if (r->tr)
		ike_host_trace_event(r->tr, now, r->sc->nodes[node].name, ev, fields);
	sim_rw_event(r, now, node, ev, fields);
}

static void runner_free(runner *r)
{
	sim_rx_free(r);
	sim_cpu_free(r);
	for (size_t i = 0; r->nodes && i < r->sc->n_nodes; i++) {
		ike_peer_free(r->nodes[i].peer);
		free(r->nodes[i].mv);
	}
	sim_jobs_free(r); /* after the peers: their SAs let go of the jobs first */
	if (r->be.impl)
		r->be.destroy(r->be.impl);
	/* Each node's engine seed determines all its keys. */
	if (r->nodes)
		OPENSSL_cleanse(r->nodes, r->sc->n_nodes * sizeof(*r->nodes));
	free(r->nodes);
	free(r->starts);
	sim_fault_index_free(r->faults);
	sim_rf_free(r);
	sim_rw_free(r);
	sim_rm_free(r);
	sim_ra_free(r);
	sim_rc_free(r);
	sim_ip_free(r);
	sim_rt_free(r);
	sim_rnat_free(r);
	sim_atk_free(r);
}

/* Nodes, peers, links, starts, then the faults, actions and samples that act on them. 0, or -1 out of memory. */
static int build_world(runner *r, const ike_crypto *crypto, uint64_t seed, int reveal)
{
	if (r->sc->n_faults && r->be.add_hook(r->be.impl, SIM_ANY_NODE, sim_rf_filter, r))
		return -1;
	if (sim_rw_setup(r))
		return -1;
	trace_start(r, seed);
	/* Faults first: a link down or a reboot at t acts before connections that start at the same t. */
	if (build_nodes(r, crypto, seed, reveal) || sim_cpu_setup(r) || sim_rx_setup(r) || sim_rnat_setup(r) || sim_atk_setup(r, seed) || sim_rf_setup(r) || schedule_starts(r, seed) || sim_ra_setup(r) ||
	    sim_ip_setup(r) || sim_rt_setup(r))
		return -1;
	return 0;
}

int sim_run_scenario(const sim_scenario *sc, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen)
{
	return sim_run_scenario_observed(sc, o, NULL, res, err, errlen);
}

int sim_run_scenario_observed(const sim_scenario *sc, const sim_run_opts *o, const sim_run_observer *obs,
			      sim_run_result *res, char *err, size_t errlen)
{
	runner r = { .sc = sc };
	memset(res, 0, sizeof(*res));
	res->seed = o->seed_set ? o->seed : sc->seed;
	ike_crypto *crypto = ike_crypto_new();
	r.crypto = crypto;
	size_t n_starts = 0;
	for (size_t i = 0; i < sc->n_nodes; i++)
		n_starts += sc->nodes[i].n_conns;
	char berr[160] = "";
	enum sim_backend_kind bk = sc->backend;
	if ((o->backend && sim_backend_kind_parse(o->backend, &bk) != 0) ||
	    sim_backend_open(bk, res->seed, &r.be, berr, sizeof(berr)) != 0)
		r.be.impl = NULL;
	r.nodes = calloc(sc->n_nodes, sizeof(*r.nodes));
	r.starts = calloc(n_starts ? n_starts : 1, sizeof(*r.starts));
	r.faults = sc->n_faults ? sim_fault_index_new(sc->faults, sc->n_faults) : NULL;
	if (!crypto || !r.be.impl || !r.nodes || !r.starts || (sc->n_faults && !r.faults)) {
		snprintf(err, errlen, "%s: %s", sc->file, !crypto ? "cannot initialise OpenSSL crypto" : *berr ? berr : !r.be.impl ? "unknown backend" : "out of memory");
		goto fail;
	}
	char xpath[64];
	if (!r.be.add_cross && sim_scenario_ns3_only(sc, xpath, sizeof(xpath))) { /* docs/backends.md */
		snprintf(err, errlen, "%s: %s: only the ns-3 backend carries this (\"backend\": \"ns3\" in the scenario, or --backend ns3)",
			 sc->file, xpath);
		goto fail;
	}
	if (o->trace_path && !(r.tr = ike_host_trace_open(o->trace_path, err, errlen)))
		goto fail;
	if (sim_rc_open(&r, o, err, errlen) != 0)
		goto fail;
	r.be.set_trace(r.be.impl, r.tr);
	r.progress = o->progress, r.progress_ctx = o->progress_ctx;
	if (sim_rm_setup(&r, o, err, errlen) != 0)
		goto fail;
	if (r.metrics)
		r.be.set_tap(r.be.impl, run_tap, &r);
	if (sim_jobs_setup(&r, o->threads) != 0) {
		snprintf(err, errlen, "%s: cannot start %u crypto threads", sc->file, o->threads);
		goto fail;
	}
	if (build_world(&r, crypto, res->seed, o->reveal_keys)) {
		snprintf(err, errlen, "%s: out of memory while building the world", sc->file);
		goto fail;
	}
	for (size_t i = 0; i < sc->n_cross; i++)
		if (r.be.add_cross(r.be.impl, &sc->cross[i]) != 0) {
			snprintf(err, errlen, "%s: cross_traffic[%zu]: the backend could not set it up", sc->file, i);
			goto fail;
		}
	if (r.watch && r.be.set_event_hook) /* expectations count the backend's events too */
		r.be.set_event_hook(r.be.impl, backend_event, &r);
	if (obs && obs->on_phase)
		obs->on_phase(obs->ctx, SIM_PHASE_BUILT, &r.be);
	(void)r.be.run(r.be.impl, sc->duration);
	if (obs && obs->on_phase)
		obs->on_phase(obs->ctx, SIM_PHASE_DONE, &r.be);
	/* Stale timer wake-ups do no work; the run ends with the last event that did. */
	res->end_time = r.last_activity;
	sim_jobs_counts(&r, &res->jobs_pool, &res->jobs_run);
	/* refusals counted in a window the run did not reach the end of are reported, not lost */
	for (uint32_t i = 0; i < sc->n_nodes; i++)
		ike_peer_flush(r.nodes[i].peer, res->end_time);
	if (r.failed || collect(&r, res) != 0 || sim_rw_collect(&r, res) != 0 || sim_rt_collect(&r, res) != 0 ||
	    collect_esp(&r, res) != 0 || sim_rnat_collect(&r, res) != 0 || sim_cpu_collect(&r, res) != 0) {
		snprintf(err, errlen, "%s: %s", sc->file, r.failed ? r.failed : "out of memory");
		goto fail;
	}
	sim_rx_collect(&r, res);
	if (sim_rm_collect(&r, o, res, err, errlen) != 0)
		goto fail;
	trace_summary(&r, res);
	if (ike_host_trace_close(r.tr, 1) != 0) {
		r.tr = NULL;
		snprintf(err, errlen, "%s: writing the trace failed", o->trace_path);
		goto fail;
	}
	r.tr = NULL;
	if (sim_rc_close(&r, o, res, err, errlen) != 0)
		goto fail;
	runner_free(&r);
	if (crypto)
		ike_crypto_free(crypto);
	return 0;
fail:
	ike_host_trace_close(r.tr, 0);
	sim_rc_abort(&r);
	runner_free(&r);
	if (crypto)
		ike_crypto_free(crypto);
	sim_run_result_free(res);
	return -1;
}

void sim_run_result_free(sim_run_result *res)
{
	free(res->status);
	free(res->first);
	free(res->mtu);
	free(res->counts);
	free(res->samples);
	free(res->sampled);
	free(res->rekeys);
	free(res->flows);
	free(res->esp_nodes);
	free(res->nat_nodes);
	if (res->metrics)
		sim_metrics_result_free(res->metrics);
	free(res->metrics);
	free(res->mvals);
	res->metrics = NULL;
	res->mvals = NULL;
	res->nat_nodes = NULL;
	free(res->cpu_nodes);
	res->cpu_nodes = NULL;
	res->flows = NULL;
	res->esp_nodes = NULL;
	res->counts = NULL;
	res->samples = NULL;
	res->sampled = NULL;
	res->rekeys = NULL;
	res->status = NULL;
	res->first = NULL;
	res->mtu = NULL;
}
