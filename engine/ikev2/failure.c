/* Ending an IKE SA (v2_ike_end, the one place), and one that failed: record why for `expect`, tell the host, trace, free. */
#include "ikev2/sa.h"

/* The SK_e/SK_a views a revealing peer hands out with IKE_UP/IKE_FAILED; false when there is nothing to show. */
static bool reveal_keys(const v2_ike_sa *sa, uint8_t kind, ike_sa_keys *k)
{
	if (!sa->peer->cfg.reveal_keys || !sa->keys || (kind != IKE_EV_IKE_UP && kind != IKE_EV_IKE_FAILED))
		return false;
	ike_sk_keys i, r;
	v2_sk_keys_out(sa, sa->initiator ? &i : &r);
	v2_sk_keys_in(sa, sa->initiator ? &r : &i);
	*k = (ike_sa_keys){ .encr = sa->algs.encr, .encr_keylen = sa->algs.encr_keylen, .integ = sa->algs.integ,
			    .ei = i.ekey, .er = r.ekey, .e_len = sa->encr_key_len };
	if (sa->integ_key_len) {
		k->ai = i.akey;
		k->ar = r.akey;
		k->a_len = sa->integ_key_len;
	}
	return true;
}

/* ev carries kind, notify, why and the old SPIs; the rest comes from sa and c. */
static void send_event(v2_ike_sa *sa, const v2_child_sa *c, ike_time now, const ike_sa_event *o)
{
	if (!sa->peer->host.sa_event)
		return;
	uint8_t kind = o->kind;
	ike_sa_keys keys;
	ike_child_keys child;
	bool reveal = reveal_keys(sa, kind, &keys);
	/* The data plane needs a CHILD SA's keys whatever reveal_keys says. */
	bool view = c && kind == IKE_EV_CHILD_UP && v2_child_view(sa, c, &child);
	ike_sa_event ev = {
		.kind = kind,
		.conn = sa->conn ? sa->conn->name : NULL,
		.remote = &sa->remote,
		.local = &sa->local,
		.spi_i = sa->spi_i,
		.spi_r = sa->spi_r,
		.child_spi_in = c ? c->spi_in : 0,
		.child_spi_out = c ? c->spi_out : 0,
		.notify = o->notify,
		.why = o->why,
		.keys = reveal ? &keys : NULL,
		.child = view ? &child : NULL,
		.old_spi_i = o->old_spi_i,
		.old_spi_r = o->old_spi_r,
		.old_child_spi_in = o->old_child_spi_in,
		.old_child_spi_out = o->old_child_spi_out,
		.old_local = o->old_local,
		.old_remote = o->old_remote,
	};
	sa->peer->host.sa_event(sa->peer->host.ctx, now, &ev);
}

void v2_sa_event(v2_ike_sa *sa, ike_time now, uint8_t kind, uint16_t notify, const char *why)
{
	ike_sa_event o = { .kind = kind, .notify = notify, .why = why };
	if (kind == IKE_EV_IKE_UP) { /* a reauthentication's new IKE SA (ike_rekey.c reports rekeyed ones) */
		o.old_spi_i = sa->reauth_old_i;
		o.old_spi_r = sa->reauth_old_r;
	}
	send_event(sa, sa->children, now, &o);
}

void v2_child_event(v2_ike_sa *sa, const v2_child_sa *c, ike_time now, uint8_t kind, uint16_t notify, const char *why)
{
	ike_sa_event o = { .kind = kind, .notify = notify, .why = why };
	const v2_child_sa *old = kind == IKE_EV_CHILD_UP && c->rekey_of ? v2_child_find_in(sa, c->rekey_of) : NULL;
	if (old) {
		o.old_child_spi_in = old->spi_in;
		o.old_child_spi_out = old->spi_out;
	}
	send_event(sa, c, now, &o);
}

void v2_replaced_event(v2_ike_sa *sa, ike_time now, uint8_t kind, uint64_t old_i, uint64_t old_r,
		       const v2_child_sa *old_c, const v2_child_sa *new_c)
{
	ike_sa_event o = { .kind = kind, .old_spi_i = old_i, .old_spi_r = old_r };
	if (old_c) {
		o.old_child_spi_in = old_c->spi_in;
		o.old_child_spi_out = old_c->spi_out;
	}
	send_event(sa, new_c ? new_c : sa->children, now, &o);
}

void v2_moved_event(v2_ike_sa *sa, ike_time now, const ike_addr *old_local, const ike_addr *old_remote)
{
	ike_sa_event o = { .kind = IKE_EV_IKE_MOVED, .old_local = old_local, .old_remote = old_remote };
	send_event(sa, NULL, now, &o);
}

