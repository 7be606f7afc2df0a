/*
 * Reauthentication (RFC 7296 2.8.3): an IKE SA is not rekeyed but replaced by a new one built from scratch,
 * with IKE_SA_INIT and IKE_AUTH (new authentication), and its CHILD SAs re-created: children[0] in IKE_AUTH,
 * the others by CREATE_CHILD_SA. Either side reauthenticates when its reauth time comes, always as the
 * initiator of the new IKE SA (strongSwan does so for certificate and PSK authentication).
 *
 * Make-before-break (reauth_mbb): the new IKE SA and its CHILD SAs come up first, then the old IKE SA is
 * deleted; the new IKE_AUTH carries no INITIAL_CONTACT since the old SA still exists (initial_contact.c), and
 * the simultaneous IKE_SA_INIT rule leaves it alone since the old SA is not CONNECTING (init_collide.c).
 * Break-before-make: the old IKE SA is deleted first; once its Delete is answered (or given up) the new IKE
 * SA is initiated. Either way `ike_sa.rekeyed` (reason "reauth") names the old and new SPIs once the new
 * IKE SA holds its CHILD SAs.
 */
#include <stdio.h>

#include "ikev2/sa.h"

/* Bit i for every child config i >= 1 of which the SA holds a CHILD SA (children[0] comes with IKE_AUTH). */
static uint64_t held_children(const v2_ike_sa *sa)
{
	uint64_t m = 0;
	for (const v2_child_sa *c = sa->children; c; c = c->next)
		if (c->cfg >= 1 && c->cfg < 64 &&
		    (c->state == V2_CHILD_INSTALLED || c->state == V2_CHILD_REKEYING || c->state == V2_CHILD_REKEYED))
			m |= (uint64_t)1 << c->cfg;
	return m;
}

/* Attempt `try` of the new IKE SA replacing old (whose SPIs it keeps for the trace); started, or NULL (traced). */
static v2_ike_sa *initiate(ike_peer *p, ike_time now, size_t conn, const ike_addr *remote, uint64_t old_i,
			   uint64_t old_r, uint64_t children, uint32_t try)
{
	v2_ike_sa *n = v2_initiator_new(p, conn, remote);
	if (!n) {
		v2_trace_error(p, now, NULL, "reauthentication", "out of memory for the new IKE SA", 0);
		return NULL;
	}
	n->reauth_old_i = old_i;
	n->reauth_old_r = old_r;
	n->reauth_children = children;
	n->reauth_try = try;
	uint64_t spi = v2_our_spi(n);
	if (v2_init_start(n, now) != 0 || !v2_sa_alive(p, spi, n))
		return NULL; /* v2_init_start traced why and dropped it */
	return n;
}

/* The SA building itself up to replace old (make-before-break), or NULL. */
static v2_ike_sa *replacement(const v2_ike_sa *old)
{
	uint64_t spi = v2_our_spi(old);
	for (v2_ike_sa *o = old->peer->rec[old->conn_idx].sas; o; o = o->conn_next)
		if (o->reauth_of == spi)
			return o;
	return NULL;
}

int v2_reauth_start(v2_ike_sa *sa, ike_time now)
{
	if (sa->reauth_next || replacement(sa))
		return 1; /* a reauthentication of it is under way */
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	if (!sa->conn->reauth_mbb) {
		sa->reauth_next = true;
		sa->reauth_children = held_children(sa);
		v2_task del = { .kind = V2_TASK_IKE_DELETE, .reason = V2_WHY_REAUTH };
		return v2_task_start(sa, now, &del);
	}
	ike_addr remote = v2_initiate_remote(sa);
	v2_ike_sa *n = initiate(p, now, sa->conn_idx, &remote, sa->spi_i, sa->spi_r, held_children(sa), 1);
	if (!v2_sa_alive(p, spi, sa))
		return -1;
	if (n) /* else nothing was started: the old SA stays until its hard expiry */
		n->reauth_of = spi;
	return 1;
}

void v2_reauth_up(v2_ike_sa *sa, ike_time now)
{
	for (size_t i = 1; i < sa->conn->n_children && i < 64; i++)
		if (sa->reauth_children & ((uint64_t)1 << i)) {
			v2_task t = { .kind = V2_TASK_CHILD_CREATE, .reason = V2_WHY_REAUTH, .child = (uint16_t)i };
			(void)v2_task_queue(sa, now, &t);
		}
	v2_task done = { .kind = V2_TASK_REAUTH_DONE, .reason = V2_WHY_REAUTH };
	(void)v2_task_queue(sa, now, &done);
}

