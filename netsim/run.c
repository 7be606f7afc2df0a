/* The scenario runner: one engine peer per node, datagrams and timers through the backend. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/drbg.h"
#include "host/afile.h"
#include "pcap.h"
#include "scenario_faultidx.h"

typedef struct runner runner;

typedef struct rnode {
	runner *r;
	uint32_t idx;
	ike_peer *peer;
	ike_host host;
	ike_peer_cfg cfg;
	uint8_t seed[32];
	int64_t armed; /* time of the pending timer event, IKE_TIME_NEVER if none */
} rnode;

typedef struct rstart {
	rnode *node;
	size_t conn;
} rstart;

struct runner {
	const sim_scenario *sc;
	sim *s;
	sim_backend be;
	ike_host_trace *tr;
	sim_pcap *pcap;     /* NULL = no capture */
	sim_keytab *keys;   /* NULL = keys not revealed or no capture */
	ike_host_afile *keys_file;
	rnode *nodes;
	rstart *starts;
	sim_fault_index *faults; /* NULL without faults */
	int64_t last_activity; /* virtual time of the last datagram or timer that did work */
	int keys_failed;       /* a key table row could not be stored */
};

static void rearm(rnode *n);

static void on_timer(void *arg)
{
	rnode *n = arg;
	int64_t now = n->r->be.now(n->r->be.impl);
	if (now != n->armed)
		return; /* superseded by an earlier deadline that already ran */
	n->armed = IKE_TIME_NEVER;
	if (ike_peer_next_deadline(n->peer) > now) {
		rearm(n); /* the engine cancelled or moved that deadline */
		return;
	}
	n->r->last_activity = now;
	ike_peer_expire(n->peer, now);
	rearm(n);
}

/* Keeps exactly one timer event at the peer's earliest deadline. */
static void rearm(rnode *n)
{
	int64_t d = ike_peer_next_deadline(n->peer);
	if (d == IKE_TIME_NEVER || (n->armed != IKE_TIME_NEVER && n->armed <= d))
		return;
	if (n->r->be.schedule(n->r->be.impl, d, on_timer, n) == 0)
		n->armed = d;
}

static void on_start(void *arg)
{
	rstart *st = arg;
	ike_peer_initiate(st->node->peer, st->node->r->be.now(st->node->r->be.impl), st->conn);
	rearm(st->node);
}

static void on_deliver(void *ctx, int64_t now, const ike_addr *from, const ike_addr *to, const uint8_t *data,
		       size_t len)
{
	rnode *n = ctx;
	n->r->last_activity = now;
	sim_pcap_ike(n->r->pcap, now, from, to, data, len); /* captured as delivered, at arrival time */
	ike_peer_input(n->peer, now, from, to, data, len);
	rearm(n);
}

static void host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	rnode *n = ctx;
	n->r->be.send(n->r->be.impl, n->idx, from, to, data, len);
}

static void host_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	rnode *n = ctx;
	ike_host_trace_event(n->r->tr, now, n->r->sc->nodes[n->idx].name, ev, fields);
}

/* Collects the IKE SA keys a revealing engine shows with IKE_UP/IKE_FAILED, for the key table. */
static void host_sa_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	rnode *n = ctx;
	(void)now;
	if (ev->keys && sim_keytab_add(n->r->keys, ev->spi_i, ev->spi_r, ev->keys) != 0)
		n->r->keys_failed = 1;
}

