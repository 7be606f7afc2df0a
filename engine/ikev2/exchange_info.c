/* INFORMATIONAL exchanges (RFC 7296 1.4): Delete of the IKE SA or a CHILD SA, and empty liveness checks. */
#include <string.h>

#include "ikev2/sa.h"

static void ike_deleted(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t)
{
	if (sa->has_child && sa->child.state == V2_CHILD_INSTALLED)
		v2_child_go(sa, now, V2_T_CHILD_IKE_DELETED, NULL);
	v2_ike_go(sa, now, t, NULL);
	v2_sa_event(sa, now, IKE_EV_IKE_DOWN, 0, NULL);
	v2_sa_destroy(sa, now);
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

void v2_info_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	const char *bad = info_syntax(&in->inner);
	if (bad) { /* 2.21.3: INVALID_SYNTAX, and the IKE SA is gone on both sides */
		v2_refuse_fatal(sa, now, in, V2_N_INVALID_SYNTAX, NULL, 0, bad);
		return;
	}
	uint16_t fatal = fatal_notify(&in->inner);
	if (fatal && !right_after_auth(sa)) {
		/* 3.10.1: an error notify in a request is ignored; 2.21.2 gives these weight only after IKE_AUTH */
		v2_trace_error(sa->peer, now, sa, "notify ignored",
			       "counts only in IKE_AUTH or the INFORMATIONAL request right after it (RFC 7296 2.21.2)",
			       fatal);
		fatal = 0;
	}
	uint8_t inner[256];
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
		for (uint16_t k = 0; d.protocol == 3 && d.spi_size == 4 && k < d.n; k++) {
			v2_child_sa *ch = &sa->child;
			if (sa->has_child && ch->state == V2_CHILD_INSTALLED && ike_get_u32(d.spis + 4u * k) == ch->spi_out) {
				uint8_t spi[4];
				ike_put_u32(spi, ch->spi_in);
				v2_add_delete(&b, 3, 4, spi, 1);
				v2_child_go(sa, now, V2_T_CHILD_DELETE_RECV, NULL);
				v2_sa_event(sa, now, IKE_EV_CHILD_DOWN, 0, NULL);
			}
		}
	}
	if (delete_ike || fatal) { /* the answer to an IKE SA Delete is empty */
		b.w.len = 0;
		b.first = 0;
	}
	if (v2_send_sk(sa, now, V2_INFORMATIONAL, true, in->hdr.msg_id, inner, b.w.len, b.first) != 0 && !fatal) {
		v2_fail_local(sa, now, "could not seal our INFORMATIONAL response");
		return;
	}
	if (fatal == V2_N_AUTHENTICATION_FAILED && sa->state == V2_IKE_ESTABLISHED) {
		v2_fail(sa, now, V2_T_IKE_PEER_AUTH_FAILED, fatal, "the initiator rejected our authentication");
		return;
	}
	if (fatal) {
		v2_fail_fatal(sa, now, fatal, "the initiator could not use our IKE_AUTH response");
		return;
	}
	if (delete_ike && sa->state == V2_IKE_ESTABLISHED)
		ike_deleted(sa, now, V2_T_IKE_DELETE_RECV);
}

void v2_info_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	v2_request_done(sa);
	/* 2.21.3: the peer found our request malformed; INVALID_SYNTAX is fatal in both peers */
	if (v2_chain_find_notify(&in->inner, V2_N_INVALID_SYNTAX)) {
		v2_fail_fatal(sa, now, V2_N_INVALID_SYNTAX, "peer answered INVALID_SYNTAX");
		return;
	}
	if (sa->state == V2_IKE_DELETING)
		ike_deleted(sa, now, V2_T_IKE_DELETE_DONE);
}

/* Local request to close connection `conn`: Delete its established IKE SAs. */
int ike_peer_delete(ike_peer *p, ike_time now, size_t conn)
{
	int n = 0;
	for (size_t i = 0; i < p->nbuckets; i++)
		for (v2_ike_sa *sa = p->by_local[i], *next; sa; sa = next) {
			next = sa->next_local; /* a failed Delete destroys sa */
			if (sa->conn_idx != conn || !sa->conn || sa->state != V2_IKE_ESTABLISHED || sa->req)
				continue;
			uint8_t inner[32], spi[1] = { 0 };
			v2_builder b;
			v2_begin_chain(&b, inner, sizeof(inner));
			v2_add_delete(&b, 1, 0, spi, 0);
			v2_ike_go(sa, now, V2_T_IKE_DELETE_SENT, NULL);
			if (v2_send_sk(sa, now, V2_INFORMATIONAL, false, sa->msgid_next_req, inner, b.w.len, b.first) != 0)
				v2_fail_local(sa, now, "could not seal our Delete request");
			n++;
		}
	return n;
}

/* Placeholders until CREATE_CHILD_SA rekeying and CHILD deletes land (issue 8): they queue nothing yet. */
int ike_peer_rekey_child(ike_peer *p, ike_time now, size_t conn, size_t child)
{
	(void)now;
	return conn >= p->cfg.n_conns || child >= p->cfg.conns[conn].n_children ? -1 : 0;
}

int ike_peer_rekey_ike(ike_peer *p, ike_time now, size_t conn)
{
	(void)now;
	return conn >= p->cfg.n_conns ? -1 : 0;
}

int ike_peer_delete_child(ike_peer *p, ike_time now, size_t conn, size_t child)
{
	(void)now;
	return conn >= p->cfg.n_conns || child >= p->cfg.conns[conn].n_children ? -1 : 0;
}
