/*
 * Simultaneous IKE_SA_INIT from both sides (two handshakes of the same peers overlapping in time) would leave
 * two IKE SAs and two CHILD SAs on each side. RFC 7296 has no rule for this case; by analogy with its rekey
 * collisions (2.8.1, 2.8.2) we keep one: of the two IKE SAs, the one holding the lowest of the four nonces is
 * deleted by its initiator with an ordinary Delete, and the other side follows that Delete. Both sides know the
 * four nonces, so they agree on the loser; only the loser's initiator acts, so no second agreement is needed.
 *
 * Overlap, on one side: an SA enters CONNECTING while a sibling (same connection or identities,
 * v2_same_peer) is CONNECTING; both get the same clash id (a CREATED sibling is a rekey's new SA
 * being built, not a handshake). A deliberate second SA (make-before-break
 * reauthentication, a second initiate after the first is up) never overlaps and is left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2/sa.h"

/* Nonces as byte strings: lexicographic, a proper prefix first. */
static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

/* Once both are up, the same peer is the same authenticated ID too: peers behind one NAT share the
 * address (their ports say nothing stable: a float to 4500 changes them) but not the ID. */
static bool same_peer_authed(const v2_ike_sa *a, const v2_ike_sa *b)
{
	if (!v2_same_peer(a, b))
		return false;
	return !a->peer_id || !b->peer_id ||
	       (a->peer_id_len == b->peer_id_len && !memcmp(a->peer_id, b->peer_id, a->peer_id_len));
}

static void note_overlap(v2_ike_sa *sa)
{
	for (v2_ike_sa *o = v2_index_first_addr(sa); o; o = o->next_addr) { /* the same peer: the same address */
		if (o == sa || o->state != V2_IKE_CONNECTING || !v2_same_peer(o, sa))
			continue;
		if (!o->clash)
			o->clash = o->born;
		sa->clash = o->clash;
	}
}

/* Keeps the lower of Ni and Nr past IKE_AUTH (the handshake copies are freed then); false without memory. */
static bool keep_low_nonce(v2_ike_sa *sa)
{
	if (!sa->ni || !sa->nr)
		return false;
	bool i_low = nonce_cmp(sa->ni, sa->ni_len, sa->nr, sa->nr_len) <= 0;
	const uint8_t *n = i_low ? sa->ni : sa->nr;
	uint16_t len = i_low ? sa->ni_len : sa->nr_len;
	free(sa->low_nonce);
	sa->low_nonce = malloc(len);
	if (!sa->low_nonce)
		return false;
	memcpy(sa->low_nonce, n, len);
	sa->low_nonce_len = len;
	return true;
}

/* True if a holds the lower nonce (ties, which need equal nonces, go by the lower initiator SPI). */
static bool loses_to(const v2_ike_sa *a, const v2_ike_sa *b)
{
	int c = nonce_cmp(a->low_nonce, a->low_nonce_len, b->low_nonce, b->low_nonce_len);
	return c < 0 || (c == 0 && a->spi_i < b->spi_i);
}

static void trace_collision(const v2_ike_sa *loser, const v2_ike_sa *winner, ike_time now)
{
	if (!v2_tracing(loser->peer))
		return;
	ike_jsonw w;
	ike_jsonw_init(&w);
	ike_jsonw_str(&w, "what", "simultaneous IKE_SA_INIT");
	ike_jsonw_str(&w, "rule", "the IKE SA holding the lowest of the four nonces is deleted by its initiator");
	ike_jsonw_str(&w, "deleted-by", loser->initiator ? "us" : "peer");
	if (loser->conn)
		ike_jsonw_str(&w, "conn", loser->conn->name);
	ike_jsonw_spi(&w, "delete-initiator-spi", loser->spi_i);
	ike_jsonw_spi(&w, "delete-responder-spi", loser->spi_r);
	ike_jsonw_spi(&w, "keep-initiator-spi", winner->spi_i);
	ike_jsonw_spi(&w, "keep-responder-spi", winner->spi_r);
	v2_emit(loser->peer, now, "ike.collision", &w);
}

/* Two established SAs of one clash: the loser's initiator deletes it (the peer's Delete takes it otherwise). */
static void resolve(v2_ike_sa *sa, v2_ike_sa *o, ike_time now)
{
	v2_ike_sa *loser = loses_to(sa, o) ? sa : o, *winner = loser == sa ? o : sa;
	trace_collision(loser, winner, now);
	if (!loser->initiator)
		return;
	v2_task t = { .kind = V2_TASK_IKE_DELETE, .reason = V2_WHY_COLLISION };
	if (v2_task_queue(loser, now, &t) != 0)
		return;
	if (loser != sa) /* sa's own handler settles sa; the sibling is idle and starts its Delete now */
		v2_settle(loser, now);
}

static void check(v2_ike_sa *sa, ike_time now)
{
	if (!keep_low_nonce(sa)) {
		sa->clash = 0; /* without its nonce the SA cannot take part: both stay */
		return;
	}
	for (v2_ike_sa *o = v2_index_first_addr(sa); o; o = o->next_addr)
		if (o != sa && o->clash == sa->clash && o->state == V2_IKE_ESTABLISHED && o->low_nonce &&
		    same_peer_authed(o, sa)) {
			resolve(sa, o, now);
			return; /* one pair at a time: a third overlapping SA meets the survivor later */
		}
}

void v2_collide_step(v2_ike_sa *sa, ike_time now, uint8_t from, uint8_t to)
{
	if (to == V2_IKE_CONNECTING && from == V2_IKE_CREATED)
		note_overlap(sa);
	else if (to == V2_IKE_ESTABLISHED && from == V2_IKE_CONNECTING && sa->clash)
		check(sa, now);
}