void v2_children_end(v2_ike_sa *sa, ike_time now, const char *why)
{
	for (v2_child_sa *c = sa->children; c; c = c->next) {
		/* A host's data plane removes what it installed with CHILD_UP: every state after INSTALLING. */
		if (c->state == V2_CHILD_INSTALLED || c->state == V2_CHILD_DELETING || c->state == V2_CHILD_REKEYING ||
		    c->state == V2_CHILD_REKEYED)
			v2_child_event(sa, c, now, IKE_EV_CHILD_DOWN, 0, why);
		if (c->state == V2_CHILD_INSTALLING)
			v2_child_go(sa, c, now, V2_T_CHILD_IKE_GONE, NULL);
		else if (c->state == V2_CHILD_INSTALLED)
			v2_child_go(sa, c, now, V2_T_CHILD_IKE_DELETED, why);
		else if (c->state == V2_CHILD_DELETING)
			v2_child_go(sa, c, now, V2_T_CHILD_DELETING_IKE_GONE, NULL);
		else if (c->state == V2_CHILD_REKEYING)
			v2_child_go(sa, c, now, V2_T_CHILD_REKEYING_IKE_GONE, NULL);
		else if (c->state == V2_CHILD_REKEYED)
			v2_child_go(sa, c, now, V2_T_CHILD_REKEYED_IKE_GONE, NULL);
	}
}

void v2_ike_end(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, uint8_t kind, uint16_t notify, const char *why,
		const char *detail)
{
	ike_peer *p = sa->peer;
	v2_reauth_next nx;
	v2_reauth_capture(sa, kind, &nx);
	/* a restart attempt that did not come up: keyingtries decide on the next (after this SA is gone) */
	uint32_t tried = kind == IKE_EV_IKE_FAILED && sa->state == V2_IKE_CONNECTING && sa->conn ? sa->restart_try : 0;
	size_t conn = sa->conn_idx;
	ike_addr remote = sa->remote;
	v2_children_end(sa, now, why);
	v2_ike_go(sa, now, t, detail);
	v2_sa_event(sa, now, kind, notify, why);
	v2_sa_destroy(sa, now);
	v2_reauth_follow(p, now, &nx); /* break-before-make: the new IKE SA once the old one is gone */
	if (tried)
		v2_live_restart_failed(p, now, conn, &remote, tried, why);
}

void v2_fail(v2_ike_sa *sa, ike_time now, enum v2_ike_tr t, uint16_t notify, const char *why)
{
	ike_conn_rec *r = v2_rec(sa);
	if (r && (notify || t == V2_T_IKE_TIMEOUT || t == V2_T_IKE_DEAD)) {
		r->last_error = notify;
		r->timed_out = !notify;
	}
	v2_trace_error(sa->peer, now, sa, "ike_sa failed", why, notify);
	if (sa->reauth_old_i)
		v2_reauth_failed(sa, now, why);
	v2_ike_end(sa, now, t, IKE_EV_IKE_FAILED, notify, why, why);
}

/* The row that ends an SA in the state it is in, for a failure whose row in CONNECTING/ESTABLISHED is given. */
enum v2_ike_tr v2_end_row(const v2_ike_sa *sa, enum v2_ike_tr connecting, enum v2_ike_tr established)
{
	switch (sa->state) {
	case V2_IKE_CONNECTING:
		return connecting;
	case V2_IKE_ESTABLISHED:
		return established;
	case V2_IKE_REKEYING:
		return V2_T_IKE_REKEYING_FAIL;
	case V2_IKE_REKEYED:
		return V2_T_IKE_REKEYED_FAIL;
	default: /* DELETING: the Delete we could not finish ends it as a completed delete would */
		return V2_T_IKE_DELETE_DONE;
	}
}

void v2_fail_fatal(v2_ike_sa *sa, ike_time now, uint16_t notify, const char *why)
{
	v2_fail(sa, now, v2_end_row(sa, V2_T_IKE_AUTH_SYNTAX, V2_T_IKE_SYNTAX), notify, why);
}

void v2_fail_local(v2_ike_sa *sa, ike_time now, const char *why)
{
	v2_fail(sa, now, v2_end_row(sa, V2_T_IKE_LOCAL_FAIL, V2_T_IKE_LOCAL_FAIL_UP), 0, why);
}

void v2_refuse_fatal(v2_ike_sa *sa, ike_time now, const v2_inbound *in, uint16_t notify, const uint8_t *data,
		     size_t len, const char *why)
{
	/* The SA ends either way; a failed answer has already traced its own error. */
	(void)v2_answer_notify(sa, now, in, notify, data, len);
	v2_fail_fatal(sa, now, notify, why);
}

void v2_bad_response(v2_ike_sa *sa, ike_time now, const v2_inbound *in, const char *why)
{
	/* 2.21.2: an initiator that cannot use the IKE_AUTH response MAY say so in an INFORMATIONAL request */
	bool told = sa->state == V2_IKE_CONNECTING && in->hdr.exchange == V2_IKE_AUTH;
	if (told)
		v2_auth_i_tell(sa, now, V2_N_INVALID_SYNTAX);
	/* 2.21: a response we cannot process is not answered, but the IKE SA is cleaned up */
	v2_fail_fatal(sa, now, told ? V2_N_INVALID_SYNTAX : 0, why);
}
