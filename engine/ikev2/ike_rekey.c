/*
 * IKE SA rekeying (RFC 7296 1.3.2, 2.18): CREATE_CHILD_SA with an IKE proposal carrying the new SPI, a
 * nonce and KE. SKEYSEED = prf(SK_d(old), g^ir | Ni | Nr); the CHILD SAs and waiting tasks move to the new
 * IKE SA; the rekey's initiator deletes the old one. Simultaneous rekeys (2.8.2) are settled by the lowest
 * nonce, as for CHILD SAs: the redundant new IKE SA is deleted by the side that made it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/dh.h"
#include "ikev2/sa.h"

#define V2_REKEYED_GRACE (30 * IKE_NS_PER_SEC) /* a replaced IKE SA whose Delete does not come is deleted by us */

static uint16_t our_group(const v2_ike_sa *sa, uint16_t asked)
{
	const ike_proposal_list *pl = &sa->conn->ike;
	uint16_t first = 0;
	for (uint8_t i = 0; i < pl->n; i++)
		for (uint8_t j = 0; j < pl->p[i].n_dh; j++) {
			uint16_t g = pl->p[i].dh[j].id;
			if (g == (asked ? asked : sa->algs.dh))
				return g;
			first = first ? first : g;
		}
	return first;
}

int v2_ike_rekey_start(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	uint8_t inner[V2_MAX_MSG], pub[1024], spi[8];
	size_t pub_len = 0;
	uint16_t group = our_group(sa, t->group);
	if (!group || v2_ccsa_scratch_new(sa, group, pub, sizeof(pub), &pub_len) != 0) {
		v2_ccsa_scratch_free(sa);
		v2_trace_error(sa->peer, now, sa, "ike_sa rekey", "cannot make a nonce or key exchange value", 0);
		return 1;
	}
	sa->rekey_spi = v2_new_spi(sa->peer);
	ike_put_u64(spi, sa->rekey_spi);
	v2_sa prop_buf, *prop = &prop_buf;
	v2_sa_from_config(&sa->conn->ike, IKE_PROTO_IKE, spi, 8, false, prop);
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_sa(&b, prop);
	v2_add_nonce(&b, sa->xn, sa->xn_len);
	v2_add_ke(&b, group, pub, pub_len);
	if (b.w.err) {
		v2_ccsa_scratch_free(sa);
		v2_trace_error(sa->peer, now, sa, "ike_sa rekey", "the rekey request does not fit in a message", 0);
		return 1;
	}
	sa->rekey_reason = t->reason;
	v2_ike_go(sa, now, V2_T_IKE_REKEYING, NULL);
	return v2_send_request(sa, now, V2_CREATE_CHILD_SA, inner, b.w.len, b.first,
			       "could not seal our IKE rekey request");
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (d && n)
		memcpy(d, p, n);
	return d;
}

/* The new IKE SA of a rekey, keyed; NULL on failure (nothing left behind). ni/nr are copied. */
static v2_ike_sa *new_sa(v2_ike_sa *old, ike_time now, bool initiator, uint64_t spi_i, uint64_t spi_r,
			 const v2_algs *algs, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			 const uint8_t *gir, size_t gir_len)
{
	v2_ike_sa *n = v2_sa_new(old->peer, initiator, spi_i, spi_r);
	if (!n)
		return NULL;
	v2_sa_set_conn(n, old->conn_idx);
	n->local = old->local;
	n->remote = old->remote;
	v2_index_addr(n);
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->nat_forced = old->nat_forced;
	n->mobike = old->mobike; /* negotiated for the IKE SA the rekeyed one continues (RFC 4555 3.2) */
	n->resp_from = old->local;
	n->resp_to = old->remote;
	n->peer_hashes = old->peer_hashes;
	n->frag = old->frag; /* RFC 7383 was negotiated for the IKE SA, which the rekeyed one continues */
	if (old->peer_id && v2_ic_remember(n, old->peer_id[0], old->peer_id + 1, old->peer_id_len - 1u) != 0) {
		v2_sa_destroy(n, now);
		return NULL;
	}
	n->algs = *algs;
	n->ni = dup_bytes(ni, ni_len);
	n->nr = dup_bytes(nr, nr_len);
	n->ni_len = (uint16_t)ni_len;
	n->nr_len = (uint16_t)nr_len;
	if (!n->ni || !n->nr || v2_derive_rekeyed_keys(n, old, now, gir, gir_len) != 0) {
		v2_sa_destroy(n, now);
		return NULL;
	}
	v2_ike_go(n, now, V2_T_IKE_REKEY_NEW, NULL);
	v2_replaced_event(n, now, IKE_EV_IKE_UP, old->spi_i, old->spi_r, NULL, NULL);
	return n;
}

