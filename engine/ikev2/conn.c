/* IKEv2 per connection: initiating one, and which of its IKE SAs is the current one for its status. */
#include <string.h>

#include "ikev2/sa.h"

v2_ike_sa *v2_initiator_new(ike_peer *p, size_t conn, const ike_addr *remote)
{
	v2_ike_sa *sa = v2_sa_new(p, true, v2_new_spi(p), 0);
	if (!sa)
		return NULL;
	v2_sa_set_conn(sa, conn);
	sa->local = sa->resp_from = v2_mobike_local(p, sa->conn); /* the configured address, unless it is gone */
	sa->remote = sa->resp_to = *remote;
	v2_index_addr(sa);
	return sa;
}

int v2_initiate(ike_peer *p, ike_time now, size_t conn)
{
	v2_ike_sa *sa = v2_initiator_new(p, conn, &p->cfg.conns[conn].remote);
	return sa ? v2_init_start(sa, now) : -1;
}

ike_addr v2_initiate_remote(const v2_ike_sa *sa)
{
	static const uint8_t zero[16];
	const ike_addr *c = &sa->conn->remote;
	bool any = !c->family || !memcmp(c->ip, zero, sizeof(c->ip));
	return any ? sa->remote : *c;
}

/* How much an SA in this state speaks for its connection: the established one first, a dying one last. */
static int rank(uint8_t state)
{
	switch (state) {
	case V2_IKE_ESTABLISHED:
	case V2_IKE_REKEYING:
		return 4;
	case V2_IKE_CONNECTING:
		return 3;
	case V2_IKE_CREATED:
		return 2;
	case V2_IKE_REKEYED:
	case V2_IKE_DELETING:
		return 1;
	default:
		return 0;
	}
}

/* The connection's current IKE SA: the best ranked, the newest among equals (after a rekey, the new one). */
static const v2_ike_sa *current(const ike_peer *p, size_t conn)
{
	const v2_ike_sa *best = NULL;
	for (const v2_ike_sa *sa = p->rec[conn].sas; sa; sa = sa->conn_next) {
		int r = rank(sa->state), b = best ? rank(best->state) : -1;
		if (r > b || (r == b && sa->born > best->born))
			best = sa;
	}
	return best;
}

bool v2_conn_status(const ike_peer *p, size_t conn, ike_conn_status *st)
{
	for (const v2_ike_sa *s = p->rec[conn].sas; s; s = s->conn_next) {
		st->ike_sas++;
		for (const v2_child_sa *c = s->children; c; c = c->next)
			st->child_sas++;
	}
	const v2_ike_sa *sa = current(p, conn);
	if (!sa)
		return false;
	st->ike_state = v2_ike_state_name(sa->state);
	st->remote = sa->remote;
	if (sa->keys)
		v2_algs_format(&sa->algs, st->selected_ike, sizeof(st->selected_ike));
	const v2_child_sa *c = v2_child_current(sa);
	if (c) {
		st->child_state = v2_child_state_name(c->state);
		if (c->state == V2_CHILD_INSTALLED)
			v2_algs_format(&c->algs, st->selected_esp, sizeof(st->selected_esp));
	}
	return true;
}
