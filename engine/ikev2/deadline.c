/*
 * Typed deadlines: each IKE SA keeps one time per kind (retransmit, half-open, rekey, reauth, expiry, DPD,
 * delete grace, keepalive) and each CHILD SA its rekey and expiry; the SA sits in the peer's heap at the
 * earliest of them. When it comes up, exactly the due kinds run, in enum order: nothing is guessed from state.
 */
#include <stdio.h>

#include "ikev2/sa.h"

ike_time v2_time_after(ike_time now, ike_time span)
{
	if (span <= 0)
		return IKE_TIME_NEVER;
	return now > 0 && span >= IKE_TIME_NEVER - now ? IKE_TIME_NEVER : now + span;
}

ike_time v2_life_soft(ike_peer *p, ike_time now, const ike_life_cfg *l, ike_time rekey)
{
	if (rekey <= 0)
		return IKE_TIME_NEVER;
	ike_time jitter = 0;
	if (l->rand > 0) {
		/* uniform in [0, rand]: 64 random bits reduced modulo rand + 1 (bias below 2^-40 for spans < 2^24 s) */
		uint8_t b[8];
		ike_drbg_bytes(&p->rng, b, sizeof(b));
		jitter = (ike_time)(ike_get_u64(b) % ((uint64_t)l->rand + 1));
	}
	return v2_time_after(now, rekey - jitter > 0 ? rekey - jitter : 1);
}

ike_time v2_retry_at(ike_peer *p, ike_time now)
{
	/* 1 s plus up to 2 s drawn: two peers refused by each other's crossing exchanges do not meet again */
	static const ike_life_cfg retry = { .rekey = 3 * IKE_NS_PER_SEC, .rand = 2 * IKE_NS_PER_SEC };
	return v2_life_soft(p, now, &retry, retry.rekey);
}

ike_time v2_life_hard(ike_time now, const ike_life_cfg *l)
{
	ike_time base = l->rekey > l->reauth ? l->rekey : l->reauth;
	if (base <= 0)
		return IKE_TIME_NEVER;
	return v2_time_after(now, l->over > 0 && l->over < IKE_TIME_NEVER - base ? base + l->over : base);
}

void v2_dl_refresh(v2_ike_sa *sa)
{
	ike_time t = IKE_TIME_NEVER;
	for (int i = 0; i < V2_DL_N && !sa->job; i++) /* waiting for crypto: nothing runs until it is back */
		t = sa->dl[i] < t ? sa->dl[i] : t;
	for (const v2_child_sa *c = sa->children; c && !sa->job; c = c->next)
		for (int i = 0; i < V2_CDL_N; i++)
			t = c->dl[i] < t ? c->dl[i] : t;
	if (t == sa->timer_at && (t == IKE_TIME_NEVER || sa->heap_idx != SIZE_MAX))
		return;
	sa->timer_at = t;
	v2_heap_update(sa);
}

void v2_dl_set(v2_ike_sa *sa, enum v2_dl which, ike_time at)
{
	sa->dl[which] = at;
	v2_dl_refresh(sa);
}

void v2_child_dl_set(v2_ike_sa *sa, v2_child_sa *c, enum v2_child_dl which, ike_time at)
{
	c->dl[which] = at;
	v2_dl_refresh(sa);
}

