/* Byte-driven schedules between two IKEv1 engine peers, with decrypt-mutate-reseal and invariants after each step. */
#include "statefz_v1.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev1/v1_sa.h"
#include "peer/peer.h"

#define VFZ_QUEUE 32
#define VFZ_HISTORY 8
#define VFZ_INITS 64
#define VFZ_MS (1000LL * 1000)
#define VFZ_SEC (1000 * VFZ_MS)

typedef struct vfz_dgram {
	int to;
	ike_addr from;
	size_t len;
	uint8_t *data;
} vfz_dgram;

typedef struct vfz {
	ike_conn_cfg conn[2];
	ike_child_cfg child[2];
	ike_peer *peer[2];
	ike_host host[2];
	struct vfz_ctx {
		struct vfz *w;
		int side;
	} ctx[2];
	const ike_crypto *crypto;
	ike_time now;
	vfz_dgram q[VFZ_QUEUE];
	size_t nq;
	vfz_dgram hist[VFZ_HISTORY];
	size_t nhist, hist_at;
	uint64_t init_ckys[VFZ_INITS]; /* distinct (CKY-I, source port) of MM1/AM1 the responder was given */
	uint16_t init_ports[VFZ_INITS];
	size_t n_init;
	/* rows traced per side: SAs created (a row from CREATED) and ended (a row to DESTROYING), bad rows */
	size_t created[2], ended[2], not_allowed[2];
	statefz_v1_stats *st;
	const uint8_t *s, *end;
	bool verbose;
} vfz;

static uint8_t next(vfz *w) { return w->s < w->end ? *w->s++ : 0; }

static void set_addr(ike_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->port = 500;
	a->ip[0] = 192;
	a->ip[2] = 2;
	a->ip[3] = last;
}

/* cfg bits: 0-1 mode (MM PSK, AM PSK, MM RSA, MM PSK), 2 PFS, 3 DPD, 4 short lifetimes, 5 GCM, 6 DPD restart. */
static void conn_init(vfz *w, int s, uint8_t cfg, const ike_cred *cred)
{
	ike_conn_cfg *c = &w->conn[s];
	ike_child_cfg *ch = &w->child[s];
	char err[128];
	bool pfs = cfg & 4, gcm = cfg & 32;
	const char *esp = gcm ? (pfs ? "aes128gcm16-x25519" : "aes128gcm16") : (pfs ? "aes128-sha256-x25519" : "aes128-sha256");
	/* the responder also takes a second suite, so fuzzed proposals reach a second choice */
	const char *ike = s ? "aes128-sha256-x25519,aes256-sha1-ecp256" : "aes128-sha256-x25519";
	c->children = ch;
	c->n_children = 1;
	c->name = ch->name = s ? "resp" : "init";
	c->version = 1;
	set_addr(&c->local, s ? 2 : 1);
	set_addr(&c->remote, s ? 1 : 2);
	int bad = ike_proposals_parse(ike, IKE_PROTO_IKE, &c->ike, err, sizeof(err)) ||
		  ike_proposals_parse(esp, IKE_PROTO_ESP, &ch->esp, err, sizeof(err)) ||
		  ike_id_parse(s ? "gw-b.example" : "gw-a.example", &c->local_id, err, sizeof(err)) ||
		  ike_id_parse(s ? "gw-a.example" : "gw-b.example", &c->remote_id, err, sizeof(err)) ||
		  ike_ts_parse(s ? "10.2.0.0/16" : "10.1.0.0/16", &ch->local_ts[0], err, sizeof(err)) ||
		  ike_ts_parse(s ? "10.1.0.0/16" : "10.2.0.0/16", &ch->remote_ts[0], err, sizeof(err));
	if (bad) {
		fprintf(stderr, "statefz_v1: built-in configuration refused: %s\n", err);
		abort();
	}
	ch->n_local_ts = ch->n_remote_ts = 1;
	c->aggressive = (cfg & 3) == 1;
	if ((cfg & 3) == 2 && cred) {
		c->auth = IKE_AUTH_PUBKEY;
		c->cred = cred;
	} else {
		c->auth = IKE_AUTH_PSK;
		c->psk = (const uint8_t *)"fuzz-secret";
		c->psk_len = 11;
	}
	c->retransmit.base = 1000 * VFZ_MS;
	c->retransmit.factor = 1.8;
	c->retransmit.tries = 2;
	if (cfg & 8) {
		c->dpd_delay = 2 * VFZ_SEC;
		c->dpd_action = cfg & 64 ? IKE_DPD_RESTART : IKE_DPD_CLEAR;
	}
	if (cfg & 16) { /* renewals within a schedule's few dozen seconds */
		ch->life = (ike_life_cfg){ .rekey = 4 * VFZ_SEC, .rand = VFZ_SEC, .over = VFZ_SEC };
		c->ike_life = (ike_life_cfg){ .reauth = 11 * VFZ_SEC, .rand = VFZ_SEC, .over = 2 * VFZ_SEC };
	}
}

