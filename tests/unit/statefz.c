/* Byte-driven schedules of network events between two engine peers, with invariants after each step. */
#include "statefz.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2/sa.h"
#include "peer/job.h"

#define SFZ_QUEUE 32
#define SFZ_HISTORY 8
#define SFZ_SPIS 64
#define SFZ_MS (1000LL * 1000)
#define SFZ_MSG_MAX 8192
#define SFZ_JOBS 16

typedef struct sfz_dgram {
	int to;          /* side that receives it */
	ike_addr from;
	size_t len;
	uint8_t *data;
} sfz_dgram;

typedef struct sfz {
	ike_conn_cfg conn[2];
	ike_child_cfg child[2];
	ike_peer *peer[2];
	ike_host host[2];
	struct sfz_ctx {
		struct sfz *w;
		int side;
	} ctx[2];
	ike_time now;
	sfz_dgram q[SFZ_QUEUE];
	size_t nq;
	sfz_dgram hist[SFZ_HISTORY]; /* the last datagrams sent, for replays */
	size_t nhist, hist_at;
	/* distinct (SPIi, source port) of IKE_SA_INIT requests the responder was given (RFC 7296 2.1 keys on both) */
	uint64_t init_spis[SFZ_SPIS];
	uint16_t init_ports[SFZ_SPIS];
	size_t n_init_spis;
	size_t initiations;
	size_t rekeys; /* IKE rekeys asked for on either side: each may add one IKE SA on both sides */
	size_t up[2]; /* IKE SAs each side saw established */
	statefz_stats *st;
	const uint8_t *s, *end; /* the schedule cursor */
	bool natt;              /* NAT-T run: MOBIKE on both sides, and address changes among the actions */
	bool jobs;              /* jobs run: crypto jobs wait here and come back when the schedule says */
	ike_job *job[SFZ_JOBS];
	int job_side[SFZ_JOBS];
	size_t njobs;
} sfz;

static void set_addr(ike_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->port = 500;
	a->ip[0] = 192;
	a->ip[2] = 2;
	a->ip[3] = last;
}

void statefz_conn_init(ike_conn_cfg *c, ike_child_cfg *ch, int s)
{
	char err[128];
	memset(c, 0, sizeof(*c));
	memset(ch, 0, sizeof(*ch));
	c->children = ch;
	c->n_children = 1;
	ch->name = s ? "resp" : "init";
	c->name = s ? "resp" : "init";
	c->version = 2;
	set_addr(&c->local, s ? 2 : 1);
	set_addr(&c->remote, s ? 1 : 2);
	/* The responder also accepts a CBC+HMAC suite over ECP-256, so fuzzed proposals reach a second path. */
	const char *ike = s ? "aes128gcm16-prfsha256-x25519,aes128-sha256-ecp256" : "aes128gcm16-prfsha256-x25519";
	int bad = ike_proposals_parse(ike, IKE_PROTO_IKE, &c->ike, err, sizeof(err)) ||
		  ike_proposals_parse("aes128gcm16", IKE_PROTO_ESP, &ch->esp, err, sizeof(err)) ||
		  ike_id_parse(s ? "gw-b.example" : "gw-a.example", &c->local_id, err, sizeof(err)) ||
		  ike_id_parse(s ? "gw-a.example" : "gw-b.example", &c->remote_id, err, sizeof(err)) ||
		  ike_ts_parse(s ? "10.2.0.0/16" : "10.1.0.0/16", &ch->local_ts[0], err, sizeof(err)) ||
		  ike_ts_parse(s ? "10.1.0.0/16" : "10.2.0.0/16", &ch->remote_ts[0], err, sizeof(err));
	if (bad) {
		fprintf(stderr, "statefz: built-in configuration refused: %s\n", err);
		abort();
	}
	c->auth = IKE_AUTH_PSK;
	c->psk = (const uint8_t *)"fuzz-secret";
	c->psk_len = 11;
	ch->n_local_ts = ch->n_remote_ts = 1;
	c->retransmit.base = 1000 * SFZ_MS;
	c->retransmit.factor = 1.8;
	c->retransmit.tries = 2;
}

