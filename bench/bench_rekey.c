/*
 * Rekey benchmark: CPU per CHILD SA rekey (without and with PFS) and per IKE SA rekey, both ends, engine only
 * (two ike_peers per pair joined by an in-memory FIFO, no simulator, tracing off), against the crypto floor of
 * the same operation done with OpenSSL EVP directly (floor_evp.c) in the same run. Each operation is the
 * whole rekey as RFC 7296 1.3.2/1.3.3 and 2.18 do it: CREATE_CHILD_SA and the INFORMATIONAL Delete of the old
 * SA. Reports; exits 1 only if a rekey does not complete or the floor's self-check fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "floor_evp.h"
#include "ike.h"

#define QCAP 8                    /* datagrams in flight per pair: a rekey has at most one request and one answer */
#define DGRAM_MAX 2048
#define STEP 1000                 /* virtual ns between two deliveries */
#define SK_OVERHEAD (28 + 4 + 8 + 16) /* IKE header, SK header, AES-GCM IV and ICV around the SK plaintext */

/* Notes' floors (performance.md) for the same operations on this machine class, for reference. */
static const double note_floor_us[FL_N] = { 13.8, 148.0, 153.0 };
static const char *const op_name[FL_N] = { "CHILD rekey, no PFS", "CHILD rekey, PFS x25519", "IKE rekey, x25519" };

typedef struct bdgram {
	int to;
	ike_addr from, dst;
	size_t len;
	uint8_t data[DGRAM_MAX];
} bdgram;

/* Two peers back to back; SA events counted per side to prove each rekey replaced exactly one SA. */
typedef struct bpair {
	ike_peer *peer[2];
	ike_host host[2];
	struct bside {
		struct bpair *pr;
		int side;
	} sc[2];
	bdgram q[QCAP];
	size_t head, n;
	ike_time now;
	int overflow;
	size_t up[2][2], down[2][2]; /* [side][0 = IKE, 1 = CHILD] */
	fl_op *rec;                  /* non-NULL: record each datagram's SK plaintext length here */
} bpair;

static void b_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *data, size_t len)
{
	struct bside *s = ctx;
	bpair *pr = s->pr;
	if (pr->n == QCAP || len > DGRAM_MAX) {
		pr->overflow = 1;
		return;
	}
	bdgram *d = &pr->q[(pr->head + pr->n++) % QCAP];
	d->to = !s->side;
	d->from = *from;
	d->dst = *to;
	d->len = len;
	memcpy(d->data, data, len);
	if (pr->rec && pr->rec->n_msgs < FL_MAX_MSGS && len > SK_OVERHEAD)
		pr->rec->pt_len[pr->rec->n_msgs++] = len - SK_OVERHEAD;
}

static void b_sa_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	struct bside *s = ctx;
	(void)now;
	int child = ev->kind == IKE_EV_CHILD_UP || ev->kind == IKE_EV_CHILD_DOWN;
	if (ev->kind == IKE_EV_IKE_UP || ev->kind == IKE_EV_CHILD_UP)
		s->pr->up[s->side][child]++;
	else if (ev->kind == IKE_EV_IKE_DOWN || ev->kind == IKE_EV_CHILD_DOWN)
		s->pr->down[s->side][child]++;
	else
		s->pr->overflow = 1; /* a failure: the run is void */
}

/* Delivers everything in flight, in order, and runs any timer that comes due; returns when nothing is left. */
static void b_pump(bpair *pr)
{
	while (pr->n) {
		bdgram *d = &pr->q[pr->head];
		pr->head = (pr->head + 1) % QCAP;
		pr->n--;
		pr->now += STEP;
		ike_peer_input(pr->peer[d->to], pr->now, &d->from, &d->dst, d->data, d->len);
		for (int s = 0; s < 2; s++)
			if (ike_peer_next_deadline(pr->peer[s]) <= pr->now)
				ike_peer_expire(pr->peer[s], pr->now);
	}
}

