/*
 * CREATE_CHILD_SA as the exchange's initiator (RFC 7296 1.3.1, 1.3.3): an additional CHILD SA for one of the
 * connection's children, or the rekey of an installed one (N(REKEY_SA) with our inbound SPI), with a KE
 * payload when the child's esp proposals carry a D-H group (PFS). Make-before-break: the old CHILD SA is
 * deleted only once the new one is installed.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/dh.h"
#include "ikev2/sa.h"


/* Builds and sends the request for CHILD SA c (CREATED); 0 sent, 1 could not build (nothing sent), -1 SA gone. */
static int send_request(v2_ike_sa *sa, ike_time now, v2_child_sa *c, uint32_t rekey_spi, uint16_t group)
{
	const ike_child_cfg *cc = &sa->conn->children[c->cfg];
	uint8_t inner[V2_MAX_MSG], pub[1024], spi[4], old[4];
	size_t pub_len = 0;
	if (v2_ccsa_scratch_new(sa, group, pub, sizeof(pub), &pub_len) != 0) {
		v2_trace_error(sa->peer, now, sa, "child_sa failed", "cannot make a nonce or key exchange value", 0);
		return 1;
	}
	v2_sa prop_buf, *prop = &prop_buf;
	v2_ts_list ts_buf, *ts = &ts_buf;
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	if (rekey_spi) {
		ike_put_u32(old, rekey_spi);
		v2_add_notify(&b, ike_child_protocol(cc), old, 4, V2_N_REKEY_SA, NULL, 0);
	}
	ike_put_u32(spi, c->spi_in);
	v2_sa_from_config(&cc->esp, ike_child_protocol(cc), spi, 4, group == 0, prop);
	v2_add_sa(&b, prop);
	v2_add_nonce(&b, sa->xn, sa->xn_len);
	if (group)
		v2_add_ke(&b, group, pub, pub_len);
	ike_ts own;
	uint8_t nl;
	const ike_ts *lts = v2_local_ts(sa, cc, &own, &nl);
	v2_ts_to_wire(lts, nl, ts);
	v2_add_ts(&b, V2_PL_TSI, ts);
	v2_ts_to_wire(cc->remote_ts, cc->n_remote_ts, ts);
	v2_add_ts(&b, V2_PL_TSR, ts);
	if (b.w.err) {
		v2_ccsa_scratch_free(sa);
		v2_trace_error(sa->peer, now, sa, "child_sa failed", "CREATE_CHILD_SA request does not fit in a message", 0);
		return 1;
	}
	sa->pending_child = c->spi_in;
	v2_child_go(sa, c, now, V2_T_CHILD_C_INSTALLING, NULL);
	return v2_send_request(sa, now, V2_CREATE_CHILD_SA, inner, b.w.len, b.first,
			       "could not seal our CREATE_CHILD_SA request");
}

static v2_child_sa *new_child(v2_ike_sa *sa, ike_time now, uint16_t cfg)
{
	v2_child_sa *c = v2_child_new(sa, cfg);
	if (!c) {
		v2_trace_error(sa->peer, now, sa, "child_sa failed", "out of memory for a CHILD SA", 0);
		return NULL;
	}
	c->spi_in = v2_child_new_spi(sa);
	return c;
}

int v2_child_create_start(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	if (t->child >= sa->conn->n_children)
		return 1;
	const ike_child_cfg *cc = &sa->conn->children[t->child];
	v2_child_sa *c = new_child(sa, now, t->child);
	if (!c)
		return 1;
	int rc = send_request(sa, now, c, 0, t->group ? t->group : v2_child_pfs_group(cc));
	if (rc == 1)
		v2_child_free(sa, c);
	return rc;
}

