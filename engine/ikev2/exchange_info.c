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

void v2_info_r_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
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
	/* The initiator rejected our AUTH right after IKE_AUTH (RFC 7296 2.21.2): the SA is dead. */
	bool auth_failed = !sa->initiator && v2_chain_find_notify(&in->inner, V2_N_AUTHENTICATION_FAILED);
	if (delete_ike || auth_failed) { /* the answer to an IKE SA Delete is empty */
		b.w.len = 0;
		b.first = 0;
	}
	v2_send_sk(sa, now, V2_INFORMATIONAL, true, in->hdr.msg_id, inner, b.w.len, b.first);
	if (auth_failed && sa->state == V2_IKE_ESTABLISHED) {
		v2_fail(sa, now, V2_T_IKE_PEER_AUTH_FAILED, V2_N_AUTHENTICATION_FAILED,
			"the initiator rejected our authentication");
		return;
	}
	if (delete_ike && sa->state == V2_IKE_ESTABLISHED)
		ike_deleted(sa, now, V2_T_IKE_DELETE_RECV);
}

void v2_info_i_recv(v2_ike_sa *sa, ike_time now, v2_inbound *in)
{
	(void)in;
	v2_request_done(sa);
	if (sa->state == V2_IKE_DELETING)
		ike_deleted(sa, now, V2_T_IKE_DELETE_DONE);
}

/* Local request to close connection `conn`: Delete its established IKE SAs. */
int ike_peer_delete(ike_peer *p, ike_time now, size_t conn)
{
	int n = 0;
	for (size_t i = 0; i < p->nbuckets; i++)
		for (v2_ike_sa *sa = p->by_local[i]; sa; sa = sa->next_local) {
			if (sa->conn_idx != conn || !sa->conn || sa->state != V2_IKE_ESTABLISHED || sa->req)
				continue;
			uint8_t inner[32], spi[1] = { 0 };
			v2_builder b;
			v2_begin_chain(&b, inner, sizeof(inner));
			v2_add_delete(&b, 1, 0, spi, 0);
			v2_ike_go(sa, now, V2_T_IKE_DELETE_SENT, NULL);
			v2_send_sk(sa, now, V2_INFORMATIONAL, false, sa->msgid_next_req, inner, b.w.len, b.first);
			n++;
		}
	return n;
}
