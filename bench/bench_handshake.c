/*
 * Handshake benchmark: N initiator/responder node pairs on the built-in simulator, each pair on its
 * own link, initiators staggered; x25519 + AES-GCM + PSK, tracing off. Prints CPU per handshake
 * against the crypto floor, peak RSS and heap bytes per established pair. Exits 1 unless every
 * pair reached ESTABLISHED/INSTALLED on both ends.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "run.h"

#define NOTE_FLOOR_US 147.0                  /* performance.md: crypto of one handshake on this machine class */
#define STAGGER (50 * 1000LL)                /* ns between two initiators' starts */
#define LATENCY (1000 * 1000LL)              /* one-way link delay, ns */

/* What the phase observer records: CPU time and heap in use when the world is built and when done. */
typedef struct probe {
	double cpu_built, cpu_done;
	size_t heap_built, heap_done;
} probe;


static void on_phase(void *ctx, enum sim_run_phase phase, const sim_backend *be)
{
	probe *p = ctx;
	(void)be;
	if (phase == SIM_PHASE_BUILT) {
		p->heap_built = bench_heap_in_use();
		p->cpu_built = bench_cpu_seconds();
	} else {
		p->cpu_done = bench_cpu_seconds();
		p->heap_done = bench_heap_in_use();
	}
}

/* Node k's address: 10.0.0.0 + k + 1, so 2N nodes get distinct IPv4 addresses. */
static ike_addr node_addr(size_t k)
{
	uint32_t ip = 0x0a000000u + (uint32_t)k + 1;
	ike_addr a = { .family = 4, .port = 500 };
	for (int i = 0; i < 4; i++)
		a.ip[i] = (uint8_t)(ip >> (24 - 8 * i));
	return a;
}

/* The connection template shared by every pair; addresses and IDs are filled per node. */
static int conn_template(ike_conn_cfg *t, ike_child_cfg *child)
{
	memset(child, 0, sizeof(*child));
	static const uint8_t psk[] = "bench pre-shared key";
	char err[128];
	memset(t, 0, sizeof(*t));
	t->name = "bench";
	t->version = 2;
	t->auth = IKE_AUTH_PSK;
	t->psk = psk;
	t->psk_len = sizeof(psk) - 1;
	t->ike_life.rekey = 4 * 3600 * IKE_NS_PER_SEC;
	t->children = child;
	t->n_children = 1;
	child->name = "bench";
	child->life.rekey = 3600 * IKE_NS_PER_SEC;
	t->retransmit = (ike_retransmit_cfg){ 4 * IKE_NS_PER_SEC, 1.8, 5 };
	child->n_local_ts = child->n_remote_ts = 1;
	if (ike_proposals_parse("aes128gcm16-prfsha256-x25519", IKE_PROTO_IKE, &t->ike, err, sizeof(err)) ||
	    ike_proposals_parse("aes128gcm16", IKE_PROTO_ESP, &child->esp, err, sizeof(err)) ||
	    ike_id_parse("%any", &t->remote_id, err, sizeof(err)) ||
	    ike_ts_parse("10.1.0.0/16", &child->local_ts[0], err, sizeof(err)) ||
	    ike_ts_parse("10.2.0.0/16", &child->remote_ts[0], err, sizeof(err))) {
		fprintf(stderr, "bench: config: %s\n", err);
		return -1;
	}
	return 0;
}

/* One end of pair k: node 2k initiates at k * STAGGER, node 2k+1 responds. */
static int add_end(sim_scenario *sc, const ike_conn_cfg *t, const ike_child_cfg *child, size_t k, int initiator)
{
	char name[32];
	uint32_t self = (uint32_t)(2 * k + !initiator);
	sim_node_spec *n = &sc->nodes[self];
	snprintf(name, sizeof(name), "%c%zu", initiator ? 'i' : 'r', k);
	if (!(n->name = sim_scenario_keep_str(sc, name)) || sim_scenario_node_conns(sc, self, 1) != 0)
		return -1;
	n->n_addrs = 1;
	n->addrs[0] = node_addr(self);
	ike_conn_cfg *c = &n->conns[0];
	*c = *t;
	c->local = n->addrs[0];
	c->remote = node_addr(2 * k + initiator);
	c->local_id = (ike_id){ .type = 1, .len = 4 }; /* ID_IPV4_ADDR of our address */
	memcpy(c->local_id.data, c->local.ip, 4);
	c->children = &child[!initiator]; /* shared by every pair: one copy per role */
	if (initiator)
		n->initiate_at[0] = (int64_t)k * STAGGER;
	return 0;
}