int v2_child_rekey_start(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	v2_child_sa *old = v2_child_find_in(sa, t->spi);
	if (!old || old->state != V2_CHILD_INSTALLED)
		return 1; /* deleted, replaced or being deleted meanwhile */
	v2_child_sa *c = new_child(sa, now, old->cfg);
	if (!c)
		return 1;
	c->rekey_of = old->spi_in;
	sa->rekey_reason = t->reason;
	v2_child_go(sa, old, now, V2_T_CHILD_REKEYING, NULL);
	uint16_t group = t->group ? t->group : v2_child_pfs_group(&sa->conn->children[old->cfg]);
	int rc = send_request(sa, now, c, old->spi_in, group);
	if (rc == 1) {
		v2_child_free(sa, c);
		v2_child_go(sa, old, now, V2_T_CHILD_REKEY_FAILED, "the rekey request could not be built");
	}
	return rc;
}

/* The response's CHILD SA payloads, checked against what we sent; 0, or an error notify with why. */
static uint16_t read_answer(v2_ike_sa *sa, const v2_inbound *in, v2_child_sa *c, const char **why, char *buf,
			    size_t cap, const uint8_t **nr, size_t *nr_len, v2_ke *ke)
{
	const ike_child_cfg *cc = &sa->conn->children[c->cfg];
	const v2_chain *ch = &in->inner;
	const v2_payload *psa = v2_chain_find(ch, V2_PL_SA), *pno = v2_chain_find(ch, V2_PL_NONCE),
			 *pke = v2_chain_find(ch, V2_PL_KE), *pti = v2_chain_find(ch, V2_PL_TSI),
			 *ptr = v2_chain_find(ch, V2_PL_TSR);
	v2_sa got_buf, *got = &got_buf;
	v2_ts_list tsi_buf, *tsi = &tsi_buf, tsr_buf, *tsr = &tsr_buf;
	ike_ts ti[IKE_TS_MAX], tr[IKE_TS_MAX];
	size_t ni = 0, nt = 0;
	const v2_proposal *prop = NULL;
	*why = "CREATE_CHILD_SA response lacks a valid SA, Nonce, TSi or TSr";
	if (!psa || !pno || !pti || !ptr || v2_parse_sa(psa->body, psa->len, got) != V2_OK ||
	    v2_parse_nonce(pno->body, pno->len) != V2_OK || v2_parse_ts(pti->body, pti->len, tsi) != V2_OK ||
	    v2_parse_ts(ptr->body, ptr->len, tsr) != V2_OK)
		return V2_N_INVALID_SYNTAX;
	*nr = pno->body;
	*nr_len = pno->len;
	uint8_t proto = ike_child_protocol(cc);
	if (v2_accept_choice(&cc->esp, got, proto, sa->xgroup == 0, &c->algs, &prop) != 0 || prop->spi_size != 4) {
		*why = prop ? "the chosen proposal has no 4-byte SPI"
			    : v2_accept_refusal(&cc->esp, got, proto, sa->xgroup == 0, buf, cap);
		return V2_N_NO_PROPOSAL_CHOSEN;
	}
	if (sa->xgroup && (!pke || v2_parse_ke(pke->body, pke->len, ke) != V2_OK || ke->group != sa->xgroup ||
			   c->algs.dh != sa->xgroup)) {
		*why = "the response's KE payload does not match our D-H group (PFS)";
		return V2_N_NO_PROPOSAL_CHOSEN;
	}
	ike_ts own;
	uint8_t nl;
	const ike_ts *lts = v2_local_ts(sa, cc, &own, &nl);
	if (!v2_ts_within(tsi, lts, nl, ti, IKE_TS_MAX, &ni) ||
	    !v2_ts_within(tsr, cc->remote_ts, cc->n_remote_ts, tr, IKE_TS_MAX, &nt)) {
		*why = "responder's traffic selectors are not within ours";
		return V2_N_TS_UNACCEPTABLE;
	}
	c->spi_out = ike_get_u32(prop->spi);
	*why = "cannot store the traffic selectors";
	return v2_child_set_ts(c, ti, ni, tr, nt) == 0 ? 0 : V2_N_NO_PROPOSAL_CHOSEN;
}