static uint8_t next(sfz *w)
{
	return w->s < w->end ? *w->s++ : 0;
}

static bool push(sfz_dgram *d, int to, const ike_addr *from, const uint8_t *data, size_t len)
{
	d->data = malloc(len ? len : 1);
	if (!d->data)
		return false;
	memcpy(d->data, data, len);
	d->len = len;
	d->to = to;
	d->from = *from;
	return true;
}

static void enqueue(sfz *w, int to, const ike_addr *from, const uint8_t *data, size_t len)
{
	if (w->nq == SFZ_QUEUE) {
		/* a full wire loses its oldest datagram */
		free(w->q[0].data);
		memmove(&w->q[0], &w->q[1], (SFZ_QUEUE - 1) * sizeof(w->q[0]));
		w->nq--;
		w->st->dropped++;
	}
	if (push(&w->q[w->nq], to, from, data, len))
		w->nq++;
}

static void host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)to;
	struct sfz_ctx *c = ctx;
	sfz *w = c->w;
	enqueue(w, !c->side, from, d, n);
	sfz_dgram *h = &w->hist[w->hist_at];
	if (w->nhist == SFZ_HISTORY)
		free(h->data);
	else
		w->nhist++;
	if (!push(h, !c->side, from, d, n)) {
		h->data = NULL;
		h->len = 0;
	}
	w->hist_at = (w->hist_at + 1) % SFZ_HISTORY;
}

static void host_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	(void)now;
	struct sfz_ctx *c = ctx;
	if (ev->kind == IKE_EV_IKE_UP) {
		c->w->st->established++;
		c->w->up[c->side]++;
	}
}

/* Remembers which IKE_SA_INIT requests the responder saw: each may leave at most one half-open SA. */
static int host_submit(void *ctx, ike_job *job)
{
	struct sfz_ctx *c = ctx;
	sfz *w = c->w;
	if (w->njobs == SFZ_JOBS)
		return -1; /* the engine runs it at once */
	w->job_side[w->njobs] = c->side;
	w->job[w->njobs++] = job;
	w->st->jobs++;
	return 0;
}

/* Hands job i back (any order: jobs of different SAs finish in any order on a host's threads). */
static void job_back(sfz *w, size_t i)
{
	ike_job *j = w->job[i];
	int s = w->job_side[i];
	w->job[i] = w->job[--w->njobs];
	w->job_side[i] = w->job_side[w->njobs];
	ike_job_run(j);
	ike_peer_job_done(w->peer[s], w->now, j);
}

static void note_init(sfz *w, const uint8_t *d, size_t len, uint16_t port)
{
	v2_header h;
	if (v2_parse_header(d, len, &h) != V2_OK || h.exchange != V2_IKE_SA_INIT || (h.flags & V2_F_RESPONSE))
		return;
	for (size_t i = 0; i < w->n_init_spis; i++)
		if (w->init_spis[i] == h.spi_i && w->init_ports[i] == port)
			return;
	if (w->n_init_spis < SFZ_SPIS) {
		w->init_spis[w->n_init_spis] = h.spi_i;
		w->init_ports[w->n_init_spis++] = port;
	}
}

static void deliver(sfz *w, const sfz_dgram *d)
{
	w->now += SFZ_MS;
	if (d->to == 1)
		note_init(w, d->data, d->len, d->from.port);
	ike_peer_input(w->peer[d->to], w->now, &d->from, &w->conn[d->to].local, d->data, d->len);
	w->st->delivered++;
}

static void take(sfz *w, size_t i)
{
	sfz_dgram d = w->q[i];
	memmove(&w->q[i], &w->q[i + 1], (w->nq - i - 1) * sizeof(w->q[0]));
	w->nq--;
	deliver(w, &d);
	free(d.data);
}