/* Fault hook: the index counts each fault's matching datagrams and says whether one drops this one. */
static const char *fault_filter(void *ctx, int64_t now, uint32_t from, uint32_t to, size_t len)
{
	runner *r = ctx;
	(void)len;
	int m = sim_fault_index_match(r->faults, now, from, to);
	return m > 0 ? "fault" : m < 0 ? "out of memory" : NULL;
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

static int build_nodes(runner *r, const ike_crypto *crypto, uint64_t seed, int reveal)
{
	const sim_scenario *sc = r->sc;
	for (uint32_t i = 0; i < sc->n_nodes; i++) {
		const sim_node_spec *ns = &sc->nodes[i];
		rnode *n = &r->nodes[i];
		n->r = r;
		n->idx = i;
		n->armed = IKE_TIME_NEVER;
		node_seed(crypto, seed, ns->name, n->seed);
		n->host = (ike_host){ n, host_send, r->tr ? host_trace : NULL, r->keys ? host_sa_event : NULL, NULL };
		n->cfg = (ike_peer_cfg){ .name = ns->name, .crypto = crypto, .seed = n->seed, .seed_len = sizeof(n->seed),
					 .conns = ns->conns, .n_conns = ns->n_conns, .reveal_keys = reveal != 0,
					 .cookie_threshold = ns->cookie_threshold,
					 .cookie_threshold_ip = ns->cookie_threshold_ip,
					 .block_threshold = ns->block_threshold, .half_open_limit = ns->half_open_limit,
					 .half_open_timeout = ns->half_open_timeout };
		if (r->be.add_node(r->be.impl, ns->name, on_deliver, n) != (int32_t)i)
			return -1;
		for (size_t k = 0; k < ns->n_addrs; k++)
			if (r->be.add_addr(r->be.impl, i, &ns->addrs[k]) != 0)
				return -1;
		if (!(n->peer = ike_peer_new(&n->cfg, &n->host)))
			return -1;
	}
	for (size_t i = 0; i < sc->n_links; i++)
		if (r->be.add_link(r->be.impl, sc->links[i].a, sc->links[i].b, &sc->links[i].cfg) != 0)
			return -1;
	return 0;
}

/* Schedules every initiating connection at its start time, in scenario order. */
static int schedule_starts(runner *r)
{
	size_t k = 0;
	for (uint32_t i = 0; i < r->sc->n_nodes; i++)
		for (size_t c = 0; c < r->sc->nodes[i].n_conns; c++) {
			int64_t at = r->sc->nodes[i].initiate_at[c];
			if (at < 0)
				continue;
			r->starts[k] = (rstart){ &r->nodes[i], c };
			if (r->be.schedule(r->be.impl, at, on_start, &r->starts[k++]) != 0)
				return -1;
		}
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
	res->total = sim_total_counts(r->s);
	if (!(res->mtu = calloc(sc->n_nodes ? sc->n_nodes : 1, sizeof(*res->mtu))))
		return -1;
	for (size_t i = 0; i < sc->n_links; i++) {
		sim_mtu_drops d = sim_link_mtu_drops(r->s, i);
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
	sim_summary_fields(r->sc, res, r->s, m);
	if (fclose(m) == 0)
		ike_host_trace_event(r->tr, res->end_time, "sim", "summary", buf);
	free(buf);
}

/* The pcap and, when keys are revealed, the key table beside it: both temp files until the run succeeds. */
static int open_capture(runner *r, const sim_run_opts *o, char *err, size_t errlen)
{
	if (!o->pcap_path)
		return 0;
	if (!(r->pcap = sim_pcap_open(o->pcap_path, err, errlen)))
		return -1;
	if (!o->reveal_keys)
		return 0;
	size_t len = strlen(o->pcap_path) + sizeof(SIM_KEYTAB_SUFFIX);
	char *path = malloc(len);
	if (!path || !(r->keys = sim_keytab_new())) {
		free(path);
		snprintf(err, errlen, "%s: out of memory", o->pcap_path);
		return -1;
	}
	snprintf(path, len, "%s%s", o->pcap_path, SIM_KEYTAB_SUFFIX);
	r->keys_file = ike_host_afile_open(path, "key table", err, errlen);
	free(path);
	return r->keys_file ? 0 : -1;
}

/* Writes the key table, then commits the pcap and the table; on failure neither is left behind. */
static int close_capture(runner *r, const sim_run_opts *o, sim_run_result *res, char *err, size_t errlen)
{
	if (!r->pcap)
		return 0;
	res->pcap_skipped = sim_pcap_skipped(r->pcap);
	if (r->keys_file && (r->keys_failed || sim_keytab_write(r->keys, ike_host_afile_stream(r->keys_file), &res->keys))) {
		snprintf(err, errlen, "%s%s: writing the key table failed", o->pcap_path, SIM_KEYTAB_SUFFIX);
		return -1;
	}
	int rc = sim_pcap_close(r->pcap, 1);
	r->pcap = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "%s: writing the pcap failed", o->pcap_path);
		return -1;
	}
	rc = ike_host_afile_close(r->keys_file, 1);
	r->keys_file = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "%s%s: writing the key table failed", o->pcap_path, SIM_KEYTAB_SUFFIX);
		return -1;
	}
	return 0;
}

