/* Ending an IKE SA that failed: record why for `expect`, tell the host, trace, free. */
#include "ikev2/sa.h"

void v2_sa_event(v2_ike_sa *sa, ike_time now, uint8_t kind, uint16_t notify, const char *why)
{
	if (!sa->peer->host.sa_event)
		return;
	ike_sa_event ev = {
		.kind = kind,
		.conn = sa->conn ? sa->conn->name : NULL,
		.remote = &sa->remote,
		.spi_i = sa->spi_i,
		.spi_r = sa->spi_r,
		.child_spi_in = sa->child.spi_in,
		.child_spi_out = sa->child.spi_out,
		.notify = notify,
		.why = why,
	};
	sa->peer->host.sa_event(sa->peer->host.ctx, now, &ev);
}

void v2_fail(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, uint16_t notify, const char *why)
{
	v2_conn_record *r = v2_rec(sa);
	if (r && (notify || t == V2_T_IKE_TIMEOUT || t == V2_T_IKE_DEAD)) {
		r->last_error = notify;
		r->timed_out = !notify;
	}
	v2_trace_error(sa->peer, now, sa, "ike_sa failed", why, notify);
	if (sa->has_child && sa->child.state == V2_CHILD_INSTALLING)
		v2_child_go(sa, now, V2_T_CHILD_IKE_GONE, NULL);
	else if (sa->has_child && sa->child.state == V2_CHILD_INSTALLED)
		v2_child_go(sa, now, V2_T_CHILD_IKE_DELETED, why);
	v2_ike_go(sa, now, t, why);
	v2_sa_event(sa, now, IKE_EV_IKE_FAILED, notify, why);
	v2_sa_destroy(sa, now);
}