/* Runs one due IKE SA deadline; false if the SA is gone. */
static bool run_ike(v2_ike_sa *sa, ike_time now, enum v2_dl which)
{
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	v2_task t = { .reason = V2_WHY_LIFETIME };
	switch (which) {
	case V2_DL_RETRANSMIT:
		if (sa->req)
			v2_retransmit_due(sa, now);
		break;
	case V2_DL_HALF_OPEN:
		if (sa->state == V2_IKE_CONNECTING) {
			v2_fail(sa, now, V2_T_IKE_TIMEOUT, 0, "half-open IKE SA timed out");
			return false;
		}
		break;
	case V2_DL_REKEY:
		t.kind = V2_TASK_IKE_REKEY;
		(void)v2_task_queue(sa, now, &t);
		break;
	case V2_DL_REAUTH:
		t.kind = V2_TASK_IKE_REAUTH;
		t.reason = V2_WHY_REAUTH;
		(void)v2_task_queue(sa, now, &t);
		break;
	case V2_DL_EXPIRE:
		t.kind = V2_TASK_IKE_DELETE;
		(void)v2_task_queue(sa, now, &t);
		break;
	case V2_DL_DPD:
		v2_live_due(sa, now);
		break;
	case V2_DL_DELETE_GRACE:
		t.kind = V2_TASK_IKE_DELETE;
		(void)v2_task_queue(sa, now, &t);
		break;
	case V2_DL_REASM:
		v2_frag_reasm_due(sa, now);
		break;
	case V2_DL_KEEPALIVE:
		v2_natt_keepalive_due(sa, now);
		break;
	case V2_DL_SETTLE: /* v2_settle after the due deadlines starts the tasks that waited */
	case V2_DL_N:
		break;
	}
	return v2_sa_alive(p, spi, sa);
}

/* Runs one due CHILD SA deadline: both queue a task on the IKE SA (rekey, or delete at hard expiry). */
static void run_child(v2_ike_sa *sa, ike_time now, v2_child_sa *c, enum v2_child_dl which)
{
	if (c->state == V2_CHILD_CREATED) { /* a placeholder for a creation to retry (child_create.c) */
		v2_task r = { .kind = V2_TASK_CHILD_CREATE, .reason = V2_WHY_MANUAL, .child = c->cfg };
		v2_child_free(sa, c);
		(void)v2_task_queue(sa, now, &r);
		return;
	}
	v2_task t = { .kind = which == V2_CDL_REKEY ? V2_TASK_CHILD_REKEY : V2_TASK_CHILD_DELETE,
		      .reason = V2_WHY_LIFETIME, .child = c->cfg, .spi = c->spi_in };
	(void)v2_task_queue(sa, now, &t);
}

static const char *const dl_names[V2_DL_N] = { "retransmit", "half-open", "rekey",	     "reauth",	"expire",
					       "dpd",	     "delete-grace", "keepalive", "reassembly", "settle" };

/*
 * Loop guard: a deadline its own handler re-armed at or before now would bring the SA up again at the same
 * instant for ever. It is pushed 1 ns ahead and traced as an engine error (no handler does this on purpose).
 */
static void guard_rearmed(v2_ike_sa *sa, ike_time now, unsigned due)
{
	for (int i = 0; i < V2_DL_N; i++) {
		if (!(due & (1u << i)) || sa->dl[i] > now)
			continue;
		sa->dl[i] = now + 1;
		char why[96];
		snprintf(why, sizeof(why), "the %s deadline was re-armed at or before now: pushed 1 ns ahead",
			 dl_names[i]);
		v2_trace_error(sa->peer, now, sa, "deadline loop", why, 0);
	}
}

void v2_expire_sa(v2_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	uint64_t spi = v2_our_spi(sa);
	unsigned due = 0;
	for (int i = 0; i < V2_DL_N; i++) {
		if (sa->dl[i] > now)
			continue;
		sa->dl[i] = IKE_TIME_NEVER;
		due |= 1u << i;
		if (!run_ike(sa, now, (enum v2_dl)i))
			return;
	}
	guard_rearmed(sa, now, due);
	for (v2_child_sa *c = sa->children, *nx; c; c = nx) {
		nx = c->next;
		for (int i = 0; i < V2_CDL_N; i++)
			if (c->dl[i] <= now) {
				c->dl[i] = IKE_TIME_NEVER;
				run_child(sa, now, c, (enum v2_child_dl)i);
				break; /* c may be gone; a second due deadline of it comes up in the next round */
			}
	}
	if (v2_sa_alive(p, spi, sa))
		v2_settle(sa, now);
}