static void expire_both(sfz *w)
{
	for (int s = 0; s < 2; s++)
		if (ike_peer_next_deadline(w->peer[s]) <= w->now)
			ike_peer_expire(w->peer[s], w->now);
}

/* The network copies a queued datagram. */
static void duplicate(sfz *w, size_t i)
{
	/* a copy first: a full queue frees its oldest entry, which may be the one copied */
	sfz_dgram c;
	if (!push(&c, w->q[i].to, &w->q[i].from, w->q[i].data, w->q[i].len))
		return;
	enqueue(w, c.to, &c.from, c.data, c.len);
	free(c.data);
	w->st->duplicated++;
}

static void lose(sfz *w, size_t i)
{
	free(w->q[i].data);
	memmove(&w->q[i], &w->q[i + 1], (w->nq - i - 1) * sizeof(w->q[0]));
	w->nq--;
	w->st->dropped++;
}

/* An attacker replays an old datagram. */
static void replay(sfz *w)
{
	size_t h = next(w) % SFZ_HISTORY;
	sfz_dgram c;
	/* delivered from a copy: the answer it provokes overwrites the history ring */
	if (h < w->nhist && w->hist[h].data &&
	    push(&c, w->hist[h].to, &w->hist[h].from, w->hist[h].data, w->hist[h].len)) {
		deliver(w, &c);
		free(c.data);
		w->st->replayed++;
	}
}

/* An attacker forges: a queued datagram with one byte changed, maybe from another port. */
static void forge(sfz *w, size_t i)
{
	sfz_dgram f;
	if (!push(&f, w->q[i].to, &w->q[i].from, w->q[i].data, w->q[i].len))
		return;
	size_t at = ((size_t)next(w) << 8 | next(w)) % (f.len ? f.len : 1);
	uint8_t v = next(w), port = next(w);
	if (f.len)
		f.data[at] = v;
	if (port & 1)
		f.from.port = (uint16_t)(1024 + port);
	deliver(w, &f);
	free(f.data);
	w->st->forged++;
}

/* Time passes up to the next deadline (or a second when there is none). */
static void to_next_deadline(sfz *w)
{
	ike_time d = ike_peer_next_deadline(w->peer[0]), d1 = ike_peer_next_deadline(w->peer[1]);
	d = d1 < d ? d1 : d;
	w->now = d != IKE_TIME_NEVER && d > w->now ? d : w->now + 1000 * SFZ_MS;
	expire_both(w);
}

/* The initiator starts again, or either side deletes what it holds, or rekeys or deletes a part. */
static void act(sfz *w, size_t i)
{
	if (i % 3 == 0) {
		if (ike_peer_initiate(w->peer[0], w->now, 0) == 0)
			w->initiations++;
		return;
	}
	ike_peer *p = w->peer[i % 3 - 1];
	switch (next(w) % (w->natt ? 5 : 4)) {
	case 4: { /* the host's addresses change (RFC 4555): one or two of three, or a forced update of the same */
		uint8_t pick = next(w);
		ike_addr a[2];
		set_addr(&a[0], (uint8_t)(1 + pick % 3));
		set_addr(&a[1], (uint8_t)(1 + (pick / 3) % 3));
		(void)ike_peer_addresses_changed(p, w->now, a, 1 + (pick >> 7), (pick & 0x40) != 0);
		w->st->moves++;
		break;
	}
	case 0:
		(void)ike_peer_delete(p, w->now, 0);
		break;
	case 1:
		(void)ike_peer_rekey_child(p, w->now, 0, 0);
		break;
	case 2: {
		int n = ike_peer_rekey_ike(p, w->now, 0);
		w->rekeys += n > 0 ? (size_t)n : 0;
		break;
	}
	default:
		(void)ike_peer_delete_child(p, w->now, 0, 0);
		break;
	}
}