static void runner_free(runner *r)
{
	for (size_t i = 0; r->nodes && i < r->sc->n_nodes; i++)
		ike_peer_free(r->nodes[i].peer);
	sim_free(r->s);
	/* Each node's engine seed determines all its keys. */
	if (r->nodes)
		OPENSSL_cleanse(r->nodes, r->sc->n_nodes * sizeof(*r->nodes));
	free(r->nodes);
	free(r->starts);
	sim_fault_index_free(r->faults);
	sim_keytab_free(r->keys);
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
	size_t n_starts = 0;
	for (size_t i = 0; i < sc->n_nodes; i++)
		n_starts += sc->nodes[i].n_conns;
	r.s = sim_new(res->seed);
	r.nodes = calloc(sc->n_nodes, sizeof(*r.nodes));
	r.starts = calloc(n_starts ? n_starts : 1, sizeof(*r.starts));
	r.faults = sc->n_faults ? sim_fault_index_new(sc->faults, sc->n_faults) : NULL;
	if (!crypto || !r.s || !r.nodes || !r.starts || (sc->n_faults && !r.faults)) {
		snprintf(err, errlen, "%s: %s", sc->file, crypto ? "out of memory" : "cannot initialise OpenSSL crypto");
		goto fail;
	}
	if (o->trace_path && !(r.tr = ike_host_trace_open(o->trace_path, err, errlen)))
		goto fail;
	if (open_capture(&r, o, err, errlen) != 0)
		goto fail;
	r.be = sim_builtin_backend(r.s);
	sim_set_trace(r.s, r.tr);
	if (sc->n_faults)
		sim_set_filter(r.s, fault_filter, &r);
	trace_start(&r, res->seed);
	if (build_nodes(&r, crypto, res->seed, o->reveal_keys) || schedule_starts(&r)) {
		snprintf(err, errlen, "%s: out of memory while building the world", sc->file);
		goto fail;
	}
	if (obs && obs->on_phase)
		obs->on_phase(obs->ctx, SIM_PHASE_BUILT, r.s);
	(void)r.be.run(r.be.impl, sc->duration);
	if (obs && obs->on_phase)
		obs->on_phase(obs->ctx, SIM_PHASE_DONE, r.s);
	/* Stale timer wake-ups do no work; the run ends with the last event that did. */
	res->end_time = r.last_activity;
	/* refusals counted in a window the run did not reach the end of are reported, not lost */
	for (uint32_t i = 0; i < sc->n_nodes; i++)
		ike_peer_flush(r.nodes[i].peer, res->end_time);
	if (collect(&r, res) != 0) {
		snprintf(err, errlen, "%s: out of memory", sc->file);
		goto fail;
	}
	trace_summary(&r, res);
	if (ike_host_trace_close(r.tr, 1) != 0) {
		r.tr = NULL;
		snprintf(err, errlen, "%s: writing the trace failed", o->trace_path);
		goto fail;
	}
	r.tr = NULL;
	if (close_capture(&r, o, res, err, errlen) != 0)
		goto fail;
	runner_free(&r);
	if (crypto)
		ike_crypto_free(crypto);
	return 0;
fail:
	ike_host_trace_close(r.tr, 0);
	sim_pcap_close(r.pcap, 0);
	ike_host_afile_close(r.keys_file, 0);
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
	res->status = NULL;
	res->first = NULL;
	res->mtu = NULL;
}
