/*
 * Liveness (RFC 7296 2.4): after dpd_delay without an authenticated message from the peer, an idle IKE SA
 * sends an empty INFORMATIONAL request; any answer proves the peer alive. When the retransmissions of any
 * request of an established IKE SA run out, the peer is dead and the connection's dpd_action follows:
 * clear (the SAs go), restart (initiate the connection again, whichever role we had, as strongSwan does) or
 * trap (like clear until the data plane exists: the trap policy would wait for traffic).
 */
#include <stdio.h>

#include "ikev2/sa.h"

static const char *const action_names[] = { "clear", "restart", "trap" };

static const char *action_name(uint8_t a) { return a < 3 ? action_names[a] : "clear"; }

/* "after": seconds (with milliseconds) since `since`, as a JSON number. */
static void put_after(ike_jsonw *w, ike_time now, ike_time since)
{
	ike_time d = now > since ? now - since : 0;
	int64_t ms = d / (IKE_NS_PER_SEC / 1000);
	char num[32];
	snprintf(num, sizeof(num), "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
	ike_jsonw_raw(w, "after", num);
}

static void trace_dpd(const v2_ike_sa *sa, ike_time now, const char *action, ike_time since, const char *then,
		      const char *note)
{
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "action", action);
	put_after(&w, now, since);
	if (then)
		ike_jsonw_str(&w, "dpd-action", then);
	if (note)
		ike_jsonw_str(&w, "note", note);
	v2_emit_sa(sa, now, "dpd", &w);
}

void v2_live_heard(v2_ike_sa *sa, ike_time now)
{
	sa->heard_prev = sa->heard;
	sa->heard = now;
	if (sa->conn && sa->conn->dpd_delay > 0)
		v2_dl_set(sa, V2_DL_DPD, v2_time_after(now, sa->conn->dpd_delay));
}

void v2_live_up(v2_ike_sa *sa, ike_time now)
{
	ike_conn_rec *r = v2_rec(sa);
	if (r) /* the connection's latest attempt worked: an earlier timeout (a dead peer, say) is history */
		r->timed_out = false;
	if (sa->dl[V2_DL_DPD] == IKE_TIME_NEVER)
		v2_live_heard(sa, now);
}

void v2_live_due(v2_ike_sa *sa, ike_time now)
{
	if (!sa->conn || sa->conn->dpd_delay <= 0)
		return;
	/* Busy (a request of ours is out, or work waits) or not up: that request tests liveness itself. */
	if (sa->state != V2_IKE_ESTABLISHED || sa->req || sa->ntasks) {
		ike_time at = v2_time_after(now, sa->conn->dpd_delay);
		/* not before our next retransmission: a tiny dpd_delay must not wake a busy SA every nanosecond
		 * (its answer re-arms DPD through v2_live_heard; no answer ends the SA) */
		if (sa->req && sa->dl[V2_DL_RETRANSMIT] > at)
			at = sa->dl[V2_DL_RETRANSMIT];
		v2_dl_set(sa, V2_DL_DPD, at);
		return;
	}
	v2_task t = { .kind = V2_TASK_DPD, .reason = V2_WHY_LIFETIME };
	(void)v2_task_queue(sa, now, &t);
}

int v2_live_start(v2_ike_sa *sa, ike_time now)
{
	uint8_t inner[128];
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_mobike_add_dpd(sa, &b); /* RFC 4555 3.8: NATD, to see a NAT mapping change */
	trace_dpd(sa, now, "sent", sa->heard, NULL, NULL);
	return v2_send_request(sa, now, V2_INFORMATIONAL, inner, b.w.len, b.first, "could not seal our liveness check");
}

void v2_live_answered(v2_ike_sa *sa, ike_time now) { trace_dpd(sa, now, "answered", sa->heard_prev, NULL, NULL); }

/* Attempt `try` (from 1) of a restart: a new IKE SA of connection conn towards remote, as its initiator. */
static void restart(ike_peer *p, ike_time now, size_t conn, const ike_addr *remote, uint32_t try)
{
	v2_ike_sa *sa = v2_initiator_new(p, conn, remote);
	if (!sa) {
		v2_trace_error(p, now, NULL, "dpd restart", "out of memory for the new IKE SA", 0);
		return;
	}
	sa->restart_try = try;
	(void)v2_init_start(sa, now);
}

void v2_live_restart_failed(ike_peer *p, ike_time now, size_t conn, const ike_addr *remote, uint32_t tried,
			    const char *why)
{
	uint32_t tries = p->cfg.conns[conn].keyingtries;
	bool again = tries == 0 || tried < tries;
	if (v2_tracing(p)) {
		char n[48], line[256];
		if (tries)
			snprintf(n, sizeof(n), "attempt %u of %u", tried, tries);
		else
			snprintf(n, sizeof(n), "attempt %u (keyingtries 0: for ever)", tried);
		snprintf(line, sizeof(line), "%s failed (%s): %s", n, why ? why : "no reason given",
			 again ? "trying again" : "giving up (keyingtries)");
		ike_jsonw w;
		ike_jsonw_init(&w);
		ike_jsonw_str(&w, "what", "dpd restart");
		ike_jsonw_str(&w, "why", line);
		ike_jsonw_str(&w, "conn", p->cfg.conns[conn].name);
		v2_emit(p, now, "error", &w);
	}
	if (again)
		restart(p, now, conn, remote, tried < UINT32_MAX ? tried + 1 : tried);
}

void v2_live_dead(v2_ike_sa *sa, ike_time now, const char *why)
{
	ike_peer *p = sa->peer;
	uint8_t act = sa->conn->dpd_action;
	size_t conn = sa->conn_idx;
	ike_addr remote = v2_initiate_remote(sa);
	trace_dpd(sa, now, "dead", sa->heard, action_name(act),
		  act == IKE_DPD_TRAP ? "trap policy installed: it waits for traffic (the data plane is issue 9)"
				      : NULL);
	ike_conn_rec *r = v2_rec(sa);
	if (r) {
		r->timed_out = true;
		r->last_error = 0;
	}
	/* RFC 7296 2.4: the peer is gone, its SAs with it; no Delete goes to a dead peer. */
	v2_ike_end(sa, now, v2_end_row(sa, V2_T_IKE_TIMEOUT, V2_T_IKE_DEAD), IKE_EV_IKE_DOWN, 0, why, why);
	if (act == IKE_DPD_RESTART)
		restart(p, now, conn, &remote, 1);
}

void v2_live_delete_timeout(v2_ike_sa *sa, ike_time now, const char *why)
{
	/* a break-before-make reauthentication goes on even if the old SA's Delete was lost (v2_ike_end) */
	v2_ike_end(sa, now, V2_T_IKE_DELETE_TIMEOUT, IKE_EV_IKE_DOWN, 0, why, NULL);
}