static bool push(vfz_dgram *d, int to, const ike_addr *from, const uint8_t *data, size_t len)
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

static void host_send(void *ctx, const ike_addr *from, const ike_addr *to, const uint8_t *d, size_t n)
{
	(void)to;
	struct vfz_ctx *c = ctx;
	vfz *w = c->w;
	if (w->nq == VFZ_QUEUE) { /* a full wire loses its oldest datagram */
		free(w->q[0].data);
		memmove(&w->q[0], &w->q[1], (VFZ_QUEUE - 1) * sizeof(w->q[0]));
		w->nq--;
		w->st->dropped++;
	}
	if (push(&w->q[w->nq], !c->side, from, d, n))
		w->nq++;
	vfz_dgram *h = &w->hist[w->hist_at];
	if (w->nhist == VFZ_HISTORY)
		free(h->data);
	else
		w->nhist++;
	if (!push(h, !c->side, from, d, n)) {
		h->data = NULL;
		h->len = 0;
	}
	w->hist_at = (w->hist_at + 1) % VFZ_HISTORY;
}

static void host_event(void *ctx, ike_time now, const ike_sa_event *ev)
{
	(void)now;
	struct vfz_ctx *c = ctx;
	c->w->st->ike_up += ev->kind == IKE_EV_IKE_UP;
	c->w->st->child_up += ev->kind == IKE_EV_CHILD_UP;
}

/* "key":"value" out of a trace event's fields, or false. */
static bool field(const char *fields, const char *key, char *out, size_t cap)
{
	char pat[40];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *at = strstr(fields, pat);
	if (!at)
		return false;
	at += strlen(pat);
	size_t n = 0;
	while (at[n] && at[n] != '"' && n + 1 < cap)
		n++;
	memcpy(out, at, n);
	out[n] = 0;
	return true;
}

/* Counts the ISAKMP SA rows: every SA in a peer's list must have come through a row from CREATED, and every
 * row to DESTROYING must have freed its SA (checked in check()). */
static void host_trace(void *ctx, ike_time now, const char *ev, const char *fields)
{
	struct vfz_ctx *c = ctx;
	char from[24], to[24], what[64];
	if (c->w->verbose) /* STATEFZ_V1_TRACE=1: every event, to replay a failing schedule by hand */
		fprintf(stderr, "%d %lld %s {%s}\n", c->side, (long long)now, ev, fields);
	if (!strcmp(ev, "error") && field(fields, "why", what, sizeof(what)) && strstr(what, "transition not allowed"))
		c->w->not_allowed[c->side]++;
	if (strcmp(ev, "ike_sa.state") || !field(fields, "from", from, sizeof(from)) || !field(fields, "to", to, sizeof(to)))
		return;
	c->w->created[c->side] += !strcmp(from, "CREATED");
	c->w->ended[c->side] += !strcmp(to, "DESTROYING");
}

