/* INFORMATIONAL exchanges (RFC 7296 1.4): Delete of the IKE SA or a CHILD SA, and empty liveness checks. */
#include <string.h>

#include "ikev2/sa.h"

static void ike_deleted(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t)
{
	v2_ike_end(sa, now, t, IKE_EV_IKE_DOWN, 0, NULL, NULL);
}

/* RFC 7296 3.11 (checked by v2_parse_delete) and 3.10: a Delete or Notify that does not decode is malformed. */
static const char *info_syntax(const v2_chain *ch)
{
	for (uint8_t i = 0; i < ch->n; i++) {
		const v2_payload *pl = &ch->pl[i];
		v2_delete d;
		v2_notify n;
		if (pl->type == V2_PL_DELETE && v2_parse_delete(pl->body, pl->len, &d) != V2_OK)
			return "malformed Delete payload";
		if (pl->type == V2_PL_NOTIFY && v2_parse_notify(pl->body, pl->len, &n) != V2_OK)
			return "malformed Notify payload";
	}
	return NULL;
}

/* The notify that ends the IKE SA when it comes right after IKE_AUTH (RFC 7296 2.21.2), or 0. */
static uint16_t fatal_notify(const v2_chain *ch)
{
	static const uint16_t fatal[] = { V2_N_AUTHENTICATION_FAILED, V2_N_INVALID_SYNTAX,
					  V2_N_UNSUPPORTED_CRITICAL_PAYLOAD };
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (v2_chain_find_notify(ch, fatal[i]))
			return fatal[i];
	return 0;
}

/* True for the initiator's first request after IKE_AUTH: the last response we sent was IKE_AUTH's. */
static bool right_after_auth(const v2_ike_sa *sa)
{
	return !sa->initiator && sa->resp && sa->resp_len > 18 && sa->resp[18] == V2_IKE_AUTH;
}

/*
 * The peer deletes one of our CHILD SAs (by its outbound SPI, our spi_out). RFC 7296 1.4.1: we answer with
 * the inbound SPI of our side; if we were deleting the same SA (crossing Deletes) it goes now, and our own
 * response names nothing.
 */
/* The IKE SA still holding the CHILD SAs of an unsettled new one: ours, whose rekey crossed the peer's (2.8.2). */
static v2_ike_sa *unsettled_origin(v2_ike_sa *nsa)
{
	if (!nsa->unsettled)
		return NULL;
	for (v2_ike_sa *o = nsa->peer->rec[nsa->conn_idx].sas; o; o = o->conn_next)
		if (o != nsa && o->peer_rekey_spi && o->peer_rekey_spi == v2_our_spi(nsa))
			return o;
	return NULL;
}

static void child_delete_recv(v2_ike_sa *sa, ike_time now, uint8_t proto, uint32_t spi, v2_builder *b)
{
	v2_child_sa *c = v2_child_find_out(sa, spi);
	v2_ike_sa *holder = sa;
	if (!c && (holder = unsettled_origin(sa)) != NULL)
		c = v2_child_find_out(holder, spi); /* the peer moved it to this SA already; we have not yet */
	if (!c || v2_child_proto(holder, c) != proto) /* SPIs are per protocol (RFC 7296 3.11): an AH SPI is no ESP one */
		return; /* 1.4.1: an SPI we do not know is ignored (it may be gone already) */
	sa = holder;
	static const struct {
		uint8_t state;
		enum v2_child_tr row;
	} answered[] = { { V2_CHILD_INSTALLED, V2_T_CHILD_DELETE_RECV },
			 { V2_CHILD_REKEYED, V2_T_CHILD_REKEYED_DELETE_RECV },
			 { V2_CHILD_REKEYING, V2_T_CHILD_REKEYING_DELETE_RECV } };
	size_t k = 0;
	while (k < sizeof(answered) / sizeof(answered[0]) && answered[k].state != c->state)
		k++;
	if (k < sizeof(answered) / sizeof(answered[0])) {
		uint8_t ours[4];
		ike_put_u32(ours, c->spi_in);
		v2_add_delete(b, proto, 4, ours, 1);
		v2_child_go(sa, c, now, answered[k].row, NULL);
	} else if (c->state == V2_CHILD_DELETING) {
		v2_child_go(sa, c, now, V2_T_CHILD_DELETE_DONE, "the peer deleted it too (Deletes crossed)");
	} else {
		return;
	}
	v2_child_event(sa, c, now, IKE_EV_CHILD_DOWN, 0, NULL);
	v2_child_free(sa, c);
}