/* KEYMAT of the new CHILD SA, with g^ir when PFS was used; 0 or -1. */
static int keymat(v2_ike_sa *sa, ike_time now, v2_child_sa *c, const uint8_t *nr, size_t nr_len, const v2_ke *ke)
{
	uint8_t gir[1024];
	size_t gl = 0;
	int rc = 0;
	if (sa->xgroup)
		rc = v2_dh_shared(sa, sa->dh, ke, gir, sizeof(gir), &gl);
	c->exch_initiator = true; /* our CREATE_CHILD_SA request made it */
	if (rc == 0)
		rc = v2_derive_child_keys(sa, c, now, sa->xn, sa->xn_len, nr, nr_len, sa->xgroup ? gir : NULL, gl);
	OPENSSL_cleanse(gir, sizeof(gir));
	c->pfs = sa->xgroup;
	return rc;
}

/* INVALID_KE_PAYLOAD naming a group of this child's proposals: the task goes again first, with that group. */
static bool retry_group(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const v2_task *t, uint16_t cfg)
{
	const v2_payload *pl = v2_chain_find_notify(&in->inner, V2_N_INVALID_KE_PAYLOAD);
	v2_notify n;
	if (!pl || v2_parse_notify(pl->body, pl->len, &n) != V2_OK || n.len != 2 || t->group)
		return false;
	uint16_t g = ike_get_u16(n.data);
	const ike_proposal_list *pl_esp = &sa->conn->children[cfg].esp;
	for (uint8_t i = 0; i < pl_esp->n; i++)
		for (uint8_t j = 0; j < pl_esp->p[i].n_dh; j++)
			if (pl_esp->p[i].dh[j].id == g && g != sa->xgroup) {
				v2_task r = *t;
				r.group = g;
				return v2_task_retry(sa, now, &r) == 0;
			}
	return false;
}

/* A CHILD SA creation refused with TEMPORARY_FAILURE: a CREATED placeholder whose rekey deadline brings it back. */
static void retry_later(v2_ike_sa *sa, ike_time now, uint16_t cfg)
{
	v2_child_sa *w = v2_child_new(sa, cfg);
	if (w)
		v2_child_dl_set(sa, w, V2_CDL_REKEY, v2_retry_at(sa->peer, now));
}

/* The rekeyed CHILD SA's fate once its replacement is installed: deleted by us, unless a collision says otherwise. */
static void old_replaced(v2_ike_sa *sa, ike_time now, v2_child_sa *old, v2_child_sa *c, uint8_t reason)
{
	if (!old)
		return; /* the peer deleted it meanwhile: the new one simply stays */
	if (old->state == V2_CHILD_REKEYING)
		v2_child_go(sa, old, now, V2_T_CHILD_REKEYED, NULL);
	v2_trace_child_rekeyed(sa, now, old, c, c->peer_rekey ? V2_WHY_COLLISION : reason);
	if (c->peer_rekey) {
		v2_child_collision(sa, now, old, c);
		return;
	}
	v2_task t = { .kind = V2_TASK_CHILD_DELETE, .reason = reason, .spi = old->spi_in };
	(void)v2_task_queue(sa, now, &t);
}

