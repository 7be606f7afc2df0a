/*
 * The task queue of an IKE SA (strongSwan's task manager, message-ID window 1): lifecycle work waits here
 * while one request of ours is outstanding and starts, in order, once the SA is ESTABLISHED and idle.
 * v2_settle is the one completion step every handler and timer goes through.
 */
#include <string.h>

#include "ikev2/sa.h"

static const char *const task_names[V2_TASK_NKINDS] = { "none",       "child-create", "child-rekey", "child-delete",
							"ike-rekey",  "ike-delete",   "ike-reauth",  "dpd",
							"reauth-done", "mobike-update", "mobike-rr" };

void v2_task_trace(v2_ike_sa *sa, ike_time now, const v2_task *t, const char *action, const char *why)
{
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "task", t->kind < V2_TASK_NKINDS ? task_names[t->kind] : "?");
	ike_jsonw_str(&w, "action", action);
	if (why)
		ike_jsonw_str(&w, "why", why);
	v2_emit_sa(sa, now, "ike.task", &w);
}

/* A task waits on an SA with no request out: whatever path queued it, the SA's settle step runs at this instant. */
static int waiting(v2_ike_sa *sa, ike_time now)
{
	if (!sa->req && sa->dl[V2_DL_SETTLE] > now)
		v2_dl_set(sa, V2_DL_SETTLE, now);
	return 0;
}

int v2_task_queue(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	for (uint8_t i = 0; i < sa->ntasks; i++)
		if (sa->tasks[i].kind == t->kind && sa->tasks[i].spi == t->spi && sa->tasks[i].child == t->child)
			return waiting(sa, now);
	if (t->kind == V2_TASK_IKE_DELETE) {
		/* deleting the IKE SA makes everything else waiting pointless */
		sa->tasks[0] = *t;
		sa->ntasks = 1;
		return waiting(sa, now);
	}
	if (sa->ntasks >= V2_TASK_QUEUE) {
		v2_task_trace(sa, now, t, "refused", "task queue full");
		return -1;
	}
	sa->tasks[sa->ntasks++] = *t;
	return waiting(sa, now);
}

int v2_task_retry(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	if (sa->ntasks >= V2_TASK_QUEUE) {
		v2_task_trace(sa, now, t, "refused", "task queue full");
		return -1;
	}
	memmove(sa->tasks + 1, sa->tasks, (size_t)sa->ntasks * sizeof(sa->tasks[0]));
	sa->tasks[0] = *t;
	sa->ntasks++;
	return waiting(sa, now);
}

void v2_task_retarget(v2_ike_sa *sa, uint32_t from, uint32_t to)
{
	uint8_t n = 0;
	for (uint8_t i = 0; i < sa->ntasks; i++) {
		v2_task t = sa->tasks[i];
		if (t.kind == V2_TASK_CHILD_REKEY && t.spi == from)
			t.spi = to;
		bool dup = false; /* a rekey of `to` may be waiting already: one is enough */
		for (uint8_t j = 0; j < n && !dup; j++)
			dup = sa->tasks[j].kind == t.kind && sa->tasks[j].spi == t.spi && sa->tasks[j].child == t.child;
		if (!dup)
			sa->tasks[n++] = t;
	}
	sa->ntasks = n;
}

void v2_task_done(v2_ike_sa *sa) { memset(&sa->active, 0, sizeof(sa->active)); }

/* A CHILD SA the peer's rekey made, whose old one the peer has not deleted yet: our response may still be on
 * its way (or overtaken), so the peer may not have it; rekeying it now would be answered CHILD_SA_NOT_FOUND. */
static bool unconfirmed(const v2_ike_sa *sa, const v2_task *t)
{
	if (t->kind != V2_TASK_CHILD_REKEY)
		return false;
	const v2_child_sa *c = v2_child_find_in(sa, t->spi);
	if (!c || !c->rekey_of || c->exch_initiator)
		return false;
	const v2_child_sa *old = v2_child_find_in(sa, c->rekey_of);
	return old && old->state == V2_CHILD_REKEYED;
}

#define V2_UNCONFIRMED_POLL 1000000000LL /* 1 s: the peer's Delete normally ends the wait before */

void v2_task_kick(v2_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	/* a rekeyed (old) IKE SA still sends its own Delete, nothing else; the peer's new IKE SA whose collision
	 * with our rekey is not settled sends nothing yet (whether it stays is not known) */
	while (sa->ntasks && !sa->req && !sa->unsettled && !sa->job &&
	       (sa->state == V2_IKE_ESTABLISHED || (sa->state == V2_IKE_REKEYED && sa->tasks[0].kind == V2_TASK_IKE_DELETE))) {
		if (unconfirmed(sa, &sa->tasks[0])) {
			v2_dl_set(sa, V2_DL_SETTLE, now + V2_UNCONFIRMED_POLL);
			return;
		}
		v2_task t = sa->tasks[0];
		memmove(sa->tasks, sa->tasks + 1, (size_t)(sa->ntasks - 1) * sizeof(sa->tasks[0]));
		sa->ntasks--;
		if (v2_task_start(sa, now, &t) < 0 || !v2_sa_alive(p, spi, sa))
			return;
	}
	if (sa->state == V2_IKE_DELETING || sa->state == V2_IKE_DESTROYING)
		sa->ntasks = 0; /* nothing else goes out on an IKE SA being deleted */
}