/* Remembers the MM1/AM1 the responder was given: each may leave at most one half-open SA. */
static void note_init(vfz *w, const vfz_dgram *d)
{
	v1_header h;
	if (v1_parse_header(d->data, d->len, &h, NULL) != V1_OK || h.cky_r || (h.flags & V1_F_ENCRYPTION) ||
	    (h.exchange != V1_EXCH_ID_PROT && h.exchange != V1_EXCH_AGGRESSIVE))
		return;
	for (size_t i = 0; i < w->n_init; i++)
		if (w->init_ckys[i] == h.cky_i && w->init_ports[i] == d->from.port)
			return;
	if (w->n_init < VFZ_INITS) {
		w->init_ckys[w->n_init] = h.cky_i;
		w->init_ports[w->n_init++] = d->from.port;
	}
}

static void deliver(vfz *w, const vfz_dgram *d)
{
	w->now += VFZ_MS;
	if (d->to == 1)
		note_init(w, d);
	ike_peer_input(w->peer[d->to], w->now, &d->from, &w->conn[d->to].local, d->data, d->len);
	w->st->delivered++;
}

static void take(vfz *w, size_t i)
{
	vfz_dgram d = w->q[i];
	memmove(&w->q[i], &w->q[i + 1], (w->nq - i - 1) * sizeof(w->q[0]));
	w->nq--;
	deliver(w, &d);
	free(d.data);
}

static void expire_both(vfz *w)
{
	for (int s = 0; s < 2; s++)
		if (ike_peer_next_deadline(w->peer[s]) <= w->now)
			ike_peer_expire(w->peer[s], w->now);
}

static void duplicate(vfz *w, size_t i)
{
	vfz_dgram c; /* a copy first: a full queue frees its oldest entry, which may be the one copied */
	if (!push(&c, w->q[i].to, &w->q[i].from, w->q[i].data, w->q[i].len))
		return;
	host_send(&w->ctx[!c.to], &c.from, NULL, c.data, c.len);
	free(c.data);
	w->st->duplicated++;
}

static void lose(vfz *w, size_t i)
{
	free(w->q[i].data);
	memmove(&w->q[i], &w->q[i + 1], (w->nq - i - 1) * sizeof(w->q[0]));
	w->nq--;
	w->st->dropped++;
}

static void replay(vfz *w)
{
	size_t h = next(w) % VFZ_HISTORY;
	vfz_dgram c;
	if (h < w->nhist && w->hist[h].data &&
	    push(&c, w->hist[h].to, &w->hist[h].from, w->hist[h].data, w->hist[h].len)) {
		deliver(w, &c);
		free(c.data);
		w->st->replayed++;
	}
}

/* Raw mutation (what reaches the clear messages MM1..MM4, AM1/AM2 and the headers): one byte set. */
static void forge(vfz *w, size_t i)
{
	vfz_dgram f;
	if (!push(&f, w->q[i].to, &w->q[i].from, w->q[i].data, w->q[i].len))
		return;
	size_t at = ((size_t)next(w) << 8 | next(w)) % (f.len ? f.len : 1);
	uint8_t v = next(w);
	if (f.len)
		f.data[at] = v;
	deliver(w, &f);
	free(f.data);
	w->st->forged++;
}


/* The IV the receiver will decrypt this message with (v1_input's choice), from its SA; false when it has none. */
static v1_ike_sa *receiver_iv(vfz *w, const vfz_dgram *d, const v1_header *h, v1_iv *iv)
{
	v1_ike_sa *sa = v1_sa_find(w->peer[d->to], h->cky_i, h->cky_r, &d->from);
	if (!sa || !sa->keyed)
		return NULL;
	if (!h->msg_id)
		*iv = sa->p1iv;
	else if (sa->child.used && h->msg_id == sa->child.msg_id)
		*iv = sa->child.iv;
	else if (sa->expect || v1_iv_phase2(w->crypto, &sa->ci, &sa->p1iv, h->msg_id, iv) != 0)
		return NULL;
	return sa;
}

