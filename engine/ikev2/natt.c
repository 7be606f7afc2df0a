/*
 * NAT traversal (RFC 7296 2.23, RFC 3948): the initiator's move to the NAT-T ports after IKE_SA_INIT, which
 * address changes of the peer an SA follows (and which it must not), and NAT keepalives.
 */
#include "ikev2/sa.h"

#define V2_NATT_PORT 4500
#define V2_IKE_PORT 500

bool v2_natt_active(const v2_ike_sa *sa) { return sa->nat_local || sa->nat_remote || sa->nat_forced; }

void v2_sa_send(v2_ike_sa *sa, ike_time now, const ike_addr *from, const ike_addr *to, const uint8_t *m, size_t len)
{
	sa->last_tx = now;
	v2_send_raw(sa->peer, now, from, to, m, len);
}

static void trace_move(const v2_ike_sa *sa, ike_time now, const ike_addr *ol, const ike_addr *orm, const char *why)
{
	if (!v2_tracing(sa->peer))
		return;
	char a[64], b[64];
	ike_jsonw w;
	ike_jsonw_init(&w);
	v2_addr_str(orm, a, sizeof(a));
	v2_addr_str(&sa->remote, b, sizeof(b));
	ike_jsonw_str(&w, "from", a);
	ike_jsonw_str(&w, "to", b);
	if (!v2_same_addr(ol, &sa->local)) { /* our own side moved too (the initiator's port switch) */
		v2_addr_str(ol, a, sizeof(a));
		v2_addr_str(&sa->local, b, sizeof(b));
		ike_jsonw_str(&w, "local-from", a);
		ike_jsonw_str(&w, "local-to", b);
	}
	ike_jsonw_str(&w, "why", why);
	v2_emit_sa(sa, now, "ike.float", &w);
}

void v2_sa_move(v2_ike_sa *sa, ike_time now, const ike_addr *local, const ike_addr *remote, const char *why)
{
	if (v2_same_addr(&sa->local, local) && v2_same_addr(&sa->remote, remote))
		return;
	ike_addr ol = sa->local, orm = sa->remote;
	/* A half-open responder SA is counted under its source IP: move the count along. */
	bool counted = !sa->initiator && sa->state == V2_IKE_CONNECTING;
	if (counted)
		v2_half_open_track(sa, V2_IKE_CONNECTING, V2_IKE_CREATED);
	sa->local = *local;
	sa->remote = *remote;
	v2_index_readdr(sa); /* the same peer is now found where it is */
	if (counted)
		v2_half_open_track(sa, V2_IKE_CREATED, V2_IKE_CONNECTING);
	ike_conn_rec *r = v2_rec(sa);
	if (r)
		r->remote = *remote;
	trace_move(sa, now, &ol, &orm, why);
	v2_moved_event(sa, now, &ol, &orm);
}

void v2_natt_float(v2_ike_sa *sa, ike_time now)
{
	/* RFC 4555 3.3: offering MOBIKE, the initiator moves to port 4500 even without a NAT */
	if (!sa->initiator || !sa->conn || (!v2_natt_active(sa) && !sa->conn->mobike))
		return;
	ike_addr l = sa->local, r = sa->remote;
	if (sa->conn->natt_port)
		l.port = sa->conn->natt_port;
	else if (l.port == V2_IKE_PORT)
		l.port = V2_NATT_PORT;
	if (r.port == V2_IKE_PORT)
		r.port = V2_NATT_PORT;
	if (l.port != sa->local.port) /* a NAT maps the new port afresh: the NATD_D of IKE_SA_INIT says nothing of it */
		sa->natd_d_set = false;
	v2_sa_move(sa, now, &l, &r,
		   !v2_natt_active(sa) ? "MOBIKE offered: NAT-T ports from IKE_AUTH on (RFC 4555 3.3)"
		   : sa->nat_forced && !sa->nat_local && !sa->nat_remote ? "UDP encapsulation forced: NAT-T ports from IKE_AUTH on"
								       : "NAT detected: NAT-T ports from IKE_AUTH on");
}

void v2_natt_request(v2_ike_sa *sa, ike_time now, const v2_inbound *in)
{
	/* RFC 7296 2.11: a response goes back to where its request came from, whatever the SA follows */
	sa->resp_to = *in->from;
	sa->resp_from = *in->to;
	if (v2_same_addr(&sa->remote, in->from) && v2_same_addr(&sa->local, in->to))
		return;
	bool mobike_auth = in->hdr.exchange == V2_IKE_AUTH && v2_chain_find_notify(&in->inner, V2_N_MOBIKE_SUPPORTED);
	if (!sa->initiator && sa->state == V2_IKE_CONNECTING && in->hdr.exchange == V2_IKE_AUTH &&
	    (v2_natt_active(sa) || mobike_auth)) {
		/* the initiator's switch to its NAT-T port (and ours, where it sent to 4500): for NAT-T, or MOBIKE's
		 * move without a NAT (RFC 4555 3.3) */
		v2_sa_move(sa, now, in->to, in->from, "IKE_AUTH request on the NAT-T ports");
		return;
	}
	/* RFC 4555 3.8: with MOBIKE only UPDATE_SA_ADDRESSES moves the SA (mobike.c) */
	if (!v2_natt_active(sa) || sa->mobike)
		return;
	/* 2.23: only the side not behind a NAT follows, and only a peer behind one; our own address stays */
	if (sa->nat_local || !(sa->nat_remote) || v2_same_addr(&sa->remote, in->from))
		return;
	v2_sa_move(sa, now, &sa->local, in->from, "authenticated request from the NAT'ed peer's new address");
}

void v2_natt_up(v2_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *c = sa->conn;
	if (!c || c->keepalive <= 0 || !(sa->nat_local || sa->nat_forced) || !sa->peer->host.send_raw)
		return;
	if (sa->dl[V2_DL_KEEPALIVE] == IKE_TIME_NEVER)
		v2_dl_set(sa, V2_DL_KEEPALIVE, v2_time_after(now, c->keepalive));
}

void v2_natt_keepalive_due(v2_ike_sa *sa, ike_time now)
{
	const ike_conn_cfg *c = sa->conn;
	if (!c || c->keepalive <= 0 || (sa->state != V2_IKE_ESTABLISHED && sa->state != V2_IKE_REKEYING))
		return;
	ike_time quiet_until = v2_time_after(sa->last_tx, c->keepalive);
	if (quiet_until > now) { /* we sent something meanwhile: that refreshed the NAT's mapping */
		v2_dl_set(sa, V2_DL_KEEPALIVE, quiet_until);
		return;
	}
	static const uint8_t ka[1] = { 0xFF }; /* RFC 3948 2.3 */
	sa->last_tx = now;
	sa->peer->host.send_raw(sa->peer->host.ctx, &sa->local, &sa->remote, ka, sizeof(ka));
	if (v2_tracing(sa->peer)) {
		char a[64];
		ike_jsonw w;
		ike_jsonw_init(&w);
		v2_addr_str(&sa->local, a, sizeof(a));
		ike_jsonw_str(&w, "from", a);
		v2_addr_str(&sa->remote, a, sizeof(a));
		ike_jsonw_str(&w, "to", a);
		v2_emit_sa(sa, now, "ike.keepalive", &w);
	}
	v2_dl_set(sa, V2_DL_KEEPALIVE, v2_time_after(now, c->keepalive));
}