void v2_settle(v2_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	v2_task_kick(sa, now);
	if (v2_sa_alive(p, spi, sa))
		v2_dl_refresh(sa);
}

int v2_send_request(v2_ike_sa *sa, ike_time now, uint8_t exchange, const uint8_t *inner, size_t inner_len,
		    uint8_t inner_first, const char *what)
{
	if (v2_send_sk(sa, now, exchange, false, sa->msgid_next_req, inner, inner_len, inner_first) == 0)
		return 0;
	v2_fail_local(sa, now, what);
	return -1;
}

static int start_ike_delete(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	uint8_t inner[32], spi[1] = { 0 };
	v2_builder b;
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_delete(&b, 1, 0, spi, 0);
	const char *why = t->reason == V2_WHY_COLLISION
				  ? "this SA lost a collision: it holds the lowest nonce (RFC 7296 2.8.2)"
			  : t->reason != V2_WHY_REAUTH ? NULL
			  : sa->reauth_next ? "reauthentication, break-before-make: a new IKE SA follows once this one is gone"
					    : "reauthenticated: the new IKE SA and its CHILD SAs replace this one";
	v2_ike_go(sa, now, sa->state == V2_IKE_REKEYED ? V2_T_IKE_REKEYED_DELETE_SENT : V2_T_IKE_DELETE_SENT, why);
	return v2_send_request(sa, now, V2_INFORMATIONAL, inner, b.w.len, b.first, "could not seal our Delete request");
}

static int start_child_delete(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	v2_child_sa *c = v2_child_find_in(sa, t->spi);
	if (!c || (c->state != V2_CHILD_INSTALLED && c->state != V2_CHILD_REKEYED))
		return 1; /* gone or busy meanwhile (deleted by the peer, being rekeyed): nothing to do */
	uint8_t inner[32], spi[4];
	v2_builder b;
	ike_put_u32(spi, c->spi_in);
	v2_begin_chain(&b, inner, sizeof(inner));
	v2_add_delete(&b, v2_child_proto(sa, c), 4, spi, 1);
	v2_child_go(sa, c, now, c->state == V2_CHILD_REKEYED ? V2_T_CHILD_REKEYED_DELETE_SENT : V2_T_CHILD_DELETE_SENT,
		    NULL);
	return v2_send_request(sa, now, V2_INFORMATIONAL, inner, b.w.len, b.first,
			       "could not seal our CHILD SA Delete request");
}

int v2_task_start(v2_ike_sa *sa, ike_time now, const v2_task *t)
{
	int rc;
	sa->active = *t;
	switch (t->kind) {
	case V2_TASK_IKE_DELETE:
		rc = start_ike_delete(sa, now, t);
		break;
	case V2_TASK_CHILD_DELETE:
		rc = start_child_delete(sa, now, t);
		break;
	case V2_TASK_DPD:
		rc = v2_live_start(sa, now);
		break;
	case V2_TASK_CHILD_CREATE:
		rc = v2_child_create_start(sa, now, t);
		break;
	case V2_TASK_CHILD_REKEY:
		rc = v2_child_rekey_start(sa, now, t);
		break;
	case V2_TASK_IKE_REKEY:
		rc = v2_ike_rekey_start(sa, now, t);
		break;
	case V2_TASK_IKE_REAUTH:
		rc = v2_reauth_start(sa, now);
		break;
	case V2_TASK_REAUTH_DONE:
		rc = v2_reauth_done(sa, now);
		break;
	case V2_TASK_MOBIKE_UPDATE:
		rc = v2_mobike_update_start(sa, now);
		break;
	case V2_TASK_MOBIKE_RR:
		rc = v2_mobike_rr_start(sa, now);
		break;
	default:
		v2_task_trace(sa, now, t, "skipped", "not implemented yet");
		rc = 1;
		break;
	}
	if (rc != 0 && rc != -1)
		v2_task_done(sa);
	return rc;
}

/* The CHILD SA a CHILD task of a connection's child config aims at: the newest INSTALLED one. */
static const v2_child_sa *child_of_cfg(const v2_ike_sa *sa, size_t cfg)
{
	const v2_child_sa *best = NULL;
	for (const v2_child_sa *c = sa->children; c; c = c->next)
		if (c->cfg == cfg && c->state == V2_CHILD_INSTALLED && !c->redundant)
			best = c;
	return best;
}

int v2_queue_on_conn(ike_peer *p, ike_time now, size_t conn, uint8_t kind, size_t child, uint8_t reason)
{
	int n = 0;
	for (v2_ike_sa *sa = p->rec[conn].sas, *next; sa; sa = next) {
		next = sa->conn_next; /* settling may end sa */
		/* an IKE delete also waits behind a rekey in progress (it then applies to the new IKE SA) */
		if (sa->state != V2_IKE_ESTABLISHED && !(kind == V2_TASK_IKE_DELETE && sa->state == V2_IKE_REKEYING))
			continue;
		v2_task t = { .kind = kind, .reason = reason, .child = (uint16_t)child };
		if (kind == V2_TASK_CHILD_REKEY || kind == V2_TASK_CHILD_DELETE) {
			const v2_child_sa *c = child_of_cfg(sa, child);
			if (!c)
				continue;
			t.spi = c->spi_in;
		}
		if (v2_task_queue(sa, now, &t) != 0)
			continue;
		n++;
		v2_settle(sa, now);
	}
	return n;
}