static void step(sfz *w)
{
	uint8_t op = next(w);
	if (w->jobs && op % 11 == 10) {
		if (w->njobs)
			job_back(w, next(w) % w->njobs);
		return;
	}
	size_t i = w->nq ? next(w) % w->nq : 0;
	switch (op % 10) {
	case 0: /* in order */
	case 1:
		if (w->nq)
			take(w, 0);
		break;
	case 2: /* reordered */
		if (w->nq)
			take(w, i);
		break;
	case 3:
		if (w->nq)
			duplicate(w, i);
		break;
	case 4:
		if (w->nq)
			lose(w, i);
		break;
	case 5:
		replay(w);
		break;
	case 6:
		if (w->nq)
			forge(w, i);
		break;
	case 7:
		to_next_deadline(w);
		break;
	case 8: /* time passes a little */
		w->now += (ike_time)(next(w) + 1) * 50 * SFZ_MS;
		expire_both(w);
		break;
	default:
		act(w, i);
		break;
	}
}

static int fail(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* The invariants: every SA well-formed and reachable, timers consistent, memory bounded by its causes. */
/* 2.8.2: an unsettled SA (the peer's rekey crossing ours) waits for the old SA whose rekey request is still out. */
static bool unsettled_has_partner(const ike_peer *p, const v2_ike_sa *n)
{
	for (size_t b = 0; b < p->nbuckets; b++)
		for (const v2_ike_sa *sa = p->by_local[b]; sa; sa = sa->next_local)
			if (sa != n && sa->peer_rekey_spi == n->spi_r && sa->req)
				return true;
	return false;
}

static bool job_held(const sfz *w, const ike_job *j)
{
	for (size_t k = 0; k < w->njobs; k++)
		if (w->job[k] == j)
			return true;
	return false;
}

static int check(const sfz *w, int side, char *why, size_t cap)
{
	const ike_peer *p = w->peer[side];
	size_t n = 0, timed = 0, half_open = 0;
	ike_time first = IKE_TIME_NEVER;
	for (size_t b = 0; b < p->nbuckets; b++)
		for (const v2_ike_sa *sa = p->by_local[b]; sa; sa = sa->next_local) {
			n++;
			if (sa->state >= V2_IKE_NSTATES || sa->state == V2_IKE_DESTROYING)
				return fail(why, cap, "side %d: an SA in state %u is still held", side, sa->state);
			for (const v2_child_sa *c = sa->children; c; c = c->next) {
				if (c->state >= V2_CHILD_NSTATES || c->state == V2_CHILD_DESTROYING)
					return fail(why, cap, "side %d: CHILD SA in state %u still held", side, c->state);
				if (c->state == V2_CHILD_INSTALLED &&
				    (sa->state == V2_IKE_CREATED || sa->state == V2_IKE_CONNECTING))
					return fail(why, cap, "side %d: CHILD SA installed under an IKE SA in %s", side,
						    v2_ike_state_name(sa->state));
			}
			if (sa->job && (sa->job->owner != sa || !job_held(w, sa->job)))
				return fail(why, cap, "side %d: an SA waits for a job the host does not hold", side);
			/* waiting for a job, an SA's timers rest */
			bool needs_timer = !sa->job && (sa->state == V2_IKE_CREATED || sa->state == V2_IKE_CONNECTING || sa->req);
			if (needs_timer && sa->timer_at == IKE_TIME_NEVER)
				return fail(why, cap, "side %d: SA in %s%s has no deadline", side,
					    v2_ike_state_name(sa->state), sa->req ? " with a request out" : "");
			if (sa->req && sa->dl[V2_DL_RETRANSMIT] == IKE_TIME_NEVER)
				return fail(why, cap, "side %d: a request out without a retransmission deadline", side);
			if (sa->ntasks && !sa->req && sa->state == V2_IKE_ESTABLISHED && !sa->unsettled &&
			    sa->dl[V2_DL_SETTLE] == IKE_TIME_NEVER) /* a settle due now starts them at this instant */
				return fail(why, cap, "side %d: tasks wait on an idle established SA (%u waiting, first kind %u, "
						 "peer_rekey %d, peer_deleted %d, timer %lld, now %lld)", side, (unsigned)sa->ntasks,
					    (unsigned)sa->tasks[0].kind, sa->peer_rekey_spi != 0, (int)sa->peer_deleted,
					    (long long)sa->timer_at, (long long)w->now);
			if (sa->unsettled && !unsettled_has_partner(p, sa))
				return fail(why, cap, "side %d: an unsettled IKE SA whose crossing rekey is gone", side);
			if (sa->timer_at != IKE_TIME_NEVER) {
				timed++;
				first = sa->timer_at < first ? sa->timer_at : first;
				if (sa->heap_idx >= p->heap_len || p->heap[sa->heap_idx] != sa)
					return fail(why, cap, "side %d: SA with a deadline is not in the timer heap", side);
			}
			half_open += !sa->initiator && (sa->state == V2_IKE_CONNECTING || (sa->state == V2_IKE_CREATED && sa->job));
		}
	if (n != p->nsas || n != ike_peer_sa_count(p))
		return fail(why, cap, "side %d: %zu SAs reachable but %zu counted", side, n, p->nsas);
	if (timed != p->heap_len)
		return fail(why, cap, "side %d: %zu SAs with deadlines, %zu in the heap", side, timed, p->heap_len);
	if (half_open != p->half_open)
		return fail(why, cap, "side %d: %zu half-open SAs, %zu counted", side, half_open, p->half_open);
	if (ike_peer_next_deadline(p) > first)
		return fail(why, cap, "side %d: next deadline later than an SA's timer", side);
	/*
	 * Memory bounded by causes: the initiator holds at most one SA per initiation; the responder at most
	 * one half-open SA per distinct request (a copy gets the cached answer), plus the SAs it established.
	 * A replayed IKE_SA_INIT after establishment may open a new half-open SA: it times out like any other.
	 * Each IKE rekey asked for may add one more (the new IKE SA) on both sides until the old one is deleted.
	 */
	if (side == 0 && n > w->initiations + w->rekeys)
		return fail(why, cap, "initiator holds %zu IKE SAs after %zu initiations and %zu rekeys", n, w->initiations,
			    w->rekeys);
	if (side == 1 && w->n_init_spis < SFZ_SPIS &&
	    (half_open > w->n_init_spis || n > w->n_init_spis + w->up[1] + w->rekeys))
		return fail(why, cap, "responder holds %zu IKE SAs (%zu half-open) from %zu distinct requests", n,
			    half_open, w->n_init_spis);
	return 0;
}

int statefz_run(const ike_crypto *crypto, const uint8_t *sched, size_t len, statefz_stats *st, char *why,
		size_t cap)
{
	return statefz_run_frag(crypto, sched, len, IKE_FRAG_NO, 0, st, why, cap);
}

/* NAT keepalives of the NAT-T runs: one 0xFF byte each (anything else breaks the run at its next check). */
static void host_send_raw(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)from;
	(void)to;
	struct sfz_ctx *c = ctx;
	c->w->st->keepalives++;
	if (n != 1 || d[0] != 0xFF)
		c->w->st->bad_raw++;
}