/* Its collision is settled: the nonces go, and tasks that waited on it start at this instant. */
static void forget_nonces(v2_ike_sa *n, ike_time now)
{
	free(n->ni);
	free(n->nr);
	n->ni = n->nr = NULL;
	n->ni_len = n->nr_len = 0;
	n->unsettled = false;
	if (n->ntasks && !n->req)
		v2_dl_set(n, V2_DL_SETTLE, now);
}

/* What a waiting task of a rekeyed IKE SA becomes: 1 it moves to the new SA, 0 it stays, -1 it is dropped. */
static int task_follows(const v2_task *t)
{
	switch (t->kind) {
	case V2_TASK_IKE_REKEY: /* done: this rekey was it */
	case V2_TASK_DPD:       /* the old SA's own liveness check; the new SA was just heard */
		return -1;
	case V2_TASK_IKE_DELETE:
		/* asked of the connection (manual, a reauthentication's end) it follows; the old SA's own (hard
		 * expiry, delete grace, a lost collision) stays with it: it must not end the new SA */
		return t->reason == V2_WHY_MANUAL || t->reason == V2_WHY_REAUTH ? 1 : 0;
	default: /* CHILD work, a reauthentication: they belong to the connection's CHILD SAs, which move */
		return 1;
	}
}

/* CHILD SAs and the connection's waiting tasks go from old to nsa; old keeps no lifetimes, only its own tasks. */
static void move_over(v2_ike_sa *old, v2_ike_sa *nsa, ike_time now)
{
	v2_child_sa **tail = &nsa->children;
	while (*tail)
		tail = &(*tail)->next;
	*tail = old->children;
	old->children = NULL;
	uint8_t kept = 0;
	for (uint8_t i = 0; i < old->ntasks; i++) {
		int f = task_follows(&old->tasks[i]);
		if (f > 0)
			(void)v2_task_queue(nsa, now, &old->tasks[i]);
		else if (f == 0)
			old->tasks[kept++] = old->tasks[i];
	}
	old->ntasks = kept;
	ike_time reauth = old->dl[V2_DL_REAUTH];
	old->dl[V2_DL_REKEY] = old->dl[V2_DL_REAUTH] = old->dl[V2_DL_EXPIRE] = old->dl[V2_DL_DPD] = IKE_TIME_NEVER;
	v2_ike_arm_life(nsa, now);
	if (nsa->conn->ike_life.reauth > 0) /* a rekey makes new keys, not a new authentication: its time stays */
		nsa->dl[V2_DL_REAUTH] = reauth;
	v2_reauth_moved(old, nsa);
	v2_dl_refresh(old);
	v2_dl_refresh(nsa);
}

static void delete_old(v2_ike_sa *old, ike_time now, bool ours)
{
	if (ours) {
		v2_task t = { .kind = V2_TASK_IKE_DELETE, .reason = old->rekey_reason };
		(void)v2_task_queue(old, now, &t);
	} else {
		/* the peer deletes it: a delete its hard expiry queued would only cross the peer's (the grace covers a
		 * lost one) */
		old->ntasks = 0;
		v2_dl_set(old, V2_DL_DELETE_GRACE, v2_time_after(now, V2_REKEYED_GRACE));
	}
}

/* The lower of an IKE SA's two nonces (the nonces of the exchange that made it). */
static const uint8_t *low_nonce(const v2_ike_sa *n, size_t *len)
{
	bool i_lo = v2_nonce_cmp(n->ni, n->ni_len, n->nr, n->nr_len) <= 0;
	*len = i_lo ? n->ni_len : n->nr_len;
	return i_lo ? n->ni : n->nr;
}

