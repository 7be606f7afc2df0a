/*
 * INITIAL_CONTACT (RFC 7296 2.4, 3.10.1): "this IKE SA is the only one between the authenticated
 * identities". We send it in our IKE_AUTH request only when the connection allows it and we hold no
 * other IKE SA with that peer in any state (a handshake that knows of another never carries it); when a peer's
 * authenticated IKE_AUTH request carries it, every other IKE SA that is up (or rekeying) with the same
 * identities is stale (the peer restarted) and is deleted silently, with its CHILD SAs: a Delete could only
 * go unanswered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2/sa.h"

static bool same_id(const ike_id *a, const ike_id *b)
{
	return a->type == b->type && a->len == b->len && !memcmp(a->data, b->data, a->len);
}

bool v2_same_peer(const v2_ike_sa *a, const v2_ike_sa *b)
{
	if (!a->conn || !b->conn)
		return false;
	/* one connection may serve many peers (a gateway's road warriors): the peer is also where it is */
	if (a->remote.family != b->remote.family || memcmp(a->remote.ip, b->remote.ip, a->remote.family == 4 ? 4 : 16))
		return false;
	return a->conn == b->conn ||
	       (same_id(&a->conn->local_id, &b->conn->local_id) && same_id(&a->conn->remote_id, &b->conn->remote_id));
}

int v2_ic_remember(v2_ike_sa *sa, uint8_t type, const uint8_t *data, size_t len)
{
	if (len >= UINT16_MAX)
		return -1;
	uint8_t *id = malloc(len + 1);
	if (!id)
		return -1;
	id[0] = type;
	if (len)
		memcpy(id + 1, data, len);
	free(sa->peer_id);
	sa->peer_id = id;
	sa->peer_id_len = (uint16_t)(len + 1);
	v2_index_id(sa);
	return 0;
}

/* Both SAs authenticated the same peer ID with the same local ID: one connection may serve many peers
 * (a hub's `remote_id` "*.example"), so the configuration alone does not say who the peer is. */
static bool same_identities(const v2_ike_sa *a, const v2_ike_sa *b)
{
	return a->conn && b->conn && a->peer_id && b->peer_id && a->peer_id_len == b->peer_id_len &&
	       !memcmp(a->peer_id, b->peer_id, a->peer_id_len) && same_id(&a->conn->local_id, &b->conn->local_id);
}

/* Calls fn on every other IKE SA with the same authenticated identities as sa (fn may destroy the SA it is given). */
static void each_sibling(v2_ike_sa *sa, ike_time now, void (*fn)(v2_ike_sa *o, ike_time now, size_t *n), size_t *n)
{
	ike_peer *p = sa->peer;
	size_t k = 0, cap = 0;
	struct sib {
		v2_ike_sa *sa;
		uint64_t spi;
	} *v = NULL;
	/* the ID index's chain holds every candidate; fn may end SAs, so gather first, then act on live ones */
	for (v2_ike_sa *o = v2_index_first_id(sa); o; o = o->next_id) {
		if (o == sa || !same_identities(o, sa))
			continue;
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct sib *nv = realloc(v, nc * sizeof(*nv));
			if (!nv)
				break; /* out of memory: the SAs gathered so far are still handled */
			v = nv;
			cap = nc;
		}
		v[k++] = (struct sib){ o, v2_our_spi(o) };
	}
	for (size_t i = 0; i < k; i++)
		if (v2_sa_alive(p, v[i].spi, v[i].sa))
			fn(v[i].sa, now, n);
	free(v);
}

bool v2_ic_wanted(const v2_ike_sa *sa)
{
	if (!sa->conn || !sa->conn->initial_contact)
		return false;
	for (const v2_ike_sa *o = v2_index_first_addr(sa); o; o = o->next_addr)
		if (o != sa && o->state != V2_IKE_DESTROYING && v2_same_peer(o, sa))
			return false;
	return true;
}

static void stale(v2_ike_sa *o, ike_time now, size_t *n)
{
	if (o->state != V2_IKE_ESTABLISHED && o->state != V2_IKE_REKEYING && o->state != V2_IKE_REKEYED)
		return; /* half-open ones time out; deleting ones are on their way */
	const char *why = "the peer sent INITIAL_CONTACT on a new IKE SA: it restarted";
	enum v2_ike_tr row = v2_end_row(o, V2_T_IKE_TIMEOUT, V2_T_IKE_INITIAL_CONTACT);
	v2_ike_end(o, now, row, IKE_EV_IKE_DOWN, 0, why, row == V2_T_IKE_INITIAL_CONTACT ? NULL : why);
	(*n)++;
}

void v2_ic_received(v2_ike_sa *sa, ike_time now)
{
	size_t n = 0;
	each_sibling(sa, now, stale, &n);
	if (!v2_tracing(sa->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "what", "INITIAL_CONTACT received");
	ike_jsonw_int(&w, "deleted", (int64_t)n);
	v2_emit_sa(sa, now, "ike.initial_contact", &w);
}