/* Changes the decrypted payloads m[28..*len): a byte, a truncation, inserted bytes, or a payload length. */
static void mutate_body(vfz *w, uint8_t *m, size_t *len, size_t cap)
{
	size_t body = *len - V1_HDR_LEN, at = V1_HDR_LEN + ((size_t)next(w) << 8 | next(w)) % (body ? body : 1);
	uint8_t kind = next(w), v = next(w);
	switch (kind % 4) {
	case 0: m[at] = v; break;
	case 1: *len = at > V1_HDR_LEN ? at : V1_HDR_LEN + 1; break;
	case 2: {
		size_t n = 1 + v % 16;
		if (*len + n > cap)
			break;
		memmove(m + at + n, m + at, *len - at);
		for (size_t k = 0; k < n; k++)
			m[at + k] = next(w);
		*len += n;
		break;
	}
	default: { /* a payload's length field: the chain parser's bounds */
		v1_chain c;
		if (v1_parse_chain(m[16], m + V1_HDR_LEN, body, V1_HDR_LEN, true, &c, NULL) == V1_OK && c.n) {
			size_t o = c.pl[v % c.n].offset + 2;
			m[o] = next(w);
			m[o + 1] = next(w);
		}
		break;
	}
	}
}

/* Recomputes the message's HASH over the mutated payloads as the receiver checks it: HASH(1) (Quick Mode 1,
 * Informational), HASH(2) (Quick Mode 2), HASH_I/HASH_R (Main Mode 5/6 PSK, an encrypted Aggressive Mode 3). */
static bool rehash(vfz *w, v1_ike_sa *sa, uint8_t *m, size_t len)
{
	v1_chain c;
	v1_header hd;
	const v1_header *h = &hd;
	if (v1_parse_header(m, len, &hd, NULL) != V1_OK)
		return false;
	if (v1_parse_chain(m[16], m + V1_HDR_LEN, len - V1_HDR_LEN, V1_HDR_LEN, true, &c, NULL) != V1_OK || !c.n)
		return false;
	uint8_t *hb = (uint8_t *)c.pl[0].body, want[IKE_V1_MAX_HASH];
	if (c.pl[0].type != V1_PL_HASH || c.pl[0].len != sa->k.len)
		return false;
	size_t start = c.n > 1 ? c.pl[1].offset : len - c.pad, rn = len - c.pad - start;
	int rc = -1;
	if (h->exchange == V1_EXCH_INFORMATIONAL || (h->exchange == V1_EXCH_QUICK && !sa->initiator && c.n > 1))
		rc = ike_v1_hash1(w->crypto, &sa->k, h->msg_id, m + start, rn, want);
	else if (h->exchange == V1_EXCH_QUICK && sa->initiator && sa->child.used)
		rc = ike_v1_hash2(w->crypto, &sa->k, h->msg_id, sa->child.ni, sa->child.ni_len, m + start, rn, want);
	else if ((h->exchange == V1_EXCH_ID_PROT || h->exchange == V1_EXCH_AGGRESSIVE) && sa->alg.auth != V1_AUTH_RSA_SIG) {
		const v1_payload *id = v1_chain_find(&c, V1_PL_ID);
		const uint8_t *ib = id ? id->body : sa->peer_id;
		size_t il = id ? id->len : sa->peer_id_len;
		rc = ike_v1_hash_auth(w->crypto, &sa->k, sa->initiator, sa->gxi, sa->gx_len, sa->gxr, sa->gx_len, sa->cky_i,
				      sa->cky_r, sa->sai_b, sa->sai_len, ib, il, want);
	}
	if (rc)
		return false;
	memcpy(hb, want, sa->k.len);
	return true;
}

/* An encrypted message decrypted with the receiver's real key and IV, mutated, maybe re-hashed, sealed again
 * with the same IV and delivered (the original stays queued). */