/* Both ends' connection, as tests/unit/pair.c sets them up; no lifetimes, so only our calls rekey. */
static int conn_pair(ike_conn_cfg conn[2], ike_child_cfg child[2], const char *esp)
{
	static const uint8_t psk[] = "bench pre-shared key";
	static const char *const ts[2] = { "10.1.0.0/16", "10.2.0.0/16" }, *const id[2] = { "gw-a.example", "gw-b.example" };
	char err[128];
	for (int s = 0; s < 2; s++) {
		ike_conn_cfg *c = &conn[s];
		ike_child_cfg *ch = &child[s];
		memset(c, 0, sizeof(*c));
		memset(ch, 0, sizeof(*ch));
		c->name = ch->name = "bench";
		c->version = 2;
		c->local = (ike_addr){ .family = 4, .port = 500, .ip = { 192, 0, 2, (uint8_t)(1 + s) } };
		c->remote = (ike_addr){ .family = 4, .port = 500, .ip = { 192, 0, 2, (uint8_t)(2 - s) } };
		c->auth = IKE_AUTH_PSK;
		c->psk = psk;
		c->psk_len = sizeof(psk) - 1;
		c->children = ch;
		c->n_children = 1;
		c->retransmit = (ike_retransmit_cfg){ 4 * IKE_NS_PER_SEC, 1.8, 5 };
		ch->n_local_ts = ch->n_remote_ts = 1;
		if (ike_proposals_parse("aes128gcm16-prfsha256-x25519", IKE_PROTO_IKE, &c->ike, err, sizeof(err)) ||
		    ike_proposals_parse(esp, IKE_PROTO_ESP, &ch->esp, err, sizeof(err)) ||
		    ike_id_parse(id[s], &c->local_id, err, sizeof(err)) || ike_id_parse(id[!s], &c->remote_id, err, sizeof(err)) ||
		    ike_ts_parse(ts[s], &ch->local_ts[0], err, sizeof(err)) ||
		    ike_ts_parse(ts[!s], &ch->remote_ts[0], err, sizeof(err))) {
			fprintf(stderr, "bench_rekey: config: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Pair k: peers seeded apart, the IKE SA and its CHILD SA established. */
static int pair_up(bpair *pr, size_t k, const ike_crypto *c, const ike_conn_cfg conn[2])
{
	memset(pr, 0, sizeof(*pr));
	for (int s = 0; s < 2; s++) {
		uint8_t seed[16] = "bench-rekey";
		for (int i = 0; i < 4; i++)
			seed[11 + i] = (uint8_t)(k >> (8 * i));
		seed[15] = (uint8_t)s;
		pr->sc[s] = (struct bside){ pr, s };
		pr->host[s] = (ike_host){ .ctx = &pr->sc[s], .send = b_send, .sa_event = b_sa_event };
		ike_peer_cfg pc = { .name = s ? "resp" : "init", .crypto = c, .seed = seed, .seed_len = sizeof(seed),
				    .conns = &conn[s], .n_conns = 1 };
		if (!(pr->peer[s] = ike_peer_new(&pc, &pr->host[s])))
			return -1;
	}
	if (ike_peer_initiate(pr->peer[0], pr->now, 0) != 0)
		return -1;
	b_pump(pr);
	return pr->overflow || pr->up[0][0] != 1 || pr->up[1][1] != 1 ? -1 : 0;
}

static void pair_free(bpair *pr)
{
	ike_peer_free(pr->peer[0]);
	ike_peer_free(pr->peer[1]);
}

/* One rekey of `kind` started by `side`, run to the end (new SA up, old one deleted on both ends). */
static int one_rekey(bpair *pr, uint8_t kind, int side)
{
	int n = kind == FL_IKE ? ike_peer_rekey_ike(pr->peer[side], pr->now, 0)
			       : ike_peer_rekey_child(pr->peer[side], pr->now, 0, 0);
	b_pump(pr);
	return n == 1 && !pr->overflow ? 0 : -1;
}

/* Every pair holds one IKE SA and one CHILD SA a side: of each kind, one more came up than went down. */
static int settled(const bpair *pr, size_t np)
{
	for (size_t k = 0; k < np; k++)
		for (int s = 0; s < 2; s++) {
			ike_conn_status st;
			if (pr[k].overflow || ike_peer_sa_count(pr[k].peer[s]) != 1 ||
			    pr[k].up[s][0] - pr[k].down[s][0] != 1 || pr[k].up[s][1] - pr[k].down[s][1] != 1 ||
			    ike_peer_conn_status(pr[k].peer[s], 0, &st) != 0 || strcmp(st.ike_state, "ESTABLISHED") ||
			    strcmp(st.child_state, "INSTALLED"))
				return -1;
		}
	return 0;
}

typedef struct bset {
	bpair *pr;
	size_t np;
	size_t turn; /* rekeys run so far: picks the pair and which side starts */
} bset;

/* One batch of `ops` rekeys over the set's pairs in turn, sides alternating per pass; CPU us per rekey. */
__attribute__((noinline)) static double engine_batch(bset *b, uint8_t kind, int ops)
{
	double t0 = bench_cpu_seconds();
	for (int i = 0; i < ops; i++, b->turn++)
		if (one_rekey(&b->pr[b->turn % b->np], kind, (int)((b->turn / b->np) & 1)) != 0)
			return -1;
	return (bench_cpu_seconds() - t0) * 1e6 / ops;
}

__attribute__((noinline)) static double floor_batch(fl_ctx *f, const fl_op *op, int ops)
{
	double t0 = bench_cpu_seconds();
	for (int i = 0; i < ops; i++)
		if (fl_run_op(f, op) != 0)
			return -1;
	return (bench_cpu_seconds() - t0) * 1e6 / ops;
}

typedef struct bopts {
	size_t pairs;
	int batches, ops;
	int only;  /* --only K: time kind K alone (for profiling), -1 = all */
	int floor; /* --floor 0: skip the floor batches (profiling the engine alone) */
} bopts;

static int parse(int argc, char **argv, bopts *o)
{
	*o = (bopts){ 32, 15, 200, -1, 1 };
	for (int i = 1; i + 1 < argc; i += 2) {
		char *end;
		unsigned long v = strtoul(argv[i + 1], &end, 10);
		if (!strcmp(argv[i], "--only") && !*end && v < FL_N)
			o->only = (int)v;
		else if (!strcmp(argv[i], "--floor") && !*end && v <= 1)
			o->floor = (int)v;
		else if (*end || v == 0 || v > 100000)
			return -1;
		else if (!strcmp(argv[i], "--pairs"))
			o->pairs = v;
		else if (!strcmp(argv[i], "--batches"))
			o->batches = (int)v;
		else if (!strcmp(argv[i], "--ops"))
			o->ops = (int)v;
		else
			return -1;
	}
	return argc % 2 ? 0 : -1;
}

/* What each kind sends: one rekey on pair 0 with its datagrams recorded (the floor seals the same sizes). */
static int record_ops(bset set[2], fl_op op[FL_N])
{
	for (uint8_t kind = 0; kind < FL_N; kind++) {
		bpair *pr = &set[kind == FL_CHILD_PFS].pr[0];
		memset(&op[kind], 0, sizeof(op[kind]));
		op[kind].kind = kind;
		pr->rec = &op[kind];
		int rc = one_rekey(pr, kind, 0);
		pr->rec = NULL;
		if (rc != 0 || op[kind].n_msgs < 2)
			return -1;
	}
	return 0;
}

static void report(const fl_op op[FL_N], const double eng[FL_N], const double flo[FL_N], const bopts *o)
{
	printf("rekeys, both ends, %zu pairs per set, min over %d batches of %d (CPU us per rekey)\n", o->pairs,
	       o->batches, o->ops);
	printf("%-26s %9s %9s %7s %11s %7s  %s\n", "operation", "engine", "floor", "ratio", "notes floor", "ratio",
	       "SK plaintext bytes per message");
	for (int k = 0; k < FL_N; k++) {
		if (o->only >= 0 && k != o->only)
			continue;
		char sizes[96] = "";
		for (size_t i = 0, w = 0; i < op[k].n_msgs && w < sizeof(sizes); i++)
			w += (size_t)snprintf(sizes + w, sizeof(sizes) - w, "%s%zu", i ? " " : "", op[k].pt_len[i]);
		printf("%-26s %9.2f %9.2f %7.3f %11.1f %7.3f  %s\n", op_name[k], eng[k], flo[k], eng[k] / flo[k],
		       note_floor_us[k], eng[k] / note_floor_us[k], sizes);
	}
}

static int run(fl_ctx *f, bset set[2], const bopts *o)
{
	fl_op op[FL_N];
	double eng[FL_N], flo[FL_N];
	if (record_ops(set, op) != 0) {
		fprintf(stderr, "bench_rekey: a recorded rekey did not complete\n");
		return 1;
	}
	for (int k = 0; k < FL_N; k++)
		eng[k] = flo[k] = -1;
	/* Engine and floor batches interleaved, so load from other jobs hits both alike; the minimum is kept. */
	for (int b = 0; b < o->batches; b++)
		for (uint8_t k = 0; k < FL_N; k++) {
			if (o->only >= 0 && k != o->only)
				continue;
			double e = engine_batch(&set[k == FL_CHILD_PFS], k, o->ops);
			double fl = o->floor ? floor_batch(f, &op[k], o->ops) : 1;
			if (e < 0 || fl < 0) {
				fprintf(stderr, "bench_rekey: %s failed in batch %d (%s)\n", op_name[k], b, e < 0 ? "engine" : "floor");
				return 1;
			}
			eng[k] = eng[k] < 0 || e < eng[k] ? e : eng[k];
			flo[k] = flo[k] < 0 || fl < flo[k] ? fl : flo[k];
		}
	if (settled(set[0].pr, set[0].np) != 0 || settled(set[1].pr, set[1].np) != 0) {
		fprintf(stderr, "bench_rekey: after the run a pair does not hold exactly one IKE SA and one CHILD SA a side\n");
		return 1;
	}
	report(op, eng, flo, o);
	return 0;
}

int main(int argc, char **argv)
{
	bopts o;
	if (parse(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: bench_rekey [--pairs N] [--batches B] [--ops M] [--only 0|1|2] [--floor 0|1]\n"
				"       (defaults 32, 15, 200, all, 1)\n");
		return 2;
	}
	static const char *const esp[2] = { "aes128gcm16", "aes128gcm16-x25519" };
	ike_conn_cfg conn[2][2];
	ike_child_cfg child[2][2];
	bset set[2] = { { calloc(o.pairs, sizeof(bpair)), o.pairs, 0 }, { calloc(o.pairs, sizeof(bpair)), o.pairs, 0 } };
	ike_crypto *c = ike_crypto_new();
	fl_ctx *f = fl_new();
	int rc = c && f && set[0].pr && set[1].pr ? 0 : 1;
	if (rc == 0 && fl_self_check(f) != 0) {
		fprintf(stderr, "bench_rekey: the EVP floor's KEYMAT/SKEYSEED differ from engine/crypto's\n");
		rc = 1;
	}
	for (int s = 0; s < 2 && rc == 0; s++) {
		rc = conn_pair(conn[s], child[s], esp[s]);
		for (size_t k = 0; rc == 0 && k < o.pairs; k++)
			if (pair_up(&set[s].pr[k], k, c, conn[s]) != 0) {
				fprintf(stderr, "bench_rekey: pair %zu (%s) did not establish\n", k, esp[s]);
				rc = 1;
			}
	}
	if (rc == 0)
		rc = run(f, set, &o);
	for (int s = 0; s < 2; s++) {
		for (size_t k = 0; set[s].pr && k < o.pairs; k++)
			pair_free(&set[s].pr[k]); /* calloc'd: pairs never set up hold NULL peers */
		free(set[s].pr);
	}
	fl_free(f);
	ike_crypto_free(c);
	return rc;
}