/* 2.8.2: both made a new IKE SA; the lowest nonce marks the redundant one. Returns the survivor. */
static v2_ike_sa *settle_collision(v2_ike_sa *ours, v2_ike_sa *theirs, ike_time now, bool *we_delete_old)
{
	size_t ol, tl;
	const uint8_t *om = low_nonce(ours, &ol), *tm = low_nonce(theirs, &tl);
	bool ours_redundant = v2_nonce_cmp(om, ol, tm, tl) < 0;
	forget_nonces(theirs, now);
	*we_delete_old = !ours_redundant;
	if (ours_redundant) {
		/* we made it, we delete it; the peer, whose rekey survives, deletes the old IKE SA */
		v2_task t = { .kind = V2_TASK_IKE_DELETE, .reason = V2_WHY_COLLISION };
		(void)v2_task_queue(ours, now, &t);
		return theirs;
	}
	return ours;
}

/* The peer deleted sa while our rekey was out (v2_ike_rekey_hold) and that rekey is settled now: sa goes, with
 * whatever CHILD SAs no new IKE SA took (none when one did). */
static int end_deleted(v2_ike_sa *sa, ike_time now)
{
	v2_ike_end(sa, now, sa->state == V2_IKE_REKEYED ? V2_T_IKE_REKEYED_DELETE_RECV : V2_T_IKE_REKEYING_DELETE_RECV,
		   IKE_EV_IKE_DOWN, 0, NULL, "the peer deleted it while our rekey was out; that rekey is settled now");
	return V2_H_GONE;
}

bool v2_ike_rekey_hold(v2_ike_sa *sa, ike_time now)
{
	if (!sa->req || sa->active.kind != V2_TASK_IKE_REKEY || sa->peer_deleted)
		return false;
	/* 2.8.2: the Delete may have overtaken the peer's answer to our rekey (it saw our rekey too and made our
	 * new IKE SA, which only that answer lets us key: to keep it, or to delete it as redundant), or the peer
	 * never saw our rekey and keeps the new IKE SA of its own; the answer, or its absence, tells which. */
	sa->peer_deleted = true;
	v2_task_trace(sa, now, &sa->active, "waiting",
		      "the peer deleted the IKE SA being rekeyed: our rekey's answer settles which new IKE SA stays");
	return true;
}

/* Our rekey failed: the IKE SA stays, or the peer's colliding rekey replaced it. */
static int rekey_failed(v2_ike_sa *sa, ike_time now, uint16_t err, const char *why)
{
	v2_ike_sa *theirs = sa->peer_rekey_spi ? v2_find_local(sa->peer, sa->peer_rekey_spi) : NULL;
	sa->peer_rekey_spi = 0;
	v2_trace_error(sa->peer, now, sa, "ike_sa rekey failed", why, err);
	if (theirs && theirs->state == V2_IKE_ESTABLISHED) {
		forget_nonces(theirs, now);
		v2_ike_go(sa, now, V2_T_IKE_REKEYED, "the peer's colliding rekey replaced it; the peer deletes it");
		v2_trace_ike_rekeyed(sa, theirs, now, V2_WHY_COLLISION);
		move_over(sa, theirs, now);
		v2_settle(theirs, now); /* tasks that waited on it, or moved to it, start */
		if (sa->peer_deleted)
			return end_deleted(sa, now);
		delete_old(sa, now, false);
		return V2_H_OK;
	}
	if (sa->peer_deleted)
		return end_deleted(sa, now);
	v2_ike_go(sa, now, V2_T_IKE_REKEY_FAILED, why);
	if (err == V2_N_TEMPORARY_FAILURE)
		v2_dl_set(sa, V2_DL_REKEY, v2_retry_at(sa->peer, now));
	return V2_H_OK;
}

/* INVALID_KE_PAYLOAD naming another configured group: the rekey goes again first, with it. */
static bool retry_group(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const v2_task *t)
{
	const v2_payload *pl = v2_chain_find_notify(&in->inner, V2_N_INVALID_KE_PAYLOAD);
	v2_notify n;
	if (!pl || t->group || v2_parse_notify(pl->body, pl->len, &n) != V2_OK || n.len != 2)
		return false;
	uint16_t g = ike_get_u16(n.data);
	if (g == sa->xgroup || our_group(sa, g) != g)
		return false;
	v2_task r = *t;
	r.group = g;
	return v2_task_retry(sa, now, &r) == 0;
}