typedef struct sfz_opts {
	uint8_t frag_mode;
	uint16_t frag_size;
	bool natt; /* side 0 forces UDP encapsulation, both send keepalives after 1 s */
	bool jobs; /* crypto jobs come back when the schedule says */
} sfz_opts;

static int run(const ike_crypto *crypto, const uint8_t *sched, size_t len, const sfz_opts *o, statefz_stats *st,
	       char *why, size_t cap);

int statefz_run_frag(const ike_crypto *crypto, const uint8_t *sched, size_t len, uint8_t frag_mode,
		     uint16_t frag_size, statefz_stats *st, char *why, size_t cap)
{
	sfz_opts o = { .frag_mode = frag_mode, .frag_size = frag_size };
	return run(crypto, sched, len, &o, st, why, cap);
}

int statefz_run_natt(const ike_crypto *crypto, const uint8_t *sched, size_t len, statefz_stats *st, char *why,
		     size_t cap)
{
	sfz_opts o = { .frag_mode = IKE_FRAG_NO, .natt = true };
	return run(crypto, sched, len, &o, st, why, cap);
}

int statefz_run_jobs(const ike_crypto *crypto, const uint8_t *sched, size_t len, statefz_stats *st, char *why,
		     size_t cap)
{
	sfz_opts o = { .frag_mode = IKE_FRAG_NO, .jobs = true };
	return run(crypto, sched, len, &o, st, why, cap);
}