static void trace_rekeyed(const v2_ike_sa *sa, ike_time now)
{
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	if (sa->conn)
		ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "old-initiator-spi", sa->reauth_old_i);
	ike_jsonw_spi(&w, "old-responder-spi", sa->reauth_old_r);
	ike_jsonw_spi(&w, "initiator-spi", sa->spi_i);
	ike_jsonw_spi(&w, "responder-spi", sa->spi_r);
	ike_jsonw_str(&w, "reason", "reauth");
	ike_jsonw_str(&w, "dh-group", ike_transform_name(IKE_TT_DH, sa->algs.dh, 0));
	ike_jsonw_str(&w, "mode", sa->reauth_of ? "make-before-break" : "break-before-make");
	v2_emit(sa->peer, now, "ike_sa.rekeyed", &w);
}

int v2_reauth_done(v2_ike_sa *sa, ike_time now)
{
	v2_replaced_event(sa, now, IKE_EV_IKE_REKEYED, sa->reauth_old_i, sa->reauth_old_r, NULL, NULL);
	trace_rekeyed(sa, now);
	v2_ike_sa *old = sa->reauth_of ? v2_find_local(sa->peer, sa->reauth_of) : NULL;
	sa->reauth_of = sa->reauth_old_i = sa->reauth_old_r = 0; /* complete: from now on an SA like any other */
	if (!old || old == sa)
		return 1; /* break-before-make, or the old SA went meanwhile */
	v2_task t = { .kind = V2_TASK_IKE_DELETE, .reason = V2_WHY_REAUTH };
	if (v2_task_queue(old, now, &t) == 0)
		v2_settle(old, now);
	return 1;
}

/* A reauthenticating SA failed: true if keyingtries allow another attempt (and its old SA, if any, is still held). */
static bool retry_left(const v2_ike_sa *sa)
{
	uint32_t tries = sa->conn->keyingtries;
	if (tries && sa->reauth_try >= tries)
		return false;
	return !sa->reauth_of || v2_find_local(sa->peer, sa->reauth_of) != NULL;
}

void v2_reauth_capture(const v2_ike_sa *sa, uint8_t kind, v2_reauth_next *nx)
{
	*nx = (v2_reauth_next){ .go = false };
	if (!sa->conn)
		return;
	if (sa->reauth_next) { /* break-before-make: the old SA is gone, its replacement follows */
		*nx = (v2_reauth_next){ .go = true, .old_i = sa->spi_i, .old_r = sa->spi_r,
					.children = sa->reauth_children, .try = 1 };
	} else if (kind == IKE_EV_IKE_FAILED && sa->reauth_old_i && retry_left(sa)) {
		/* a failed attempt: the next one, as keyingtries allow */
		*nx = (v2_reauth_next){ .go = true, .old_i = sa->reauth_old_i, .old_r = sa->reauth_old_r,
					.of = sa->reauth_of, .children = sa->reauth_children, .try = sa->reauth_try + 1 };
	}
	nx->conn = sa->conn_idx;
	nx->remote = v2_initiate_remote(sa);
}

void v2_reauth_follow(ike_peer *p, ike_time now, const v2_reauth_next *nx)
{
	if (!nx->go)
		return;
	v2_ike_sa *n = initiate(p, now, nx->conn, &nx->remote, nx->old_i, nx->old_r, nx->children, nx->try);
	if (n)
		n->reauth_of = nx->of;
}

void v2_reauth_moved(v2_ike_sa *old, v2_ike_sa *nsa)
{
	nsa->reauth_old_i = old->reauth_old_i; /* a reauthenticating SA rekeyed before it was complete */
	nsa->reauth_old_r = old->reauth_old_r;
	nsa->reauth_of = old->reauth_of;
	nsa->reauth_children = old->reauth_children;
	nsa->reauth_try = old->reauth_try;
	old->reauth_of = 0;
	/* the old SA of a make-before-break reauthentication rekeyed meanwhile: its successor goes instead */
	uint64_t from = v2_our_spi(old), to = v2_our_spi(nsa);
	for (v2_ike_sa *o = old->peer->rec[old->conn_idx].sas; o; o = o->conn_next)
		if (o->reauth_of == from)
			o->reauth_of = to;
}

void v2_reauth_failed(v2_ike_sa *sa, ike_time now, const char *why)
{
	if (!sa->reauth_old_i || !v2_tracing(sa->peer))
		return;
	char line[256], of[24] = "for ever";
	if (sa->conn->keyingtries)
		snprintf(of, sizeof(of), "%u", sa->conn->keyingtries);
	snprintf(line, sizeof(line), "attempt %u of %s: %s; %s", sa->reauth_try, of, why ? why : "the new IKE SA failed",
		 retry_left(sa) ? "trying again" : sa->reauth_of ? "giving up (keyingtries): the old IKE SA stays"
								 : "giving up (keyingtries)");
	v2_trace_error(sa->peer, now, sa, "reauthentication failed", line, 0);
}
