/*
 * Simultaneous CHILD SA rekeys (RFC 7296 2.8.1): both peers rekeyed the same CHILD SA, so two new ones
 * exist. The one made by the exchange with the lowest of the four nonces is redundant and its initiator
 * deletes it; the initiator of the surviving one deletes the old CHILD SA. Both peers see the same nonces,
 * so they reach the same verdict without talking about it.
 */
#include <stdlib.h>

#include "ikev2/sa.h"

static void queue_delete(v2_ike_sa *sa, ike_time now, uint32_t spi)
{
	v2_task t = { .kind = V2_TASK_CHILD_DELETE, .reason = V2_WHY_COLLISION, .spi = spi };
	(void)v2_task_queue(sa, now, &t);
}

static void forget_nonce(v2_child_sa *c)
{
	free(c->nonce_min);
	c->nonce_min = NULL;
	c->nonce_min_len = 0;
}

void v2_child_collision(v2_ike_sa *sa, ike_time now, v2_child_sa *old, v2_child_sa *ours)
{
	v2_child_sa *theirs = v2_child_find_in(sa, ours->peer_rekey);
	ours->peer_rekey = 0;
	if (!theirs || !theirs->nonce_min || !ours->nonce_min) {
		/* theirs is gone already (deleted as redundant by the peer): ours survives, the old one goes */
		forget_nonce(ours);
		if (theirs)
			forget_nonce(theirs);
		queue_delete(sa, now, old->spi_in);
		return;
	}
	bool ours_redundant = v2_nonce_cmp(ours->nonce_min, ours->nonce_min_len, theirs->nonce_min,
					   theirs->nonce_min_len) < 0;
	forget_nonce(ours);
	forget_nonce(theirs);
	/* the redundant one is never rekeyed: rekeys queued for it (before the verdict) go to the survivor */
	v2_child_sa *loser = ours_redundant ? ours : theirs, *winner = ours_redundant ? theirs : ours;
	loser->redundant = true;
	v2_task_retarget(sa, loser->spi_in, winner->spi_in);
	/* ours lowest: we made the redundant one and delete it, the peer deletes the old one; else the reverse */
	queue_delete(sa, now, ours_redundant ? ours->spi_in : old->spi_in);
}