static void mutate_sealed(vfz *w, size_t i)
{
	const vfz_dgram *d = &w->q[i];
	v1_header h;
	v1_iv iv, after;
	uint8_t m[V1_MSG_MAX], pt[V1_MSG_MAX];
	size_t ptl = 0, len, out = 0;
	if (v1_parse_header(d->data, d->len, &h, NULL) != V1_OK || !(h.flags & V1_F_ENCRYPTION))
		return;
	v1_ike_sa *sa = receiver_iv(w, d, &h, &iv);
	if (!sa || v1_open(w->crypto, &sa->ci, &iv, d->data, h.length, pt, sizeof(pt), &ptl, &after) != 0)
		return;
	w->st->opened++;
	if (V1_HDR_LEN + ptl + 64 > sizeof(m))
		return;
	memcpy(m, d->data, V1_HDR_LEN);
	memcpy(m + V1_HDR_LEN, pt, ptl);
	len = V1_HDR_LEN + ptl;
	uint8_t ctl = next(w);
	for (uint8_t n = 0; n <= (ctl >> 4) % 3; n++)
		mutate_body(w, m, &len, sizeof(m) - 32);
	if ((ctl & 1) && rehash(w, sa, m, len))
		w->st->rehashed++;
	if (v1_seal(w->crypto, &sa->ci, &iv, m, len, sizeof(m), &out) != 0)
		return;
	vfz_dgram f = { .to = d->to, .from = d->from, .len = out, .data = m };
	w->st->resealed++;
	deliver(w, &f);
}

static void to_next_deadline(vfz *w)
{
	ike_time d = ike_peer_next_deadline(w->peer[0]), d1 = ike_peer_next_deadline(w->peer[1]);
	d = d1 < d ? d1 : d;
	w->now = d != IKE_TIME_NEVER && d > w->now ? d : w->now + VFZ_SEC;
	expire_both(w);
}

/* Either side starts a new phase 1 or deletes what it holds for the connection. */
static void act(vfz *w, size_t i)
{
	ike_peer *p = w->peer[i & 1];
	if (next(w) & 1)
		(void)ike_peer_initiate(p, w->now, 0);
	else
		(void)ike_peer_delete(p, w->now, 0);
}