int v2_ike_rekey_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	v2_task t = sa->active;
	v2_request_done(sa, now);
	v2_task_done(sa);
	const v2_chain *ch = &in->inner;
	uint16_t err = v2_chain_first_error(ch);
	if (err) {
		bool retried = err == V2_N_INVALID_KE_PAYLOAD && retry_group(sa, now, in, &t);
		v2_ccsa_scratch_free(sa);
		return rekey_failed(sa, now, err, retried ? "retry with the D-H group the peer asked for"
							  : "the peer refused the IKE rekey");
	}
	const v2_payload *psa = v2_chain_find(ch, V2_PL_SA), *pno = v2_chain_find(ch, V2_PL_NONCE),
			 *pke = v2_chain_find(ch, V2_PL_KE);
	v2_sa got_buf, *got = &got_buf;
	v2_ke ke;
	v2_algs algs;
	const v2_proposal *prop = NULL;
	if (!psa || !pno || !pke || v2_parse_sa(psa->body, psa->len, got) != V2_OK ||
	    v2_parse_nonce(pno->body, pno->len) != V2_OK || v2_parse_ke(pke->body, pke->len, &ke) != V2_OK) {
		v2_ccsa_scratch_free(sa);
		v2_bad_response(sa, now, in, "IKE rekey response lacks a valid SA, Nonce or KE");
		return V2_H_GONE;
	}
	const char *why = NULL;
	if (v2_accept_choice(&sa->conn->ike, got, IKE_PROTO_IKE, false, &algs, &prop) != 0 || prop->spi_size != 8)
		why = "the IKE rekey answer is not one of our proposals with an 8-byte SPI";
	else if (ke.group != sa->xgroup || algs.dh != sa->xgroup)
		why = "the IKE rekey answer's KE group is not ours";
	uint8_t gir[1024];
	size_t gl = 0;
	v2_ike_sa *nsa = NULL;
	if (!why && v2_dh_shared(sa, sa->dh, &ke, gir, sizeof(gir), &gl) == 0)
		nsa = new_sa(sa, now, true, sa->rekey_spi, ike_get_u64(prop->spi), &algs, sa->xn, sa->xn_len, pno->body,
			     pno->len, gir, gl);
	OPENSSL_cleanse(gir, sizeof(gir));
	v2_ccsa_scratch_free(sa);
	if (!nsa)
		return rekey_failed(sa, now, 0, why ? why : "cannot derive the new IKE SA's keys");
	v2_ike_sa *theirs = sa->peer_rekey_spi ? v2_find_local(sa->peer, sa->peer_rekey_spi) : NULL;
	sa->peer_rekey_spi = 0;
	bool we_delete = true, gone = sa->peer_deleted;
	ike_peer *p = sa->peer;
	v2_ike_sa *survivor = theirs && theirs->ni && theirs->state == V2_IKE_ESTABLISHED
				      ? settle_collision(nsa, theirs, now, &we_delete)
				      : nsa;
	v2_ike_go(sa, now, V2_T_IKE_REKEYED, NULL);
	v2_trace_ike_rekeyed(sa, survivor, now, theirs ? V2_WHY_COLLISION : sa->rekey_reason);
	forget_nonces(nsa, now);
	move_over(sa, survivor, now);
	if (gone)
		(void)end_deleted(sa, now);
	else
		delete_old(sa, now, we_delete);
	v2_settle(nsa, now);
	if (survivor != nsa && v2_sa_alive(p, v2_our_spi(survivor), survivor))
		v2_settle(survivor, now);
	return gone ? V2_H_GONE : V2_H_OK;
}

void v2_ike_rekey_unanswered(v2_ike_sa *sa, ike_time now, const char *why)
{
	v2_request_done(sa, now);
	v2_task_done(sa);
	v2_ccsa_scratch_free(sa);
	(void)rekey_failed(sa, now, 0, why);
}