/* child[0] is the initiators' CHILD config, child[1] the responders' (selectors swapped); both outlive the run. */
static sim_scenario *build_world(size_t pairs, ike_child_cfg child[2])
{
	ike_conn_cfg t;
	int64_t duration = (int64_t)pairs * STAGGER + 60 * IKE_NS_PER_SEC;
	sim_scenario *sc = conn_template(&t, &child[0]) ? NULL : sim_scenario_new("bench", 1, duration, 2 * pairs, pairs);
	child[1] = child[0];
	child[1].local_ts[0] = child[0].remote_ts[0];
	child[1].remote_ts[0] = child[0].local_ts[0];
	for (size_t k = 0; sc && k < pairs; k++) {
		sc->links[k] = (sim_link_spec){ (uint32_t)(2 * k), (uint32_t)(2 * k + 1), { .latency = LATENCY, .mtu = 1500 } };
		if (add_end(sc, &t, child, k, 1) || add_end(sc, &t, child, k, 0)) {
			sim_scenario_free(sc);
			return NULL;
		}
	}
	return sc;
}

/* Every node's connection must be ESTABLISHED with its CHILD SA INSTALLED; prints the first few that are not. */
static size_t count_failures(const sim_scenario *sc, const sim_run_result *res)
{
	size_t bad = 0;
	for (size_t i = 0; i < sc->n_nodes; i++) {
		const ike_conn_status *st = &res->status[res->first[i]];
		if (strcmp(st->ike_state, "ESTABLISHED") == 0 && strcmp(st->child_state, "INSTALLED") == 0)
			continue;
		if (bad++ < 5)
			fprintf(stderr, "bench: %s: IKE %s, CHILD %s, last error %u%s\n", sc->nodes[i].name,
				st->ike_state, st->child_state, st->last_error, st->timed_out ? ", timed out" : "");
	}
	return bad;
}

static int parse_pairs(int argc, char **argv, size_t *pairs)
{
	*pairs = 10000;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "--pairs") != 0 || i + 1 >= argc)
			return -1;
		unsigned long long v = strtoull(argv[++i], &end, 10);
		if (*end || v == 0 || v > 4000000)
			return -1;
		*pairs = (size_t)v;
	}
	return 0;
}

static void report(size_t pairs, const probe *p, size_t heap0, size_t heap_cfg, double floor_us,
		   const sim_run_result *res)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = p->cpu_done - p->cpu_built, us = cpu * 1e6 / (double)pairs;
	printf("pairs established        %zu (both ends ESTABLISHED/INSTALLED)\n", pairs);
	printf("datagrams                %llu sent, %llu delivered, %llu dropped\n",
	       (unsigned long long)res->total.sent, (unsigned long long)res->total.delivered,
	       (unsigned long long)res->total.dropped);
	printf("run CPU                  %.3f s (handshakes only; world building excluded)\n", cpu);
	printf("CPU per handshake        %.1f us (both ends, engine + simulator + crypto)\n", us);
	printf("crypto floor, this run   %.1f us  -> ratio %.3f\n", floor_us, us / floor_us);
	printf("crypto floor, notes      %.1f us  -> ratio %.3f\n", NOTE_FLOOR_US, us / NOTE_FLOOR_US);
	printf("peak RSS                 %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	printf("heap per pair: SA state  %.0f B (IKE SA + CHILD SA, both ends, after establishing)\n",
	       (double)(p->heap_done - p->heap_built) / (double)pairs);
	printf("heap per node: sim+peer  %.0f B (simulator node, link share, runner, empty engine peer)\n",
	       (double)(p->heap_built - heap_cfg) / (double)(2 * pairs));
	printf("heap per node: config    %.0f B (scenario spec + one ike_conn_cfg)\n",
	       (double)(heap_cfg - heap0) / (double)(2 * pairs));
}

int main(int argc, char **argv)
{
	size_t pairs;
	if (parse_pairs(argc, argv, &pairs) != 0) {
		fprintf(stderr, "usage: bench_handshake [--pairs N]   (N in 1..4000000, default 10000)\n");
		return 2;
	}
	ike_crypto *c = ike_crypto_new();
	double floor_us = c ? bench_crypto_floor_us(c, 10, 200) : -1;
	ike_crypto_free(c);
	if (floor_us <= 0) {
		fprintf(stderr, "bench: crypto floor measurement failed\n");
		return 1;
	}
	size_t heap0 = bench_heap_in_use();
	ike_child_cfg child[2];
	sim_scenario *sc = build_world(pairs, child);
	if (!sc) {
		fprintf(stderr, "bench: out of memory building %zu pairs\n", pairs);
		return 1;
	}
	size_t heap_cfg = bench_heap_in_use();
	probe p = { 0 };
	sim_run_opts o = { 0 };
	sim_run_observer obs = { on_phase, &p };
	sim_run_result res;
	char err[256];
	if (sim_run_scenario_observed(sc, &o, &obs, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		sim_scenario_free(sc);
		return 1;
	}
	size_t bad = count_failures(sc, &res);
	if (bad)
		fprintf(stderr, "bench: FAILED: %zu of %zu nodes did not establish\n", bad, sc->n_nodes);
	else
		report(pairs, &p, heap0, heap_cfg, floor_us, &res);
	sim_run_result_free(&res);
	sim_scenario_free(sc);
	return bad ? 1 : 0;
}