static int run(const ike_crypto *crypto, const uint8_t *sched, size_t len, const sfz_opts *o, statefz_stats *st,
	       char *why, size_t cap)
{
	static const char *const seeds[2] = { "statefz-initiator", "statefz-responder" };
	sfz *w = calloc(1, sizeof(*w));
	int rc = 0;
	memset(st, 0, sizeof(*st));
	why[0] = '\0';
	if (!w)
		return fail(why, cap, "out of memory");
	w->st = st;
	w->natt = o->natt;
	w->jobs = o->jobs;
	w->s = sched;
	w->end = sched + len;
	for (int s = 0; s < 2; s++) {
		statefz_conn_init(&w->conn[s], &w->child[s], s);
		w->conn[s].fragmentation = o->frag_mode;
		w->conn[s].fragment_size = o->frag_size;
		w->conn[s].encap = o->natt && s == 0;
		w->conn[s].keepalive = o->natt ? 1000 * SFZ_MS : 0;
		w->conn[s].mobike = o->natt;
		w->ctx[s] = (struct sfz_ctx){ w, s };
		w->host[s] = (ike_host){ .ctx = &w->ctx[s], .send = host_send, .sa_event = host_event,
					 .send_raw = o->natt ? host_send_raw : NULL, .submit = o->jobs ? host_submit : NULL };
		ike_peer_cfg pc = { .name = s ? "resp" : "init", .crypto = crypto, .seed = (const uint8_t *)seeds[s],
				    .seed_len = strlen(seeds[s]), .conns = &w->conn[s], .n_conns = 1 };
		w->peer[s] = ike_peer_new(&pc, &w->host[s]);
	}
	if (!w->peer[0] || !w->peer[1]) {
		rc = fail(why, cap, "ike_peer_new failed");
		goto out;
	}
	if (ike_peer_initiate(w->peer[0], w->now, 0) == 0)
		w->initiations++;
	while (w->s < w->end && rc == 0) {
		step(w);
		st->steps++;
		if (st->bad_raw)
			rc = fail(why, cap, "a datagram through send_raw that is not a NAT keepalive");
		for (int s = 0; s < 2 && rc == 0; s++) {
			size_t n = ike_peer_sa_count(w->peer[s]);
			st->max_sas = n > st->max_sas ? n : st->max_sas;
			if (check(w, s, why, cap) != 0) {
				size_t l = strlen(why);
				snprintf(why + l, cap - l, " (after step %zu)", st->steps);
				rc = -1;
			}
		}
	}
out:
	for (int s = 0; s < 2; s++)
		ike_peer_free(w->peer[s]);
	for (size_t k = 0; k < w->njobs; k++) /* orphans now: their SAs went with the peers */
		ike_job_free(w->job[k]);
	for (size_t i = 0; i < w->nq; i++)
		free(w->q[i].data);
	for (size_t i = 0; i < w->nhist; i++)
		free(w->hist[i].data);
	free(w);
	return rc;
}