static void step(vfz *w)
{
	uint8_t op = next(w);
	size_t i = w->nq ? next(w) % w->nq : 0;
	switch (op % 12) {
	case 0:
	case 1:
		if (w->nq)
			take(w, 0);
		break;
	case 2:
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
	case 5: replay(w); break;
	case 6:
		if (w->nq)
			forge(w, i);
		break;
	case 7: to_next_deadline(w); break;
	case 8:
		w->now += (ike_time)(next(w) + 1) * 50 * VFZ_MS;
		expire_both(w);
		break;
	case 9: act(w, i); break;
	default:
		if (w->nq)
			mutate_sealed(w, i);
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


/* The invariants: states only through rows, timers armed where something waits, SAs bounded by their causes. */
static int check_sa(const vfz *w, int side, const v1_ike_sa *sa, char *why, size_t cap)
{
	(void)w;
	if (sa->state != V2_IKE_CONNECTING && sa->state != V2_IKE_ESTABLISHED)
		return fail(why, cap, "side %d: an ISAKMP SA in %s is still held", side, v2_ike_state_name(sa->state));
	if ((sa->state == V2_IKE_ESTABLISHED) != (sa->expect == 0))
		return fail(why, cap, "side %d: ISAKMP SA in %s expects message %u", side, v2_ike_state_name(sa->state),
			    sa->expect);
	const v1_child *c = &sa->child, *o = &sa->old;
	if (c->used && c->state >= V2_CHILD_NSTATES)
		return fail(why, cap, "side %d: IPsec SA in state %u", side, c->state);
	if (c->used && (c->state == V2_CHILD_INSTALLED || c->state == V2_CHILD_INSTALLING) &&
	    sa->state != V2_IKE_ESTABLISHED)
		return fail(why, cap, "side %d: IPsec SA %s under an ISAKMP SA in %s", side, v2_child_state_name(c->state),
			    v2_ike_state_name(sa->state));
	if (o->used && (o->state != V2_CHILD_INSTALLED || !c->used ||
			(c->state != V2_CHILD_INSTALLING && c->state != V2_CHILD_INSTALLED)))
		return fail(why, cap, "side %d: a replaced IPsec SA in %s beside a new one in %s", side,
			    v2_child_state_name(o->state), v2_child_state_name(c->state));
	if (c->state == V2_CHILD_INSTALLED && !c->keymat)
		return fail(why, cap, "side %d: an installed IPsec SA without KEYMAT", side);
	if ((sa->waiting || sa->state == V2_IKE_CONNECTING) && sa->timer_at == IKE_TIME_NEVER)
		return fail(why, cap, "side %d: ISAKMP SA in %s%s without a deadline", side, v2_ike_state_name(sa->state),
			    sa->waiting ? " waiting for an answer" : "");
	if (sa->state == V2_IKE_ESTABLISHED && !sa->waiting && sa->conn->dpd_delay > 0 && sa->timer_at == IKE_TIME_NEVER)
		return fail(why, cap, "side %d: DPD on but no check armed", side);
	return 0;
}

static int check(const vfz *w, int side, char *why, size_t cap)
{
	const ike_peer *p = w->peer[side];
	size_t n = 0, half_open = 0;
	ike_time first = IKE_TIME_NEVER;
	for (const v1_ike_sa *sa = p->v1_sas; sa; sa = sa->next) {
		n++;
		if (check_sa(w, side, sa, why, cap) != 0)
			return -1;
		first = sa->timer_at < first ? sa->timer_at : first;
		half_open += !sa->initiator && sa->state == V2_IKE_CONNECTING;
	}
	if (ike_peer_next_deadline(p) > first)
		return fail(why, cap, "side %d: next deadline later than an SA's timer", side);
	if (w->not_allowed[side])
		return fail(why, cap, "side %d: a state change without its row (transition not allowed)", side);
	/* every SA held came through a row from CREATED, every row to DESTROYING freed its SA */
	if (n + w->ended[side] != w->created[side])
		return fail(why, cap, "side %d: %zu ISAKMP SAs held, %zu created by a row, %zu ended by one", side, n,
			    w->created[side], w->ended[side]);
	if (side == 1 && w->n_init < VFZ_INITS && half_open > w->n_init)
		return fail(why, cap, "responder holds %zu half-open SAs from %zu distinct Main/Aggressive Mode 1", half_open,
			    w->n_init);
	return 0;
}

int statefz_v1_run(const ike_crypto *crypto, const ike_cred *const creds[2], const uint8_t *sched, size_t len,
		   statefz_v1_stats *st, char *why, size_t cap)
{
	static const char *const seeds[2] = { "statefz-v1-initiator", "statefz-v1-responder" };
	vfz *w = calloc(1, sizeof(*w));
	int rc = 0;
	memset(st, 0, sizeof(*st));
	why[0] = '\0';
	if (!w)
		return fail(why, cap, "out of memory");
	w->st = st;
	w->crypto = crypto;
	w->verbose = getenv("STATEFZ_V1_TRACE") != NULL;
	uint8_t cfg = len ? sched[0] : 0;
	w->s = sched + (len ? 1 : 0);
	w->end = sched + len;
	for (int s = 0; s < 2; s++) {
		conn_init(w, s, cfg, creds && creds[0] && creds[1] ? creds[s] : NULL);
		w->ctx[s] = (struct vfz_ctx){ w, s };
		w->host[s] = (ike_host){ .ctx = &w->ctx[s], .send = host_send, .sa_event = host_event, .trace = host_trace };
		ike_peer_cfg pc = { .name = s ? "resp" : "init", .crypto = crypto, .seed = (const uint8_t *)seeds[s],
				    .seed_len = strlen(seeds[s]), .conns = &w->conn[s], .n_conns = 1 };
		w->peer[s] = ike_peer_new(&pc, &w->host[s]);
	}
	if (!w->peer[0] || !w->peer[1]) {
		rc = fail(why, cap, "ike_peer_new failed");
		goto out;
	}
	(void)ike_peer_initiate(w->peer[0], w->now, 0);
	while (w->s < w->end && rc == 0) {
		step(w);
		st->steps++;
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
	for (size_t i = 0; i < w->nq; i++)
		free(w->q[i].data);
	for (size_t i = 0; i < w->nhist; i++)
		free(w->hist[i].data);
	free(w);
	return rc;
}
