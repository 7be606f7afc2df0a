/*
 * INITIAL-CONTACT (RFC 2407 4.6.3.3, status 24578): "this is the first SA with you", so the receiver may drop the
 * SAs it still holds for the sender, which restarted and lost their keys. Like IKEv2 (ikev2/initial_contact.c) we
 * send it when we initiate, the connection's initial_contact is on and we hold no other ISAKMP SA with that peer
 * in any state; only ever protected (RFC 2407 4.6.3: status notifies are protected), so in the encrypted Main
 * Mode 5 and not in Aggressive Mode, whose third message we send in clear. We honour it in Main Mode 5, in an
 * encrypted Aggressive Mode 3 (charon's) and in a protected Informational: every other established ISAKMP SA
 * whose verified peer ID and local ID are the same is deleted silently (the peer cannot read a Delete), with its
 * IPsec SAs.
 */
#include <string.h>

#include "ikev1/v1_sa.h"
#include "ikev2/sa.h"
#include "peer/peer.h"

static bool same_id(const ike_id *a, const ike_id *b)
{
	return a->type == b->type && a->len == b->len && !memcmp(a->data, b->data, a->len);
}

void v1_ic_keep_id(v1_ike_sa *sa, const uint8_t *id_b, size_t id_len)
{
	if (id_len > sizeof(sa->peer_id))
		return;
	if (id_b != sa->peer_id)
		memcpy(sa->peer_id, id_b, id_len);
	sa->peer_id_len = id_len;
	sa->peer_id_ok = true;
}

/* The same peer by configuration: the same connection, or the same local and remote IDs. */
static bool same_conn_peer(const v1_ike_sa *a, const v1_ike_sa *b)
{
	return a->conn == b->conn || (same_id(&a->conn->local_id, &b->conn->local_id) &&
				      same_id(&a->conn->remote_id, &b->conn->remote_id));
}

static bool wanted(const v1_ike_sa *sa)
{
	if (!sa->initiator || !sa->conn->initial_contact)
		return false;
	for (const v1_ike_sa *o = sa->peer->v1_sas; o; o = o->next)
		if (o != sa && same_conn_peer(o, sa))
			return false; /* we still hold an SA with this peer: it has not lost anything */
	return true;
}

/* The notify of RFC 2407 4.6.3.3: DOI IPsec, protocol ISAKMP, the two cookies as SPI, no data. */
static void notify(const v1_ike_sa *sa, uint8_t *spi, v1_notify *n)
{
	ike_put_u64(spi, sa->cky_i);
	ike_put_u64(spi + 8, sa->cky_r);
	*n = (v1_notify){ .doi = V1_DOI_IPSEC, .protocol = V1_PROTO_ISAKMP, .spi_size = 16,
			  .type = V1_N_INITIAL_CONTACT, .spi = spi };
}

void v1_ic_add(v1_builder *b, const v1_ike_sa *sa)
{
	uint8_t spi[16];
	v1_notify n;
	if (!wanted(sa))
		return;
	notify(sa, spi, &n);
	v1_add_notify(b, &n);
}

/* Both SAs verified the same peer ID (type and data; the protocol/port bytes do not name anyone) for one local ID. */
static bool same_identities(const v1_ike_sa *a, const v1_ike_sa *b)
{
	return a->peer_id_ok && b->peer_id_ok && a->peer_id_len == b->peer_id_len && a->peer_id_len >= 4 &&
	       a->peer_id[0] == b->peer_id[0] && !memcmp(a->peer_id + 4, b->peer_id + 4, a->peer_id_len - 4) &&
	       same_id(&a->conn->local_id, &b->conn->local_id);
}

static void stale(v1_ike_sa *o, ike_time now)
{
	const char *why = "the peer sent INITIAL-CONTACT on a new ISAKMP SA: it restarted";
	if (o->old.used && o->old.state == V2_CHILD_INSTALLED)
		v1_old_gone(o, now, V1_T_C_GONE, why);
	if (o->child.state == V2_CHILD_INSTALLED) {
		v1_child_go(o, now, V1_T_C_GONE, why);
		v1_event(o, now, IKE_EV_CHILD_DOWN, 0, why);
	} else if (o->child.state == V2_CHILD_INSTALLING)
		v1_child_go(o, now, V1_T_C_FAILED, why);
	v1_ike_go(o, now, V1_T_INITIAL_CONTACT, NULL);
	v1_event(o, now, IKE_EV_IKE_DOWN, 0, why);
	v1_sa_free(o);
}

void v1_ic_received(v1_ike_sa *sa, ike_time now)
{
	ike_peer *p = sa->peer;
	size_t n = 0;
	for (bool again = true; again;) { /* stale() frees the SA: walk again after each one */
		again = false;
		for (v1_ike_sa *o = p->v1_sas; o; o = o->next)
			if (o != sa && o->state == V2_IKE_ESTABLISHED && same_identities(o, sa)) {
				stale(o, now);
				n++;
				again = true;
				break;
			}
	}
	if (!v2_tracing(p))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "what", "INITIAL-CONTACT received");
	ike_jsonw_int(&w, "deleted", (int64_t)n);
	ike_jsonw_str(&w, "conn", sa->conn->name);
	ike_jsonw_spi(&w, "initiator-spi", sa->cky_i);
	ike_jsonw_spi(&w, "responder-spi", sa->cky_r);
	v2_emit(p, now, "ike.initial_contact", &w);
}

void v1_ic_check(v1_ike_sa *sa, ike_time now, const v1_chain *c)
{
	for (uint8_t i = 0; i < c->n; i++) {
		v1_notify n;
		if (c->pl[i].type == V1_PL_N &&
		    v1_parse_notify(c->pl[i].body, c->pl[i].len, c->pl[i].offset + 4u, &n, NULL) == V1_OK &&
		    n.type == V1_N_INITIAL_CONTACT) {
			v1_ic_received(sa, now);
			return;
		}
	}
}