int v2_info_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	const char *bad = info_syntax(&in->inner);
	if (bad) { /* 2.21.3: INVALID_SYNTAX, and the IKE SA is gone on both sides */
		v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0, bad);
		return V2_H_GONE;
	}
	uint16_t fatal = fatal_notify(&in->inner);
	if (fatal && !right_after_auth(sa)) {
		/* 3.10.1: an error notify in a request is ignored; 2.21.2 gives these weight only after IKE_AUTH */
		v2_trace_error(sa->peer, now, sa, "notify ignored",
			       "counts only in IKE_AUTH or the INFORMATIONAL request right after it (RFC 7296 2.21.2)",
			       fatal);
		fatal = 0;
	}
	uint8_t inner[512];
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	bool delete_ike = false;
	for (uint8_t i = 0; i < in->inner.n; i++) {
		v2_delete d;
		const v2_payload *pl = &in->inner.pl[i];
		if (pl->type != V2_PL_DELETE || v2_parse_delete(pl->body, pl->len, &d) != V2_OK)
			continue;
		if (d.protocol == 1)
			delete_ike = true;
		bool child = d.protocol == IKE_PROTO_ESP || d.protocol == IKE_PROTO_AH;
		for (uint16_t k = 0; child && d.spi_size == 4 && k < d.n; k++)
			child_delete_recv(sa, now, d.protocol, ike_get_u32(d.spis + 4u * k), &b);
	}
	if (delete_ike || fatal) { /* the answer to an IKE SA Delete is empty */
		b.w.len = 0;
		b.first = 0;
	} else {
		v2_mobike_info_r(sa, now, in, &b); /* RFC 4555: UPDATE_SA_ADDRESSES, NATD and COOKIE2 */
	}
	if (v2_send_sk(sa, now, V2_INFORMATIONAL, true, in->hdr.msg_id, inner, b.w.len, b.first) != 0 && !fatal) {
		v2_fail_local(sa, now, "could not seal our INFORMATIONAL response");
		return V2_H_GONE;
	}
	if (fatal == V2_N_AUTHENTICATION_FAILED && sa->state == V2_IKE_ESTABLISHED) {
		v2_fail(sa, now, V2_T_IKE_PEER_AUTH_FAILED, fatal, "the initiator rejected our authentication");
		return V2_H_GONE;
	}
	if (fatal) {
		v2_fail_fatal(sa, now, fatal, "the initiator could not use our IKE_AUTH response");
		return V2_H_GONE;
	}
	if (delete_ike && sa->state == V2_IKE_REKEYING && v2_ike_rekey_hold(sa, now))
		return V2_H_OK; /* our rekey's answer decides where the CHILD SAs go; the SA ends then */
	if (delete_ike && (sa->state == V2_IKE_ESTABLISHED || sa->state == V2_IKE_REKEYING || sa->state == V2_IKE_REKEYED)) {
		ike_deleted(sa, now, sa->state == V2_IKE_ESTABLISHED ? V2_T_IKE_DELETE_RECV
				     : sa->state == V2_IKE_REKEYING  ? V2_T_IKE_REKEYING_DELETE_RECV
								     : V2_T_IKE_REKEYED_DELETE_RECV);
		return V2_H_GONE;
	}
	return V2_H_OK;
}

/* Our CHILD SA Delete was answered: the CHILD SA is gone (whatever the answer names, RFC 7296 1.4.1). */
static void child_delete_done(v2_ike_sa *sa, ike_time now, uint32_t spi_in)
{
	v2_child_sa *c = v2_child_find_in(sa, spi_in);
	if (!c || c->state != V2_CHILD_DELETING)
		return; /* the peer's crossing Delete took it already */
	v2_child_go(sa, c, now, V2_T_CHILD_DELETE_DONE, NULL);
	v2_child_event(sa, c, now, IKE_EV_CHILD_DOWN, 0, NULL);
	v2_child_free(sa, c);
}

int v2_info_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	v2_task done = sa->active;
	v2_request_done(sa, now);
	v2_task_done(sa);
	/* 2.21.3: the peer found our request malformed; INVALID_SYNTAX is fatal in both peers */
	if (v2_chain_find_notify(&in->inner, V2_N_INVALID_SYNTAX)) {
		v2_fail_fatal(sa, now, V2_N_INVALID_SYNTAX, "peer answered INVALID_SYNTAX");
		return V2_H_GONE;
	}
	if (sa->state == V2_IKE_DELETING) {
		ike_deleted(sa, now, V2_T_IKE_DELETE_DONE);
		return V2_H_GONE;
	}
	if (done.kind == V2_TASK_CHILD_DELETE)
		child_delete_done(sa, now, done.spi);
	if (done.kind == V2_TASK_DPD)
		v2_live_answered(sa, now);
	if (v2_mobike_info_i(sa, now, &done, in) != 0)
		return V2_H_GONE;
	return V2_H_OK;
}