/* Our rekey failed: the old CHILD SA stays, is gone on the peer, or was replaced by the peer's colliding rekey. */
static void old_kept(v2_ike_sa *sa, ike_time now, v2_child_sa *old, v2_child_sa *c, uint16_t err)
{
	if (!old || old->state != V2_CHILD_REKEYING)
		return;
	if (err == V2_N_CHILD_SA_NOT_FOUND) {
		v2_child_go(sa, old, now, V2_T_CHILD_REKEYING_GONE, NULL);
		v2_child_event(sa, old, now, IKE_EV_CHILD_DOWN, err, "the peer has no such CHILD SA");
		v2_child_free(sa, old);
	} else if (c->peer_rekey && v2_child_find_in(sa, c->peer_rekey)) {
		v2_child_go(sa, old, now, V2_T_CHILD_REKEYED, "the peer's colliding rekey replaced it; the peer deletes it");
	} else {
		v2_child_go(sa, old, now, V2_T_CHILD_REKEY_FAILED, NULL);
		if (err == V2_N_TEMPORARY_FAILURE)
			v2_child_dl_set(sa, old, V2_CDL_REKEY, v2_retry_at(sa->peer, now));
	}
}

int v2_child_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	v2_task t = sa->active;
	v2_child_sa *c = v2_child_find_in(sa, sa->pending_child);
	v2_child_sa *old = t.kind == V2_TASK_CHILD_REKEY ? v2_child_find_in(sa, t.spi) : NULL;
	sa->pending_child = 0;
	v2_request_done(sa, now);
	v2_task_done(sa);
	if (!c) {
		v2_ccsa_scratch_free(sa);
		return V2_H_OK;
	}
	uint16_t err = v2_chain_first_error(&in->inner);
	const char *why = "the responder refused the CHILD SA";
	char buf[320];
	const uint8_t *nr = NULL;
	size_t nr_len = 0;
	v2_ke ke = { 0 };
	if (!err) {
		err = read_answer(sa, in, c, &why, buf, sizeof(buf), &nr, &nr_len, &ke);
		if (err == V2_N_INVALID_SYNTAX) {
			v2_ccsa_scratch_free(sa);
			v2_bad_response(sa, now, in, why);
			return V2_H_GONE;
		}
		if (!err && keymat(sa, now, c, nr, nr_len, &ke) != 0) {
			err = V2_N_NO_PROPOSAL_CHOSEN;
			why = "cannot derive CHILD SA keys";
		}
	}
	if (err) {
		bool retried = err == V2_N_INVALID_KE_PAYLOAD && retry_group(sa, now, in, &t, c->cfg);
		v2_trace_error(sa->peer, now, sa, "child_sa failed", retried ? "retry with the D-H group the peer asked for" : why,
			       err);
		v2_child_go(sa, c, now, V2_T_CHILD_C_REFUSED, why);
		if (!retried)
			old_kept(sa, now, old, c, err);
		else if (old)
			v2_child_go(sa, old, now, V2_T_CHILD_REKEY_FAILED, "retry with another D-H group");
		uint16_t cfg = c->cfg;
		v2_child_free(sa, c);
		if (err == V2_N_TEMPORARY_FAILURE && t.kind == V2_TASK_CHILD_CREATE)
			retry_later(sa, now, cfg);
		v2_ccsa_scratch_free(sa);
		return V2_H_OK;
	}
	if (c->peer_rekey && v2_child_keep_nonce(c, sa->xn, sa->xn_len, nr, nr_len) != 0)
		c->peer_rekey = 0; /* without our nonce the collision cannot be judged: keep both, delete the old */
	v2_ccsa_scratch_free(sa);
	v2_child_up(sa, c, now, V2_T_CHILD_C_INSTALLED);
	if (t.kind == V2_TASK_CHILD_REKEY)
		old_replaced(sa, now, old, c, t.reason);
	return V2_H_OK;
}

int v2_ccsa_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	switch (sa->active.kind) {
	case V2_TASK_IKE_REKEY:
		return v2_ike_rekey_i_recv(sa, now, in);
	case V2_TASK_CHILD_CREATE:
	case V2_TASK_CHILD_REKEY:
		return v2_child_i_recv(sa, now, in);
	default:
		v2_request_done(sa, now);
		v2_task_done(sa);
		v2_trace_error(sa->peer, now, sa, "drop", "CREATE_CHILD_SA response to no request of that kind", 0);
		return V2_H_OK;
	}
}