int v2_ike_rekey_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in, const v2_sa *theirs)
{
	const v2_payload *pke = v2_chain_find(&in->inner, V2_PL_KE), *pno = v2_chain_find(&in->inner, V2_PL_NONCE);
	v2_ke ke;
	if (!pke || v2_parse_ke(pke->body, pke->len, &ke) != V2_OK) {
		v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0, "IKE rekey request without a valid KE");
		return V2_H_GONE;
	}
	v2_algs algs;
	uint8_t num = 0, g[2];
	const v2_proposal *chosen = NULL;
	uint16_t err = 0;
	const char *why = NULL;
	if (v2_select(&sa->conn->ike, theirs, IKE_PROTO_IKE, ke.group, false, &algs, &num, &chosen) != 0 ||
	    chosen->spi_size != 8) {
		err = V2_N_NO_PROPOSAL_CHOSEN;
		why = "no acceptable IKE proposal with an 8-byte SPI in the rekey request";
	} else if (ke.group != algs.dh) {
		err = V2_N_INVALID_KE_PAYLOAD;
		why = "KE group is not the selected group";
		ike_put_u16(g, algs.dh);
	}
	uint8_t nr[V2_NONCE_LEN], pub[1024], gir[1024], spi[8], inner[V2_MAX_MSG];
	size_t pub_len = 0, gl = 0;
	ike_dh *dh = NULL;
	v2_ike_sa *nsa = NULL;
	ike_peer *p = sa->peer;
	if (!err) {
		ike_drbg_bytes(&p->rng, nr, sizeof(nr));
		int rc = ike_dh_generate(p->cfg.crypto, algs.dh, &p->rng, &dh);
		v2_charge(p, IKE_CHARGE_DH_KEYGEN, algs.dh, 0);
		pub_len = ike_dh_public_len(algs.dh);
		if (rc == 0 && pub_len <= sizeof(pub) && ike_dh_public(dh, pub, sizeof(pub)) == 0 &&
		    v2_dh_shared(sa, dh, &ke, gir, sizeof(gir), &gl) == 0)
			nsa = new_sa(sa, now, false, ike_get_u64(chosen->spi), v2_new_spi(p), &algs, pno->body, pno->len, nr,
				     sizeof(nr), gir, gl);
		OPENSSL_cleanse(gir, sizeof(gir));
		ike_dh_free(dh);
		if (!nsa) {
			err = V2_N_NO_PROPOSAL_CHOSEN;
			why = "cannot derive the new IKE SA's keys";
		}
	}
	if (err) {
		return v2_ccsa_refuse(sa, now, in, err, err == V2_N_INVALID_KE_PAYLOAD ? g : NULL,
				      err == V2_N_INVALID_KE_PAYLOAD ? 2 : 0, why);
	}
	v2_sa reply;
	v2_builder b;
	ike_put_u64(spi, nsa->spi_r);
	v2_sa_from_algs(&algs, IKE_PROTO_IKE, num, spi, 8, &reply);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_sa(&b, &reply);
	v2_add_nonce(&b, nr, sizeof(nr));
	v2_add_ke(&b, algs.dh, pub, pub_len);
	if (b.w.err || v2_send_sk(sa, now, V2_CREATE_CHILD_SA, true, in->hdr.msg_id, inner, b.w.len, b.first) != 0) {
		v2_fail(nsa, now, V2_T_IKE_LOCAL_FAIL_UP, 0, "its rekey answer could not be sent");
		v2_fail_local(sa, now, "could not seal our IKE rekey response");
		return V2_H_GONE;
	}
	if (sa->state == V2_IKE_REKEYING) {
		/* 2.8.2: we rekey too; nsa keeps its nonces until our own answer settles which one stays */
		sa->peer_rekey_spi = nsa->spi_r;
		nsa->unsettled = true;
		return V2_H_OK;
	}
	v2_ike_go(sa, now, V2_T_IKE_R_REKEYED, NULL);
	v2_trace_ike_rekeyed(sa, nsa, now, V2_WHY_PEER);
	forget_nonces(nsa, now);
	move_over(sa, nsa, now);
	delete_old(sa, now, false);
	v2_settle(nsa, now);
	return V2_H_OK;
}
